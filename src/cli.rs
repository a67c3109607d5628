//! Command-line flags (clap derive) and their one-time conversion into
//! validated configs: dates parsed, actor aliases and country names resolved.
//! Nothing downstream sees clap.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::gazetteer::Gazetteer;
use crate::search::{SearchRequest, Sort};

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
}

/// Flags of `dossier index`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct IndexArgs {
    /// Folder of articles (`.txt` files, searched recursively).
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
    /// Query over title and body; every term is required, and actor names match any of their aliases. Omit to match every article.
    pub query: Option<String>,
    /// Index folder.
    #[arg(long, default_value = DEFAULT_INDEX)]
    pub index: PathBuf,
    /// Only articles naming this actor (any alias). Repeat for any of several.
    #[arg(long, value_name = "NAME")]
    pub actor: Vec<String>,
    /// Only articles whose actors' sponsor is this country (code or name). Repeatable.
    #[arg(long, value_name = "COUNTRY")]
    pub sponsor: Vec<String>,
    /// Only articles reporting this country as a target (code or name). Repeatable.
    #[arg(long, value_name = "COUNTRY")]
    pub country: Vec<String>,
    /// Only articles naming this CVE (CVE-2023-23397). Repeatable.
    #[arg(long, value_name = "CVE-YYYY-NNNN")]
    pub cve: Vec<String>,
    /// Only articles naming this ATT&CK technique (T1566, T1059.001). Repeatable.
    #[arg(long, value_name = "TNNNN")]
    pub technique: Vec<String>,
    /// Only articles naming this malware or tool (as ATT&CK lists it). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub malware: Vec<String>,
    /// Only articles dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only articles dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Hits to show (0 shows only the count and facets).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub limit: u64,
    /// Hits to skip, for paging.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub offset: u64,
    /// Order of hits (default: relevance with a query, newest without).
    #[arg(long, value_enum)]
    pub sort: Option<Sort>,
    /// Count actors, sponsors, targets and years over every matching article.
    #[arg(long)]
    pub facets: bool,
    /// Segments searched at once (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
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

/// A flag value that does not make sense.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FlagError(pub String);

/// Parses a `YYYY-MM-DD` flag value.
pub fn parse_date(flag: &str, value: &str) -> Result<NaiveDate, FlagError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        FlagError(format!(
            "{flag} {value:?} is not a date; write it as YYYY-MM-DD, e.g. {flag} 2024-03-28"
        ))
    })
}

/// Validates a CVE identifier, upper-casing it.
pub fn parse_cve(value: &str) -> Result<String, FlagError> {
    let upper = value.trim().to_ascii_uppercase();
    let mut parts = upper.splitn(3, '-');
    let valid = parts.next() == Some("CVE")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| (4..=7).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(upper)
    } else {
        Err(FlagError(format!(
            "--cve {value:?} is not a CVE identifier; write it as CVE-YYYY-NNNN, e.g. --cve CVE-2023-23397"
        )))
    }
}

/// Validates an ATT&CK technique ID (`T1566`, `T1059.001`).
pub fn parse_technique(value: &str) -> Result<String, FlagError> {
    let upper = value.trim().to_ascii_uppercase();
    let (main, sub) = upper
        .split_once('.')
        .map_or((upper.as_str(), None), |(m, s)| (m, Some(s)));
    let valid = main.len() == 5
        && main.starts_with('T')
        && main[1..].chars().all(|c| c.is_ascii_digit())
        && sub.is_none_or(|s| s.len() == 3 && s.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(upper)
    } else {
        Err(FlagError(format!(
            "--technique {value:?} is not an ATT&CK technique ID; write it as T1566 or T1059.001"
        )))
    }
}

/// Resolves a malware or tool name to the spelling ATT&CK uses.
pub fn resolve_software(gazetteer: &Gazetteer, name: &str) -> Result<String, FlagError> {
    gazetteer
        .software_named(name)
        .map(|s| s.name.clone())
        .ok_or_else(|| {
            FlagError(format!(
                "--malware {name:?} is not a malware or tool name dossier knows; search for it as text instead (dossier search {name:?})"
            ))
        })
}

/// Resolves an actor alias to its canonical name.
pub fn resolve_actor(gazetteer: &Gazetteer, name: &str) -> Result<String, FlagError> {
    if let Some(actor) = gazetteer.actor(name) {
        return Ok(actor.name.clone());
    }
    let suggestions = gazetteer.similar_actors(name, 3);
    let hint = if suggestions.is_empty() {
        "check the spelling, or search for the name as text instead".to_string()
    } else {
        format!("did you mean {}?", suggestions.join(", "))
    };
    Err(FlagError(format!(
        "--actor {name:?} is not a known threat actor or alias; {hint}"
    )))
}

