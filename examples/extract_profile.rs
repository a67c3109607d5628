//! A harness for profiling extraction and for checking that a change leaves
//! its output alone: extracts one set of texts `REPS` times (for `valgrind
//! --tool=callgrind`: the instructions of 6 passes minus those of 1, over 5,
//! are one pass after warm-up), or writes each text's facets as JSON lines
//! to compare byte for byte before and after a change.
//!
//! ```sh
//! cargo run --release --example extract_profile -- corpus        # MB/s of REPS passes
//! REPS=6 valgrind --tool=callgrind target/release/examples/extract_profile annoctr
//! DUMP=before.jsonl target/release/examples/extract_profile gen  # facets, one line a text
//! ```
//!
//! Sets: `corpus` (the bundled corpus), `fixtures` (the labelled set),
//! `gen` (`N` generated articles, 300 by default, seed 42), `annoctr` (the
//! AnnoCTR reports, read in place from `../shared/data/real`, for evaluation
//! only), or a folder of articles.

use std::fs;
use std::io::Write;
use std::path::Path;

use dossier::source::format::text::parse_article;

/// The bodies of the articles in `dir`, in file-name order.
fn bodies(dir: &Path) -> Vec<String> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_none_or(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| parse_article(&fs::read(p).ok()?, today).ok())
        .map(|a| a.body)
        .collect()
}

fn texts(set: &str) -> Vec<String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    match set {
        "corpus" => bodies(&here.join("corpus")),
        "fixtures" => bodies(&here.join("tests/fixtures/extraction")),
        "gen" => {
            let count: u64 = std::env::var("N")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            let generator = dossier::gen::Generator::new(42);
            (0..count)
                .map(|index| {
                    let mut text = String::new();
                    generator.article(index, &mut text);
                    text
                })
                .collect()
        }
        "annoctr" => {
            let path = here.join("../shared/data/real/annoctr.jsonl");
            fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter_map(|doc| doc["text"].as_str().map(String::from))
                .collect()
        }
        dir => bodies(Path::new(dir)),
    }
}

fn main() {
    let set = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let texts = texts(&set);
    let engine = dossier::Engine::new();
    let extractor = engine.extractor();
    if let Some(path) = std::env::var_os("DUMP") {
        let mut out = std::io::BufWriter::new(fs::File::create(path).expect("DUMP file"));
        for text in &texts {
            serde_json::to_writer(&mut out, &extractor.extract(text)).expect("JSON");
            out.write_all(b"\n").expect("write");
        }
        return;
    }
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = std::time::Instant::now();
    let mut countries = 0;
    for _ in 0..reps {
        for text in &texts {
            countries += extractor.extract(text).countries.len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "{set}: {} texts, {bytes} bytes, {reps} passes, {:.1} MB/s ({countries} countries)",
        texts.len(),
        (bytes * reps) as f64 / seconds / 1e6
    );
}
