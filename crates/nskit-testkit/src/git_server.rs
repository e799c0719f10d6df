//! A git server over smart HTTP: each request runs the real `git http-backend` CGI with
//! `REMOTE_USER` set once HTTP Basic authentication passed.
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{basic_auth, h, header};

/// A running git server; it stops with the test process.
#[derive(Debug, Clone)]
pub struct GitServer {
    /// Where the bare repositories are (`<root>/<owner>/<name>.git`).
    pub root: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// How many pushes were received.
    pub pushes: Arc<AtomicUsize>,
}

fn http_backend() -> PathBuf {
    let exec = Command::new("git")
        .arg("--exec-path")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "/usr/lib/git-core".into());
    Path::new(&exec).join("git-http-backend")
}

impl GitServer {
    /// Serves the bare repositories under `root`; any user name with `password` may read
    /// and push.
    pub fn start(root: &Path, password: &str) -> GitServer {
        std::fs::create_dir_all(root).unwrap();
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let pushes = Arc::new(AtomicUsize::new(0));
        let me = GitServer {
            root: root.to_path_buf(),
            url,
            pushes: pushes.clone(),
        };
        let root = root.to_path_buf();
        let password = password.to_string();
        let backend = http_backend();
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let root = root.clone();
                let password = password.clone();
                let backend = backend.clone();
                let pushes = pushes.clone();
                std::thread::spawn(move || serve(req, &root, &password, &backend, &pushes));
            }
        });
        me
    }

    /// Whether `<owner>/<name>.git` has the branch `branch`.
    pub fn has_branch(&self, owner: &str, name: &str, branch: &str) -> bool {
        Command::new("git")
            .arg("--git-dir")
            .arg(self.root.join(owner).join(format!("{name}.git")))
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("refs/heads/{branch}"))
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Creates an empty bare repository `<owner>/<name>.git`.
    pub fn create_bare(&self, owner: &str, name: &str) -> PathBuf {
        let path = self.root.join(owner).join(format!("{name}.git"));
        let out = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    }

    /// Makes pushes to a repository fail with `message` (a pre-receive hook).
    pub fn reject_pushes(&self, owner: &str, name: &str, message: &str) {
        let hook = self
            .root
            .join(owner)
            .join(format!("{name}.git"))
            .join("hooks/pre-receive");
        std::fs::write(&hook, format!("#!/bin/sh\necho '{message}' >&2\nexit 1\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

fn serve(
    mut req: tiny_http::Request,
    root: &Path,
    password: &str,
    backend: &Path,
    pushes: &AtomicUsize,
) {
    let user = match basic_auth(&req) {
        Some((u, p)) if p == password => u,
        _ => {
            let r = tiny_http::Response::from_string("authentication required\n")
                .with_status_code(401)
                .with_header(h("WWW-Authenticate", "Basic realm=\"git\""));
            let _ = req.respond(r);
            return;
        }
    };
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    if path.ends_with("/git-receive-pack") {
        pushes.fetch_add(1, Ordering::SeqCst);
    }
    let mut body = Vec::new();
    let _ = req.as_reader().read_to_end(&mut body);
    let mut cmd = Command::new(backend);
    cmd.env_clear()
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", req.method().as_str())
        .env("REMOTE_USER", &user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(t) = header(&req, "content-type") {
        cmd.env("CONTENT_TYPE", t);
    }
    if let Some(e) = header(&req, "content-encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", e);
    }
    if let Some(p) = header(&req, "git-protocol") {
        cmd.env("GIT_PROTOCOL", p);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let _ = child.wait();
    let _ = writer.join();
    // A CGI answer: headers, a blank line, the body.
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, rest) = match split {
        Some((i, n)) => (
            String::from_utf8_lossy(&out[..i]).into_owned(),
            out[i + n..].to_vec(),
        ),
        None => (String::new(), out),
    };
    let mut status = 200;
    let mut headers = vec![];
    for line in head.lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("status") {
                status = v
                    .trim()
                    .split(' ')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(500);
            } else {
                headers.push(h(k.trim(), v.trim()));
            }
        }
    }
    let len = rest.len();
    let r = tiny_http::Response::new(
        tiny_http::StatusCode(status),
        headers,
        std::io::Cursor::new(rest),
        Some(len),
        None,
    );
    let _ = req.respond(r);
}
