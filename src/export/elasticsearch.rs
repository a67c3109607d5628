//! Elasticsearch and OpenSearch: an index mapping (`mapping.json`, the
//! body of `PUT /INDEX`) and `_bulk` request bodies (`bulk-00001.ndjson`...),
//! each under [`super::DEFAULT_BULK_BYTES`] unless one article alone is
//! larger. Each action sets `_id` to the article's id, so loading a new
//! export over an old one replaces articles instead of adding them twice.

use serde_json::{json, Map, Value};

use super::fields::{fields, EngineDocument, ExportField, Kind};
use super::folder::{ExportFolder, OutFile};
use super::{numbered, ExportError, FormatWriter, Outcome};
use crate::gazetteer::Gazetteer;
use crate::model::Document;

/// The mapping's file name.
pub const MAPPING: &str = "mapping.json";

/// Writes the mapping, then the bulk files.
pub struct Elasticsearch<'a> {
    gazetteer: &'a Gazetteer,
    fields: Vec<ExportField>,
    most_bytes: u64,
    file: Option<OutFile>,
    files: u64,
    pair: Vec<u8>,
}

impl<'a> Elasticsearch<'a> {
    /// Writes the mapping; bulk files are cut at `most_bytes`.
    pub fn start(
        gazetteer: &'a Gazetteer,
        most_bytes: u64,
        folder: &mut ExportFolder,
    ) -> Result<Elasticsearch<'a>, ExportError> {
        let fields = fields();
        // Serialising a JSON value cannot fail.
        let mapping = serde_json::to_vec_pretty(&mapping(&fields)).unwrap_or_default();
        folder.write_whole(MAPPING, &mapping)?;
        Ok(Elasticsearch {
            gazetteer,
            fields,
            most_bytes,
            file: None,
            files: 0,
            pair: Vec::new(),
        })
    }
}

impl FormatWriter for Elasticsearch<'_> {
    fn write(
        &mut self,
        document: &Document,
        folder: &mut ExportFolder,
    ) -> Result<Outcome, ExportError> {
        self.pair.clear();
        let action = json!({"index": {"_id": document.id}});
        let engine = EngineDocument::new(document, self.gazetteer, &self.fields);
        // Serialising strings, lists and maps into memory cannot fail.
        serde_json::to_writer(&mut self.pair, &action).unwrap_or_default();
        self.pair.push(b'\n');
        serde_json::to_writer(&mut self.pair, &engine).unwrap_or_default();
        self.pair.push(b'\n');
        let full = self.file.as_ref().is_some_and(|file| {
            file.articles > 0 && file.bytes + self.pair.len() as u64 > self.most_bytes
        });
        if full {
            if let Some(file) = self.file.take() {
                folder.close(file)?;
            }
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => {
                self.files += 1;
                self.file
                    .insert(folder.create(&numbered("bulk", self.files, "ndjson"))?)
            }
        };
        file.write(&self.pair)?;
        file.articles += 1;
        Ok(Outcome::Written)
    }

    fn finish(self: Box<Self>, folder: &mut ExportFolder) -> Result<(), ExportError> {
        match self.file {
            Some(file) => folder.close(file),
            None => Ok(()),
        }
    }
}

/// The index's settings and mappings: strict (a field that is not mapped is
/// an error, not a new field), English analysis for the prose, keywords for
/// the facets.
pub fn mapping(fields: &[ExportField]) -> Value {
    let mut properties = Map::new();
    for field in fields {
        let mapping = match field.kind {
            Kind::Keyword | Kind::Keywords => json!({"type": "keyword"}),
            Kind::Prose => json!({"type": "text", "analyzer": "english"}),
            Kind::Names => json!({"type": "text", "analyzer": "standard"}),
            Kind::Date => json!({"type": "date", "format": "yyyy-MM-dd"}),
        };
        properties.insert(field.name.to_string(), mapping);
    }
    json!({"mappings": {"dynamic": "strict", "properties": properties}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_holds_every_field_with_its_type() {
        let mapping = mapping(&fields());
        assert_eq!(mapping["mappings"]["dynamic"], "strict");
        let properties = mapping["mappings"]["properties"].as_object().unwrap();
        assert_eq!(properties.len(), fields().len());
        assert_eq!(properties["targets"]["type"], "keyword");
        assert_eq!(properties["body"]["analyzer"], "english");
        assert_eq!(properties["date"]["format"], "yyyy-MM-dd");
    }
}
