//! The command-line front end: flags (clap derive) turned once into the
//! library's parameters, one thin file per subcommand, and the terminal
//! progress bar. Nothing downstream sees clap.
//!
//! The facet filters (`--actor`, `--country`...) are made from the facet
//! table, so a new facet gets its flag without a line here.

pub mod bench;
pub mod export;
pub mod extract;
pub mod gen_corpus;
pub mod index;
pub mod progress;
pub mod search;
#[cfg(feature = "server")]
pub mod serve;
pub mod stats;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use termcolor::{BufferedStandardStream, ColorChoice};

use crate::model::facet::Filter;
use crate::model::FACETS;
use crate::search::{ParamError, SearchParams, Sort};
use crate::source::format::isolated::Isolation;
use crate::source::format::Formats;

/// The folder `index` reads and `search` falls back to.
pub const DEFAULT_CORPUS: &str = "corpus";
/// The folder the index lives in.
pub const DEFAULT_INDEX: &str = "index";

const EXIT_CODES: &str = "\
Exit codes:
  0  success (search: at least one hit)
  1  search: no article matched
  2  error: bad flag, bad query, missing or locked index, unusable corpus

Files that cannot be indexed are reported as `path: reason`, skipped and
counted in the summary; `dossier index` still exits 0 when the rest was indexed.";

/// Search engine for cyber-espionage reporting.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How `dossier index` shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressWhen {
    /// A bar on a terminal, unless --quiet; nothing otherwise.
    Auto,
    /// A bar, on stderr.
    Bar,
    /// One JSON object a line on stderr: walked, progress, skipped,
    /// warning, committed, finishing, finished.
    Json,
    /// Nothing.
    None,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a folder of articles (incremental: only new and changed files are read).
    Index(IndexArgs),
    /// Search the index: BM25-ranked hits, filters and facet counts.
    Search(SearchArgs),
    /// Summarise the index: articles, date range, top actors and countries, size.
    Stats(StatsArgs),
    /// Print the facets extracted from articles, with the evidence, without indexing.
    Extract(ExtractArgs),
    /// Write a deterministic synthetic corpus of N articles, for benchmarks.
    GenCorpus(GenCorpusArgs),
    /// Time a file of queries against an index: per-query and overall p50/p99.
    Bench(BenchArgs),
    /// Write every article, or a search's matches, for Quickwit,
    /// Elasticsearch/OpenSearch, STIX 2.1 platforms or as NDJSON.
    Export(ExportArgs),
    /// Serve the index over HTTP: a JSON API and a web page for searching with facets.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Internal: parse files sent on stdin in this child process, so a
    /// parser that hangs or crashes cannot take `dossier index` down.
    #[command(name = "parse-worker", hide = true)]
    ParseWorker,
}

/// Flags of `dossier index`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct IndexArgs {
    /// Folder of articles, searched recursively: text, Markdown, HTML,
    /// JSON/JSON Lines, STIX 2.1 bundles and PDF files.
    #[arg(default_value = DEFAULT_CORPUS)]
    pub path: PathBuf,
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Writer memory budget in MB, shared by the indexing threads.
    #[arg(long, default_value_t = crate::index::DEFAULT_MEMORY_MB as u64, value_parser = clap::value_parser!(u64).range(16..=65536))]
    pub memory_mb: u64,
    /// Commit after this many articles, so an interrupted run keeps its progress.
    #[arg(long, default_value_t = crate::index::DEFAULT_COMMIT_EVERY as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every: u64,
    /// Throw the existing index away and index everything again.
    #[arg(long)]
    pub rebuild: bool,
    /// Do not print the per-file messages, only the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// How to show progress: auto (a bar on a terminal, unless --quiet),
    /// bar, json (one event a line on stderr, for scripts), none.
    #[arg(long, value_enum, default_value_t = ProgressWhen::Auto)]
    pub progress: ProgressWhen,
    /// Give up on a PDF or HTML file whose parser takes longer than this
    /// many seconds (it is skipped with that reason).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub parse_timeout: u64,
    /// Parse PDF and HTML in this process instead of worker processes:
    /// a little faster, but a parser that hangs or crashes on a hostile
    /// file then takes the whole run down. For trusted files and benchmarks.
    #[arg(long)]
    pub parse_in_process: bool,
    /// Skip facet extraction (same schema, no actors, sponsors or targets):
    /// the ceiling that shows what extraction costs. For benchmarks.
    #[arg(long)]
    pub no_extract: bool,
}

