//! Exports: sinks that write the pipeline's documents for other tools.
//! [`ndjson`] writes the canonical documents one JSON object a line, the
//! shape the engine-specific exports build on.

pub mod ndjson;

pub use ndjson::NdjsonSink;
