//! What flows through the pipeline: the [`Article`] a reader yields, and the
//! canonical [`Document`] the index is written from and that hits and
//! exports are read back into.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::facet::Facet;

/// Something worth telling the user about an article that was still indexed
/// (no date, re-encoded text...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Warning(pub String);

/// One article as a reader yields it, before extraction. Serialisable, so
/// a reader running in a child process can hand it over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The article's own id within its source file (a feed item's `id`, or
    /// its position); `None` when the file is the article.
    pub local_id: Option<String>,
    /// Title (for plain text, the first sentence).
    pub title: String,
    /// Publication date, when known and plausible.
    pub date: Option<NaiveDate>,
    /// The text.
    pub body: String,
    /// Who published it (a site or vendor), when the format says.
    pub source: Option<String>,
    /// Where it was published, when the format says.
    pub url: Option<String>,
    /// The targets of the links in the text (a Markdown note's
    /// `[text](https://…)`), in order, each once: kept out of the body,
    /// whose text is the links' words.
    pub links: Vec<String>,
    /// Facets the format states outright (a STIX report's intrusion sets,
    /// a note's front matter), as written there; merged with the extracted
    /// ones.
    pub declared: Declared,
    /// Caveats to report.
    pub warnings: Vec<Warning>,
}

impl Article {
    /// Records that the source states `value` for `facet`, and where
    /// (`"front matter"`, `"STIX intrusion-set--0c7e…"`).
    pub fn declare(
        &mut self,
        facet: &'static Facet,
        value: impl Into<String>,
        from: impl Into<String>,
    ) {
        self.declared.push(facet, value, from);
    }

    /// Records that the source states one thing for `facet` under the name
    /// `value`, also known as `aliases` (a STIX intrusion set and its
    /// aliases): resolved by the first of its names that resolves.
    pub fn declare_named(
        &mut self,
        facet: &'static Facet,
        value: impl Into<String>,
        aliases: Vec<String>,
        from: impl Into<String>,
    ) {
        self.declared.push_named(facet, value, aliases, from);
    }
}

/// One facet value a source file states outright.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// The facet, by its document key (`"actors"`).
    pub facet: String,
    /// The value as the source writes it (`"Zirconium"`).
    pub value: String,
    /// Where in the source it is stated (`"front matter"`,
    /// `"STIX intrusion-set--0c7e…"`), the evidence for the value.
    pub from: String,
    /// Other names the source gives the same thing, tried in order when
    /// `value` does not resolve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The values a source declares, in the order it states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Declared(Vec<Declaration>);

impl Declared {
    /// Adds one statement (a repeated one is kept once).
    pub fn push(
        &mut self,
        facet: &'static Facet,
        value: impl Into<String>,
        from: impl Into<String>,
    ) {
        self.push_named(facet, value, Vec::new(), from);
    }

    /// Adds one statement of a thing with several names: `value`, else the
    /// first of `aliases` that resolves.
    pub fn push_named(
        &mut self,
        facet: &'static Facet,
        value: impl Into<String>,
        aliases: Vec<String>,
        from: impl Into<String>,
    ) {
        let declaration = Declaration {
            facet: facet.hit_key.to_string(),
            value: value.into(),
            from: from.into(),
            aliases,
        };
        if !self.0.contains(&declaration) {
            self.0.push(declaration);
        }
    }

    /// Whether the source declares nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each statement with its facet (statements of a facet unknown to this
    /// dossier, read from an index by another, are passed over).
    pub fn iter(&self) -> impl Iterator<Item = (&'static Facet, &Declaration)> {
        self.0
            .iter()
            .filter_map(|d| Facet::by_hit_key(&d.facet).map(|facet| (facet, d)))
    }

    /// The values declared for `facet`, as written.
    pub fn values(&self, facet: &Facet) -> Vec<&str> {
        self.iter()
            .filter(|(f, _)| *f == facet)
            .map(|(_, d)| d.value.as_str())
            .collect()
    }
}

/// The values of each facet, in the form the index stores them (canonical
/// actor names, alpha-2 codes...). Serialised as one array per facet under
/// its document key (`"targets": ["GB"]`), in the facet table's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetValues(BTreeMap<&'static str, Vec<String>>);

impl FacetValues {
    /// The values of `facet`, empty when it has none.
    pub fn get(&self, facet: &Facet) -> &[String] {
        self.0.get(facet.name).map_or(&[], Vec::as_slice)
    }

    /// Sets the values of `facet`.
    pub fn set(&mut self, facet: &'static Facet, values: Vec<String>) {
        if values.is_empty() {
            self.0.remove(facet.name);
        } else {
            self.0.insert(facet.name, values);
        }
    }

    /// Adds one value to `facet`, keeping the values sorted and distinct.
    pub fn insert(&mut self, facet: &'static Facet, value: String) {
        let values = self.0.entry(facet.name).or_default();
        if let Err(at) = values.binary_search(&value) {
            values.insert(at, value);
        }
    }

    /// Whether no facet has a value.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }

    /// Each facet that documents carry, in table order, with its values.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Facet, &[String])> {
        Facet::on_every_document().map(|f| (f, self.get(f)))
    }
}

impl Serialize for FacetValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.serialize_entries(&mut map)?;
        map.end()
    }
}

impl FacetValues {
    /// Writes each facet's key and values into a map being serialised, so
    /// a hit or document can list them beside its own fields.
    pub fn serialize_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (facet, values) in self.iter() {
            map.serialize_entry(facet.hit_key, values)?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for FacetValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Vec<String>>::deserialize(deserializer)?;
        let mut values = FacetValues::default();
        for (key, list) in map {
            if let Some(facet) = Facet::by_hit_key(&key) {
                values.set(facet, list);
            }
        }
        Ok(values)
    }
}

