//! Indexing throughput, end to end (walk, read, extract, write, commit), on a
//! generated corpus of 10,000 articles: MB/s and articles/s, with extraction
//! and without it (`--no-extract`, the ceiling); and Tantivy's analyzers
//! alone, to show how much of that is tokenizing and stemming.

mod common;

use std::time::Duration;

use common::index_corpus;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use dossier::IndexOptions;

const DOCS: u64 = 10_000;

fn run(corpus: &std::path::Path, extract: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = IndexOptions::new(common::today());
    options.pipeline.extract = extract;
    let summary = index_corpus(corpus, dir.path(), &options).expect("index");
    assert_eq!(summary.added as u64, DOCS);
}

fn indexing(c: &mut Criterion) {
    let (corpus, bytes) = common::corpus(DOCS);
    let mut group = c.benchmark_group("index 10k articles (bytes)");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Bytes(bytes));
    for (name, extract) in [
        ("with extraction", true),
        ("no extraction (ceiling)", false),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(|| (), |()| run(&corpus, extract), BatchSize::PerIteration)
        });
    }
    group.finish();

    let mut group = c.benchmark_group("index 10k articles (docs)");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(DOCS));
    group.bench_function("with extraction", |b| {
        b.iter_batched(|| (), |()| run(&corpus, true), BatchSize::PerIteration)
    });
    group.finish();
}

/// Where indexing time goes: Tantivy's analyzers alone over the same text,
/// with English stemming (the schema's `en_stem`) and without (`default`).
fn tokenizing(c: &mut Criterion) {
    let (corpus, _) = common::corpus(DOCS);
    let bodies: Vec<String> = (0..1_000u64)
        .filter_map(|i| std::fs::read_to_string(corpus.join(dossier::gen::relative_path(i))).ok())
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let manager = tantivy::tokenizer::TokenizerManager::default();
    let mut group = c.benchmark_group("tokenize 1k articles");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    for name in ["en_stem", "default"] {
        let mut analyzer = manager.get(name).expect("built-in analyzer");
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut tokens = 0usize;
                for body in &bodies {
                    let mut stream = analyzer.token_stream(body);
                    while stream.advance() {
                        tokens += 1;
                    }
                }
                tokens
            })
        });
    }
    group.finish();
}

criterion_group!(benches, indexing, tokenizing);
criterion_main!(benches);
