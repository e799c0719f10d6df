//! Recipes in Docker images, whichever backend found the image. Two kinds:
//! - **template images** (`nskit.recipe.format=template`): the recipe folder is at `/recipe`;
//!   it is copied out through the engine API (nothing runs) and rendered on the host, and
//!   its tasks run in a container of the same image;
//! - **program images** (anything else, such as the original Python nskit's images): the
//!   container writes the project with the original protocol, `init --recipe NAME
//!   --input-yaml-path /app/input.yml --output-override-path /app/output`, and its fields are
//!   read with `get-required-fields --recipe NAME`.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use nskit_progress::{Event, Reporter};
use nskit_recipe::{
    Answers, Manifest, Recipe, RecipeError, RecipeRunner, RenderedTree, TaskRun, nest_answers,
};
use serde_json::{Value, json};

use crate::{DockerEngine, EngineError, Mount, RunSpec};

/// The label every recipe image carries (`true`).
pub const RECIPE_LABEL: &str = "nskit.recipe";
/// The label with the recipe's name.
pub const NAME_LABEL: &str = "nskit.recipe.name";
/// The label that marks a template image (`template`); program images have none.
pub const FORMAT_LABEL: &str = "nskit.recipe.format";

/// The label that lets a program image's containers use the network (`true`).
pub const NETWORK_LABEL: &str = "nskit.recipe.network";
/// The label with a template image's recipe tags (comma-separated).
pub const TAGS_LABEL: &str = "nskit.recipe.tags";
/// The OCI label with the description shown in catalogues.
pub const DESCRIPTION_LABEL: &str = "org.opencontainers.image.description";

/// How long a recipe's container may run, and how much it may use.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// The time limit of one container.
    pub timeout: Duration,
    /// The memory limit in bytes.
    pub memory_bytes: i64,
    /// The CPU limit.
    pub cpus: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(600),
            memory_bytes: 2 << 30,
            cpus: 2.0,
        }
    }
}

/// A Docker engine connected on first use and shared by a backend and the runners of the
/// recipes it loads (listing a catalogue of local folders never touches Docker).
#[derive(Debug)]
pub struct SharedEngine {
    host: Option<String>,
    cell: OnceLock<std::result::Result<Arc<DockerEngine>, String>>,
}

impl SharedEngine {
    /// The engine at `host`, else `DOCKER_HOST`, else the default socket.
    pub fn new(host: Option<String>) -> Arc<SharedEngine> {
        Arc::new(SharedEngine {
            host,
            cell: OnceLock::new(),
        })
    }

    /// The configured host, if any.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Where the engine is looked for, for messages.
    pub fn endpoint(&self) -> String {
        self.host
            .clone()
            .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| crate::DEFAULT_SOCKET.into())
    }

    /// The engine, connecting on first use; a failed connection is remembered.
    pub fn get(&self) -> Result<&Arc<DockerEngine>, EngineError> {
        self.cell
            .get_or_init(|| {
                DockerEngine::connect(self.host.as_deref())
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| EngineError::Api(e.clone()))
    }
}

/// Runs a recipe's program or tasks in containers of one image.
#[derive(Debug)]
pub struct ImageRunner {
    engine: Arc<SharedEngine>,
    image: String,
    recipe: String,
    network: bool,
    limits: Limits,
}

impl ImageRunner {
    /// A runner for `recipe` in `image`; `network` lets its containers use the network.
    pub fn new(
        engine: Arc<SharedEngine>,
        image: &str,
        recipe: &str,
        network: bool,
        limits: Limits,
    ) -> ImageRunner {
        ImageRunner {
            engine,
            image: image.to_string(),
            recipe: recipe.to_string(),
            network,
            limits,
        }
    }

    fn spec(&self, cmd: Vec<String>, network: bool) -> RunSpec {
        let mut spec = RunSpec::new(&self.image, cmd);
        spec.network = network;
        spec.timeout = self.limits.timeout;
        spec.memory_bytes = self.limits.memory_bytes;
        spec.cpus = self.limits.cpus;
        spec
    }

