//! Acme's recipes in S3, as a backend type registered in process: `type: s3` in a
//! configuration file builds an [`S3Backend`] from an [`S3Config`]. One archive per
//! version, `PREFIX/RECIPE/VERSION.tar.gz`, holding the recipe folder; the catalogue's
//! description and tags are the latest archive's metadata (`x-amz-meta-description`,
//! `x-amz-meta-tags`). The layout is the one the Python plug-in
//! (`examples/s3-backend-python`) reads and publishes, so either serves the same bucket.
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;

use futures_util::TryStreamExt;
use nskit::backends::{BackendError, RecipeBackend, RecipeInfo, Result};
use nskit::{Recipe, RecipeSource, RecipeVersion, Reporter};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{Attribute, GetOptions, ObjectStore, ObjectStoreExt};
use schemars::JsonSchema;
use serde::Deserialize;

mod folder;
pub use folder::FolderProvider;

/// Acme's CLI, called `name`: the `s3` backend type, Acme's bucket as the default backend,
/// the `acme.recipes` entry-point group, Acme's GitHub organisation, and the `folder` git
/// host provider (bare repositories in a shared folder).
pub fn cli(name: &str) -> nskit_cli::Cli {
    let mut bucket = serde_json::Map::new();
    bucket.insert("bucket".into(), "acme-recipes".into());
    bucket.insert("prefix".into(), "recipes".into());
    let default = nskit::BackendConfig::from_parts("s3", bucket);
    let mut git_host = nskit::VcsConfig::github();
    git_host.organisation = Some("acme".into());
    let mut cli = nskit_cli::Cli::new(name)
        .about("Acme's project recipes")
        .entrypoint_group("acme.recipes")
        .backend_type::<S3Config, S3Backend>("s3")
        .git_host(git_host)
        .git_provider("folder", |vcs, _token| {
            Ok(Box::new(FolderProvider::from_config(vcs)?) as Box<dyn nskit::vcs::VcsProvider>)
        });
    if let Ok(b) = default {
        cli = cli.default_backend(b);
    }
    cli
}

/// Recipes as archives in an S3 bucket: PREFIX/RECIPE/VERSION.tar.gz.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Amazon S3")]
pub struct S3Config {
    /// The bucket holding the recipes.
    #[schemars(title = "Bucket")]
    pub bucket: String,
    /// The folder in the bucket (`recipes`).
    #[serde(default)]
    #[schemars(title = "Prefix")]
    pub prefix: String,
    /// For S3-compatible stores (MinIO, Ceph); AWS when absent.
    #[serde(default)]
    #[schemars(title = "Endpoint", extend("format" = "uri"))]
    pub endpoint_url: Option<String>,
    /// The bucket's region.
    #[serde(default = "default_region")]
    #[schemars(title = "Region")]
    pub region: String,
    /// The access key; else AWS_ACCESS_KEY_ID.
    #[serde(default)]
    #[schemars(title = "Access key ID")]
    pub access_key_id: Option<String>,
    /// Written as `${VARIABLE}`; else AWS_SECRET_ACCESS_KEY.
    #[serde(default)]
    #[schemars(title = "Secret access key", extend("x-secret" = true))]
    pub secret_access_key: Option<String>,
}

fn default_region() -> String {
    "us-east-1".into()
}

/// The S3 backend.
#[derive(Debug)]
pub struct S3Backend {
    config: S3Config,
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
}

impl TryFrom<S3Config> for S3Backend {
    type Error = String;

    fn try_from(config: S3Config) -> std::result::Result<S3Backend, String> {
        if config.bucket.trim().is_empty() {
            return Err("`bucket` is empty: name the bucket holding the recipes".into());
        }
        // AWS_* from the environment, then the configuration's own settings.
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(e) = &config.endpoint_url {
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
        }
        if let Some(k) = &config.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(s) = &config.secret_access_key {
            nskit::secret::register(s);
            b = b.with_secret_access_key(s);
        }
        let store = b.build().map_err(|e| e.to_string())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the S3 client: {e}"))?;
        Ok(S3Backend {
            config,
            store,
            runtime,
        })
    }
}

/// A version's archive name: `1.2.0.tar.gz` or `1.2.0.tgz`.
fn version_of(file: &str) -> Option<&str> {
    file.strip_suffix(".tar.gz")
        .or_else(|| file.strip_suffix(".tgz"))
        .filter(|v| !v.is_empty())
}

