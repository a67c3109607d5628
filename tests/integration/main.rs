//! dossier's integration tests, in one binary so Tantivy and the crate are
//! linked once.
//!
//! Where things go: a module per area. Behaviour of the real binary on
//! temporary corpora in `cli` (and `reliability` for bad input, kills,
//! damage and concurrency); the library's search paths in `ranking` and
//! `snippets`; each export format in `export`; the HTTP API and the page in `serve`; each input format's reader in `format_<name>`; properties
//! (proptest) in `properties`; extraction accuracy in
//! `extraction`; the shipped gazetteer in `gazetteer`; the benchmark tools in
//! `bench_smoke`. Unit tests live beside the code. Name regression tests
//! after what broke.
//!
//! Tests whose data is not in a plain clone (`../shared`, the system word
//! list) are `#[ignore]`d with the reason, and `.ci/run` runs them
//! explicitly where the data is installed.

mod common;

mod bench_smoke;
mod cli;
mod export;
mod extraction;
mod format_html;
mod format_json;
mod format_markdown;
mod format_pdf;
mod format_stix;
mod gazetteer;
mod isolation;
mod pipeline;
mod properties;
mod ranking;
mod reliability;
#[cfg(feature = "server")]
mod serve;
mod snippets;
