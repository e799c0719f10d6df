//! Updating projects: is a new version out, what would an update do, do it, undo it.
use std::path::{Path, PathBuf};

use nskit_merge::Labels;
use nskit_progress::{Reporter, Step};
use nskit_recipe::lock::ProjectLock;
use nskit_recipe::{Answers, Prompter, RecipeVersion, nest_answers, render_with, resolve_answers};
use nskit_update::{
    Applied, ApplyOptions, DiffMode, Plan, PlanOptions, ProjectState, Tree, UndoOutcome,
    plan_update,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::client::RecipeClient;
use crate::error::{Error, Result};

/// A request to update a project.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct UpdateRequest {
    /// The project folder.
    #[ts(type = "string")]
    pub project: PathBuf,
    /// The version to update to; the latest when `None`.
    pub target_version: Option<String>,
    /// Answers to add or change (new fields, secrets), by dotted name.
    #[ts(type = "Record<string, unknown>")]
    pub answers: Map<String, Value>,
    /// Three-way (default) or two-way.
    pub mode: DiffMode,
    /// Update even when the git tree has uncommitted changes.
    pub allow_dirty: bool,
}

/// Whether a project's recipe has a newer version.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateCheck {
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe: String,
    /// The version the project was made from or last updated to.
    pub current_version: Option<String>,
    /// The newest version the backend has.
    pub latest_version: String,
    /// Whether `latest_version` is newer than `current_version`.
    pub update_available: bool,
}

/// An update computed and ready to apply: the plan, and what it was computed from.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreparedUpdate {
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe: String,
    /// The version the project is at.
    pub from_version: Option<String>,
    /// The version it moves to.
    pub to_version: String,
    /// Whether the project is already at that version (the plan is then empty).
    pub up_to_date: bool,
    /// Fields the new version has that the project had no answer for.
    pub new_fields: Vec<String>,
    /// One decision per path.
    pub plan: Plan,
    /// Things the user should know.
    pub warnings: Vec<String>,
    #[serde(skip)]
    state: ProjectState,
}

/// The outcome of an update.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateResult {
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe: String,
    /// The version the project was at.
    pub from_version: Option<String>,
    /// The version it is at now.
    pub to_version: String,
    /// What was written and removed, and what is left in conflict.
    pub applied: Applied,
}

/// A version a project can move to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VersionChoice {
    /// The version.
    pub version: String,
    /// Whether it is a prerelease (`2.0.0-rc.1`).
    pub prerelease: bool,
    /// Whether it is newer than the project's.
    pub newer: bool,
    /// Whether it is the project's.
    pub current: bool,
}

/// The versions of a project's recipe, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProjectVersions {
    /// The recipe.
    pub recipe: String,
    /// The version the project is at.
    pub current: Option<String>,
    /// Every version the backend has, newest first.
    pub versions: Vec<VersionChoice>,
}

/// What the update form needs: the target version's fields, the answers the project
/// recorded, and which fields are new.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateFields {
    /// The target version's recipe and fields.
    pub details: crate::client::RecipeDetails,
    /// The recorded answers, by dotted name.
    #[ts(type = "Record<string, unknown>")]
    pub answers: Map<String, Value>,
    /// Fields of the target version the project has no answer for (secrets excluded).
    pub new_fields: Vec<String>,
}

/// A commit made for an update.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CommitInfo {
    /// The commit id.
    pub id: String,
    /// The branch.
    pub branch: String,
    /// `Name <email>`.
    pub author: String,
}

impl From<nskit_vcs::Commit> for CommitInfo {
    fn from(c: nskit_vcs::Commit) -> Self {
        CommitInfo {
            id: c.id,
            branch: c.branch,
            author: c.author,
        }
    }
}

/// Checks, plans, applies and undoes updates through a [`RecipeClient`]'s backend.
#[derive(Debug)]
pub struct UpdateClient<'a> {
    recipes: &'a RecipeClient,
}

