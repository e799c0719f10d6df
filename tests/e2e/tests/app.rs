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

/// Whether the test cannot run here: it says why and is skipped, except under `CI=true`,
/// where a missing piece is a failure.
fn skip(test: &str) -> Result<bool> {
    let Some(why) = missing_piece() else {
        return Ok(false);
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        bail!("cannot run the app's end-to-end test: {why}");
    }
    eprintln!("SKIPPED {test}: {why}");
    Ok(true)
}

const TOKEN: &str = "ghp_e2eTOKEN0123456789";

async fn start(home: &Path, github_api: &str) -> Result<(Driver, Client)> {
    start_with(
        home,
        &format!(
            "backend:\n  type: builtin\nvcs:\n  provider: github\n  api_url: {github_api}\n  organisation: acme\n"
        ),
    )
    .await
}

/// Starts the app with this configuration file, in an isolated home.
async fn start_with(home: &Path, config_text: &str) -> Result<(Driver, Client)> {
    let port = free_port()?;
    let native = free_port()?;
    let config = home.join("config.yaml");
    std::fs::write(&config, config_text)?;
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

/// Saves the window as `docs/screenshots/NAME.png`, for the README and for review.
async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

async fn wait_css(c: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

/// Clicks the element once it is shown.
async fn click(c: &Client, css: &str) -> Result<()> {
    wait_css(c, css).await?.click().await?;
    Ok(())
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

/// Waits until one of the elements (a CodeMirror line, say) says exactly `want`.
async fn wait_line(c: &Client, css: &str, want: &str) -> Result<()> {
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

async fn type_into(c: &Client, css: &str, text: &str) -> Result<()> {
    let el = wait_css(c, css).await?;
    el.clear().await?;
    el.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_project_through_the_form() -> Result<()> {
    if skip("create_a_project_through_the_form")? {
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
    screenshot(&c, "create-result").await;
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
    click(c, "[data-testid=recipe-card-python_package]").await?;
    wait_css(c, "#field-name").await?;
    gone_css(c, "[data-testid=field-cli_name]").await?;
    click(c, "#field-cli").await?;
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
    click(c, "[data-testid=back-to-recipes]").await?;

    // The Rust CLI recipe, through the form.
    click(c, "[data-testid=recipe-card-rust_cli]").await?;
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
    click(c, "#field-ci").await?;
    type_into(c, "[data-testid=output-dir]", &out.display().to_string()).await?;
    // A git host is configured: the form offers to create the repository.
    click(c, "[data-testid=create-repo]").await?;
    wait_css(c, "[data-testid=public-repo]").await?;
    screenshot(c, "create-form").await;
    // Preview first: nothing is written.
    click(c, "[data-testid=preview]").await?;
    wait_text(c, "[data-testid=preview-panel]", "Cargo.toml").await?;
    if out.join("e2e-cli").exists() {
        bail!("the preview wrote files");
    }
    click(c, "[data-testid=create]").await?;
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

const LINES: &str = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\n";

fn with(replacements: &[(&str, &str)]) -> String {
    let mut s = LINES.to_string();
    for (a, b) in replacements {
        s = s.replace(&format!("{a}\n"), &format!("{b}\n"));
    }
    s
}

/// Writes version `v` of the local recipe `demo`.
fn publish(root: &Path, v: &str, extra_field: bool, files: &[(&str, String)]) -> Result<()> {
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
fn make_project(recipes: &Path, at: &Path) -> Result<PathBuf> {
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
fn remember(home: &Path, projects: &[&Path]) -> Result<()> {
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
fn local_backend(recipes: &Path) -> String {
    format!(
        "backend:\n  type: local\n  recipes_dir: {}\n",
        recipes.display()
    )
}

fn git_in(dir: &Path, args: &[&str]) -> Result<String> {
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
fn resolved_config() -> String {
    with(&[
        ("l2", "l2 mine"),
        ("l7", "l7 mine\nl7 recipe"),
        ("l12", "by hand"),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_and_resolve_an_update() -> Result<()> {
    if skip("review_and_resolve_an_update")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[
            ("notes.txt", LINES.to_string()),
            ("config.txt", LINES.to_string()),
        ],
    )?;
    // The project, made at 1.0.0 through the client layer, then edited by its owner: one
    // file merges, one conflicts in three places.
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l14", "l14 mine")]))?;
    std::fs::write(
        project.join("config.txt"),
        with(&[("l2", "l2 mine"), ("l7", "l7 mine"), ("l12", "l12 mine")]),
    )?;
    git_in(&project, &["commit", "-qam", "my edits"])?;
    // 1.1.0 changes both files and asks a new question.
    publish(
        &recipes,
        "1.1.0",
        true,
        &[
            ("notes.txt", with(&[("l2", "l2 recipe")])),
            (
                "config.txt",
                with(&[
                    ("l2", "l2 recipe"),
                    ("l7", "l7 recipe"),
                    ("l12", "l12 recipe"),
                ]),
            ),
            ("LICENSE", "{{ license }}\n".into()),
        ],
    )?;

    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_update(&c, &project, &recipes).await;
    if result.is_err() {
        screenshot(&c, "update-failure").await;
    }
    let _ = c.close().await;
    result?;

    // The undo put the project back to the committed 1.1.0, exactly.
    let status = git_in(&project, &["status", "--porcelain"])?;
    if !status.is_empty() {
        bail!("after the undo the work tree is not clean:\n{status}");
    }
    let state = std::fs::read_to_string(project.join(".recipe/config.yml"))?;
    if !state.contains("1.1.0") || state.contains("1.2.0") {
        bail!("the state file is not back at 1.1.0:\n{state}");
    }
    Ok(())
}

async fn drive_update(c: &Client, project: &Path, recipes: &Path) -> Result<()> {
    // No project yet: the app opens on the catalogue; the Projects tab adds one by path.
    click(c, "[data-testid=nav-projects]").await?;
    type_into(
        c,
        "[data-testid=project-path]",
        &project.display().to_string(),
    )
    .await?;
    click(c, "[data-testid=add-project]").await?;
    wait_text(c, "[data-testid=update-badge]", "Update available: 1.1.0").await?;
    // A folder that is not a project gets a clear message.
    type_into(
        c,
        "[data-testid=project-path]",
        &recipes.display().to_string(),
    )
    .await?;
    click(c, "[data-testid=add-project]").await?;
    wait_text(c, "[data-testid=error-banner]", "not made from a recipe").await?;
    screenshot(c, "projects").await;

    // The update: 1.1.0 is picked, its new question asked.
    click(c, "[data-testid=review-update]").await?;
    wait_css(c, "[data-testid=new-fields]").await?;
    type_into(c, "#field-license", "Apache-2.0").await?;
    wait_text(c, "[data-testid=target-version]", "1.1.0").await?;
    screenshot(c, "update-setup").await;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts: 1").await?;
    wait_text(c, "[data-testid=count-merged]", "Merged: 1").await?;
    wait_text(c, "[data-testid=count-added]", "Added: 1").await?;
    wait_text(
        c,
        "[data-testid=apply-summary]",
        "1 file with conflicts left",
    )
    .await?;
    screenshot(c, "plan").await;

    // A merged file: side by side, yours against the result.
    click(c, "[data-testid='file-notes.txt']").await?;
    wait_text(c, "[data-testid=diff-view]", "l2 recipe").await?;
    screenshot(c, "diff").await;

    // The conflict: three hunks, resolved with yours, both, and by hand.
    click(c, "[data-testid='file-config.txt']").await?;
    wait_text(c, "[data-testid=conflicts-left]", "3 conflicts left").await?;
    // From the keyboard: Alt+2 takes the recipe's lines, Ctrl+Z takes that back.
    let alt_2 = "\u{E00A}2\u{E000}";
    let ctrl_z = "\u{E009}z\u{E000}";
    wait_css(c, "[data-testid=pick-yours]")
        .await?
        .send_keys(alt_2)
        .await?;
    wait_text(c, "[data-testid=hunk-status]", "Resolved: demo 1.1.0").await?;
    wait_text(c, "[data-testid=conflicts-left]", "2 conflicts left").await?;
    wait_css(c, "[data-testid=pick-yours]")
        .await?
        .send_keys(ctrl_z)
        .await?;
    wait_text(c, "[data-testid=conflicts-left]", "3 conflicts left").await?;
    wait_text(c, "[data-testid=hunk-status]", "Open").await?;
    click(c, "[data-testid=pick-yours]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "2 conflicts left").await?;
    click(c, "[data-testid=next-conflict]").await?;
    click(c, "[data-testid=pick-both-yours-first]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "1 conflict left").await?;
    click(c, "[data-testid=next-conflict]").await?;
    click(c, "[data-testid=edit-hunk]").await?;
    // Typed over the selected hunk: the text, then the Enter key.
    c.active_element()
        .await?
        .send_keys("by hand\u{E007}")
        .await?;
    wait_line(c, "[data-testid=result-editor] .cm-line", "by hand").await?;
    wait_text(c, "[data-testid=conflicts-left]", "All conflicts resolved").await?;
    wait_text(c, "[data-testid=hunk-status]", "edited by hand").await?;
    screenshot(c, "conflict").await;
    wait_text(c, "[data-testid=apply-summary]", "Ready to apply").await?;

    // Apply, then commit with the prefilled message.
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=apply-result]").await?;
    wait_text(c, "[data-testid=no-conflicts]", "None").await?;
    let message = wait_css(c, "[data-testid=commit-message]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    if message != "Update demo 1.0.0 → 1.1.0" {
        bail!("the commit message is prefilled as `{message}`");
    }
    screenshot(c, "result").await;
    click(c, "[data-testid=commit]").await?;
    wait_text(c, "[data-testid=commit-result]", "Committed").await?;

    // The exact bytes, and the commit.
    let config = std::fs::read_to_string(project.join("config.txt"))?;
    if config != resolved_config() {
        bail!("config.txt is\n{config}\nexpected\n{}", resolved_config());
    }
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if notes != with(&[("l2", "l2 recipe"), ("l14", "l14 mine")]) {
        bail!("notes.txt did not merge: {notes}");
    }
    if std::fs::read_to_string(project.join("LICENSE"))? != "Apache-2.0\n" {
        bail!("the new question's answer was not used");
    }
    let subject = git_in(project, &["log", "-1", "--format=%s"])?;
    if subject.trim() != "Update demo 1.0.0 → 1.1.0" {
        bail!("the commit says `{subject}`");
    }
    if git_in(project, &["show", "HEAD:config.txt"])? != resolved_config() {
        bail!("the commit does not hold the resolved config.txt");
    }
    if !git_in(project, &["status", "--porcelain"])?.is_empty() {
        bail!("something was left out of the commit");
    }

    // Update again, to 1.2.0 (no conflict), then undo it from the result screen.
    publish(
        recipes,
        "1.2.0",
        true,
        &[
            (
                "notes.txt",
                with(&[("l2", "l2 recipe"), ("l5", "l5 recipe")]),
            ),
            (
                "config.txt",
                with(&[
                    ("l2", "l2 recipe"),
                    ("l7", "l7 recipe"),
                    ("l12", "l12 recipe"),
                ]),
            ),
            ("LICENSE", "{{ license }}\n".into()),
        ],
    )?;
    click(c, "[data-testid=back-to-projects]").await?;
    wait_text(c, "[data-testid=update-badge]", "Update available: 1.2.0").await?;
    click(c, "[data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=apply-summary]", "Ready to apply").await?;
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=apply-result]").await?;
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if !notes.contains("l5 recipe") {
        bail!("1.2.0 was not applied: {notes}");
    }
    click(c, "[data-testid=undo-update]").await?;
    wait_text(
        c,
        "[data-testid=undo-result]",
        "as it was before the update",
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_shown_with_what_to_do() -> Result<()> {
    if skip("bad_input_is_shown_with_what_to_do")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[
            ("notes.txt", LINES.to_string()),
            ("logo.bin", "\u{0}base".into()),
            ("old.txt", "old\n".into()),
        ],
    )?;
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    let broken = make_project(&recipes, &home.path().join("work/broken"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l3", "l3 mine")]))?;
    std::fs::write(project.join("logo.bin"), "\u{0}mine")?;
    std::fs::write(project.join("old.txt"), "old, but mine\n")?;
    git_in(&project, &["commit", "-qam", "mine"])?;
    std::fs::write(broken.join(".recipe/config.yml"), "metadata: [\n")?;
    publish(
        &recipes,
        "1.1.0",
        false,
        &[
            ("notes.txt", with(&[("l3", "l3 recipe")])),
            ("logo.bin", "\u{0}recipe".into()),
        ],
    )?;
    // Both projects are remembered already: the app opens on them.
    remember(home.path(), &[&project, &broken])?;
    let before = std::fs::read(project.join("notes.txt"))?;
    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_bad_input(&c, &recipes).await;
    if result.is_err() {
        screenshot(&c, "bad-input-failure").await;
    }
    let _ = c.close().await;
    result?;
    if std::fs::read(project.join("notes.txt"))? != before
        || !git_in(&project, &["status", "--porcelain"])?.is_empty()
    {
        bail!("something was written though nothing was applied");
    }
    Ok(())
}

async fn drive_bad_input(c: &Client, recipes: &Path) -> Result<()> {
    // A broken state file: the project says what is wrong, and offers no update.
    wait_text(
        c,
        "[data-testid=project-broken] [data-testid=project-problem]",
        "config.yml",
    )
    .await?;
    wait_text(
        c,
        "[data-testid=project-svc] [data-testid=update-badge]",
        "1.1.0",
    )
    .await?;
    screenshot(c, "projects-problem").await;

    // A binary conflict and a file the recipe removed that the user edited: each shows
    // its versions and the choices, and choosing writes nothing.
    click(c, "[data-testid=project-svc] [data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts: 3").await?;
    click(c, "[data-testid='file-logo.bin']").await?;
    wait_text(c, "[data-testid=binary-info]", "bytes").await?;
    wait_text(c, "[data-testid=file-message]", "binary").await?;
    click(c, "[data-testid=choose-recipe]").await?;
    screenshot(c, "binary-conflict").await;
    click(c, "[data-testid='file-old.txt']").await?;
    wait_text(c, "[data-testid=file-choices]", "Delete it").await?;
    wait_text(c, "[data-testid=file-message]", "removed this file").await?;
    // Applying with a conflict left asks first; keep resolving writes nothing.
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=confirm-conflicts]").await?;
    click(c, "[data-testid=keep-resolving]").await?;
    gone_css(c, "[data-testid=confirm-conflicts]").await?;

    // The version the project was made from is gone: two-way is offered.
    click(c, "[data-testid=nav-projects]").await?;
    std::fs::remove_dir_all(recipes.join("demo/1.0.0"))?;
    click(c, "[data-testid=project-svc] [data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=error-banner]", "two-way").await?;
    click(c, "[data-testid=two-way]").await?;
    wait_css(c, "[data-testid=review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts").await?;
    screenshot(c, "two-way").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_left_are_reopened_from_the_index() -> Result<()> {
    if skip("conflicts_left_are_reopened_from_the_index")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[("notes.txt", LINES.to_string())],
    )?;
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l3", "l3 mine")]))?;
    git_in(&project, &["commit", "-qam", "mine"])?;
    publish(
        &recipes,
        "1.1.0",
        false,
        &[("notes.txt", with(&[("l3", "l3 recipe")]))],
    )?;
    remember(home.path(), &[&project])?;
    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_reopen(&c, &project).await;
    if result.is_err() {
        screenshot(&c, "reopen-failure").await;
    }
    let _ = c.close().await;
    result?;
    // Resolved from the index: nothing unmerged, the file staged as resolved.
    if !git_in(&project, &["ls-files", "-u"])?.is_empty() {
        bail!("conflicts are still recorded in the index");
    }
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if notes != with(&[("l3", "l3 recipe")]) {
        bail!("notes.txt is\n{notes}");
    }
    let status = git_in(&project, &["status", "--porcelain"])?;
    if !status.contains("M  notes.txt") {
        bail!("notes.txt is not staged as resolved:\n{status}");
    }
    Ok(())
}

async fn drive_reopen(c: &Client, project: &Path) -> Result<()> {
    wait_text(c, "[data-testid=update-badge]", "1.1.0").await?;
    click(c, "[data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(
        c,
        "[data-testid=apply-summary]",
        "1 file with conflicts left",
    )
    .await?;
    // Applying with the conflict left asks first, then writes markers.
    click(c, "[data-testid=apply]").await?;
    click(c, "[data-testid=apply-with-markers]").await?;
    wait_text(c, "[data-testid=conflicts-left-list]", "notes.txt").await?;
    let stages = git_in(project, &["ls-files", "-u"])?;
    if stages.lines().count() != 3 {
        bail!("the conflict is not recorded as stages 1, 2 and 3:\n{stages}");
    }
    let marked = std::fs::read_to_string(project.join("notes.txt"))?;
    if !marked.contains("<<<<<<< yours\nl3 mine\n") {
        bail!("notes.txt has no markers:\n{marked}");
    }
    screenshot(c, "result-conflicts").await;
    // Later, from the Projects screen: the conflict is shown and reopened from the index.
    click(c, "[data-testid=back-to-projects]").await?;
    wait_text(c, "[data-testid=conflicts-badge]", "1 unresolved conflict").await?;
    click(c, "[data-testid=resolve-conflicts]").await?;
    click(c, "[data-testid='file-notes.txt']").await?;
    wait_text(c, "[data-testid=conflicts-left]", "1 conflict left").await?;
    click(c, "[data-testid=pick-recipe]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "All conflicts resolved").await?;
    click(c, "[data-testid=apply]").await?;
    wait_text(c, "[data-testid=no-conflicts]", "None").await?;
    click(c, "[data-testid=back-to-projects]").await?;
    wait_css(c, "[data-testid=review-update]").await?;
    gone_css(c, "[data-testid=conflicts-badge]").await?;
    Ok(())
}
