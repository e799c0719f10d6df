//! A server for the tests, on 127.0.0.1 and a free port, over a configuration file.
#![allow(dead_code)]
use std::path::PathBuf;

use nskit::config::{Config, Overrides, VarsEnv};
use nskit_server::{AppState, ServerOptions};

/// The bearer token of the test servers.
pub const TOKEN: &str = "serve-test-token-0123456789abcdef";

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its workspace.
    pub workspace: PathBuf,
    /// The folder holding its configuration, data and workspace.
    pub dir: tempfile::TempDir,
}

/// Serves the API over `config` (the configuration file's text) in `dir`, with the git
/// host providers `providers`, bodies up to `max_body` bytes.
pub async fn serve(
    dir: tempfile::TempDir,
    config: &str,
    providers: nskit::repository::GitProviders,
    max_body: usize,
) -> Server {
    let workspace = dir.path().join("workspace");
    std::fs::create_dir_all(&workspace).expect("mkdir");
    let file = dir.path().join("config.yaml");
    std::fs::write(&file, config).expect("config");
    let config = Config::load_with(
        &Overrides {
            config_file: Some(file),
            git_providers: providers,
            ..Overrides::default()
        },
        &VarsEnv(vec![
            (
                "NSKIT_DATA_DIR".into(),
                dir.path().join("data").display().to_string(),
            ),
            (
                "DOCKER_HOST".into(),
                std::env::var("DOCKER_HOST").unwrap_or_default(),
            ),
        ]),
    )
    .expect("config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let options = ServerOptions {
        bind: addr,
        workspace: workspace.clone(),
        token: TOKEN.into(),
        max_body_bytes: max_body,
        max_operations: 4,
    };
    tokio::spawn(nskit_server::serve(
        listener,
        AppState::new(config, options),
    ));
    Server {
        url: format!("http://{addr}"),
        workspace,
        dir,
    }
}
