//! The preferences pane against the real configuration file and keychain, and the CLI
//! reading what it saved: a backend added in the app is what `nskit list` lists; a change
//! made by the CLI shows in the app; a token stored in the app is what `nskit auth status`
//! reports; a value set by the environment is read-only; the theme; the Docker engine.
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fantoccini::Client;

use crate::support::*;

/// A local recipes folder with `team-recipe` 1.0.0.
fn team_recipes(root: &std::path::Path) -> Result<()> {
    let dir = root.join("team-recipe/1.0.0");
    std::fs::create_dir_all(dir.join("template"))?;
    std::fs::write(
        dir.join("recipe.yaml"),
        "name: team-recipe\ndescription: The team's own recipe\nfields:\n  - name: project_name\n    default: team-demo\n",
    )?;
    std::fs::write(dir.join("template/README.md"), "# {{ project_name }}\n")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_added_in_preferences_is_what_the_cli_lists() -> Result<()> {
    if skip("a_backend_added_in_preferences_is_what_the_cli_lists")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("team");
    team_recipes(&recipes)?;
    let pinned = home.path().join("pinned-output");
    // An empty configuration; the output folder is set by the environment.
    let (_driver, c) = start_app(
        home.path(),
        "",
        true,
        &[("NSKIT_OUTPUT_DIR", &pinned.display().to_string())],
    )
    .await?;
    let result = drive_backends(&c, home.path(), &recipes).await;
    if result.is_err() {
        screenshot(&c, "preferences-failure").await;
    }
    let _ = c.close().await;
    result?;
    // The file keeps what the CLI wrote beside what the app wrote.
    let text = std::fs::read_to_string(home.path().join("config.yaml"))?;
    assert!(
        text.contains("team:") && text.contains("cli-added:"),
        "{text}"
    );
    Ok(())
}

async fn drive_backends(
    c: &Client,
    home: &std::path::Path,
    recipes: &std::path::Path,
) -> Result<()> {
    // Only the built-in recipes at first.
    wait_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    click(c, "[data-testid=nav-preferences]").await?;
    wait_css(c, "[data-testid=backend-row-builtin]").await?;
    screen(c, "preferences-backends").await?;
    click(c, "[data-testid=backend-add]").await?;
    type_into(c, "[data-testid=backend-name]", "team").await?;
    wait_css(c, "[data-testid=backend-type]")
        .await?
        .select_by_value("local")
        .await?;
    type_into(
        c,
        "[data-testid=backend-input-recipes_dir]",
        &recipes.display().to_string(),
    )
    .await?;
    click(c, "[data-testid=backend-test]").await?;
    wait_text(
        c,
        "[data-testid=backend-test-result]",
        "1 recipe (team-recipe)",
    )
    .await?;
    screen(c, "preferences-backend-form").await?;
    click(c, "[data-testid=backend-save]").await?;
    wait_text(c, "[data-testid=backend-row-team]", "default").await?;

    // The next CLI command uses what was saved.
    let (ok, out) = cli(home, &["list"])?;
    if !ok || !out.contains("team-recipe") || out.contains("rust_cli") {
        bail!("`nskit list` after saving in the app: {out}");
    }
    // A change by the CLI shows in the app while it runs.
    let (ok, out) = cli(
        home,
        &["config", "set", "backends.cli-added", "{type: builtin}"],
    )?;
    if !ok {
        bail!("nskit config set: {out}");
    }
    wait_css(c, "[data-testid=backend-row-cli-added]").await?;
    // And in the catalogue's switcher, with the team's recipes by default.
    click(c, "[data-testid=nav-create]").await?;
    wait_css(c, "[data-testid=recipe-card-team-recipe]").await?;
    let switcher = wait_css(c, "[data-testid=backend-switcher]").await?;
    switcher.select_by_value("cli-added").await?;
    wait_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    screen(c, "catalogue-switcher").await?;

    // A value the environment sets is shown read-only, naming the variable.
    click(c, "[data-testid=nav-preferences]").await?;
    click(c, "[data-testid=prefs-tab-general]").await?;
    let input = wait_css(c, "[data-testid=pref-output-dir]").await?;
    if input.prop("disabled").await?.as_deref() != Some("true") {
        bail!("the output folder set by NSKIT_OUTPUT_DIR is editable");
    }
    wait_text(
        c,
        "[data-testid=prefs-panel-general] [data-testid=source]",
        "NSKIT_OUTPUT_DIR",
    )
    .await?;
    screen(c, "preferences-general").await?;
    // The theme changes at once, and the dark one passes the same checks.
    click(c, "[data-testid=theme-dark]").await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let t = c
            .execute("return document.documentElement.dataset.theme;", vec![])
            .await?;
        if t.as_str() == Some("dark") {
            break;
        }
        if Instant::now() > deadline {
            bail!("the theme is {t}, not dark");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    screen(c, "preferences-dark").await?;
    // The catalogue keeps the backend picked last.
    click(c, "[data-testid=nav-create]").await?;
    wait_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    screen(c, "catalogue-dark").await?;
    click(c, "[data-testid=nav-preferences]").await?;
    click(c, "[data-testid=prefs-tab-general]").await?;
    click(c, "[data-testid=theme-light]").await?;

    // The Docker engine the tests run on answers.
    click(c, "[data-testid=prefs-tab-docker]").await?;
    wait_text(c, "[data-testid=engine-status]", "Reachable").await?;
    screen(c, "preferences-docker").await?;

    // The sections are reached with the arrow keys.
    wait_css(c, "[data-testid=prefs-tab-docker]")
        .await?
        .send_keys("\u{E015}")
        .await?;
    wait_css(c, "[data-testid=prefs-panel-general]").await?;

    // At 1024×700 nothing needs scrolling sideways.
    c.set_window_size(1024, 700).await?;
    click(c, "[data-testid=prefs-tab-backends]").await?;
    wait_css(c, "[data-testid=backend-row-team]").await?;
    let wide = c
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await?;
    if wide.as_bool() == Some(true) {
        bail!("the preferences need a horizontal scroll at 1024×700");
    }
    screen(c, "preferences-1024x700").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_stored_in_preferences_is_in_the_keychain_for_the_cli() -> Result<()> {
    if skip("a_token_stored_in_preferences_is_in_the_keychain_for_the_cli")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let git = nskit_testkit::GitServer::start(&home.path().join("git"), TOKEN);
    let gh = nskit_testkit::FakeGitHub::start(
        git,
        nskit_testkit::GitHubState {
            token: TOKEN.into(),
            login: "ada".into(),
            scopes: vec!["repo".into(), "read:org".into()],
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    let host = nskit::vcs::github_host(&gh.url);
    let config = format!(
        "vcs:\n  provider: github\n  api_url: {}\n  organisation: acme\n",
        gh.url
    );
    // No token in the environment: the keychain is the only place it can come from.
    let (_driver, c) = start_app(home.path(), &config, false, &[]).await?;
    let result = drive_token(&c, home.path(), &host).await;
    if result.is_err() {
        screenshot(&c, "credentials-failure").await;
    }
    let _ = c.close().await;
    // Whatever happened, the token leaves the shared keychain.
    let _ = nskit::keychain::forget_github_token(&host);
    result
}

async fn drive_token(c: &Client, home: &std::path::Path, host: &str) -> Result<()> {
    wait_css(c, "[data-testid=nav-preferences]").await?;
    click(c, "[data-testid=nav-preferences]").await?;
    click(c, "[data-testid=prefs-tab-credentials]").await?;
    wait_text(c, &format!("[data-testid='git-token-{host}']"), "none").await?;
    // A wrong token is refused by the host and not stored.
    type_into(c, "[data-testid=token-host]", host).await?;
    type_into(c, "[data-testid=token-value]", "ghp_wrong").await?;
    click(c, "[data-testid=token-store]").await?;
    wait_text(c, "[data-testid=error-banner]", "401").await?;
    type_into(c, "[data-testid=token-value]", TOKEN).await?;
    click(c, "[data-testid=token-store]").await?;
    wait_text(c, "[data-testid=credentials-message]", "user ada").await?;
    wait_text(c, &format!("[data-testid='git-token-{host}']"), "ada").await?;
    let page = c.source().await?;
    if page.contains(TOKEN) {
        bail!("the token is in the page");
    }
    screen(c, "preferences-credentials").await?;
    let (ok, out) = cli(home, &["auth", "status"])?;
    if !ok || !out.contains(&format!("{host}: a token in the OS keychain (user ada)")) {
        bail!("`nskit auth status` after storing in the app: {out}");
    }
    // The git host's test shows the login and the scopes.
    click(c, "[data-testid=prefs-tab-git]").await?;
    click(c, "[data-testid=git-host-test]").await?;
    wait_text(c, "[data-testid=git-host-test-result]", "ada").await?;
    wait_text(c, "[data-testid=git-host-test-result]", "read:org").await?;
    screen(c, "preferences-git-host").await?;
    // Removed in the app, gone for the CLI.
    click(c, "[data-testid=prefs-tab-credentials]").await?;
    click(c, &format!("[data-testid='git-token-remove-{host}']")).await?;
    wait_text(c, &format!("[data-testid='git-token-{host}']"), "none").await?;
    let (_, out) = cli(home, &["auth", "status"])?;
    if !out.contains(&format!("{host}: no token")) {
        bail!("`nskit auth status` after removing in the app: {out}");
    }
    Ok(())
}
