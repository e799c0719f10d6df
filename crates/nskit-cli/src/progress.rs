//! Pull and push progress on the terminal: a bar of bytes with the layer count, or, when
//! standard error is not a terminal, one line when the transfer ends.
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nskit_engine::{DONE, Direction, Progress, ProgressFn};

/// A progress callback drawing on standard error.
pub(crate) fn terminal() -> Arc<ProgressFn> {
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let tty = std::io::stderr().is_terminal();
    Arc::new(move |p: &Progress| {
        let Ok(mut slot) = bar.lock() else { return };
        let verb = match p.direction {
            Direction::Pull => "pulling",
            Direction::Push => "pushing",
        };
        if p.status == DONE {
            if let Some(b) = slot.take() {
                b.finish_and_clear();
            }
            let past = match p.direction {
                Direction::Pull => "pulled",
                Direction::Push => "pushed",
            };
            errln!(
                "{past} {} ({} layers, {})",
                p.image,
                p.layers_total,
                indicatif::HumanBytes(p.bytes_total)
            );
            return;
        }
        if !tty {
            return;
        }
        let b = slot.get_or_insert_with(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        });
        b.set_length(p.bytes_total.max(1));
        b.set_position(p.bytes_done);
        b.set_message(format!(
            "{verb} {} ({}/{} layers)",
            p.image, p.layers_done, p.layers_total
        ));
    })
}
