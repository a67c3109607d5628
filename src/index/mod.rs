//! Index: the Tantivy schema, opening and creating the index, and the
//! incremental indexer that brings an index in line with a corpus folder.
//!
//! Every document is keyed by its corpus-relative path (`id`). Adding a
//! document always deletes that id first, so a re-run after a crash or kill
//! never duplicates anything: whatever was committed is kept, the rest is
//! redone.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{DateTime, Index, IndexSettings, IndexWriter, TantivyDocument, TantivyError, Term};
use thiserror::Error;

use crate::extract::{Extraction, Extractor};

pub mod analyzer;
mod progress;
use crate::ingest::{self, SkipReason, SourceFile};

/// Bump when the schema changes: older indexes must be rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// The default writer memory budget, shared by the indexing threads.
pub const DEFAULT_MEMORY_MB: usize = 256;

/// How many articles a run indexes between commits by default. Every commit
/// flushes each indexing thread's segment, however small, and small segments
/// are merged again and again: at 10,000 a 100k-article build spent a tenth
/// more CPU than at 100,000. A commit also happens every minute, so a kill
/// still loses little work.
pub const DEFAULT_COMMIT_EVERY: usize = 100_000;

/// How many segments of about the same size are merged into one. Tantivy's
/// default, 8, left 12 segments in a 1M-article index, and every query pays
/// per segment: at 4 it has 4 to 6, queries ran 1.5-3.5x faster (facet counts
/// over every article 18 → 5 ms, `government networks` 87 → 50 ms), and
/// the build used 7% more CPU.
const MERGE_SEGMENTS: usize = 4;

/// The smallest budget Tantivy accepts per indexing thread.
const MIN_MEMORY_MB_PER_THREAD: usize = 15;

/// Names of the schema's fields.
pub mod field {
    /// Path relative to the corpus root.
    pub const ID: &str = "id";
    /// Absolute path at indexing time.
    pub const PATH: &str = "path";
    /// First sentence.
    pub const TITLE: &str = "title";
    /// Article text.
    pub const BODY: &str = "body";
    /// Publication date.
    pub const DATE: &str = "date";
    /// Canonical actor names, as facets `/APT31`.
    pub const ACTOR: &str = "actor";
    /// Sponsor states, as facets `/CN`.
    pub const SPONSOR: &str = "sponsor";
    /// Target countries, as facets `/GB`.
    pub const TARGET: &str = "target";
    /// Publication year and month, as facets `/2024/03`.
    pub const PERIOD: &str = "period";
    /// CVE identifiers, as facets `/CVE-2023-23397`.
    pub const CVE: &str = "cve";
    /// ATT&CK technique IDs, as facets `/T1566`.
    pub const TECHNIQUE: &str = "technique";
    /// Malware and tool names, as facets `/BlackEnergy`.
    pub const MALWARE: &str = "malware";
    /// Every facet field, in the order `--facets` reports them.
    pub const FACETS: [&str; 7] = [ACTOR, SPONSOR, TARGET, PERIOD, CVE, TECHNIQUE, MALWARE];
    /// Change-detection signature of the source file.
    pub const SIGNATURE: &str = "signature";
    /// JSON evidence: which surface forms produced each actor.
    pub const EVIDENCE: &str = "evidence";
}

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// See [`field::ID`].
    pub id: Field,
    /// See [`field::PATH`].
    pub path: Field,
    /// See [`field::TITLE`].
    pub title: Field,
    /// See [`field::BODY`].
    pub body: Field,
    /// See [`field::DATE`].
    pub date: Field,
    /// See [`field::ACTOR`].
    pub actor: Field,
    /// See [`field::SPONSOR`].
    pub sponsor: Field,
    /// See [`field::TARGET`].
    pub target: Field,
    /// See [`field::PERIOD`].
    pub period: Field,
    /// See [`field::CVE`].
    pub cve: Field,
    /// See [`field::TECHNIQUE`].
    pub technique: Field,
    /// See [`field::MALWARE`].
    pub malware: Field,
    /// See [`field::SIGNATURE`].
    pub signature: Field,
    /// See [`field::EVIDENCE`].
    pub evidence: Field,
}

