//! One thin adapter per subcommand: validated flags in, library calls, output
//! through `render`, an exit code out.

pub mod bench;
pub mod extract;
pub mod gen_corpus;
pub mod index;
pub mod search;
pub mod stats;

use std::io::IsTerminal;

use termcolor::{ColorChoice, StandardStream};

use crate::cli::ColorWhen;
use crate::index::IndexError;
use crate::search::SearchError;

/// An error met while reading an index that opened fine: Tantivy opens
/// segment files lazily, so a missing, truncated or corrupt file shows up
/// here. Engine errors become [`IndexError::Damaged`], which names the fix
/// (`--rebuild`); anything else (a bad query) is passed through.
pub fn damaged_if_unreadable(dir: &std::path::Path, error: anyhow::Error) -> anyhow::Error {
    let engine = match error.downcast_ref::<SearchError>() {
        Some(SearchError::Engine(engine)) => Some(engine),
        _ => error.downcast_ref::<tantivy::TantivyError>(),
    };
    match engine {
        Some(engine) => IndexError::damaged(dir, engine).into(),
        None => error,
    }
}

/// Today's date; the one place the clock is read, so tests can pin it.
pub fn today() -> chrono::NaiveDate {
    std::env::var("DOSSIER_TODAY")
        .ok()
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// Standard output, coloured according to `--color` and `NO_COLOR`.
pub fn stdout(color: ColorWhen) -> StandardStream {
    let choice = match color {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto
            if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        ColorWhen::Auto => ColorChoice::Never,
    };
    StandardStream::stdout(choice)
}
