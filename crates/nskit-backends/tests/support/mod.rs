//! What the image and registry tests share: the engine and services `scripts/test` starts
//! (or a skip that says why, and a failure under CI=true), and images built offline from
//! the host's static busybox.
#![allow(dead_code)]

use nskit_progress::Reporter;
use std::collections::HashMap;
use std::sync::Arc;

use nskit_engine::DockerEngine;

pub mod token;

pub const BUSYBOX: &str = nskit_testkit::BUSYBOX_IMAGE;

/// Podman's build cache races when builds run at once: the tests build one at a time.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Builds an image, one build at a time.
pub fn build(e: &DockerEngine, ctx: Vec<u8>, tag: &str, labels: &HashMap<String, String>) {
    let _guard = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    e.build(ctx, tag, labels, &Reporter::silent())
        .unwrap_or_else(|err| panic!("build {tag}: {err}"));
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says why a test does not run; under CI=true that is a failure.
pub fn skip(why: &str) {
    if ci() {
        panic!("CI=true and {why}");
    }
    eprintln!("skipped: {why}; scripts/test starts it");
}

/// The engine, with the busybox base image built.
pub fn engine() -> Option<Arc<DockerEngine>> {
    let e = match DockerEngine::connect(None) {
        Ok(e) => e,
        Err(err) => {
            skip(&format!("no Docker engine ({err})"));
            return None;
        }
    };
    if !e.image_present(BUSYBOX).expect("inspect") {
        let ctx = nskit_testkit::busybox_context().expect("the busybox build context");
        build(&e, ctx, BUSYBOX, &HashMap::new());
    }
    Some(Arc::new(e))
}

/// A service address from the environment `scripts/test` sets, or a skip.
pub fn service(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            skip(&format!("{var} is not set (no test registry)"));
            None
        }
    }
}

/// A build context: a Dockerfile and files (path, bytes, mode).
pub fn context(dockerfile: &str, files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut all: Vec<(&str, &[u8], u32)> = vec![("Dockerfile", dockerfile.as_bytes(), 0o644)];
    all.extend_from_slice(files);
    for (name, data, mode) in all {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        tar.append_data(&mut h, name, data).expect("tar");
    }
    tar.into_inner().expect("tar")
}

pub fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A template image: a recipe folder at /recipe on busybox (so tasks have a shell).
pub fn template_image(
    e: &DockerEngine,
    tag: &str,
    name: &str,
    version: &str,
    manifest_extra: &str,
    files: &[(&str, &str)],
) {
    let manifest = format!("name: {name}\ndescription: The {name} recipe\n{manifest_extra}");
    let mut entries: Vec<(String, Vec<u8>)> = vec![("recipe/recipe.yaml".into(), manifest.into())];
    for (p, c) in files {
        entries.push((format!("recipe/template/{p}"), c.as_bytes().to_vec()));
    }
    let refs: Vec<(&str, &[u8], u32)> = entries
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice(), 0o644))
        .collect();
    let ctx = context(&format!("FROM {BUSYBOX}\nCOPY recipe /recipe\n"), &refs);
    build(
        e,
        ctx,
        tag,
        &labels(&[
            ("nskit.recipe", "true"),
            ("nskit.recipe.name", name),
            ("nskit.recipe.version", version),
            ("nskit.recipe.format", "template"),
            ("nskit.recipe.tags", "demo,test"),
            (
                "org.opencontainers.image.description",
                &format!("The {name} recipe"),
            ),
        ]),
    );
}

/// A program image speaking the original nskit's protocol (a busybox script as `nskit`,
/// `tests/fixtures/program-image.sh`, which says what it does for each answer).
pub fn program_image(e: &DockerEngine, tag: &str, recipe: &str) {
    let script = include_str!("../../../../tests/fixtures/program-image.sh");
    let ctx = context(
        &format!("FROM {BUSYBOX}\nCOPY nskit /bin/nskit\nENTRYPOINT [\"/bin/nskit\"]\n"),
        &[("nskit", script.as_bytes(), 0o755)],
    );
    build(
        e,
        ctx,
        tag,
        &labels(&[
            ("nskit.recipe", "true"),
            ("nskit.recipe.name", recipe),
            (
                "org.opencontainers.image.description",
                "An original-style program image",
            ),
        ]),
    );
}

/// A name no other run used, for repositories in the shared test registries.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}
