//! `dossier stats`: what the index holds.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, ExistsQuery};
use tantivy::schema::Value;
use tantivy::{Order, TantivyDocument};

use crate::cli::{ColorWhen, StatsArgs};
use crate::exit;
use crate::index::{self, field};
use crate::render::{self, Stats};
use crate::search::Searchable;

/// Runs `dossier stats`.
pub fn run(args: &StatsArgs, color: ColorWhen) -> Result<ExitCode> {
    let (index, fields) = index::open(&args.index)?;
    let stats = gather(&args.index, index, fields)
        .map_err(|error| super::damaged_if_unreadable(&args.index, error))?;
    if args.json {
        render::json(&mut std::io::stdout().lock(), &stats)?;
    } else {
        let mut out = super::stdout(color);
        render::stats_table(&mut out, &stats, args.top)?;
        out.flush()?;
    }
    Ok(exit::SUCCESS.into())
}

/// Reads the figures; Tantivy opens segment files lazily, so this is where a
/// damaged index shows.
fn gather(dir: &Path, index: tantivy::Index, fields: index::Fields) -> Result<Stats> {
    let segments = index.searchable_segment_metas()?.len();
    let searchable = Searchable::new(index, fields)?;
    let searcher = searchable.searcher();
    let articles = searcher.search(&AllQuery, &Count)? as u64;
    let dated = searcher.search(&ExistsQuery::new(field::DATE.to_string(), false), &Count)? as u64;
    let edge = |order| -> Result<Option<chrono::NaiveDate>> {
        let top = searcher.search(
            &AllQuery,
            &TopDocs::with_limit(1).order_by_fast_field::<tantivy::DateTime>(field::DATE, order),
        )?;
        Ok(match top.first() {
            Some((Some(_), address)) => {
                let doc: TantivyDocument = searcher.doc(*address)?;
                doc.get_first(fields.date)
                    .and_then(|v| v.as_datetime())
                    .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
                    .map(|d| d.date_naive())
            }
            _ => None,
        })
    };
    let (first_date, last_date) = if articles > 0 {
        (edge(Order::Asc)?, edge(Order::Desc)?)
    } else {
        (None, None)
    };
    let index_bytes = std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let stats = Stats {
        articles,
        undated: articles - dated,
        first_date,
        last_date,
        index_bytes,
        segments,
        facets: searchable.facet_totals()?,
    };
    Ok(stats)
}
