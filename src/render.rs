//! Render: writes search results, index and export summaries, statistics
//! and extractions as a readable table for people, or JSON, CSV or NDJSON for
//! scripts. Everything writes to `impl Write`, so tests can capture it.

use std::io::{self, Write};

use serde::Serialize;
use termcolor::{Color, ColorSpec, WriteColor};

use crate::export::{ExportFormat, ExportSummary};
use crate::extract::Extraction;
use crate::model::facet::{Facet, Filter, Shown};
use crate::pipeline::IndexSummary;
use crate::search::{FacetCounts, Hit, SearchResults, Stats};

/// How many values of each facet the table shows.
const FACET_ROWS: usize = 10;

/// Writes any serialisable value as pretty JSON plus a newline.
pub fn json<W: Write, T: Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(json_io_error)?;
    writeln!(out)
}

/// A JSON writer's error as an I/O error that keeps its kind, so a closed
/// pipe is still recognised as one.
fn json_io_error(error: serde_json::Error) -> io::Error {
    match error.io_error_kind() {
        Some(kind) => io::Error::new(kind, error),
        None => io::Error::other(error),
    }
}

/// The hits, one JSON object a line (each as in `--format json`), for
/// streaming into other tools.
pub fn search_ndjson<W: Write>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    for hit in &results.hits {
        serde_json::to_writer(&mut *out, hit).map_err(json_io_error)?;
        writeln!(out)?;
    }
    Ok(())
}

/// What a list is joined with in a CSV cell.
pub const CSV_LIST_SEPARATOR: &str = "; ";

/// The columns of `--format csv`: a hit's own fields, one per facet that
/// documents carry (from the facet table), and the snippet.
fn search_csv_header() -> Vec<&'static str> {
    let mut header = vec![
        "id",
        "source_file",
        "path",
        "title",
        "date",
        "source",
        "url",
        "format",
        "score",
    ];
    header.extend(Facet::on_every_document().map(|f| f.hit_key));
    header.push("snippet");
    header
}

/// The hits as CSV (RFC 4180, a header row, lists joined by `; `), for
/// spreadsheets.
pub fn search_csv<W: Write>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    };
    writer
        .write_record(search_csv_header())
        .map_err(csv_error)?;
    for hit in &results.hits {
        let d = &hit.document;
        let mut row = vec![
            d.id.clone(),
            d.source_file.clone(),
            d.path.clone(),
            d.title.clone(),
            d.date.map(|date| date.to_string()).unwrap_or_default(),
            d.source.clone().unwrap_or_default(),
            d.url.clone().unwrap_or_default(),
            d.format.clone(),
            hit.score.map(|s| s.to_string()).unwrap_or_default(),
        ];
        row.extend(
            d.facets
                .iter()
                .map(|(_, values)| values.join(CSV_LIST_SEPARATOR)),
        );
        row.push(hit.snippet.text.clone());
        writer.write_record(&row).map_err(csv_error)?;
    }
    writer.flush()
}

fn with_color<W: WriteColor>(
    out: &mut W,
    spec: &ColorSpec,
    write: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    out.set_color(spec)?;
    write(out)?;
    out.reset()
}

fn spec(color: Color, bold: bool) -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(color)).set_bold(bold);
    spec
}

/// The search results as a table for people.
pub fn search_table<W: WriteColor>(
    out: &mut W,
    results: &SearchResults,
    offset: usize,
) -> io::Result<()> {
    let shown = results.hits.len();
    let what = if results.query.is_empty() {
        "all articles".to_string()
    } else {
        format!("{:?}", results.query)
    };
    let range = if shown == 0 {
        String::new()
    } else {
        format!(", showing {}-{}", offset + 1, offset + shown)
    };
    with_color(out, &spec(Color::Cyan, true), |o| {
        writeln!(
            o,
            "{} {} for {what}{range} ({:.1} ms)",
            results.total_hits,
            if results.total_hits == 1 {
                "article"
            } else {
                "articles"
            },
            results.took_ms
        )
    })?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        hit_block(out, offset + i + 1, hit)?;
    }
    if let Some(facets) = &results.facets {
        writeln!(out)?;
        facet_table(out, facets)?;
    }
    Ok(())
}

