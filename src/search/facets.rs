//! Facet counts: how many articles carry each top-level value of a facet
//! field (an actor, a country, a year), over every article or over the
//! articles a query matched.
//!
//! Tantivy's `FacetCollector` reads every matching document's facet column,
//! which costs a few hundred nanoseconds per document and field. Here the
//! matches are first gathered into one bit set per segment; where they are a
//! large share of a segment, each facet value's postings list is intersected
//! with that set instead (postings decode in blocks, and there are far fewer
//! facet values than documents). Over every article, a value's document
//! frequency is its count outright.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::BitSetDocSet;
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{
    BitSet, DocId, DocSet, Executor, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
};

/// The byte Tantivy puts between the segments of an encoded facet path.
/// Tantivy indexes a facet under every prefix of its path, so the top-level
/// values are the terms without it.
const FACET_SEPARATOR: u8 = 0;

/// Below one match in this many documents of a segment, the matches' facet
/// columns are read one document at a time instead of walking postings.
const SPARSE_MATCHES: u32 = 16;

/// Which articles to count over.
pub enum Scope<'a> {
    /// Every live article.
    Every,
    /// The matching articles of each segment, by segment ordinal.
    Matching(&'a [BitSet]),
}

/// Collects the matching documents of each segment into a bit set.
pub struct MatchingDocs;

/// The per-segment part of [`MatchingDocs`].
pub struct SegmentMatches {
    segment: SegmentOrdinal,
    docs: BitSet,
}

impl Collector for MatchingDocs {
    /// One bit set per segment, indexed by segment ordinal.
    type Fruit = Vec<BitSet>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            docs: BitSet::with_max_value(reader.max_doc()),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<(SegmentOrdinal, BitSet)>,
    ) -> tantivy::Result<Vec<BitSet>> {
        let mut segments = segments;
        segments.sort_by_key(|(ordinal, _)| *ordinal);
        Ok(segments.into_iter().map(|(_, docs)| docs).collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (SegmentOrdinal, BitSet);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.insert(doc);
    }

    fn harvest(self) -> (SegmentOrdinal, BitSet) {
        (self.segment, self.docs)
    }
}

/// Articles per top-level value of each facet field of `fields` in `scope`,
/// in the order of `fields`.
pub fn top_level_counts(
    searcher: &Searcher,
    executor: &Executor,
    fields: &[Field],
    scope: &Scope<'_>,
) -> tantivy::Result<Vec<BTreeMap<String, u64>>> {
    let per_segment = executor.map(
        |(ordinal, segment)| {
            fields
                .iter()
                .map(|&field| segment_counts(segment, field, scope, ordinal))
                .collect::<tantivy::Result<Vec<_>>>()
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    let mut counts: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); fields.len()];
    for segment in per_segment {
        for (field_counts, segment_field_counts) in counts.iter_mut().zip(segment) {
            for (name, count) in segment_field_counts {
                *field_counts.entry(name).or_default() += count;
            }
        }
    }
    Ok(counts)
}

/// Articles per top-level value of `field` in one segment's part of `scope`.
fn segment_counts(
    segment: &SegmentReader,
    field: Field,
    scope: &Scope<'_>,
    ordinal: usize,
) -> tantivy::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    let matches = match scope {
        Scope::Every => None,
        Scope::Matching(sets) => match sets.get(ordinal) {
            Some(set) if set.len() > 0 => Some(set),
            _ => return Ok(counts),
        },
    };
    match matches {
        Some(set)
            if (set.len() as u64) * u64::from(SPARSE_MATCHES) < u64::from(segment.max_doc()) =>
        {
            count_from_columns(segment, field, set, &mut counts)?
        }
        _ => count_from_postings(segment, field, matches, &mut counts)?,
    }
    Ok(counts)
}

/// Walks each top-level value's postings, keeping the documents in
/// `matches` (or the live ones when counting every article).
fn count_from_postings(
    segment: &SegmentReader,
    field: Field,
    matches: Option<&BitSet>,
    counts: &mut BTreeMap<String, u64>,
) -> tantivy::Result<()> {
    let inverted = segment.inverted_index(field)?;
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let key = terms.key();
        if key.is_empty() || key.contains(&FACET_SEPARATOR) {
            continue;
        }
        let count = match (matches, segment.alive_bitset()) {
            (None, None) => u64::from(terms.value().doc_freq),
            (matches, alive) => {
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
                let mut kept = 0u64;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    let counted = match matches {
                        Some(set) => set.contains(doc),
                        None => alive.is_none_or(|alive| alive.is_alive(doc)),
                    };
                    kept += u64::from(counted);
                    doc = postings.advance();
                }
                kept
            }
        };
        if count > 0 {
            *counts
                .entry(String::from_utf8_lossy(key).into_owned())
                .or_default() += count;
        }
    }
    Ok(())
}

/// Reads the facet column of each document in `matches`.
fn count_from_columns(
    segment: &SegmentReader,
    field: Field,
    matches: &BitSet,
    counts: &mut BTreeMap<String, u64>,
) -> tantivy::Result<()> {
    let reader = segment.facet_reader(segment.schema().get_field_name(field))?;
    // Facet ordinal → index into `names` of its top-level value, filled in
    // as ordinals turn up.
    let mut top_level: Vec<Option<usize>> = vec![None; reader.num_facets()];
    let mut names: Vec<String> = Vec::new();
    let mut indices: FxHashMap<String, usize> = FxHashMap::default();
    let mut tallies: Vec<u64> = Vec::new();
    let mut facet = Facet::root();
    let mut docs = BitSetDocSet::from(matches.clone());
    let mut doc = docs.doc();
    while doc != TERMINATED {
        // A document's ordinals are sorted, so values under one top-level
        // value (a year's months) are adjacent: count each once.
        let mut previous = usize::MAX;
        for ordinal in reader.facet_ords(doc) {
            let Some(slot) = top_level.get_mut(ordinal as usize) else {
                continue;
            };
            let index = match *slot {
                Some(index) => index,
                None => {
                    reader.facet_from_ord(ordinal, &mut facet)?;
                    let name = facet
                        .to_path()
                        .first()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    let index = *indices.entry(name.clone()).or_insert_with(|| {
                        names.push(name);
                        tallies.push(0);
                        names.len() - 1
                    });
                    *slot = Some(index);
                    index
                }
            };
            if index != previous {
                tallies[index] += 1;
                previous = index;
            }
        }
        doc = docs.advance();
    }
    for (name, tally) in names.into_iter().zip(tallies) {
        if tally > 0 && !name.is_empty() {
            *counts.entry(name).or_default() += tally;
        }
    }
    Ok(())
}
