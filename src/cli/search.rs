//! `dossier search`: flags → search parameters → search → table, JSON,
//! CSV or NDJSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{ColorWhen, FlagError, OutputFormat, SearchArgs, DEFAULT_CORPUS, DEFAULT_INDEX};
use crate::index::IndexError;
use crate::pipeline::Silent;
use crate::search::{SearchError, Searchable};
use crate::{exit, render, Engine, IndexOptions};

/// Runs `dossier search`.
pub fn run(args: &SearchArgs, color: ColorWhen) -> Result<ExitCode> {
    let output = args.output()?;
    let engine = Engine::new();
    let request = engine.resolve(&args.to_params()).map_err(FlagError::from)?;
    let searchable = open_or_build_default(&engine, &args.index, args.threads, false)?;
    let results = searchable.search(&request)?;
    match output {
        OutputFormat::Table | OutputFormat::Json => super::print(
            output == OutputFormat::Json,
            color,
            &results,
            |out, results| render::search_table(out, results, request.offset),
        )?,
        OutputFormat::Csv | OutputFormat::Ndjson => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if output == OutputFormat::Csv {
                render::search_csv(&mut out, &results)?;
            } else {
                render::search_ndjson(&mut out, &results)?;
            }
            std::io::Write::flush(&mut out)?;
        }
    }
    let code = if results.total_hits > 0 {
        exit::SUCCESS
    } else {
        exit::NO_HITS
    };
    // The process ends here: the kernel unmaps the index files at exit, at
    // once, which is cheaper than closing them one by one (BENCHMARKS.md).
    std::mem::forget(searchable);
    Ok(code.into())
}

/// Opens the index. On a fresh clone the default index does not exist yet,
/// and after an upgrade it may be one an older dossier built: then it is
/// (re)built from the bundled corpus first, so that one command works from
/// scratch. A `live` index follows the commits made after it is opened.
pub(super) fn open_or_build_default(
    engine: &Engine,
    dir: &Path,
    threads: Option<u64>,
    live: bool,
) -> Result<Searchable> {
    let threads = super::threads(threads);
    let open = |threads| {
        if live {
            engine.open_live_index(dir, threads)
        } else {
            engine.open_index(dir, threads)
        }
    };
    let error = match open(threads) {
        Ok(searchable) => return Ok(searchable),
        Err(error) => error,
    };
    let corpus = Path::new(DEFAULT_CORPUS);
    let what = match &error {
        _ if dir != Path::new(DEFAULT_INDEX) || !corpus.is_dir() => None,
        SearchError::Index(IndexError::Missing(_)) => Some("no index at {index}/ yet; building it"),
        SearchError::Index(IndexError::SchemaMismatch) => {
            Some("the index at {index}/ was built by another version of dossier; rebuilding it")
        }
        _ => None,
    };
    let Some(what) = what else {
        return Err(error.into());
    };
    eprintln!(
        "dossier: {} from {}/ first",
        what.replace("{index}", &dir.display().to_string()),
        corpus.display()
    );
    let mut options = IndexOptions::new(super::today());
    options.formats = super::formats(std::time::Duration::from_secs(30));
    let summary = engine.index_folder(corpus, dir, &options, &mut Silent)?;
    let mut stderr = std::io::stderr().lock();
    super::index::report_files(&mut stderr, &summary)?;
    render::index_summary(&mut stderr, &summary)?;
    Ok(open(threads)?)
}