/// Flags of `dossier gen-corpus`.
#[derive(Debug, Args)]
pub struct GenCorpusArgs {
    /// Number of articles to write.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub docs: u64,
    /// Folder to write into (new, empty, or an earlier generated corpus).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed: the same seed always gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `dossier bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// File of queries, one per line, with `dossier search` flags
    /// (`salt typhoon --country US --facets`); blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE")]
    pub queries: PathBuf,
    /// Timed runs of each query (after one untimed warm-up run).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub repeat: u64,
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Segments searched at once (default: one per core; 1 searches them
    /// one after another, to measure a single core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `dossier search`.
#[derive(Debug, Args)]
#[command(after_help = format!("{}\n\n{EXIT_CODES}", QUERY_HELP))]
pub struct SearchArgs {
    /// Which articles: the query, facet filters and dates.
    #[command(flatten)]
    pub selection: Selection,
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Hits to show (0 shows only the count and facets; at most 10000).
    #[arg(long, short = 'n', default_value_t = crate::search::request::DEFAULT_LIMIT)]
    pub limit: u64,
    /// Hits to skip, for paging (at most 1000000).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Order of hits (default: relevance with a query, newest without).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(Sort::NAMES))]
    pub sort: Option<String>,
    /// Count actors, sponsors, targets and years over every matching article.
    #[arg(long)]
    pub facets: bool,
    /// Segments searched at once (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// How to print the results: a table for people; JSON (one object:
    /// total, hits, facet counts), CSV (a header row, one row per hit,
    /// lists joined by "; ") or NDJSON (one hit per line) for scripts.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Short for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// Which articles a command works on: `search` and `export` take the same.
#[derive(Debug, Args)]
pub struct Selection {
    /// Query over title and body; every term is required, and actor names match any of their aliases. Omit to match every article.
    pub query: Option<String>,
    /// Facet filters, one flag per facet of the table (`--actor`, `--country`...).
    #[command(flatten)]
    pub filters: FacetFlags,
    /// Only articles dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only articles dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
}

impl Selection {
    /// The search parameters of this selection, with the defaults for the rest.
    pub fn to_params(&self) -> SearchParams {
        SearchParams {
            q: self.query.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            filters: self.filters.0.clone(),
            ..SearchParams::default()
        }
    }
}

/// Flags of `dossier export`.
#[derive(Debug, Args)]
#[command(after_help = EXPORT_HELP)]
pub struct ExportArgs {
    /// Which articles to export (default: every one).
    #[command(flatten)]
    pub selection: Selection,
    /// What to write: quickwit (index config + NDJSON), elasticsearch
    /// (mapping + _bulk files, also for OpenSearch), stix (STIX 2.1
    /// bundles), ndjson (dossier's own documents, one a line).
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// Folder to write into: new, empty, or one an earlier export wrote
    /// (its files are replaced; nothing else is ever touched); never
    /// inside the corpus or the index.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// The index name the Quickwit configuration gives (its index_id).
    #[arg(long, value_name = "NAME", default_value = crate::export::DEFAULT_INDEX_NAME)]
    pub index_name: String,
    /// Most articles in one STIX bundle.
    #[arg(long, value_name = "N", default_value_t = crate::export::DEFAULT_BUNDLE_SIZE, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub bundle_size: u64,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The formats `dossier export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// A Quickwit index configuration and NDJSON documents.
    Quickwit,
    /// An Elasticsearch/OpenSearch mapping and _bulk files.
    Elasticsearch,
    /// STIX 2.1 bundles, for OpenCTI, MISP and other platforms.
    Stix,
    /// dossier's own documents, one JSON object a line.
    Ndjson,
}

impl From<ExportFormatArg> for crate::export::ExportFormat {
    fn from(format: ExportFormatArg) -> crate::export::ExportFormat {
        use crate::export::ExportFormat;
        match format {
            ExportFormatArg::Quickwit => ExportFormat::Quickwit,
            ExportFormatArg::Elasticsearch => ExportFormat::Elasticsearch,
            ExportFormatArg::Stix => ExportFormat::Stix,
            ExportFormatArg::Ndjson => ExportFormat::Ndjson,
        }
    }
}

const EXPORT_HELP: &str = "\
Examples:
  dossier export --format quickwit --out export/quickwit
  dossier export --format elasticsearch --out export/es --since 2020-01-01
  dossier export --format stix --out export/stix --actor APT31
README.md's \"Scaling out\" gives the commands that load each export.

Exit codes:
  0  success (also when nothing matched: the export is then empty)
  2  error: bad flag or query, missing index, unusable output folder";

/// How `dossier search` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people, with facet counts after the hits.
    Table,
    /// One JSON object: the query, total, hits and facet counts.
    Json,
    /// RFC 4180 CSV with a header row, one row per hit.
    Csv,
    /// One JSON object per hit, a line each.
    Ndjson,
}

const QUERY_HELP: &str = "\
Query syntax (Tantivy):
  salt typhoon            both words, anywhere
  \"cloud hopper\"          the phrase
  volt OR salt            either word
  typhoon -volt           typhoon but not volt (also: NOT volt)
  title:parliament        only in the title (fields: title, body)
A word or phrase that names an actor also finds the articles that name it
another way: \"Violet Typhoon\" finds articles that only say APT31 (a name that
is one ordinary word, like Zirconium or Snake, only when capitalised).";

/// Flags of `dossier stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// How many top actors and countries to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `dossier serve`.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
#[command(after_help = SERVE_EXIT_CODES)]
pub struct ServeArgs {
    /// Index folder. Searches see each new commit of a `dossier index`
    /// running beside the server within about a second.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Address and port to listen on. Loopback by default; any other
    /// address makes the whole index readable by the network (no
    /// authentication). Port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:7777")]
    pub addr: std::net::SocketAddr,
    /// Let pages of this one origin (`https://intel.example.org`) call the
    /// API from the browser. Without it, no CORS headers are sent.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Searches running at once; more are answered 503 at once.
    #[arg(long, value_name = "N", default_value_t = crate::serve::DEFAULT_MAX_IN_FLIGHT as u64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_in_flight: u64,
    /// Seconds one request may search before it is answered 503.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::serve::DEFAULT_TIME_LIMIT.as_secs_f64(), value_parser = parse_seconds)]
    pub time_limit: f64,
    /// Segments one search reads at once (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Do not log each request on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[cfg(feature = "server")]
const SERVE_EXIT_CODES: &str = "\
Exit codes:
  0  stopped by Ctrl-C or SIGTERM
  2  error: missing or unreadable index, address in use, bad flag

HTTP statuses: 200 answered; 400 a bad parameter (the JSON error names it);
404 no such article or path; 405 not GET;
500 the index could not be read (the server's log says why); 503 too many
searches in flight or past the time limit (retry later).";

/// A positive number of seconds.
#[cfg(feature = "server")]
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0.001 to 3600"
        )),
    }
}

