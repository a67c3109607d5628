//! `GET /api/articles/{id}`: one whole article with its facets and every
//! mention behind them (where, which words, what role), so a page can mark
//! why the article carries each facet.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

use super::api::json_body;
use super::{ApiError, App};
use crate::extract::{CountryRole, Extraction, Mention};
use crate::model::Document;
use crate::search::shorten;
use crate::Engine;

/// One marked span of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedMention {
    /// Byte offset of the first byte in the body.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// The words as written.
    pub surface: String,
    /// The facet the mention supports: `actor`, `sponsor` (a state the
    /// article accuses), `target`, `country` (a state that is neither),
    /// `sector`, `cve`, `technique` or `malware`.
    pub facet: &'static str,
    /// The value it resolves to (canonical actor name, alpha-2 code).
    pub value: String,
    /// What the words say about it: `actor`, `accused`, `victim` (a
    /// country or sector), `accuser`, `mentioned` or `descriptor`;
    /// `indicator` for a CVE, technique or piece of software.
    pub role: &'static str,
}

/// A country the article names, with the verdict.
#[derive(Debug, Clone, Serialize)]
struct CountryVerdict {
    code: String,
    name: String,
    target: bool,
    reason: String,
}

/// The role a country mention shows in the page's legend.
fn role_name(role: CountryRole) -> &'static str {
    match role {
        CountryRole::Attacked | CountryRole::Victim => "victim",
        CountryRole::Mentioned => "mentioned",
        CountryRole::Accuser => "accuser",
        CountryRole::Accused => "accused",
        CountryRole::Descriptor => "descriptor",
    }
}

/// Every actor, country, sector, CVE, technique and software mention of
/// `extraction`, in text order, without
/// overlaps (the earlier, then the longer, span wins).
pub fn marked_mentions(
    extraction: &Extraction,
    document: &Document,
    body_len: usize,
) -> Vec<MarkedMention> {
    let sponsors = document.facets.get(&crate::model::facet::SPONSOR);
    let targets = document.facets.get(&crate::model::facet::TARGET);
    let mut mentions: Vec<MarkedMention> = Vec::new();
    let mut mark = |mention: &Mention, facet: &'static str, value: &str, role: &'static str| {
        mentions.push(MarkedMention {
            start: mention.offset,
            end: mention.offset + mention.surface.len(),
            surface: mention.surface.clone(),
            facet,
            value: value.to_string(),
            role,
        });
    };
    for actor in &extraction.actors {
        for mention in &actor.mentions {
            mark(mention, "actor", &actor.name, "actor");
        }
    }
    for country in &extraction.countries {
        let facet = if targets.contains(&country.code) {
            "target"
        } else if sponsors.contains(&country.code) {
            "sponsor"
        } else {
            "country"
        };
        for (mention, role) in &country.mentions {
            mark(mention, facet, &country.code, role_name(*role));
        }
    }
    for reading in extraction.readings.iter().filter(|r| r.facet == "sector") {
        mark(&reading.mention, "sector", &reading.value, "victim");
    }
    for indicator in &extraction.indicators {
        mark(
            &indicator.mention,
            indicator.facet,
            &indicator.value,
            "indicator",
        );
    }
    mentions.retain(|m| m.start < m.end && m.end <= body_len);
    mentions.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<MarkedMention> = Vec::with_capacity(mentions.len());
    for mention in mentions {
        if kept.last().is_none_or(|last| mention.start >= last.end) {
            kept.push(mention);
        }
    }
    kept
}

/// The article's JSON: the stored document without its path on disk, plus
/// `mentions`, `countries` and `readings` (why each sector, and each
/// software name read as software or as its gang, was taken).
fn article_json(engine: &Engine, document: Document) -> serde_json::Value {
    let extraction = engine.extractor().extract_located(&document.body);
    let mentions = marked_mentions(&extraction, &document, document.body.len());
    let gazetteer = engine.gazetteer();
    let countries: Vec<CountryVerdict> = extraction
        .countries
        .iter()
        .map(|country| CountryVerdict {
            code: country.code.clone(),
            name: gazetteer
                .country_by_code(&country.code)
                .map_or_else(|| country.code.clone(), |c| c.name.clone()),
            target: country.target,
            reason: country.reason.clone(),
        })
        .collect();
    let mut value = serde_json::to_value(&document).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("path");
        object.insert(
            "mentions".into(),
            serde_json::to_value(mentions).unwrap_or_default(),
        );
        object.insert(
            "countries".into(),
            serde_json::to_value(countries).unwrap_or_default(),
        );
        object.insert(
            "readings".into(),
            serde_json::to_value(&extraction.readings).unwrap_or_default(),
        );
    }
    value
}

/// `GET /api/articles/{id}`.
pub(super) async fn article(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|rejection| {
        ApiError::bad(
            "id",
            format!("the article id in the path is not valid: {rejection}; percent-encode it as one path segment"),
        )
    })?;
    let engine = Arc::clone(&app.engine);
    app.blocking(move |index| {
        let document = index.document(&id).map_err(ApiError::search)?;
        match document {
            Some(document) => Ok(json_body(&article_json(&engine, document))),
            None => Err(ApiError::not_found(format!(
                "no article has the id {:?}; ids are as /api/search returns them",
                shorten(&id, 200)
            ))),
        }
    })
    .await
}
