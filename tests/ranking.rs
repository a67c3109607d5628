//! Ranking through the library: the fast paths a search takes (top hits that
//! skip what cannot reach them, counts from the term dictionary) give the
//! same hits, scores and counts as scoring every match.

use chrono::NaiveDate;
use dossier::gen::{generate, GenOptions};
use dossier::index::{self, index_corpus, IndexOptions};
use dossier::search::{SearchRequest, SearchResults, Searchable};

fn searchable(dir: &std::path::Path, docs: u64) -> Searchable {
    let corpus = dir.join("corpus");
    generate(&corpus, &GenOptions { docs, seed: 7 }).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut options = IndexOptions::new(today);
    options.memory_bytes = 32 * 1024 * 1024;
    let index_dir = dir.join("index");
    let summary = index_corpus(&corpus, &index_dir, &options).unwrap();
    assert_eq!(summary.added as u64, docs);
    let (index, fields) = index::open(&index_dir).unwrap();
    Searchable::new(index, fields).unwrap()
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
                    a.id,
                    b.id
                );
            }
            // Ties may come in another order, and the last places may go to
            // other articles of the same score: any hit one side lacks must
            // score like the last hit.
            let lowest = every.hits.last().and_then(|h| h.score).unwrap();
            for hit in &pruned.hits {
                if !every.hits.iter().any(|h| h.id == hit.id) {
                    let score = hit.score.unwrap();
                    assert!(
                        (score - lowest).abs() <= 1e-4 * lowest.abs().max(1.0),
                        "{word} top {limit}: {} ({score}) is not among the exhaustive hits",
                        hit.id
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
        let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&pruned).len(), ids(&every).len(), "{word}");
    }
}
