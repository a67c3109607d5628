//! The pipeline through the library, with a test-only reader whose files
//! hold several articles: such a file is indexed as one document per
//! article, replaced whole when it changes, removed whole when deleted, and
//! never left half-indexed by a kill; the NDJSON sink writes the same
//! documents the index holds.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dossier::export::NdjsonSink;
use dossier::model::facet::{ACTOR, TARGET};
use dossier::model::{Article, Document};
use dossier::pipeline::{self, IndexSummary, PipelineOptions, Silent};
use dossier::search::{SearchRequest, Searchable};
use dossier::source::format::{Emit, Formats, Input, Reader, MAX_ARTICLE_BYTES};
use dossier::source::SkipReason;
use dossier::IndexOptions;

use crate::common::{engine, today};

/// A `.feed` file holds one article a line: `id|date|body`. A line without
/// two `|` is a bad article, reported with its line number. With
/// `DOSSIER_TEST_SLOW_MS` set it sleeps that long before each article, so a
/// kill lands in the middle of a file.
struct FeedReader;

impl Reader for FeedReader {
    fn name(&self) -> &'static str {
        "test feed"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["feed"]
    }

    fn version(&self) -> u32 {
        1
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let bytes = input.read_all(MAX_ARTICLE_BYTES)?;
        let text = String::from_utf8_lossy(&bytes);
        let pause = std::env::var("DOSSIER_TEST_SLOW_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis);
        for (n, line) in text.lines().enumerate() {
            if let Some(pause) = pause {
                std::thread::sleep(pause);
            }
            let mut parts = line.splitn(3, '|');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(id), Some(date), Some(body)) => emit(Ok(Article {
                    local_id: Some(id.to_string()),
                    title: body.split('.').next().unwrap_or("").to_string(),
                    date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
                    body: body.to_string(),
                    ..Article::default()
                })),
                _ => emit(Err(dossier::source::format::ArticleProblem {
                    location: format!("line {}", n + 1),
                    reason: "not id|date|body".to_string(),
                })),
            }
        }
        Ok(())
    }
}

fn options() -> IndexOptions {
    let mut options = IndexOptions::new(today());
    options.formats = Formats::standard().with(FeedReader);
    options.write.memory_bytes = 16 * 1024 * 1024;
    options
}

fn index(corpus: &Path, index: &Path, options: &IndexOptions) -> IndexSummary {
    engine()
        .index_folder(corpus, index, options, &mut Silent)
        .expect("index")
}

/// Every document in the index, by id.
fn documents(index: &Path) -> BTreeMap<String, Document> {
    let searchable: Searchable = engine().open_index(index, Some(1)).expect("open");
    let request = SearchRequest {
        limit: 10_000,
        ..SearchRequest::default()
    };
    let results = searchable.search(&request).expect("search");
    assert!(results.total_hits <= 10_000);
    results
        .hits
        .into_iter()
        .map(|hit| (hit.document.id.clone(), hit.document))
        .collect()
}

fn feed(lines: &[(&str, &str, &str)]) -> String {
    lines
        .iter()
        .map(|(id, date, body)| format!("{id}|{date}|{body}\n"))
        .collect()
}

#[test]
fn a_file_of_three_articles_is_three_documents_replaced_and_removed_together() {
    three_articles_replaced_and_removed_together(&options());
}

#[test]
fn a_streamed_file_s_articles_are_replaced_and_removed_together_too() {
    let mut streaming = options();
    streaming.pipeline.stream_above = 0;
    three_articles_replaced_and_removed_together(&streaming);
}

#[test]
fn a_streamed_file_of_many_chunks_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    fs::create_dir_all(&corpus).unwrap();
    let mut options = options();
    options.pipeline.stream_above = 1024;
    let path = corpus.join("big.feed");
    let lines: String = (0..4500)
        .map(|n| format!("n{n}|2024-01-01|Report {n} on APT28 activity in Germany.\n"))
        .collect();
    fs::write(&path, lines).unwrap();
    fs::write(corpus.join("small.feed"), "s1|2024-01-02|A small feed.\n").unwrap();
    let summary = index(&corpus, &index_dir, &options);
    assert_eq!(
        (summary.added, summary.skipped.len()),
        (4501, 0),
        "{summary:?}"
    );
    let docs = documents(&index_dir);
    assert_eq!(docs.len(), 4501);
    assert_eq!(docs["big.feed#n4499"].facets.get(&ACTOR), ["APT28"]);

    fs::write(&path, feed(&[("z", "2024-03-01", "Now one article.")])).unwrap();
    let edited = index(&corpus, &index_dir, &options);
    assert_eq!(
        (edited.updated, edited.removed, edited.unchanged),
        (1, 4499, 1),
        "{edited:?}"
    );
    let docs = documents(&index_dir);
    let ids: Vec<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(ids, ["big.feed#z", "small.feed#s1"]);
}

