//! `dossier search`: validated flags → search → table or JSON.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{ColorWhen, SearchArgs, DEFAULT_CORPUS, DEFAULT_INDEX};
use crate::gazetteer::Gazetteer;
use crate::index::{self, index_corpus, IndexOptions};
use crate::search::{default_search_threads, Searchable};
use crate::{exit, render};

/// Runs `dossier search`.
pub fn run(args: &SearchArgs, color: ColorWhen) -> Result<ExitCode> {
    let request = args.to_request(Gazetteer::embedded())?;
    build_default_index_if_missing(&args.index)?;
    let (index, fields) = index::open(&args.index)?;
    let threads = args
        .threads
        .map_or_else(default_search_threads, |n| n as usize);
    let searchable = Searchable::with_threads(index, fields, threads)
        .map_err(|error| super::damaged_if_unreadable(&args.index, error.into()))?;
    let results = searchable
        .search(&request)
        .map_err(|error| super::damaged_if_unreadable(&args.index, error.into()))?;
    if args.json {
        render::json(&mut std::io::stdout().lock(), &results)?;
    } else {
        let mut out = super::stdout(color);
        render::search_table(&mut out, &results, request.offset)?;
        out.flush()?;
    }
    Ok(if results.total_hits > 0 {
        exit::SUCCESS
    } else {
        exit::NO_HITS
    }
    .into())
}

/// On a fresh clone the default index does not exist yet: build it from the
/// bundled corpus so that one command works from scratch.
fn build_default_index_if_missing(index_dir: &Path) -> Result<()> {
    let corpus = Path::new(DEFAULT_CORPUS);
    if index::exists(index_dir) || index_dir != Path::new(DEFAULT_INDEX) || !corpus.is_dir() {
        return Ok(());
    }
    eprintln!(
        "dossier: no index at {}/ yet; building it from {}/ first",
        index_dir.display(),
        corpus.display()
    );
    let options = IndexOptions::new(super::today());
    let summary = index_corpus(corpus, index_dir, &options)?;
    let mut stderr = std::io::stderr().lock();
    for skip in &summary.skipped {
        writeln!(stderr, "{}: {}", skip.path, skip.reason)?;
    }
    render::index_summary(&mut stderr, &summary)?;
    Ok(())
}
