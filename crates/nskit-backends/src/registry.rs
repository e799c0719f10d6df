//! The `docker` backend: recipes in a container registry, over the Registry HTTP API v2
//! (Distribution, GHCR, Docker Hub, Harbor...). Repositories come from the catalogue (or a
//! configured list) under an image prefix; versions are the tags; names, descriptions and
//! tags come from the labels in the image config blob, read without pulling (Docker v2 and
//! OCI manifests and multi-arch indexes, through [`crate::registry_http`], which also does
//! the token exchange, bounds every reply and gives every request a deadline). Listing runs
//! concurrently and is cached on disk, so a large catalogue
//! opens fast, and works offline from the cache with a notice. Loading a version pulls the
//! image into the engine (with progress) and reads the recipe from it.
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use nskit_engine::RegistryCredentials;
use nskit_recipe::{Recipe, RecipeVersion};
use serde::{Deserialize, Serialize};

use crate::registry_http::{HttpError, RegistryHttp};
use crate::{BackendError, RECIPE_LABEL, RecipeBackend, RecipeInfo, RecipeSource, Result};
use nskit_engine::recipe::{DESCRIPTION_LABEL, label_tags, load_from_image, recipe_name};
use nskit_engine::{Limits, SharedEngine};
use nskit_progress::Reporter;

/// How many repositories are read at once.
const CONCURRENCY: usize = 32;

/// Where and how to reach a registry.
#[derive(Debug, Clone)]
pub struct RegistrySettings {
    /// `ghcr.io`, `registry.example.com:5000`, or with a scheme (`http://127.0.0.1:5000`).
    /// Without a scheme, HTTPS is used, except for `localhost` and `127.0.0.1`, which Docker
    /// also treats as plain-HTTP registries.
    pub registry_url: String,
    /// Only repositories under this prefix (`acme/recipes`) are recipes.
    pub image_prefix: String,
    /// The repositories to read, relative to the prefix; when empty, the registry's
    /// catalogue is read (GHCR and Docker Hub have none: list them here).
    pub repositories: Vec<String>,
    /// The user name and password or token; anonymous when `None`.
    pub credentials: Option<RegistryCredentials>,
    /// Where to look for credentials when none are given (the OS keychain), asked once,
    /// and only when the registry is contacted.
    pub fallback_credentials: Option<CredentialSource>,
    /// The Docker engine that pulls and runs the images.
    pub docker_host: Option<String>,
    /// How long a listing is used before the registry is asked again.
    pub cache_ttl: Duration,
    /// Where listings are cached (default: the user cache folder).
    pub cache_dir: Option<PathBuf>,
    /// How many tags or repositories are asked per page.
    pub page_size: usize,
    /// How long one request may take, start to end.
    pub request_deadline: Duration,
}

impl RegistrySettings {
    /// Settings for `registry_url` with defaults: no prefix, the catalogue, anonymous,
    /// a 10-minute cache.
    pub fn new(registry_url: impl Into<String>) -> RegistrySettings {
        RegistrySettings {
            registry_url: registry_url.into(),
            image_prefix: String::new(),
            repositories: vec![],
            credentials: None,
            fallback_credentials: None,
            docker_host: None,
            cache_ttl: Duration::from_secs(600),
            cache_dir: None,
            page_size: 100,
            request_deadline: crate::registry_http::DEADLINE,
        }
    }

    /// The registry's host (and port), without scheme or path.
    pub fn host(&self) -> String {
        let u = self.registry_url.trim();
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(u);
        u.trim_end_matches('/').to_string()
    }

    fn plain_http(&self) -> bool {
        let u = self.registry_url.trim();
        if u.starts_with("http://") {
            return true;
        }
        if u.starts_with("https://") {
            return false;
        }
        let host = self.host();
        let name = host.split(':').next().unwrap_or("");
        name == "localhost" || name == "127.0.0.1" || name == "::1"
    }

