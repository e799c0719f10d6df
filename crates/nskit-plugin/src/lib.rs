//! The plug-in protocol, version 1: how nskit talks to a program that serves a backend
//! type (`nskit-backend-<type>`) or a git host provider (`nskit-vcs-<name>`).
//!
//! One request per run: nskit starts the program, writes one JSON object to its stdin and
//! closes it, and reads one JSON object from its stdout. Whatever the program writes to
//! stderr is its log (shown live, secrets masked). The request is
//! `{"protocol": 1, "method": "...", "config": {...}, "params": {...}}`; the reply is
//! `{"protocol": 1, "result": ...}` or
//! `{"protocol": 1, "error": {"code": "...", "message": "...", "details": ...}}`.
//! A program that answers with another `protocol` number than the request's is refused
//! with a message saying which versions each side speaks. The methods of each kind of
//! plug-in are documented in `docs/plugin-protocol.md`.
//!
//! A run has a time limit; past it, or when the operation is cancelled, the program and
//! every process it started are killed. Nothing a program prints can make nskit panic:
//! every failure is a [`PluginError`] that names the program.
#![deny(missing_docs)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nskit_progress::Reporter;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version this nskit speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest reply read from a plug-in's stdout.
pub const MAX_REPLY_BYTES: u64 = 16 * 1024 * 1024;

/// How many of the last stderr lines an error quotes.
const STDERR_TAIL: usize = 12;

/// What can go wrong talking to a plug-in. Each message names the program.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The name is not one a plug-in can have.
    #[error("`{name}` cannot name a plug-in: use lower-case letters, digits, `-` and `_`")]
    BadName {
        /// The name given.
        name: String,
    },
    /// No such program on PATH.
    #[error(
        "no plug-in `{program}` on PATH: install it, or give its path as `command:` in the configuration"
    )]
    NotFound {
        /// The program looked for.
        program: String,
    },
    /// The program could not be started.
    #[error("cannot start the plug-in {program}: {source}")]
    Start {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The program did not answer in time and was stopped.
    #[error(
        "the plug-in {program} did not answer `{method}` within {secs} s and was stopped (raise `timeout_secs` in its configuration if it needs longer)"
    )]
    TimedOut {
        /// The program.
        program: String,
        /// The request.
        method: String,
        /// The limit.
        secs: u64,
    },
    /// The program ended without an answer (it failed or crashed).
    #[error("the plug-in {program} {status} on `{method}` without an answer{}", tail(.stderr))]
    Exited {
        /// The program.
        program: String,
        /// The request.
        method: String,
        /// How it ended ("exited with status 3", "was killed by signal 11").
        status: String,
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
    /// The program's stdout is not the protocol.
    #[error(
        "the plug-in {program} answered `{method}` with something that is not nskit's plug-in protocol ({problem}){}. A plug-in writes one JSON object to stdout and its log to stderr",
        excerpt(.output)
    )]
    NotProtocol {
        /// The program.
        program: String,
        /// The request.
        method: String,
        /// What is wrong with it.
        problem: String,
        /// The start of what it printed.
        output: String,
    },
    /// The program speaks another version of the protocol.
    #[error(
        "the plug-in {program} speaks protocol version {theirs}; this nskit speaks version {PROTOCOL_VERSION}: install a version of the plug-in for protocol {PROTOCOL_VERSION} (or an nskit that speaks {theirs})"
    )]
    Version {
        /// The program.
        program: String,
        /// The version it answered with.
        theirs: u64,
    },
    /// The program answered with an error of its own.
    #[error("{}: {}", .0.program, .0.message)]
    Refused(Box<Refusal>),
    /// The operation was cancelled; the program was stopped.
    #[error("cancelled")]
    Cancelled,
}

/// An error a plug-in answered with.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The program.
    pub program: String,
    /// The request.
    pub method: String,
    /// Its error code (`not_found`, `config`, `unauthorized`, `unavailable`, ...).
    pub code: String,
    /// Its message.
    pub message: String,
    /// Anything else it said.
    pub details: Value,
}

