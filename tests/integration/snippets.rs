//! Snippets through the library: dossier's highlighter picks the same
//! passage and highlights the same words as Tantivy's `SnippetGenerator`,
//! on the bundled corpus's real articles and on generated ones.

use crate::common;

use crate::common::index_corpus;
use chrono::NaiveDate;
use dossier::gen::{generate, GenOptions};
use dossier::index::schema::from_stored;
use dossier::search::snippets::Highlighter;
use dossier::search::{SearchRequest, Searchable};
use dossier::IndexOptions;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, TantivyDocument};

fn open(corpus: &std::path::Path, index_dir: &std::path::Path) -> Searchable {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    index_corpus(corpus, index_dir, &IndexOptions::new(today)).unwrap();
    crate::common::searchable(index_dir)
}

fn every_body(searchable: &Searchable) -> Vec<String> {
    let searcher = searchable.searcher();
    let mut bodies = Vec::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in 0..segment.max_doc() {
            let doc: TantivyDocument = searcher.doc(DocAddress::new(ordinal as u32, doc)).unwrap();
            bodies.push(from_stored(searchable.fields(), &doc).unwrap().body);
        }
    }
    bodies
}

fn assert_same_snippets(searchable: &Searchable, queries: &[&str]) {
    let searcher = searchable.searcher();
    let body = searchable.fields().body;
    let bodies = every_body(searchable);
    let mut highlighted = 0;
    for query in queries {
        let request = SearchRequest {
            query: Some(query.to_string()),
            limit: 10,
            ..SearchRequest::default()
        };
        let plan = searchable.plan(&request).unwrap();
        let mut theirs = SnippetGenerator::create(&searcher, plan.ranked.as_ref(), body).unwrap();
        theirs.set_max_num_chars(240);
        let mut ours = Highlighter::new(&searcher, plan.ranked.as_ref(), body, 240).unwrap();
        let id = searchable.fields().id;
        assert!(
            Highlighter::new(&searcher, plan.ranked.as_ref(), id, 240).is_err(),
            "only English fields make snippets"
        );
        for text in &bodies {
            let expected = theirs.snippet(text);
            match ours.best_passage(text) {
                None => assert!(expected.is_empty(), "{query}: Tantivy found {expected:?}"),
                Some(passage) => {
                    highlighted += 1;
                    assert_eq!(passage.range, expected.fragment_range(), "{query}");
                    let words: Vec<_> = passage
                        .words
                        .iter()
                        .map(|w| w.start - passage.range.start..w.end - passage.range.start)
                        .collect();
                    assert_eq!(words, expected.highlighted(), "{query}");
                }
            }
        }
    }
    assert!(highlighted > queries.len(), "too few texts had the words");
}

#[test]
fn the_bundled_corpus_gets_tantivys_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let searchable = open(&common::repo_file("corpus"), &dir.path().join("index"));
    assert_same_snippets(
        &searchable,
        &[
            "espionage",
            "electoral commission",
            "\"threat actor\"",
            "china OR russia",
            "Zirconium",
            "parliament -china",
            "title:hackers",
            "ministry foreign affairs",
            "Türkiye",
        ],
    );
}

#[test]
fn generated_articles_get_tantivys_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(&corpus, &GenOptions { docs: 300, seed: 5 }).unwrap();
    let searchable = open(&corpus, &dir.path().join("index"));
    assert_same_snippets(
        &searchable,
        &[
            "attack",
            "government networks",
            "\"critical infrastructure\"",
            "obsidianfall OR intelligence",
        ],
    );
}
