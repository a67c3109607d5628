//! Quickwit: an index configuration (`quickwit-index.yaml`) and the
//! documents (`documents.ndjson`), for `quickwit index create` and
//! `quickwit index ingest`.
//!
//! What Quickwit 0.9 requires, found by loading the bundled corpus into a
//! real one: its tokenizers do not stem (`en_stem` is not there), so title
//! and body use `default`; strict mode refuses any field that is not mapped,
//! even a `null`, so documents carry only mapped, non-empty fields; a
//! document without the timestamp field is rejected while `ingest` still
//! exits 0, so no timestamp field is set and undated articles stay; and the
//! aliases are an array, so a phrase cannot run from one alias into the next.

use std::fmt::Write as _;

use super::fields::{fields, EngineDocument, ExportField, Kind, ACTOR_ALIASES};
use super::folder::{ExportFolder, OutFile};
use super::ndjson::write_line;
use super::{ExportError, FormatWriter, Outcome};
use crate::gazetteer::Gazetteer;
use crate::model::Document;

/// The index configuration's file name.
pub const CONFIG: &str = "quickwit-index.yaml";
/// The documents' file name.
pub const DOCUMENTS: &str = "documents.ndjson";

/// Writes the configuration, then one document a line.
pub struct Quickwit<'a> {
    gazetteer: &'a Gazetteer,
    fields: Vec<ExportField>,
    file: OutFile,
    line: Vec<u8>,
}

impl<'a> Quickwit<'a> {
    /// Writes the configuration for an index called `index_id` and opens the
    /// documents' file.
    pub fn start(
        gazetteer: &'a Gazetteer,
        index_id: &str,
        folder: &mut ExportFolder,
    ) -> Result<Quickwit<'a>, ExportError> {
        let fields = fields();
        folder.write_whole(CONFIG, config(index_id, &fields).as_bytes())?;
        let file = folder.create(DOCUMENTS)?;
        Ok(Quickwit {
            gazetteer,
            fields,
            file,
            line: Vec::new(),
        })
    }
}

impl FormatWriter for Quickwit<'_> {
    fn write(
        &mut self,
        document: &Document,
        _folder: &mut ExportFolder,
    ) -> Result<Outcome, ExportError> {
        let engine = EngineDocument::new(document, self.gazetteer, &self.fields);
        write_line(&mut self.file, &mut self.line, &engine)?;
        Ok(Outcome::Written)
    }

    fn finish(self: Box<Self>, folder: &mut ExportFolder) -> Result<(), ExportError> {
        folder.close(self.file)
    }
}

/// The index configuration (Quickwit's config format 0.8, read by Quickwit
/// 0.8 and 0.9).
pub fn config(index_id: &str, fields: &[ExportField]) -> String {
    let mut yaml = String::new();
    yaml.push_str(
        "# Quickwit index for a dossier export (Quickwit 0.8 and 0.9).\n\
         #   quickwit index create --index-config quickwit-index.yaml\n\
         #   quickwit index ingest --index INDEX --input-path documents.ndjson --detailed-response\n\
         # Quickwit keeps no document ids: run `quickwit index clear --index INDEX`\n\
         # before ingesting a new export of the same articles, or they are there twice.\n\
         # Quickwit's tokenizers do not stem: `hacker` does not find `hackers`.\n\
         # There is no timestamp_field, because Quickwit rejects a document without one\n\
         # and some articles have no date; set `timestamp_field: date` (under doc_mapping)\n\
         # only if the export summary counted no undated article.\n",
    );
    yaml.push_str("version: 0.8\n");
    let _ = writeln!(yaml, "index_id: {index_id}");
    yaml.push_str("doc_mapping:\n  mode: strict\n  field_mappings:\n");
    for field in fields {
        let _ = writeln!(yaml, "    - {}", mapping(field));
    }
    let searched: Vec<&str> = fields
        .iter()
        .filter(|f| f.kind == Kind::Prose || f.name == ACTOR_ALIASES)
        .map(|f| f.name)
        .collect();
    let _ = writeln!(
        yaml,
        "search_settings:\n  default_search_fields: [{}]",
        searched.join(", ")
    );
    yaml
}

/// One field's mapping, as a YAML flow mapping.
fn mapping(field: &ExportField) -> String {
    let fast = if field.counted { ", fast: true" } else { "" };
    let name = field.name;
    match field.kind {
        Kind::Keyword => format!("{{name: {name}, type: text, tokenizer: raw{fast}}}"),
        Kind::Keywords => format!("{{name: {name}, type: array<text>, tokenizer: raw{fast}}}"),
        Kind::Prose => format!(
            "{{name: {name}, type: text, tokenizer: default, record: position, fieldnorms: true}}"
        ),
        Kind::Names => {
            format!("{{name: {name}, type: array<text>, tokenizer: default, record: position}}")
        }
        Kind::Date => format!(
            "{{name: {name}, type: datetime, input_formats: [\"%Y-%m-%d\", rfc3339], output_format: \"%Y-%m-%d\"{fast}, fast_precision: seconds}}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_mapped_once_and_the_text_is_searched_by_default() {
        let yaml = config("dossier", &fields());
        for field in fields() {
            let line = format!("    - {{name: {}, ", field.name);
            assert_eq!(yaml.matches(&line).count(), 1, "{}:\n{yaml}", field.name);
        }
        assert!(yaml.contains("default_search_fields: [title, body, actor_aliases]"));
        assert!(yaml.contains("{name: targets, type: array<text>, tokenizer: raw, fast: true}"));
        assert!(!yaml.contains("en_stem"));
        assert!(!yaml.contains("\ntimestamp_field"));
    }
}