    fn prefix(&self) -> String {
        self.image_prefix.trim_matches('/').to_string()
    }

    fn full_repository(&self, repo: &str) -> String {
        let p = self.prefix();
        if p.is_empty() || repo.starts_with(&format!("{p}/")) {
            repo.to_string()
        } else {
            format!("{p}/{repo}")
        }
    }

    fn cache_file(&self) -> Option<PathBuf> {
        let dir = self
            .cache_dir
            .clone()
            .or_else(|| dirs::cache_dir().map(|d| d.join("nskit").join("registry")))?;
        let key: String = format!("{}_{}", self.host(), self.prefix())
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Some(dir.join(format!("{key}.json")))
    }
}

/// A lazy source of credentials (the OS keychain).
#[derive(Clone)]
pub struct CredentialSource(Arc<dyn Fn() -> Option<RegistryCredentials> + Send + Sync>);

impl CredentialSource {
    /// A source that calls `f` when credentials are first needed.
    pub fn new(f: impl Fn() -> Option<RegistryCredentials> + Send + Sync + 'static) -> Self {
        CredentialSource(Arc::new(f))
    }
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialSource")
    }
}

/// One repository as listed: its tags, and the labels of its newest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RepoEntry {
    repository: String,
    name: String,
    tags: Vec<String>,
    labels: HashMap<String, String>,
}

/// Recipe names claimed by several repositories, with their repository paths.
type SharedNames = BTreeMap<String, Vec<String>>;

/// A listing as cached on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Listing {
    fetched_at: u64,
    repositories: Vec<RepoEntry>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Recipes in a container registry.
pub struct RegistryBackend {
    settings: RegistrySettings,
    http: std::sync::OnceLock<std::result::Result<RegistryHttp, String>>,
    rt: std::sync::OnceLock<std::result::Result<tokio::runtime::Runtime, String>>,
    engine: Arc<SharedEngine>,
    listing: Mutex<Option<Listing>>,
    notices: Mutex<Vec<String>>,
    limits: Limits,
    credentials: std::sync::OnceLock<Option<RegistryCredentials>>,
}

impl std::fmt::Debug for RegistryBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryBackend")
            .field("registry", &self.settings.registry_url)
            .field("prefix", &self.settings.image_prefix)
            .finish()
    }
}

/// What went wrong talking to a registry, said plainly.
fn registry_error(settings: &RegistrySettings, what: &str, e: &HttpError) -> BackendError {
    let message = e.describe(&settings.registry_url, &settings.host(), what);
    if matches!(e, HttpError::Unauthorized) {
        return BackendError::Unauthorized {
            host: settings.host(),
            message,
        };
    }
    BackendError::Registry(message)
}

impl RegistryBackend {
    /// A backend over the registry described by `settings`.
    pub fn new(settings: RegistrySettings) -> RegistryBackend {
        RegistryBackend {
            engine: SharedEngine::new(settings.docker_host.clone()),
            settings,
            http: std::sync::OnceLock::new(),
            rt: std::sync::OnceLock::new(),
            listing: Mutex::new(None),
            notices: Mutex::new(vec![]),
            limits: Limits::default(),
            credentials: std::sync::OnceLock::new(),
        }
    }

    /// The credentials: the given ones, else the fallback's (asked once).
    fn credentials(&self) -> Option<&RegistryCredentials> {
        self.credentials
            .get_or_init(|| {
                self.settings.credentials.clone().or_else(|| {
                    self.settings
                        .fallback_credentials
                        .as_ref()
                        .and_then(|f| (f.0)())
                })
            })
            .as_ref()
    }

