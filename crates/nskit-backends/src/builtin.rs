use nskit_progress::Reporter;
use std::collections::BTreeMap;
use std::path::Path;

use nskit_recipe::{Manifest, Recipe, RecipeVersion, TemplateFile};

use crate::{BackendError, RecipeBackend, RecipeInfo, RecipeSource, Result, info};

include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The recipes compiled into nskit: the embedded default when nothing is configured.
#[derive(Debug, Default, Clone)]
pub struct BuiltinBackend;

impl BuiltinBackend {
    fn names() -> Vec<&'static str> {
        let mut names: Vec<&str> = FILES
            .iter()
            .filter_map(|(p, _, _)| p.strip_suffix("/recipe.yaml").filter(|n| !n.contains('/')))
            .collect();
        names.dedup();
        names
    }

    fn manifest(name: &str) -> Result<Manifest> {
        let path = format!("{name}/recipe.yaml");
        let (_, bytes, _) = FILES
            .iter()
            .find(|(p, _, _)| *p == path)
            .ok_or_else(|| Self::not_found(name))?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| BackendError::Install(format!("{path} is not UTF-8")))?;
        Ok(Manifest::parse(
            text,
            Path::new(&format!("builtin:{path}")),
        )?)
    }

    fn not_found(name: &str) -> BackendError {
        BackendError::RecipeNotFound {
            name: name.to_string(),
            backend: "the builtin recipes".into(),
            available: Self::names().into_iter().map(String::from).collect(),
        }
    }

    fn version_of(m: &Manifest) -> RecipeVersion {
        RecipeVersion::new(m.version.clone().unwrap_or_else(|| "0.0.0".into()))
    }
}

impl RecipeBackend for BuiltinBackend {
    fn kind(&self) -> &'static str {
        "builtin"
    }

    fn describe(&self) -> String {
        "the builtin recipes".into()
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        Self::names()
            .into_iter()
            .map(|name| {
                let m = Self::manifest(name)?;
                Ok(info(name, Some(&m), &[Self::version_of(&m)]))
            })
            .collect()
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        Ok(vec![Self::version_of(&Self::manifest(name)?)])
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        reporter.check().map_err(|_| BackendError::Cancelled)?;
        let manifest = Self::manifest(name)?;
        let have = Self::version_of(&manifest);
        if !have.matches(version.as_str()) {
            return Err(BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: vec![have.to_string()],
            });
        }
        let prefix = format!("{name}/{}/", manifest.template);
        let mut files: BTreeMap<&str, TemplateFile> = BTreeMap::new();
        for (path, bytes, exec) in FILES {
            if let Some(rel) = path.strip_prefix(&prefix) {
                files.insert(
                    rel,
                    TemplateFile {
                        path: rel.to_string(),
                        contents: nskit_recipe::Content::from(*bytes),
                        executable: *exec,
                    },
                );
            }
        }
        Ok(Recipe::from_parts(manifest, files.into_values().collect()))
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "builtin".into(),
            location: None,
            image: None,
            digest: None,
        }
    }
}
