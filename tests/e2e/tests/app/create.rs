//! Creating projects in the window: the catalogue, the wizard step by step (validation,
//! controls, the naming convention, the review with its preview, the run), a repository
//! created and pushed; a recipe in a template image on the real Docker engine with its
//! container's output shown, and a cancelled run that leaves nothing behind.
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};

use crate::support::*;

/// Which element has the keyboard's focus (its `data-testid`).
async fn focused(c: &Client) -> Result<String> {
    let v = c
        .execute(
            "return document.activeElement && document.activeElement.getAttribute('data-testid');",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Presses Enter in the element.
async fn enter(c: &Client, css: &str) -> Result<()> {
    wait_css(c, css).await?.send_keys("\u{E007}").await?;
    Ok(())
}

async fn value_of(c: &Client, css: &str) -> Result<String> {
    Ok(wait_css(c, css)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_creates_and_pushes_a_project() -> Result<()> {
    if skip("the_wizard_creates_and_pushes_a_project")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let out = home.path().join("projects");
    std::fs::create_dir_all(&out)?;
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
    // The organisation's naming convention: `e2e-cli`, or a tool under `tools`.
    let names = home.path().join("namespaces.yaml");
    std::fs::write(
        &names,
        "options:\n  - e2e-cli\n  - tools:\n      - lint\n      - fmt\nrepo_separator: '_'\ndelimiters: ['.']\n",
    )?;
    let config = format!(
        "backend:\n  type: builtin\noutput_dir: {}\nvcs:\n  provider: github\n  api_url: {}\n  organisation: acme\n  namespaces:\n    file: {}\n    level: strict\n",
        out.display(),
        gh.url,
        names.display()
    );
    let (_driver, c) = start_with(home.path(), &config).await?;
    let result = drive(&c, &out).await;
    if result.is_err() {
        screenshot(&c, "wizard-failure").await;
    }
    let _ = c.close().await;
    result?;

    let project = out.join("e2e-cli");
    let cargo = std::fs::read_to_string(project.join("Cargo.toml")).context("Cargo.toml")?;
    assert!(cargo.contains("name = \"e2e-cli\""), "{cargo}");
    assert!(
        cargo.contains("edition = \"2024\""),
        "the chosen edition: {cargo}"
    );
    assert!(
        !project.join(".github").exists(),
        "unticking CI left the workflow out"
    );
    let state = std::fs::read_to_string(project.join(".recipe/config.yml"))?;
    assert!(state.contains("recipe_name: rust_cli"), "{state}");
    {
        let st = gh.state.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        let repo = st
            .repos
            .get("acme/e2e-cli")
            .context("acme/e2e-cli was created")?;
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
    wait_css(c, "[data-testid=recipe-card-python_package]").await?;
    // Search and a tag narrow the catalogue.
    type_into(c, "[data-testid=search]", "rust").await?;
    gone_css(c, "[data-testid=recipe-card-python_package]").await?;
    wait_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    type_into(c, "[data-testid=search]", "").await?;
    click(c, "[data-testid=tag-python]").await?;
    gone_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    screen(c, "catalogue-filtered").await?;
    click(c, "[data-testid=tag-python]").await?;
    wait_css(c, "[data-testid=recipe-card-rust_cli]").await?;
    screen(c, "catalogue").await?;

    // python_package: a conditional field appears only when its condition holds, and a
    // computed default follows the answer it comes from.
    click(c, "[data-testid=recipe-card-python_package]").await?;
    wait_text(c, "[data-testid=step-indicator]", "Repository").await?;
    type_into(c, "#field-name", "e2e-cli").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while value_of(c, "#field-package").await? != "e2e_cli" {
        if Instant::now() > deadline {
            bail!("the computed default of `package` did not follow the name");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Five Python versions: a select; three licences: radio buttons.
    let control = wait_css(c, "[data-testid=field-python_version]")
        .await?
        .attr("data-control")
        .await?;
    if control.as_deref() != Some("select") {
        bail!("python_version is shown as {control:?}");
    }
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Repository").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Extras").await?;
    gone_css(c, "[data-testid=field-cli_name]").await?;
    click(c, "#field-cli").await?;
    wait_css(c, "[data-testid=field-cli_name]").await?;
    screen(c, "wizard-conditional").await?;
    click(c, "[data-testid=back-to-recipes]").await?;

    // rust_cli through every step.
    click(c, "[data-testid=recipe-card-rust_cli]").await?;
    wait_text(c, "[data-testid=step-indicator]", "Project").await?;
    let steps = wait_css(c, "[data-testid=step-indicator]")
        .await?
        .text()
        .await?;
    for s in ["Project", "Author", "Extras", "Where", "Review", "Create"] {
        if !steps.contains(s) {
            bail!("the steps are `{steps}`, without {s}");
        }
    }
    // Validation as typed, with the recipe's message; the step does not go on.
    type_into(c, "#field-project_name", "Bad Name").await?;
    wait_text(
        c,
        "[data-testid=error-project_name]",
        "use lower-case letters",
    )
    .await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_css(c, "[data-testid=step-invalid]").await?;
    screen(c, "wizard-invalid").await?;
    // The naming convention, as typed: a namespace needs a name under it.
    type_into(c, "#field-project_name", "tools").await?;
    wait_text(c, "[data-testid=name-check-error]", "lint").await?;
    screen(c, "wizard-name-check").await?;
    type_into(c, "#field-project_name", "e2e-cli").await?;
    wait_text(c, "[data-testid=name-check]", "e2e-cli").await?;
    gone_css(c, "[data-testid=error-project_name]").await?;
    // Two editions: radio buttons.
    click(
        c,
        "[data-testid=field-edition] input[type=radio]:nth-of-type(1)",
    )
    .await
    .ok();
    let radios = c
        .find_all(Locator::Css(
            "[data-testid=field-edition] input[type=radio]",
        ))
        .await?;
    if radios.len() != 2 {
        bail!("the edition has {} radio buttons", radios.len());
    }
    radios[1].click().await?;
    screen(c, "wizard-project").await?;
    // Enter goes on, and the keyboard lands on the new step's title.
    enter(c, "#field-project_name").await?;
    wait_text(c, "[data-testid=step-title]", "Author").await?;
    if focused(c).await? != "step-title" {
        bail!("after Next the focus is on `{}`", focused(c).await?);
    }
    screen(c, "wizard-author").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Extras").await?;
    click(c, "#field-ci").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Where").await?;
    // The configured output folder is offered.
    if value_of(c, "[data-testid=output-dir]").await? != out.display().to_string() {
        bail!("the output folder is not the configured one");
    }
    click(c, "[data-testid=create-repo]").await?;
    wait_css(c, "[data-testid=public-repo]").await?;
    screen(c, "wizard-where").await?;
    click(c, "[data-testid=wizard-next]").await?;

    // The review: every answer, and the files from a dry run (nothing written).
    wait_text(c, "[data-testid=step-title]", "Review").await?;
    wait_text(c, "[data-testid=review-project_name]", "e2e-cli").await?;
    wait_text(c, "[data-testid=review-edition]", "2024").await?;
    wait_text(c, "[data-testid=review-ci]", "no").await?;
    wait_css(c, "[data-testid=preview-panel]").await?;
    click(c, "[data-testid='tree-file-Cargo.toml']").await?;
    wait_text(c, "[data-testid=code-view]", "e2e-cli").await?;
    // The contents are highlighted (TOML's strings get their own spans).
    let spans = c
        .find_all(Locator::Css("[data-testid=code-view] .cm-line span"))
        .await?;
    if spans.is_empty() {
        bail!("the preview's contents are not highlighted");
    }
    if out.join("e2e-cli").exists() {
        bail!("the preview wrote files");
    }
    screen(c, "wizard-review").await?;
    click(c, "[data-testid=create]").await?;

    let path = wait_css(c, "[data-testid=created-path]")
        .await?
        .text()
        .await?;
    if Path::new(&path) != out.join("e2e-cli") {
        bail!("the app says it created {path}");
    }
    wait_text(c, "[data-testid=created-files]", "src/main.rs").await?;
    wait_text(c, "[data-testid=created-repo]", "acme/e2e-cli").await?;
    wait_text(c, "[data-testid=created-repo]", "private").await?;
    wait_css(c, "[data-testid=open-repository]").await?;
    screen(c, "create-result").await?;
    // It is on the Projects screen.
    click(c, "[data-testid=go-projects]").await?;
    wait_css(c, "[data-testid=project-e2e-cli]").await?;
    Ok(())
}

/// A recipe folder whose task runs in its image (busybox) and prints.
fn image_recipe(dir: &Path, name: &str, task: &str) -> Result<()> {
    std::fs::create_dir_all(dir.join("template"))?;
    std::fs::write(
        dir.join("recipe.yaml"),
        format!(
            "name: {name}\nversion: 1.0.0\ndescription: The {name} recipe, in an image\ntags: [e2e]\nbase_image: {BUSYBOX}\nfields:\n  - name: project_name\n    default: {name}-demo\ntasks:\n  - name: say hello\n    run: {task}\n"
        ),
    )?;
    std::fs::write(dir.join("template/README.md"), "# {{ project_name }}\n")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipe_in_an_image_shows_its_output_and_a_cancelled_run_leaves_nothing() -> Result<()> {
    if skip("a_recipe_in_an_image_shows_its_output_and_a_cancelled_run_leaves_nothing")? {
        return Ok(());
    }
    let engine = engine()?;
    let home = tempfile::tempdir()?;
    let src = home.path().join("src");
    image_recipe(
        &src.join("talk"),
        "e2e-talk",
        "'echo hello from the task; echo second line'",
    )?;
    image_recipe(
        &src.join("slow"),
        "e2e-slow",
        "'echo started; sleep 60; echo never'",
    )?;
    let silent = nskit::Reporter::silent();
    nskit::recipe_image::build_on(&engine, &src.join("talk"), "nskit-e2e/talk:1.0.0", &silent)?;
    nskit::recipe_image::build_on(&engine, &src.join("slow"), "nskit-e2e/slow:1.0.0", &silent)?;
    let out = home.path().join("projects");
    std::fs::create_dir_all(&out)?;
    let config = format!(
        "backends:\n  images:\n    type: docker-local\noutput_dir: {}\n",
        out.display()
    );
    let (_driver, c) = start_with(home.path(), &config).await?;
    let result = drive_image(&c, &out).await;
    if result.is_err() {
        screenshot(&c, "image-failure").await;
    }
    let _ = c.close().await;
    result?;
    let readme = std::fs::read_to_string(out.join("e2e-talk-demo/README.md"))?;
    assert_eq!(readme, "# e2e-talk-demo\n");
    let left: Vec<_> = std::fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        left,
        ["e2e-talk-demo"],
        "the cancelled run left something: {left:?}"
    );
    let containers = engine.containers_labelled(nskit_engine::CONTAINER_LABEL)?;
    assert!(containers.is_empty(), "containers left: {containers:?}");
    Ok(())
}

async fn drive_image(c: &Client, out: &Path) -> Result<()> {
    click(c, "[data-testid=recipe-card-e2e-talk]").await?;
    wait_text(c, "[data-testid=step-title]", "Details").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Where").await?;
    click(c, "[data-testid=wizard-next]").await?;
    // The dry run runs the task in its container too.
    wait_css(c, "[data-testid=preview-panel]").await?;
    click(c, "[data-testid=create]").await?;
    wait_css(c, "[data-testid=created-path]").await?;
    screen(c, "image-created").await?;

    // The slow one: its container's output follows, and cancel stops it.
    click(c, "[data-testid=back-to-catalogue]").await?;
    click(c, "[data-testid=recipe-card-e2e-slow]").await?;
    wait_text(c, "[data-testid=step-title]", "Details").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Where").await?;
    click(c, "[data-testid=wizard-next]").await?;
    wait_text(c, "[data-testid=step-title]", "Review").await?;
    // The preview runs the slow task: it can be stopped, and creating does not wait.
    wait_text(
        c,
        "[data-testid=preview-running] [data-testid=run-log]",
        "started",
    )
    .await?;
    screen(c, "preview-running").await?;
    click(c, "[data-testid=preview-running] [data-testid=cancel-run]").await?;
    wait_css(c, "[data-testid=preview-stopped]").await?;
    click(c, "[data-testid=create]").await?;
    wait_text(c, "[data-testid=run-task]", "say hello").await?;
    wait_text(c, "[data-testid=run-log]", "started").await?;
    wait_text(c, "[data-testid=run-step-tasks]", "Running the tasks").await?;
    screen(c, "run-progress").await?;
    click(c, "[data-testid=cancel-run]").await?;
    wait_css(c, "[data-testid=run-cancelled]").await?;
    screen(c, "run-cancelled").await?;
    if out.join("e2e-slow-demo").exists() {
        bail!("the cancelled run left its folder");
    }
    Ok(())
}
