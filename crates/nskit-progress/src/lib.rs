//! Progress and cancellation of long operations. Every layer that does slow work (resolving
//! and fetching a recipe, pulling an image, running a container, rendering, tasks, writing,
//! committing, creating a repository and pushing, planning and applying an update) reports
//! [`Event`]s to the one [`Reporter`] its caller passes with the call, and stops when that
//! reporter's cancel token fires. The faces implement the sink: bars in the CLI, a channel
//! per call in the desktop app, server-sent events in a web API.
#![deny(missing_docs)]

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

pub use tokio_util::sync::CancellationToken;

/// A stage of a long operation, in the order they usually come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Step {
    /// Finding the recipe version and loading it.
    Resolve,
    /// Pulling the recipe's image.
    Pull,
    /// Running the recipe's program in its image.
    Generate,
    /// Rendering the templates.
    Render,
    /// Running the recipe's tasks.
    Tasks,
    /// Writing the files.
    Write,
    /// Committing them.
    Commit,
    /// Creating the repository on the git host.
    CreateRepository,
    /// Pushing to it.
    Push,
    /// Computing an update's plan.
    Plan,
    /// Applying an update.
    Apply,
    /// Building a recipe image.
    Build,
    /// Pushing a recipe image to its registry.
    Publish,
}

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StepState {
    /// It began.
    Started,
    /// It ended well.
    Finished,
    /// It failed (the operation's error says why).
    Failed,
    /// It was cancelled.
    Cancelled,
}

/// Whether a transfer goes from a registry or to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Direction {
    /// From a registry to the engine.
    Pull,
    /// From the engine to a registry.
    Push,
}

/// Something a long operation reports.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum Event {
    /// A step began or ended.
    Step {
        /// Which.
        step: Step,
        /// How it is going.
        state: StepState,
        /// What it works on (an image, a recipe and version, a repository), for people.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        detail: Option<String>,
    },
    /// A pull or push moved on: totals over the layers seen so far.
    Transfer {
        /// Pull or push.
        direction: Direction,
        /// The image.
        image: String,
        /// Layers finished.
        layers_done: u32,
        /// Layers seen so far.
        layers_total: u32,
        /// Bytes moved, in layers of known size.
        #[ts(type = "number")]
        bytes_done: u64,
        /// The size of those layers.
        #[ts(type = "number")]
        bytes_total: u64,
        /// Whether the transfer is over.
        done: bool,
    },
    /// A line a container printed (secrets masked).
    Log {
        /// The line, without its line break.
        line: String,
    },
    /// A recipe task began.
    Task {
        /// Its name.
        name: String,
        /// Its place, from 1.
        index: u32,
        /// How many tasks run.
        total: u32,
    },
    /// Files done of a known number (rendering, writing).
    Files {
        /// Done so far.
        done: u32,
        /// In all.
        total: u32,
    },
    /// Something the user should know that does not stop the operation.
    Warning {
        /// What.
        message: String,
    },
}

/// The operation was cancelled through its [`Reporter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled; nothing was left behind")
    }
}

impl std::error::Error for Cancelled {}

type Sink = dyn Fn(&Event) + Send + Sync;

/// Where a long operation reports its events, and how it learns it should stop. Cheap to
/// clone: clones share the sink and the cancel token.
#[derive(Clone)]
pub struct Reporter {
    sink: Option<Arc<Sink>>,
    cancel: CancellationToken,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("reports", &self.sink.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .finish()
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Reporter::silent()
    }
}

impl Reporter {
    /// A reporter that drops every event and is never cancelled (unless its token is).
    pub fn silent() -> Reporter {
        Reporter {
            sink: None,
            cancel: CancellationToken::new(),
        }
    }

    /// A reporter sending every event to `sink`.
    pub fn new(sink: impl Fn(&Event) + Send + Sync + 'static) -> Reporter {
        Reporter {
            sink: Some(Arc::new(sink)),
            cancel: CancellationToken::new(),
        }
    }

    /// The same sink, cancelled through `token`.
    pub fn with_cancel(mut self, token: CancellationToken) -> Reporter {
        self.cancel = token;
        self
    }

    /// The token that cancels the operation (`cancel()` it from any thread).
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Asks the operation to stop.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether the operation was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// `Err(Cancelled)` once the operation was asked to stop: call it between units of work.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Reports an event.
    pub fn emit(&self, event: Event) {
        if let Some(sink) = &self.sink {
            sink(&event);
        }
    }