/// Resolves a country code, name, short form or demonym to its alpha-2 code.
pub fn resolve_country(gazetteer: &Gazetteer, flag: &str, name: &str) -> Result<String, FlagError> {
    if let Some(country) = gazetteer.country(name) {
        return Ok(country.code.clone());
    }
    let suggestions = gazetteer.similar_countries(name, 3);
    let hint = if suggestions.is_empty() {
        "give an ISO 3166 alpha-2 code (GB) or a name (United Kingdom)".to_string()
    } else {
        format!("did you mean {}?", suggestions.join(", "))
    };
    Err(FlagError(format!(
        "{flag} {name:?} is not a country; {hint}"
    )))
}

impl SearchArgs {
    /// Validates the flags into a search request.
    pub fn to_request(&self, gazetteer: &Gazetteer) -> Result<SearchRequest, FlagError> {
        let since = self
            .since
            .as_deref()
            .map(|v| parse_date("--since", v))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|v| parse_date("--until", v))
            .transpose()?;
        if let (Some(since), Some(until)) = (since, until) {
            if since > until {
                return Err(FlagError(format!(
                    "--since {since} is after --until {until}; swap them to get a range"
                )));
            }
        }
        let actors = self
            .actor
            .iter()
            .map(|a| resolve_actor(gazetteer, a))
            .collect::<Result<Vec<_>, _>>()?;
        let sponsors = self
            .sponsor
            .iter()
            .map(|c| resolve_country(gazetteer, "--sponsor", c))
            .collect::<Result<Vec<_>, _>>()?;
        let targets = self
            .country
            .iter()
            .map(|c| resolve_country(gazetteer, "--country", c))
            .collect::<Result<Vec<_>, _>>()?;
        let cves = self
            .cve
            .iter()
            .map(|c| parse_cve(c))
            .collect::<Result<Vec<_>, _>>()?;
        let techniques = self
            .technique
            .iter()
            .map(|t| parse_technique(t))
            .collect::<Result<Vec<_>, _>>()?;
        let malware = self
            .malware
            .iter()
            .map(|m| resolve_software(gazetteer, m))
            .collect::<Result<Vec<_>, _>>()?;
        let query = self.query.clone().filter(|q| !q.trim().is_empty());
        let sort = self.sort.unwrap_or(if query.is_some() {
            Sort::Relevance
        } else {
            Sort::Newest
        });
        Ok(SearchRequest {
            query,
            actors,
            sponsors,
            targets,
            cves,
            techniques,
            malware,
            since,
            until,
            limit: self.limit as usize,
            offset: self.offset as usize,
            sort,
            facets: self.facets,
        })
    }
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
    fn flags_resolve_aliases_and_country_names() {
        let cli = Cli::parse_from([
            "dossier",
            "search",
            "x",
            "--actor",
            "Zirconium",
            "--country",
            "Britain",
            "--sponsor",
            "cn",
        ]);
        let Command::Search(args) = cli.command else {
            panic!("search")
        };
        let request = args.to_request(Gazetteer::embedded()).unwrap();
        assert_eq!(request.actors, vec!["APT31"]);
        assert_eq!(request.targets, vec!["GB"]);
        assert_eq!(request.sponsors, vec!["CN"]);
    }

    #[test]
    fn indicator_flags_are_validated() {
        assert_eq!(parse_cve("cve-2023-23397").unwrap(), "CVE-2023-23397");
        assert!(parse_cve("CVE-23-1").is_err());
        assert_eq!(parse_technique("t1059.001").unwrap(), "T1059.001");
        assert!(parse_technique("T15").is_err());
        assert_eq!(
            resolve_software(Gazetteer::embedded(), "blackenergy").unwrap(),
            "BlackEnergy"
        );
        assert!(resolve_software(Gazetteer::embedded(), "NoSuchMalware").is_err());
    }

    #[test]
    fn bad_values_get_one_clear_sentence() {
        let g = Gazetteer::embedded();
        let e = resolve_actor(g, "APT311").unwrap_err().0;
        assert!(e.contains("did you mean"), "{e}");
        let e = resolve_country(g, "--country", "Narnia").unwrap_err().0;
        assert!(e.contains("not a country"), "{e}");
        let e = parse_date("--since", "2024-02-30").unwrap_err().0;
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }
}
