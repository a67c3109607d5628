//! `dossier bench`: time a file of queries against an index inside one
//! process and print per-query and overall p50/p99 latencies.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, FromArgMatches};
use serde::Serialize;

use super::{BenchArgs, FlagError, SearchArgs};
use crate::search::{SearchParams, SearchRequest};
use crate::{exit, render, Engine};

/// One line of the query file, validated.
#[derive(Debug)]
pub struct BenchQuery {
    /// Line number (1-based).
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// The request it stands for.
    pub request: SearchRequest,
}

/// Parses a query file: one `dossier search` argument list a line, split like
/// a shell would, or one JSON object of search parameters (what the HTTP API
/// takes: `{"q": "salt typhoon", "country": "US"}`); blank lines and lines
/// starting with `#` are skipped.
pub fn parse_queries(
    file: &Path,
    text: &str,
    engine: &Engine,
) -> Result<Vec<BenchQuery>, FlagError> {
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = |reason: String| FlagError(format!("{} line {}: {reason}", file.display(), n + 1));
        if trimmed.starts_with('{') {
            let params: SearchParams = serde_json::from_str(trimmed)
                .map_err(|e| at(format!("not a JSON object of search parameters: {e}")))?;
            let request = engine.resolve(&params).map_err(|e| at(e.to_string()))?;
            queries.push(BenchQuery {
                line: n + 1,
                text: trimmed.to_string(),
                request,
            });
            continue;
        }
        let words =
            shell_words::split(trimmed).map_err(|e| at(format!("{e}; balance the quotes")))?;
        // As in the example (`salt typhoon --country US`), the words
        // of the query need no quotes: every positional word is collected.
        let command = SearchArgs::augment_args(
            clap::Command::new("query")
                .no_binary_name(true)
                .disable_help_flag(true),
        )
        .mut_arg("query", |arg| {
            arg.num_args(1..).action(clap::ArgAction::Append)
        });
        let matches = command.try_get_matches_from(&words).map_err(|e| {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("").trim();
            at(first.trim_start_matches("error: ").to_string())
        })?;
        let words: Option<Vec<String>> = matches
            .get_many::<String>("query")
            .map(|words| words.cloned().collect());
        let mut args = SearchArgs::from_arg_matches(&matches).map_err(|e| at(e.to_string()))?;
        if args.threads.is_some() {
            return Err(at(
                "--threads applies to the whole run; pass it to `dossier bench` instead".into(),
            ));
        }
        args.selection.query = words.map(|words| words.join(" "));
        let request = engine
            .resolve(&args.to_params())
            .map_err(|e| at(e.for_flags()))?;
        queries.push(BenchQuery {
            line: n + 1,
            text: trimmed.to_string(),
            request,
        });
    }
    if queries.is_empty() {
        return Err(FlagError(format!(
            "{} holds no queries; write one `dossier search` query a line",
            file.display()
        )));
    }
    Ok(queries)
}

/// The `p`-quantile (0..=1) of sorted samples, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Latencies of one query.
#[derive(Debug, Serialize)]
pub struct QueryTiming {
    /// The line as written.
    pub query: String,
    /// Articles matched.
    pub total_hits: usize,
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Mean, milliseconds.
    pub mean_ms: f64,
    /// Fastest run, milliseconds.
    pub min_ms: f64,
    /// Slowest run, milliseconds.
    pub max_ms: f64,
}

/// The whole run.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// Index folder.
    pub index: String,
    /// Articles in the index.
    pub articles: u64,
    /// Timed runs per query.
    pub repeat: u64,
    /// Per query, in file order.
    pub queries: Vec<QueryTiming>,
    /// Over every timed run of every query.
    pub overall: Overall,
}

/// Percentiles over every run.
#[derive(Debug, Serialize)]
pub struct Overall {
    /// Timed runs.
    pub runs: usize,
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Runs `dossier bench`.
pub fn run(args: &BenchArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.queries).map_err(|e| {
        FlagError(format!(
            "cannot read the query file {}: {e}",
            args.queries.display()
        ))
    })?;
    let engine = Engine::new();
    let queries = parse_queries(&args.queries, &text, &engine)?;
    let searchable = engine.open_index(&args.index, super::threads(args.threads))?;
    let articles = searchable.searcher().num_docs();

