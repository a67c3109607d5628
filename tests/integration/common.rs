//! Shared helpers for the integration tests: a temporary corpus and index,
//! and the real `dossier` binary run with a cleared environment.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary folder with `corpus/` and `index/` inside.
pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join("corpus")).expect("corpus dir");
        TestEnv { dir }
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes an article in the corpus format.
    pub fn article(&self, name: &str, date: &str, body: &str) -> PathBuf {
        self.raw(name, format!(" date {date} {body}").as_bytes())
    }

    /// Writes raw bytes into the corpus.
    pub fn raw(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.corpus().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("parent dir");
        }
        fs::write(&path, bytes).expect("write article");
        path
    }

    /// The binary, run inside the temporary folder with a cleared environment
    /// and a fixed "today".
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("dossier").expect("binary");
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("DOSSIER_TODAY", "2026-11-22");
        cmd
    }

    /// `dossier index corpus --index index EXTRA...`; asserts success.
    fn run_index(&self, extra: &[&str]) -> std::process::Output {
        let output = self
            .cmd()
            .args(["index", "corpus", "--index", "index"])
            .args(extra)
            .output()
            .expect("run index");
        assert!(
            output.status.success(),
            "index failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// `dossier index` over the corpus; asserts success and returns stderr.
    pub fn index_corpus(&self) -> String {
        String::from_utf8_lossy(&self.run_index(&[]).stderr).into_owned()
    }

    /// `dossier index --json` summary.
    pub fn index_json(&self) -> Value {
        let output = self.run_index(&["--json", "--quiet"]);
        serde_json::from_slice(&output.stdout).expect("index JSON")
    }

    /// `dossier search ARGS --json`, returning the parsed object (exit 0 or 1).
    pub fn search(&self, args: &[&str]) -> Value {
        let output = self
            .cmd()
            .arg("search")
            .args(args)
            .args(["--index", "index", "--json"])
            .output()
            .expect("run search");
        let code = output.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "search {args:?} exited {code}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("search JSON")
    }

    /// The ids of the hits of a search, in order.
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        self.search(args)["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().expect("id").to_string())
            .collect()
    }
}

/// The strings of a JSON array, as a set.
pub fn set(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

/// Some strings, as a set.
pub fn strings(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// The hit of a search that must find exactly one.
pub fn only_hit(env: &TestEnv, args: &[&str]) -> Value {
    let result = env.search(args);
    let hits = result["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{args:?}: {result}");
    hits[0].clone()
}

/// The skipped files of an index summary, as `path: reason` lines.
pub fn skipped(summary: &Value) -> Vec<String> {
    summary["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["path"].as_str().unwrap_or_default(),
                s["reason"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// Reads a file relative to the repository root.
pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

// ---------------------------------------------------------------------------
// The library, for tests that call it directly.

use std::sync::OnceLock;

use dossier::index::IndexError;
use dossier::pipeline::{IndexSummary, Silent};
use dossier::search::Searchable;
use dossier::{Engine, IndexOptions};

/// One engine for every library test: building the extractor takes longer
/// than most tests.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// The "today" every test runs on.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date")
}

/// Indexes `corpus` into `index` through the library, silently.
pub fn index_corpus(
    corpus: &Path,
    index: &Path,
    options: &IndexOptions,
) -> Result<IndexSummary, IndexError> {
    engine().index_folder(corpus, index, options, &mut Silent)
}

/// The index at `dir`, searched on one thread per core.
pub fn searchable(dir: &Path) -> Searchable {
    engine().open_index(dir, None).expect("open index")
}
