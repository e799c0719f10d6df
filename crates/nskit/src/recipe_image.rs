//! Recipes as Docker images: build a template image of a recipe folder, and publish it to
//! its registry with the credentials nskit knows for it (`nskit recipe build|publish`).
use std::collections::HashMap;
use std::path::Path;

use nskit_engine::{DockerEngine, template_image_context};
use nskit_progress::{Reporter, Step};
use nskit_recipe::Recipe;

use crate::error::{Error, Result};

/// The base image when the recipe names none: an empty image (the recipe is only copied
/// out of it, never run).
pub const DEFAULT_BASE_IMAGE: &str = "scratch";

/// The labels of a template image of `recipe`.
pub fn recipe_labels(recipe: &Recipe, version: &str) -> HashMap<String, String> {
    let m = &recipe.manifest;
    let mut l = HashMap::new();
    l.insert("nskit.recipe".into(), "true".into());
    l.insert("nskit.recipe.name".into(), m.name.clone());
    l.insert("nskit.recipe.version".into(), version.to_string());
    l.insert("nskit.recipe.format".into(), "template".into());
    if m.network {
        l.insert("nskit.recipe.network".into(), "true".into());
    }
    if !m.tags.is_empty() {
        l.insert("nskit.recipe.tags".into(), m.tags.join(","));
    }
    l.insert("org.opencontainers.image.title".into(), m.name.clone());
    l.insert(
        "org.opencontainers.image.description".into(),
        m.description.trim().to_string(),
    );
    l.insert(
        "org.opencontainers.image.version".into(),
        version.to_string(),
    );
    l
}

fn engine(docker_host: Option<&str>) -> Result<DockerEngine> {
    DockerEngine::connect(docker_host).map_err(|e| Error::Engine(e.to_string()))
}

fn engine_error(e: nskit_engine::EngineError) -> Error {
    match e {
        nskit_engine::EngineError::Cancelled => Error::Cancelled,
        e => Error::Engine(e.to_string()),
    }
}

/// Builds a template image of the recipe folder `folder` tagged `tag` on the engine at
/// `docker_host` (else `DOCKER_HOST`, else the default socket): the recipe is checked first
/// (a broken recipe is not built), its version is the tag's (else the manifest's). The
/// build's output goes to `reporter`.
pub fn build(
    docker_host: Option<&str>,
    folder: &Path,
    tag: &str,
    reporter: &Reporter,
) -> Result<()> {
    build_on(&engine(docker_host)?, folder, tag, reporter)
}

/// Pushes the recipe image `reference` to its registry, signed in with the credentials
/// nskit has for that registry (the environment's, else the keychain's); the transfer goes
/// to `reporter`.
pub fn publish(docker_host: Option<&str>, reference: &str, reporter: &Reporter) -> Result<()> {
    let engine = engine(docker_host)?;
    let host = reference.split('/').next().unwrap_or_default();
    let creds = crate::config::registry_credentials(host, None, None, &|k| std::env::var(k).ok());
    let step = reporter.step(Step::Publish, Some(reference.to_string()));
    engine
        .push(reference, creds.as_ref(), reporter)
        .map_err(engine_error)?;
    step.finish();
    Ok(())
}

/// As [`build`], on an engine at hand.
pub fn build_on(
    engine: &DockerEngine,
    folder: &Path,
    tag: &str,
    reporter: &Reporter,
) -> Result<()> {
    let recipe = Recipe::from_dir(folder)?;
    let version = tag
        .rsplit_once(':')
        .map(|(_, t)| t)
        .filter(|t| !t.contains('/'))
        .map(str::to_string)
        .or_else(|| recipe.manifest.version.clone())
        .unwrap_or_else(|| "latest".into());
    if !recipe.manifest.tasks.is_empty() && recipe.manifest.base_image.is_none() {
        return Err(Error::Engine(format!(
            "{} has tasks, and tasks run in the recipe's image: set `base_image` in recipe.yaml to an image that has the commands they use (the default image is empty)",
            recipe.manifest.name
        )));
    }
    let base = recipe
        .manifest
        .base_image
        .clone()
        .unwrap_or_else(|| DEFAULT_BASE_IMAGE.into());
    let context = template_image_context(folder, &base).map_err(|source| Error::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    let step = reporter.step(Step::Build, Some(tag.to_string()));
    engine
        .build(context, tag, &recipe_labels(&recipe, &version), reporter)
        .map_err(engine_error)?;
    step.finish();
    Ok(())
}