    /// Reports a line a container printed.
    pub fn log(&self, line: impl Into<String>) {
        if self.sink.is_some() {
            self.emit(Event::Log { line: line.into() });
        }
    }

    /// Reports a warning.
    pub fn warn(&self, message: impl Into<String>) {
        if self.sink.is_some() {
            self.emit(Event::Warning {
                message: message.into(),
            });
        }
    }

    /// Starts a step: reported now, and again when the guard is finished or dropped
    /// (dropped unfinished, it ends as failed, or cancelled when the token fired).
    pub fn step(&self, step: Step, detail: impl Into<Option<String>>) -> StepGuard<'_> {
        self.emit(Event::Step {
            step,
            state: StepState::Started,
            detail: detail.into(),
        });
        StepGuard {
            reporter: self,
            step,
            open: true,
        }
    }
}

/// A step in progress; see [`Reporter::step`].
#[must_use = "a step ends when its guard is finished or dropped"]
#[derive(Debug)]
pub struct StepGuard<'a> {
    reporter: &'a Reporter,
    step: Step,
    open: bool,
}

impl StepGuard<'_> {
    /// The step ended well.
    pub fn finish(mut self) {
        self.end(StepState::Finished);
    }

    fn end(&mut self, state: StepState) {
        if std::mem::take(&mut self.open) {
            self.reporter.emit(Event::Step {
                step: self.step,
                state,
                detail: None,
            });
        }
    }
}

impl Drop for StepGuard<'_> {
    fn drop(&mut self) {
        let state = if self.reporter.is_cancelled() {
            StepState::Cancelled
        } else {
            StepState::Failed
        };
        self.end(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn recording() -> (Reporter, Arc<Mutex<Vec<Event>>>) {
        let seen: Arc<Mutex<Vec<Event>>> = Arc::default();
        let s = seen.clone();
        let r = Reporter::new(move |e| s.lock().expect("lock").push(e.clone()));
        (r, seen)
    }

    fn states(seen: &Mutex<Vec<Event>>) -> Vec<(Step, StepState)> {
        seen.lock()
            .expect("lock")
            .iter()
            .filter_map(|e| match e {
                Event::Step { step, state, .. } => Some((*step, *state)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_step_ends_finished_failed_or_cancelled() {
        let (r, seen) = recording();
        r.step(Step::Render, None).finish();
        drop(r.step(Step::Write, Some("out".to_string())));
        r.cancel();
        drop(r.step(Step::Pull, None));
        assert_eq!(
            states(&seen),
            [
                (Step::Render, StepState::Started),
                (Step::Render, StepState::Finished),
                (Step::Write, StepState::Started),
                (Step::Write, StepState::Failed),
                (Step::Pull, StepState::Started),
                (Step::Pull, StepState::Cancelled),
            ]
        );
    }

    #[test]
    fn clones_share_the_cancel_token_and_the_sink() {
        let (r, seen) = recording();
        let other = r.clone();
        assert!(r.check().is_ok());
        other.cancel();
        assert_eq!(r.check(), Err(Cancelled));
        r.log("hello");
        assert_eq!(
            seen.lock().expect("lock").as_slice(),
            [Event::Log {
                line: "hello".into()
            }]
        );
        // A silent reporter still carries a token that works.
        let silent = Reporter::silent();
        silent.cancel();
        assert!(silent.is_cancelled());
    }

    #[test]
    fn events_serialise_as_the_ui_reads_them() {
        let e = Event::Transfer {
            direction: Direction::Pull,
            image: "reg/acme/py:1".into(),
            layers_done: 1,
            layers_total: 3,
            bytes_done: 10,
            bytes_total: 30,
            done: false,
        };
        let json = serde_json_string(&e);
        assert!(json.contains("\"event\":\"transfer\""), "{json}");
        assert!(json.contains("\"bytesDone\":10"), "{json}");
        let s = serde_json_string(&Event::Step {
            step: Step::CreateRepository,
            state: StepState::Started,
            detail: None,
        });
        assert_eq!(
            s,
            "{\"event\":\"step\",\"step\":\"createRepository\",\"state\":\"started\"}"
        );
    }

    #[tokio::test]
    async fn the_token_wakes_async_waiters() {
        let r = Reporter::silent();
        let token = r.cancel_token().clone();
        let waiter = tokio::spawn(async move { token.cancelled().await });
        r.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
    }

    fn serde_json_string<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).expect("serialises")
    }
}
