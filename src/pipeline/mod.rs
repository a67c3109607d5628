//! The pipeline: source files → read ([`crate::source::format`]) → extract
//! ([`crate::extract`]) → a [`Sink`] (the Tantivy index, an NDJSON stream),
//! with progress told to a [`Reporter`].
//!
//! One walk of the corpus feeds it. A sink that remembers what it holds
//! (the index) says which source files it has, with their signatures: a
//! file whose signature is unchanged is not read, a changed one has all its
//! articles replaced, and the files it holds that the walk did not meet are
//! removed. A source file's articles reach the sink together, between two
//! commits, so a kill never leaves part of a file committed.

pub mod report;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use thiserror::Error;

use crate::extract::{declared, Extraction};
use crate::index::IndexError;
use crate::model::{Article, Document};
use crate::source::format::{ArticleProblem, Formats, Input};
use crate::source::{self, CorpusError, SkipReason, SourceFile, WalkProblem};
use crate::Engine;

pub use report::{JsonEvents, Progress, Reporter, Silent};

/// How many source files are read and extracted at once, in parallel,
/// between two chances to commit.
const MAX_BATCH_SOURCES: usize = 2_000;

/// Files larger than this are streamed by default (see
/// [`PipelineOptions::stream_above`]).
pub const STREAM_ABOVE_BYTES: u64 = 16 * 1024 * 1024;

/// A chunk of a streamed file holds at most this many bytes of text.
const STREAM_CHUNK_BYTES: usize = 16 * 1024 * 1024;

/// How many walked files may wait for the indexer when nobody shows a
/// total: the walk then costs the memory of this many paths.
const WALK_QUEUE: usize = 4_096;

/// What a sink holds of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// The file's signature when it was written.
    pub signature: u64,
    /// How many of its articles.
    pub articles: u64,
}

/// What a sink holds, by [`source_key`] of each source file.
pub type HeldSources = FxHashMap<u64, Held>;

/// The key of a source file's relative path in [`HeldSources`]: a hash, so
/// the map costs a few machine words a file whatever the paths' lengths.
pub fn source_key(relative: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(relative.as_bytes())
}

/// Where documents go.
pub trait Sink {
    /// The source files it already holds. Files it holds with the same
    /// signature are not read again.
    fn held(&mut self) -> Result<HeldSources, SinkError> {
        Ok(HeldSources::default())
    }

    /// For each source file of a batch, replaces whatever it holds from it
    /// (when `held`) by its documents, which may be none; in order.
    fn write_sources(&mut self, sources: Vec<SourceDocuments>) -> Result<(), SinkError>;

    /// Removes the source files among `gone` (keys of [`held`](Sink::held)
    /// that the walk did not meet).
    fn remove_sources(&mut self, gone: &HeldSources) -> Result<(), SinkError>;

    /// Makes everything written so far durable.
    fn commit(&mut self) -> Result<(), SinkError>;

    /// The last commit, and whatever must finish after it (merges).
    fn finish(&mut self) -> Result<(), SinkError>;
}

/// The documents of one source file, for a sink.
#[derive(Debug)]
pub struct SourceDocuments {
    /// The file.
    pub file: SourceFile,
    /// Its change signature.
    pub signature: u64,
    /// Whether the sink holds an earlier version of it.
    pub held: bool,
    /// Its articles now (none: it is to be removed).
    pub documents: Vec<Document>,
}

