//! Query latency by kind on an index of 100,000 generated articles, through
//! `Searchable::search` as `dossier search` calls it (count, top 10 with
//! stored fields and snippets, facets when asked).

mod common;

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use dossier::cli::bench::parse_queries;

const DOCS: u64 = 100_000;

/// (name, `dossier search` arguments)
const QUERIES: [(&str, &str); 10] = [
    ("rare term top-10", "quillmere"),
    ("common term top-10", "attack"),
    ("common term count only", "attack -n 0"),
    ("two-term AND", "government networks"),
    ("phrase", r#"'"critical infrastructure"'"#),
    ("alias", r#"'"Fancy Bear"'"#),
    ("facet filter", "intelligence --country UA"),
    (
        "date range",
        "networks --since 2020-01-01 --until 2020-12-31",
    ),
    ("facet counts, every article", "--facets -n 0"),
    ("facet counts, common term + top-10", "attack --facets"),
];

fn queries(c: &mut Criterion) {
    let dir = common::index(DOCS);
    let searchable = common::engine().open_index(&dir, None).expect("open index");
    let text: String = QUERIES.iter().map(|(_, q)| format!("{q}\n")).collect();
    let parsed = parse_queries(Path::new("benches/query.rs"), &text, common::engine())
        .expect("queries parse");

    let mut group = c.benchmark_group("query 100k articles");
    group.sample_size(30);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for ((name, _), query) in QUERIES.iter().zip(&parsed) {
        let hits = searchable
            .search(&query.request)
            .expect("search")
            .total_hits;
        assert!(hits > 0, "{name}: no hits");
        group.bench_function(*name, |b| {
            b.iter(|| searchable.search(&query.request).expect("search"))
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