fn hit_block<W: WriteColor>(out: &mut W, rank: usize, hit: &Hit) -> io::Result<()> {
    let date = hit
        .document
        .date
        .map_or_else(|| "undated   ".to_string(), |d| d.to_string());
    with_color(out, &spec(Color::Green, true), |o| write!(o, "{rank:>3}. "))?;
    write!(out, "{date}  ")?;
    with_color(out, &ColorSpec::new().set_bold(true).clone(), |o| {
        writeln!(o, "{}", hit.document.title)
    })?;
    let facets = &hit.document.facets;
    let mut line = String::new();
    let mut indicators: Vec<&str> = Vec::new();
    for (facet, values) in facets.iter() {
        match facet.shown {
            Shown::Labelled => {
                let values = if values.is_empty() {
                    "-".to_string()
                } else {
                    values.join(", ")
                };
                if !line.is_empty() {
                    line.push_str("   ");
                }
                line.push_str(&format!("{}: {values}", facet.hit_key));
            }
            Shown::Qualifier(word) if !values.is_empty() => {
                line.push_str(&format!(" ({word} {})", values.join(", ")));
            }
            Shown::Indicator => indicators.extend(values.iter().map(String::as_str)),
            Shown::Qualifier(_) | Shown::Hidden => {}
        }
    }
    writeln!(out, "     {line}")?;
    if !indicators.is_empty() {
        writeln!(out, "     indicators: {}", indicators.join(", "))?;
    }
    let document = &hit.document;
    with_color(out, &spec(Color::Magenta, false), |o| {
        if document.format.is_empty() {
            writeln!(o, "     {}", document.path)
        } else {
            writeln!(o, "     {} ({})", document.path, document.format)
        }
    })?;
    let published: Vec<&str> = [document.source.as_deref(), document.url.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !published.is_empty() {
        writeln!(out, "     {}", published.join(" · "))?;
    }
    write!(out, "     ")?;
    let text = hit.snippet.text.replace('\n', " ");
    let mut at = 0;
    for range in &hit.snippet.highlights {
        if range.start < at || range.end > text.len() {
            continue;
        }
        write!(out, "{}", &text[at..range.start])?;
        with_color(out, &spec(Color::Yellow, true), |o| {
            write!(o, "{}", &text[range.clone()])
        })?;
        at = range.end;
    }
    writeln!(out, "{}", &text[at..])
}

fn facet_table<W: WriteColor>(out: &mut W, facets: &FacetCounts) -> io::Result<()> {
    with_color(out, &spec(Color::Cyan, true), |o| {
        writeln!(o, "Facets over all matching articles")
    })?;
    for (facet, values) in facets.iter() {
        let name = facet.name;
        let cells: Vec<String> = values
            .iter()
            .take(FACET_ROWS)
            .map(|(value, count)| format!("{value} {count}"))
            .collect();
        let more = values.len().saturating_sub(FACET_ROWS);
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        let cells = if cells.is_empty() {
            "-".to_string()
        } else {
            cells.join(" · ")
        };
        writeln!(out, "  {name:<9} {cells}{more}")?;
    }
    Ok(())
}

/// The one-line summary of an indexing run, plus skip reasons.
pub fn index_summary<W: Write>(out: &mut W, summary: &IndexSummary) -> io::Result<()> {
    let seconds = summary.elapsed.as_secs_f64();
    let mb = summary.bytes_read as f64 / 1e6;
    let rate = if seconds > 0.0 { mb / seconds } else { 0.0 };
    writeln!(
        out,
        "indexed in {seconds:.2}s: {} added, {} updated, {} removed, {} unchanged, {} skipped ({mb:.1} MB of text, {rate:.1} MB/s)",
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.skipped.len(),
    )?;
    let reasons = summary.skip_reasons();
    if !reasons.is_empty() {
        let text: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
        writeln!(out, "skipped: {}", text.join("; "))?;
    }
    if !summary.warnings.is_empty() {
        writeln!(
            out,
            "{} indexed with warnings (see above)",
            summary.warnings.len()
        )?;
    }
    Ok(())
}

/// What `dossier export` did, for people: counts, files, what was left
/// out and why, and how to load the export.
pub fn export_summary<W: Write>(out: &mut W, summary: &ExportSummary) -> io::Result<()> {
    let dir = summary.out.display();
    writeln!(
        out,
        "exported {} of {} matching articles to {dir}/ in {:.2}s: {} {}, {}",
        summary.articles_written,
        summary.articles_matched,
        summary.seconds,
        summary.files.len(),
        if summary.files.len() == 1 {
            "file"
        } else {
            "files"
        },
        human_bytes(summary.bytes),
    )?;
    const LISTED: usize = 4;
    let mut listed: Vec<String> = summary
        .files
        .iter()
        .take(LISTED)
        .map(|f| match f.articles {
            0 => format!("{} ({})", f.name, human_bytes(f.bytes)),
            n => format!("{} ({}, {n} articles)", f.name, human_bytes(f.bytes)),
        })
        .collect();
    if summary.files.len() > LISTED {
        listed.push(format!("{} more", summary.files.len() - LISTED));
    }
    if !listed.is_empty() {
        writeln!(out, "  {}", listed.join(", "))?;
    }
    for (reason, count) in &summary.left_out {
        writeln!(out, "left out {count}: {reason}")?;
    }
    if summary.undated > 0 && summary.format != ExportFormat::Stix {
        writeln!(out, "{} of them have no date", summary.undated)?;
    }
    let name = &summary.index_name;
    match summary.format {
        ExportFormat::Quickwit => writeln!(
            out,
            "load: quickwit index create --index-config {dir}/quickwit-index.yaml && quickwit index ingest --index {name} --input-path {dir}/documents.ndjson --detailed-response"
        ),
        ExportFormat::Elasticsearch => writeln!(
            out,
            "load: curl -XPUT 'localhost:9200/{name}' -H 'Content-Type: application/json' --data-binary @{dir}/mapping.json; for f in {dir}/bulk-*.ndjson; do curl -XPOST 'localhost:9200/{name}/_bulk' -H 'Content-Type: application/x-ndjson' --data-binary @$f; done"
        ),
        ExportFormat::Stix => writeln!(
            out,
            "load: import the bundle files into OpenCTI or MISP; check one with stix2_validator"
        ),
        ExportFormat::Ndjson => Ok(()),
    }
}

/// A size for people: `812 B`, `4.2 kB`, `1.3 MB`, `2.1 GB`.
fn human_bytes(bytes: u64) -> String {
    let value = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", value / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", value / 1e6),
        _ => format!("{:.1} GB", value / 1e9),
    }
}

