//! The progress bar of an indexing run: a spinner while the corpus is
//! still being counted, then a bar with the share done and the time left.
//!
//! The walk that feeds the indexer streams, so the number of files is not
//! known when indexing starts. A second walk counts them on its own thread
//! (about a second per 100,000 files with a warm disk cache); once it is done
//! the spinner becomes a bar.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::ingest;

const SPINNER: &str = "{spinner} indexing: {pos} files checked, {msg} ({per_sec}, {elapsed})";
const COMMITTING: &str =
    "{spinner} committing and merging segments: {pos} files checked, {msg}, {elapsed}";
const BAR: &str = "indexing {wide_bar} {pos}/{len} files, {msg}, {elapsed}, about {eta} left";

/// Progress of one indexing run; hidden unless asked for.
pub struct Progress {
    bar: ProgressBar,
    total: Arc<OnceLock<u64>>,
    stop: Arc<AtomicBool>,
    has_length: bool,
}

impl Progress {
    /// A bar drawn on stderr when `visible`, counting the files of `corpus`
    /// in the background; a hidden one (and no count) otherwise.
    pub fn new(corpus: &Path, visible: bool) -> Progress {
        let bar = if visible {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(style(SPINNER));
        let progress = Progress {
            bar,
            total: Arc::new(OnceLock::new()),
            stop: Arc::new(AtomicBool::new(false)),
            has_length: false,
        };
        if visible {
            progress.count_in_background(corpus);
        }
        progress
    }

    /// Starts the walk that counts the corpus's files, as the indexing walk
    /// will meet them (articles and the problems it reports).
    pub fn count_in_background(&self, corpus: &Path) {
        let (total, stop, corpus) = (
            Arc::clone(&self.total),
            Arc::clone(&self.stop),
            corpus.to_path_buf(),
        );
        let spawned = thread::Builder::new()
            .name("dossier-count".to_string())
            .spawn(move || {
                let Ok(walk) = ingest::walk(&corpus) else {
                    return;
                };
                let mut count = 0u64;
                for _ in walk {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    count += 1;
                }
                let _ = total.set(count);
            });
        // Without the thread the spinner simply stays.
        drop(spawned);
    }

    /// One more file checked; once the count is in, the spinner becomes a bar.
    pub fn inc(&mut self) {
        self.bar.inc(1);
        if !self.has_length {
            if let Some(&total) = self.total.get() {
                self.bar.set_length(total);
                self.bar.set_style(style(BAR));
                self.has_length = true;
            }
        }
    }

    /// Shows `message` beside the count.
    pub fn set_message(&mut self, message: String) {
        self.bar.set_message(message);
    }

    /// The number of files counted, once the count is done.
    #[cfg(test)]
    fn total(&self) -> Option<u64> {
        self.total.get().copied()
    }

    /// Says the last commit and merges are under way, which can take a while
    /// on a large index, and stops counting.
    pub fn committing(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.bar.set_style(style(COMMITTING));
        self.bar.enable_steady_tick(Duration::from_millis(120));
    }

    /// Clears the bar and stops the count if it is still going.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    /// A run that fails half-way (a commit refused, say) leaves no bar or
    /// ticking spinner behind its error message.
    fn drop(&mut self) {
        self.finish();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_progress_stops_the_count_and_clears_the_bar() {
        let dir = tempfile::tempdir().unwrap();
        let progress = Progress::new(dir.path(), false);
        let (stop, bar) = (Arc::clone(&progress.stop), progress.bar.clone());
        drop(progress);
        assert!(stop.load(Ordering::Relaxed));
        assert!(bar.is_finished());
    }
    use std::time::Instant;

    #[test]
    fn the_background_count_matches_the_files_the_indexer_walks() {
        let dir = tempfile::tempdir().unwrap();
        for (i, name) in ["a.txt", "b/c.txt", "b/d/e.txt", "f.md", ".hidden/g.txt"]
            .iter()
            .enumerate()
        {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!(" date 2024-01-0{} text", i + 1)).unwrap();
        }
        std::fs::write(dir.path().join("notes.pdf"), "not an article").unwrap();
        let mut progress = Progress::new(dir.path(), false);
        progress.count_in_background(dir.path());
        let started = Instant::now();
        while progress.total().is_none() && started.elapsed() < Duration::from_secs(30) {
            thread::sleep(Duration::from_millis(5));
        }
        let walked = ingest::walk(dir.path()).unwrap().count() as u64;
        assert_eq!(progress.total(), Some(walked));
        assert!(walked >= 3, "{walked} files walked");
        progress.inc();
        assert_eq!(progress.bar.length(), Some(walked));
    }
}
