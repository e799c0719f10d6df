use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use nskit_backends::{BuiltinBackend, RecipeBackend, RecipeInfo};
use nskit_engine::{ImageRunner, Limits, SharedEngine};
use nskit_progress::{Reporter, Step};
use nskit_recipe::{
    Answers, Context, Field, FormState, Prompter, Recipe, RecipeVersion, RenderedFile,
    RenderedTree, Staged, WriteMode, directory_name, evaluate_form, fields_json_schema,
    nest_answers, render_with, resolve_answers,
};
use nskit_update::{Metadata, ProjectState};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{ErrorInfo, Result};

/// Where a project is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Exactly this folder (`--output-override-path`).
    Exact(PathBuf),
    /// A folder named after the project inside this one (`--output-base-path`).
    Base(PathBuf),
}

impl Default for Output {
    fn default() -> Self {
        Output::Base(PathBuf::from("."))
    }
}

/// A request to create a project.
#[derive(Debug, Clone)]
pub struct InitRequest {
    /// The recipe's name.
    pub recipe: String,
    /// The version; the latest when `None`.
    pub version: Option<String>,
    /// Answers by field name (dotted or nested); typed values or text.
    pub answers: Map<String, Value>,
    /// Where to write.
    pub output: Output,
    /// Write into a folder that has files in it.
    pub force: bool,
    /// Commit the files to git (a new repository unless the folder already is one).
    pub git: bool,
    /// Create the project's repository on the configured git host and push it.
    pub create_repo: Option<crate::repository::RepoOptions>,
}

impl Default for InitRequest {
    fn default() -> Self {
        InitRequest {
            recipe: String::new(),
            version: None,
            answers: Map::new(),
            output: Output::default(),
            force: false,
            git: true,
            create_repo: None,
        }
    }
}

/// A request to preview or create a project, as sent by a UI: the project is created in a
/// folder named after it inside `outputDir`.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProjectRequest {
    /// The configured backend the recipe comes from; the default one when absent.
    #[serde(default)]
    #[ts(optional)]
    pub backend: Option<String>,
    /// The recipe.
    pub recipe: String,
    /// The version; the latest when absent.
    #[serde(default)]
    #[ts(optional)]
    pub version: Option<String>,
    /// Answers by dotted field name.
    #[ts(type = "Record<string, unknown>")]
    pub answers: Map<String, Value>,
    /// The folder the project folder is created in.
    pub output_dir: String,
    /// Write into a project folder that already has files.
    #[serde(default)]
    pub force: bool,
    /// Create the project's repository on the configured git host and push it.
    #[serde(default)]
    #[ts(optional)]
    pub create_repo: Option<bool>,
    /// Make that repository public (private by default).
    #[serde(default)]
    #[ts(optional)]
    pub public_repo: Option<bool>,
}

/// Where repositories are created, for a UI to offer it (no secret in it).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RepositoryTarget {
    /// `GitHub`.
    pub provider: String,
    /// `github.com`.
    pub host: String,
    /// The organisation, or the token's user when absent.
    pub organisation: Option<String>,
    /// New repositories are private unless asked otherwise.
    pub private: bool,
}

impl From<ProjectRequest> for InitRequest {
    fn from(r: ProjectRequest) -> Self {
        InitRequest {
            recipe: r.recipe,
            version: r.version,
            answers: r.answers,
            output: Output::Base(PathBuf::from(r.output_dir)),
            force: r.force,
            git: true,
            create_repo: r
                .create_repo
                .unwrap_or(false)
                .then(|| crate::repository::RepoOptions {
                    private: r.public_repo.unwrap_or(false).then_some(false),
                    description: None,
                }),
        }
    }
}

/// The outcome of creating a project, as the original nskit's `RecipeResult`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecipeResult {
    /// Whether the project was created.
    pub success: bool,
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe_name: String,
    /// The exact version used.
    pub recipe_version: String,
    /// The files written, relative to the project folder.
    pub files_created: Vec<String>,
    /// The commit made, if any.
    pub commit: Option<String>,
    /// The repository created and pushed, if one was asked for and made.
    pub repository: Option<crate::repository::RepositoryInfo>,
    /// What went wrong (empty on success).
    pub errors: Vec<ErrorInfo>,
    /// Things the user should know (ignored answers, a fallback git author).
    pub warnings: Vec<String>,
}

