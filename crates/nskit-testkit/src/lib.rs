//! Servers for nskit's tests, on 127.0.0.1 and a free port, running in the test's process:
//! - [`GitServer`]: a real git server, smart HTTP through `git http-backend` (the CGI git
//!   ships), with HTTP Basic authentication;
//! - [`FakeGitHub`]: GitHub's REST API as nskit uses it (organisations, repositories,
//!   releases, source archives, repository creation, topics), with its JSON shapes, `Link`
//!   pagination, status codes (401, 403 with rate-limit headers, 404, 422) and token
//!   authentication. GitHub cannot be reached from the test machines; this stands in for it;
//! - [`FakeGitLab`]: GitLab's REST API v4 as nskit uses it (groups and subgroups,
//!   projects, protected branches), with its JSON, status codes, token scopes and
//!   `X-Next-Page`/`Link` pagination; GitLab cannot be reached from the test machines either;
//! - [`HostileServer`]: a server whose replies are far too large, or trickled a byte at a
//!   time, for the limits nskit holds every network reply to.
#![allow(clippy::unwrap_used)]

mod git_server;
mod github;
mod gitlab;
mod hostile;

pub use git_server::GitServer;
pub use github::{FakeGitHub, FakeRelease, FakeRepo, GitHubState};
pub use gitlab::{FakeGitLab, FakeProject, GitLabState};
pub use hostile::{HostileServer, Misbehaviour};

/// A source archive as GitHub serves it: a `.tar.gz` whose entries are all under one
/// `<owner>-<repo>-<sha>/` folder.
pub fn source_archive(owner: &str, repo: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, contents) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(contents.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(
            &mut h,
            format!("{owner}-{repo}-0a1b2c3/{path}"),
            contents.as_bytes(),
        )
        .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// Reads `Authorization: Basic ...` into (user, password).
pub(crate) fn basic_auth(req: &tiny_http::Request) -> Option<(String, String)> {
    use base64::Engine;
    let value = header(req, "authorization")?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// A request header's value (any case).
pub(crate) fn header(req: &tiny_http::Request, name: &str) -> Option<String> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// An answer of a stand-in API.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
}

/// A JSON answer with `content_type`.
pub(crate) fn json_reply(status: u16, body: &serde_json::Value, content_type: &str) -> Reply {
    Reply {
        status,
        body: body.to_string().into_bytes(),
        headers: vec![("Content-Type".into(), content_type.into())],
    }
}

/// Serves each request of `server` on a thread of its own with `handle(request, body)`,
/// adding `extra` headers to every answer.
pub(crate) fn serve_api(
    server: tiny_http::Server,
    extra: &'static [(&'static str, &'static str)],
    handle: impl Fn(&tiny_http::Request, &[u8]) -> Reply + Send + 'static,
) {
    std::thread::spawn(move || {
        for mut req in server.incoming_requests() {
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let r = handle(&req, &body);
            let mut resp = tiny_http::Response::new(
                tiny_http::StatusCode(r.status),
                r.headers.iter().map(|(k, v)| h(k, v)).collect(),
                std::io::Cursor::new(r.body.clone()),
                Some(r.body.len()),
                None,
            );
            for (k, v) in extra {
                resp.add_header(h(k, v));
            }
            let _ = req.respond(resp);
        }
    });
}

pub(crate) fn h(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

/// The name the Docker tests give the busybox base image.
pub const BUSYBOX_IMAGE: &str = "nskit-test/busybox:1";

/// The build context of a small base image, offline: the host's static busybox
/// (`/usr/bin/busybox`, package busybox-static, which `scripts/test` installs) in `scratch`,
/// with its applets linked. Build it as [`BUSYBOX_IMAGE`].
pub fn busybox_context() -> std::io::Result<Vec<u8>> {
    let busybox = std::fs::read("/usr/bin/busybox").map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("/usr/bin/busybox (package busybox-static; scripts/test installs it): {e}"),
        )
    })?;
    let dockerfile = b"FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data, mode) in [
        ("Dockerfile", &dockerfile[..], 0o644),
        ("busybox", &busybox[..], 0o755),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        tar.append_data(&mut h, name, data)?;
    }
    tar.into_inner()
}
