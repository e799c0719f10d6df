//! The Docker engine client and the sandboxed run.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, DownloadFromContainerOptionsBuilder,
    KillContainerOptionsBuilder, ListImagesOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use futures_util::StreamExt;
use nskit_progress::Reporter;

/// The label on every container nskit makes (`run` or `copy`).
pub const CONTAINER_LABEL: &str = "nskit.container";

/// The default socket when neither the configuration nor `DOCKER_HOST` names one.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// What can go wrong talking to the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No engine answers.
    #[error(
        "no Docker engine answers at {endpoint}: {message}. Start one (dockerd, or `podman system service`), or point DOCKER_HOST (or the `docker_host` setting) at its socket"
    )]
    Unavailable {
        /// Where nskit looked.
        endpoint: String,
        /// What the connection said.
        message: String,
    },
    /// The image is not on the engine.
    #[error("the image {0} is not on the Docker engine; pull or build it first")]
    ImageMissing(String),
    /// The container failed, timed out or wrote nothing.
    #[error("the recipe's container {what}; its last output:\n{logs}")]
    RunFailed {
        /// What happened (`exited with status 3`, `timed out after 60 s`).
        what: String,
        /// The container's last log lines.
        logs: String,
    },
    /// Any other answer of the engine.
    #[error("Docker engine: {0}")]
    Api(String),
    /// The operation was cancelled; its container, if any, was stopped and removed.
    #[error("cancelled")]
    Cancelled,
}

/// A host folder mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The host path (absolute).
    pub host: PathBuf,
    /// Where it appears in the container.
    pub container: String,
    /// Whether the container may only read it.
    pub read_only: bool,
}

/// A container to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The image reference.
    pub image: String,
    /// The command (arguments after the image's entry point).
    pub cmd: Vec<String>,
    /// Environment variables; `HOME=/tmp` is always set.
    pub env: Vec<(String, String)>,
    /// Bind mounts.
    pub mounts: Vec<Mount>,
    /// `uid:gid` to run as; the current user's when `None`.
    pub user: Option<String>,
    /// Whether the container may use the network (off by default).
    pub network: bool,
    /// How long it may run.
    pub timeout: Duration,
    /// Its memory limit in bytes.
    pub memory_bytes: i64,
    /// How many CPUs it may use.
    pub cpus: f64,
    /// The working folder in the container.
    pub workdir: Option<String>,
    /// Replaces the image's entry point (tasks run their own program).
    pub entrypoint: Option<Vec<String>>,
    /// Labels on the container, beside the `nskit.container` label every container nskit
    /// makes carries.
    pub labels: HashMap<String, String>,
}

impl RunSpec {
    /// A run of `cmd` in `image` with the default limits: no network, 10 minutes, 2 GiB,
    /// 2 CPUs.
    pub fn new(image: impl Into<String>, cmd: Vec<String>) -> RunSpec {
        RunSpec {
            image: image.into(),
            cmd,
            env: vec![],
            mounts: vec![],
            user: None,
            network: false,
            timeout: Duration::from_secs(600),
            memory_bytes: 2 << 30,
            cpus: 2.0,
            workdir: None,
            entrypoint: None,
            labels: HashMap::new(),
        }
    }
}

/// A finished run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// The container's exit status (0).
    pub exit_code: i64,
    /// Its output (stdout and stderr, interleaved).
    pub logs: String,
}

/// An image on the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImage {
    /// The image id.
    pub id: String,
    /// Its `repository:tag` names.
    pub tags: Vec<String>,
    /// Its labels.
    pub labels: HashMap<String, String>,
    /// When it was made (seconds since the epoch).
    pub created: i64,
}

/// What [`DockerEngine::inspect`] tells of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDetails {
    /// The image id (`sha256:...`).
    pub id: String,
    /// `repository@sha256:...` names, for images pulled from or pushed to a registry.
    pub digests: Vec<String>,
    /// Its labels.
    pub labels: HashMap<String, String>,
}

/// A build context for a template image: a `Dockerfile` (`FROM base`, the recipe folder
/// copied to `/recipe`) and the folder's files, modes kept, hidden entries and links left
/// out.
pub fn template_image_context(
    recipe_dir: &std::path::Path,
    base: &str,
) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let dockerfile = format!("FROM {base}\nCOPY recipe /recipe\n");
    let mut h = tar::Header::new_gnu();
    h.set_size(dockerfile.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "Dockerfile", dockerfile.as_bytes())?;
    let mut stack = vec![(recipe_dir.to_path_buf(), String::from("recipe"))];
    while let Some((dir, prefix)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let t = e.file_type()?;
            let path = format!("{prefix}/{name}");
            if t.is_dir() {
                stack.push((e.path(), path));
            } else if t.is_file() {
                tar.append_path_with_name(e.path(), &path)?;
            }
        }
    }
    tar.into_inner()
}