/// A sink could not take the documents.
#[derive(Debug, Error)]
pub enum SinkError {
    /// The index refused them.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// What stops a run as a whole (a bad file never does).
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The corpus folder is unusable.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The sink failed.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

impl From<PipelineError> for IndexError {
    fn from(error: PipelineError) -> IndexError {
        match error {
            PipelineError::Corpus(e) => IndexError::Corpus(e),
            PipelineError::Sink(SinkError::Index(e)) => e,
            PipelineError::Sink(e @ SinkError::Io { .. }) => IndexError::Other(e.to_string()),
        }
    }
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Today's date, for rejecting articles dated in the future.
    pub today: NaiveDate,
    /// Commit after this many articles written, so a long run's progress
    /// survives a crash.
    pub commit_every: usize,
    /// Also commit when this much time has passed since the last commit.
    pub commit_interval: Duration,
    /// Extract facets from the text (on by default). Off leaves only the
    /// facets sources declare: the ceiling that shows what extraction costs.
    pub extract: bool,
    /// Source files larger than this many bytes (feeds of many articles)
    /// are streamed: their documents reach the sink a chunk at a time, so
    /// memory stays bounded whatever a file's size.
    pub stream_above: u64,
    /// A streamed file reaches the sink in chunks of this many articles
    /// (or of 16 MiB of text, whichever comes first).
    pub stream_chunk: usize,
}

impl PipelineOptions {
    /// Defaults with the given date as today.
    pub fn new(today: NaiveDate) -> PipelineOptions {
        PipelineOptions {
            today,
            commit_every: crate::index::DEFAULT_COMMIT_EVERY,
            commit_interval: Duration::from_secs(60),
            extract: true,
            stream_above: STREAM_ABOVE_BYTES,
            stream_chunk: 2_000,
        }
    }
}

/// A message about one file, for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileMessage {
    /// The file (as found under the corpus folder given).
    pub path: String,
    /// What happened.
    pub reason: String,
}

/// What a run did. Counts are of articles; a source file that holds
/// several counts each.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    /// New articles written.
    pub added: usize,
    /// Articles of changed files written again.
    pub updated: usize,
    /// Articles whose files are gone, unusable, or hold fewer articles now.
    pub removed: usize,
    /// Articles of unchanged files, left as they were.
    pub unchanged: usize,
    /// Files (or articles of a file) that could not be used.
    pub skipped: Vec<FileMessage>,
    /// Articles written with a caveat (no date, re-encoded...).
    pub warnings: Vec<FileMessage>,
    /// Bytes of article text read.
    pub bytes_read: u64,
    /// Commits made.
    pub commits: usize,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// The schema version of an index by another dossier that this run
    /// started over (set by the caller that opened the index).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_from_schema: Option<u32>,
}

impl IndexSummary {
    /// Skipped files grouped by reason, most common first.
    pub fn skip_reasons(&self) -> Vec<(String, usize)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for skip in &self.skipped {
            let kind = skip
                .reason
                .split(':')
                .next()
                .unwrap_or(&skip.reason)
                .to_string();
            *counts.entry(kind).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
    }

    /// Articles written in this run.
    pub fn written(&self) -> usize {
        self.added + self.updated
    }
}

/// A source file to read, with its signature and whether the sink has it.
struct Pending {
    file: SourceFile,
    signature: u64,
    held: Option<Held>,
}

/// The ids given to the articles of one source file so far.
#[derive(Default)]
struct Ids {
    taken: FxHashSet<String>,
    /// How many articles (and unreadable ones) the file has shown so far.
    position: usize,
}

impl Ids {
    /// The id of the file's next article, whose own id is `local`: the
    /// file's path, `#` and the local id; the position instead when that is
    /// taken, with a warning.
    fn assign(&mut self, file: &SourceFile, local: Option<&str>, read: &mut ReadSource) -> String {
        self.position += 1;
        let id = match local {
            None => file.relative.clone(),
            Some(local) => format!("{}#{local}", file.relative),
        };
        if self.taken.insert(id.clone()) {
            return id;
        }
        // The position, and a suffix should an article already have that
        // id of its own.
        let position = self.position;
        let mut unique = format!("{}#{position}", file.relative);
        let mut n = 1;
        while !self.taken.insert(unique.clone()) {
            n += 1;
            unique = format!("{}#{position}.{n}", file.relative);
        }
        read.warnings.push((
            local.map(str::to_string),
            format!("a second article has the id {id}; indexed as {unique}"),
        ));
        unique
    }
}

/// Caveats about the articles of one file, each with the article's local id
/// when the file holds several.
type LocalWarnings = Vec<(Option<String>, String)>;

/// What reading and extracting one source file gave.
#[derive(Default)]
struct ReadSource {
    documents: Vec<Document>,
    /// Articles already handed to the sink (a streamed file).
    streamed: usize,
    bytes: u64,
    /// Caveats, each with the article's local id when the file holds
    /// several.
    warnings: LocalWarnings,
    problems: Vec<ArticleProblem>,
}

