//! The `github` backend: recipes are an organisation's repositories whose names match
//! `repo_pattern` (every page of the list, not every public repository), optionally only
//! those with a topic; versions are their releases' tags (drafts never, prereleases on
//! request), semver-ordered. A recipe's name is the `nskit.recipe.name` label of its
//! `ghcr.io/<org>/<repo>:<tag>` image where one exists (read from the registry without
//! pulling), else the repository's name. A version is fetched without Docker: the
//! release's source archive is downloaded and unpacked, refusing any entry that would land
//! outside the target (`..`, absolute paths, links).
use nskit_progress::Reporter;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path};
use std::sync::Mutex;

use nskit_recipe::{Recipe, RecipeVersion};
use nskit_vcs::{GitHub, ProviderError, Token};
use serde_json::Value;

use crate::{
    BackendError, RecipeBackend, RecipeInfo, RecipeSource, RegistryBackend, RegistrySettings,
    Result,
};

/// Where and how to look.
#[derive(Debug, Clone)]
pub struct GitHubSettings {
    /// The API (`https://api.github.com`, or `https://HOST/api/v3`).
    pub api_url: String,
    /// The organisation (or user) whose repositories are recipes.
    pub org: String,
    /// Which repositories are recipes: `{recipe_name}` stands for the name (`recipe-{recipe_name}`).
    pub repo_pattern: String,
    /// Only repositories with this topic.
    pub topic: Option<String>,
    /// List prereleases as versions too.
    pub prereleases: bool,
    /// The token (private repositories, higher rate limits).
    pub token: Option<Token>,
    /// The registry of the recipes' images, for their names (`ghcr.io`); none when `None`.
    pub image_registry: Option<String>,
}

impl GitHubSettings {
    /// Settings for `org` on github.com, every repository a recipe, images on ghcr.io.
    pub fn new(org: impl Into<String>) -> GitHubSettings {
        GitHubSettings {
            api_url: nskit_vcs::GITHUB_API.into(),
            org: org.into(),
            repo_pattern: "{recipe_name}".into(),
            topic: None,
            prereleases: false,
            token: None,
            image_registry: Some("ghcr.io".into()),
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    repo: String,
    description: String,
    topics: Vec<String>,
    versions: Vec<RecipeVersion>,
}

/// Recipes in an organisation's GitHub repositories.
pub struct GitHubBackend {
    settings: GitHubSettings,
    api: std::result::Result<GitHub, String>,
    listing: Mutex<Option<BTreeMap<String, Entry>>>,
}

impl std::fmt::Debug for GitHubBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubBackend")
            .field("api_url", &self.settings.api_url)
            .field("org", &self.settings.org)
            .finish()
    }
}

fn provider(e: ProviderError) -> BackendError {
    BackendError::Registry(e.to_string())
}

