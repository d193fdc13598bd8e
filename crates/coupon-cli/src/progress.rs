//! Progress bars on stderr: only on a terminal, never with `--json`.

use indicatif::{ProgressBar, ProgressStyle};

use crate::output::Output;

/// A bar of `len` steps (or a spinner when the length is unknown), or nothing at all
/// when progress must not be drawn.
pub fn bar(out: &Output, len: Option<u64>, what: &str) -> Option<ProgressBar> {
    if !out.shows_progress() {
        return None;
    }
    let bar = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_prefix(what.to_string());
    Some(bar)
}

/// Runs `f` with the bar hidden, so lines printed meanwhile are not torn.
pub fn suspend<R>(bar: Option<&ProgressBar>, f: impl FnOnce() -> R) -> R {
    match bar {
        Some(b) => b.suspend(f),
        None => f(),
    }
}
