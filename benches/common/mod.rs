//! Data the benches build for themselves: generated corpora and their
//! indexes, cached under the target directory (`CARGO_TARGET_TMPDIR`) so
//! that only the first run pays for them. A fixed seed makes them the same
//! on every machine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dossier::gen::{generate, GenOptions};
use dossier::index::IndexError;
use dossier::pipeline::{IndexSummary, Silent};
use dossier::{Engine, IndexOptions};

/// One engine for every bench.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// Indexes `corpus` into `index`, silently.
pub fn index_corpus(
    corpus: &Path,
    index: &Path,
    options: &IndexOptions,
) -> Result<IndexSummary, IndexError> {
    engine().index_folder(corpus, index, options, &mut Silent)
}

/// The seed of every bench corpus.
pub const SEED: u64 = 42;

/// The fixed "today" used when indexing, so dates are never in the future.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dossier-bench")
}

/// A generated corpus of `docs` articles and its size in bytes.
pub fn corpus(docs: u64) -> (PathBuf, u64) {
    let dir = cache_dir().join(format!("corpus-{docs}-seed{SEED}"));
    let summary = generate(&dir, &GenOptions { docs, seed: SEED }).expect("generate corpus");
    if !summary.reused {
        eprintln!(
            "generated {docs} articles ({:.0} MB) into {}",
            summary.bytes as f64 / 1e6,
            dir.display()
        );
    }
    (dir, summary.bytes)
}

/// An index of the generated corpus of `docs` articles, built once.
pub fn index(docs: u64) -> PathBuf {
    let (corpus, _) = corpus(docs);
    let dir = cache_dir().join(format!("index-{docs}-seed{SEED}"));
    let complete = engine()
        .open_index(&dir, Some(1))
        .is_ok_and(|index| index.searcher().num_docs() == docs);
    if !complete {
        let mut options = IndexOptions::new(today());
        options.write.rebuild = true;
        let summary = index_corpus(&corpus, &dir, &options).expect("index corpus");
        eprintln!(
            "indexed {} articles into {} in {:.1}s",
            summary.added,
            dir.display(),
            summary.elapsed.as_secs_f64()
        );
    }
    dir
}
