//! Smoke test of the benchmark tooling through the real binary:
//! `gen-corpus` (determinism, sharding, refusal to clobber) → `index`
//! (with and without extraction) → `bench` (hit counts against the
//! generator's ground truth, sane percentiles, errors naming the line).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const DOCS: usize = 2_000;

fn dossier(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("dossier").expect("binary");
    cmd.current_dir(dir)
        .env_clear()
        .env("DOSSIER_TODAY", "2026-11-22");
    cmd
}

fn json(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("JSON on stdout")
}

/// Every file under `root` (relative path → bytes), skipping the marker.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut map = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("prefix").to_path_buf();
                map.insert(rel, fs::read(&path).expect("read"));
            }
        }
    }
    map
}

fn gen(dir: &Path, out: &str, seed: u64) -> Value {
    let output = dossier(dir)
        .args(["gen-corpus", "--docs", &DOCS.to_string(), "--out", out])
        .args(["--seed", &seed.to_string(), "--json"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    json(&output.stdout)
}

/// Manifest rows: (id, date, actors, sponsors, targets, markers).
fn manifest(corpus: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(corpus.join("manifest.tsv"))
        .expect("manifest")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn gen_corpus_index_and_bench() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();

    // Generation: counts, sharding, determinism.
    let a = gen(dir, "a", 7);
    assert_eq!(a["docs"], DOCS);
    assert_eq!(a["reused"], false);
    assert_eq!(a["dirs"], 2);
    let files_a = files(&dir.join("a"));
    let articles: Vec<_> = files_a
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert_eq!(articles.len(), DOCS);
    let bytes: usize = files_a
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "txt"))
        .map(|(_, b)| b.len())
        .sum();
    assert_eq!(a["bytes"], bytes);
    // A few hundred to a few thousand words each: 1 to 40 KB on average.
    assert!(
        (1_000..40_000).contains(&(bytes / DOCS)),
        "{} bytes/article",
        bytes / DOCS
    );
    for shard in ["0000", "0001"] {
        let n = fs::read_dir(dir.join("a").join(shard))
            .expect("shard")
            .count();
        assert_eq!(n, 1_000, "{shard}");
    }
    let first = String::from_utf8(files_a[&PathBuf::from("0000/0000000.txt")].clone()).unwrap();
    assert!(first.starts_with(" date 20"), "{}", &first[..40]);

    gen(dir, "b", 7);
    assert_eq!(files(&dir.join("b")), files_a, "same seed, same files");
    gen(dir, "c", 8);
    let files_c = files(&dir.join("c"));
    let same = articles
        .iter()
        .filter(|p| files_c.get(**p) == files_a.get(**p))
        .count();
    assert_eq!(same, 0, "another seed gives other articles");

    // Re-running reuses the finished corpus; a foreign folder is refused.
    assert_eq!(gen(dir, "a", 7)["reused"], true);
    fs::create_dir(dir.join("mine")).unwrap();
    fs::write(dir.join("mine/notes.txt"), "keep me").unwrap();
    let refused = dossier(dir)
        .args(["gen-corpus", "--docs", "10", "--out", "mine"])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.join("mine/notes.txt")).unwrap(),
        "keep me"
    );

    // Indexing.
    let output = dossier(dir)
        .args(["index", "a", "--index", "idx", "--json", "--quiet"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let summary = json(&output.stdout);
    assert_eq!(summary["added"], DOCS);
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(0));
    assert_eq!(summary["warnings"].as_array().map(Vec::len), Some(0));

    // Bench: hit counts agree with what the generator planted.
    let rows = manifest(&dir.join("a"));
    assert_eq!(rows.len(), DOCS);
    let with_marker = rows
        .iter()
        .filter(|r| r[5].contains("obsidianfall"))
        .count();
    let us_targets = rows
        .iter()
        .filter(|r| r[4].split(';').any(|c| c == "US"))
        .count();
    let in_2020 = rows.iter().filter(|r| r[1].starts_with("2020-")).count();
    assert!(
        us_targets > DOCS / 20,
        "US is a common target: {us_targets}"
    );
    fs::write(
        dir.join("queries.txt"),
        "# smoke\nobsidianfall\nthe\n--country US -n 0\n--since 2020-01-01 --until 2020-12-31 -n 0\n'\"critical infrastructure\"' --facets\n",
    )
    .unwrap();
    let output = dossier(dir)
        .args(["bench", "--queries", "queries.txt", "--index", "idx"])
        .args(["--repeat", "5", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let report = json(&output.stdout);
    assert_eq!(report["articles"], DOCS);
    let queries = report["queries"].as_array().expect("queries");
    assert_eq!(queries.len(), 5);
    let hits = |i: usize| queries[i]["total_hits"].as_u64().expect("hits") as usize;
    assert_eq!(hits(0), with_marker, "marker term");
    assert!(
        hits(1) >= DOCS * 99 / 100,
        "'the' is everywhere: {}",
        hits(1)
    );
    // Extraction finds (nearly) every planted US target and little else.
    assert!(
        hits(2) * 100 >= us_targets * 95 && hits(2) * 100 <= us_targets * 110,
        "--country US: {} hits, {us_targets} planted",
        hits(2)
    );
    assert_eq!(hits(3), in_2020, "date range");
    assert!(hits(4) > 0 && hits(4) < DOCS, "phrase: {}", hits(4));
    for q in queries {
        let (p50, p99) = (q["p50_ms"].as_f64().unwrap(), q["p99_ms"].as_f64().unwrap());
        assert!(
            p50 > 0.0 && p50 <= p99 && p99 <= q["max_ms"].as_f64().unwrap(),
            "{q}"
        );
    }
    assert_eq!(report["overall"]["runs"], 25);

    // The table names every query and the overall line.
    let output = dossier(dir)
        .args([
            "bench",
            "--queries",
            "queries.txt",
            "--index",
            "idx",
            "--repeat",
            "2",
        ])
        .output()
        .expect("run");
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("obsidianfall") && table.contains("overall"),
        "{table}"
    );

    // A bad line is one sentence naming the file and line; exit 2.
    fs::write(dir.join("bad.txt"), "the\nthe --country Narnia\n").unwrap();
    let output = dossier(dir)
        .args(["bench", "--queries", "bad.txt", "--index", "idx"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.txt line 2") && stderr.contains("Narnia"),
        "{stderr}"
    );

    // --threads 1 searches segments one after another, with the same counts.
    let output = dossier(dir)
        .args(["bench", "--queries", "queries.txt", "--index", "idx"])
        .args(["--repeat", "1", "--threads", "1", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let single = json(&output.stdout);
    for (a, b) in queries.iter().zip(single["queries"].as_array().unwrap()) {
        assert_eq!(a["total_hits"], b["total_hits"], "{a} / {b}");
    }
    // It applies to a whole run, not to one line of the file, and is at least 1.
    fs::write(
        dir.join("threads.txt"),
        "the
the --threads 2
",
    )
    .unwrap();
    let output = dossier(dir)
        .args(["bench", "--queries", "threads.txt", "--index", "idx"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("threads.txt line 2") && stderr.contains("pass it to `dossier bench`"),
        "{stderr}"
    );
    let output = dossier(dir)
        .args(["search", "the", "--index", "idx", "--threads", "0"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--threads"),
        "{output:?}"
    );

    // --no-extract: same text search, no facets. On the first 200 articles
    // only (indexing is slow in debug builds); a shorter corpus of the same
    // seed is a prefix of the longer one.
    let output = dossier(dir)
        .args([
            "gen-corpus",
            "--docs",
            "200",
            "--seed",
            "7",
            "--out",
            "small",
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let small = files(&dir.join("small"));
    let small_articles: Vec<_> = small
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert_eq!(small_articles.len(), 200);
    for path in small_articles {
        assert_eq!(small.get(path), files_a.get(path), "{}", path.display());
    }
    let small_marker = manifest(&dir.join("small"))
        .iter()
        .filter(|r| r[5].contains("obsidianfall") || r[5].contains("quillmere"))
        .count();
    let output = dossier(dir)
        .args([
            "index",
            "small",
            "--index",
            "raw",
            "--no-extract",
            "--json",
            "--quiet",
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(json(&output.stdout)["added"], 200);
    fs::write(
        dir.join("raw.txt"),
        "obsidianfall OR quillmere -n 0\n--country US -n 0\n--actor APT28 -n 0\nthe -n 0\n",
    )
    .unwrap();
    let output = dossier(dir)
        .args([
            "bench",
            "--queries",
            "raw.txt",
            "--index",
            "raw",
            "--repeat",
            "1",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let report = json(&output.stdout);
    assert_eq!(report["queries"][0]["total_hits"], small_marker);
    assert_eq!(
        report["queries"][1]["total_hits"], 0,
        "no targets without extraction"
    );
    assert_eq!(
        report["queries"][2]["total_hits"], 0,
        "no actors without extraction"
    );
    assert_eq!(report["queries"][3]["total_hits"], 200);
}
