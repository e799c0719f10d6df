//! Whether the Docker engine recipes run on answers, and what it is, for a preferences pane
//! and `nskit doctor`-style checks.
use serde::Serialize;
use ts_rs::TS;

/// The Docker engine, as nskit finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EngineStatus {
    /// Where nskit looks (`unix:///var/run/docker.sock`).
    pub endpoint: String,
    /// Whether an engine answered.
    pub reachable: bool,
    /// `docker` or `podman`, when one answered.
    pub kind: Option<String>,
    /// Its name, version and API version, when one answered.
    pub version: Option<String>,
    /// Why it did not answer, and how to fix it.
    pub message: Option<String>,
}

/// Connects to the engine at `docker_host` (else `DOCKER_HOST`, else the default socket)
/// and says what answered.
pub fn engine_status(docker_host: Option<&str>) -> EngineStatus {
    let endpoint = docker_host
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| nskit_engine::DEFAULT_SOCKET.into());
    match nskit_engine::DockerEngine::connect(Some(&endpoint)) {
        Ok(e) => EngineStatus {
            endpoint: e.endpoint().to_string(),
            reachable: true,
            kind: Some(
                if e.version().to_lowercase().contains("podman") {
                    "podman"
                } else {
                    "docker"
                }
                .into(),
            ),
            version: Some(e.version().to_string()),
            message: None,
        },
        Err(e) => EngineStatus {
            endpoint,
            reachable: false,
            kind: None,
            version: None,
            message: Some(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_engine_is_described_with_the_fix() {
        let s = engine_status(Some("unix:///nonexistent/docker.sock"));
        assert!(!s.reachable);
        assert_eq!(s.endpoint, "unix:///nonexistent/docker.sock");
        let m = s.message.expect("a message");
        assert!(m.contains("DOCKER_HOST"), "{m}");
    }
}
