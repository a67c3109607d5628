//! Ranking through the library: the fast paths a search takes (top hits that
//! skip what cannot reach them, counts from the term dictionary) give the
//! same hits, scores and counts as scoring every match.

use crate::common::index_corpus;
use chrono::NaiveDate;
use dossier::gen::{generate, GenOptions};
use dossier::model::facet::TARGET;
use dossier::search::{SearchRequest, SearchResults, Searchable};
use dossier::IndexOptions;

fn searchable(dir: &std::path::Path, docs: u64) -> Searchable {
    let corpus = dir.join("corpus");
    generate(&corpus, &GenOptions { docs, seed: 7 }).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut options = IndexOptions::new(today);
    options.write.memory_bytes = 32 * 1024 * 1024;
    let index_dir = dir.join("index");
    let summary = index_corpus(&corpus, &index_dir, &options).unwrap();
    assert_eq!(summary.added as u64, docs);
    crate::common::searchable(&index_dir)
}

fn search(searchable: &Searchable, query: &str, limit: usize, exhaustive: bool) -> SearchResults {
    let request = SearchRequest {
        query: Some(query.to_string()),
        limit,
        // Every generated article is dated after 2000: this filter matches
        // them all, and any filter makes the search score every match.
        since: exhaustive.then(|| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
        ..SearchRequest::default()
    };
    searchable.search(&request).unwrap()
}

#[test]
fn a_lone_word_ranks_and_counts_the_same_as_scoring_every_match() {
    let dir = tempfile::tempdir().unwrap();
    // Enough articles for many 128-document postings blocks per word.
    let searchable = searchable(dir.path(), 1500);
    let words = [
        "attack",
        "government",
        "networks",
        "intelligence",
        "ministry",
        "espionage",
        "malware",
        "campaign",
    ];
    for word in words {
        for limit in [1, 10, 50] {
            let pruned = search(&searchable, word, limit, false);
            let every = search(&searchable, word, limit, true);
            assert!(pruned.total_hits > 0, "{word}: no hits");
            assert_eq!(pruned.total_hits, every.total_hits, "{word}: counts differ");
            assert_eq!(pruned.hits.len(), every.hits.len(), "{word}");
            for (rank, (a, b)) in pruned.hits.iter().zip(&every.hits).enumerate() {
                let (a_score, b_score) = (a.score.unwrap(), b.score.unwrap());
                assert!(
                    (a_score - b_score).abs() <= 1e-4 * b_score.abs().max(1.0),
                    "{word} top {limit}, rank {rank}: {} scores {a_score}, {} scores {b_score}",
                    a.document.id,
                    b.document.id
                );
            }
            // Ties may come in another order, and the last places may go to
            // other articles of the same score: any hit one side lacks must
            // score like the last hit.
            let lowest = every.hits.last().and_then(|h| h.score).unwrap();
            for hit in &pruned.hits {
                if !every.hits.iter().any(|h| h.document.id == hit.document.id) {
                    let score = hit.score.unwrap();
                    assert!(
                        (score - lowest).abs() <= 1e-4 * lowest.abs().max(1.0),
                        "{word} top {limit}: {} ({score}) is not among the exhaustive hits",
                        hit.document.id
                    );
                }
            }
        }
    }
}

#[test]
fn a_count_alone_equals_the_number_of_hits() {
    let dir = tempfile::tempdir().unwrap();
    let searchable = searchable(dir.path(), 400);
    for query in [
        "attack",
        "government networks",
        "\"the government\"",
        "attack -ministry",
    ] {
        let count = search(&searchable, query, 0, false);
        let all = search(&searchable, query, 1000, false);
        assert!(count.total_hits > 0, "{query}: no hits");
        assert!(count.hits.is_empty(), "{query}");
        assert_eq!(count.total_hits, all.total_hits, "{query}");
        assert_eq!(all.hits.len(), all.total_hits, "{query}");
    }
}

#[test]
fn a_lone_word_with_facets_counts_them_the_same_as_scoring_every_match() {
    let dir = tempfile::tempdir().unwrap();
    let searchable = searchable(dir.path(), 400);
    for word in ["attack", "ministry", "espionage"] {
        let request = |since: Option<NaiveDate>| SearchRequest {
            query: Some(word.to_string()),
            limit: 10,
            facets: true,
            since,
            ..SearchRequest::default()
        };
        let pruned = searchable.search(&request(None)).unwrap();
        let every = searchable
            .search(&request(NaiveDate::from_ymd_opt(2000, 1, 1)))
            .unwrap();
        assert!(pruned.total_hits > 0, "{word}: no hits");
        assert_eq!(pruned.total_hits, every.total_hits, "{word}");
        let facets = |r: &SearchResults| serde_json::to_value(&r.facets).unwrap();
        assert!(!facets(&pruned).is_null(), "{word}: no facets");
        assert_eq!(facets(&pruned), facets(&every), "{word}");
        let ids = |r: &SearchResults| {
            r.hits
                .iter()
                .map(|h| h.document.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&pruned).len(), ids(&every).len(), "{word}");
    }
}

#[test]
fn searching_segments_in_parallel_finds_what_one_thread_finds() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut options = IndexOptions::new(today);
    // One indexing thread, whose budget holds a batch: one segment per run.
    options.write.memory_bytes = 16 * 1024 * 1024;
    let index_dir = dir.path().join("index");
    // Each batch indexed after the last lands in a segment of its own: three
    // segments, too few for the merge policy (four) to join.
    for (batch, seed) in [("a", 11), ("b", 12), ("c", 13)] {
        generate(&corpus.join(batch), &GenOptions { docs: 300, seed }).unwrap();
        index_corpus(&corpus, &index_dir, &options).unwrap();
    }
    let open = |threads| {
        crate::common::engine()
            .open_index(&index_dir, Some(threads))
            .unwrap()
            .with_parallel_threshold(0)
    };
    let (one, two) = (open(1), open(2));
    assert!(
        one.searcher().segment_readers().len() > 1,
        "the test needs more than one segment"
    );
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let requests = [
        SearchRequest {
            query: Some("attack".into()),
            limit: 10,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: Some("government networks".into()),
            limit: 20,
            facets: true,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: Some("\"critical infrastructure\"".into()),
            limit: 10,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: Some("intelligence".into()),
            limit: 10,
            facets: true,
            ..SearchRequest::default()
        }
        .filter(&TARGET, ["UA"]),
        SearchRequest {
            query: Some("networks".into()),
            since: day(2015, 1, 1),
            until: day(2020, 12, 31),
            sort: dossier::search::Sort::Newest,
            limit: 15,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: Some("ministry -espionage".into()),
            limit: 0,
            facets: true,
            ..SearchRequest::default()
        },
        SearchRequest {
            facets: true,
            limit: 5,
            ..SearchRequest::default()
        },
    ];
    for request in &requests {
        let (a, b) = (one.search(request).unwrap(), two.search(request).unwrap());
        let what = format!("{request:?}");
        assert!(a.total_hits > 0, "{what}: no hits");
        assert_eq!(a.total_hits, b.total_hits, "{what}: counts differ");
        let ranked = |results: &SearchResults| -> Vec<(String, Option<f32>)> {
            results
                .hits
                .iter()
                .map(|hit| (hit.document.id.clone(), hit.score))
                .collect()
        };
        assert_eq!(ranked(&a), ranked(&b), "{what}: hits differ");
        assert_eq!(
            serde_json::to_value(&a.facets).unwrap(),
            serde_json::to_value(&b.facets).unwrap(),
            "{what}: facets differ"
        );
    }
}