impl RecipeClient {
    /// The update side of this client.
    pub fn updates(&self) -> UpdateClient<'_> {
        UpdateClient { recipes: self }
    }
}

/// A rendered tree in memory, for the plan.
fn tree_of(t: nskit_recipe::RenderedTree) -> Result<Tree> {
    Tree::try_from(t).map_err(|source| Error::Io {
        path: std::env::temp_dir(),
        source,
    })
}

/// Whether nested answers have a value at a dotted path.
fn has_path(map: &Map<String, Value>, dotted: &str) -> bool {
    let mut cur = map;
    let mut parts = dotted.split('.').peekable();
    while let Some(p) = parts.next() {
        match (cur.get(p), parts.peek()) {
            (Some(_), None) => return true,
            (Some(Value::Object(m)), Some(_)) => cur = m,
            _ => return false,
        }
    }
    false
}

/// The work tree a commit goes to, or why there is none.
fn committable(project: &Path) -> Result<nskit_vcs::Worktree> {
    nskit_vcs::Worktree::open(project).ok_or_else(|| {
        Error::Config(format!(
            "{} is not in a git repository, so there is nothing to commit to",
            project.display()
        ))
    })
}

/// Nested answers by dotted name (`author.name`).
fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

fn version_newer(latest: &RecipeVersion, current: Option<&str>) -> bool {
    match current {
        None => true,
        Some(c) => !latest.matches(c) && *latest > RecipeVersion::new(c),
    }
}

