//! What the end-to-end tests share: starting the app under tauri-driver in an isolated
//! home, waiting for and acting on elements, screenshots, the accessibility check, and
//! recipes and projects on disk.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

pub(crate) struct Driver(pub(crate) Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(crate) fn app_binary() -> PathBuf {
    if let Ok(p) = std::env::var("NSKIT_APP_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("debug/nskit-app")
}

pub(crate) fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Why the test cannot run here, if it cannot.
pub(crate) fn missing_piece() -> Option<String> {
    let app = app_binary();
    if !app.is_file() {
        return Some(format!(
            "the app binary {} is not built (cargo build -p nskit-app)",
            app.display()
        ));
    }
    for tool in ["tauri-driver", "WebKitWebDriver"] {
        if !on_path(tool) {
            return Some(format!("{tool} is not on PATH (scripts/test installs it)"));
        }
    }
    if std::env::var_os("DISPLAY").is_none() {
        return Some("no X display (run under xvfb-run, as scripts/test does)".into());
    }
    None
}

/// Whether the test cannot run here: it says why and is skipped, except under `CI=true`,
/// where a missing piece is a failure.
pub(crate) fn skip(test: &str) -> Result<bool> {
    let Some(why) = missing_piece() else {
        return Ok(false);
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        bail!("cannot run the app's end-to-end test: {why}");
    }
    eprintln!("SKIPPED {test}: {why}");
    Ok(true)
}

pub(crate) const TOKEN: &str = "ghp_e2eTOKEN0123456789";

/// Starts the app with this configuration file, in an isolated home, with a GitHub token
/// in the environment.
pub(crate) async fn start_with(home: &Path, config_text: &str) -> Result<(Driver, Client)> {
    start_app(home, config_text, true, &[]).await
}

/// The environment the app and the CLI share in a test: an isolated home and data folder,
/// the configuration file, and (when `token`) a GitHub token.
pub(crate) fn isolated(c: &mut Command, home: &Path, token: bool) {
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("NSKIT_CONFIG", home.join("config.yaml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("NSKIT_BACKEND")
        .env_remove("NSKIT_DATA_DIR")
        .env_remove("GITHUB_TOKEN");
    if token {
        c.env("NSKIT_GITHUB_TOKEN", TOKEN);
    } else {
        c.env_remove("NSKIT_GITHUB_TOKEN");
    }
}

/// Starts the app over `config_text` (written to `home/config.yaml`).
pub(crate) async fn start_app(
    home: &Path,
    config_text: &str,
    token: bool,
    extra_env: &[(&str, &str)],
) -> Result<(Driver, Client)> {
    let port = free_port()?;
    let native = free_port()?;
    std::fs::write(home.join("config.yaml"), config_text)?;
    let mut cmd = Command::new("tauri-driver");
    cmd.args([
        "--port",
        &port.to_string(),
        "--native-port",
        &native.to_string(),
    ]);
    isolated(&mut cmd, home, token);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start tauri-driver")?;
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_binary() }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()?
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Ok((driver, client)),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => bail!("no WebDriver session from tauri-driver at {url}: {e}"),
        }
    }
}

/// Saves the window as `docs/screenshots/NAME.png`, for the README and for review.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

pub(crate) async fn wait_css(c: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

/// Clicks the element once it is shown.
pub(crate) async fn click(c: &Client, css: &str) -> Result<()> {
    wait_css(c, css).await?.click().await?;
    Ok(())
}

pub(crate) async fn gone_css(c: &Client, css: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if c.find(Locator::Css(css)).await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{css} is still shown")
}

/// Waits until the element's text contains `want`.
pub(crate) async fn wait_text(c: &Client, css: &str, want: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(want) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("{css} says `{text}`, expected it to contain `{want}`");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until one of the elements (a CodeMirror line, say) says exactly `want`.
pub(crate) async fn wait_line(c: &Client, css: &str, want: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for el in c.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if el.text().await.unwrap_or_default() == want {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("no {css} says `{want}`");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn type_into(c: &Client, css: &str, text: &str) -> Result<()> {
    let el = wait_css(c, css).await?;
    el.clear().await?;
    if text.is_empty() {
        // Clearing alone fires no input event: type a space and delete it.
        el.send_keys(" \u{E003}").await?;
    } else {
        el.send_keys(text).await?;
    }
    Ok(())
}

pub(crate) const LINES: &str = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\n";

pub(crate) fn with(replacements: &[(&str, &str)]) -> String {
    let mut s = LINES.to_string();
    for (a, b) in replacements {
        s = s.replace(&format!("{a}\n"), &format!("{b}\n"));
    }
    s
}

/// Writes version `v` of the local recipe `demo`.
pub(crate) fn publish(
    root: &Path,
    v: &str,
    extra_field: bool,
    files: &[(&str, String)],
) -> Result<()> {
    let dir = root.join("demo").join(v);
    std::fs::create_dir_all(dir.join("template"))?;
    let mut manifest = format!(
        "name: demo\nversion: {v}\ndescription: A recipe the update test publishes\nfields:\n  - name: project_name\n    prompt: Name\n"
    );
    if extra_field {
        manifest.push_str("  - name: license\n    prompt: License\n    default: MIT\n");
    }
    std::fs::write(dir.join("recipe.yaml"), manifest)?;
    for (p, text) in files {
        std::fs::write(dir.join("template").join(p), text)?;
    }
    Ok(())
}

/// A project made from the local recipe `demo` 1.0.0 at `at`, committed.
pub(crate) fn make_project(recipes: &Path, at: &Path) -> Result<PathBuf> {
    let client = nskit::RecipeClient::new(Box::new(nskit_backends::LocalBackend::new(recipes)));
    let name = at
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut answers = serde_json::Map::new();
    answers.insert("project_name".into(), name.into());
    let created = client.initialize_recipe(&nskit::InitRequest {
        recipe: "demo".into(),
        version: Some("1.0.0".into()),
        answers,
        output: nskit::Output::Exact(at.to_path_buf()),
        git: true,
        ..nskit::InitRequest::default()
    });
    if !created.success {
        bail!("the project was not created: {:?}", created.errors);
    }
    Ok(created.project_path)
}

/// The app's projects list in the isolated home, naming these folders.
pub(crate) fn remember(home: &Path, projects: &[&Path]) -> Result<()> {
    let data = home.join(".local/share/nskit");
    std::fs::create_dir_all(&data)?;
    let list: Vec<serde_json::Value> = projects
        .iter()
        .map(|p| {
            Ok(serde_json::json!({ "path": p.canonicalize()?, "added_at": "2026-12-01T10:00:00Z" }))
        })
        .collect::<Result<_>>()?;
    std::fs::write(
        data.join("projects.json"),
        serde_json::to_string(&serde_json::json!({ "projects": list }))?,
    )?;
    Ok(())
}

/// A configuration with the local backend over `recipes`.
pub(crate) fn local_backend(recipes: &Path) -> String {
    format!(
        "backend:\n  type: local\n  recipes_dir: {}\n",
        recipes.display()
    )
}

pub(crate) fn git_in(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(args)
        .current_dir(dir)
        .output()?;
    if !out.status.success() {
        bail!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The config.txt the user ends with: conflict 1 theirs-mine → mine, conflict 2 → both
/// (mine first), conflict 3 → typed by hand.
pub(crate) fn resolved_config() -> String {
    with(&[
        ("l2", "l2 mine"),
        ("l7", "l7 mine\nl7 recipe"),
        ("l12", "by hand"),
    ])
}

/// The `nskit` CLI built beside the app.
pub(crate) fn cli_binary() -> PathBuf {
    if let Ok(p) = std::env::var("NSKIT_CLI_BIN") {
        return PathBuf::from(p);
    }
    app_binary().with_file_name("nskit")
}

/// Runs the CLI in the same isolated home as the app; its status and output.
pub(crate) fn cli(home: &Path, args: &[&str]) -> Result<(bool, String)> {
    let bin = cli_binary();
    if !bin.is_file() {
        bail!(
            "the CLI {} is not built (cargo build -p nskit-cli)",
            bin.display()
        );
    }
    let mut c = Command::new(&bin);
    isolated(&mut c, home, false);
    let out = c.args(args).output()?;
    Ok((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// Runs axe (axe-core, from the UI's packages) over the window as it is and fails on any
/// serious or critical violation, naming each with the elements at fault.
pub(crate) async fn axe(c: &Client, screen: &str) -> Result<()> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("{} (npm ci in ui/ installs it)", path.display()))?;
    c.execute(&source, vec![]).await?;
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] })
                 .then((r) => done(JSON.stringify(r.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")) })))))
                 .catch((e) => done(JSON.stringify([{ id: "axe-failed", impact: "critical", help: String(e), nodes: [] }])));"#,
            vec![],
        )
        .await?;
    let text = found.as_str().unwrap_or("[]");
    let violations: Vec<serde_json::Value> = serde_json::from_str(text)?;
    let bad: Vec<String> = violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect();
    if !bad.is_empty() {
        bail!("accessibility of {screen}: {}", bad.join("; "));
    }
    Ok(())
}

/// A screenshot and the accessibility check of the screen shown.
pub(crate) async fn screen(c: &Client, name: &str) -> Result<()> {
    screenshot(c, name).await;
    axe(c, name).await
}

/// The busybox image the Docker tests build on (from the host's static busybox).
pub(crate) const BUSYBOX: &str = "nskit-test/busybox:1";

/// The Docker engine (`DOCKER_HOST`, as scripts/test starts it), with the busybox image.
pub(crate) fn engine() -> Result<nskit_engine::DockerEngine> {
    let e = nskit_engine::DockerEngine::connect(None)
        .map_err(|e| anyhow::anyhow!("the Docker engine scripts/test starts: {e}"))?;
    if !e.image_present(BUSYBOX)? {
        e.build(
            nskit_testkit::busybox_context()?,
            BUSYBOX,
            &Default::default(),
            &nskit::Reporter::silent(),
        )?;
    }
    Ok(e)
}
