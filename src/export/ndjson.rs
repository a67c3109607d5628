//! Newline-delimited JSON: each document as one object a line (the
//! canonical [`crate::model::Document`] serialisation), for other engines to ingest.
//!
//! A stream holds no state to compare with, so every run writes every
//! article of the corpus.

use std::io::{BufWriter, Write};

use crate::pipeline::{HeldSources, Sink, SinkError, SourceDocuments};

/// Writes documents to `W`, one JSON object a line.
pub struct NdjsonSink<W: Write> {
    out: BufWriter<W>,
    /// Names the destination in errors.
    name: String,
    documents: u64,
    bytes: u64,
}

impl<W: Write> NdjsonSink<W> {
    /// A sink writing to `out`; `name` (a path, `stdout`) names it in
    /// errors.
    pub fn new(out: W, name: impl Into<String>) -> NdjsonSink<W> {
        NdjsonSink {
            out: BufWriter::new(out),
            name: name.into(),
            documents: 0,
            bytes: 0,
        }
    }

    /// Documents written so far.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The writer back, flushed.
    pub fn into_inner(self) -> Result<W, SinkError> {
        let name = self.name.clone();
        self.out.into_inner().map_err(|e| SinkError::Io {
            path: name,
            source: e.into_error(),
        })
    }

    fn io(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            path: self.name.clone(),
            source,
        }
    }
}

impl<W: Write> Sink for NdjsonSink<W> {
    fn write_sources(&mut self, sources: Vec<SourceDocuments>) -> Result<(), SinkError> {
        let mut line = Vec::new();
        for document in sources.iter().flat_map(|s| &s.documents) {
            line.clear();
            serde_json::to_writer(&mut line, document).map_err(|e| self.io(e.into()))?;
            line.push(b'\n');
            self.out.write_all(&line).map_err(|e| self.io(e))?;
            self.documents += 1;
            self.bytes += line.len() as u64;
        }
        Ok(())
    }

    fn remove_sources(&mut self, _gone: &HeldSources) -> Result<(), SinkError> {
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| self.io(e))
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.commit()
    }
}
