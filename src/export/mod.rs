//! Exports: an index's articles, all of them or a search's matches, written
//! for the engines a team moves to past one machine ([`quickwit`],
//! [`elasticsearch`]), for threat-intelligence platforms ([`stix`]), and as
//! canonical documents for anything else ([`ndjson`]).
//!
//! An export streams: articles are read from the index one at a time and
//! written at once, so its memory does not grow with the corpus.

pub mod elasticsearch;
pub mod fields;
pub mod folder;
pub mod ndjson;
pub mod quickwit;
pub mod stix;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use thiserror::Error;

use crate::gazetteer::Gazetteer;
use crate::model::Document;
use crate::search::{SearchError, SearchRequest, Searchable};
use folder::{ExportFolder, WrittenFile};

pub use ndjson::NdjsonSink;

/// What to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A Quickwit index configuration and NDJSON documents.
    Quickwit,
    /// An Elasticsearch/OpenSearch mapping and `_bulk` files.
    Elasticsearch,
    /// STIX 2.1 bundles.
    Stix,
    /// The canonical documents, one JSON object a line.
    Ndjson,
}

impl ExportFormat {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Quickwit => "quickwit",
            ExportFormat::Elasticsearch => "elasticsearch",
            ExportFormat::Stix => "stix",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The format.
    pub format: ExportFormat,
    /// The folder to write into.
    pub out: PathBuf,
    /// The index name the configuration gives (Quickwit's `index_id`).
    pub index_name: String,
    /// Most articles in one STIX bundle.
    pub bundle_size: u64,
    /// Most bytes in one `_bulk` file.
    pub bulk_bytes: u64,
}

/// The default [`ExportOptions::index_name`].
pub const DEFAULT_INDEX_NAME: &str = "dossier";
/// The default [`ExportOptions::bundle_size`].
pub const DEFAULT_BUNDLE_SIZE: u64 = 1_000;
/// The default [`ExportOptions::bulk_bytes`]: under 10 MB, a size every
/// Elasticsearch and OpenSearch accepts and their guides recommend.
pub const DEFAULT_BULK_BYTES: u64 = 9_500_000;

impl ExportOptions {
    /// Options for `format` into `out`, with the defaults.
    pub fn new(format: ExportFormat, out: impl Into<PathBuf>) -> ExportOptions {
        ExportOptions {
            format,
            out: out.into(),
            index_name: DEFAULT_INDEX_NAME.to_string(),
            bundle_size: DEFAULT_BUNDLE_SIZE,
            bulk_bytes: DEFAULT_BULK_BYTES,
        }
    }
}

/// Why an export failed.
#[derive(Debug, Error)]
pub enum ExportError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The output folder holds something an export did not write.
    #[error("{}: will not export into this folder: {why}; give a new or empty folder, or one an earlier export wrote", dir.display())]
    NotAnExportFolder {
        /// The folder.
        dir: PathBuf,
        /// What is in the way.
        why: String,
    },
    /// The output folder is inside the corpus or the index.
    #[error("{}: will not export into {what} {}; give a folder outside it", dir.display(), inside.display())]
    InsideInput {
        /// The output folder.
        dir: PathBuf,
        /// What it is inside of: "the corpus" or "the index".
        what: &'static str,
        /// That folder.
        inside: PathBuf,
    },
    /// The index name is not one the engines accept.
    #[error("the index name {0:?} is not usable: start with a letter, then 2 to 254 letters, digits, '-', '_' or '.'")]
    BadIndexName(String),
    /// Searching the index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// What an export did.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// The format.
    pub format: ExportFormat,
    /// The folder written into.
    pub out: PathBuf,
    /// The index name the configuration gives.
    pub index_name: String,
    /// Articles the request matched.
    pub articles_matched: u64,
    /// Articles written.
    pub articles_written: u64,
    /// Articles left out, by the reason the format gives.
    pub left_out: BTreeMap<String, u64>,
    /// Matched articles without a date.
    pub undated: u64,
    /// The files written, in order.
    pub files: Vec<WrittenFile>,
    /// Bytes written, all files together.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// What a format did with one article.
pub enum Outcome {
    /// Written.
    Written,
    /// Left out, for this reason.
    LeftOut(&'static str),
}

/// One export format: writes articles into the folder as they come.
pub trait FormatWriter {
    /// Writes one article.
    fn write(
        &mut self,
        document: &Document,
        folder: &mut ExportFolder,
    ) -> Result<Outcome, ExportError>;

