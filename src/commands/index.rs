//! `dossier index`: bring the index in line with a corpus folder.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::IndexArgs;
use crate::exit;
use crate::index::{index_corpus, IndexOptions};
use crate::render;

/// Runs `dossier index`.
pub fn run(args: &IndexArgs) -> Result<ExitCode> {
    let mut options = IndexOptions::new(super::today());
    options.memory_bytes = (args.memory_mb as usize) * 1024 * 1024;
    options.commit_every = args.commit_every as usize;
    options.rebuild = args.rebuild;
    options.extract = !args.no_extract;
    options.progress = std::io::stderr().is_terminal() && !args.quiet;
    let summary = index_corpus(&args.path, &args.index, &options)?;
    let mut stderr = std::io::stderr().lock();
    if !args.quiet {
        for skip in &summary.skipped {
            writeln!(stderr, "{}: {}", skip.path, skip.reason)?;
        }
        for warning in &summary.warnings {
            writeln!(stderr, "{}: warning: {}", warning.path, warning.reason)?;
        }
    }
    if args.json {
        render::json(&mut std::io::stdout().lock(), &summary)?;
    } else {
        render::index_summary(&mut stderr, &summary)?;
    }
    Ok(exit::SUCCESS.into())
}
