//! `dossier search`: flags → search parameters → search → table or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{ColorWhen, FlagError, SearchArgs, DEFAULT_CORPUS, DEFAULT_INDEX};
use crate::pipeline::Silent;
use crate::{exit, index, render, Engine, IndexOptions};

/// Runs `dossier search`.
pub fn run(args: &SearchArgs, color: ColorWhen) -> Result<ExitCode> {
    let engine = Engine::new();
    let request = engine.resolve(&args.to_params()).map_err(FlagError::from)?;
    build_default_index_if_needed(&engine, &args.index)?;
    let searchable = engine.open_index(&args.index, super::threads(args.threads))?;
    let results = searchable.search(&request)?;
    super::print(args.json, color, &results, |out, results| {
        render::search_table(out, results, request.offset)
    })?;
    let code = if results.total_hits > 0 {
        exit::SUCCESS
    } else {
        exit::NO_HITS
    };
    // The process ends here: the kernel unmaps the index files at once,
    // faster than closing them one by one.
    std::mem::forget(searchable);
    Ok(code.into())
}

/// On a fresh clone the default index does not exist yet, and after an
/// upgrade it may be one an older dossier built: (re)build it from the
/// bundled corpus so that one command works from scratch.
fn build_default_index_if_needed(engine: &Engine, index_dir: &Path) -> Result<()> {
    let corpus = Path::new(DEFAULT_CORPUS);
    if index_dir != Path::new(DEFAULT_INDEX) || !corpus.is_dir() {
        return Ok(());
    }
    let current = index::exists(index_dir)
        && index::schema_version(index_dir).is_none_or(|v| v == index::SCHEMA_VERSION);
    if current {
        return Ok(());
    }
    let what = if index::exists(index_dir) {
        "the index at {index}/ was built by another version of dossier; rebuilding it"
    } else {
        "no index at {index}/ yet; building it"
    };
    eprintln!(
        "dossier: {} from {}/ first",
        what.replace("{index}", &index_dir.display().to_string()),
        corpus.display()
    );
    let options = IndexOptions::new(super::today());
    let summary = engine.index_folder(corpus, index_dir, &options, &mut Silent)?;
    let mut stderr = std::io::stderr().lock();
    super::index::report_files(&mut stderr, &summary)?;
    render::index_summary(&mut stderr, &summary)?;
    Ok(())
}
