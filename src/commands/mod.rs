//! One thin adapter per subcommand: validated flags in, library calls, output
//! through `render`, an exit code out.

pub mod extract;
pub mod index;
pub mod search;
pub mod stats;

use std::io::IsTerminal;

use termcolor::{ColorChoice, StandardStream};

use crate::cli::ColorWhen;

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
