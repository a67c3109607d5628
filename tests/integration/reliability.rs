//! Reliability through the real binary: bad input is reported and skipped,
//! a SIGKILL at any moment loses nothing that was committed, a damaged index
//! names its fix, and concurrent commands never fail or corrupt each other.
//!
//! The long-running cases use a small deterministic corpus generator defined
//! here, so they do not depend on `dossier gen-corpus`.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::TestEnv;
use serde_json::Value;

// ---------------------------------------------------------------------------
// A deterministic corpus generator.

/// Letters that no English stemming rule touches (no vowels, no `s`, no `y`),
/// so every generated marker word stays distinct after analysis.
const MARKER_LETTERS: &[u8] = b"bcdfghjklmnpqrtvwxz";

/// A word that occurs in generated article `i` and in no other article.
fn marker(i: usize) -> String {
    let mut word = String::from("zq");
    let mut n = i;
    for _ in 0..4 {
        word.push(MARKER_LETTERS[n % MARKER_LETTERS.len()] as char);
        n /= MARKER_LETTERS.len();
    }
    word
}

const WORDS: &[&str] = &[
    "network",
    "report",
    "servers",
    "officials",
    "breach",
    "systems",
    "ministry",
    "researchers",
    "campaign",
    "phishing",
    "malware",
    "espionage",
    "data",
    "government",
    "agency",
    "infrastructure",
    "email",
    "credentials",
    "exploit",
    "the",
    "of",
    "and",
    "said",
];
const ACTORS: &[&str] = &[
    "APT28",
    "APT29",
    "Sandworm",
    "Volt Typhoon",
    "Lazarus Group",
    "Turla",
    "APT31",
    "Kimsuky",
];
const COUNTRIES: &[&str] = &[
    "Poland", "Germany", "Ukraine", "Japan", "Canada", "France", "Norway", "Taiwan",
];

/// The text of generated article `i`: a dated header, a title naming an
/// actor, a country and the article's marker, and a body of ordinary words.
fn generated_article(i: usize) -> String {
    let mut state = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let date = format!(
        "{:04}-{:02}-{:02}",
        2010 + i % 16,
        1 + (i / 16) % 12,
        1 + (i / 192) % 28
    );
    let mut text = format!(
        " date {date} {} targeted {} in campaign {}.\n\n",
        ACTORS[next(ACTORS.len())],
        COUNTRIES[next(COUNTRIES.len())],
        marker(i)
    );
    for _ in 0..(12 + next(24)) {
        text.push_str(WORDS[next(WORDS.len())]);
        text.push(' ');
    }
    text.push_str("end.\n");
    text
}

/// The corpus-relative id of generated article `i`.
fn generated_id(i: usize) -> String {
    format!("batch-{:02}/article-{i:05}.txt", i / 500)
}

/// Writes `n` generated articles into the environment's corpus.
fn generate_corpus(env: &TestEnv, n: usize) {
    for i in 0..n {
        env.raw(&generated_id(i), generated_article(i).as_bytes());
    }
}

// ---------------------------------------------------------------------------
// Helpers for child processes and for reading the index from outside.

