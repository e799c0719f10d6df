use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use nskit::merge::{ConflictStyle, Labels, MergeOptions, is_binary, merge_lines};

use crate::args::MergeFileArgs;

/// As `git merge-file`: the exit status is the number of conflicts (at most 127); an error
/// is 255.
pub(crate) fn run(a: MergeFileArgs) -> anyhow::Result<ExitCode> {
    // Checked first, as git reads its options before the files.
    // Read here rather than by clap, so that a bad value exits 255 like every other error
    // of this command (1 to 127 count conflicts).
    let marker_size = match a
        .marker_size
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("`{}` is not a whole number", a.marker_size))
        .and_then(nskit::merge::marker_size)
    {
        Ok(n) => n,
        Err(m) => {
            errln!("error: --marker-size: {m}");
            return Ok(ExitCode::from(255));
        }
    };
    if a.labels.len() > 3 {
        anyhow::bail!("at most three -L labels (current, base, other)");
    }
    let read = |p: &std::path::Path| {
        std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (current, base, other) = (read(&a.current)?, read(&a.base)?, read(&a.other)?);
    for (p, bytes) in [(&a.current, &current), (&a.base, &base), (&a.other, &other)] {
        if is_binary(bytes) {
            errln!("error: cannot merge binary files: {}", p.display());
            return Ok(ExitCode::from(255));
        }
    }
    let label = |i: usize, p: &std::path::Path| {
        Some(
            a.labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| p.display().to_string()),
        )
    };
    let opts = MergeOptions {
        labels: Labels {
            ours: label(0, &a.current),
            base: label(1, &a.base),
            theirs: label(2, &a.other),
        },
        style: if a.diff3 {
            ConflictStyle::Diff3
        } else {
            ConflictStyle::Merge
        },
        marker_size,
    };
    let merged = merge_lines(&base, &current, &other, &opts);
    if a.stdout {
        std::io::stdout()
            .write_all(&merged.bytes)
            .context("cannot write the result")?;
    } else {
        std::fs::write(&a.current, &merged.bytes)
            .with_context(|| format!("cannot write {}", a.current.display()))?;
    }
    if merged.conflicts > 0 && !a.quiet {
        errln!(
            "warning: {} conflict{} in {}",
            merged.conflicts,
            if merged.conflicts == 1 { "" } else { "s" },
            a.current.display()
        );
    }
    Ok(ExitCode::from(merged.conflicts.min(127) as u8))
}