/// Runs the pipeline over the corpus folder `corpus` into `sink`.
pub fn run(
    engine: &Engine,
    corpus: &Path,
    formats: &Formats,
    sink: &mut dyn Sink,
    reporter: &mut dyn Reporter,
    options: &PipelineOptions,
) -> Result<IndexSummary, PipelineError> {
    let started = Instant::now();
    // Refuses a missing corpus before the walk starts on its own thread.
    source::check_corpus(corpus)?;
    let root = std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.to_path_buf());
    let mut held = sink.held()?;
    // Articles written without extraction must be extracted by a later run.
    let fingerprint = engine.fingerprint(formats) ^ u64::from(!options.extract);
    let walked = AtomicU64::new(0);
    let walk_done = AtomicBool::new(false);
    let run = Run {
        engine,
        formats,
        corpus,
        root: &root,
        options,
    };
    std::thread::scope(|scope| {
        let (items, walker) = if reporter.wants_total() {
            let (send, items) = mpsc::channel();
            (items, Sender::Unbounded(send))
        } else {
            let (send, items) = mpsc::sync_channel(WALK_QUEUE);
            (items, Sender::Bounded(send))
        };
        let (walked, walk_done) = (&walked, &walk_done);
        std::thread::Builder::new()
            .name("dossier-walk".to_string())
            .spawn_scoped(scope, move || {
                // The corpus was checked above; were it to vanish meanwhile,
                // the run ends as if it were empty.
                let Ok(walk) = source::walk(corpus, formats) else {
                    walk_done.store(true, Ordering::Release);
                    return;
                };
                for item in walk {
                    walked.fetch_add(1, Ordering::Relaxed);
                    if !walker.send(item) {
                        return;
                    }
                }
                walk_done.store(true, Ordering::Release);
            })
            .map_err(|e| SinkError::Io {
                path: corpus.display().to_string(),
                source: e,
            })?;
        let mut total_told = false;
        let mut tell_total = |reporter: &mut dyn Reporter| {
            if !total_told && walk_done.load(Ordering::Acquire) {
                total_told = true;
                reporter.walk_finished(walked.load(Ordering::Relaxed));
            }
        };
        let mut summary = IndexSummary::default();
        let mut progress = Progress::default();
        let mut since_commit = 0usize;
        let mut last_commit = Instant::now();
        let batch_size = options.commit_every.clamp(1, MAX_BATCH_SOURCES);
        let mut batch: Vec<Pending> = Vec::with_capacity(batch_size);
        let mut items = items.into_iter();
        loop {
            batch.clear();
            for item in items.by_ref() {
                progress.sources_checked += 1;
                tell_total(reporter);
                match item {
                    Ok(file) => {
                        let signature = file.signature(fingerprint);
                        match held.remove(&source_key(&file.relative)) {
                            Some(h) if h.signature == signature => {
                                summary.unchanged += h.articles as usize;
                            }
                            h => batch.push(Pending {
                                file,
                                signature,
                                held: h,
                            }),
                        }
                    }
                    Err(problem) => run.skip_walk_problem(problem, &mut summary, reporter),
                }
                reporter.progress(&progress);
                if batch.len() == batch_size {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let (large, small): (Vec<Pending>, Vec<Pending>) = batch
                .drain(..)
                .partition(|p| p.file.size > options.stream_above);
            let read: Vec<Result<ReadSource, SkipReason>> =
                small.par_iter().map(|p| run.read(&p.file)).collect();
            let mut writes = Vec::with_capacity(small.len());
            for (pending, result) in small.into_iter().zip(read) {
                if let Some(write) = run.account(pending, result, &mut summary, reporter) {
                    since_commit += write.documents.len();
                    writes.push(write);
                }
            }
            sink.write_sources(writes)?;
            for pending in large {
                let result = run.stream(&pending, sink)?;
                since_commit += result.as_ref().map_or(0, |r| r.streamed);
                if let Some(write) = run.account(pending, result, &mut summary, reporter) {
                    since_commit += write.documents.len();
                    sink.write_sources(vec![write])?;
                }
            }
            progress.articles_written = summary.written() as u64;
            progress.bytes_read = summary.bytes_read;
            reporter.progress(&progress);
            if since_commit >= options.commit_every
                || last_commit.elapsed() >= options.commit_interval
            {
                sink.commit()?;
                summary.commits += 1;
                reporter.committed(summary.commits);
                since_commit = 0;
                last_commit = Instant::now();
            }
        }
        tell_total(reporter);
        // What is left was written before and is no longer in the corpus.
        if !held.is_empty() {
            sink.remove_sources(&held)?;
            summary.removed += held.values().map(|h| h.articles as usize).sum::<usize>();
        }
        reporter.finishing();
        sink.finish()?;
        summary.commits += 1;
        summary.elapsed = started.elapsed();
        reporter.finished(&summary);
        Ok(summary)
    })
}

/// Either kind of channel the walk feeds.
enum Sender<T> {
    Unbounded(mpsc::Sender<T>),
    Bounded(mpsc::SyncSender<T>),
}

impl<T> Sender<T> {
    /// Sends, waiting for room if bounded; false once nobody listens.
    fn send(&self, item: T) -> bool {
        match self {
            Sender::Unbounded(s) => s.send(item).is_ok(),
            Sender::Bounded(s) => s.send(item).is_ok(),
        }
    }
}

/// What every step of one run needs.
struct Run<'a> {
    engine: &'a Engine,
    formats: &'a Formats,
    /// The corpus folder as given, for messages.
    corpus: &'a Path,
    /// The corpus folder, absolute, for documents' paths.
    root: &'a Path,
    options: &'a PipelineOptions,
}