/// Unpacks a tar into `dest`, refusing absolute paths, `..` and links that leave it.
fn unpack(tar_bytes: &[u8], dest: &std::path::Path) -> std::io::Result<()> {
    let mut archive = tar::Archive::new(tar_bytes);
    archive.set_preserve_permissions(true);
    archive.set_overwrite(true);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(std::io::Error::other(format!(
                "{} is a link; recipes in images may not contain links",
                entry.path()?.display()
            )));
        }
        // `unpack_in` refuses paths with `..` or a root and reports whether it wrote.
        if !entry.unpack_in(dest)? {
            return Err(std::io::Error::other(format!(
                "{} would land outside the recipe folder",
                entry.path()?.display()
            )));
        }
    }
    Ok(())
}

/// A connection to a Docker engine.
pub struct DockerEngine {
    pub(crate) docker: Docker,
    /// The engine's own runtime; `None` only while it is dropped.
    rt: Option<tokio::runtime::Runtime>,
    endpoint: String,
    version: String,
}

impl Drop for DockerEngine {
    fn drop(&mut self) {
        // Without waiting: the engine may be dropped where blocking is not allowed (in an
        // async server's task).
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl std::fmt::Debug for DockerEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerEngine")
            .field("endpoint", &self.endpoint)
            .field("version", &self.version)
            .finish()
    }
}

pub(crate) fn api(e: BollardError) -> EngineError {
    EngineError::Api(e.to_string())
}

pub(crate) fn is_not_found(e: &BollardError) -> bool {
    matches!(
        e,
        BollardError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

static RUNS: AtomicU64 = AtomicU64::new(0);

/// The current user as `uid:gid` (from the process's own `/proc` entry).
fn current_user() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata("/proc/self").ok()?;
        Some(format!("{}:{}", m.uid(), m.gid()))
    }
    #[cfg(not(unix))]
    None
}

impl DockerEngine {
    /// Connects to `host` (`unix:///path`, a socket path, or `tcp://host:port`), else to
    /// `DOCKER_HOST`, else to the default socket, and negotiates the API version.
    pub fn connect(host: Option<&str>) -> Result<DockerEngine, EngineError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            // Within a runtime (an async server, a test) the engine's own runtime starts on
            // a thread of its own.
            return std::thread::scope(|s| {
                s.spawn(|| Self::connect_here(host))
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
        }
        Self::connect_here(host)
    }