/// `dossier index corpus --index index ARGS`, as a child process that can be
/// killed. Its stderr goes to `stderr.log` in the test folder.
fn spawn_index(env: &TestEnv, args: &[&str]) -> Child {
    let log = fs::File::create(env.dir.path().join("stderr.log")).expect("log file");
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(env.dir.path())
        .env_clear()
        .env("DOSSIER_TODAY", "2026-11-22")
        .args(["index", "corpus", "--index", "index", "--quiet"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn dossier index")
}

/// Live documents in the last commit, read from `meta.json` the way a new
/// reader would see them; `None` before the index exists.
fn committed_docs(index: &Path) -> Option<u64> {
    let text = fs::read_to_string(index.join("meta.json")).ok()?;
    let meta: Value = serde_json::from_str(&text).ok()?;
    let segments = meta["segments"].as_array()?;
    Some(
        segments
            .iter()
            .map(|s| {
                s["max_doc"].as_u64().unwrap_or(0)
                    - s["deletes"]["num_deleted_docs"].as_u64().unwrap_or(0)
            })
            .sum(),
    )
}

/// Polls until `done` holds or the child exits; returns whether `done` held.
fn wait_until(child: &mut Child, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if done() {
            return true;
        }
        if child.try_wait().expect("try_wait").is_some() {
            return done();
        }
        sleep(Duration::from_millis(5));
    }
    false
}

/// SIGKILLs the child (std's `kill` sends SIGKILL on Unix) and reaps it.
fn kill_hard(child: &mut Child) -> std::process::ExitStatus {
    child.kill().expect("kill");
    child.wait().expect("wait")
}

/// Every id in the index, with the total the engine reports.
fn all_ids(env: &TestEnv) -> (u64, Vec<String>) {
    let result = env.search(&["--limit", "10000"]);
    let ids = result["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect();
    (result["total_hits"].as_u64().expect("total"), ids)
}

/// Asserts the index holds exactly the articles in `expected`, once each.
fn assert_exactly(env: &TestEnv, expected: &BTreeSet<String>) {
    let (total, ids) = all_ids(env);
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate documents in the index");
    assert_eq!(
        total as usize,
        ids.len(),
        "total_hits disagrees with the hits"
    );
    assert_eq!(&unique, expected, "the index does not hold the corpus");
}

/// stderr as text, asserting it is one line (one clear sentence).
fn one_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).trim_end().to_string();
    assert_eq!(text.lines().count(), 1, "expected one line, got: {text}");
    assert!(!text.contains("panicked"), "{text}");
    text
}

// ---------------------------------------------------------------------------
// Bad input.

/// What the run should say about one file.
struct Expect {
    /// Corpus-relative name.
    name: &'static str,
    /// Fragment of the message (`path: reason`), or `None` if indexed silently.
    message: Option<&'static str>,
    /// Skipped (true) or indexed (false).
    skipped: bool,
}