    let mut all = Vec::new();
    let mut timings = Vec::new();
    for query in &queries {
        let warm = searchable
            .search(&query.request)
            .with_context(|| format!("{} line {}", args.queries.display(), query.line))?;
        let mut samples = Vec::with_capacity(args.repeat as usize);
        for _ in 0..args.repeat {
            let started = Instant::now();
            let results = searchable.search(&query.request)?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(results);
        }
        all.extend_from_slice(&samples);
        samples.sort_by(f64::total_cmp);
        timings.push(QueryTiming {
            query: query.text.clone(),
            total_hits: warm.total_hits,
            p50_ms: round(percentile(&samples, 0.5)),
            p99_ms: round(percentile(&samples, 0.99)),
            mean_ms: round(samples.iter().sum::<f64>() / samples.len() as f64),
            min_ms: round(samples[0]),
            max_ms: round(samples[samples.len() - 1]),
        });
    }
    all.sort_by(f64::total_cmp);
    let report = BenchReport {
        index: args.index.display().to_string(),
        articles,
        repeat: args.repeat,
        queries: timings,
        overall: Overall {
            runs: all.len(),
            p50_ms: round(percentile(&all, 0.5)),
            p99_ms: round(percentile(&all, 0.99)),
        },
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        render::json(&mut out, &report)?;
    } else {
        table(&mut out, &report)?;
    }
    Ok(exit::SUCCESS.into())
}

fn table<W: Write>(out: &mut W, report: &BenchReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} articles in {}, {} timed runs per query (after one warm-up)",
        report.articles, report.index, report.repeat
    )?;
    let width = report
        .queries
        .iter()
        .map(|q| q.query.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    writeln!(
        out,
        "{:<width$}  {:>9}  {:>9}  {:>9}  {:>9}",
        "query", "hits", "p50 ms", "p99 ms", "mean ms"
    )?;
    for q in &report.queries {
        let shown: String = q.query.chars().take(width).collect();
        writeln!(
            out,
            "{shown:<width$}  {:>9}  {:>9.3}  {:>9.3}  {:>9.3}",
            q.total_hits, q.p50_ms, q.p99_ms, q.mean_ms
        )?;
    }
    writeln!(
        out,
        "{:<width$}  {:>9}  {:>9.3}  {:>9.3}",
        "overall",
        format!("{} runs", report.overall.runs),
        report.overall.p50_ms,
        report.overall.p99_ms
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{ACTOR, TARGET};

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 0.5), 50.0);
        assert_eq!(percentile(&samples, 0.99), 99.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
        assert_eq!(percentile(&[1.0, 2.0], 0.5), 1.0);
    }

    #[test]
    fn query_lines_take_search_flags() {
        let text = "# comment\n\nsalt typhoon --country Britain --facets\n'\"cloud hopper\"' -n 0\n--actor Zirconium --since 2020-01-01\n{\"q\": \"salt typhoon\", \"country\": \"Britain\", \"facets\": true}\n";
        let queries = parse_queries(Path::new("q.txt"), text, &Engine::new()).unwrap();
        assert_eq!(queries.len(), 4);
        assert_eq!(
            queries[3].request, queries[0].request,
            "flags and JSON agree"
        );
        assert_eq!(queries[0].line, 3);
        assert_eq!(queries[0].request.query.as_deref(), Some("salt typhoon"));
        assert_eq!(queries[0].request.values_of(&TARGET), ["GB"]);
        assert!(queries[0].request.facets);
        assert_eq!(
            queries[1].request.query.as_deref(),
            Some("\"cloud hopper\"")
        );
        assert_eq!(queries[1].request.limit, 0);
        assert_eq!(queries[2].request.query, None);
        assert_eq!(queries[2].request.values_of(&ACTOR), ["APT31"]);
    }

    #[test]
    fn bad_lines_name_the_file_and_line() {
        let g = &Engine::new();
        let e = parse_queries(Path::new("q.txt"), "ok\nx --country Narnia\n", g).unwrap_err();
        assert!(e.0.starts_with("q.txt line 2: --country"), "{}", e.0);
        let e = parse_queries(Path::new("q.txt"), "\"open quote\n", g).unwrap_err();
        assert!(e.0.starts_with("q.txt line 1:"), "{}", e.0);
        let e = parse_queries(Path::new("q.txt"), "x --bogus\n", g).unwrap_err();
        assert!(e.0.contains("--bogus"), "{}", e.0);
        let e = parse_queries(Path::new("q.txt"), "{\"actor\": \"Fancy Bare\"}\n", g).unwrap_err();
        assert!(
            e.0.starts_with("q.txt line 1: actor \"Fancy Bare\""),
            "{}",
            e.0
        );
        let e = parse_queries(Path::new("q.txt"), "{\"q\": 3}\n", g).unwrap_err();
        assert!(
            e.0.contains("not a JSON object of search parameters"),
            "{}",
            e.0
        );
        let e = parse_queries(Path::new("q.txt"), "# only\n\n", g).unwrap_err();
        assert!(e.0.contains("no queries"), "{}", e.0);
    }
}