fn three_articles_replaced_and_removed_together(options: &IndexOptions) {
    let options = || options;
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    fs::create_dir_all(corpus.join("feeds")).unwrap();
    fs::write(
        corpus.join("plain.txt"),
        " date 2024-03-28 APT31 targeted the UK Electoral Commission.",
    )
    .unwrap();
    let path = corpus.join("feeds/news.feed");
    fs::write(
        &path,
        feed(&[
            ("a1", "2024-01-01", "Volt Typhoon hit US utilities."),
            ("b2", "2024-01-02", "Sandworm attacked Ukraine's grid."),
            ("c3", "2024-01-03", "Nothing to see here."),
        ]),
    )
    .unwrap();

    let summary = index(&corpus, &index_dir, options());
    assert_eq!(
        (summary.added, summary.skipped.len()),
        (4, 0),
        "{summary:?}"
    );
    let docs = documents(&index_dir);
    let ids: Vec<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "feeds/news.feed#a1",
            "feeds/news.feed#b2",
            "feeds/news.feed#c3",
            "plain.txt"
        ]
    );
    let b2 = &docs["feeds/news.feed#b2"];
    assert_eq!(b2.source_file, "feeds/news.feed");
    assert_eq!(b2.facets.get(&ACTOR), ["Sandworm Team"]);
    assert_eq!(b2.facets.get(&TARGET), ["UA"]);
    assert_eq!(docs["plain.txt"].facets.get(&ACTOR), ["APT31"]);

    // Unchanged: nothing read again.
    let again = index(&corpus, &index_dir, options());
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 4));

    // Edited to two articles (one new) and a bad line: all three old
    // documents go, the two new ones come, the bad line is reported.
    fs::write(
        &path,
        feed(&[
            ("a1", "2024-01-01", "Volt Typhoon hit US water utilities."),
            ("d4", "2024-02-01", "APT28 phished Germany."),
        ]) + "a line without fields\n",
    )
    .unwrap();
    let edited = index(&corpus, &index_dir, options());
    assert_eq!(
        (
            edited.added,
            edited.updated,
            edited.removed,
            edited.unchanged
        ),
        (0, 2, 1, 1),
        "{edited:?}"
    );
    assert_eq!(edited.skipped.len(), 1, "{edited:?}");
    assert!(
        edited.skipped[0].path.ends_with("news.feed line 3"),
        "{:?}",
        edited.skipped
    );
    assert_eq!(
        edited.skip_reasons(),
        [("not id|date|body".to_string(), 1)],
        "the summary groups by reason, not by line"
    );
    let docs = documents(&index_dir);
    let ids: Vec<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        ["feeds/news.feed#a1", "feeds/news.feed#d4", "plain.txt"]
    );
    assert!(docs["feeds/news.feed#a1"].body.contains("water"));

    // Deleted: every article of the file goes, the plain file stays.
    fs::remove_file(&path).unwrap();
    let deleted = index(&corpus, &index_dir, options());
    assert_eq!((deleted.removed, deleted.unchanged), (2, 1), "{deleted:?}");
    let docs = documents(&index_dir);
    assert_eq!(docs.keys().collect::<Vec<_>>(), ["plain.txt"]);
}

#[test]
fn articles_of_one_file_sharing_an_id_all_get_indexed_under_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    fs::create_dir_all(&corpus).unwrap();
    fs::write(
        corpus.join("dup.feed"),
        feed(&[
            ("x", "2024-01-01", "First."),
            ("x", "2024-01-02", "Second."),
        ]),
    )
    .unwrap();
    let summary = index(&corpus, &index_dir, &options());
    assert_eq!(summary.added, 2);
    assert_eq!(summary.warnings.len(), 1, "{summary:?}");
    let ids: Vec<String> = documents(&index_dir).into_keys().collect();
    assert_eq!(ids, ["dup.feed#2", "dup.feed#x"]);
}

