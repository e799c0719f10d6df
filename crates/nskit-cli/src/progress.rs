//! The CLI's [`Reporter`]: on a terminal, a spinner naming the step under way that turns
//! into a byte bar while an image moves, with each container line printed above it; off a
//! terminal, one line per finished transfer and per task. Ctrl-C cancels the operation
//! (cleanly: nothing is left behind); a second Ctrl-C stops at once.
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use nskit::progress::{CancellationToken, Direction, Event, Reporter, Step, StepState};

/// The exit status after Ctrl-C (128 + SIGINT), as shells expect.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The process's cancel token, fired by Ctrl-C.
fn interrupt() -> &'static CancellationToken {
    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let token = CancellationToken::new();
        let fired = token.clone();
        // Without a handler (another one is installed), Ctrl-C keeps its default effect.
        let _ = ctrlc::set_handler(move || {
            if fired.is_cancelled() {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
            eprintln!("\ncancelling… (press Ctrl-C again to stop at once)");
            fired.cancel();
        });
        token
    })
}

fn step_label(step: Step) -> &'static str {
    match step {
        Step::Resolve => "resolving",
        Step::Pull => "pulling",
        Step::Generate => "running the recipe",
        Step::Render => "rendering",
        Step::Tasks => "running tasks",
        Step::Write => "writing",
        Step::Commit => "committing",
        Step::CreateRepository => "creating the repository",
        Step::Push => "pushing",
        Step::Plan => "planning the update",
        Step::Apply => "applying",
        Step::Build => "building",
        Step::Publish => "publishing",
    }
}

struct Terminal {
    bar: Option<ProgressBar>,
    tty: bool,
    step: Option<(Step, String)>,
}

impl Terminal {
    fn spinner(&mut self) -> &ProgressBar {
        self.bar.get_or_insert_with(|| {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        })
    }

    /// A line above the bar (or plain, off a terminal).
    fn line(&mut self, text: &str) {
        match &self.bar {
            Some(b) => b.println(nskit::secret::redact(text)),
            None => errln!("{text}"),
        }
    }

    fn clear(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }

    fn event(&mut self, e: &Event) {
        match e {
            Event::Step {
                step,
                state: StepState::Started,
                detail,
            } => {
                let label = match detail {
                    Some(d) => format!("{} {d}", step_label(*step)),
                    None => step_label(*step).to_string(),
                };
                self.step = Some((*step, label.clone()));
                if self.tty {
                    let b = self.spinner();
                    b.set_style(
                        ProgressStyle::with_template("{spinner} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    b.set_message(nskit::secret::redact(&label).into_owned());
                }
            }
            Event::Step { .. } => {
                self.step = None;
                self.clear();
            }
            Event::Transfer {
                direction,
                image,
                layers_done,
                layers_total,
                bytes_done,
                bytes_total,
                done,
            } => {
                if *done {
                    self.clear();
                    let past = match direction {
                        Direction::Pull => "pulled",
                        Direction::Push => "pushed",
                    };
                    errln!(
                        "{past} {image} ({layers_total} layers, {})",
                        HumanBytes(*bytes_total)
                    );
                    return;
                }
                if !self.tty {
                    return;
                }
                let verb = match direction {
                    Direction::Pull => "pulling",
                    Direction::Push => "pushing",
                };
                let b = self.spinner();
                b.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                b.set_length((*bytes_total).max(1));
                b.set_position(*bytes_done);
                b.set_message(format!(
                    "{verb} {image} ({layers_done}/{layers_total} layers)"
                ));
            }
            Event::Log { line } => {
                if self.tty {
                    self.line(&format!("  │ {line}"));
                }
            }
            Event::Task { name, index, total } => {
                self.line(&format!("task {index}/{total}: {name}"));
            }
            Event::Files { done, total } => {
                if self.tty
                    && let Some((_, label)) = &self.step
                {
                    let msg = format!("{label} ({done}/{total} files)");
                    self.spinner().set_message(msg);
                }
            }
            Event::Warning { message } => self.line(&format!("warning: {message}")),
        }
    }
}

/// A reporter drawing on standard error, cancelled by Ctrl-C.
pub(crate) fn terminal() -> Reporter {
    let state = Mutex::new(Terminal {
        bar: None,
        tty: std::io::stderr().is_terminal(),
        step: None,
    });
    Reporter::new(move |e| {
        if let Ok(mut t) = state.lock() {
            t.event(e);
        }
    })
    .with_cancel(interrupt().clone())
}
