//! What an index holds: articles, date range, size and the facet counts
//! over everything (`dossier stats`).

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, ExistsQuery};
use tantivy::{Order, TantivyDocument};

use super::{FacetCounts, SearchError, Searchable};
use crate::index::field;
use crate::index::schema::from_stored;

/// Index statistics.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// Articles in the index.
    pub articles: u64,
    /// Articles without a date.
    pub undated: u64,
    /// Oldest date.
    pub first_date: Option<chrono::NaiveDate>,
    /// Newest date.
    pub last_date: Option<chrono::NaiveDate>,
    /// Index size on disk.
    pub index_bytes: u64,
    /// Segments.
    pub segments: usize,
    /// Article counts of every facet value.
    pub facets: FacetCounts,
}

impl Searchable {
    /// The statistics of the whole index.
    pub fn stats(&self) -> Result<Stats, SearchError> {
        self.gather_stats().map_err(|e| self.damaged(e))
    }

    fn gather_stats(&self) -> Result<Stats, SearchError> {
        let searcher = self.searcher();
        let segments = searcher.segment_readers().len();
        let articles = searcher.search(&AllQuery, &Count)? as u64;
        let dated =
            searcher.search(&ExistsQuery::new(field::DATE.to_string(), false), &Count)? as u64;
        let edge = |order| -> Result<Option<chrono::NaiveDate>, SearchError> {
            let top = searcher.search(
                &AllQuery,
                &TopDocs::with_limit(1)
                    .order_by_fast_field::<tantivy::DateTime>(field::DATE, order),
            )?;
            Ok(match top.first() {
                Some((Some(_), address)) => {
                    let doc: TantivyDocument = searcher.doc(*address)?;
                    from_stored(self.fields(), &doc)?.date
                }
                _ => None,
            })
        };
        let (first_date, last_date) = if articles > 0 {
            (edge(Order::Asc)?, edge(Order::Desc)?)
        } else {
            (None, None)
        };
        let index_bytes = std::fs::read_dir(self.dir())
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        Ok(Stats {
            articles,
            undated: articles - dated,
            first_date,
            last_date,
            index_bytes,
            segments,
            facets: self.facet_totals()?,
        })
    }
}