impl Fields {
    /// Looks the fields up in a schema built by [`schema`].
    pub fn from_schema(schema: &Schema) -> Result<Fields, IndexError> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| IndexError::SchemaMismatch)
        };
        Ok(Fields {
            id: get(field::ID)?,
            path: get(field::PATH)?,
            title: get(field::TITLE)?,
            body: get(field::BODY)?,
            date: get(field::DATE)?,
            actor: get(field::ACTOR)?,
            sponsor: get(field::SPONSOR)?,
            target: get(field::TARGET)?,
            period: get(field::PERIOD)?,
            cve: get(field::CVE)?,
            technique: get(field::TECHNIQUE)?,
            malware: get(field::MALWARE)?,
            signature: get(field::SIGNATURE)?,
            evidence: get(field::EVIDENCE)?,
        })
    }
}

/// The schema: English-stemmed full text with positions, facets, a fast date.
pub fn schema() -> Schema {
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analyzer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let mut builder = Schema::builder();
    builder.add_text_field(field::ID, STRING | STORED | FAST);
    builder.add_text_field(field::PATH, STORED);
    builder.add_text_field(field::TITLE, text(true));
    builder.add_text_field(field::BODY, text(true));
    builder.add_date_field(
        field::DATE,
        DateOptions::from(INDEXED)
            .set_stored()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    for facet in field::FACETS {
        builder.add_facet_field(facet, FacetOptions::default().set_stored());
    }
    builder.add_u64_field(field::SIGNATURE, FAST | STORED);
    builder.add_text_field(field::EVIDENCE, STORED);
    builder.build()
}

/// What went wrong with the index as a whole.
#[derive(Debug, Error)]
pub enum IndexError {
    /// No index at that path.
    #[error("no index at {0}; build one with `dossier index CORPUS --index {0}`")]
    Missing(PathBuf),
    /// Another process holds the writer lock.
    #[error("the index at {0} is being written by another dossier process; wait for it to finish and try again")]
    Locked(PathBuf),
    /// The index files are unreadable.
    #[error("the index at {path} is damaged ({reason}); rebuild it with `dossier index CORPUS --index {path} --rebuild`")]
    Damaged {
        /// Index folder.
        path: PathBuf,
        /// What Tantivy said.
        reason: String,
    },
    /// The index was made by another version of dossier.
    #[error("the index was built with a different schema; rebuild it with `dossier index CORPUS --rebuild`")]
    SchemaMismatch,
    /// The index was built from another corpus folder.
    #[error("the index at {index} was built from {previous}, not {requested}; pass --rebuild to replace it or choose another --index")]
    OtherCorpus {
        /// Index folder.
        index: PathBuf,
        /// Corpus it was built from.
        previous: String,
        /// Corpus requested now.
        requested: String,
    },
    /// The corpus folder itself is unusable.
    #[error(transparent)]
    Corpus(#[from] ingest::CorpusError),
    /// Anything else from Tantivy or the file system.
    #[error("{0}")]
    Other(String),
}

impl From<TantivyError> for IndexError {
    fn from(error: TantivyError) -> Self {
        IndexError::Other(error.to_string())
    }
}

impl IndexError {
    /// A failure to read the index at `path` (a missing, truncated or corrupt
    /// file), as the [`IndexError::Damaged`] message that names the fix.
    /// Tantivy opens segment files lazily, so `search` and `stats` can meet
    /// such damage after [`open`] succeeded.
    pub fn damaged(path: &Path, error: &TantivyError) -> IndexError {
        use tantivy::directory::error::OpenReadError;
        let file_name = |p: &Path| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
        };
        let reason = match error {
            TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(file)) => {
                format!("file {} is missing", file_name(file))
            }
            TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath })
                if io_error.kind() == std::io::ErrorKind::InvalidData =>
            {
                format!("file {} is truncated or corrupt", file_name(filepath))
            }
            TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
                format!("file {}: {io_error}", file_name(filepath))
            }
            other => other.to_string(),
        };
        IndexError::Damaged {
            path: path.to_path_buf(),
            reason,
        }
    }
}

/// Stored with every commit, so a later run can tell what it is updating.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct CommitPayload {
    schema_version: u32,
    corpus: String,
}

/// The doc store's compression: zstd rather than Tantivy's default lz4
/// keeps the index smaller than the corpus it was built from, at a small
/// cost in indexing time (on generated text the index fell from 1.07x to
/// 0.81x the corpus); reading a stored article stays fast.
///
/// Level 1, not zstd's default 3: on 100k generated articles the store grew
/// by 1% (257 to 260 MB) and the build used 7% less CPU.
fn index_settings() -> IndexSettings {
    IndexSettings {
        // Higher levels and larger blocks saved little and slowed indexing
        // or article reads.
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(1),
        }),
        ..IndexSettings::default()
    }
}

