//! Newline-delimited JSON: each document as one object a line (the
//! canonical [`crate::model::Document`] serialisation), for jq and for any
//! other tool: [`Canonical`] writes an index's articles into an export
//! folder, [`NdjsonSink`] a corpus straight from the pipeline.
//!
//! A stream holds no state to compare with, so every run writes every
//! article it is given.

use std::io::{BufWriter, Write};

use super::folder::{ExportFolder, OutFile};
use super::{ExportError, FormatWriter, Outcome};
use crate::model::Document;
use crate::pipeline::{HeldSources, Sink, SinkError, SourceDocuments};

/// The file [`Canonical`] writes.
pub const DOCUMENTS: &str = "documents.ndjson";

/// Writes canonical documents into `documents.ndjson`.
#[derive(Default)]
pub struct Canonical {
    file: Option<OutFile>,
    line: Vec<u8>,
}

impl Canonical {
    /// A writer that creates its file with the first article.
    pub fn new() -> Canonical {
        Canonical::default()
    }
}

impl FormatWriter for Canonical {
    fn write(
        &mut self,
        document: &Document,
        folder: &mut ExportFolder,
    ) -> Result<Outcome, ExportError> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(folder.create(DOCUMENTS)?),
        };
        write_line(file, &mut self.line, document)?;
        Ok(Outcome::Written)
    }

    fn finish(self: Box<Self>, folder: &mut ExportFolder) -> Result<(), ExportError> {
        let file = match self.file {
            Some(file) => file,
            // An export that matched nothing still leaves its (empty) file.
            None => folder.create(DOCUMENTS)?,
        };
        folder.close(file)
    }
}

/// Writes `value` as one JSON line into `file`, counting it as an article;
/// `line` is a buffer to reuse.
pub(super) fn write_line<T: serde::Serialize>(
    file: &mut OutFile,
    line: &mut Vec<u8>,
    value: &T,
) -> Result<(), ExportError> {
    line.clear();
    // Serialising strings, lists and maps into memory cannot fail.
    serde_json::to_writer(&mut *line, value).unwrap_or_default();
    line.push(b'\n');
    file.write(line)?;
    file.articles += 1;
    Ok(())
}

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
