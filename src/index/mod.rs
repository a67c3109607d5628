//! Index: opening and creating the Tantivy index, its schema (derived from
//! the facet table, in [`mod@schema`]), the analyzer, and the sink the pipeline
//! writes it through ([`sink`]).
//!
//! An index records, with every commit, the schema version and the corpus
//! folder it was built from, so it is never silently replaced by another
//! corpus or read by an incompatible dossier.

pub mod analyzer;
pub mod schema;
pub mod sink;

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexSettings, IndexWriter, TantivyError};
use thiserror::Error;

use crate::source::CorpusError;

pub use schema::{date_time, field, schema, Fields};
pub use sink::IndexSink;

/// Bump when the schema changes: older indexes are rebuilt by `dossier
/// index`, and refused by `search` until they are.
pub const SCHEMA_VERSION: u32 = 5;

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
/// per segment: at 4 it has 4 to 6, queries ran faster and the build used a
/// little more CPU (figures in BENCHMARKS.md).
const MERGE_SEGMENTS: usize = 4;

/// The smallest budget Tantivy accepts per indexing thread.
const MIN_MEMORY_MB_PER_THREAD: usize = 15;

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
    #[error("the index was built by another version of dossier; rebuild it with `dossier index CORPUS --rebuild`")]
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
    Corpus(#[from] CorpusError),
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
/// cost in indexing time; level 1 rather than zstd's default 3 grew the
/// store by 1% and saved 7% of the build's CPU (BENCHMARKS.md).
fn index_settings() -> IndexSettings {
    IndexSettings {
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

/// Opens an existing index for searching: the index and its fields.
pub fn open(dir: &Path) -> Result<(Index, Fields), IndexError> {
    if !exists(dir) {
        return Err(IndexError::Missing(dir.to_path_buf()));
    }
    let damaged = |e: TantivyError| IndexError::Damaged {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    };
    let index = Index::open_in_dir(dir).map_err(damaged)?;
    let metas = index.load_metas().map_err(damaged)?;
    if payload_of(&metas).is_some_and(|p| p.schema_version != SCHEMA_VERSION) {
        return Err(IndexError::SchemaMismatch);
    }
    let fields = Fields::from_schema(&index.schema())?;
    analyzer::register(&index);
    Ok((index, fields))
}

/// The corpus folder the index was last built from (its canonical path), if
/// its last commit says.
pub fn corpus_of(index: &Index) -> Option<PathBuf> {
    read_payload(index).map(|payload| PathBuf::from(payload.corpus))
}

fn read_payload(index: &Index) -> Option<CommitPayload> {
    payload_of(&index.load_metas().ok()?)
}

fn payload_of(metas: &tantivy::IndexMeta) -> Option<CommitPayload> {
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

/// How an index is opened for writing.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Writer memory budget in bytes.
    pub memory_bytes: usize,
    /// Start from an empty index.
    pub rebuild: bool,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            memory_bytes: DEFAULT_MEMORY_MB * 1024 * 1024,
            rebuild: false,
        }
    }
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

fn commit(writer: &mut IndexWriter, payload: &str) -> Result<(), IndexError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(payload);
    prepared.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
