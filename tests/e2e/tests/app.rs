//! Drives the real app window over WebDriver: tauri-driver fronts WebKitWebDriver, which
//! starts the app binary under the X display (`xvfb-run` in scripts/test).
//!
//! Needs: the app built (`cargo build -p nskit-app`), `tauri-driver` and `WebKitWebDriver`
//! on PATH, and a display. Without them the test is skipped with the reason, except under
//! `CI=true`, where a missing piece is a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn app_binary() -> PathBuf {
    if let Ok(p) = std::env::var("NSKIT_APP_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("debug/nskit-app")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Why the test cannot run here, if it cannot.
fn missing_piece() -> Option<String> {
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

const TOKEN: &str = "ghp_e2eTOKEN0123456789";

async fn start(home: &Path, github_api: &str) -> Result<(Driver, Client)> {
    let port = free_port()?;
    let native = free_port()?;
    let config = home.join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "backend:\n  type: builtin\nvcs:\n  provider: github\n  api_url: {github_api}\n  organisation: acme\n"
        ),
    )?;
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("NSKIT_CONFIG", &config)
        .env("NSKIT_GITHUB_TOKEN", TOKEN)
        .env("GIT_CONFIG_NOSYSTEM", "1")
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

async fn wait_css(c: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

async fn gone_css(c: &Client, css: &str) -> Result<()> {
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
async fn wait_text(c: &Client, css: &str, want: &str) -> Result<String> {
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

async fn type_into(c: &Client, css: &str, text: &str) -> Result<()> {
    let el = wait_css(c, css).await?;
    el.clear().await?;
    el.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_project_through_the_form() -> Result<()> {
    if let Some(why) = missing_piece() {
        if std::env::var("CI").as_deref() == Ok("true") {
            bail!("cannot run the app's end-to-end test: {why}");
        }
        eprintln!("SKIPPED create_a_project_through_the_form: {why}");
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let out = home.path().join("projects");
    std::fs::create_dir_all(&out)?;
    // GitHub's stand-in and a real git server, for the repository step.
    let git = nskit_testkit::GitServer::start(&home.path().join("git"), TOKEN);
    let gh = nskit_testkit::FakeGitHub::start(
        git,
        nskit_testkit::GitHubState {
            token: TOKEN.into(),
            login: "ada".into(),
            scopes: vec!["repo".into()],
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    let (_driver, c) = start(home.path(), &gh.url).await?;
    let result = drive(&c, &out).await;
    if let Ok(png) = c.screenshot().await {
        let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-last.png");
        let _ = std::fs::write(shot, png);
    }
    let _ = c.close().await;
    result?;

    // The files are on disk, committed, with the state file.
    let project = out.join("e2e-cli");
    let cargo =
        std::fs::read_to_string(project.join("Cargo.toml")).context("Cargo.toml was written")?;
    assert!(cargo.contains("name = \"e2e-cli\""), "{cargo}");
    assert!(
        cargo.contains("edition = \"2024\""),
        "the chosen edition is used: {cargo}"
    );
    assert!(
        !project.join(".github").exists(),
        "unticking CI left the workflow out"
    );
    let state = std::fs::read_to_string(project.join(".recipe/config.yml"))?;
    assert!(state.contains("recipe_name: rust_cli"), "{state}");
    assert!(
        project.join(".git/HEAD").is_file(),
        "the project is a git repository"
    );
    // The repository was created, private, named after the project, and the commit pushed.
    {
        let st = gh.state.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        let repo = st
            .repos
            .get("acme/e2e-cli")
            .context("the repository acme/e2e-cli was created")?;
        assert!(repo.private, "private by default");
    }
    let remote = Command::new("git")
        .arg("--git-dir")
        .arg(gh.git.root.join("acme/e2e-cli.git"))
        .args(["rev-parse", "refs/heads/main"])
        .output()?;
    let local = Command::new("git")
        .arg("-C")
        .arg(&project)
        .args(["rev-parse", "HEAD"])
        .output()?;
    assert!(remote.status.success(), "main was pushed");
    assert_eq!(
        remote.stdout, local.stdout,
        "the pushed commit is the project's"
    );
    Ok(())
}

async fn drive(c: &Client, out: &Path) -> Result<()> {
    // The catalogue lists the builtin recipes.
    wait_css(c, "[data-testid=recipe-card-python_package]").await?;

    // A conditional field appears only when its condition holds.
    wait_css(c, "[data-testid=recipe-card-python_package]")
        .await?
        .click()
        .await?;
    wait_css(c, "#field-name").await?;
    gone_css(c, "[data-testid=field-cli_name]").await?;
    wait_css(c, "#field-cli").await?.click().await?;
    wait_css(c, "[data-testid=field-cli_name]").await?;
    // Computed defaults follow earlier answers.
    type_into(c, "#field-name", "Fancy-Tool").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = wait_css(c, "#field-package")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        if v == "fancy_tool" {
            break;
        }
        if Instant::now() > deadline {
            bail!("the computed default of `package` is `{v}`, not fancy_tool");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_css(c, "button").await?.click().await?; // ← Recipes

    // The Rust CLI recipe, through the form.
    wait_css(c, "[data-testid=recipe-card-rust_cli]")
        .await?
        .click()
        .await?;
    // Live validation: a bad name shows the recipe's message.
    type_into(c, "#field-project_name", "Bad Name").await?;
    wait_text(
        c,
        "[data-testid=error-project_name]",
        "use lower-case letters",
    )
    .await?;
    type_into(c, "#field-project_name", "e2e-cli").await?;
    gone_css(c, "[data-testid=error-project_name]").await?;
    // A choice and a boolean.
    let edition = wait_css(c, "#field-edition").await?;
    edition.select_by_label("2024").await?;
    wait_css(c, "#field-ci").await?.click().await?;
    type_into(c, "[data-testid=output-dir]", &out.display().to_string()).await?;
    // A git host is configured: the form offers to create the repository.
    wait_css(c, "[data-testid=create-repo]")
        .await?
        .click()
        .await?;
    wait_css(c, "[data-testid=public-repo]").await?;
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-form.png"),
            png,
        );
    }
    // Preview first: nothing is written.
    wait_css(c, "[data-testid=preview]").await?.click().await?;
    wait_text(c, "[data-testid=preview-panel]", "Cargo.toml").await?;
    if out.join("e2e-cli").exists() {
        bail!("the preview wrote files");
    }
    wait_css(c, "[data-testid=create]").await?.click().await?;
    let path = wait_css(c, "[data-testid=created-path]")
        .await?
        .text()
        .await?;
    let expected = out.join("e2e-cli");
    if Path::new(&path) != expected {
        bail!(
            "the app says it created {path}, expected {}",
            expected.display()
        );
    }
    wait_text(c, "[data-testid=created-files]", "src/main.rs").await?;
    wait_text(c, "[data-testid=created-repo]", "acme/e2e-cli").await?;
    wait_text(c, "[data-testid=created-repo]", "private").await?;
    Ok(())
}