    fn failed(&self, e: EngineError) -> RecipeError {
        match e {
            EngineError::Cancelled => RecipeError::Cancelled,
            e => RecipeError::Run(format!("{} ({}): {e}", self.recipe, self.image)),
        }
    }

    fn engine(&self) -> nskit_recipe::Result<&Arc<DockerEngine>> {
        self.engine.get().map_err(|e| self.failed(e))
    }
}

/// A scratch folder for one run, under the user's cache folder (which Docker Desktop shares
/// with its VM by default), else the system's temporary folder.
fn run_dir() -> std::result::Result<tempfile::TempDir, RecipeError> {
    let base = dirs::cache_dir()
        .map(|c| c.join("nskit").join("runs"))
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix("run-")
        .tempdir_in(&base)
        .map_err(|e| RecipeError::Run(format!("cannot create a folder in {}: {e}", base.display())))
}

fn output_mount(dir: &Path) -> Mount {
    Mount {
        host: dir.to_path_buf(),
        container: "/app/output".into(),
        read_only: false,
    }
}

impl RecipeRunner for ImageRunner {
    fn describe(&self) -> String {
        format!("the image {}", self.image)
    }

    fn generate(
        &self,
        _recipe: &Recipe,
        answers: &Answers,
        reporter: &Reporter,
    ) -> nskit_recipe::Result<RenderedTree> {
        let dir = run_dir()?;
        let out = dir.path().join("output");
        let input = dir.path().join("input.yml");
        std::fs::create_dir(&out).map_err(|e| RecipeError::Run(e.to_string()))?;
        let yaml = nskit_recipe::yaml::to_string(&nest_answers(answers))
            .map_err(|e| RecipeError::Run(format!("cannot write the answers: {e}")))?;
        write_private(&input, yaml.as_bytes())?;
        let mut spec = self.spec(
            [
                "init",
                "--recipe",
                &self.recipe,
                "--input-yaml-path",
                "/app/input.yml",
                "--output-override-path",
                "/app/output",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            self.network,
        );
        spec.env = vec![
            ("LOG_JSON".into(), "false".into()),
            ("LOGLEVEL".into(), "INFO".into()),
        ];
        spec.mounts = vec![
            output_mount(&out),
            Mount {
                host: input.clone(),
                container: "/app/input.yml".into(),
                read_only: true,
            },
        ];
        let outcome = self.engine()?.run(&spec, reporter);
        // The answers may hold secrets: gone before anything else happens.
        let _ = std::fs::remove_file(&input);
        let outcome = outcome.map_err(|e| self.failed(e))?;
        // The container's own commit and its state file (which names `<recipe>:local`) are
        // replaced by nskit's.
        let mut tree = RenderedTree::read_dir(&out, &[".git"])?;
        tree.files
            .retain(|f| f.path != ".recipe/config.yml" && f.path != ".recipe/config.yaml");
        if tree.files.is_empty() {
            return Err(self.failed(EngineError::RunFailed {
                what: "exited without writing any file to /app/output".into(),
                logs: outcome.logs,
            }));
        }
        Ok(tree)
    }

    fn run_tasks(
        &self,
        tasks: &[TaskRun],
        tree: &RenderedTree,
        network: bool,
        reporter: &Reporter,
    ) -> nskit_recipe::Result<RenderedTree> {
        let dir = run_dir()?;
        let out = dir.path().join("output");
        std::fs::create_dir(&out).map_err(|e| RecipeError::Run(e.to_string()))?;
        tree.write_into(&out)?;
        let total = u32::try_from(tasks.len()).unwrap_or(u32::MAX);
        for (i, task) in tasks.iter().enumerate() {
            reporter.emit(Event::Task {
                name: task.name.clone(),
                index: u32::try_from(i + 1).unwrap_or(u32::MAX),
                total,
            });
            let mut spec = self.spec(task.argv[1..].to_vec(), network || self.network);
            spec.entrypoint = Some(vec![task.argv[0].clone()]);
            spec.workdir = Some("/app/output".into());
            spec.mounts = vec![output_mount(&out)];
            self.engine()?.run(&spec, reporter).map_err(|e| match e {
                EngineError::Cancelled => RecipeError::Cancelled,
                e => RecipeError::Run(format!(
                    "the task `{}` of {} failed: {e}",
                    task.name, self.recipe
                )),
            })?;
        }
        RenderedTree::read_dir(&out, &[".git"])
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> nskit_recipe::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| RecipeError::Run(format!("cannot write {}: {e}", path.display())))
}

/// The recipe name of an image: its `nskit.recipe.name` label, else the repository's last
/// path segment.
pub fn recipe_name(repository: &str, labels: &HashMap<String, String>) -> String {
    labels.get(NAME_LABEL).cloned().unwrap_or_else(|| {
        let repo = crate::split_reference(repository).0;
        repo.rsplit('/').next().unwrap_or(repo).to_string()
    })
}

/// The tags of a catalogue entry, from the `nskit.recipe.tags` label.
pub fn label_tags(labels: &HashMap<String, String>) -> Vec<String> {
    labels
        .get(TAGS_LABEL)
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Why a recipe could not be loaded from an image.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The engine failed, or the load was cancelled.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The recipe in the image is broken.
    #[error(transparent)]
    Recipe(#[from] RecipeError),
}

/// Loads the recipe in `image` (which must be on the engine): a template image is copied
/// out and gets a runner for its tasks; a program image gets its fields from the image and
/// a runner for the whole project.
pub fn load_from_image(
    shared: &Arc<SharedEngine>,
    image: &str,
    name: &str,
    labels: &HashMap<String, String>,
    limits: &Limits,
    reporter: &Reporter,
) -> Result<Recipe, LoadError> {
    let engine = shared.get()?;
    if labels.get(FORMAT_LABEL).map(String::as_str) == Some("template") {
        let dir = tempfile::tempdir().map_err(|e| {
            LoadError::Engine(EngineError::Api(format!(
                "cannot create a temporary folder in {}: {e}",
                std::env::temp_dir().display()
            )))
        })?;
        reporter.check().map_err(|_| EngineError::Cancelled)?;
        engine.copy_out(image, "/recipe", dir.path())?;
        // Large files stay in the folder, which lives as long as the recipe.
        let recipe = Recipe::from_temp_dir(dir, std::path::Path::new("recipe"))?;
        let runner = ImageRunner::new(
            shared.clone(),
            image,
            name,
            recipe.manifest.network,
            limits.clone(),
        );
        return Ok(recipe.with_runner(Arc::new(runner)));
    }
    let network = labels.get(NETWORK_LABEL).is_some_and(|v| v == "true");
    let runner = ImageRunner::new(shared.clone(), image, name, network, limits.clone());
    let mut spec = runner.spec(
        vec!["get-required-fields".into(), "--recipe".into(), name.into()],
        network,
    );
    spec.timeout = spec.timeout.min(Duration::from_secs(120));
    let out = engine.run(&spec, reporter).map_err(|e| match e {
        EngineError::Cancelled => LoadError::Engine(EngineError::Cancelled),
        e => LoadError::Engine(EngineError::Api(format!(
            "cannot read the fields of the program image {image} (`get-required-fields --recipe {name}`): {e}"
        ))),
    })?;
    let manifest = program_manifest(name, image, labels, &out.logs)?;
    Ok(Recipe::program(manifest, Arc::new(runner)))
}

/// A manifest for a program image, from its labels and the JSON `{"field": "type"}` its
/// `get-required-fields` prints (the original's pydantic type names).
pub fn program_manifest(
    name: &str,
    image: &str,
    labels: &HashMap<String, String>,
    fields_output: &str,
) -> Result<Manifest, LoadError> {
    // The JSON is the last `{...}` the program printed (logs may come before it).
    let start = fields_output.find('{');
    let end = fields_output.rfind('}');
    let parsed: serde_json::Map<String, Value> = match (start, end) {
        (Some(s), Some(e)) if s < e => serde_json::from_str(&fields_output[s..=e]).map_err(|err| {
            LoadError::Engine(EngineError::Api(format!(
                "the program image {image} printed fields that are not a JSON object ({err}): {}",
                fields_output.trim()
            )))
        })?,
        _ => {
            return Err(LoadError::Engine(EngineError::Api(format!(
                "the program image {image} printed no fields (expected a JSON object from `get-required-fields`): {}",
                fields_output.trim()
            ))));
        }
    };
    let fields: Vec<Value> = parsed
        .iter()
        .map(|(field, ty)| {
            let ty = ty.as_str().unwrap_or("str");
            let mut f = json!({ "name": field, "required": true });
            match ty {
                "int" => f["type"] = json!("integer"),
                "float" => f["type"] = json!("number"),
                "bool" => f["type"] = json!("boolean"),
                "SecretStr" => f["type"] = json!("secret"),
                "Path" => f["type"] = json!("path"),
                "EmailStr" => {
                    f["validation"] = json!({
                        "pattern": r"[^@\s]+@[^@\s]+\.[^@\s]+",
                        "message": "an e-mail address, like dev@example.com"
                    })
                }
                "HttpUrl" | "AnyUrl" | "AnyHttpUrl" => {
                    f["validation"] = json!({
                        "pattern": r"https?://\S+",
                        "message": "a URL starting with http:// or https://"
                    })
                }
                _ => {}
            }
            f
        })
        .collect();
    let doc = json!({
        "name": name,
        "description": labels.get(DESCRIPTION_LABEL).cloned().unwrap_or_default(),
        "tags": label_tags(labels),
        "fields": fields,
    });
    let text = nskit_recipe::yaml::to_string(&doc).map_err(RecipeError::Run)?;
    Ok(Manifest::parse(
        &text,
        &PathBuf::from(format!("{image} (program image)")),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_fields_follow_the_original_type_names() {
        let out = "INFO starting\n{\"name\": \"str\", \"repo.owner\": \"str\", \"repo.email\": \"EmailStr\", \"repo.url\": \"HttpUrl\", \"workers\": \"int\"}\n";
        let mut labels = HashMap::new();
        labels.insert(DESCRIPTION_LABEL.to_string(), "A package".to_string());
        let m = program_manifest("python_package", "img:1", &labels, out).expect("manifest");
        let names: Vec<_> = m.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["name", "repo.owner", "repo.email", "repo.url", "workers"]
        );
        assert!(m.fields.iter().all(|f| f.required));
        assert_eq!(m.fields[4].kind, nskit_recipe::FieldType::Integer);
        assert!(m.fields[2].check(&json!("not-an-email")).is_err());
        assert!(m.fields[2].check(&json!("a@b.io")).is_ok());
        assert_eq!(m.description, "A package");
    }

    #[test]
    fn a_program_that_prints_no_json_is_a_clear_error() {
        let err =
            program_manifest("x", "img:1", &HashMap::new(), "Usage: nskit [OPTIONS]").unwrap_err();
        assert!(err.to_string().contains("printed no fields"), "{err}");
    }

    #[test]
    fn names_come_from_the_label_else_the_repository() {
        let mut labels = HashMap::new();
        assert_eq!(recipe_name("reg:5000/acme/py-pkg:1.0", &labels), "py-pkg");
        labels.insert(NAME_LABEL.to_string(), "python_package".to_string());
        assert_eq!(
            recipe_name("reg:5000/acme/py-pkg:1.0", &labels),
            "python_package"
        );
    }
}
