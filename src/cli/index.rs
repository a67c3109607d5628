//! `dossier index`: bring the index in line with a corpus folder.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use super::progress::TerminalProgress;
use super::{IndexArgs, ProgressWhen};
use crate::pipeline::{IndexSummary, JsonEvents, Reporter, Silent};
use crate::{exit, render, Engine, IndexOptions};

/// How often `--progress json` reports progress.
const JSON_PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Runs `dossier index`.
pub fn run(args: &IndexArgs) -> Result<ExitCode> {
    let engine = Engine::new();
    let mut options = IndexOptions::new(super::today());
    options.write.memory_bytes = (args.memory_mb as usize) * 1024 * 1024;
    options.write.rebuild = args.rebuild;
    options.pipeline.commit_every = args.commit_every as usize;
    options.pipeline.extract = !args.no_extract;
    if !args.parse_in_process {
        options.formats = super::formats(Duration::from_secs(args.parse_timeout));
    }
    let bar = |visible| -> Box<dyn Reporter> { Box::new(TerminalProgress::new(visible)) };
    let mut reporter: Box<dyn Reporter> = match args.progress {
        ProgressWhen::Auto => bar(std::io::stderr().is_terminal() && !args.quiet),
        ProgressWhen::Bar => bar(true),
        ProgressWhen::Json => Box::new(JsonEvents::new(std::io::stderr(), JSON_PROGRESS_EVERY)),
        ProgressWhen::None => Box::new(Silent),
    };
    let summary = engine.index_folder(&args.path, &args.index, &options, reporter.as_mut())?;
    drop(reporter);
    let mut stderr = std::io::stderr().lock();
    if !args.quiet {
        report_files(&mut stderr, &summary)?;
    }
    if args.json {
        render::json(&mut std::io::stdout().lock(), &summary)?;
    } else {
        render::index_summary(&mut stderr, &summary)?;
    }
    Ok(exit::SUCCESS.into())
}

/// The files skipped and the articles indexed with a warning, a line each,
/// and a note when an older index was started over.
pub fn report_files<W: Write>(out: &mut W, summary: &IndexSummary) -> std::io::Result<()> {
    if let Some(version) = summary.rebuilt_from_schema {
        writeln!(
            out,
            "dossier: the index was built by another version of dossier (schema {version}); it was rebuilt"
        )?;
    }
    for skip in &summary.skipped {
        writeln!(out, "{}: {}", skip.path, skip.reason)?;
    }
    for warning in &summary.warnings {
        writeln!(out, "{}: warning: {}", warning.path, warning.reason)?;
    }
    Ok(())
}
