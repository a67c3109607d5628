//! dossier: a search engine for cyber-espionage reporting.
//!
//! The pipeline runs [`ingest`] (files → articles) → [`extract`] (article →
//! facets) → [`index`] (Tantivy schema and writer) → [`search`] (query → hits
//! and facet counts) → [`render`] (table or JSON). [`commands`] holds one thin
//! adapter per subcommand; [`cli`] turns flags into typed configs once.

pub mod cli;
pub mod commands;
pub mod exit;
pub mod extract;
pub mod gazetteer;
pub mod gen;
pub mod index;
pub mod ingest;
pub mod render;
pub mod search;

use std::process::ExitCode;

use cli::{Cli, Command};

/// Runs a parsed command line and returns the exit code to use.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Index(args) => commands::index::run(args),
        Command::Search(args) => commands::search::run(args, cli.color),
        Command::Stats(args) => commands::stats::run(args, cli.color),
        Command::Extract(args) => commands::extract::run(args),
        Command::GenCorpus(args) => commands::gen_corpus::run(args),
        Command::Bench(args) => commands::bench::run(args),
    }
}

/// Whether an error is a closed pipe (`dossier search | head`), which is not
/// a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
