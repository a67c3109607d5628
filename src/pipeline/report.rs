//! Progress of a run, told to whoever watches: a bar on a terminal (in the
//! command line's front end), JSON events for scripts and servers, or
//! nobody.

use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{FileMessage, IndexSummary};

/// How far a run has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Source files (and places the walk could not enter) looked at.
    pub sources_checked: u64,
    /// Articles written to the sink.
    pub articles_written: u64,
    /// Bytes of article text read.
    pub bytes_read: u64,
}

/// Told what a run does, as it does it. Every method has a default that
/// ignores the news.
pub trait Reporter {
    /// Whether it shows how many source files there are in all. The walk
    /// then runs ahead of the indexing to count them, holding the paths it
    /// found until they are indexed; otherwise it stays a little ahead.
    fn wants_total(&self) -> bool {
        false
    }

    /// The walk is over: the corpus holds `sources` source files (and
    /// places that could not be entered).
    fn walk_finished(&mut self, _sources: u64) {}

    /// The run got further.
    fn progress(&mut self, _progress: &Progress) {}

    /// A file, or an article of one, was skipped.
    fn skipped(&mut self, _message: &FileMessage) {}

    /// An article was written with a caveat.
    fn warned(&mut self, _message: &FileMessage) {}

    /// A commit was made.
    fn committed(&mut self, _commits: usize) {}

    /// The last commit, and the merges after it, are under way.
    fn finishing(&mut self) {}

    /// The run is over.
    fn finished(&mut self, _summary: &IndexSummary) {}
}

/// Tells nobody.
pub struct Silent;

impl Reporter for Silent {}

/// Writes one JSON object a line for each event (progress at most every
/// `interval`), for a script or a server to follow a run:
///
/// ```json
/// {"event":"walked","sources":78}
/// {"event":"progress","sources_checked":40,"articles_written":38,"bytes_read":91234,"sources_total":78}
/// {"event":"skipped","path":"corpus/x.txt","reason":"empty file"}
/// {"event":"committed","commits":1}
/// {"event":"finishing"}
/// {"event":"finished","added":78,"updated":0,"removed":0,"unchanged":0,"skipped":1,"warnings":0,"elapsed_s":0.61}
/// ```
pub struct JsonEvents<W: Write> {
    out: W,
    interval: Duration,
    last: Option<Instant>,
    total: Option<u64>,
    latest: Progress,
}

impl<W: Write> JsonEvents<W> {
    /// Events to `out`, progress at most every `interval`.
    pub fn new(out: W, interval: Duration) -> JsonEvents<W> {
        JsonEvents {
            out,
            interval,
            last: None,
            total: None,
            latest: Progress::default(),
        }
    }

    /// The writer, back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn emit(&mut self, event: &impl Serialize) {
        // A reader that went away is no reason to stop indexing.
        if serde_json::to_writer(&mut self.out, event).is_ok() {
            let _ = self.out.write_all(b"\n");
            let _ = self.out.flush();
        }
    }

    fn emit_progress(&mut self) {
        #[derive(Serialize)]
        struct Event<'a> {
            event: &'a str,
            #[serde(flatten)]
            progress: Progress,
            sources_total: Option<u64>,
        }
        self.last = Some(Instant::now());
        let event = Event {
            event: "progress",
            progress: self.latest,
            sources_total: self.total,
        };
        self.emit(&event);
    }
}

#[derive(Serialize)]
struct Named<'a, T: Serialize> {
    event: &'a str,
    #[serde(flatten)]
    fields: T,
}

impl<W: Write> Reporter for JsonEvents<W> {
    fn wants_total(&self) -> bool {
        true
    }

    fn walk_finished(&mut self, sources: u64) {
        self.total = Some(sources);
        #[derive(Serialize)]
        struct Walked {
            sources: u64,
        }
        self.emit(&Named {
            event: "walked",
            fields: Walked { sources },
        });
    }

    fn progress(&mut self, progress: &Progress) {
        self.latest = *progress;
        if self.last.is_none_or(|last| last.elapsed() >= self.interval) {
            self.emit_progress();
        }
    }

    fn skipped(&mut self, message: &FileMessage) {
        self.emit(&Named {
            event: "skipped",
            fields: message,
        });
    }

    fn warned(&mut self, message: &FileMessage) {
        self.emit(&Named {
            event: "warning",
            fields: message,
        });
    }

    fn committed(&mut self, commits: usize) {
        #[derive(Serialize)]
        struct Committed {
            commits: usize,
        }
        self.emit(&Named {
            event: "committed",
            fields: Committed { commits },
        });
    }

    fn finishing(&mut self) {
        self.emit_progress();
        self.emit(&Named {
            event: "finishing",
            fields: (),
        });
    }

    fn finished(&mut self, summary: &IndexSummary) {
        #[derive(Serialize)]
        struct Finished {
            added: usize,
            updated: usize,
            removed: usize,
            unchanged: usize,
            skipped: usize,
            warnings: usize,
            commits: usize,
            elapsed_s: f64,
        }
        self.emit(&Named {
            event: "finished",
            fields: Finished {
                added: summary.added,
                updated: summary.updated,
                removed: summary.removed,
                unchanged: summary.unchanged,
                skipped: summary.skipped.len(),
                warnings: summary.warnings.len(),
                commits: summary.commits,
                elapsed_s: (summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_events_are_one_object_a_line_and_progress_is_throttled() {
        let mut events = JsonEvents::new(Vec::new(), Duration::from_secs(3600));
        for n in 1..=100 {
            events.progress(&Progress {
                sources_checked: n,
                ..Progress::default()
            });
        }
        events.walk_finished(100);
        events.skipped(&FileMessage {
            path: "corpus/a.txt".into(),
            reason: "empty file".into(),
        });
        events.finishing();
        events.finished(&IndexSummary::default());
        let out = String::from_utf8(events.into_inner()).unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "progress",
                "walked",
                "skipped",
                "progress",
                "finishing",
                "finished"
            ]
        );
        assert_eq!(lines[0]["sources_checked"], 1);
        assert_eq!(lines[3]["sources_checked"], 100);
        assert_eq!(lines[3]["sources_total"], 100);
        assert_eq!(lines[2]["path"], "corpus/a.txt");
    }
}