/// Creates an empty index with dossier's schema and settings.
fn create_index(dir: &Path) -> Result<Index, IndexError> {
    Ok(Index::builder()
        .schema(schema())
        .settings(index_settings())
        .create_in_dir(dir)?)
}

/// Opens an existing index for searching.
pub fn open(dir: &Path) -> Result<(Index, Fields), IndexError> {
    if !dir.join("meta.json").exists() {
        return Err(IndexError::Missing(dir.to_path_buf()));
    }
    let index = Index::open_in_dir(dir).map_err(|e| IndexError::Damaged {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let fields = Fields::from_schema(&index.schema())?;
    analyzer::register(&index);
    if let Some(payload) = read_payload(&index) {
        if payload.schema_version != SCHEMA_VERSION {
            return Err(IndexError::SchemaMismatch);
        }
    }
    Ok((index, fields))
}

fn read_payload(index: &Index) -> Option<CommitPayload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// Whether `dir` holds an index.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").exists()
}

/// Files Tantivy writes into an index folder; `--rebuild` removes only these,
/// so a README or `.gitkeep` beside them survives.
fn is_index_file(name: &str) -> bool {
    name == "meta.json"
        || name == ".managed.json"
        || name.starts_with(".tantivy")
        || [
            ".idx",
            ".pos",
            ".term",
            ".store",
            ".fast",
            ".fieldnorm",
            ".del",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn wipe_index_files(dir: &Path) -> Result<(), IndexError> {
    use tantivy::directory::error::LockError;
    use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
    // Tantivy's writer lock is held while wiping, so a writer at work (an
    // index another dossier is rebuilding, for instance) is never wiped from
    // under it; the lock files stay, since deleting one would break a lock
    // another process holds.
    let directory = MmapDirectory::open(dir)
        .map_err(|e| IndexError::Other(format!("{}: {e}", dir.display())))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            LockError::LockBusy => IndexError::Locked(dir.to_path_buf()),
            other => IndexError::Other(format!("{}: {other}", dir.display())),
        })?;
    let entries =
        fs::read_dir(dir).map_err(|e| IndexError::Other(format!("{}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let lock_file = name.starts_with(".tantivy-") && name.ends_with(".lock");
        if is_index_file(&name) && !lock_file {
            fs::remove_file(entry.path())
                .map_err(|e| IndexError::Other(format!("{}: {e}", entry.path().display())))?;
        }
    }
    Ok(())
}

/// Settings for one indexing run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Writer memory budget in bytes.
    pub memory_bytes: usize,
    /// Commit after this many added or updated articles, so a long run's
    /// progress survives a crash.
    pub commit_every: usize,
    /// Also commit when this much time has passed since the last commit.
    pub commit_interval: Duration,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Today's date, for rejecting articles dated in the future.
    pub today: NaiveDate,
    /// Draw a progress bar (only when stderr is a terminal).
    pub progress: bool,
    /// Extract facets (on by default). Off gives the same schema without
    /// actors, sponsors or targets: the ceiling that shows what extraction
    /// costs (`dossier index --no-extract`, for benchmarks).
    pub extract: bool,
}

impl IndexOptions {
    /// Defaults with the given date as today.
    pub fn new(today: NaiveDate) -> IndexOptions {
        IndexOptions {
            memory_bytes: DEFAULT_MEMORY_MB * 1024 * 1024,
            commit_every: DEFAULT_COMMIT_EVERY,
            commit_interval: Duration::from_secs(60),
            rebuild: false,
            today,
            progress: false,
            extract: true,
        }
    }
}

/// A message about one file, for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileMessage {
    /// The file (corpus-relative when possible).
    pub path: String,
    /// What happened.
    pub reason: String,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    /// New articles indexed.
    pub added: usize,
    /// Changed articles re-indexed.
    pub updated: usize,
    /// Articles whose files are gone.
    pub removed: usize,
    /// Articles left as they were.
    pub unchanged: usize,
    /// Files that could not be indexed.
    pub skipped: Vec<FileMessage>,
    /// Articles indexed with a caveat (no date, re-encoded...).
    pub warnings: Vec<FileMessage>,
    /// Bytes of article text read.
    pub bytes_read: u64,
    /// Commits made.
    pub commits: usize,
    /// Wall-clock time.
    pub elapsed: Duration,
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
}

/// Identifies the gazetteer and extraction rules, so that changing them
/// re-extracts every article on the next run.
fn extraction_fingerprint() -> u64 {
    let gazetteer = crate::gazetteer::Gazetteer::embedded();
    let mut text = format!(
        "{}:{SCHEMA_VERSION}:{}",
        env!("CARGO_PKG_VERSION"),
        crate::extract::RULES_VERSION
    );
    text.push_str(&gazetteer.actors().len().to_string());
    for actor in gazetteer.actors() {
        text.push_str(&actor.name);
        text.push_str(actor.sponsor.as_deref().unwrap_or("-"));
        for alias in actor.all_aliases() {
            text.push_str(alias);
        }
    }
    for country in gazetteer.countries() {
        text.push_str(&country.code);
        text.push_str(&country.names.join(","));
        text.push_str(&country.demonyms.join(","));
    }
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

fn signature(file: &SourceFile, fingerprint: u64) -> u64 {
    let mut bytes = [0u8; 24];
    bytes[..8].copy_from_slice(&file.size.to_le_bytes());
    bytes[8..16].copy_from_slice(&file.modified_ns.to_le_bytes());
    bytes[16..].copy_from_slice(&fingerprint.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The key of an article id in [`existing_signatures`]: a hash, so the map
/// costs sixteen bytes an article whatever the ids' lengths.
fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

/// Calls `visit` with the id of every live document.
fn for_each_id(index: &Index, mut visit: impl FnMut(&str, u64)) -> Result<(), IndexError> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut id = String::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(ids) = fast.str(field::ID)? else {
            continue;
        };
        let signatures = fast.u64(field::SIGNATURE)?;
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            ids.ord_to_str(ord, &mut id)
                .map_err(|e| IndexError::Other(e.to_string()))?;
            visit(&id, signatures.first(doc).unwrap_or(0));
        }
    }
    Ok(())
}

/// Reads id hash → signature for every live document.
fn existing_signatures(index: &Index) -> Result<FxHashMap<u64, u64>, IndexError> {
    let mut map = FxHashMap::default();
    for_each_id(index, |id, signature| {
        map.insert(id_hash(id), signature);
    })?;
    Ok(map)
}

/// The ids of the live documents whose hashes are keys of `wanted`.
fn ids_among(index: &Index, wanted: &FxHashMap<u64, u64>) -> Result<Vec<String>, IndexError> {
    let mut ids = Vec::new();
    for_each_id(index, |id, _| {
        if wanted.contains_key(&id_hash(id)) {
            ids.push(id.to_string());
        }
    })?;
    Ok(ids)
}

/// A document ready for the writer, built in parallel.
struct Prepared {
    id: String,
    document: TantivyDocument,
    bytes: u64,
    warnings: Vec<String>,
}

/// Builds the Tantivy document for an article and its extraction.
pub fn document_for(
    fields: &Fields,
    article: &ingest::Article,
    extraction: &Extraction,
    path: &Path,
    signature: u64,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &article.id);
    doc.add_text(fields.path, path.to_string_lossy());
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.body, &article.body);
    for actor in &extraction.actors {
        doc.add_facet(
            fields.actor,
            tantivy::schema::Facet::from_path([actor.name.as_str()]),
        );
    }
    for sponsor in &extraction.sponsors {
        doc.add_facet(
            fields.sponsor,
            tantivy::schema::Facet::from_path([sponsor.as_str()]),
        );
    }
    for target in extraction.targets() {
        doc.add_facet(
            fields.target,
            tantivy::schema::Facet::from_path([target.as_str()]),
        );
    }
    for (field, values) in [
        (fields.cve, &extraction.cves),
        (fields.technique, &extraction.techniques),
        (fields.malware, &extraction.software),
    ] {
        for value in values {
            doc.add_facet(field, tantivy::schema::Facet::from_path([value.as_str()]));
        }
    }
    if let Some(date) = article.date {
        doc.add_date(fields.date, date_time(date));
        doc.add_facet(
            fields.period,
            tantivy::schema::Facet::from_path([
                format!("{:04}", date.year()),
                format!("{:02}", date.month()),
            ]),
        );
    }
    doc.add_u64(fields.signature, signature);
    let evidence = serde_json::to_string(&extraction.actor_evidence()).unwrap_or_default();
    doc.add_text(fields.evidence, evidence);
    doc
}

