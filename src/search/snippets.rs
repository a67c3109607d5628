//! Snippets: the passage of a hit's text that holds the most of the query's
//! words, with those words' byte ranges for highlighting.
//!
//! The same passages as Tantivy's `SnippetGenerator`, for less work:
//! Tantivy lower-cases every token of the text again, into a new `String`,
//! to look it up, though the field's analyzer has already lower-cased it,
//! and that allocation was a third of a rare word's search at 1M articles.
//! Here tokens are looked up as they come, and only the best passage so far
//! is kept. On dossier's English fields a word is stemmed only when it
//! begins with the letter one of the query's words begins with: Snowball's
//! English stemmer never changes a word's first letter, so no other word can
//! stem to one of them, and a process that shows a few snippets no longer
//! stems every word of every hit.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use rustc_hash::FxBuildHasher;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Score, Searcher, Term};

use crate::index::analyzer;

/// Finds the best passage of texts for one query, in a field analysed by
/// dossier's English analyzer.
pub struct Highlighter {
    /// Each of the query's indexed words in the field, weighted by rarity.
    weights: HashMap<String, Score, FxBuildHasher>,
    /// The English analyzer without its stemmer.
    unstemmed: TextAnalyzer,
    stemmer: frostem::Stemmer,
    /// The first letters of the query's words: only words beginning with
    /// one of them are stemmed.
    initials: Vec<char>,
    max_chars: usize,
}

/// A passage: its byte range in the text and its words' ranges in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Byte range of the passage in the text.
    pub range: Range<usize>,
    /// Byte ranges of the query's words, in the text (not the passage).
    pub words: Vec<Range<usize>>,
}

impl Highlighter {
    /// A highlighter for the words `query` looks up in `field`. A word
    /// weighs `1 / (1 + document frequency)`, as in Tantivy, so a passage
    /// with a rare word beats one with a common one.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_chars: usize,
    ) -> tantivy::Result<Highlighter> {
        let mut terms: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term);
            }
        });
        let mut weights = HashMap::with_hasher(FxBuildHasher);
        for term in terms {
            let value = term.value();
            let Some(word) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                weights.insert(word.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        let entry = searcher.schema().get_field_entry(field);
        let english = matches!(
            entry.field_type(),
            tantivy::schema::FieldType::Str(options)
                if options.get_indexing_options().map(|o| o.tokenizer()) == Some(analyzer::NAME)
        );
        if !english {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "snippets are made from fields analysed by {}, not {}",
                analyzer::NAME,
                entry.name()
            )));
        }
        let mut initials: Vec<char> = weights.keys().filter_map(|w| w.chars().next()).collect();
        initials.sort_unstable();
        initials.dedup();
        Ok(Highlighter {
            weights,
            unstemmed: analyzer::unstemmed(),
            stemmer: analyzer::stemmer(),
            initials,
            max_chars,
        })
    }

    /// The passage of `text`, at most `max_chars` bytes from its first word
    /// to its last, whose words weigh the most; the first of equals. `None`
    /// when no word of the query is in `text`.
    pub fn best_passage(&mut self, text: &str) -> Option<Passage> {
        if self.weights.is_empty() {
            return None;
        }
        let mut best: Option<(Score, Passage)> = None;
        let mut score: Score = 0.0;
        let mut current = Passage {
            range: 0..0,
            words: Vec::new(),
        };
        let mut stream = self.unstemmed.token_stream(text);
        while stream.advance() {
            let token = stream.token_mut();
            if token.offset_to - current.range.start > self.max_chars {
                if score > 0.0 && best.as_ref().is_none_or(|(top, _)| score > *top) {
                    let next = Passage {
                        range: token.offset_from..token.offset_from,
                        words: Vec::new(),
                    };
                    best = Some((score, std::mem::replace(&mut current, next)));
                } else {
                    current.range = token.offset_from..token.offset_from;
                    current.words.clear();
                }
                score = 0.0;
            }
            current.range.end = token.offset_to;
            let initial = token.text.chars().next();
            if initial.is_none_or(|c| self.initials.binary_search(&c).is_err()) {
                continue;
            }
            analyzer::stem_in_place(&self.stemmer, &mut token.text);
            if let Some(weight) = self.weights.get(token.text.as_str()) {
                score += weight;
                current.words.push(token.offset_from..token.offset_to);
            }
        }
        if score > 0.0 && best.as_ref().is_none_or(|(top, _)| score > *top) {
            best = Some((score, current));
        }
        best.map(|(_, passage)| passage)
    }
}