impl S3Backend {
    /// Runs a future on this backend's runtime; from inside another runtime (a server's),
    /// on a thread of its own, as blocking there would panic.
    fn block_on<F: Future + Send>(&self, f: F) -> F::Output
    where
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime.block_on(f))
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
        } else {
            self.runtime.block_on(f)
        }
    }

    fn prefix(&self) -> String {
        self.config.prefix.trim_matches('/').to_string()
    }

    fn error(&self, what: &str, e: object_store::Error) -> BackendError {
        match e {
            object_store::Error::Unauthenticated { .. }
            | object_store::Error::PermissionDenied { .. } => BackendError::Unauthorized {
                host: self
                    .config
                    .endpoint_url
                    .clone()
                    .unwrap_or_else(|| "s3.amazonaws.com".into()),
                message: format!(
                    "{what}: access denied; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or access_key_id and secret_access_key (as ${{VARIABLES}})"
                ),
            },
            e => BackendError::Other(format!("{what}: {e}")),
        }
    }

    /// `{recipe: {version: key}}` for every archive under the prefix.
    fn archives(&self) -> Result<BTreeMap<String, BTreeMap<String, Key>>> {
        let prefix = self.prefix();
        let listed = self
            .block_on(async {
                let p = (!prefix.is_empty()).then(|| Key::from(prefix.as_str()));
                self.store.list(p.as_ref()).try_collect::<Vec<_>>().await
            })
            .map_err(|e| self.error(&format!("listing s3://{}/{prefix}", self.config.bucket), e))?;
        let mut out: BTreeMap<String, BTreeMap<String, Key>> = BTreeMap::new();
        for meta in listed {
            let key = meta.location.as_ref();
            let rest = if prefix.is_empty() {
                key
            } else {
                match key.strip_prefix(&format!("{prefix}/")) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let mut parts = rest.split('/');
            if let (Some(recipe), Some(file), None) = (parts.next(), parts.next(), parts.next())
                && !recipe.starts_with('.')
                && let Some(v) = version_of(file)
            {
                out.entry(recipe.to_string())
                    .or_default()
                    .insert(v.to_string(), meta.location.clone());
            }
        }
        Ok(out)
    }

    fn versions_of(
        &self,
        name: &str,
        all: &BTreeMap<String, BTreeMap<String, Key>>,
    ) -> Result<Vec<RecipeVersion>> {
        let found = all.get(name).ok_or_else(|| BackendError::RecipeNotFound {
            name: name.into(),
            backend: self.describe(),
            available: all.keys().cloned().collect(),
        })?;
        let mut v: Vec<RecipeVersion> = found.keys().map(RecipeVersion::new).collect();
        RecipeVersion::sort_newest_first(&mut v);
        Ok(v)
    }
}

impl RecipeBackend for S3Backend {
    fn kind(&self) -> &'static str {
        "s3"
    }

    fn describe(&self) -> String {
        format!("s3://{}/{}", self.config.bucket, self.prefix())
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        let all = self.archives()?;
        let mut out = vec![];
        for name in all.keys() {
            let versions = self.versions_of(name, &all)?;
            let latest = RecipeVersion::latest(&versions).cloned();
            let (mut description, mut tags) = (String::new(), vec![]);
            if let Some(key) = latest.as_ref().and_then(|l| all[name].get(l.as_str())) {
                let head = GetOptions {
                    head: true,
                    ..GetOptions::default()
                };
                let got = self
                    .block_on(self.store.get_opts(key, head))
                    .map_err(|e| self.error(&format!("reading {key}"), e))?;
                let meta = |k: &'static str| {
                    got.attributes
                        .get(&Attribute::Metadata(k.into()))
                        .map(|v| v.as_ref().to_string())
                        .unwrap_or_default()
                };
                description = meta("description");
                tags = meta("tags")
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            out.push(RecipeInfo {
                name: name.clone(),
                description,
                tags,
                versions: versions.iter().map(|v| v.to_string()).collect(),
                latest: latest.map(|v| v.to_string()),
            });
        }
        Ok(out)
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        self.versions_of(name, &self.archives()?)
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        let all = self.archives()?;
        let versions = self.versions_of(name, &all)?;
        let found = versions
            .iter()
            .find(|v| v.matches(version.as_str()))
            .ok_or_else(|| BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: versions.iter().map(|v| v.to_string()).collect(),
            })?;
        let key = &all[name][found.as_str()];
        reporter.check().map_err(|_| BackendError::Cancelled)?;
        let bytes = self
            .block_on(async { self.store.get(key).await?.bytes().await })
            .map_err(|e| self.error(&format!("downloading {key}"), e))?;
        reporter.check().map_err(|_| BackendError::Cancelled)?;
        let dir = tempfile::tempdir().map_err(|source| BackendError::Io {
            action: "cannot create a temporary folder in",
            path: std::env::temp_dir(),
            source,
        })?;
        nskit::backends::unpack_archive(&bytes, dir.path(), 0)?;
        // The recipe is the archive's root, or its one folder.
        let sub = if dir.path().join("recipe.yaml").is_file() {
            Path::new("").to_path_buf()
        } else {
            let entries: Vec<_> = std::fs::read_dir(dir.path())
                .map_err(|source| BackendError::Io {
                    action: "cannot read",
                    path: dir.path().to_path_buf(),
                    source,
                })?
                .flatten()
                .collect();
            match entries.as_slice() {
                [one] if one.path().join("recipe.yaml").is_file() => one.file_name().into(),
                _ => {
                    return Err(BackendError::Other(format!(
                        "{key} holds no recipe.yaml (at its root or in its one folder)"
                    )));
                }
            }
        };
        Ok(Recipe::from_temp_dir(dir, &sub)?)
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "s3".into(),
            location: Some(self.describe()),
            image: None,
            digest: None,
        }
    }
}