/// Midnight UTC of a date, as Tantivy stores it. Tantivy keeps nanoseconds in
/// an `i64` (years 1677 to 2262); dates outside that range saturate instead
/// of overflowing, so a `--since 0001-01-01` flag still means "everything".
pub fn date_time(date: NaiveDate) -> DateTime {
    const NANOS: i64 = 1_000_000_000;
    let seconds = date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |dt| dt.and_utc().timestamp());
    DateTime::from_timestamp_secs(seconds.clamp(i64::MIN / NANOS, i64::MAX / NANOS))
}

fn open_writer(index: &Index, dir: &Path, memory_bytes: usize) -> Result<IndexWriter, IndexError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min((memory_bytes / (MIN_MEMORY_MB_PER_THREAD * 1024 * 1024)).max(1));
    let per_thread_floor = threads * MIN_MEMORY_MB_PER_THREAD * 1024 * 1024;
    let writer: IndexWriter = index
        .writer_with_num_threads(threads, memory_bytes.max(per_thread_floor))
        .map_err(|e| match e {
            TantivyError::LockFailure(..) => IndexError::Locked(dir.to_path_buf()),
            other => other.into(),
        })?;
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_min_num_segments(MERGE_SEGMENTS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

fn commit(writer: &mut IndexWriter, payload: &CommitPayload) -> Result<(), IndexError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(payload).unwrap_or_default());
    prepared.commit()?;
    Ok(())
}