    fn connect_here(host: Option<&str>) -> Result<DockerEngine, EngineError> {
        let endpoint = host
            .map(str::to_string)
            .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| DEFAULT_SOCKET.to_string());
        let unavailable = |message: String| EngineError::Unavailable {
            endpoint: endpoint.clone(),
            message,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unavailable(e.to_string()))?;
        let docker = if let Some(addr) = endpoint
            .strip_prefix("tcp://")
            .or_else(|| endpoint.strip_prefix("http://"))
        {
            Docker::connect_with_http(&format!("http://{addr}"), 120, bollard::API_DEFAULT_VERSION)
        } else {
            let path = endpoint.strip_prefix("unix://").unwrap_or(&endpoint);
            Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
        }
        .map_err(|e| match e {
            BollardError::SocketNotFoundError(p) => unavailable(format!("there is no socket {p}")),
            e => unavailable(e.to_string()),
        })?;
        let docker = rt
            .block_on(async {
                tokio::time::timeout(Duration::from_secs(10), docker.negotiate_version()).await
            })
            .map_err(|_| unavailable("no answer within 10 s".into()))?
            .map_err(|e| unavailable(e.to_string()))?;
        let version = rt
            .block_on(docker.version())
            .map_err(|e| unavailable(e.to_string()))?;
        Ok(DockerEngine {
            version: format!(
                "{} {} (API {})",
                version
                    .components
                    .as_ref()
                    .and_then(|c| c.first())
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "Docker Engine".into()),
                version.version.unwrap_or_default(),
                version.api_version.unwrap_or_default()
            ),
            docker,
            rt: Some(rt),
            endpoint,
        })
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.rt
            .as_ref()
            .unwrap_or_else(|| unreachable!("the runtime lives as long as the engine"))
    }

    /// Runs engine work to its end. Called from a thread that is itself driving a tokio
    /// runtime (an async server, a test), the work runs on a thread of its own: blocking
    /// such a thread would panic.
    pub(crate) fn block_on<F>(&self, work: F) -> F::Output
    where
        F: std::future::Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime().block_on(work))
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        } else {
            self.runtime().block_on(work)
        }
    }

    /// Where the engine was found.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The engine's name, version and API version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether an image is on the engine.
    pub fn image_present(&self, reference: &str) -> Result<bool, EngineError> {
        match self.block_on(self.docker.inspect_image(reference)) {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(api(e)),
        }
    }

    /// The images carrying `label` (`key=value` or `key`).
    pub fn images_with_label(&self, label: &str) -> Result<Vec<LocalImage>, EngineError> {
        let mut filters = HashMap::new();
        filters.insert("label", vec![label]);
        let opts = ListImagesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let images = self
            .block_on(self.docker.list_images(Some(opts)))
            .map_err(api)?;
        Ok(images
            .into_iter()
            .map(|i| LocalImage {
                id: i.id,
                tags: i
                    .repo_tags
                    .into_iter()
                    .filter(|t| t != "<none>:<none>")
                    .collect(),
                labels: i.labels,
                created: i.created,
            })
            .collect())
    }

    /// An image's id, repository digests and labels; `None` when it is not on the engine.
    pub fn inspect(&self, reference: &str) -> Result<Option<ImageDetails>, EngineError> {
        match self.block_on(self.docker.inspect_image(reference)) {
            Ok(i) => Ok(Some(ImageDetails {
                id: i.id.unwrap_or_default(),
                digests: i.repo_digests.unwrap_or_default(),
                labels: i.config.and_then(|c| c.labels).unwrap_or_default(),
            })),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(api(e)),
        }
    }

    /// The names of the containers, running or not, that carry `label` (`key` or
    /// `key=value`). Every container nskit makes carries [`CONTAINER_LABEL`], so
    /// `containers_labelled(CONTAINER_LABEL)` checks that nothing was left behind.
    pub fn containers_labelled(&self, label: &str) -> Result<Vec<String>, EngineError> {
        let mut filters = HashMap::new();
        filters.insert("label", vec![label]);
        let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .block_on(self.docker.list_containers(Some(opts)))
            .map_err(api)?;
        Ok(list
            .into_iter()
            .flat_map(|c| c.names.unwrap_or_default())
            .map(|n| n.trim_start_matches('/').to_string())
            .collect())
    }

    /// Copies the folder `path` out of `image` into `dest` (which must exist) through the
    /// engine's archive API, without running anything: `dest/<last segment of path>`.
    /// Entries that would land outside `dest` are refused.
    pub fn copy_out(
        &self,
        image: &str,
        path: &str,
        dest: &std::path::Path,
    ) -> Result<(), EngineError> {
        let name = format!(
            "nskit-copy-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        );
        self.block_on(async {
            let body = ContainerCreateBody {
                image: Some(image.to_string()),
                cmd: Some(vec!["true".into()]),
                network_disabled: Some(true),
                labels: Some(HashMap::from([(
                    CONTAINER_LABEL.to_string(),
                    "copy".to_string(),
                )])),
                ..Default::default()
            };
            let opts = CreateContainerOptionsBuilder::default().name(&name).build();
            match self.docker.create_container(Some(opts), body).await {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {
                    return Err(EngineError::ImageMissing(image.to_string()));
                }
                Err(e) => return Err(api(e)),
            }
            let result = async {
                let opts = DownloadFromContainerOptionsBuilder::default()
                    .path(path)
                    .build();
                let mut s = self.docker.download_from_container(&name, Some(opts));
                let mut tar_bytes = Vec::new();
                while let Some(chunk) = s.next().await {
                    let chunk = chunk.map_err(|e| {
                        if is_not_found(&e) {
                            EngineError::Api(format!("{image} has no {path}"))
                        } else {
                            api(e)
                        }
                    })?;
                    tar_bytes.extend_from_slice(&chunk);
                }
                Ok::<_, EngineError>(tar_bytes)
            }
            .await;
            let remove = RemoveContainerOptionsBuilder::default().force(true).build();
            let _ = self.docker.remove_container(&name, Some(remove)).await;
            let tar_bytes = result?;
            unpack(&tar_bytes, dest)
                .map_err(|e| EngineError::Api(format!("cannot unpack {path} of {image}: {e}")))
        })
    }

    /// Builds an image from a build context (a tar with a `Dockerfile`), tagged `tag`; the
    /// build's output lines go to `reporter`, and cancelling it stops the build.
    pub fn build(
        &self,
        context_tar: Vec<u8>,
        tag: &str,
        labels: &HashMap<String, String>,
        reporter: &Reporter,
    ) -> Result<(), EngineError> {
        let opts = BuildImageOptionsBuilder::default()
            .t(tag)
            .rm(true)
            .labels(labels)
            .build();
        self.block_on(async {
            let mut stream =
                self.docker
                    .build_image(opts, None, Some(bollard::body_full(context_tar.into())));
            loop {
                let item = tokio::select! {
                    item = stream.next() => item,
                    () = reporter.cancel_token().cancelled() => return Err(EngineError::Cancelled),
                };
                let Some(item) = item else { return Ok(()) };
                let info = item.map_err(api)?;
                if let Some(e) = info.error_detail.and_then(|d| d.message) {
                    return Err(EngineError::Api(format!("building {tag}: {e}")));
                }
                for line in info.stream.iter().flat_map(|s| s.lines()) {
                    if !line.trim().is_empty() {
                        reporter.log(nskit_secret::redact(line));
                    }
                }
            }
        })
    }

    /// Runs a container to completion in the sandbox and removes it. Its output lines go to
    /// `reporter` as they come (known secrets masked); cancelling the reporter kills the
    /// container. A non-zero exit or a time-out is an error carrying its last lines.
    pub fn run(&self, spec: &RunSpec, reporter: &Reporter) -> Result<RunOutcome, EngineError> {
        reporter.check().map_err(|_| EngineError::Cancelled)?;
        self.block_on(self.run_async(spec, reporter))
    }

    async fn run_async(
        &self,
        spec: &RunSpec,
        reporter: &Reporter,
    ) -> Result<RunOutcome, EngineError> {
        let name = format!(
            "nskit-run-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        );
        let mut env: Vec<String> = vec!["HOME=/tmp".into()];
        env.extend(spec.env.iter().map(|(k, v)| format!("{k}={v}")));
        let binds = spec
            .mounts
            .iter()
            .map(|m| {
                format!(
                    "{}:{}:{}",
                    m.host.display(),
                    m.container,
                    if m.read_only { "ro" } else { "rw" }
                )
            })
            .collect();
        let mut tmpfs = HashMap::new();
        tmpfs.insert("/tmp".to_string(), "rw,size=268435456".to_string());
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: Some(spec.cmd.clone()),
            entrypoint: spec.entrypoint.clone(),
            env: Some(env),
            user: spec.user.clone().or_else(current_user),
            working_dir: spec.workdir.clone(),
            network_disabled: Some(!spec.network),
            labels: Some({
                let mut l = spec.labels.clone();
                l.insert(CONTAINER_LABEL.into(), "run".into());
                l
            }),
            host_config: Some(HostConfig {
                binds: Some(binds),
                network_mode: Some(if spec.network { "bridge" } else { "none" }.into()),
                memory: Some(spec.memory_bytes),
                nano_cpus: Some((spec.cpus * 1e9) as i64),
                pids_limit: Some(512),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                readonly_rootfs: Some(true),
                tmpfs: Some(tmpfs),
                ..Default::default()
            }),
            ..Default::default()
        };
        let opts = CreateContainerOptionsBuilder::default().name(&name).build();
        match self.docker.create_container(Some(opts), body).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {
                return Err(EngineError::ImageMissing(spec.image.clone()));
            }
            Err(e) => return Err(api(e)),
        }
        let result = self.start_and_wait(&name, spec, reporter).await;
        let remove = RemoveContainerOptionsBuilder::default().force(true).build();
        let _ = self.docker.remove_container(&name, Some(remove)).await;
        result
    }

    async fn start_and_wait(
        &self,
        name: &str,
        spec: &RunSpec,
        reporter: &Reporter,
    ) -> Result<RunOutcome, EngineError> {
        self.docker.start_container(name, None).await.map_err(api)?;
        let mut lines = LogLines::default();
        let wait = async {
            let mut s = self.docker.wait_container(name, None);
            let mut code = 0;
            while let Some(r) = s.next().await {
                match r {
                    Ok(w) => code = w.status_code,
                    Err(BollardError::DockerContainerWaitError { code: c, .. }) => code = c,
                    Err(e) => return Err(api(e)),
                }
            }
            Ok(code)
        };
        let follow = async {
            let opts = LogsOptionsBuilder::default()
                .follow(true)
                .stdout(true)
                .stderr(true)
                .build();
            let mut s = self.docker.logs(name, Some(opts));
            while let Some(Ok(chunk)) = s.next().await {
                lines.push(&chunk.into_bytes(), reporter);
            }
        };
        // The exit decides; the output stream gets a moment to drain after it (podman's
        // may stay open), and whatever it missed is read once more below.
        let both = async {
            let mut wait = std::pin::pin!(wait);
            let mut follow = std::pin::pin!(follow);
            let mut followed = false;
            let code = loop {
                tokio::select! {
                    c = &mut wait => break c,
                    () = &mut follow, if !followed => followed = true,
                }
            };
            if !followed {
                let _ = tokio::time::timeout(Duration::from_millis(500), follow).await;
            }
            code
        };
        let ran = tokio::select! {
            r = tokio::time::timeout(spec.timeout, both) => Some(r),
            () = reporter.cancel_token().cancelled() => None,
        };
        let code = match ran {
            Some(Ok(c)) => Some(c?),
            Some(Err(_)) | None => {
                let kill = KillContainerOptionsBuilder::default()
                    .signal("KILL")
                    .build();
                let _ = self.docker.kill_container(name, Some(kill)).await;
                if ran.is_none() {
                    return Err(EngineError::Cancelled);
                }
                None
            }
        };
        // A following reader misses a last line without a line break: the whole output,
        // read once more, gives the lines not yet reported.
        let full = self.logs(name).await;
        lines.finish(&full, reporter);
        let logs = lines.text();
        match code {
            Some(0) => Ok(RunOutcome { exit_code: 0, logs }),
            Some(c) => Err(EngineError::RunFailed {
                what: format!("exited with status {c}"),
                logs: lines.last(30),
            }),
            None => Err(EngineError::RunFailed {
                what: format!(
                    "timed out after {} s and was stopped",
                    spec.timeout.as_secs()
                ),
                logs: lines.last(30),
            }),
        }
    }

    /// A container's whole output so far (stdout and stderr, interleaved).
    async fn logs(&self, name: &str) -> Vec<u8> {
        let opts = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .build();
        let mut s = self.docker.logs(name, Some(opts));
        let mut out = Vec::new();
        while let Some(Ok(chunk)) = s.next().await {
            out.extend_from_slice(&chunk.into_bytes());
        }
        out
    }
}

