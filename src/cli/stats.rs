//! `dossier stats`: what the index holds.

use std::process::ExitCode;

use anyhow::Result;

use super::{ColorWhen, StatsArgs};
use crate::{exit, render, Engine};

/// Runs `dossier stats`.
pub fn run(args: &StatsArgs, color: ColorWhen) -> Result<ExitCode> {
    let engine = Engine::new();
    let stats = engine.open_index(&args.index, None)?.stats()?;
    super::print(args.json, color, &stats, |out, stats| {
        render::stats_table(out, stats, args.top)
    })?;
    Ok(exit::SUCCESS.into())
}