/// Brings the index at `index_dir` in line with the corpus at `corpus`:
/// adds new articles, re-indexes changed ones, removes deleted ones.
pub fn index_corpus(
    corpus: &Path,
    index_dir: &Path,
    options: &IndexOptions,
) -> Result<IndexSummary, IndexError> {
    let started = Instant::now();
    let mut corpus_files = ingest::walk(corpus)?;
    let corpus_root = fs::canonicalize(corpus).unwrap_or_else(|_| corpus.to_path_buf());
    let corpus_name = corpus_root.to_string_lossy().into_owned();
    fs::create_dir_all(index_dir)
        .map_err(|e| IndexError::Other(format!("creating {}: {e}", index_dir.display())))?;

    let mut rebuild = options.rebuild;
    let index = if exists(index_dir) {
        match Index::open_in_dir(index_dir) {
            Ok(index) if Fields::from_schema(&index.schema()).is_ok() => {
                if let Some(payload) = read_payload(&index) {
                    if payload.schema_version != SCHEMA_VERSION && !rebuild {
                        return Err(IndexError::SchemaMismatch);
                    }
                    if payload.corpus != corpus_name && !rebuild {
                        return Err(IndexError::OtherCorpus {
                            index: index_dir.to_path_buf(),
                            previous: payload.corpus,
                            requested: corpus_name,
                        });
                    }
                }
                if rebuild
                    && read_payload(&index).is_some_and(|p| p.schema_version != SCHEMA_VERSION)
                {
                    wipe_index_files(index_dir)?;
                    create_index(index_dir)?
                } else {
                    index
                }
            }
            Ok(_) if rebuild => {
                wipe_index_files(index_dir)?;
                create_index(index_dir)?
            }
            Ok(_) => return Err(IndexError::SchemaMismatch),
            // An unreadable index is what --rebuild is for: start afresh.
            Err(_) if rebuild => {
                wipe_index_files(index_dir)?;
                rebuild = false;
                create_index(index_dir)?
            }
            Err(e) => {
                return Err(IndexError::Damaged {
                    path: index_dir.to_path_buf(),
                    reason: e.to_string(),
                })
            }
        }
    } else {
        create_index(index_dir)?
    };
    let fields = Fields::from_schema(&index.schema())?;
    analyzer::register(&index);
    let mut writer = open_writer(&index, index_dir, options.memory_bytes)?;
    let mut existing = if rebuild {
        writer.delete_all_documents()?;
        FxHashMap::default()
    } else {
        existing_signatures(&index).map_err(|e| match e {
            IndexError::Other(reason) => IndexError::Damaged {
                path: index_dir.to_path_buf(),
                reason,
            },
            other => other,
        })?
    };

    // Articles indexed without extraction must be re-extracted by a later normal run.
    let fingerprint = extraction_fingerprint() ^ u64::from(!options.extract);
    let mut summary = IndexSummary::default();
    let payload = CommitPayload {
        schema_version: SCHEMA_VERSION,
        corpus: corpus_name,
    };
    let mut progress = progress::Progress::new(corpus, options.progress);
    progress.set_message("0 indexed".to_string());

    let extractor = Extractor::embedded();
    let mut since_commit = 0usize;
    let mut last_commit = Instant::now();
    let batch_size = options.commit_every.clamp(1, 2_000);
    let mut batch: Vec<(SourceFile, u64, bool)> = Vec::with_capacity(batch_size);
    loop {
        batch.clear();
        for found in corpus_files.by_ref() {
            progress.inc();
            let file = match found {
                Ok(file) => file,
                Err((path, reason)) => {
                    summary.skipped.push(FileMessage {
                        path,
                        reason: reason.to_string(),
                    });
                    continue;
                }
            };
            let sig = signature(&file, fingerprint);
            match existing.remove(&id_hash(&file.id)) {
                Some(old) if old == sig => summary.unchanged += 1,
                Some(_) => batch.push((file, sig, true)),
                None => batch.push((file, sig, false)),
            }
            if batch.len() == batch_size {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        let prepared: Vec<(&SourceFile, bool, Result<Prepared, SkipReason>)> = batch
            .par_iter()
            .map(|(file, sig, known)| {
                let result = ingest::read_article(file, options.today).map(|article| {
                    let extraction = if options.extract {
                        extractor.extract(&article.body)
                    } else {
                        Extraction::default()
                    };
                    Prepared {
                        id: article.id.clone(),
                        document: document_for(
                            &fields,
                            &article,
                            &extraction,
                            &corpus_root.join(&file.id),
                            *sig,
                        ),
                        bytes: article.body.len() as u64,
                        warnings: article.warnings.into_iter().map(|w| w.0).collect(),
                    }
                });
                (file, *known, result)
            })
            .collect();
        for (file, known, result) in prepared {
            match result {
                Ok(prepared) => {
                    // An id missing from the last commit is in no segment, and the
                    // walk meets each file once: only a known article has an old
                    // version to delete. Deleting every id regardless made each
                    // commit look all of them up in every segment.
                    if known {
                        writer.delete_term(Term::from_field_text(fields.id, &prepared.id));
                    }
                    writer.add_document(prepared.document)?;
                    summary.bytes_read += prepared.bytes;
                    for warning in prepared.warnings {
                        summary.warnings.push(FileMessage {
                            path: file.path.display().to_string(),
                            reason: warning,
                        });
                    }
                    if known {
                        summary.updated += 1;
                    } else {
                        summary.added += 1;
                    }
                    since_commit += 1;
                }
                Err(reason) => {
                    if known {
                        // The old version no longer matches the file on disk.
                        writer.delete_term(Term::from_field_text(fields.id, &file.id));
                        summary.removed += 1;
                    }
                    summary.skipped.push(FileMessage {
                        path: file.path.display().to_string(),
                        reason: reason.to_string(),
                    });
                }
            }
        }
        progress.set_message(format!("{} indexed", summary.added + summary.updated));
        if since_commit >= options.commit_every || last_commit.elapsed() >= options.commit_interval
        {
            commit(&mut writer, &payload)?;
            summary.commits += 1;
            since_commit = 0;
            last_commit = Instant::now();
        }
    }
    // What is left was indexed before and is no longer in the corpus.
    if !existing.is_empty() {
        for id in ids_among(&index, &existing)? {
            writer.delete_term(Term::from_field_text(fields.id, &id));
            summary.removed += 1;
        }
    }
    progress.committing();
    commit(&mut writer, &payload)?;
    summary.commits += 1;
    writer.wait_merging_threads()?;
    progress.finish();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_fields_resolve() {
        assert!(Fields::from_schema(&schema()).is_ok());
    }

    #[test]
    fn new_indexes_compress_stored_articles_with_zstd() {
        let dir = tempfile::tempdir().unwrap();
        let index = create_index(dir.path()).unwrap();
        assert!(matches!(
            index.settings().docstore_compression,
            Compressor::Zstd(_)
        ));
        let reopened = Index::open_in_dir(dir.path()).unwrap();
        assert!(matches!(
            reopened.settings().docstore_compression,
            Compressor::Zstd(_)
        ));
    }

    #[test]
    fn only_tantivy_files_are_wiped() {
        assert!(is_index_file("meta.json"));
        assert!(is_index_file("0123abcd.idx"));
        assert!(is_index_file(".tantivy-writer.lock"));
        assert!(!is_index_file("README.md"));
        assert!(!is_index_file(".gitkeep"));
    }
}
