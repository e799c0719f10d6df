//! docs/platform-integration.md stays true: each configuration block loads, each set of
//! variables is read (and `config show` names each variable), each Rust block is code the
//! workspace compiles (an excerpt of examples/acme-recipes), the plug-in command it shows
//! takes those flags, and its `curl` session is the script the serve test runs.
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{Home, run};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced blocks of the guide: (info string, text).
fn blocks() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(repo().join("docs/platform-integration.md")).expect("the guide");
    let mut out = vec![];
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn every_configuration_block_loads() {
    let configs: Vec<String> = blocks()
        .into_iter()
        .filter(|(info, _)| info == "yaml config")
        .map(|(_, b)| b)
        .collect();
    assert!(configs.len() >= 6, "{} blocks", configs.len());
    let home = Home::new();
    for (i, text) in configs.iter().enumerate() {
        let file = home.path().join(format!("guide-{i}.yaml"));
        std::fs::write(&file, text).expect("write");
        let mut c = home.nskit();
        c.arg("--config")
            .arg(&file)
            .args(["config", "show", "--json"]);
        // The variables the block refers to, set.
        for var in text.split("${").skip(1).filter_map(|r| r.split('}').next()) {
            c.env(var, "set-by-the-test");
        }
        let (code, out, err) = run(&mut c);
        assert_eq!(code, 0, "block {i}:\n{text}\n{out}{err}");
        assert!(!err.contains("is not a setting"), "block {i}: {err}");
    }
}

#[test]
fn the_variables_block_is_read_by_the_one_rule() {
    let (_, body) = blocks()
        .into_iter()
        .find(|(info, _)| info == "sh env")
        .expect("the variables block");
    let home = Home::new();
    let mut c = home.nskit();
    let mut vars = vec![];
    for line in body.lines().filter_map(|l| l.strip_prefix("export ")) {
        let (k, v) = line.split_once('=').expect("NAME=value");
        c.env(k, v.trim_matches('\''));
        vars.push(k.to_string());
    }
    let (code, out, err) = run(c.args(["config", "show", "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    let settings: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    for var in vars {
        assert!(
            settings.iter().any(|s| s["source"]["var"] == var.as_str()),
            "{var} sets nothing: {out}"
        );
    }
}

#[test]
fn every_rust_block_is_compiled_code() {
    let sources: String = [
        "examples/acme-recipes/src/lib.rs",
        "examples/acme-recipes/src/main.rs",
        "examples/acme-recipes/src/bin/acme.rs",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(repo().join(f)).expect("source"))
    .collect();
    let rust: Vec<String> = blocks()
        .into_iter()
        .filter(|(info, _)| info == "rust")
        .map(|(_, b)| b)
        .collect();
    assert!(rust.len() >= 5);
    for b in rust {
        assert!(sources.contains(&b), "not in examples/acme-recipes:\n{b}");
    }
}

#[test]
fn the_curl_session_is_the_tested_script_and_the_plugin_takes_the_flags_shown() {
    let all = blocks();
    let (_, session) = all
        .iter()
        .find(|(info, _)| info == "sh session")
        .expect("the session");
    let script =
        std::fs::read_to_string(repo().join("docs/examples/serve-session.sh")).expect("the script");
    assert_eq!(
        session, &script,
        "the guide's session differs from the tested script"
    );

    let (_, publish) = all
        .iter()
        .find(|(info, b)| info == "sh" && b.contains("nskit-backend-s3 publish"))
        .expect("the publish command");
    let help = Command::new("python3")
        .arg(repo().join("examples/s3-backend-python/nskit-backend-s3"))
        .args(["publish", "--help"])
        .output()
        .expect("python3");
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in publish.split_whitespace().filter(|w| w.starts_with("--")) {
        assert!(
            help.contains(flag),
            "{flag} is not a flag of publish: {help}"
        );
    }
}