fn tail(lines: &[String]) -> String {
    if lines.is_empty() {
        String::new()
    } else {
        format!("; its last output:\n  {}", lines.join("\n  "))
    }
}

fn excerpt(output: &str) -> String {
    let t = output.trim();
    if t.is_empty() {
        return String::new();
    }
    let cut: String = t.chars().take(200).collect();
    let more = if cut.len() < t.len() { "…" } else { "" };
    format!(": `{cut}{more}`")
}

#[derive(Serialize)]
struct Request<'a> {
    protocol: u32,
    method: &'a str,
    config: &'a Value,
    params: &'a Value,
}

#[derive(Deserialize)]
struct Reply {
    protocol: Option<Value>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<ReplyError>,
}

#[derive(Deserialize)]
struct ReplyError {
    #[serde(default)]
    code: String,
    message: String,
    #[serde(default)]
    details: Value,
}

/// A plug-in program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    program: PathBuf,
    label: String,
}

/// Whether `name` can be the tail of a plug-in's program name (no paths, no surprises).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !name.starts_with('-')
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

/// Every plug-in on PATH whose program name starts with `prefix` (`nskit-backend-`), by
/// the rest of its name, sorted; the first on PATH wins, as a shell would pick it.
pub fn on_path(prefix: &str) -> Vec<(String, Plugin)> {
    in_dirs(prefix, &path_dirs())
}

