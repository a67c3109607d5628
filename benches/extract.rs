//! Extraction throughput (MB/s of article text, one core): how fast
//! `Extractor::extract` turns text into facets, over the bundled corpus (short
//! articles dense with names), over generated articles, and over the AnnoCTR
//! vendor reports when `../shared/data/real` is present (read in place, for
//! evaluation only).

use std::fs;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dossier::source::format::text::parse_article;

fn corpus_bodies() -> Vec<String> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let mut paths: Vec<_> = fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
        .expect("corpus/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| parse_article(&fs::read(p).ok()?, today).ok())
        .map(|a| a.body)
        .collect()
}

/// Generated articles: long Zipf filler with entities at a news-like
/// density, nearer the large corpora the indexing benches use.
fn generated_bodies() -> Vec<String> {
    let generator = dossier::gen::Generator::new(42);
    (0..500)
        .map(|index| {
            let mut text = String::new();
            generator.article(index, &mut text);
            text
        })
        .collect()
}

/// The texts of the AnnoCTR reports, if the shared data folder is here.
fn annoctr_texts() -> Option<Vec<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/real/annoctr.jsonl"
    );
    let Ok(lines) = fs::read_to_string(path) else {
        eprintln!("skipping AnnoCTR reports: {path} is not here");
        return None;
    };
    Some(
        lines
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|doc| doc["text"].as_str().map(String::from))
            .collect(),
    )
}

fn extraction(c: &mut Criterion) {
    let engine = dossier::Engine::new();
    let extractor = engine.extractor();
    let mut sets = vec![
        ("bundled corpus", corpus_bodies()),
        ("generated articles", generated_bodies()),
    ];
    sets.extend(annoctr_texts().map(|texts| ("AnnoCTR reports", texts)));
    for (name, texts) in sets {
        let bytes: usize = texts.iter().map(String::len).sum();
        let mut group = c.benchmark_group("extract");
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|text| extractor.extract(text).actors.len())
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, extraction);
criterion_main!(benches);
