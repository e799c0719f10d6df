use std::collections::BTreeMap;
use std::sync::Arc;

use nskit_engine::recipe::{
    DESCRIPTION_LABEL, RECIPE_LABEL, label_tags, load_from_image, recipe_name,
};
use nskit_engine::{DockerEngine, Limits, LocalImage, SharedEngine};
use nskit_progress::Reporter;
use nskit_recipe::{Recipe, RecipeVersion};

use crate::{BackendError, RecipeBackend, RecipeInfo, RecipeSource, Result};

/// Recipes in the images of the local Docker engine labelled `nskit.recipe=true`: one
/// recipe per name, one version per tag.
pub struct DockerLocalBackend {
    engine: Arc<SharedEngine>,
    limits: Limits,
}

impl std::fmt::Debug for DockerLocalBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerLocalBackend")
            .field("engine", &self.engine.endpoint())
            .finish()
    }
}

/// A recipe image: its name, version and reference.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    version: RecipeVersion,
    reference: String,
    image: LocalImage,
}

fn split_tag(reference: &str) -> Option<(&str, &str)> {
    let (repo, tag) = reference.rsplit_once(':')?;
    (!tag.contains('/')).then_some((repo, tag))
}

impl DockerLocalBackend {
    /// A backend over the engine at `host` (else `DOCKER_HOST`, else the default socket);
    /// it connects on first use.
    pub fn new(host: Option<String>) -> DockerLocalBackend {
        DockerLocalBackend {
            engine: SharedEngine::new(host),
            limits: Limits::default(),
        }
    }

    /// The same backend with other limits for the recipes' containers.
    pub fn with_limits(mut self, limits: Limits) -> DockerLocalBackend {
        self.limits = limits;
        self
    }

    /// The engine, connected on first use.
    pub fn engine(&self) -> Result<&Arc<DockerEngine>> {
        Ok(self.engine.get()?)
    }

    fn entries(&self) -> Result<Vec<Entry>> {
        let images = self
            .engine()?
            .images_with_label(&format!("{RECIPE_LABEL}=true"))
            .map_err(|e| BackendError::Engine(e.to_string()))?;
        let mut out = vec![];
        for image in images {
            for reference in &image.tags {
                let Some((repo, tag)) = split_tag(reference) else {
                    continue;
                };
                let name = recipe_name(repo, &image.labels);
                out.push(Entry {
                    name,
                    version: RecipeVersion::new(tag),
                    reference: reference.clone(),
                    image: image.clone(),
                });
            }
        }
        Ok(out)
    }

    fn by_name(&self) -> Result<BTreeMap<String, Vec<Entry>>> {
        let mut m: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for e in self.entries()? {
            m.entry(e.name.clone()).or_default().push(e);
        }
        // The same recipe version may be in several repositories (pulled from two
        // registries, built twice): the newest image wins.
        for v in m.values_mut() {
            v.sort_by(|a, b| {
                b.version
                    .cmp(&a.version)
                    .then(b.image.created.cmp(&a.image.created))
                    .then(split_tag(&a.reference).cmp(&split_tag(&b.reference)))
            });
            v.dedup_by(|a, b| a.version == b.version);
        }
        Ok(m)
    }

    fn entry(&self, name: &str, version: &RecipeVersion) -> Result<Entry> {
        let all = self.by_name()?;
        let Some(versions) = all.get(name) else {
            return Err(BackendError::RecipeNotFound {
                name: name.into(),
                backend: self.describe(),
                available: all.keys().cloned().collect(),
            });
        };
        versions
            .iter()
            .find(|e| e.version.matches(version.as_str()))
            .cloned()
            .ok_or_else(|| BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: versions.iter().map(|e| e.version.to_string()).collect(),
            })
    }

    /// The image reference of a recipe version (`repository:tag`).
    pub fn image_of(&self, name: &str, version: &RecipeVersion) -> Result<String> {
        Ok(self.entry(name, version)?.reference)
    }
}

impl RecipeBackend for DockerLocalBackend {
    fn source_of(&self, name: &str, version: &RecipeVersion) -> Result<RecipeSource> {
        let e = self.entry(name, version)?;
        let details = self
            .engine()?
            .inspect(&e.reference)
            .map_err(|err| BackendError::Engine(err.to_string()))?;
        Ok(RecipeSource {
            backend: "docker-local".into(),
            location: self.engine.host().map(str::to_string),
            digest: details.map(|d| d.digests.first().cloned().unwrap_or(d.id)),
            image: Some(e.reference),
        })
    }

    fn kind(&self) -> &'static str {
        "docker-local"
    }

    fn describe(&self) -> String {
        format!(
            "the Docker images labelled {RECIPE_LABEL}=true on {}",
            self.engine.endpoint()
        )
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        Ok(self
            .by_name()?
            .into_iter()
            .map(|(name, entries)| {
                let versions: Vec<RecipeVersion> =
                    entries.iter().map(|e| e.version.clone()).collect();
                let latest = RecipeVersion::latest(&versions).cloned();
                let labels = latest
                    .as_ref()
                    .and_then(|l| entries.iter().find(|e| e.version == *l))
                    .map(|e| e.image.labels.clone())
                    .unwrap_or_default();
                RecipeInfo {
                    name,
                    description: labels.get(DESCRIPTION_LABEL).cloned().unwrap_or_default(),
                    tags: label_tags(&labels),
                    versions: versions.iter().map(|v| v.to_string()).collect(),
                    latest: latest.map(|v| v.to_string()),
                }
            })
            .collect())
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        let all = self.by_name()?;
        match all.get(name) {
            Some(v) => Ok(v.iter().map(|e| e.version.clone()).collect()),
            None => Err(BackendError::RecipeNotFound {
                name: name.into(),
                backend: self.describe(),
                available: all.keys().cloned().collect(),
            }),
        }
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        let e = self.entry(name, version)?;
        Ok(load_from_image(
            &self.engine,
            &e.reference,
            &e.name,
            &e.image.labels,
            &self.limits,
            reporter,
        )?)
    }

    fn load_recorded(
        &self,
        name: &str,
        version: &RecipeVersion,
        source: Option<&RecipeSource>,
        reporter: &Reporter,
    ) -> Result<(Recipe, Option<String>)> {
        let Some(digest) = source.and_then(|s| s.digest.as_deref()) else {
            return Ok((self.load(name, version, reporter)?, None));
        };
        let current = self.entry(name, version)?;
        let engine = self.engine()?;
        match engine.inspect(digest) {
            Ok(Some(details)) => {
                // The recorded image is still here: the base is rendered from it, even if
                // the tag now names a newer build.
                let recipe = load_from_image(
                    &self.engine,
                    digest,
                    &current.name,
                    &details.labels,
                    &self.limits,
                    reporter,
                )?;
                Ok((recipe, None))
            }
            _ => Ok((
                self.load(name, version, reporter)?,
                Some(format!(
                    "the image this project was made from ({digest}) is no longer on the engine; the base was rendered from {} as it is now, which may differ",
                    current.reference
                )),
            )),
        }
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "docker-local".into(),
            location: self.engine.host().map(str::to_string),
            image: None,
            digest: None,
        }
    }
}
