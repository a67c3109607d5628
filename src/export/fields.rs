//! The document other engines receive, and its fields: the article's own
//! fields, one keyword list per facet of the facet table, and every alias of
//! its actors. The Quickwit and Elasticsearch mappings and the documents
//! they ingest are all written from [`fields`], so they cannot disagree.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::gazetteer::{Aliased, Gazetteer};
use crate::model::facet::{Values, ACTOR};
use crate::model::{Document, Facet, FACETS};

/// The field holding every name of the article's actors, one value per alias.
pub const ACTOR_ALIASES: &str = "actor_aliases";

/// How a field is indexed, in terms every engine has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One exact value (an id, a URL).
    Keyword,
    /// Exact values, any number (a facet).
    Keywords,
    /// Prose, searched word by word with positions for phrases.
    Prose,
    /// Names, any number, searched word by word; a phrase stays within one.
    Names,
    /// A day, written `YYYY-MM-DD`.
    Date,
}

/// One field of an exported document.
#[derive(Debug, Clone, Copy)]
pub struct ExportField {
    /// Its name in the other engine.
    pub name: &'static str,
    /// How it is indexed.
    pub kind: Kind,
    /// Whether it is worth counting and sorting on (a column store, or
    /// Quickwit's fast field): facets, the date, the publisher.
    pub counted: bool,
    value: Origin,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy)]
enum Origin {
    Id,
    Title,
    Body,
    Date,
    Publisher,
    Url,
    SourceFile,
    Facet(&'static Facet),
    ActorAliases,
}

impl ExportField {
    /// The facet whose values this field holds, if it holds one's.
    pub fn facet(&self) -> Option<&'static Facet> {
        match self.value {
            Origin::Facet(facet) => Some(facet),
            _ => None,
        }
    }
}

/// Every field of an exported document, in the order it is written: the
/// article's own, then one per facet of [`FACETS`] under the facet's
/// document key (`targets`), then the actors' aliases.
pub fn fields() -> Vec<ExportField> {
    let field = |name, kind, counted, value| ExportField {
        name,
        kind,
        counted,
        value,
    };
    let mut fields = vec![
        field("id", Kind::Keyword, true, Origin::Id),
        field("title", Kind::Prose, false, Origin::Title),
        field("body", Kind::Prose, false, Origin::Body),
        field("date", Kind::Date, true, Origin::Date),
        field("source", Kind::Keyword, true, Origin::Publisher),
        field("url", Kind::Keyword, false, Origin::Url),
        field("source_file", Kind::Keyword, false, Origin::SourceFile),
    ];
    for facet in FACETS {
        let kind = match facet.values {
            Values::Extracted(_) => Kind::Keywords,
            Values::Derived(_) => Kind::Keyword,
        };
        fields.push(field(facet.hit_key, kind, true, Origin::Facet(facet)));
    }
    fields.push(field(
        ACTOR_ALIASES,
        Kind::Names,
        false,
        Origin::ActorAliases,
    ));
    fields
}

/// An article as another engine receives it: only mapped fields, and none
/// that is empty or missing (Quickwit's strict mode refuses a `null`).
pub struct EngineDocument<'a> {
    document: &'a Document,
    aliases: Vec<&'a str>,
    fields: &'a [ExportField],
}

impl<'a> EngineDocument<'a> {
    /// `document` with the aliases of its actors from `gazetteer`, written
    /// as `fields` (from [`fields`]) say.
    pub fn new(
        document: &'a Document,
        gazetteer: &'a Gazetteer,
        fields: &'a [ExportField],
    ) -> EngineDocument<'a> {
        EngineDocument {
            document,
            aliases: actor_aliases(document, gazetteer),
            fields,
        }
    }
}

/// Every name of every actor of `document`: its display name, then each
/// alias the gazetteer has for it, each once.
pub fn actor_aliases<'a>(document: &'a Document, gazetteer: &'a Gazetteer) -> Vec<&'a str> {
    let mut aliases: Vec<&str> = Vec::new();
    for name in document.facets.get(&ACTOR) {
        aliases.push(name);
        if let Some(actor) = gazetteer.actor(name) {
            aliases.extend(actor.all_aliases());
        }
    }
    let mut seen = std::collections::HashSet::new();
    aliases.retain(|alias| seen.insert(alias.to_lowercase()));
    aliases
}