    /// The same backend with other limits for the recipes' containers.
    pub fn with_limits(mut self, limits: Limits) -> RegistryBackend {
        self.limits = limits;
        self
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        self.rt
            .get_or_init(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start the network runtime: {e}"))
            })
            .as_ref()
            .map_err(|e| BackendError::Registry(e.clone()))
    }

    /// The Registry API reader, made when first needed (with the credentials).
    fn http(&self) -> Result<&RegistryHttp> {
        self.http
            .get_or_init(|| {
                let scheme = if self.settings.plain_http() {
                    "http"
                } else {
                    "https"
                };
                RegistryHttp::new(
                    format!("{scheme}://{}", self.settings.host()),
                    self.credentials().cloned(),
                    self.settings.request_deadline,
                )
            })
            .as_ref()
            .map_err(|e| BackendError::Registry(e.clone()))
    }

    /// The image reference of a repository's tag (`host:port/repo:tag`).
    pub fn image_reference(&self, repository: &str, tag: &str) -> String {
        format!("{}/{repository}:{tag}", self.settings.host())
    }

    /// Every repository under the prefix: the configured list, else the catalogue.
    async fn repositories(&self) -> std::result::Result<Vec<String>, BackendError> {
        if !self.settings.repositories.is_empty() {
            return Ok(self
                .settings
                .repositories
                .iter()
                .map(|r| self.settings.full_repository(r))
                .collect());
        }
        let prefix = self.settings.prefix();
        let http = self.http()?;
        let mut out = vec![];
        let mut last: Option<String> = None;
        let n = self.settings.page_size;
        for _ in 0..10_000 {
            let page = http
                .catalog(n, last.as_deref())
                .await
                .map_err(|e| registry_error(&self.settings, "the catalogue", &e))?;
            let len = page.len();
            let new_last = page.last().cloned();
            out.extend(
                page.into_iter()
                    .filter(|r| prefix.is_empty() || r.starts_with(&format!("{prefix}/"))),
            );
            if len < n || new_last.is_none() || new_last == last {
                break;
            }
            last = new_last;
        }
        Ok(out)
    }

    /// Every tag of a repository, page by page.
    async fn tags(&self, repository: &str) -> std::result::Result<Vec<String>, HttpError> {
        let http = self
            .http()
            .map_err(|e| HttpError::Unreachable(e.to_string()))?;
        let n = self.settings.page_size;
        let mut out: Vec<String> = vec![];
        let mut last: Option<String> = None;
        for _ in 0..10_000 {
            let page = http.tags(repository, n, last.as_deref()).await?;
            let len = page.len();
            let new_last = page.last().cloned();
            out.extend(page);
            if len < n || new_last.is_none() || new_last == last {
                break;
            }
            last = new_last;
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// A repository's tags and the labels of its newest version, read from the config blob.
    async fn read_repository(
        &self,
        repository: String,
    ) -> std::result::Result<Option<RepoEntry>, (String, HttpError)> {
        let tags = self
            .tags(&repository)
            .await
            .map_err(|e| (format!("the tags of {repository}"), e))?;
        let versions: Vec<RecipeVersion> = tags.iter().map(RecipeVersion::new).collect();
        let Some(latest) = RecipeVersion::latest(&versions).or(versions.first()) else {
            return Ok(None);
        };
        let http = self
            .http()
            .map_err(|e| (repository.clone(), HttpError::Unreachable(e.to_string())))?;
        let config = http
            .config(&repository, latest.as_str())
            .await
            .map_err(|e| (format!("{repository}:{latest}"), e))?;
        let labels = config_labels(&config);
        Ok(Some(RepoEntry {
            name: recipe_name(&repository, &labels),
            repository,
            tags,
            labels,
        }))
    }

    /// Reads the whole listing from the registry, concurrently.
    fn fetch(&self) -> std::result::Result<Listing, (bool, BackendError)> {
        let rt = self.runtime().map_err(|e| (false, e))?;
        // Resolved before the runtime runs: a keychain may block on its own runtime.
        let _ = self.credentials();
        rt.block_on(async {
            let repos = self.repositories().await.map_err(|e| {
                let offline =
                    matches!(&e, BackendError::Registry(m) if m.starts_with("cannot reach"));
                (offline, e)
            })?;
            let explicit = !self.settings.repositories.is_empty();
            let mut results: Vec<_> = futures_util::stream::iter(repos)
                .map(|r| self.read_repository(r))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            let mut entries = vec![];
            for r in results.drain(..) {
                match r {
                    Ok(Some(e)) => {
                        // In a catalogue, only images labelled as recipes count; a listed
                        // repository is taken as one.
                        if explicit || e.labels.get(RECIPE_LABEL).is_some_and(|v| v == "true") {
                            entries.push(e);
                        }
                    }
                    Ok(None) => {}
                    Err((what, e)) => {
                        let offline = e.is_transport();
                        return Err((offline, registry_error(&self.settings, &what, &e)));
                    }
                }
            }
            entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.repository.cmp(&b.repository)));
            Ok(Listing {
                fetched_at: now_secs(),
                repositories: entries,
            })
        })
    }

    fn read_cache(&self) -> Option<Listing> {
        let text = std::fs::read_to_string(self.settings.cache_file()?).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn write_cache(&self, listing: &Listing) {
        let Some(file) = self.settings.cache_file() else {
            return;
        };
        if let Some(dir) = file.parent()
            && std::fs::create_dir_all(dir).is_ok()
            && let Ok(text) = serde_json::to_string(listing)
            && let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir)
        {
            use std::io::Write;
            if tmp.write_all(text.as_bytes()).is_ok() {
                let _ = tmp.persist(&file);
            }
        }
    }

    /// The listing: from memory, else from a fresh cache, else from the registry (cached
    /// after); when the registry cannot be reached, from a stale cache with a notice.
    fn listing(&self) -> Result<Listing> {
        if let Some(l) = self.listing.lock().ok().and_then(|l| l.clone()) {
            return Ok(l);
        }
        let cached = self.read_cache();
        let fresh = cached.as_ref().is_some_and(|c| {
            now_secs().saturating_sub(c.fetched_at) < self.settings.cache_ttl.as_secs()
        });
        let listing = match cached {
            Some(c) if fresh => c,
            cached => match self.fetch() {
                Ok(l) => {
                    self.write_cache(&l);
                    l
                }
                Err((true, e)) => match cached {
                    Some(c) => {
                        let age = now_secs().saturating_sub(c.fetched_at);
                        if let Ok(mut n) = self.notices.lock() {
                            n.push(format!(
                                "offline: {e}; showing the catalogue cached {} ago",
                                human_age(age)
                            ));
                        }
                        c
                    }
                    None => return Err(e),
                },
                Err((false, e)) => return Err(e),
            },
        };
        if let Ok(mut l) = self.listing.lock() {
            *l = Some(listing.clone());
        }
        Ok(listing)
    }

    /// The labels of `repository:tag`, read from its config blob without pulling; `None`
    /// when the registry has no such image or will not show it.
    pub fn labels_of(
        &self,
        repository: &str,
        tag: &str,
    ) -> Result<Option<HashMap<String, String>>> {
        let rt = self.runtime()?;
        let http = self.http()?;
        match rt.block_on(http.config(repository, tag)) {
            Ok(config) => Ok(Some(config_labels(&config))),
            Err(e) if e.is_transport() => Err(registry_error(
                &self.settings,
                &format!("{repository}:{tag}"),
                &e,
            )),
            Err(_) => Ok(None),
        }
    }

    /// Forgets the cached listing, so the next call asks the registry.
    pub fn refresh(&self) {
        if let Ok(mut l) = self.listing.lock() {
            *l = None;
        }
        if let Some(f) = self.settings.cache_file() {
            let _ = std::fs::remove_file(f);
        }
    }

    /// The recipes by name. When several repositories claim one name, none hides the
    /// others: each is listed under its repository path (below the prefix), and a notice
    /// says so. Returns the names claimed more than once, with their repository paths.
    fn by_name(&self) -> Result<(BTreeMap<String, RepoEntry>, SharedNames)> {
        let mut groups: BTreeMap<String, Vec<RepoEntry>> = BTreeMap::new();
        for e in self.listing()?.repositories {
            groups.entry(e.name.clone()).or_default().push(e);
        }
        let prefix = self.settings.prefix();
        let mut m = BTreeMap::new();
        let mut shared = BTreeMap::new();
        for (name, entries) in groups {
            if entries.len() == 1 {
                m.extend(entries.into_iter().map(|e| (name.clone(), e)));
                continue;
            }
            let mut paths = vec![];
            for mut e in entries {
                let path = e
                    .repository
                    .strip_prefix(&format!("{prefix}/"))
                    .unwrap_or(&e.repository)
                    .to_string();
                e.name = path.clone();
                paths.push(path.clone());
                m.insert(path, e);
            }
            shared.insert(name, paths);
        }
        if let Ok(mut n) = self.notices.lock() {
            for (name, paths) in &shared {
                let notice = format!(
                    "{} repositories claim the recipe name `{name}` ({}): each is listed under its repository path; give a different `nskit.recipe.name` label to all but one",
                    paths.len(),
                    paths.join(", ")
                );
                if !n.contains(&notice) {
                    n.push(notice);
                }
            }
        }
        Ok((m, shared))
    }

    fn entry(&self, name: &str) -> Result<RepoEntry> {
        let (all, shared) = self.by_name()?;
        if let Some(paths) = shared.get(name) {
            return Err(BackendError::Registry(format!(
                "{} repositories of {} claim the recipe name `{name}`: {}; name the one you mean by its repository path (for example `--recipe {}`)",
                paths.len(),
                self.describe(),
                paths.join(", "),
                paths[0]
            )));
        }
        all.get(name)
            .cloned()
            .ok_or_else(|| BackendError::RecipeNotFound {
                name: name.into(),
                backend: self.describe(),
                available: all.keys().cloned().collect(),
            })
    }

    fn tag_of(&self, name: &str, version: &RecipeVersion) -> Result<(RepoEntry, String)> {
        let e = self.entry(name)?;
        let tag = e
            .tags
            .iter()
            .find(|t| RecipeVersion::new(t.as_str()).matches(version.as_str()))
            .cloned()
            .ok_or_else(|| BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: e.tags.clone(),
            })?;
        Ok((e, tag))
    }

    /// Pulls a recipe version's image into the engine (unless it is there) and returns
    /// its reference.
    fn pull(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<String> {
        let (e, tag) = self.tag_of(name, version)?;
        let reference = self.image_reference(&e.repository, &tag);
        self.engine
            .get()?
            .pull(&reference, self.credentials(), reporter)?;
        Ok(reference)
    }
}