fn in_dirs(prefix: &str, dirs: &[PathBuf]) -> Vec<(String, Plugin)> {
    let mut found: Vec<(String, Plugin)> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(name) = file.strip_prefix(prefix) else {
                continue;
            };
            if valid_name(name) && !found.iter().any(|(n, _)| n == name) && is_executable(&e.path())
            {
                found.push((name.to_string(), Plugin::new(e.path())));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

impl Plugin {
    /// The plug-in at `program` (a path, or a name looked up on PATH when it runs).
    pub fn new(program: impl Into<PathBuf>) -> Plugin {
        let program = program.into();
        let label = program
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| program.display().to_string());
        Plugin { program, label }
    }

    /// The program `<prefix><name>` on PATH (`nskit-backend-s3`).
    pub fn find(prefix: &str, name: &str) -> Result<Plugin, PluginError> {
        Self::find_in(prefix, name, &path_dirs())
    }

    fn find_in(prefix: &str, name: &str, dirs: &[PathBuf]) -> Result<Plugin, PluginError> {
        if !valid_name(name) {
            return Err(PluginError::BadName { name: name.into() });
        }
        let program = format!("{prefix}{name}");
        dirs.iter()
            .map(|d| d.join(&program))
            .find(|p| is_executable(p))
            .map(Plugin::new)
            .ok_or(PluginError::NotFound { program })
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Its name, for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sends one request and returns the plug-in's `result`. The plug-in's stderr goes to
    /// `reporter` as log lines (registered secrets masked); past `timeout`, or when the
    /// reporter is cancelled, the plug-in and its processes are killed.
    pub fn call(
        &self,
        method: &str,
        config: &Value,
        params: &Value,
        timeout: Duration,
        reporter: &Reporter,
    ) -> Result<Value, PluginError> {
        reporter.check().map_err(|_| PluginError::Cancelled)?;
        let program = self.label.clone();
        let request = serde_json::to_vec(&Request {
            protocol: PROTOCOL_VERSION,
            method,
            config,
            params,
        })
        .map_err(|e| PluginError::Start {
            program: program.clone(),
            source: std::io::Error::other(e),
        })?;

        let mut cmd = Command::new(&self.program);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("NSKIT_PLUGIN_PROTOCOL", PROTOCOL_VERSION.to_string());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group, so that stopping it stops what it started too.
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => PluginError::NotFound {
                program: self.program.display().to_string(),
            },
            _ => PluginError::Start {
                program: program.clone(),
                source,
            },
        })?;

        // Write the request from a thread: a plug-in that does not read its stdin must not
        // block nskit.
        let stdin = child.stdin.take();
        std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(&request);
                let _ = stdin.write_all(b"\n");
            }
        });
        let (out_tx, out_rx) = mpsc::channel();
        let stdout = child.stdout.take();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(out) = stdout {
                let _ = out.take(MAX_REPLY_BYTES + 1).read_to_end(&mut buf);
            }
            let _ = out_tx.send(buf);
        });
        let (err_tx, err_rx) = mpsc::channel();
        let stderr = child.stderr.take();
        let log = reporter.clone();
        std::thread::spawn(move || {
            let mut last: VecDeque<String> = VecDeque::new();
            if let Some(err) = stderr {
                for line in BufReader::new(err).split(b'\n') {
                    let Ok(line) = line else { break };
                    let line = String::from_utf8_lossy(&line);
                    let line: String = line.trim_end().chars().take(4096).collect();
                    let line = nskit_secret::redact(&line).into_owned();
                    log.log(line.clone());
                    if last.len() == STDERR_TAIL {
                        last.pop_front();
                    }
                    last.push_back(line);
                }
            }
            let _ = err_tx.send(Vec::from(last));
        });

        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(source) => {
                    stop(&mut child);
                    return Err(PluginError::Start { program, source });
                }
            }
            if reporter.is_cancelled() {
                stop(&mut child);
                return Err(PluginError::Cancelled);
            }
            if started.elapsed() >= timeout {
                stop(&mut child);
                return Err(PluginError::TimedOut {
                    program,
                    method: method.into(),
                    secs: timeout.as_secs().max(1),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Whatever it left running goes with it (and stops holding the pipes open).
        kill_group(&child);
        let grace = Duration::from_secs(2);
        let output = out_rx.recv_timeout(grace).unwrap_or_default();
        let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
        self.reply(method, status, &output, stderr)
    }

    fn reply(
        &self,
        method: &str,
        status: ExitStatus,
        output: &[u8],
        stderr: Vec<String>,
    ) -> Result<Value, PluginError> {
        let program = self.label.clone();
        let not_protocol = |problem: String| PluginError::NotProtocol {
            program: program.clone(),
            method: method.into(),
            problem,
            output: String::from_utf8_lossy(output).into_owned(),
        };
        let exited = || PluginError::Exited {
            program: program.clone(),
            method: method.into(),
            status: describe_status(status),
            stderr: stderr.clone(),
        };
        if output.len() as u64 > MAX_REPLY_BYTES {
            return Err(not_protocol(format!(
                "the answer is over {} MiB",
                MAX_REPLY_BYTES / 1024 / 1024
            )));
        }
        if output.iter().all(u8::is_ascii_whitespace) {
            return Err(if status.success() {
                not_protocol("it printed nothing".into())
            } else {
                exited()
            });
        }
        let reply: Reply = match serde_json::from_slice(output) {
            Ok(r) => r,
            Err(_) if !status.success() => return Err(exited()),
            Err(e) => return Err(not_protocol(format!("not one JSON object: {e}"))),
        };
        match reply.protocol.as_ref().and_then(Value::as_u64) {
            Some(v) if v == u64::from(PROTOCOL_VERSION) => {}
            Some(theirs) => return Err(PluginError::Version { program, theirs }),
            None => return Err(not_protocol("no numeric `protocol` field".into())),
        }
        if let Some(e) = reply.error {
            return Err(PluginError::Refused(Box::new(Refusal {
                program,
                method: method.into(),
                code: e.code,
                message: nskit_secret::redact(&e.message).into_owned(),
                details: e.details,
            })));
        }
        if !status.success() {
            return Err(exited());
        }
        reply
            .result
            .ok_or_else(|| not_protocol("neither `result` nor `error`".into()))
    }
}

fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => "ended".into(),
    }
}

fn kill_group(child: &Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    {
        let _ = child;
    }
}

fn stop(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests;
