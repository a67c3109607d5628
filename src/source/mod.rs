//! Sources: the files under a corpus folder that some reader takes, found
//! by one walk, each with what tells a changed file from an unchanged one.
//! [`mod@format`] turns a source file into articles.
//!
//! A bad file never stops the run: it comes back as a [`SkipReason`] that the
//! caller reports as `path: reason` and counts.

pub mod format;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use thiserror::Error;
use walkdir::WalkDir;

use format::Formats;

/// A file found under the corpus root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the corpus root, with `/` separators. It keys the
    /// file's articles in the index, and is the id of a file that holds one.
    pub relative: String,
    /// Size in bytes when the folder was walked.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 if unknown).
    pub modified_ns: u64,
}

impl SourceFile {
    /// Its path on disk, under the corpus root `root`.
    pub fn path_under(&self, root: &Path) -> PathBuf {
        root.join(&self.relative)
    }

    /// What the file looked like when walked, mixed with `fingerprint` (the
    /// readers' and extractor's versions): a different signature means the
    /// file's articles must be read again.
    pub fn signature(&self, fingerprint: u64) -> u64 {
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&self.size.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.modified_ns.to_le_bytes());
        bytes[16..].copy_from_slice(&fingerprint.to_le_bytes());
        xxhash_rust::xxh3::xxh3_64(&bytes)
    }
}

/// A file that could not be used, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The file could not be read (permissions, vanished, I/O error).
    #[error("cannot read: {0}")]
    Unreadable(String),
    /// The file holds no text.
    #[error("empty file")]
    Empty,
    /// The file looks like binary data (NUL bytes or control characters).
    #[error("binary file (contains NUL bytes or control characters), not an article")]
    Binary,
    /// The file is larger than its reader takes ([`format::MAX_ARTICLE_BYTES`] for text).
    #[error("too large: {size} bytes, over the {limit}-byte limit for one article")]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Its reader could not make an article of it; the reason says why in
    /// the reader's words (`encrypted PDF: cannot be opened without its
    /// password`, `no article text in the page`).
    #[error("{0}")]
    Unusable(String),
    /// The walk itself failed here (a symlink loop, an unreadable folder).
    #[error("{0}")]
    Walk(String),
    /// The name looks like an article but it is a FIFO, socket or device,
    /// which could block or never end if read.
    #[error("not a regular file but {0}, which is never read")]
    NotAFile(&'static str),
}

/// The corpus root is unusable as a whole.
#[derive(Debug, Error)]
pub enum CorpusError {
    /// The path does not exist.
    #[error("corpus folder {0} does not exist; pass the folder of articles to index, e.g. `dossier index corpus`")]
    Missing(PathBuf),
    /// The path is a file, not a folder.
    #[error("{0} is a file, not a folder; pass the folder that holds the articles")]
    NotAFolder(PathBuf),
}

/// A place the walk could not enter, and why.
pub type WalkProblem = (String, SkipReason);

/// Lists every source file under `root` that one of `formats` reads, sorted
/// by path, plus the places the walk could not enter. Holds the whole list:
/// [`walk`] streams it.
pub fn discover(
    root: &Path,
    formats: &Formats,
) -> Result<(Vec<SourceFile>, Vec<WalkProblem>), CorpusError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for found in walk(root, formats)? {
        match found {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok((files, problems))
}

/// Whether `root` is a folder that can be walked.
pub fn check_corpus(root: &Path) -> Result<(), CorpusError> {
    let metadata = fs::metadata(root).map_err(|_| CorpusError::Missing(root.to_path_buf()))?;
    if !metadata.is_dir() {
        return Err(CorpusError::NotAFolder(root.to_path_buf()));
    }
    Ok(())
}

/// Walks the source files under `root` that one of `formats` reads, one at
/// a time, folder by folder in name order, so a corpus of any size costs
/// the memory of one folder's listing. Each item is a file or a place the
/// walk could not enter. Hidden files and folders are skipped.
pub fn walk<'f>(
    root: &Path,
    formats: &'f Formats,
) -> Result<impl Iterator<Item = Result<SourceFile, WalkProblem>> + 'f, CorpusError> {
    check_corpus(root)?;
    let root = root.to_path_buf();
    let walker = WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    Ok(walker.filter_map(move |entry| classify(&root, formats, entry)))
}

/// What one step of the walk found: an article file, a problem to report,
/// or nothing of interest (a folder, a file of another kind).
fn classify(
    root: &Path,
    formats: &Formats,
    entry: walkdir::Result<walkdir::DirEntry>,
) -> Option<Result<SourceFile, WalkProblem>> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(error) => {
            let place = error
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| root.display().to_string());
            let is_symlink = error
                .path()
                .and_then(|p| fs::symlink_metadata(p).ok())
                .is_some_and(|m| m.file_type().is_symlink());
            let io_kind = error.io_error().map(std::io::Error::kind);
            let other_kind_of_file = error
                .path()
                .is_some_and(|p| p.extension().is_some() && !formats.claims(p));
            if is_symlink && error.loop_ancestor().is_none() && other_kind_of_file {
                // A broken link to a PDF or an image is none of our business.
                return None;
            }
            let reason = if error.loop_ancestor().is_some() {
                "symbolic link loop, not followed".to_string()
            } else if is_symlink && io_kind == Some(std::io::ErrorKind::NotFound) {
                "broken symbolic link (its target does not exist)".to_string()
            } else if is_symlink && fs::metadata(error.path().unwrap_or(root)).is_err() {
                let cause = error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string);
                format!("symbolic link that cannot be followed ({cause})")
            } else {
                error
                    .io_error()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| error.to_string())
            };
            return Some(Err((place, SkipReason::Walk(reason))));
        }
    };
    if !formats.claims(entry.path()) {
        return None;
    }
    if let Some(kind) = special_file_kind(&entry.file_type()) {
        return Some(Err((
            entry.path().display().to_string(),
            SkipReason::NotAFile(kind),
        )));
    }
    if !entry.file_type().is_file() {
        return None;
    }
    let relative = entry.path().strip_prefix(root).ok()?;
    let relative = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let (size, modified_ns) = match entry.metadata() {
        Ok(m) => (
            m.len(),
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64),
        ),
        Err(_) => (0, 0),
    };
    Some(Ok(SourceFile {
        relative,
        size,
        modified_ns,
    }))
}

/// What a file that is neither a regular file nor a folder is, if it is one.
fn special_file_kind(file_type: &fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() || file_type.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}
