//! The `dossier` binary: parse flags, run, print the error chain, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = dossier::cli::Cli::parse();
    match dossier::cli::run(cli) {
        Ok(code) => code,
        Err(error) if dossier::is_broken_pipe(&error) => ExitCode::from(dossier::exit::SUCCESS),
        Err(error) => {
            eprintln!("dossier: {error:#}");
            ExitCode::from(dossier::exit::ERROR)
        }
    }
}