impl Serialize for EngineDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.document;
        let mut map = serializer.serialize_map(None)?;
        let text = |value: &str| (!value.is_empty()).then(|| value.to_string());
        for field in self.fields {
            match field.value {
                Origin::Id => map.serialize_entry(field.name, &d.id)?,
                Origin::Title => map.serialize_entry(field.name, &d.title)?,
                Origin::Body => map.serialize_entry(field.name, &d.body)?,
                Origin::Date => {
                    if let Some(date) = d.date {
                        map.serialize_entry(field.name, &date)?;
                    }
                }
                Origin::Publisher => {
                    if let Some(source) = d.source.as_deref().and_then(text) {
                        map.serialize_entry(field.name, &source)?;
                    }
                }
                Origin::Url => {
                    if let Some(url) = d.url.as_deref().and_then(text) {
                        map.serialize_entry(field.name, &url)?;
                    }
                }
                Origin::SourceFile => map.serialize_entry(field.name, &d.source_file)?,
                Origin::Facet(facet) => match facet.values {
                    Values::Extracted(_) => {
                        map.serialize_entry(field.name, d.facets.get(facet))?;
                    }
                    Values::Derived(path) => {
                        if let Some(first) = path(d).and_then(|p| p.into_iter().next()) {
                            map.serialize_entry(field.name, &first)?;
                        }
                    }
                },
                Origin::ActorAliases => map.serialize_entry(field.name, &self.aliases)?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{field, schema};
    use crate::model::facet::CVE;
    use std::collections::BTreeSet;
    use tantivy::schema::FieldType;

    #[test]
    fn every_facet_is_exported_under_its_document_key_and_every_field_once() {
        let fields = fields();
        let names: BTreeSet<&str> = fields.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), fields.len(), "a name twice");
        let schema = schema();
        for facet in FACETS {
            let exported = fields
                .iter()
                .find(|f| f.facet() == Some(facet))
                .unwrap_or_else(|| panic!("{} is not exported", facet.name));
            assert_eq!(exported.name, facet.hit_key);
            assert!(exported.counted);
            let indexed = schema.get_field(facet.name).unwrap();
            assert!(matches!(
                schema.get_field_entry(indexed).field_type(),
                FieldType::Facet(_)
            ));
        }
        for (name, kind) in [
            (field::TITLE, Kind::Prose),
            (field::BODY, Kind::Prose),
            (field::DATE, Kind::Date),
            (field::ID, Kind::Keyword),
        ] {
            let exported = fields.iter().find(|f| f.name == name).unwrap();
            assert_eq!(exported.kind, kind, "{name}");
            let indexed = schema.get_field_entry(schema.get_field(name).unwrap());
            let agrees = match indexed.field_type() {
                FieldType::Str(options) => {
                    let tokenized = options
                        .get_indexing_options()
                        .is_some_and(|o| o.tokenizer() != "raw");
                    tokenized == (kind == Kind::Prose)
                }
                FieldType::Date(_) => kind == Kind::Date,
                _ => false,
            };
            assert!(agrees, "{name} is indexed as {:?}", indexed.field_type());
        }
    }

    #[test]
    fn an_engine_document_has_no_nulls_and_every_alias_once() {
        let gazetteer = Gazetteer::embedded();
        let mut document = Document {
            id: "a.txt".into(),
            source_file: "a.txt".into(),
            title: "T".into(),
            body: "B".into(),
            format: "text".into(),
            ..Document::default()
        };
        document.facets.set(&ACTOR, vec!["APT31".into()]);
        document.facets.set(&CVE, vec![]);
        let fields = fields();
        let value =
            serde_json::to_value(EngineDocument::new(&document, &gazetteer, &fields)).unwrap();
        let object = value.as_object().unwrap();
        assert!(object.values().all(|v| !v.is_null()), "{value}");
        for absent in ["date", "source", "url", "year"] {
            assert!(!object.contains_key(absent), "{absent} in {value}");
        }
        assert_eq!(object["cves"], serde_json::json!([]));
        assert_eq!(object["format"], "text");
        let aliases: Vec<&str> = object[ACTOR_ALIASES]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(aliases[0], "APT31");
        for name in ["Zirconium", "Judgment Panda", "Violet Typhoon"] {
            assert!(
                aliases.iter().any(|a| a.eq_ignore_ascii_case(name)),
                "{name} not in {aliases:?}"
            );
        }
        let lower: BTreeSet<String> = aliases.iter().map(|a| a.to_lowercase()).collect();
        assert_eq!(lower.len(), aliases.len(), "an alias twice: {aliases:?}");
    }
}
