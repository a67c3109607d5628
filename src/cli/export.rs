//! `dossier export`: flags → search request → every match written in the
//! chosen format, with a progress bar on a terminal and a summary.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::{ExportArgs, FlagError};
use crate::export::{self, ExportOptions};
use crate::{exit, render, Engine};

const BAR: &str = "exporting {wide_bar} {pos}/{len} articles, {per_sec}, about {eta} left";

/// Runs `dossier export`.
pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    let engine = Engine::new();
    let request = engine
        .resolve(&args.selection.to_params())
        .map_err(FlagError::from)?;
    let index = engine.open_index(&args.index, None)?;
    let mut options = ExportOptions::new(args.format.into(), &args.out);
    options.index_name = args.index_name.clone();
    options.bundle_size = args.bundle_size;
    let bar = if std::io::stderr().is_terminal() && !args.quiet {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template(BAR) {
        bar.set_style(style);
    }
    let summary = export::export(
        &index,
        engine.gazetteer(),
        &request,
        &options,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let summary = summary?;
    if args.json {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        render::json(&mut out, &summary)?;
        std::io::Write::flush(&mut out)?;
    } else {
        render::export_summary(&mut std::io::stderr().lock(), &summary)?;
    }
    Ok(exit::SUCCESS.into())
}