/// A catalogue: which backend, and its recipes (those matching the query, if any).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Catalogue {
    /// The backend, described for people.
    pub backend: String,
    /// Its recipes that match, sorted by name.
    pub recipes: Vec<RecipeInfo>,
    /// How many recipes the backend has in all.
    pub total: u32,
    /// Every tag of the backend's recipes, sorted, for filters.
    pub tags: Vec<String>,
    /// Things the user should know (a catalogue shown from the cache while offline).
    pub notices: Vec<String>,
}

/// A configured backend, for a catalogue's switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendChoice {
    /// Its name.
    pub name: String,
    /// Its `type`.
    pub kind: String,
    /// Whether it is the default.
    pub default: bool,
}

impl BackendChoice {
    /// The configured backends, in order.
    pub fn all(config: &crate::Config) -> Vec<BackendChoice> {
        config
            .backends
            .iter()
            .map(|b| BackendChoice {
                name: b.name.clone(),
                kind: b.config.type_name().into(),
                default: b.name == config.default_backend,
            })
            .collect()
    }
}

/// The repository name a project name gives under the organisation's naming conventions,
/// and a warning when they are only advised (`warn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NameCheck {
    /// The repository's name.
    pub repository: String,
    /// What breaks the conventions, when they only warn.
    pub warning: Option<String>,
}

/// Which recipes of a catalogue to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CatalogueQuery {
    /// Words the name, description or a tag contains (any case).
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    /// Tags a recipe must all have.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Ask the backend again rather than use the list read before.
    #[serde(default)]
    pub refresh: bool,
}

impl CatalogueQuery {
    /// Whether `recipe` matches: every word of the search is in its name, description or
    /// a tag, and it has every tag asked for.
    pub fn matches(&self, recipe: &RecipeInfo) -> bool {
        let words: Vec<String> = self
            .search
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let name = recipe.name.to_lowercase();
        let description = recipe.description.to_lowercase();
        let tags: Vec<String> = recipe.tags.iter().map(|t| t.to_lowercase()).collect();
        words.iter().all(|w| {
            name.contains(w.as_str())
                || description.contains(w.as_str())
                || tags.iter().any(|t| t.contains(w.as_str()))
        }) && self.tags.iter().all(|t| recipe.tags.contains(t))
    }
}

/// A recipe's description and fields, for forms.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecipeDetails {
    /// The name.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// What it makes.
    pub description: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its fields, in order.
    pub fields: Vec<Field>,
    /// The same fields as JSON Schema.
    #[ts(type = "unknown")]
    pub schema: Value,
}

/// One file of a preview.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreviewFile {
    /// The path in the project.
    pub path: String,
    /// The size in bytes.
    pub size: u64,
    /// Whether it is executable.
    pub executable: bool,
    /// The text, for text files under 256 KiB.
    pub text: Option<String>,
}

/// What a project would contain, without writing anything.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preview {
    /// The folder it would be written to.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The exact version.
    pub recipe_version: String,
    /// The files.
    pub files: Vec<PreviewFile>,
    /// The tree drawn as text.
    pub tree: String,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

struct Prepared {
    recipe: Arc<Recipe>,
    version: RecipeVersion,
    answers: Answers,
    tree: RenderedTree,
    target: PathBuf,
    warnings: Vec<String>,
}

/// Lists, describes and runs recipes from one backend.
pub struct RecipeClient {
    backend: Box<dyn RecipeBackend>,
    env: Vec<(String, String)>,
    /// The git identity, read from git config once (forms are evaluated on every keystroke).
    identity: OnceLock<nskit_vcs::GitIdentity>,
    cache: Mutex<HashMap<(String, String), Arc<Recipe>>>,
    /// The last listing, with its notices, for catalogue queries.
    listing: Mutex<Option<(Vec<RecipeInfo>, Vec<String>)>>,
    /// The engine that runs the tasks of recipes that are not in images (their `base_image`).
    engine: Arc<SharedEngine>,
    /// Where repositories are created, and the naming conventions.
    vcs: Option<crate::config::VcsConfig>,
    /// The providers the program registered.
    git_providers: crate::repository::GitProviders,
    publisher: OnceLock<std::result::Result<Arc<crate::repository::Publisher>, String>>,
}

