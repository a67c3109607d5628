//! The Tantivy schema, derived from the facet table, and the one place a
//! [`Document`] becomes a Tantivy document and back.
//!
//! Title and body are indexed with positions; each facet is a facet field;
//! the date is a fast field for sorting and ranges. What a hit shows is the
//! whole document, stored once as JSON in [`field::DOCUMENT`], so reading a
//! hit is one lookup and no caller takes a Tantivy document apart.

use chrono::NaiveDate;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, Schema,
    TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::{DateTime, TantivyDocument};

use super::{analyzer, IndexError};
use crate::model::facet::Values;
use crate::model::{Document, Facet, FACETS};

/// Names of the fields that are not facets (each facet's field is its name).
pub mod field {
    /// The document id (exact term, for lookups).
    pub const ID: &str = "id";
    /// The source file's corpus-relative path: a changed or deleted file's
    /// articles are found by it.
    pub const SOURCE_FILE: &str = "source_file";
    /// The source file's change signature.
    pub const SIGNATURE: &str = "signature";
    /// Title, indexed.
    pub const TITLE: &str = "title";
    /// Article text, indexed.
    pub const BODY: &str = "body";
    /// Publication date.
    pub const DATE: &str = "date";
    /// The whole document as JSON, stored.
    pub const DOCUMENT: &str = "document";
    /// Every field that is not a facet.
    pub const ALL: [&str; 7] = [ID, SOURCE_FILE, SIGNATURE, TITLE, BODY, DATE, DOCUMENT];
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// See [`field::ID`].
    pub id: Field,
    /// See [`field::SOURCE_FILE`].
    pub source_file: Field,
    /// See [`field::SIGNATURE`].
    pub signature: Field,
    /// See [`field::TITLE`].
    pub title: Field,
    /// See [`field::BODY`].
    pub body: Field,
    /// See [`field::DATE`].
    pub date: Field,
    /// See [`field::DOCUMENT`].
    pub document: Field,
    /// Each facet's field, in the order of [`FACETS`].
    facets: Vec<Field>,
}

impl Fields {
    /// Looks the fields up in a schema built by [`schema`].
    pub fn from_schema(schema: &Schema) -> Result<Fields, IndexError> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| IndexError::SchemaMismatch)
        };
        Ok(Fields {
            id: get(field::ID)?,
            source_file: get(field::SOURCE_FILE)?,
            signature: get(field::SIGNATURE)?,
            title: get(field::TITLE)?,
            body: get(field::BODY)?,
            date: get(field::DATE)?,
            document: get(field::DOCUMENT)?,
            facets: FACETS
                .iter()
                .map(|facet| get(facet.name))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The field of `facet`.
    pub fn facet(&self, facet: &Facet) -> Field {
        self.facets[facet.position()]
    }
}

/// The schema: English-stemmed full text with positions, a facet field per
/// facet, a fast date, the source file and its signature, and the stored
/// document.
pub fn schema() -> Schema {
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut builder = Schema::builder();
    builder.add_text_field(field::ID, STRING);
    builder.add_text_field(field::SOURCE_FILE, STRING | FAST);
    builder.add_u64_field(field::SIGNATURE, FAST);
    builder.add_text_field(field::TITLE, text.clone());
    builder.add_text_field(field::BODY, text);
    builder.add_date_field(
        field::DATE,
        DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    builder.add_bytes_field(field::DOCUMENT, STORED);
    for facet in FACETS {
        builder.add_facet_field(facet.name, FacetOptions::default());
    }
    builder.build()
}

/// Midnight UTC of a date, as Tantivy stores it. Tantivy keeps nanoseconds in
/// an `i64` (years 1677 to 2262); dates outside that range saturate instead
/// of overflowing, so a `--since 0001-01-01` flag still means "everything".
pub fn date_time(date: NaiveDate) -> DateTime {
    const NANOS: i64 = 1_000_000_000;
    let seconds = date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |dt| dt.and_utc().timestamp());
    DateTime::from_timestamp_secs(seconds.clamp(i64::MIN / NANOS, i64::MAX / NANOS))
}

/// The facet term of a value: a path of one segment, or of several for a
/// facet derived from the date (`2024`, `03`).
pub fn facet_term<S: AsRef<str>>(path: &[S]) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path(path.iter().map(AsRef::as_ref))
}

/// The Tantivy document for `document`, from a source file whose signature
/// is `signature`.
pub fn to_tantivy(fields: &Fields, document: &Document, signature: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &document.id);
    doc.add_text(fields.source_file, &document.source_file);
    doc.add_u64(fields.signature, signature);
    doc.add_text(fields.title, &document.title);
    doc.add_text(fields.body, &document.body);
    if let Some(date) = document.date {
        doc.add_date(fields.date, date_time(date));
    }
    for facet in FACETS {
        let field = fields.facet(facet);
        match facet.values {
            Values::Extracted(_) => {
                for value in document.facets.get(facet) {
                    doc.add_facet(field, facet_term(&[value]));
                }
            }
            Values::Derived(path) => {
                if let Some(path) = path(document) {
                    doc.add_facet(field, facet_term(&path));
                }
            }
        }
    }
    // Serialising strings, maps and dates into JSON cannot fail.
    let stored = serde_json::to_vec(document).unwrap_or_default();
    doc.add_bytes(fields.document, &stored);
    doc
}

/// The document stored in a Tantivy document read from the index.
pub fn from_stored(fields: &Fields, doc: &TantivyDocument) -> Result<Document, IndexError> {
    let bytes = doc
        .get_first(fields.document)
        .and_then(|v| v.as_bytes())
        .ok_or_else(|| IndexError::Other("a stored document is missing".to_string()))?;
    serde_json::from_slice(bytes)
        .map_err(|e| IndexError::Other(format!("a stored document is unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_schema_holds_exactly_the_table_s_facets_and_the_document_fields() {
        let schema = schema();
        let names: BTreeSet<&str> = schema.fields().map(|(_, entry)| entry.name()).collect();
        let expected: BTreeSet<&str> = FACETS.iter().map(|f| f.name).chain(field::ALL).collect();
        assert_eq!(names, expected);
        assert_eq!(
            names.len(),
            FACETS.len() + field::ALL.len(),
            "no name twice"
        );
        let fields = Fields::from_schema(&schema).unwrap();
        for facet in FACETS {
            let entry = schema.get_field_entry(fields.facet(facet));
            assert_eq!(entry.name(), facet.name);
            assert!(
                matches!(entry.field_type(), tantivy::schema::FieldType::Facet(_)),
                "{facet:?}"
            );
        }
    }

    #[test]
    fn a_document_survives_the_index_s_storage() {
        use crate::model::facet::{ACTOR, YEAR};
        let fields = Fields::from_schema(&schema()).unwrap();
        let mut document = Document {
            id: "a.txt".into(),
            source_file: "a.txt".into(),
            title: "Title".into(),
            body: "Body.".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 28),
            ..Document::default()
        };
        document.facets.set(&ACTOR, vec!["APT31".into()]);
        let doc = to_tantivy(&fields, &document, 7);
        assert_eq!(from_stored(&fields, &doc).unwrap(), document);
        let year: Vec<String> = doc
            .get_all(fields.facet(&YEAR))
            .filter_map(|v| v.as_facet().map(str::to_string))
            .collect();
        assert_eq!(year.len(), 1, "{year:?}");
    }
}