impl Run<'_> {
    /// The path of a source file as the user knows it.
    fn shown(&self, file: &SourceFile) -> String {
        file.path_under(self.corpus).display().to_string()
    }

    fn skip_walk_problem(
        &self,
        (path, reason): WalkProblem,
        summary: &mut IndexSummary,
        reporter: &mut dyn Reporter,
    ) {
        let message = FileMessage {
            path,
            reason: reason.to_string(),
        };
        reporter.skipped(&message);
        summary.skipped.push(message);
    }

    /// Reads the articles of `file` with the reader of its format, handing
    /// each, with its id and the format's name, to `on_article`; a problem
    /// with one article of several is kept in `read`.
    fn each_article(
        &self,
        file: &SourceFile,
        read: &mut ReadSource,
        on_article: &mut dyn FnMut(&'static str, String, Article, &mut ReadSource),
    ) -> Result<(), SkipReason> {
        let path: PathBuf = file.path_under(self.corpus);
        let reader = self.formats.reader_for(&path)?;
        let input = Input {
            path: &path,
            today: self.options.today,
        };
        let mut ids = Ids::default();
        reader.read(&input, &mut |article| match article {
            Ok(article) => {
                let id = ids.assign(file, article.local_id.as_deref(), read);
                on_article(reader.name(), id, article, read);
            }
            Err(problem) => {
                ids.position += 1;
                read.problems.push(problem)
            }
        })
    }

    /// Reads one source file and extracts its articles (on any thread).
    fn read(&self, file: &SourceFile) -> Result<ReadSource, SkipReason> {
        let mut read = ReadSource::default();
        self.each_article(file, &mut read, &mut |format, id, article, read| {
            let document = self.document(file, format, id, article, &mut read.warnings);
            read.bytes += document.body.len() as u64;
            read.documents.push(document);
        })?;
        Ok(read)
    }

    /// Reads one large source file (a feed of many articles), handing its
    /// documents to the sink a chunk at a time so memory stays bounded
    /// whatever the file's size. Nothing is committed until the whole file
    /// is written, as for any other file.
    fn stream(
        &self,
        pending: &Pending,
        sink: &mut dyn Sink,
    ) -> Result<Result<ReadSource, SkipReason>, SinkError> {
        let file = &pending.file;
        let mut read = ReadSource::default();
        let mut chunk: Vec<(String, Article)> = Vec::new();
        let mut chunk_bytes = 0usize;
        let mut format = "";
        let mut sink_error = None;
        let mut flush = |chunk: &mut Vec<(String, Article)>,
                         format: &str,
                         read: &mut ReadSource|
         -> Result<(), SinkError> {
            let built: Vec<(Document, LocalWarnings)> = chunk
                .par_drain(..)
                .map(|(id, article)| {
                    let mut warnings = Vec::new();
                    let document = self.document(file, format, id, article, &mut warnings);
                    (document, warnings)
                })
                .collect();
            let mut documents = Vec::with_capacity(built.len());
            for (document, warnings) in built {
                read.bytes += document.body.len() as u64;
                read.warnings.extend(warnings);
                documents.push(document);
            }
            // Only the first write replaces what the sink held of the file.
            let replaces = read.streamed == 0 && pending.held.is_some();
            read.streamed += documents.len();
            sink.write_sources(vec![SourceDocuments {
                file: file.clone(),
                signature: pending.signature,
                held: replaces,
                documents,
            }])
        };
        let outcome = self.each_article(file, &mut read, &mut |name, id, article, read| {
            if sink_error.is_some() {
                return;
            }
            format = name;
            chunk_bytes += article.body.len();
            chunk.push((id, article));
            if chunk.len() >= self.options.stream_chunk.max(1) || chunk_bytes >= STREAM_CHUNK_BYTES
            {
                chunk_bytes = 0;
                if let Err(e) = flush(&mut chunk, name, read) {
                    sink_error = Some(e);
                }
            }
        });
        if let Some(e) = sink_error {
            return Err(e);
        }
        if let Err(reason) = outcome {
            if read.streamed > 0 {
                // What was written of it goes, as the file is skipped.
                sink.write_sources(vec![SourceDocuments {
                    file: file.clone(),
                    signature: pending.signature,
                    held: true,
                    documents: Vec::new(),
                }])?;
            }
            return Ok(Err(reason));
        }
        if !chunk.is_empty() {
            flush(&mut chunk, format, &mut read)?;
        }
        Ok(Ok(read))
    }

    /// The document of one article of `file`, whose id is `id`.
    fn document(
        &self,
        file: &SourceFile,
        format: &str,
        id: String,
        article: Article,
        read_warnings: &mut LocalWarnings,
    ) -> Document {
        let Article {
            local_id,
            title,
            date,
            body,
            source,
            url,
            links,
            declared,
            mut warnings,
        } = article;
        let extraction = if self.options.extract {
            self.engine.extractor().extract(&body)
        } else {
            Extraction::default()
        };
        let facets = declared::facet_values(
            &extraction,
            &declared,
            self.engine.gazetteer(),
            &mut warnings,
        );
        read_warnings.extend(warnings.into_iter().map(|w| (local_id.clone(), w.0)));
        Document {
            id,
            source_file: file.relative.clone(),
            path: file.path_under(self.root).to_string_lossy().into_owned(),
            title,
            date,
            source,
            url,
            links,
            format: format.to_string(),
            facets,
            evidence: extraction.actor_evidence(),
            declared,
            body,
        }
    }

    /// Counts one read source file and reports its problems; returns what
    /// the sink is to write for it, if anything.
    fn account(
        &self,
        pending: Pending,
        result: Result<ReadSource, SkipReason>,
        summary: &mut IndexSummary,
        reporter: &mut dyn Reporter,
    ) -> Option<SourceDocuments> {
        let Pending {
            file,
            signature,
            held,
        } = pending;
        let shown = self.shown(&file);
        let before = held.map_or(0, |h| h.articles as usize);
        let read = match result {
            Ok(read) => read,
            Err(reason) => {
                let message = FileMessage {
                    path: shown,
                    reason: reason.to_string(),
                };
                reporter.skipped(&message);
                summary.skipped.push(message);
                // The old version no longer matches the file on disk.
                summary.removed += before;
                return held.is_some().then_some(SourceDocuments {
                    file,
                    signature,
                    held: true,
                    documents: Vec::new(),
                });
            }
        };
        // The place goes with the path (`feed.jsonl line 12: ...`), so the
        // reasons group in the summary.
        for problem in read.problems {
            let message = FileMessage {
                path: format!("{shown} {}", problem.location),
                reason: problem.reason,
            };
            reporter.skipped(&message);
            summary.skipped.push(message);
        }
        for (local_id, reason) in read.warnings {
            let path = match local_id {
                Some(local) => format!("{shown}#{local}"),
                None => shown.clone(),
            };
            let message = FileMessage { path, reason };
            reporter.warned(&message);
            summary.warnings.push(message);
        }
        let now = read.documents.len() + read.streamed;
        summary.bytes_read += read.bytes;
        summary.updated += now.min(before);
        summary.added += now.saturating_sub(before);
        summary.removed += before.saturating_sub(now);
        if read.streamed > 0 {
            return None;
        }
        Some(SourceDocuments {
            file,
            signature,
            held: held.is_some(),
            documents: read.documents,
        })
    }
}