/// Which names an article used for each actor it carries (actor → the
/// distinct surface forms), so a reader sees why.
pub type ActorEvidence = BTreeMap<String, Vec<String>>;

/// The canonical document: what the index is written from, what a hit is
/// read back into, and what exports write. Serialised as one flat object:
/// its own fields, then one array per facet under the facet's key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Stable id: the source file's corpus-relative path, plus `#` and the
    /// article's own id or position for a file that holds several.
    pub id: String,
    /// The source file's path relative to the corpus root (`/` separators).
    pub source_file: String,
    /// The source file's path on disk at indexing time.
    pub path: String,
    /// Title.
    pub title: String,
    /// Publication date.
    pub date: Option<NaiveDate>,
    /// Who published it, when the source says.
    pub source: Option<String>,
    /// Where it was published, when the source says.
    pub url: Option<String>,
    /// The targets of the links in the text, when the format has links.
    pub links: Vec<String>,
    /// The format of the source file (`"pdf"`, `"markdown"`), as
    /// [`Reader::name`](crate::source::format::Reader::name) calls it.
    pub format: String,
    /// Every facet's values: extracted from the text, merged with declared.
    pub facets: FacetValues,
    /// The names the text used for each actor.
    pub evidence: ActorEvidence,
    /// The values the source file stated outright, as it wrote them, each
    /// with where it said so.
    pub declared: Declared,
    /// The text.
    pub body: String,
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("source_file", &self.source_file)?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("title", &self.title)?;
        map.serialize_entry("date", &self.date)?;
        map.serialize_entry("source", &self.source)?;
        map.serialize_entry("url", &self.url)?;
        if !self.links.is_empty() {
            map.serialize_entry("links", &self.links)?;
        }
        map.serialize_entry("format", &self.format)?;
        self.facets.serialize_entries(&mut map)?;
        map.serialize_entry("evidence", &self.evidence)?;
        if !self.declared.is_empty() {
            map.serialize_entry("declared", &self.declared)?;
        }
        map.serialize_entry("body", &self.body)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a dossier document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut document = Document::default();
        let mut seen_id = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => {
                    document.id = map.next_value()?;
                    seen_id = true;
                }
                "source_file" => document.source_file = map.next_value()?,
                "path" => document.path = map.next_value()?,
                "title" => document.title = map.next_value()?,
                "date" => document.date = map.next_value()?,
                "source" => document.source = map.next_value()?,
                "url" => document.url = map.next_value()?,
                "links" => document.links = map.next_value()?,
                "format" => document.format = map.next_value()?,
                "evidence" => document.evidence = map.next_value()?,
                "declared" => document.declared = map.next_value()?,
                "body" => document.body = map.next_value()?,
                other => match Facet::by_hit_key(other) {
                    Some(facet) => document.facets.set(facet, map.next_value()?),
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                },
            }
        }
        if !seen_id {
            return Err(serde::de::Error::missing_field("id"));
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{ACTOR, CVE, TARGET};

    fn sample() -> Document {
        let mut facets = FacetValues::default();
        facets.set(&ACTOR, vec!["APT31".into()]);
        facets.set(&TARGET, vec!["GB".into(), "US".into()]);
        let mut declared = Declared::default();
        declared.push(&ACTOR, "Zirconium", "front matter");
        Document {
            id: "feed.jsonl#7".into(),
            source_file: "feed.jsonl".into(),
            path: "/corpus/feed.jsonl".into(),
            title: "A \"quoted\" title".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 28),
            source: Some("NCSC".into()),
            url: None,
            links: vec!["https://example.org/a".into()],
            format: "json".into(),
            facets,
            evidence: BTreeMap::from([("APT31".into(), vec!["APT 31".into()])]),
            declared,
            body: "Body\nwith lines.".into(),
        }
    }

    #[test]
    fn documents_round_trip_through_json_with_facets_under_their_keys() {
        let document = sample();
        let json = serde_json::to_value(&document).unwrap();
        assert_eq!(json["targets"], serde_json::json!(["GB", "US"]));
        assert_eq!(json["cves"], serde_json::json!([]));
        assert_eq!(
            json["declared"],
            serde_json::json!([{"facet": "actors", "value": "Zirconium", "from": "front matter"}])
        );
        assert_eq!(json["format"], "json");
        assert!(json.get("year").is_none(), "the year is the date's");
        let back: Document = serde_json::from_value(json).unwrap();
        assert_eq!(back, document);
        assert!(back.facets.get(&CVE).is_empty());
    }

    #[test]
    fn unknown_keys_are_ignored_and_an_id_is_required() {
        let doc: Document =
            serde_json::from_str(r#"{"id":"a","later_field":[1,2],"actors":["X"]}"#).unwrap();
        assert_eq!(doc.facets.get(&ACTOR), ["X".to_string()]);
        assert!(serde_json::from_str::<Document>(r#"{"title":"t"}"#).is_err());
    }

    #[test]
    fn inserted_values_stay_sorted_and_distinct() {
        let mut values = FacetValues::default();
        for v in ["b", "a", "b", "c"] {
            values.insert(&TARGET, v.into());
        }
        assert_eq!(values.get(&TARGET), ["a", "b", "c"]);
        values.set(&TARGET, Vec::new());
        assert!(values.is_empty());
    }
}