#[test]
fn bad_input_is_reported_per_file_and_the_rest_of_the_corpus_is_indexed() {
    let env = TestEnv::new();
    let mut expected = vec![
        Expect {
            name: "good.txt",
            message: None,
            skipped: false,
        },
        Expect {
            name: "empty.txt",
            message: Some("empty file"),
            skipped: true,
        },
        Expect {
            name: "image.txt",
            message: Some("misnamed file: a PNG image named .txt, not text"),
            skipped: true,
        },
        Expect {
            name: "nul.txt",
            message: Some("binary file (contains NUL bytes"),
            skipped: true,
        },
        Expect {
            name: "latin1.txt",
            message: Some("warning: not valid UTF-8; decoded as Windows-1252"),
            skipped: false,
        },
        Expect {
            name: "bom.txt",
            message: None,
            skipped: false,
        },
        Expect {
            name: "crlf.txt",
            message: None,
            skipped: false,
        },
        Expect {
            name: "nodate.txt",
            message: Some("warning: no `date YYYY-MM-DD` header; indexed without a date"),
            skipped: false,
        },
        Expect {
            name: "guessed.txt",
            message: Some(
                "warning: no `date YYYY-MM-DD` header; date 2016-06-17 guessed from the text",
            ),
            skipped: false,
        },
        Expect {
            name: "notes/broken.md",
            message: Some("warning: the front matter is not valid YAML (line 2: "),
            skipped: false,
        },
        Expect {
            name: "notes/report.md",
            message: Some("misnamed file: a PDF document named .md, not Markdown (rename it .pdf)"),
            skipped: true,
        },
        Expect {
            name: "notes/blob.md",
            message: Some("binary file (contains NUL bytes"),
            skipped: true,
        },
        Expect {
            name: "notes/empty.md",
            message: Some("empty note: no text after the front matter"),
            skipped: true,
        },
        Expect {
            name: "impossible.txt",
            message: Some("warning: invalid date \"2024-02-30\" (no such day)"),
            skipped: false,
        },
        Expect {
            name: "future.txt",
            message: Some("warning: date 3024-01-01 is in the future; indexed without a date"),
            skipped: false,
        },
        Expect {
            name: "huge.txt",
            message: Some("too large: 52428800 bytes, over the 16777216-byte limit"),
            skipped: true,
        },
        Expect {
            name: "long-line.txt",
            message: None,
            skipped: false,
        },
        Expect {
            name: "sub/loop",
            message: Some("symbolic link loop, not followed"),
            skipped: true,
        },
        Expect {
            name: "self.txt",
            message: Some("symbolic link that cannot be followed"),
            skipped: true,
        },
        Expect {
            name: "dangling.txt",
            message: Some("broken symbolic link (its target does not exist)"),
            skipped: true,
        },
        Expect {
            name: "fifo.txt",
            message: Some("not a regular file but a named pipe, which is never read"),
            skipped: true,
        },
        Expect {
            name: "folder.txt/inside.txt",
            message: None,
            skipped: false,
        },
    ];
    env.article(
        "good.txt",
        "2024-03-25",
        "APT31 hacked the UK Electoral Commission, officials said.",
    );
    env.raw("empty.txt", b"");
    env.raw(
        "image.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x1f\x15\xc4\x89",
    );
    env.raw(
        "nul.txt",
        b" date 2020-01-01 Text with a \0 NUL byte inside.",
    );
    env.raw(
        "latin1.txt",
        b" date 2020-05-05 Caf\xE9 owners in Qu\xE9bec were phished, \x93officials\x94 said.",
    );
    env.raw(
        "bom.txt",
        "\u{feff}date 2021-01-01 Bommarker article about Turla.".as_bytes(),
    );
    env.raw(
        "crlf.txt",
        b" date 2022-02-02 Crlfmarker first sentence.\r\nSecond line.\r\n",
    );
    env.raw("nodate.txt", b"Nodatemarker report without a header.");
    env.raw(
        "guessed.txt",
        b"June 17, 2016\n\nGuessedmarker report dated in its first line.",
    );
    env.raw(
        "notes/broken.md",
        b"---\ntitle: APT29: an unquoted colon\ndate: 2024-03-28\n---\n# Brokenmarker note\n\nText.",
    );
    // A PDF with no NUL byte in it, so only its header tells it apart.
    env.raw(
        "notes/report.md",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    );
    env.raw("notes/blob.md", b"# Not\0really\0a\0note");
    env.raw("notes/empty.md", b"---\ntitle: Nothing below\n---\n\n");
    env.article("impossible.txt", "2024-02-30", "Impossiblemarker report.");
    env.article("future.txt", "3024-01-01", "Futuremarker report.");
    // 50 MB of real text: refused before it is read.
    let huge = env.corpus().join("huge.txt");
    {
        use std::io::Write;
        let mut file = fs::File::create(&huge).unwrap();
        let chunk = "date 2020-01-01 ".to_string() + &"lorem ipsum dolor sit amet ".repeat(40_000);
        let chunk = &chunk.as_bytes()[..1024 * 1024];
        for _ in 0..50 {
            file.write_all(chunk).unwrap();
        }
    }
    assert_eq!(fs::metadata(&huge).unwrap().len(), 50 * 1024 * 1024);
    // A single 10 MB line (under the 16 MiB limit: indexed). Long words keep
    // the token count, and so the debug-build test time, down.
    let mut line = String::from(" date 2023-03-03 Longlinemarker starts here");
    while line.len() < 10 * 1024 * 1024 {
        line.push_str(" internationalisation counterintelligence telecommunications");
    }
    env.raw("long-line.txt", line.as_bytes());
    fs::create_dir_all(env.corpus().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", env.corpus().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("self.txt", env.corpus().join("self.txt")).unwrap();
    std::os::unix::fs::symlink("nowhere.txt", env.corpus().join("dangling.txt")).unwrap();
    let fifo = env.corpus().join("fifo.txt");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    env.article(
        "folder.txt/inside.txt",
        "2019-09-09",
        "Foldermarker: a folder named like an article is walked into.",
    );
    // An unreadable file. Root reads through chmod 000, so check what this
    // process can actually do rather than assume.
    let locked = env.article("locked.txt", "2018-08-08", "Lockedmarker report.");
    set_mode(&locked, 0o000);
    let privileged = fs::read(&locked).is_ok();
    if privileged {
        eprintln!(
            "note: running as root, so chmod 000 does not make locked.txt unreadable; \
             expecting it to be indexed (the named pipe and broken links cover unreadable paths)"
        );
        expected.push(Expect {
            name: "locked.txt",
            message: None,
            skipped: false,
        });
    } else {
        expected.push(Expect {
            name: "locked.txt",
            message: Some("cannot read: Permission denied"),
            skipped: true,
        });
    }

    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "skipped files do not fail the run: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).expect("summary JSON");
    let listed = |key: &str| -> Vec<(String, String)> {
        summary[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["path"].as_str().unwrap().to_string(),
                    m["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let skipped = listed("skipped");
    let warnings = listed("warnings");
    for file in &expected {
        let path = format!("corpus/{}", file.name);
        let list = if file.skipped { &skipped } else { &warnings };
        match file.message {
            Some(message) => {
                let line = format!("{path}: {message}");
                assert!(stderr.contains(&line), "no `{line}` in:\n{stderr}");
                let reason = message.trim_start_matches("warning: ");
                assert!(
                    list.iter().any(|(p, r)| p == &path && r.contains(reason)),
                    "{path} not listed with {reason:?}: {list:?}"
                );
            }
            None => assert!(
                !stderr.contains(&format!("{path}:")),
                "{path} should be indexed silently:\n{stderr}"
            ),
        }
    }
    let skipped_count = expected.iter().filter(|f| f.skipped).count();
    let indexed: BTreeSet<String> = expected
        .iter()
        .filter(|f| !f.skipped)
        .map(|f| f.name.to_string())
        .collect();
    assert_eq!(skipped.len(), skipped_count, "{skipped:?}");
    assert_eq!(summary["added"].as_u64(), Some(indexed.len() as u64));
    assert_exactly(&env, &indexed);

    // What was decoded is searchable, with the right dates and titles.
    let hit = |query: &str| -> Value {
        let result = env.search(&[query]);
        assert_eq!(result["total_hits"], 1, "{query}: {result}");
        result["hits"][0].clone()
    };
    assert_eq!(hit("café")["id"], "latin1.txt");
    assert_eq!(hit("québec")["id"], "latin1.txt");
    let bom = hit("bommarker");
    assert_eq!(bom["date"], "2021-01-01", "the BOM hid the date header");
    let crlf = hit("crlfmarker");
    assert_eq!(crlf["date"], "2022-02-02");
    assert_eq!(crlf["title"], "Crlfmarker first sentence.");
    for (word, id) in [
        ("nodatemarker", "nodate.txt"),
        ("impossiblemarker", "impossible.txt"),
        ("futuremarker", "future.txt"),
    ] {
        let hit = hit(word);
        assert_eq!(hit["id"], id);
        assert_eq!(hit["date"], Value::Null, "{id} keeps no bad date");
    }
    assert_eq!(hit("foldermarker")["id"], "folder.txt/inside.txt");
    let guessed = hit("guessedmarker");
    assert_eq!(guessed["date"], "2016-06-17", "guessed from the first line");
    assert_eq!(
        guessed["title"], "Guessedmarker report dated in its first line.",
        "a dateline is no title"
    );
    let broken = hit("brokenmarker");
    assert_eq!(broken["id"], "notes/broken.md");
    assert_eq!(
        broken["title"], "Brokenmarker note",
        "the front matter's title is lost"
    );
    assert_eq!(broken["date"], Value::Null);
    // The long line is found; count only, so no snippet is cut from 10 MB.
    let long = env.search(&["longlinemarker", "--limit", "0"]);
    assert_eq!(long["total_hits"], 1);

    // The human summary counts the skips, grouped by reason. (A re-run:
    // skipped files are tried again, indexed ones are left alone.)
    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index", "--quiet"])
        .output()
        .unwrap();
    set_mode(&locked, 0o644);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{skipped_count} skipped")),
        "{stderr}"
    );
    assert!(stderr.contains("skipped: "), "{stderr}");
    assert!(stderr.contains("1 too large"), "{stderr}");
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_corpus_path_that_is_a_file_is_refused_with_one_sentence() {
    let env = TestEnv::new();
    let file = env.article("a.txt", "2020-01-01", "An article.");
    let output = env
        .cmd()
        .args(["index", file.to_str().unwrap(), "--index", "index"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = one_line(&output.stderr);
    assert!(message.contains("is a file, not a folder"), "{message}");
    assert!(!env.index().join("meta.json").exists());
}

#[test]
fn a_file_deleted_truncated_or_grown_between_walk_and_read_is_handled() {
    use dossier::model::Article;
    use dossier::source::format::{text::PlainText, Formats, Input, Reader, MAX_ARTICLE_BYTES};
    use dossier::source::{discover, SkipReason};
    let env = TestEnv::new();
    for name in ["deleted.txt", "emptied.txt", "shortened.txt", "grown.txt"] {
        env.article(
            name,
            "2020-01-01",
            "Original text of the article. More text.",
        );
    }
    let (files, problems) = discover(&env.corpus(), &Formats::standard()).unwrap();
    assert!(problems.is_empty());
    assert_eq!(files.len(), 4);
    // Now the files change under the indexer's feet.
    fs::remove_file(env.corpus().join("deleted.txt")).unwrap();
    fs::write(env.corpus().join("emptied.txt"), b"").unwrap();
    fs::write(env.corpus().join("shortened.txt"), b" date 2020-01-01 Orig").unwrap();
    let grown = fs::File::options()
        .write(true)
        .open(env.corpus().join("grown.txt"))
        .unwrap();
    grown.set_len(MAX_ARTICLE_BYTES + 1).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let read = |id: &str| -> Result<Article, SkipReason> {
        let file = files.iter().find(|f| f.relative == id).unwrap();
        let path = file.path_under(&env.corpus());
        let mut articles = Vec::new();
        PlainText.read(&Input { path: &path, today }, &mut |a| articles.push(a))?;
        Ok(articles.remove(0).expect("one article"))
    };
    match read("deleted.txt") {
        Err(SkipReason::Unreadable(reason)) => {
            assert!(reason.contains("No such file"), "{reason}")
        }
        other => panic!("deleted file: {other:?}"),
    }
    assert_eq!(read("emptied.txt"), Err(SkipReason::Empty));
    assert_eq!(read("shortened.txt").unwrap().body, "Orig");
    assert!(matches!(
        read("grown.txt"),
        Err(SkipReason::TooLarge { size, .. }) if size > MAX_ARTICLE_BYTES
    ));
}

#[test]
fn a_named_pipe_named_like_an_article_is_reported_instead_of_silently_ignored() {
    let env = TestEnv::new();
    env.article("a.txt", "2020-01-01", "An article.");
    let status = Command::new("mkfifo")
        .arg(env.corpus().join("pipe.txt"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let stderr = env.index_corpus();
    assert!(
        stderr.contains("corpus/pipe.txt: not a regular file but a named pipe"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 added") && stderr.contains("1 skipped"),
        "{stderr}"
    );
}

#[test]
fn an_article_dated_before_1678_is_indexed_without_a_date_instead_of_crashing() {
    // Tantivy stores dates as i64 nanoseconds (years 1677-2262); the indexer
    // used to overflow and panic on older header dates.
    let env = TestEnv::new();
    env.article("ancient.txt", "1500-01-01", "Ancientmarker chronicle.");
    env.article("first.txt", "0001-01-01", "Firstmarker chronicle.");
    env.article("ok.txt", "1999-12-31", "Okmarker report.");
    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("corpus/ancient.txt: warning: date 1500-01-01 is before 1900-01-01"),
        "{stderr}"
    );
    assert!(stderr.contains("3 added"), "{stderr}");
    assert_eq!(
        env.search(&["ancientmarker"])["hits"][0]["date"],
        Value::Null
    );
    assert_eq!(env.search(&["okmarker"])["hits"][0]["date"], "1999-12-31");
}

#[test]
fn since_and_until_outside_tantivys_date_range_do_not_panic() {
    let env = TestEnv::new();
    env.article("a.txt", "2020-01-01", "Alpha report.");
    env.article("b.txt", "2024-06-30", "Beta report.");
    env.index_corpus();
    let count =
        |args: &[&str]| env.search(&[&["--limit", "0"], args].concat())["total_hits"].clone();
    assert_eq!(count(&["--since", "0001-01-01"]), 2);
    assert_eq!(count(&["--until", "9999-12-31"]), 2);
    assert_eq!(
        count(&["--since", "0001-01-01", "--until", "9999-12-31"]),
        2
    );
    assert_eq!(count(&["--since", "2300-01-01"]), 0);
    assert_eq!(count(&["--until", "1000-01-01"]), 0);
    assert_eq!(
        count(&["--since", "2024-06-30", "--until", "9999-12-31"]),
        1
    );
}

#[test]
fn a_deeply_nested_query_is_refused_instead_of_overflowing_the_stack() {
    let env = TestEnv::new();
    env.article("a.txt", "2020-01-01", "Alpha beta report.");
    env.index_corpus();
    for query in [
        "(".repeat(100_000),
        format!("{}alpha{}", "(".repeat(5_000), ")".repeat(5_000)),
        "NOT ".repeat(20_000) + "alpha",
        "title:(".repeat(10_000) + "alpha",
        format!("x\" {}alpha", "(".repeat(5_000)),
    ] {
        let output = env
            .cmd()
            .args(["search", "--index", "index", "--"])
            .arg(&query)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", &query[..40]);
        let message = one_line(&output.stderr);
        assert!(message.contains("levels deep"), "{message}");
        assert!(message.len() < 500, "the error repeats the whole query");
    }
    // Reasonable nesting still works.
    let nested = format!("{}alpha{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(env.ids(&[&nested]), vec!["a.txt"]);
}

#[test]
fn a_huge_query_and_unbalanced_syntax_get_results_or_one_sentence() {
    let env = TestEnv::new();
    env.article("a.txt", "2020-01-01", "Alpha beta report.");
    env.index_corpus();
    let big = "alpha ".repeat(17_000); // ~100 KB
    assert_eq!(env.ids(&[&big]), vec!["a.txt"]);
    for query in [
        "\"alpha",
        "alpha)",
        "((alpha",
        "nosuchfield:alpha",
        "[a TO",
        "alpha^",
    ] {
        let output = env
            .cmd()
            .args(["search", "--index", "index", "--", query])
            .output()
            .unwrap();
        let code = output.status.code();
        if code == Some(2) {
            let message = one_line(&output.stderr);
            assert!(message.contains("cannot parse the query"), "{message}");
        } else {
            assert!(matches!(code, Some(0 | 1)), "{query}: {code:?}");
        }
    }
}

#[test]
fn a_query_that_fails_only_when_run_is_a_query_error_not_a_damaged_index() {
    // `body:*` parses, then fails in Tantivy because body is not a fast
    // field; it used to surface as an engine error (and so as "damaged").
    let env = TestEnv::new();
    env.article("a.txt", "2020-01-01", "Alpha beta report.");
    env.index_corpus();
    for query in ["body:*", "alpha path:* "] {
        let output = env
            .cmd()
            .args(["search", "--index", "index", "--", query])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{query}");
        let message = one_line(&output.stderr);
        assert!(message.contains("cannot parse the query"), "{message}");
        assert!(!message.contains("damaged"), "{message}");
    }
}

// ---------------------------------------------------------------------------
// Crashes.

/// Library indexing options for small test corpora: a small writer budget
/// and a commit every `commit_every` articles.
fn small_run_options(commit_every: usize) -> dossier::IndexOptions {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut options = dossier::IndexOptions::new(today);
    options.write.memory_bytes = 32 * 1024 * 1024;
    options.pipeline.commit_every = commit_every;
    options
}

#[test]
fn rebuilding_an_unreadable_index_another_writer_holds_is_refused_and_wipes_nothing() {
    use crate::common::index_corpus;
    use dossier::index::IndexError;
    use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
    let env = TestEnv::new();
    generate_corpus(&env, 5);
    let mut options = small_run_options(10);
    index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    fs::write(env.index().join("meta.json"), "not an index").unwrap();
    let files = |dir: &Path| -> BTreeSet<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let before = files(&env.index());

    let directory = MmapDirectory::open(env.index()).unwrap();
    let held = directory.acquire_lock(&INDEX_WRITER_LOCK).unwrap();
    options.write.rebuild = true;
    let refused = index_corpus(&env.corpus(), &env.index(), &options);
    assert!(matches!(refused, Err(IndexError::Locked(_))), "{refused:?}");
    assert_eq!(
        files(&env.index()),
        before,
        "files were wiped under a held lock"
    );

    drop(held);
    let summary = index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    assert_eq!(summary.added, 5);
}

#[test]
fn commits_happen_every_n_articles_and_when_the_interval_has_passed() {
    use crate::common::index_corpus;
    let env = TestEnv::new();
    generate_corpus(&env, 25);
    let mut options = small_run_options(10);
    let summary = index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    assert_eq!(summary.added, 25);
    assert_eq!(summary.commits, 3, "after 10, after 20, and at the end");
    // By time: a huge count but a zero interval commits after every batch.
    for i in 0..25 {
        env.raw(
            &generated_id(i),
            format!("{} changed", generated_article(i)).as_bytes(),
        );
    }
    options.pipeline.commit_every = 1_000_000;
    options.pipeline.commit_interval = Duration::ZERO;
    let summary = index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    assert_eq!(summary.updated, 25);
    assert_eq!(summary.commits, 2, "after the only batch, and at the end");
}

#[test]
fn deletions_additions_and_changes_across_many_commits_leave_exactly_the_corpus() {
    use crate::common::index_corpus;
    let env = TestEnv::new();
    generate_corpus(&env, 60);
    let options = small_run_options(7);
    index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    // Deleted files are spread over the walk, before and after the batches
    // that carry the changes and the new files.
    let mut expected: BTreeSet<String> = (0..60).map(generated_id).collect();
    for i in (0..60).step_by(9) {
        fs::remove_file(env.corpus().join(generated_id(i))).unwrap();
        expected.remove(&generated_id(i));
    }
    for i in (4..60).step_by(11) {
        env.raw(
            &generated_id(i),
            format!("{} changed", generated_article(i)).as_bytes(),
        );
    }
    for i in 60..75 {
        env.raw(&generated_id(i), generated_article(i).as_bytes());
        expected.insert(generated_id(i));
    }
    let summary = index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    assert_eq!(
        (summary.added, summary.updated, summary.removed),
        (15, 6, 7),
        "{summary:?}"
    );
    assert!(summary.commits >= 3, "{summary:?}");
    assert_exactly(&env, &expected);
    let again = index_corpus(&env.corpus(), &env.index(), &options).unwrap();
    assert_eq!(
        (again.added, again.updated, again.removed, again.unchanged),
        (0, 0, 0, 68)
    );
}

#[test]
fn sigkill_during_indexing_keeps_the_last_commit_and_a_rerun_completes_exactly() {
    const N: usize = 3000;
    let env = TestEnv::new();
    generate_corpus(&env, N);
    let expected: BTreeSet<String> = (0..N).map(generated_id).collect();
    let mut last_committed = 0;
    let mut kills = 0;
    // Three kills at different moments: early (before or around the first
    // commit), then after a few more commits each time.
    for (round, target) in [(0, None), (1, Some(600u64)), (2, Some(1800u64))] {
        let mut child = spawn_index(&env, &["--commit-every", "100"]);
        let reached = match target {
            None => {
                sleep(Duration::from_millis(300));
                true
            }
            Some(docs) => wait_until(&mut child, Duration::from_secs(120), || {
                committed_docs(&env.index()).is_some_and(|n| n >= docs)
            }),
        };
        assert!(
            reached,
            "round {round}: never reached {target:?} committed docs"
        );
        let status = kill_hard(&mut child);
        assert!(!status.success(), "round {round}: finished before the kill");
        kills += 1;
        let Some(committed) = committed_docs(&env.index()) else {
            assert_eq!(round, 0, "the index vanished after round {round}");
            continue;
        };
        assert!(committed >= last_committed, "a commit was lost");
        assert!(committed <= N as u64);
        last_committed = committed;
        // Search works on the last committed state, without duplicates.
        let (total, ids) = all_ids(&env);
        assert_eq!(
            total, committed,
            "round {round}: search disagrees with the commit"
        );
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "round {round}: duplicates");
        assert!(ids.iter().all(|id| expected.contains(id)));
    }
    assert_eq!(kills, 3);
    assert!(last_committed > 0, "no commit survived the kills");
    assert!(
        last_committed < N as u64,
        "the kills came too late to test anything"
    );

    // A re-run completes: no leftover lock, nothing duplicated, nothing missing.
    let summary = env.index_json();
    assert_eq!(
        summary["added"].as_u64().unwrap() + summary["unchanged"].as_u64().unwrap(),
        N as u64,
        "{summary}"
    );
    assert_eq!(summary["unchanged"].as_u64(), Some(last_committed));
    assert_exactly(&env, &expected);
    for i in [0, 1, 777, 1500, N - 1] {
        assert_eq!(env.ids(&[&marker(i)]), vec![generated_id(i)], "marker {i}");
    }
}

#[test]
fn a_truncated_or_deleted_segment_file_names_the_rebuild_fix_which_works() {
    const N: usize = 40;
    let env = TestEnv::new();
    generate_corpus(&env, N);
    let expected: BTreeSet<String> = (0..N).map(generated_id).collect();
    env.index_corpus();
    let segment_file = |ext: &str| -> PathBuf {
        fs::read_dir(env.index())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .unwrap_or_else(|| panic!("no .{ext} file"))
    };
    // A half-copied segment file, and a lost one.
    let damages: [(&str, &dyn Fn()); 2] = [
        ("truncated .store", &|| {
            let path = segment_file("store");
            let len = fs::metadata(&path).unwrap().len();
            let file = fs::File::options().write(true).open(path).unwrap();
            file.set_len(len / 2).unwrap();
        }),
        ("deleted .idx", &|| {
            fs::remove_file(segment_file("idx")).unwrap()
        }),
    ];
    for (what, damage) in damages {
        damage();
        for args in [
            &["search", "report", "--index", "index"][..],
            &["stats", "--index", "index"],
            &["index", "corpus", "--index", "index"],
        ] {
            let output = env.cmd().args(args).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{what}: {args:?}");
            let message = one_line(&output.stderr);
            assert!(
                message.contains("the index at index is damaged")
                    && message.contains("dossier index CORPUS --index index --rebuild"),
                "{what}: {args:?}: {message}"
            );
        }
        let output = env
            .cmd()
            .args(["index", "corpus", "--index", "index", "--rebuild"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: rebuild: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_exactly(&env, &expected);
        env.cmd()
            .args(["stats", "--index", "index"])
            .assert()
            .code(0);
    }
}

// ---------------------------------------------------------------------------
// Concurrency.

#[test]
fn search_while_indexing_sees_only_committed_articles_and_never_fails() {
    const N: usize = 1200;
    let env = TestEnv::new();
    generate_corpus(&env, N);
    let mut writer = spawn_index(&env, &["--commit-every", "100"]);
    assert!(
        wait_until(&mut writer, Duration::from_secs(60), || env
            .index()
            .join("meta.json")
            .exists()),
        "the writer never created the index"
    );
    let mut seen = Vec::new();
    let mut round = 0;
    while writer.try_wait().unwrap().is_none() {
        // `env.search` asserts exit 0 or 1 and parses the JSON.
        let total = env.search(&["--limit", "0"])["total_hits"]
            .as_u64()
            .unwrap();
        assert!(total <= N as u64);
        if let Some(&previous) = seen.last() {
            assert!(
                total >= previous,
                "a search went back in time: {seen:?} then {total}"
            );
        }
        seen.push(total);
        // Also fetch documents and snippets, and read the stats.
        if round % 2 == 0 {
            let page = env.search(&["network", "--limit", "5", "--facets"]);
            assert!(page["hits"].as_array().unwrap().len() <= 5);
        } else {
            let output = env
                .cmd()
                .args(["stats", "--index", "index", "--json"])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        round += 1;
        // Leave the writer some of this 2-core machine.
        sleep(Duration::from_millis(100));
    }
    assert!(writer.wait().unwrap().success(), "the writer failed");
    assert!(
        seen.iter().any(|&t| t > 0 && t < N as u64),
        "no search landed mid-run (machine too slow or too fast?): {seen:?}"
    );
    let expected: BTreeSet<String> = (0..N).map(generated_id).collect();
    assert_exactly(&env, &expected);
}

#[test]
fn a_second_index_process_is_refused_and_a_killed_writer_leaves_no_lock() {
    const N: usize = 1000;
    let env = TestEnv::new();
    generate_corpus(&env, N);
    let mut writer = spawn_index(&env, &["--commit-every", "100"]);
    assert!(
        wait_until(&mut writer, Duration::from_secs(60), || {
            committed_docs(&env.index()).is_some_and(|n| n >= 100)
        }),
        "the writer never committed"
    );
    for extra in [&[][..], &["--rebuild"]] {
        let output = env
            .cmd()
            .args(["index", "corpus", "--index", "index"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        let message = one_line(&output.stderr);
        assert_eq!(
            message,
            "dossier: the index at index is being written by another dossier process; \
             wait for it to finish and try again"
        );
    }
    assert!(
        writer.try_wait().unwrap().is_none(),
        "the first writer should still be running"
    );
    let before_kill = committed_docs(&env.index()).unwrap();
    assert!(
        before_kill >= 100,
        "--rebuild from the second process wiped the index"
    );
    let status = kill_hard(&mut writer);
    assert!(!status.success());
    // The lock file may remain, but the lock died with the process.
    let summary = env.index_json();
    assert_eq!(
        summary["added"].as_u64().unwrap() + summary["unchanged"].as_u64().unwrap(),
        N as u64
    );
    let expected: BTreeSet<String> = (0..N).map(generated_id).collect();
    assert_exactly(&env, &expected);
}