/// The pattern as a regular expression capturing the recipe name.
fn pattern_regex(pattern: &str) -> std::result::Result<regex::Regex, BackendError> {
    let mut re = String::from("^");
    let mut rest = pattern;
    let mut named = false;
    while let Some(i) = rest.find("{recipe_name}") {
        re.push_str(&regex::escape(&rest[..i]));
        re.push_str(if named {
            "[A-Za-z0-9._-]+"
        } else {
            "(?P<name>[A-Za-z0-9._-]+)"
        });
        named = true;
        rest = &rest[i + "{recipe_name}".len()..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    regex::Regex::new(&re)
        .map_err(|e| BackendError::Registry(format!("repo_pattern `{pattern}` is not usable: {e}")))
}

impl GitHubBackend {
    /// A backend over `settings`; nothing is asked until the first listing.
    pub fn new(settings: GitHubSettings) -> GitHubBackend {
        let api = GitHub::new(&settings.api_url, settings.token.clone()).map_err(|e| e.to_string());
        GitHubBackend {
            settings,
            api,
            listing: Mutex::new(None),
        }
    }

    fn api(&self) -> Result<&GitHub> {
        self.api
            .as_ref()
            .map_err(|e| BackendError::Registry(e.clone()))
    }

    fn repos(&self) -> Result<Vec<Value>> {
        let api = self.api()?;
        let org = &self.settings.org;
        match api.paginate(
            &format!("/orgs/{org}/repos?type=all"),
            &format!("the repositories of {org}"),
        ) {
            Ok(v) => Ok(v),
            // A user rather than an organisation.
            Err(ProviderError::NotFound { .. }) => api
                .paginate(
                    &format!("/users/{org}/repos"),
                    &format!("the repositories of {org}"),
                )
                .map_err(provider),
            Err(e) => Err(provider(e)),
        }
    }

    fn versions_of(&self, repo: &str) -> Result<Vec<RecipeVersion>> {
        let org = &self.settings.org;
        let releases = self
            .api()?
            .paginate(
                &format!("/repos/{org}/{repo}/releases"),
                &format!("the releases of {org}/{repo}"),
            )
            .map_err(provider)?;
        let mut versions: Vec<RecipeVersion> = releases
            .iter()
            .filter(|r| !r["draft"].as_bool().unwrap_or(false))
            .filter(|r| self.settings.prereleases || !r["prerelease"].as_bool().unwrap_or(false))
            .filter_map(|r| r["tag_name"].as_str().map(RecipeVersion::new))
            .collect();
        RecipeVersion::sort_newest_first(&mut versions);
        versions.dedup();
        Ok(versions)
    }

    fn listing(&self) -> Result<BTreeMap<String, Entry>> {
        if let Some(l) = self.listing.lock().ok().and_then(|l| l.clone()) {
            return Ok(l);
        }
        let re = pattern_regex(&self.settings.repo_pattern)?;
        let registry = self.settings.image_registry.as_ref().map(|r| {
            let mut s = RegistrySettings::new(r.clone());
            if let Some(t) = &self.settings.token {
                s.credentials = Some(nskit_engine::RegistryCredentials::new("token", t.expose()));
            }
            RegistryBackend::new(s)
        });
        let mut out = BTreeMap::new();
        for r in self.repos()? {
            let Some(repo) = r["name"].as_str() else {
                continue;
            };
            let Some(caps) = re.captures(repo) else {
                continue;
            };
            if r["archived"].as_bool().unwrap_or(false) {
                continue;
            }
            let topics: Vec<String> = r["topics"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(t) = &self.settings.topic
                && !topics.contains(t)
            {
                continue;
            }
            let versions = self.versions_of(repo)?;
            let Some(latest) = RecipeVersion::latest(&versions).or(versions.first()) else {
                continue; // no release, no recipe
            };
            let from_pattern = caps.name("name").map(|m| m.as_str()).unwrap_or(repo);
            let label = match &registry {
                Some(reg) => reg
                    .labels_of(
                        &format!("{}/{repo}", self.settings.org.to_lowercase()),
                        latest.as_str(),
                    )
                    .ok()
                    .flatten()
                    .and_then(|l| l.get(crate::NAME_LABEL).cloned()),
                None => None,
            };
            let name = label.unwrap_or_else(|| from_pattern.to_string());
            out.entry(name.clone()).or_insert(Entry {
                name,
                repo: repo.to_string(),
                description: r["description"].as_str().unwrap_or_default().to_string(),
                topics,
                versions,
            });
        }
        if let Ok(mut l) = self.listing.lock() {
            *l = Some(out.clone());
        }
        Ok(out)
    }

    fn entry(&self, name: &str) -> Result<Entry> {
        let all = self.listing()?;
        all.get(name)
            .cloned()
            .ok_or_else(|| BackendError::RecipeNotFound {
                name: name.into(),
                backend: self.describe(),
                available: all.keys().cloned().collect(),
            })
    }
}

/// Unpacks a GitHub source archive (`.tar.gz` with one top folder) into `dest`, refusing
/// links and any path that would leave `dest`.
pub fn unpack_source_archive(bytes: &[u8], dest: &Path) -> Result<()> {
    unpack_archive(bytes, dest, 1)
}

/// Unpacks a `.tar.gz` into `dest`, its paths' first `strip` folders left out (as `tar
/// --strip-components`), refusing links and any path that would leave `dest`.
pub fn unpack_archive(bytes: &[u8], dest: &Path, strip: usize) -> Result<()> {
    let bad = |m: String| BackendError::Install(format!("the archive is unsafe: {m}"));
    let io = |e: std::io::Error| BackendError::Io {
        action: "cannot unpack the source archive into",
        path: dest.to_path_buf(),
        source: e,
    };
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        let kind = entry.header().entry_type();
        let path = entry.path().map_err(io)?.into_owned();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(bad(format!("{} is a link", path.display())));
        }
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
        {
            continue;
        }
        let mut parts = vec![];
        for c in path.components() {
            match c {
                Component::Normal(p) => parts.push(p.to_owned()),
                Component::CurDir => {}
                _ => return Err(bad(format!("{} leaves the folder", path.display()))),
            }
        }
        // GitHub puts everything in `<owner>-<repo>-<sha>/`.
        if parts.len() <= strip {
            continue;
        }
        let target = parts[strip..]
            .iter()
            .fold(dest.to_path_buf(), |p, c| p.join(c));
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(io)?;
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(io)?;
            std::fs::write(&target, &data).map_err(io)?;
            #[cfg(unix)]
            if entry
                .header()
                .mode()
                .map(|m| m & 0o111 != 0)
                .unwrap_or(false)
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))
                    .map_err(io)?;
            }
        } else {
            return Err(bad(format!("{} is not a file or a folder", path.display())));
        }
    }
    Ok(())
}