/// `dossier stats` as text.
pub fn stats_table<W: WriteColor>(out: &mut W, stats: &Stats, top: usize) -> io::Result<()> {
    let range = match (stats.first_date, stats.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no dated articles".to_string(),
    };
    writeln!(
        out,
        "articles    {} ({} undated)",
        stats.articles, stats.undated
    )?;
    writeln!(out, "dates       {range}")?;
    writeln!(
        out,
        "index size  {:.1} MB in {} segment(s)",
        stats.index_bytes as f64 / 1e6,
        stats.segments
    )?;
    for (facet, values) in stats.facets.iter() {
        // The date range says what the years would.
        if matches!(facet.filter, Filter::DateRange) {
            continue;
        }
        let name = if facet.on_documents() {
            facet.hit_key
        } else {
            facet.name
        };
        let cells: Vec<String> = values
            .iter()
            .take(top)
            .map(|(v, n)| format!("{v} {n}"))
            .collect();
        writeln!(
            out,
            "{name:<11} {}",
            if cells.is_empty() {
                "-".to_string()
            } else {
                cells.join(" · ")
            }
        )?;
    }
    Ok(())
}

/// `dossier extract` as text: each facet with the evidence for it.
pub fn extraction_text<W: Write>(
    out: &mut W,
    path: &str,
    extraction: &Extraction,
) -> io::Result<()> {
    writeln!(out, "{path}")?;
    if extraction.actors.is_empty() {
        writeln!(out, "  actors: none named")?;
    }
    for actor in &extraction.actors {
        let forms: Vec<String> = actor
            .mentions
            .iter()
            .map(|m| format!("{:?}@{}", m.surface, m.offset))
            .collect();
        let sponsor = actor.sponsor.as_deref().unwrap_or("unknown");
        writeln!(
            out,
            "  actor   {} (sponsor {sponsor}): {}",
            actor.name,
            forms.join(", ")
        )?;
    }
    for (label, values) in [
        ("cves", &extraction.cves),
        ("techniques", &extraction.techniques),
        ("malware", &extraction.software),
        ("sectors", &extraction.sectors),
    ] {
        if !values.is_empty() {
            writeln!(out, "  {label}: {}", values.join(", "))?;
        }
    }
    // Why each sector, and each software name read as software or as its
    // gang, was taken.
    for reading in &extraction.readings {
        writeln!(
            out,
            "  {:<7} {}: {:?}@{} ({})",
            reading.facet,
            reading.value,
            reading.mention.surface,
            reading.mention.offset,
            reading.why
        )?;
    }
    writeln!(
        out,
        "  sponsors: {}",
        if extraction.sponsors.is_empty() {
            "-".to_string()
        } else {
            extraction.sponsors.join(", ")
        }
    )?;
    for country in &extraction.countries {
        let verdict = if country.target {
            "target"
        } else {
            "not a target"
        };
        let forms: Vec<String> = country
            .mentions
            .iter()
            .map(|(m, role)| {
                format!(
                    "{:?}@{} {}",
                    m.surface,
                    m.offset,
                    serde_json::to_string(role)
                        .unwrap_or_default()
                        .trim_matches('"')
                )
            })
            .collect();
        writeln!(
            out,
            "  country {} {verdict}: {}; {}",
            country.code,
            country.reason,
            forms.join(", ")
        )?;
    }
    Ok(())
}