impl std::fmt::Debug for RecipeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipeClient")
            .field("backend", &self.backend.describe())
            .finish()
    }
}

impl RecipeClient {
    /// A client over `backend`. Field defaults may come from the process's `RECIPE_*`
    /// environment variables.
    pub fn new(backend: Box<dyn RecipeBackend>) -> RecipeClient {
        let env = std::env::vars()
            .filter(|(k, _)| k.starts_with(crate::env_vars::RECIPE_PREFIX))
            .collect();
        RecipeClient {
            backend,
            env,
            identity: OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
            listing: Mutex::new(None),
            engine: SharedEngine::new(None),
            vcs: None,
            git_providers: crate::repository::GitProviders::default(),
            publisher: OnceLock::new(),
        }
    }

    /// Creates repositories on (and checks names against) `vcs`.
    pub fn with_vcs(mut self, vcs: Option<crate::config::VcsConfig>) -> RecipeClient {
        self.vcs = vcs;
        self.publisher = OnceLock::new();
        self
    }

    /// Where repositories would be created, if a git host is configured.
    pub fn repository_target(&self) -> Option<RepositoryTarget> {
        self.vcs.as_ref().map(|v| RepositoryTarget {
            provider: crate::repository::provider_label(&v.provider),
            host: v.host(),
            organisation: v.organisation.clone(),
            private: v.private,
        })
    }

    /// As [`RecipeClient::check_project_name`], for a form.
    pub fn name_check(&self, name: &str) -> Result<NameCheck> {
        let (repository, warning) = self.check_project_name(name)?;
        Ok(NameCheck {
            repository,
            warning,
        })
    }

    /// Checks a project name against the configured naming conventions (for forms): the
    /// repository name it gives, with a warning under `warn`; an error under `strict`.
    pub fn check_project_name(&self, name: &str) -> Result<(String, Option<String>)> {
        match self.publisher()? {
            Some(p) => p.check_name(name),
            None => Ok((name.to_string(), None)),
        }
    }

    /// The publisher of the configured git host, if one is configured.
    pub fn publisher(&self) -> Result<Option<Arc<crate::repository::Publisher>>> {
        let Some(vcs) = &self.vcs else {
            return Ok(None);
        };
        self.publisher
            .get_or_init(|| {
                crate::repository::Publisher::new(vcs, &self.git_providers)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map(Some)
            .map_err(crate::Error::Config)
    }

    /// A client over the builtin recipes.
    pub fn builtin() -> RecipeClient {
        RecipeClient::new(Box::new(BuiltinBackend))
    }

    /// A client over the configured backend in use.
    pub fn from_config(config: &crate::Config) -> Result<RecipeClient> {
        Ok(RecipeClient::new(config.backend()?).configured(config))
    }

    /// A client over the configured backend called `name`.
    pub fn for_backend(config: &crate::Config, name: &str) -> Result<RecipeClient> {
        Ok(RecipeClient::new(config.named_backend(name)?).configured(config))
    }

    fn configured(mut self, config: &crate::Config) -> RecipeClient {
        self.engine = SharedEngine::new(config.docker_host.clone());
        self.git_providers = config.git_providers.clone();
        self.with_vcs(config.vcs.clone())
    }

    /// Replaces the environment variables field defaults are read from (`RECIPE_*`).
    pub fn with_env(mut self, env: impl IntoIterator<Item = (String, String)>) -> RecipeClient {
        self.env = env.into_iter().collect();
        self
    }

    /// The backend.
    pub fn backend(&self) -> &dyn RecipeBackend {
        self.backend.as_ref()
    }

    /// Every recipe, sorted by name.
    pub fn list_recipes(&self) -> Result<Vec<RecipeInfo>> {
        Ok(self.backend.list()?)
    }

    /// The backend's description and its recipes.
    pub fn catalogue(&self) -> Result<Catalogue> {
        self.query_catalogue(&CatalogueQuery {
            refresh: true,
            ..CatalogueQuery::default()
        })
    }

    /// The recipes matching `query`, from the list read before unless `query.refresh`
    /// (a search as the user types asks the backend once).
    pub fn query_catalogue(&self, query: &CatalogueQuery) -> Result<Catalogue> {
        let cached = if query.refresh {
            None
        } else {
            self.listing.lock().ok().and_then(|l| l.clone())
        };
        let (all, notices) = match cached {
            Some(c) => c,
            None => {
                let fresh = (self.list_recipes()?, self.backend.notices());
                if let Ok(mut l) = self.listing.lock() {
                    *l = Some(fresh.clone());
                }
                fresh
            }
        };
        let mut tags: Vec<String> = all.iter().flat_map(|r| r.tags.clone()).collect();
        tags.sort();
        tags.dedup();
        Ok(Catalogue {
            backend: self.backend.describe(),
            total: u32::try_from(all.len()).unwrap_or(u32::MAX),
            recipes: all.into_iter().filter(|r| query.matches(r)).collect(),
            tags,
            notices,
        })
    }

    /// Recipes whose name, description or tags contain every word of `term` (any case).
    pub fn discover(&self, term: Option<&str>) -> Result<Vec<RecipeInfo>> {
        Ok(self
            .query_catalogue(&CatalogueQuery {
                search: term.map(str::to_string),
                tags: vec![],
                refresh: true,
            })?
            .recipes)
    }

    /// A recipe's versions, newest first.
    pub fn versions(&self, recipe: &str) -> Result<Vec<String>> {
        Ok(self
            .backend
            .versions(recipe)?
            .iter()
            .map(|v| v.to_string())
            .collect())
    }

    /// Loads a recipe version (the latest when `version` is `None`), cached.
    pub fn recipe(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<(Arc<Recipe>, RecipeVersion)> {
        self.recipe_reported(name, version, &Reporter::silent())
    }

    /// As [`RecipeClient::recipe`], reporting what loading takes (a pull) to `reporter`.
    pub fn recipe_reported(
        &self,
        name: &str,
        version: Option<&str>,
        reporter: &Reporter,
    ) -> Result<(Arc<Recipe>, RecipeVersion)> {
        let v = self.backend.resolve_version(name, version)?;
        let key = (name.to_string(), v.to_string());
        if let Some(r) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok((r, v));
        }
        let recipe = Arc::new(self.with_task_runner(self.backend.load(name, &v, reporter)?));
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, recipe.clone());
        }
        Ok((recipe, v))
    }

