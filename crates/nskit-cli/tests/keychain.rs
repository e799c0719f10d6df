//! Registry credentials in a real OS keychain (GNOME Keyring's Secret Service on a private
//! D-Bus, as scripts/test starts it): `nskit login` stores them, the `docker` backend and
//! the engine's pulls use them, `nskit logout` removes them, and the secret is in no file.
//! Without the services the test says why and passes, except under CI=true.
use std::process::Command;

mod common;
use common::{Home, local_recipe, stdout_of};

fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let o = c.output().expect("runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn login_stores_registry_credentials_in_the_keychain_and_logout_removes_them() {
    let vars: Vec<Option<String>> = [
        "DBUS_SESSION_BUS_ADDRESS",
        "DOCKER_HOST",
        "NSKIT_TEST_REGISTRY_BASIC",
        "NSKIT_TEST_REGISTRY_USER",
        "NSKIT_TEST_REGISTRY_PASSWORD",
    ]
    .iter()
    .map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
    .collect();
    let [
        Some(_),
        Some(docker),
        Some(registry),
        Some(user),
        Some(password),
    ] = &vars[..]
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true and no keychain, engine or test registry: {vars:?}");
        }
        eprintln!("skipped: no keychain, engine or test registry; scripts/test starts them");
        return;
    };
    let port = registry.rsplit(':').next().expect("port");
    // `localhost` rather than 127.0.0.1: a keychain entry no other test uses.
    let host = format!("localhost:{port}");
    let home = Home::new().with_git_identity();
    let nskit = || {
        let mut c = home.nskit();
        c.env("DOCKER_HOST", docker);
        c
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("kc{}x{nanos}", std::process::id());
    let prefix = format!("keychain{nanos}");
    let src = home.path().join("src");
    let dir = local_recipe(
        &src,
        &name,
        "1.0.0",
        "fields:\n  - name: project_name\n    default: kcproj\n",
        &[("README.md", "# {{ project_name }}\n")],
    );
    let reference = format!("{host}/{prefix}/{name}:1.0.0");
    stdout_of(nskit().args([
        "recipe",
        "build",
        dir.to_str().expect("utf-8"),
        "--tag",
        &reference,
    ]));
    let (code, out, err) = run(nskit()
        .env("NSKIT_REGISTRY_USERNAME", user)
        .env("NSKIT_REGISTRY_PASSWORD", password)
        .args(["recipe", "publish", &reference]));
    assert_eq!(code, Some(0), "{out}{err}");
    nskit_engine::DockerEngine::connect(Some(docker))
        .expect("engine")
        .remove_image(&reference)
        .expect("untag");

    let config = home.path().join("registry.yaml");
    std::fs::write(
        &config,
        format!(
            "backend:\n  type: docker\n  registry_url: http://{host}\n  image_prefix: {prefix}\n"
        ),
    )
    .expect("config");
    let list = |cache: &str| {
        run(nskit()
            .env("XDG_CACHE_HOME", home.path().join(cache))
            .arg("--config")
            .arg(&config)
            .arg("list"))
    };
    let _ = run(nskit().args(["logout", &host]));
    let (code, _, err) = list("cache-before");
    assert_ne!(code, Some(0));
    assert!(err.contains("401"), "{err}");
    assert!(err.contains(&format!("nskit login {host}")), "{err}");

    let mut login = nskit();
    login
        .args([
            "login",
            &format!("http://{host}"),
            "--username",
            user,
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = login.spawn().expect("login");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("write");
    }
    let o = child.wait_with_output().expect("login");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("OS keychain"));

    let (code, out, err) = list("cache-logged-in");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains(&name), "{out}");
    // The engine pulls with the keychain's credentials too.
    let out_dir = home.out();
    let (code, out, err) = run(nskit()
        .current_dir(&out_dir)
        .arg("--config")
        .arg(&config)
        .args(["init", "--recipe", &name, "--defaults"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out_dir.join("kcproj/README.md").is_file());

    // The secret is in no file nskit wrote.
    for entry in walkdir::WalkDir::new(home.path()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(password.as_str()),
                "the password is in {}",
                entry.path().display()
            );
        }
    }

    let (code, out, _) = run(nskit().args(["logout", &host]));
    assert_eq!(code, Some(0));
    assert!(out.contains("removed"), "{out}");
    let (code, _, err) = list("cache-after");
    assert_ne!(code, Some(0));
    assert!(err.contains("401"), "{err}");
}