/// The labels of an image config blob (`config.Labels`; absent means none).
pub(crate) fn config_labels(config: &serde_json::Value) -> HashMap<String, String> {
    config
        .get("config")
        .and_then(|c| c.get("Labels"))
        .and_then(|l| l.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn human_age(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

impl RecipeBackend for RegistryBackend {
    fn kind(&self) -> &'static str {
        "docker"
    }

    fn describe(&self) -> String {
        let p = self.settings.prefix();
        if p.is_empty() {
            format!("the registry {}", self.settings.registry_url)
        } else {
            format!("the registry {} under {p}/", self.settings.registry_url)
        }
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        Ok(self
            .by_name()?
            .0
            .into_values()
            .map(|e| {
                let mut versions: Vec<RecipeVersion> =
                    e.tags.iter().map(RecipeVersion::new).collect();
                RecipeVersion::sort_newest_first(&mut versions);
                RecipeInfo {
                    name: e.name.clone(),
                    description: e.labels.get(DESCRIPTION_LABEL).cloned().unwrap_or_default(),
                    tags: label_tags(&e.labels),
                    latest: RecipeVersion::latest(&versions).map(|v| v.to_string()),
                    versions: versions.iter().map(|v| v.to_string()).collect(),
                }
            })
            .collect())
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        let e = self.entry(name)?;
        let mut versions: Vec<RecipeVersion> = e.tags.iter().map(RecipeVersion::new).collect();
        RecipeVersion::sort_newest_first(&mut versions);
        Ok(versions)
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        let reference = self.pull(name, version, reporter)?;
        let details =
            self.engine.get()?.inspect(&reference)?.ok_or_else(|| {
                BackendError::Engine(format!("{reference} vanished after the pull"))
            })?;
        Ok(load_from_image(
            &self.engine,
            &reference,
            name,
            &details.labels,
            &self.limits,
            reporter,
        )?)
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "docker".into(),
            location: Some(
                format!("{}/{}", self.settings.host(), self.settings.prefix())
                    .trim_end_matches('/')
                    .to_string(),
            ),
            image: None,
            digest: None,
        }
    }

    fn source_of(&self, name: &str, version: &RecipeVersion) -> Result<RecipeSource> {
        // Loaded already, so the image is on the engine: nothing to pull or report.
        let reference = self.pull(name, version, &Reporter::silent())?;
        let details = self
            .engine
            .get()?
            .inspect(&reference)
            .map_err(|e| BackendError::Engine(e.to_string()))?;
        let repo = nskit_engine::split_reference(&reference).0.to_string();
        let digest = details.map(|d| {
            d.digests
                .iter()
                .find(|x| x.starts_with(&format!("{repo}@")))
                .or(d.digests.first())
                .cloned()
                .unwrap_or(d.id)
        });
        Ok(RecipeSource {
            image: Some(reference),
            digest,
            ..self.source()
        })
    }

    fn load_recorded(
        &self,
        name: &str,
        version: &RecipeVersion,
        source: Option<&RecipeSource>,
        reporter: &Reporter,
    ) -> Result<(Recipe, Option<String>)> {
        let Some(digest) = source
            .and_then(|s| s.digest.as_deref())
            .filter(|d| d.contains("@sha256:"))
        else {
            return Ok((self.load(name, version, reporter)?, None));
        };
        let engine = self.engine.get()?;
        let exact = engine
            .pull(digest, self.credentials(), reporter)
            .and_then(|_| engine.inspect(digest));
        match exact {
            Ok(Some(details)) => Ok((
                load_from_image(
                    &self.engine,
                    digest,
                    name,
                    &details.labels,
                    &self.limits,
                    reporter,
                )?,
                None,
            )),
            Err(nskit_engine::EngineError::Cancelled) => Err(BackendError::Cancelled),
            Ok(None) | Err(_) => {
                let recipe = self.load(name, version, reporter)?;
                Ok((
                    recipe,
                    Some(format!(
                        "the image this project was made from ({digest}) is no longer in the registry; the base was rendered from {name} {version} as it is now, which may differ"
                    )),
                ))
            }
        }
    }

    fn notices(&self) -> Vec<String> {
        self.notices.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_config_blob() {
        let l = config_labels(
            &serde_json::json!({"architecture": "amd64", "config": {"Labels": {"nskit.recipe": "true"}}}),
        );
        assert_eq!(l.get("nskit.recipe").map(String::as_str), Some("true"));
        assert!(config_labels(&serde_json::json!({"config": {}})).is_empty());
    }

    #[test]
    fn hosts_and_schemes_follow_docker() {
        let s = RegistrySettings::new("http://127.0.0.1:5000/");
        assert_eq!(s.host(), "127.0.0.1:5000");
        assert!(s.plain_http());
        assert!(RegistrySettings::new("localhost:5000").plain_http());
        assert!(!RegistrySettings::new("ghcr.io").plain_http());
        let mut s = RegistrySettings::new("ghcr.io");
        s.image_prefix = "/acme/recipes/".into();
        assert_eq!(s.full_repository("python"), "acme/recipes/python");
        assert_eq!(
            s.full_repository("acme/recipes/python"),
            "acme/recipes/python"
        );
    }
}