impl RecipeBackend for GitHubBackend {
    fn kind(&self) -> &'static str {
        "github"
    }

    fn describe(&self) -> String {
        format!(
            "the GitHub repositories of {} matching `{}`{}",
            self.settings.org,
            self.settings.repo_pattern,
            self.settings
                .topic
                .as_ref()
                .map(|t| format!(" with the topic `{t}`"))
                .unwrap_or_default()
        )
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        Ok(self
            .listing()?
            .into_values()
            .map(|e| RecipeInfo {
                latest: RecipeVersion::latest(&e.versions).map(|v| v.to_string()),
                versions: e.versions.iter().map(|v| v.to_string()).collect(),
                name: e.name,
                description: e.description,
                tags: e.topics,
            })
            .collect())
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        Ok(self.entry(name)?.versions)
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        let e = self.entry(name)?;
        let tag = e
            .versions
            .iter()
            .find(|v| v.matches(version.as_str()))
            .ok_or_else(|| BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: e.versions.iter().map(|v| v.to_string()).collect(),
            })?;
        let org = &self.settings.org;
        let bytes = self
            .api()?
            .download(
                &format!("/repos/{org}/{}/tarball/{}", e.repo, tag.as_str()),
                &format!("the source archive of {org}/{} {tag}", e.repo),
            )
            .map_err(provider)?;
        reporter.check().map_err(|_| BackendError::Cancelled)?;
        let dir = tempfile::tempdir().map_err(|source| BackendError::Io {
            action: "cannot create a temporary folder",
            path: std::env::temp_dir(),
            source,
        })?;
        unpack_source_archive(&bytes, dir.path())?;
        // Large files stay in the folder, which lives as long as the recipe.
        Ok(Recipe::from_temp_dir(dir, std::path::Path::new(""))?)
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "github".into(),
            location: Some(format!(
                "{}/{}",
                nskit_vcs::github_host(&self.settings.api_url),
                self.settings.org
            )),
            image: None,
            digest: None,
        }
    }

    fn source_of(&self, name: &str, version: &RecipeVersion) -> Result<RecipeSource> {
        let e = self.entry(name)?;
        Ok(RecipeSource {
            location: Some(format!(
                "{}/{}/{}@{}",
                nskit_vcs::github_host(&self.settings.api_url),
                self.settings.org,
                e.repo,
                version
            )),
            ..self.source()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_capture_the_recipe_name() {
        let re = pattern_regex("recipe-{recipe_name}").expect("re");
        assert_eq!(&re.captures("recipe-python").expect("m")["name"], "python");
        assert!(re.captures("python").is_none());
        assert!(re.captures("recipe-a.b+c").is_none());
        let all = pattern_regex("{recipe_name}").expect("re");
        assert!(all.is_match("anything-goes"));
    }

    fn targz(entries: &[(&str, &[u8], tar::EntryType, Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data, kind, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if let Some(l) = link {
                h.set_link_name(l).expect("link");
            }
            // Write the raw name so that `..` gets through, as a hostile archive would.
            let name = h.as_old_mut().name.as_mut();
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, *data).expect("append");
        }
        b.into_inner().expect("tar").finish().expect("gz")
    }

    #[test]
    fn archives_unpack_without_their_top_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = targz(&[
            ("acme-py-abc123/", b"", tar::EntryType::Directory, None),
            (
                "acme-py-abc123/recipe.yaml",
                b"name: py\n",
                tar::EntryType::Regular,
                None,
            ),
            (
                "acme-py-abc123/template/a.txt",
                b"a\n",
                tar::EntryType::Regular,
                None,
            ),
        ]);
        unpack_source_archive(&a, dir.path()).expect("unpack");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("recipe.yaml")).expect("read"),
            "name: py\n"
        );
        assert!(dir.path().join("template/a.txt").is_file());
    }

    #[test]
    fn zip_slip_and_link_tricks_are_refused() {
        for (name, a) in [
            (
                "dot-dot",
                targz(&[("top/../../evil.txt", b"x", tar::EntryType::Regular, None)]),
            ),
            (
                "absolute",
                targz(&[("/tmp/evil.txt", b"x", tar::EntryType::Regular, None)]),
            ),
            (
                "symlink",
                targz(&[("top/link", b"", tar::EntryType::Symlink, Some("/etc"))]),
            ),
            (
                "hardlink",
                targz(&[("top/hard", b"", tar::EntryType::Link, Some("/etc/passwd"))]),
            ),
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            let inner = dir.path().join("target");
            std::fs::create_dir(&inner).expect("mkdir");
            let err = unpack_source_archive(&a, &inner).unwrap_err().to_string();
            assert!(err.contains("unsafe"), "{name}: {err}");
            assert!(!dir.path().join("evil.txt").exists(), "{name}");
        }
    }
}