/// Flags of `dossier extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Article files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A flag value that does not make sense, in one sentence.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FlagError(pub String);

impl From<ParamError> for FlagError {
    fn from(error: ParamError) -> FlagError {
        FlagError(error.for_flags())
    }
}

/// The facet filter flags, one per facet of the table that has a parameter:
/// `--actor NAME`, `--country COUNTRY`... Repeating a flag means any of its
/// values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetFlags(pub BTreeMap<String, Vec<String>>);

impl FromArgMatches for FacetFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<FacetFlags, clap::Error> {
        let mut flags = FacetFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for param in FACETS.iter().filter_map(|f| f.param()) {
            if let Some(values) = matches.get_many::<String>(param) {
                self.0.insert(param.to_string(), values.cloned().collect());
            }
        }
        Ok(())
    }
}

impl Args for FacetFlags {
    fn augment_args(mut command: clap::Command) -> clap::Command {
        for facet in FACETS {
            if let Filter::Values {
                param,
                value_name,
                help,
                ..
            } = facet.filter
            {
                command = command.arg(
                    clap::Arg::new(param)
                        .long(param)
                        .value_name(value_name)
                        .help(help)
                        .action(clap::ArgAction::Append),
                );
            }
        }
        command
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        FacetFlags::augment_args(command)
    }
}