/// A container's output as it streams: complete lines are reported (secrets masked) and
/// the last few hundred kept for the outcome and for error messages.
#[derive(Default)]
struct LogLines {
    partial: Vec<u8>,
    kept: std::collections::VecDeque<String>,
    /// Lines reported so far.
    lines: usize,
}

impl LogLines {
    const KEEP: usize = 400;

    fn push(&mut self, bytes: &[u8], reporter: &Reporter) {
        self.partial.extend_from_slice(bytes);
        while let Some(i) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=i).collect();
            self.line(&line[..line.len() - 1], reporter);
        }
    }

    fn finish(&mut self, full: &[u8], reporter: &Reporter) {
        self.partial.clear();
        let full = full.strip_suffix(b"\n").unwrap_or(full);
        if full.is_empty() {
            return;
        }
        let seen = self.lines;
        // Only a read that repeats what was streamed is the same output (an engine may
        // answer this read with an error reply instead: podman does at times).
        let first = self.kept.front().map(String::as_bytes);
        let head = full
            .split(|b| *b == b'\n')
            .next()
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        if seen > 0 && self.kept.len() == seen && head != first {
            return;
        }
        for line in full.split(|b| *b == b'\n').skip(seen) {
            self.line(line, reporter);
        }
    }

    fn line(&mut self, bytes: &[u8], reporter: &Reporter) {
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        reporter.log(nskit_secret::redact(&text));
        self.lines += 1;
        if self.kept.len() == Self::KEEP {
            self.kept.pop_front();
        }
        self.kept.push_back(text);
    }

    fn last(&self, n: usize) -> String {
        let skip = self.kept.len().saturating_sub(n);
        let mut out = String::new();
        for l in self.kept.iter().skip(skip) {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    fn text(&self) -> String {
        self.last(Self::KEEP)
    }
}