impl UpdateClient<'_> {
    /// Takes the project for this process (other nskit commands on it wait, then refuse)
    /// and rolls back whatever a killed command left half done, returning a note saying
    /// so. The lock is held until the guard is dropped; the other methods take it too.
    pub fn open(&self, project: &Path) -> Result<(ProjectLock, Option<String>)> {
        let interrupted = nskit_update::meta_dir(project)
            .join(nskit_recipe::txn::TXN_DIR)
            .exists();
        if !interrupted && !ProjectState::path_in(project).exists() {
            // Not a project: say so before creating anything in it.
            ProjectState::load(project)?;
        }
        Ok(nskit_update::open_project(project)?)
    }

    /// Whether a newer version of the project's recipe is out.
    pub fn check(&self, project: &Path) -> Result<UpdateCheck> {
        let _lock = self.open(project)?;
        let state = ProjectState::load(project)?;
        let name = &state.metadata.recipe_name;
        let latest = self.recipes.backend().resolve_version(name, None)?;
        let current = state.metadata.version();
        // A recorded version that is not a version (nor a tag the backend has) cannot be
        // compared: say so rather than guess.
        if let Some(c) = &current
            && RecipeVersion::new(c.as_str()).semver().is_none()
            && !self
                .recipes
                .backend()
                .versions(name)?
                .iter()
                .any(|v| v.matches(c))
        {
            return Err(Error::State(nskit_update::StateError::Invalid {
                path: ProjectState::path_in(project),
                message: format!(
                    "metadata.recipe_version is `{c}`, which is not a version (such as 1.2.0) nor a version {name} has (its latest is {latest}); set it to the version the project was made from"
                ),
            }));
        }
        Ok(UpdateCheck {
            project_path: project.to_path_buf(),
            recipe: name.clone(),
            update_available: version_newer(&latest, current.as_deref()),
            current_version: current,
            latest_version: latest.to_string(),
        })
    }

    /// Computes the update: the recorded version rendered again with the recorded answers
    /// (base), the target version with the same answers plus `req.answers` and, through
    /// `prompter`, answers for new fields (theirs), and the working tree (ours). Writes
    /// nothing. Each step (resolve, pulls, renders, the plan) goes to `reporter`, which
    /// can cancel it.
    pub fn plan(
        &self,
        req: &UpdateRequest,
        prompter: Option<&mut dyn Prompter>,
        reporter: &Reporter,
    ) -> Result<PreparedUpdate> {
        let project = &req.project;
        let (_lock, note) = self.open(project)?;
        let state = ProjectState::load(project)?;
        let name = state.metadata.recipe_name.clone();
        let current = state.metadata.version();
        let step = reporter.step(Step::Resolve, Some(name.clone()));
        let target = self
            .recipes
            .backend()
            .resolve_version(&name, req.target_version.as_deref())?;
        step.finish();
        let up_to_date =
            req.mode == DiffMode::ThreeWay && current.as_deref().is_some_and(|c| target.matches(c));
        let mut warnings: Vec<String> = note.into_iter().collect();
        // Is the tree clean? git's status reads every file, so it runs beside the
        // rendering, and is waited for before anything is asked or decided.
        let mut dirty_check = (!req.allow_dirty && !up_to_date).then(|| {
            let p = project.clone();
            std::thread::spawn(move || {
                nskit_vcs::Worktree::open(&p)
                    .map(|wt| wt.dirty_paths().map_err(|e| e.to_string()))
                    .transpose()
            })
        });
        let mut check_clean = || -> Result<()> {
            let Some(h) = dirty_check.take() else {
                return Ok(());
            };
            let dirty = h
                .join()
                .map_err(|_| Error::Config("the git status check stopped".into()))?
                .map_err(Error::Config)?
                .unwrap_or_default();
            if dirty.is_empty() {
                Ok(())
            } else {
                Err(Error::DirtyTree {
                    project: project.clone(),
                    paths: dirty,
                })
            }
        };
        if prompter.is_some() {
            check_clean()?;
        }
        if let Some(c) = &current
            && !up_to_date
            && target < RecipeVersion::new(c.as_str())
        {
            warnings.push(format!(
                "{target} is older than {c}: this goes back to an older version of the recipe"
            ));
        }
        let mut prepared = PreparedUpdate {
            project_path: project.clone(),
            recipe: name.clone(),
            from_version: current.clone(),
            to_version: target.to_string(),
            up_to_date,
            new_fields: vec![],
            plan: Plan::empty(req.mode),
            warnings,
            state: state.clone(),
        };
        if up_to_date {
            return Ok(prepared);
        }

        let rendered = self.render_sides(
            req,
            &state,
            &name,
            current.as_ref(),
            &target,
            prompter,
            &mut prepared,
            reporter,
        );
        check_clean()?;
        let (theirs, base, theirs_answers, new_recipe) = rendered?;
        let secrets = nskit_recipe::secret_fields(&new_recipe.manifest.fields);
        let labels = Labels {
            ours: Some("yours".into()),
            base: current.as_ref().map(|v| format!("{name} {v}")),
            theirs: Some(format!("{name} {target}")),
        };
        reporter.check()?;
        let step = reporter.step(Step::Plan, None);
        prepared.plan = plan_update(
            project,
            base.as_ref(),
            &theirs,
            &PlanOptions {
                mode: req.mode,
                labels,
            },
        )
        .map_err(|source| Error::Io {
            path: project.clone(),
            source,
        })?;
        step.finish();

        // The new state: same keys, new answers (no secrets) and version.
        let kept: Answers = theirs_answers
            .into_iter()
            .filter(|(k, _)| !secrets.contains(k.as_str()))
            .collect();
        let mut new_state = state;
        new_state.input = nest_answers(&kept);
        let m = &mut new_state.metadata;
        m.recipe_version = Some(target.to_string());
        m.updated_at = Some(chrono::Utc::now());
        m.nskit_version = Some(crate::VERSION.to_string());
        let source = self.recipes.backend().source_of(&name, &target)?;
        if let Some(image) = &source.image {
            m.docker_image = Some(image.clone());
        } else if let Some(img) = &m.docker_image
            && let Some((repo, tag)) = img.rsplit_once(':')
            && !tag.contains('/')
        {
            m.docker_image = Some(format!("{repo}:{target}"));
        }
        m.source = Some(source);
        prepared.state = new_state;
        Ok(prepared)
    }

    /// The two sides of an update rendered: theirs (the target version, with the recorded
    /// answers, those given and those asked), and base (the recorded version) in three-way
    /// mode. Also fills in the new fields.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn render_sides(
        &self,
        req: &UpdateRequest,
        state: &ProjectState,
        name: &str,
        current: Option<&String>,
        target: &RecipeVersion,
        prompter: Option<&mut dyn Prompter>,
        prepared: &mut PreparedUpdate,
        reporter: &Reporter,
    ) -> Result<(
        Tree,
        Option<Tree>,
        Answers,
        std::sync::Arc<nskit_recipe::Recipe>,
    )> {
        let ctx = self.recipes.context();
        let mut given = state.input.clone();
        for (k, v) in &req.answers {
            given.insert(k.clone(), v.clone());
        }
        let given = nest_answers(&given);
        let (new_recipe, _) =
            self.recipes
                .recipe_reported(name, Some(target.as_str()), reporter)?;
        let secrets = nskit_recipe::secret_fields(&new_recipe.manifest.fields);
        prepared.new_fields = new_recipe
            .manifest
            .fields
            .iter()
            .filter(|f| !secrets.contains(&f.name) && !has_path(&state.input, &f.name))
            .filter(|f| !req.answers.contains_key(&f.name))
            .map(|f| f.name.clone())
            .collect();
        let theirs_answers =
            resolve_answers(&new_recipe.manifest.fields, &given, &ctx, prompter)?.into_answers()?;
        nskit_recipe::register_secret_answers(&new_recipe.manifest.fields, &theirs_answers);
        let theirs = tree_of(render_with(&new_recipe, &theirs_answers, &ctx, reporter)?)?;

        let base = match (req.mode, &current) {
            (DiffMode::TwoWay, _) => None,
            (DiffMode::ThreeWay, None) => {
                return Err(Error::BaseUnavailable {
                    recipe: name.to_string(),
                    version: "(none recorded)".into(),
                    cause: Box::new(Error::Config(
                        "the state file records no recipe version".into(),
                    )),
                });
            }
            (DiffMode::ThreeWay, Some(v)) => {
                let recorded = state.metadata.source.as_ref();
                let base_tree = (|| -> Result<Tree> {
                    let (old_recipe, warning) =
                        self.recipes.recorded_recipe(name, v, recorded, reporter)?;
                    prepared.warnings.extend(warning);
                    // Secrets and new fields come from the answers just resolved.
                    let mut base_given = given.clone();
                    for (k, v) in nest_answers(&theirs_answers) {
                        base_given.entry(k).or_insert(v);
                    }
                    let res =
                        resolve_answers(&old_recipe.manifest.fields, &base_given, &ctx, None)?;
                    let answers = res.into_answers()?;
                    nskit_recipe::register_secret_answers(&old_recipe.manifest.fields, &answers);
                    tree_of(render_with(&old_recipe, &answers, &ctx, reporter)?)
                })();
                Some(base_tree.map_err(|e| match e {
                    Error::Cancelled => e,
                    // An answer to give, not a base to give up on.
                    Error::Recipe(nskit_recipe::RecipeError::MissingAnswers(_)) => e,
                    e => Error::BaseUnavailable {
                        recipe: name.to_string(),
                        version: v.to_string(),
                        cause: Box::new(e),
                    },
                })?)
            }
        };
        Ok((theirs, base, theirs_answers, new_recipe))
    }

    /// Applies a computed update as one transaction; the state file names the new version
    /// only when every file is in place. Conflicts are left marked in the files (and in
    /// the git index); nothing is committed.
    pub fn apply(&self, prepared: &PreparedUpdate, reporter: &Reporter) -> Result<UpdateResult> {
        self.apply_with(prepared, ApplyOptions::default(), reporter)
    }

    #[doc(hidden)]
    pub fn apply_with(
        &self,
        prepared: &PreparedUpdate,
        mut opts: ApplyOptions,
        reporter: &Reporter,
    ) -> Result<UpdateResult> {
        reporter.check()?;
        let (_lock, _) = self.open(&prepared.project_path)?;
        // Under the lock: the project must still be where the plan found it.
        let now = ProjectState::load(&prepared.project_path)?
            .metadata
            .version();
        if now != prepared.from_version {
            return Err(nskit_update::ApplyError::Stale(prepared.project_path.clone()).into());
        }
        opts.state = prepared.state.to_yaml().into_bytes();
        opts.description = format!(
            "{} {} → {}",
            prepared.recipe,
            prepared.from_version.as_deref().unwrap_or("?"),
            prepared.to_version
        );
        let step = reporter.step(Step::Apply, Some(opts.description.clone()));
        let applied = nskit_update::apply(&prepared.project_path, &prepared.plan, &opts)?;
        step.finish();
        Ok(UpdateResult {
            project_path: prepared.project_path.clone(),
            recipe: prepared.recipe.clone(),
            from_version: prepared.from_version.clone(),
            to_version: prepared.to_version.clone(),
            applied,
        })
    }

    /// The versions the project's recipe has, newest first, marked newer than the
    /// project's or not.
    pub fn versions(&self, project: &Path) -> Result<ProjectVersions> {
        let state = ProjectState::load(project)?;
        let name = state.metadata.recipe_name.clone();
        let current = state.metadata.version();
        let mut all = self.recipes.backend().versions(&name)?;
        RecipeVersion::sort_newest_first(&mut all);
        let versions = all
            .iter()
            .map(|v| VersionChoice {
                version: v.to_string(),
                prerelease: v.is_prerelease(),
                newer: version_newer(v, current.as_deref()),
                current: current.as_deref().is_some_and(|c| v.matches(c)),
            })
            .collect();
        Ok(ProjectVersions {
            recipe: name,
            current,
            versions,
        })
    }

    /// The fields of `version` (the newest when `None`) and the project's recorded
    /// answers: what a form asks before the update is planned.
    pub fn fields(&self, project: &Path, version: Option<&str>) -> Result<UpdateFields> {
        let state = ProjectState::load(project)?;
        let name = state.metadata.recipe_name.clone();
        let details = self.recipes.fields(&name, version)?;
        let secrets = nskit_recipe::secret_fields(&details.fields);
        let new_fields = details
            .fields
            .iter()
            .filter(|f| !secrets.contains(&f.name) && !has_path(&state.input, &f.name))
            .map(|f| f.name.clone())
            .collect();
        let mut answers = Map::new();
        flatten("", &Value::Object(state.input.clone()), &mut answers);
        Ok(UpdateFields {
            details,
            answers,
            new_fields,
        })
    }

    /// Commits an applied update's paths (and the state file) as they are, with
    /// `message`; refused while conflicts are left in the git index.
    pub fn commit(&self, project: &Path, paths: &[String], message: &str) -> Result<CommitInfo> {
        let (_lock, _) = self.open(project)?;
        let worktree = committable(project)?;
        let mut all: Vec<String> = paths.to_vec();
        let state = format!("{}/{}", nskit_update::STATE_DIR, nskit_update::STATE_FILE);
        if !all.contains(&state) {
            all.push(state);
        }
        Ok(worktree.commit_paths(&all, message)?.into())
    }

    /// Commits every change in the project's folder (for "commit first" before an
    /// update): as `git add -A && git commit -m MESSAGE`.
    pub fn commit_all(&self, project: &Path, message: &str) -> Result<CommitInfo> {
        let (_lock, _) = self.open(project)?;
        let worktree = committable(project)?;
        let dirty = worktree.dirty_paths()?;
        Ok(worktree.commit_paths(&dirty, message)?.into())
    }

    /// Puts the project back as it was before its last update.
    pub fn undo(&self, project: &Path, force: bool) -> Result<UndoOutcome> {
        let _lock = self.open(project)?;
        Ok(nskit_update::undo(project, force)?)
    }
}