    /// The version a project recorded, from the exact image it was made from when the
    /// backend still has it (not cached), and a warning when it had to use the version's
    /// current image instead.
    pub fn recorded_recipe(
        &self,
        name: &str,
        version: &str,
        source: Option<&nskit_recipe::RecipeSource>,
        reporter: &Reporter,
    ) -> Result<(Arc<Recipe>, Option<String>)> {
        let v = self.backend.resolve_version(name, Some(version))?;
        let (recipe, warning) = self.backend.load_recorded(name, &v, source, reporter)?;
        Ok((Arc::new(self.with_task_runner(recipe)), warning))
    }

    /// A recipe from a folder runs its tasks in its `base_image`.
    fn with_task_runner(&self, recipe: Recipe) -> Recipe {
        if recipe.runner.is_none()
            && !recipe.manifest.tasks.is_empty()
            && let Some(base) = recipe.manifest.base_image.clone()
        {
            let runner = ImageRunner::new(
                self.engine.clone(),
                &base,
                &recipe.manifest.name,
                recipe.manifest.network,
                Limits::default(),
            );
            return recipe.with_runner(Arc::new(runner));
        }
        recipe
    }

    /// A recipe's description and fields.
    pub fn fields(&self, name: &str, version: Option<&str>) -> Result<RecipeDetails> {
        self.fields_reported(name, version, &Reporter::silent())
    }

    /// As [`RecipeClient::fields`], reporting what loading takes (an image pulled, a
    /// program image asked for its fields) to `reporter`, which can cancel it.
    pub fn fields_reported(
        &self,
        name: &str,
        version: Option<&str>,
        reporter: &Reporter,
    ) -> Result<RecipeDetails> {
        let step = reporter.step(Step::Resolve, Some(name.to_string()));
        let (recipe, v) = self.recipe_reported(name, version, reporter)?;
        step.finish();
        let m = &recipe.manifest;
        Ok(RecipeDetails {
            name: name.to_string(),
            version: v.to_string(),
            description: m.description.trim().to_string(),
            tags: m.tags.clone(),
            fields: m.fields.clone(),
            schema: fields_json_schema(m),
        })
    }