impl SearchArgs {
    /// The output format asked for, `--json` included; refuses facet counts
    /// in a format of one row per hit.
    pub fn output(&self) -> Result<OutputFormat, FlagError> {
        let format = if self.json {
            OutputFormat::Json
        } else {
            self.format
        };
        if self.facets && matches!(format, OutputFormat::Csv | OutputFormat::Ndjson) {
            let name = if format == OutputFormat::Csv {
                "csv"
            } else {
                "ndjson"
            };
            return Err(FlagError(format!(
                "--facets cannot be written as --format {name}, which holds one row per hit; use --format json or the table for the counts"
            )));
        }
        Ok(format)
    }

    /// The search parameters these flags stand for.
    pub fn to_params(&self) -> SearchParams {
        SearchParams {
            limit: Some(self.limit),
            offset: Some(self.offset),
            sort: self.sort.clone(),
            facets: self.facets,
            ..self.selection.to_params()
        }
    }
}

/// Runs a parsed command line and returns the exit code to use.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Index(args) => index::run(args),
        Command::Search(args) => search::run(args, cli.color),
        Command::Stats(args) => stats::run(args, cli.color),
        Command::Extract(args) => extract::run(args),
        Command::GenCorpus(args) => gen_corpus::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Export(args) => export::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
        Command::ParseWorker => {
            crate::source::format::isolated::worker_main(&Formats::standard())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The formats the command line reads: every one, with the untrusted
/// parsers (PDF, HTML) in worker processes of this binary, each file
/// allowed `timeout`.
pub fn formats(timeout: std::time::Duration) -> Formats {
    match Isolation::current_exe() {
        Ok(mut isolation) => {
            isolation.timeout = timeout;
            Formats::standard().isolate_untrusted(isolation)
        }
        // Without its own path the binary cannot start workers: parse in
        // process, as the library does by default.
        Err(_) => Formats::standard(),
    }
}

/// Today's date; the one place the clock is read, so tests can pin it
/// (`DOSSIER_TODAY`).
pub fn today() -> chrono::NaiveDate {
    std::env::var("DOSSIER_TODAY")
        .ok()
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// Search threads for `--threads N` (`None`: one per core).
pub fn threads(flag: Option<u64>) -> Option<usize> {
    flag.map(|n| n as usize)
}

/// Prints `value` on standard output, buffered: as JSON, or as the table
/// `table` writes for people.
pub fn print<T: serde::Serialize>(
    json: bool,
    color: ColorWhen,
    value: &T,
    table: impl FnOnce(&mut BufferedStandardStream, &T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if json {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        crate::render::json(&mut out, value)?;
        std::io::Write::flush(&mut out)
    } else {
        let mut out = stdout(color);
        table(&mut out, value)?;
        std::io::Write::flush(&mut out)
    }
}

/// Standard output, buffered (flush it), coloured according to `--color`
/// and `NO_COLOR`.
pub fn stdout(color: ColorWhen) -> BufferedStandardStream {
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
    BufferedStandardStream::stdout(choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_facet_with_a_parameter_has_its_flag() {
        let command = Cli::command();
        let search = command.find_subcommand("search").expect("search");
        for param in FACETS.iter().filter_map(|f| f.param()) {
            assert!(
                search.get_arguments().any(|a| a.get_long() == Some(param)),
                "--{param} is missing"
            );
        }
    }

    #[test]
    fn flags_become_the_parameters_they_stand_for() {
        let cli = Cli::parse_from([
            "dossier",
            "search",
            "x",
            "--actor",
            "Zirconium",
            "--country",
            "Britain",
            "--country",
            "FR",
            "--sponsor",
            "cn",
            "--sort",
            "oldest",
        ]);
        let Command::Search(args) = cli.command else {
            panic!("search")
        };
        let params = args.to_params();
        assert_eq!(params.filters["actor"], ["Zirconium"]);
        assert_eq!(params.filters["country"], ["Britain", "FR"]);
        assert_eq!(params.filters["sponsor"], ["cn"]);
        assert_eq!(params.sort.as_deref(), Some("oldest"));
        assert_eq!(params.limit, Some(10));
    }
}
