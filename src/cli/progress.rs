//! The progress bar of `dossier index` on a terminal: a spinner while the
//! walk is still finding files, then a bar with the share done and the time
//! left, then a spinner while the last commit and merges run.
//!
//! It is the pipeline's [`Reporter`]: the walk that feeds the indexer runs
//! ahead of it on its own thread and says when it has found every file.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::pipeline::{IndexSummary, Progress, Reporter};

const SPINNER: &str = "{spinner} indexing: {pos} files checked, {msg} ({per_sec}, {elapsed})";
const FINISHING: &str =
    "{spinner} committing and merging segments: {pos} files checked, {msg}, {elapsed}";
const BAR: &str = "indexing {wide_bar} {pos}/{len} files, {msg}, {elapsed}, about {eta} left";

/// A progress bar on stderr (hidden when not visible).
pub struct TerminalProgress {
    bar: ProgressBar,
    written: u64,
}

impl TerminalProgress {
    /// A bar drawn on stderr when `visible`, a hidden one otherwise.
    pub fn new(visible: bool) -> TerminalProgress {
        let bar = if visible {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(style(SPINNER));
        bar.set_message("0 indexed");
        TerminalProgress { bar, written: 0 }
    }
}

impl Reporter for TerminalProgress {
    fn wants_total(&self) -> bool {
        !self.bar.is_hidden()
    }

    fn walk_finished(&mut self, sources: u64) {
        self.bar.set_length(sources);
        self.bar.set_style(style(BAR));
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.set_position(progress.sources_checked);
        if progress.articles_written != self.written {
            self.written = progress.articles_written;
            self.bar.set_message(format!("{} indexed", self.written));
        }
    }

    fn finishing(&mut self) {
        self.bar.set_style(style(FINISHING));
        self.bar.enable_steady_tick(Duration::from_millis(120));
    }

    fn finished(&mut self, _summary: &IndexSummary) {
        self.bar.finish_and_clear();
    }
}

impl Drop for TerminalProgress {
    /// A run that fails half-way (a commit refused, say) leaves no bar or
    /// ticking spinner behind its error message.
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spinner_becomes_a_bar_once_the_walk_is_counted_and_dropping_clears_it() {
        let mut progress = TerminalProgress::new(false);
        progress.progress(&Progress {
            sources_checked: 3,
            articles_written: 2,
            bytes_read: 10,
        });
        assert_eq!(progress.bar.length(), None);
        progress.walk_finished(7);
        assert_eq!(progress.bar.length(), Some(7));
        assert_eq!(progress.bar.position(), 3);
        let bar = progress.bar.clone();
        drop(progress);
        assert!(bar.is_finished());
    }
}