    /// The context defaults and conditions see: git identity, today's date, `RECIPE_*`.
    pub fn context(&self) -> Context {
        let id = self.identity.get_or_init(nskit_vcs::git_identity);
        Context::new(
            id.name.clone(),
            id.email.clone(),
            chrono::Local::now().date_naive(),
            self.env.clone(),
        )
    }

    /// The live state of a form for the answers so far (flat, by dotted name).
    pub fn evaluate_form(
        &self,
        name: &str,
        version: Option<&str>,
        answers: &Answers,
    ) -> Result<FormState> {
        let (recipe, _) = self.recipe(name, version)?;
        Ok(evaluate_form(
            &recipe.manifest.fields,
            answers,
            &self.context(),
        ))
    }

    fn prepare(
        &self,
        req: &InitRequest,
        prompter: Option<&mut dyn Prompter>,
        reporter: &Reporter,
    ) -> Result<Prepared> {
        let step = reporter.step(
            Step::Resolve,
            Some(match &req.version {
                Some(v) => format!("{} {v}", req.recipe),
                None => req.recipe.clone(),
            }),
        );
        let (recipe, version) =
            self.recipe_reported(&req.recipe, req.version.as_deref(), reporter)?;
        step.finish();
        let ctx = self.context();
        let resolution = resolve_answers(&recipe.manifest.fields, &req.answers, &ctx, prompter)?;
        let warnings: Vec<String> = resolution
            .unknown
            .iter()
            .map(|k| {
                format!(
                    "the answer `{k}` matches no field of {}; it was ignored",
                    req.recipe
                )
            })
            .collect();
        let answers = resolution.into_answers()?;
        nskit_recipe::register_secret_answers(&recipe.manifest.fields, &answers);
        let tree = render_with(&recipe, &answers, &ctx, reporter)?;
        let target = match &req.output {
            Output::Exact(p) => p.clone(),
            Output::Base(base) => base.join(directory_name(&recipe, &answers, &ctx)?),
        };
        Ok(Prepared {
            recipe,
            version,
            answers,
            tree,
            target,
            warnings,
        })
    }

    /// Renders a project in memory and describes it (a dry run: a recipe in an image runs
    /// in its container); nothing is written. Progress goes to `reporter`.
    pub fn preview(&self, req: &InitRequest, reporter: &Reporter) -> Result<Preview> {
        self.preview_asking(req, None, reporter)
    }

