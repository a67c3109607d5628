//! The index as the pipeline's sink: documents in, deleted and replaced by
//! source file, committed with the payload that names the corpus.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::schema::{self, field, Fields};
use super::{
    analyzer, commit, create_index, exists, open_writer, read_payload, wipe_index_files,
    CommitPayload, IndexError, WriteOptions, SCHEMA_VERSION,
};
use crate::pipeline::{source_key, Held, HeldSources, Sink, SinkError, SourceDocuments};

/// An index open for writing.
pub struct IndexSink {
    index: Index,
    dir: PathBuf,
    fields: Fields,
    /// Taken by [`Sink::finish`], which waits for its merges.
    writer: Option<IndexWriter>,
    payload: CommitPayload,
    /// Start from nothing: every document is deleted before the first commit.
    rebuild: bool,
    /// The schema version of the older index this one replaces, if the
    /// opening found one and started over.
    replaced_schema: Option<u32>,
}

impl IndexSink {
    /// Opens the index at `dir` to bring it in line with the corpus folder
    /// `corpus`, creating it if there is none. An index of another corpus
    /// is refused, and a damaged one too, unless `options.rebuild`; one
    /// built by an older dossier is started over.
    pub fn open(
        corpus: &Path,
        dir: &Path,
        options: &WriteOptions,
    ) -> Result<IndexSink, IndexError> {
        let corpus_root = std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.to_path_buf());
        let corpus_name = corpus_root.to_string_lossy().into_owned();
        std::fs::create_dir_all(dir)
            .map_err(|e| IndexError::Other(format!("creating {}: {e}", dir.display())))?;
        let mut rebuild = options.rebuild;
        let mut replaced_schema = None;
        let index = if exists(dir) {
            match Index::open_in_dir(dir) {
                Ok(index) => {
                    let payload = read_payload(&index);
                    if let Some(payload) = &payload {
                        if payload.schema_version > SCHEMA_VERSION && !rebuild {
                            return Err(IndexError::SchemaMismatch);
                        }
                        if payload.corpus != corpus_name && !rebuild {
                            return Err(IndexError::OtherCorpus {
                                index: dir.to_path_buf(),
                                previous: payload.corpus.clone(),
                                requested: corpus_name,
                            });
                        }
                    }
                    let current = Fields::from_schema(&index.schema()).is_ok()
                        && payload
                            .as_ref()
                            .is_none_or(|p| p.schema_version == SCHEMA_VERSION);
                    if current {
                        index
                    } else if rebuild || payload.is_some() {
                        // Built by another dossier: the index is derived
                        // data, and the corpus it came from is this one.
                        replaced_schema = payload.map(|p| p.schema_version);
                        wipe_index_files(dir)?;
                        rebuild = false;
                        create_index(dir)?
                    } else {
                        return Err(IndexError::SchemaMismatch);
                    }
                }
                // An unreadable index is what --rebuild is for: start afresh.
                Err(_) if rebuild => {
                    wipe_index_files(dir)?;
                    rebuild = false;
                    create_index(dir)?
                }
                Err(e) => {
                    return Err(IndexError::Damaged {
                        path: dir.to_path_buf(),
                        reason: e.to_string(),
                    })
                }
            }
        } else {
            create_index(dir)?
        };
        let fields = Fields::from_schema(&index.schema())?;
        analyzer::register(&index);
        let writer = open_writer(&index, dir, options.memory_bytes)?;
        Ok(IndexSink {
            index,
            dir: dir.to_path_buf(),
            fields,
            writer: Some(writer),
            payload: CommitPayload {
                schema_version: SCHEMA_VERSION,
                corpus: corpus_name,
            },
            rebuild,
            replaced_schema,
        })
    }

    /// The schema version of an older index this one started over from.
    pub fn replaced_schema(&self) -> Option<u32> {
        self.replaced_schema
    }

    /// Calls `visit` with the source file and signature of every live
    /// document.
    fn for_each_source(&self, mut visit: impl FnMut(&str, u64)) -> Result<(), IndexError> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let mut source = String::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(sources) = fast.str(field::SOURCE_FILE)? else {
                continue;
            };
            let signatures = fast.u64(field::SIGNATURE)?;
            for doc in segment.doc_ids_alive() {
                let Some(ord) = sources.term_ords(doc).next() else {
                    continue;
                };
                source.clear();
                sources
                    .ord_to_str(ord, &mut source)
                    .map_err(|e| IndexError::Other(e.to_string()))?;
                visit(&source, signatures.first(doc).unwrap_or(0));
            }
        }
        Ok(())
    }

    fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
        self.writer
            .as_mut()
            .ok_or_else(|| IndexError::Other("the index writer was already closed".to_string()))
    }

    fn delete_source(&mut self, relative: &str) -> Result<(), IndexError> {
        let term = Term::from_field_text(self.fields.source_file, relative);
        self.writer()?.delete_term(term);
        Ok(())
    }
}

impl Sink for IndexSink {
    fn held(&mut self) -> Result<HeldSources, SinkError> {
        let mut held = HeldSources::default();
        if self.rebuild {
            self.writer()?
                .delete_all_documents()
                .map_err(IndexError::from)?;
            return Ok(held);
        }
        self.for_each_source(|source, signature| {
            held.entry(source_key(source))
                .and_modify(|h| h.articles += 1)
                .or_insert(Held {
                    signature,
                    articles: 1,
                });
        })
        .map_err(|e| match e {
            IndexError::Other(reason) => IndexError::Damaged {
                path: self.dir.clone(),
                reason,
            },
            other => other,
        })?;
        Ok(held)
    }

    fn write_sources(&mut self, sources: Vec<SourceDocuments>) -> Result<(), SinkError> {
        // Tantivy documents are built on every core; the writer's own
        // threads then index them.
        let fields = &self.fields;
        let prepared: Vec<Vec<TantivyDocument>> = sources
            .par_iter()
            .map(|source| {
                source
                    .documents
                    .iter()
                    .map(|document| schema::to_tantivy(fields, document, source.signature))
                    .collect()
            })
            .collect();
        for (source, documents) in sources.iter().zip(prepared) {
            // A file the last commit does not hold is in no segment, and
            // the walk meets each file once: only a held file has old
            // articles to delete. Deleting every file regardless made each
            // commit look all of them up in every segment.
            if source.held {
                self.delete_source(&source.file.relative)?;
            }
            for doc in documents {
                self.writer()?.add_document(doc).map_err(IndexError::from)?;
            }
        }
        Ok(())
    }

    fn remove_sources(&mut self, gone: &HeldSources) -> Result<(), SinkError> {
        let mut relatives = Vec::new();
        self.for_each_source(|source, _| {
            if gone.contains_key(&source_key(source)) {
                relatives.push(source.to_string());
            }
        })?;
        relatives.sort_unstable();
        relatives.dedup();
        for relative in relatives {
            self.delete_source(&relative)?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        let payload = serde_json::to_string(&self.payload).unwrap_or_default();
        Ok(commit(self.writer()?, &payload)?)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.commit()?;
        if let Some(writer) = self.writer.take() {
            writer.wait_merging_threads().map_err(IndexError::from)?;
        }
        Ok(())
    }
}