#[test]
fn the_ndjson_sink_writes_the_documents_the_index_holds() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    let corpus = crate::common::repo_file("corpus");
    let options = IndexOptions::new(today());
    index(&corpus, &index_dir, &options);
    let held = documents(&index_dir);

    let mut sink = NdjsonSink::new(Vec::new(), "memory");
    let summary = pipeline::run(
        engine(),
        &corpus,
        &options.formats,
        &mut sink,
        &mut Silent,
        &PipelineOptions::new(today()),
    )
    .expect("export");
    assert_eq!(sink.documents() as usize, summary.added);
    let bytes = sink.into_inner().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let written: BTreeMap<String, Document> = text
        .lines()
        .map(|line| {
            let doc: Document = serde_json::from_str(line).expect("one document a line");
            (doc.id.clone(), doc)
        })
        .collect();
    assert_eq!(written.len(), held.len());
    assert_eq!(written, held);
}

/// The files of the kill test: each holds `ARTICLES_PER_FILE` articles.
const KILL_FILES: usize = 40;
const ARTICLES_PER_FILE: usize = 3;

fn write_kill_corpus(corpus: &Path) {
    fs::create_dir_all(corpus).unwrap();
    for f in 0..KILL_FILES {
        let lines: Vec<(String, String, String)> = (0..ARTICLES_PER_FILE)
            .map(|a| {
                (
                    format!("n{a}"),
                    format!("2020-01-{:02}", 1 + a),
                    format!("File {f} article {a} about espionage."),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = lines
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        fs::write(corpus.join(format!("f{f:03}.feed")), feed(&refs)).unwrap();
    }
}

/// Articles per source file in the index's last commit.
fn articles_per_file(index: &Path) -> BTreeMap<String, usize> {
    let mut per_file = BTreeMap::new();
    for doc in documents(index).into_values() {
        *per_file.entry(doc.source_file).or_default() += 1;
    }
    per_file
}

/// The child process of the kill test: indexes slowly, committing after
/// every few articles, until it is killed.
#[test]
#[ignore = "the child process of a_kill_in_the_middle_of_a_file_never_leaves_it_half_indexed, which runs it"]
fn child_indexes_feeds_slowly() {
    let (Some(corpus), Some(index_dir)) = (
        std::env::var_os("DOSSIER_TEST_CORPUS"),
        std::env::var_os("DOSSIER_TEST_INDEX"),
    ) else {
        panic!("run by a_kill_in_the_middle_of_a_file_never_leaves_it_half_indexed");
    };
    let mut options = options();
    options.pipeline.commit_every = 2;
    if std::env::var_os("DOSSIER_TEST_STREAM").is_some() {
        options.pipeline.stream_above = 0;
        options.pipeline.stream_chunk = 2;
    }
    index(Path::new(&corpus), Path::new(&index_dir), &options);
}

#[test]
fn a_kill_in_the_middle_of_a_file_never_leaves_it_half_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_kill_corpus(&corpus);
    // Odd rounds stream each file to the index two articles at a time.
    for round in 0..4u64 {
        let _ = fs::remove_dir_all(&index_dir);
        let mut child = Command::new(std::env::current_exe().unwrap());
        if round % 2 == 1 {
            child.env("DOSSIER_TEST_STREAM", "1");
        }
        let mut child = child
            .args([
                "--exact",
                "pipeline::child_indexes_feeds_slowly",
                "--ignored",
                "--test-threads=1",
            ])
            .env("DOSSIER_TEST_CORPUS", &corpus)
            .env("DOSSIER_TEST_INDEX", &index_dir)
            .env("DOSSIER_TEST_SLOW_MS", "15")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the first commit with articles, then a little longer, so
        // each round is killed at another point of another file.
        let started = Instant::now();
        loop {
            let committed = index_dir.join("meta.json").exists()
                && engine()
                    .open_index(&index_dir, Some(1))
                    .is_ok_and(|s| s.searcher().num_docs() > 0);
            if committed {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the child ended before its first commit"
            );
            assert!(started.elapsed() < Duration::from_secs(60), "no commit");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(40 + 50 * round));
        child.kill().unwrap();
        child.wait().unwrap();

        let committed = articles_per_file(&index_dir);
        assert!(
            committed.len() < KILL_FILES,
            "round {round}: the child finished before the kill"
        );
        for (file, articles) in &committed {
            assert_eq!(
                *articles, ARTICLES_PER_FILE,
                "round {round}: {file} half committed"
            );
        }
        let rerun = index(&corpus, &index_dir, &options());
        assert_eq!(
            rerun.added + rerun.unchanged,
            KILL_FILES * ARTICLES_PER_FILE,
            "round {round}: {rerun:?}"
        );
        let after = articles_per_file(&index_dir);
        assert_eq!(after.len(), KILL_FILES, "round {round}");
        assert!(
            after.values().all(|&n| n == ARTICLES_PER_FILE),
            "round {round}: {after:?}"
        );
    }
}