    /// As [`RecipeClient::preview`], asking missing answers through `prompter`.
    pub fn preview_asking(
        &self,
        req: &InitRequest,
        prompter: Option<&mut dyn Prompter>,
        reporter: &Reporter,
    ) -> Result<Preview> {
        let p = self.prepare(req, prompter, reporter)?;
        Staged::check_target(&p.target, req.force)?;
        let files = p
            .tree
            .files
            .iter()
            .map(|f| PreviewFile {
                path: f.path.clone(),
                size: f.contents.len(),
                executable: f.executable,
                text: (f.contents.len() <= 256 * 1024)
                    .then(|| {
                        f.contents
                            .read()
                            .ok()
                            .and_then(|b| String::from_utf8(b.into_owned()).ok())
                    })
                    .flatten(),
            })
            .collect();
        let root = p
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Preview {
            project_path: p.target,
            recipe_version: p.version.to_string(),
            files,
            tree: p.tree.tree_text(&root),
            warnings: p.warnings,
        })
    }

    /// Creates a project; answers may be asked through `prompter`, and each step goes to
    /// `reporter` (resolve, pull, render or run, tasks, write, commit, repository, push).
    /// The files, the state file and the first commit appear in the target together, or
    /// not at all: cancelling before they are in place leaves nothing behind, and after
    /// that only stops the repository's creation and push.
    pub fn init(
        &self,
        req: &InitRequest,
        prompter: Option<&mut dyn Prompter>,
        reporter: &Reporter,
    ) -> Result<RecipeResult> {
        // Refuse a non-empty target before asking any question.
        if let Output::Exact(p) = &req.output {
            Staged::check_target(p, req.force)?;
        }
        let mut p = self.prepare(req, prompter, reporter)?;
        let project_name = p
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let publisher = self.check_naming(req, &project_name, &mut p.warnings)?;
        self.add_state_file(req, &mut p)?;
        reporter.check()?;
        let (commit, mut warnings) = self.write_and_commit(req, &p, reporter)?;
        // The repository: its failure leaves the project created and committed, and is
        // reported with it.
        let mut repository = None;
        let mut errors = vec![];
        if let (Some(opts), Some(pb)) = (&req.create_repo, &publisher) {
            let published = if commit.is_none() {
                Err(crate::Error::Config(
                    "the project has no commit, so no repository was created".into(),
                ))
            } else {
                reporter
                    .check()
                    .map_err(crate::Error::from)
                    .and_then(|()| pb.publish(&p.target, &project_name, opts, reporter))
            };
            match published {
                Ok(r) => repository = Some(r),
                Err(crate::Error::Cancelled) => warnings.push(
                    "cancelled after the project was written: it is in place and committed, but no repository was created or pushed".into(),
                ),
                Err(e) => errors.push(e.info()),
            }
        }
        Ok(RecipeResult {
            success: true,
            project_path: p.target,
            recipe_name: p.recipe.manifest.name.clone(),
            recipe_version: p.version.to_string(),
            files_created: p.tree.files.iter().map(|f| f.path.clone()).collect(),
            commit,
            repository,
            errors,
            warnings,
        })
    }

    /// The organisation's naming conventions, checked before anything is written or
    /// created; returns the publisher when a repository is to be made (or names checked).
    fn check_naming(
        &self,
        req: &InitRequest,
        project_name: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Arc<crate::repository::Publisher>>> {
        let publisher = match (&req.create_repo, &self.vcs) {
            (Some(_), None) => {
                return Err(crate::Error::Config(
                    "no git host is configured: add a `vcs:` section (provider, api_url, organisation) to the configuration, or set GITHUB_ORGANISATION".into(),
                ));
            }
            (_, Some(v)) if req.create_repo.is_some() || v.namespaces.is_some() => {
                self.publisher()?
            }
            _ => None,
        };
        if let Some(pb) = &publisher {
            let (_, warning) = pb.check_name(project_name)?;
            warnings.extend(warning);
        }
        Ok(publisher)
    }

    /// Adds `.recipe/config.yml` to the tree: the recipe, its exact source and the answers
    /// (secrets, and values computed from them, are used and never recorded).
    fn add_state_file(&self, req: &InitRequest, p: &mut Prepared) -> Result<()> {
        let now = chrono::Utc::now();
        let secrets = nskit_recipe::secret_fields(&p.recipe.manifest.fields);
        let recorded: Answers = p
            .answers
            .iter()
            .filter(|(k, _)| !secrets.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let source = self.backend.source_of(&req.recipe, &p.version)?;
        let state = ProjectState {
            input: nest_answers(&recorded),
            metadata: Metadata {
                recipe_name: p.recipe.manifest.name.clone(),
                docker_image: source.image.clone(),
                github_repo: None,
                created_at: Some(now),
                updated_at: Some(now),
                recipe_version: Some(p.version.to_string()),
                source: Some(source),
                nskit_version: Some(crate::VERSION.to_string()),
                extra: Map::new(),
            },
            extra: Map::new(),
        };
        let state_path = format!("{}/{}", nskit_update::STATE_DIR, nskit_update::STATE_FILE);
        p.tree.insert(RenderedFile {
            path: state_path,
            contents: state.to_yaml().into_bytes().into(),
            executable: false,
        });
        Ok(())
    }

    /// Stages the tree beside the target, commits it there (a fresh project) and moves it
    /// into place; a folder with files gets them one by one, then a commit. Returns the
    /// commit and the warnings.
    fn write_and_commit(
        &self,
        req: &InitRequest,
        p: &Prepared,
        reporter: &Reporter,
    ) -> Result<(Option<String>, Vec<String>)> {
        // Writing into a folder with files: one nskit at a time, and whatever a killed
        // command left half done there is rolled back first.
        let mut warnings = p.warnings.clone();
        Staged::remove_stale_staging(&p.target);
        // (Only then is the folder's git repository looked for: that starts libgit2.)
        let (_lock, meta) = if Staged::check_target(&p.target, req.force)? == WriteMode::Overwrite {
            let (lock, note) = nskit_update::open_project(&p.target)?;
            warnings.extend(note);
            (Some(lock), nskit_update::meta_dir(&p.target))
        } else {
            (None, PathBuf::new())
        };
        let step = reporter.step(Step::Write, Some(p.target.display().to_string()));
        let staged = Staged::write(&p.tree, &p.target, req.force)?;
        // Cancelled meanwhile: the staging folder goes with `staged`.
        reporter.check()?;
        step.finish();
        let message = format!(
            "Initial commit from recipe {} {}",
            p.recipe.manifest.name, p.version
        );
        let mut commit = None;
        let mut record = |c: std::result::Result<nskit_vcs::Commit, nskit_vcs::VcsError>,
                          warnings: &mut Vec<String>| match c {
            Ok(c) => {
                if c.fallback_author {
                    warnings.push(format!(
                        "git has no user.name/user.email: committed as {}; set them with `git config --global user.name ...`",
                        c.author
                    ));
                }
                commit = Some(c.id);
            }
            Err(e) => warnings.push(format!("{e}; the project was created without a commit")),
        };
        if req.git && staged.mode() == WriteMode::Fresh {
            let step = reporter.step(Step::Commit, None);
            let files: Vec<nskit_vcs::NewFile<'_>> = p
                .tree
                .files
                .iter()
                .map(|f| nskit_vcs::NewFile {
                    path: &f.path,
                    bytes: match &f.contents {
                        nskit_recipe::Content::Memory(b) => Some(b.as_ref()),
                        nskit_recipe::Content::Disk { .. } => None,
                    },
                    executable: f.executable,
                })
                .collect();
            record(
                nskit_vcs::commit_new(staged.root(), &files, &message),
                &mut warnings,
            );
            // The last moment to stop: the staging folder goes with `staged`.
            reporter.check()?;
            step.finish();
        }
        reporter.check()?;
        let mode = staged.mode();
        staged.into_place(&meta)?;
        if req.git && mode == WriteMode::Overwrite {
            let step = reporter.step(Step::Commit, None);
            record(nskit_vcs::commit_all(&p.target, &message), &mut warnings);
            step.finish();
        }
        Ok((commit, warnings))
    }

    /// Creates a project without prompting; failures are reported in the result, as the
    /// original nskit's `initialize_recipe` does.
    pub fn initialize_recipe(&self, req: &InitRequest) -> RecipeResult {
        match self.init(req, None, &Reporter::silent()) {
            Ok(r) => r,
            Err(e) => RecipeResult {
                success: false,
                project_path: match &req.output {
                    Output::Exact(p) | Output::Base(p) => p.clone(),
                },
                recipe_name: req.recipe.clone(),
                recipe_version: req.version.clone().unwrap_or_default(),
                files_created: vec![],
                commit: None,
                repository: None,
                errors: vec![e.info()],
                warnings: vec![],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, description: &str, tags: &[&str]) -> RecipeInfo {
        RecipeInfo {
            name: name.into(),
            description: description.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            versions: vec!["1.0.0".into()],
            latest: Some("1.0.0".into()),
        }
    }

    #[test]
    fn a_query_matches_every_word_anywhere_and_every_tag() {
        let py = info("python_package", "A Python library", &["python", "library"]);
        let svc = info(
            "fastapi_service",
            "A web service in Python",
            &["python", "web"],
        );
        let q = |search: &str, tags: &[&str]| CatalogueQuery {
            search: Some(search.into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            refresh: false,
        };
        assert!(q("", &[]).matches(&py));
        assert!(q("PYTHON lib", &[]).matches(&py));
        assert!(!q("python lib", &[]).matches(&svc));
        assert!(q("web", &[]).matches(&svc), "a tag matches");
        assert!(q("", &["python", "web"]).matches(&svc));
        assert!(!q("", &["python", "web"]).matches(&py));
        // Tags are matched exactly.
        assert!(!q("", &["Python"]).matches(&py));
    }

    #[test]
    fn the_catalogue_lists_every_tag_and_the_total() {
        let c = RecipeClient::builtin()
            .query_catalogue(&CatalogueQuery {
                search: Some("rust".into()),
                ..CatalogueQuery::default()
            })
            .expect("catalogue");
        assert!(c.total as usize > c.recipes.len(), "{c:?}");
        assert!(c.recipes.iter().all(|r| r.name.contains("rust")
            || r.description.to_lowercase().contains("rust")
            || r.tags.iter().any(|t| t.contains("rust"))));
        let mut sorted = c.tags.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(c.tags, sorted);
        assert!(!c.tags.is_empty());
    }
}