    /// Closes what is open once every article is written.
    fn finish(self: Box<Self>, folder: &mut ExportFolder) -> Result<(), ExportError>;
}

/// How often the progress callback is called, in articles.
const PROGRESS_EVERY: u64 = 512;

/// Exports the articles of `index` that `request` matches (its page is
/// ignored), calling `progress(done, total)` as it goes.
pub fn export(
    index: &Searchable,
    gazetteer: &Gazetteer,
    request: &SearchRequest,
    options: &ExportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ExportSummary, ExportError> {
    let started = Instant::now();
    check_index_name(&options.index_name)?;
    refuse_inside_inputs(&options.out, index)?;
    let matches = index.matches(request)?;
    let total = matches.total();
    let mut folder = ExportFolder::prepare(&options.out, options.format.name())?;
    let mut writer: Box<dyn FormatWriter + '_> = match options.format {
        ExportFormat::Ndjson => Box::new(ndjson::Canonical::new()),
        ExportFormat::Quickwit => Box::new(quickwit::Quickwit::start(
            gazetteer,
            &options.index_name,
            &mut folder,
        )?),
        ExportFormat::Elasticsearch => Box::new(elasticsearch::Elasticsearch::start(
            gazetteer,
            options.bulk_bytes,
            &mut folder,
        )?),
        ExportFormat::Stix => Box::new(stix::Stix::new(gazetteer, options.bundle_size)),
    };
    let mut written = 0u64;
    let mut undated = 0u64;
    let mut left_out: BTreeMap<String, u64> = BTreeMap::new();
    let mut done = 0u64;
    progress(0, total);
    for document in matches {
        let document = document?;
        undated += u64::from(document.date.is_none());
        match writer.write(&document, &mut folder)? {
            Outcome::Written => written += 1,
            Outcome::LeftOut(reason) => *left_out.entry(reason.to_string()).or_default() += 1,
        }
        done += 1;
        if done.is_multiple_of(PROGRESS_EVERY) {
            progress(done, total);
        }
    }
    writer.finish(&mut folder)?;
    progress(done, total);
    let out = folder.dir().to_path_buf();
    let filters: BTreeMap<&str, &[String]> = request
        .filters
        .iter()
        .map(|(facet, values)| (facet.param().unwrap_or(facet.name), values.as_slice()))
        .collect();
    let details = serde_json::json!({
        "query": request.query,
        "filters": filters,
        "since": request.since,
        "until": request.until,
        "articles_matched": total,
        "articles_written": written,
        "left_out": left_out,
        "undated": undated,
    });
    let files = folder.finish(details)?;
    Ok(ExportSummary {
        format: options.format,
        out,
        index_name: options.index_name.clone(),
        articles_matched: total,
        articles_written: written,
        left_out,
        undated,
        bytes: files.iter().map(|f| f.bytes).sum(),
        files,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Refuses an output folder inside the corpus (dossier never writes there,
/// and the next `dossier index` would read the export back as articles) or
/// inside the index.
fn refuse_inside_inputs(out: &Path, index: &Searchable) -> Result<(), ExportError> {
    let out_path = resolved(out);
    let inputs = [
        ("the corpus", index.corpus()),
        ("the index", Some(resolved(index.dir()))),
    ];
    for (what, inside) in inputs {
        if let Some(inside) = inside.filter(|folder| out_path.starts_with(folder)) {
            return Err(ExportError::InsideInput {
                dir: out.to_path_buf(),
                what,
                inside,
            });
        }
    }
    Ok(())
}

/// `path` made absolute with links resolved, as far as it exists (an output
/// folder may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Refuses an index name Quickwit would (Elasticsearch's rules are looser
/// but for capitals, which Quickwit allows and it does not).
fn check_index_name(name: &str) -> Result<(), ExportError> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && (3..=255).contains(&name.len())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(ExportError::BadIndexName(name.to_string()))
    }
}

/// The name of the `n`th (from 1) numbered file: `bulk-00001.ndjson`.
fn numbered(stem: &str, n: u64, extension: &str) -> String {
    format!("{stem}-{n:05}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_follow_quickwit_s_rules() {
        for good in ["dossier", "Dossier-2026.v1", "abc"] {
            assert!(check_index_name(good).is_ok(), "{good}");
        }
        for bad in ["", "ab", "1abc", "-abc", "a b c", "dossier/x", "é-abc"] {
            assert!(check_index_name(bad).is_err(), "{bad}");
        }
    }
}
