//! `dossier stats`: what the index holds.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::{ColorWhen, StatsArgs};
use crate::{exit, render, Engine};

/// Runs `dossier stats`.
pub fn run(args: &StatsArgs, color: ColorWhen) -> Result<ExitCode> {
    let engine = Engine::new();
    let stats = engine.open_index(&args.index, None)?.stats()?;
    if args.json {
        let mut out = BufWriter::new(std::io::stdout().lock());
        render::json(&mut out, &stats)?;
        out.flush()?;
    } else {
        let mut out = super::stdout(color);
        render::stats_table(&mut out, &stats, args.top)?;
        out.flush()?;
    }
    Ok(exit::SUCCESS.into())
}
