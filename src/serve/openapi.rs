//! `GET /api/openapi.json`: an OpenAPI 3.1 description of the API, its
//! facet parameters and fields derived from the facet table like every
//! other front end's.

use std::sync::OnceLock;

use axum::response::Response;
use serde_json::{json, Map, Value};

use super::api::json_body;
use super::{MAX_HTTP_LIMIT, MAX_QUERY_BYTES};
use crate::model::facet::{Facet, Filter, FACETS};
use crate::search::request::{DEFAULT_LIMIT, MAX_OFFSET};
use crate::search::{Interval, Sort};

/// `GET /api/openapi.json`.
pub(super) async fn document() -> Response {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    json_body(DOCUMENT.get_or_init(description))
}

fn nullable(kind: &str) -> Value {
    json!({ "type": [kind, "null"] })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// `schema`, or a blank value, which a request treats as no value (a
/// form's empty field).
fn or_blank(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "string", "pattern": "^\\s*$" }] })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": reference("Error") } }
    })
}

fn ok_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": reference(schema) } }
    })
}

/// The query parameters of a search, the facet filters from the table.
fn search_parameters(paging: bool) -> Vec<Value> {
    let mut parameters = vec![json!({
        "name": "q", "in": "query", "required": false,
        "description": "Query in Tantivy's syntax: words, \"quoted phrases\", AND, OR, NOT, title:word. None or blank matches every article.",
        "schema": { "type": "string", "maxLength": MAX_QUERY_BYTES }
    })];
    for facet in FACETS {
        if let Filter::Values { param, help, .. } = &facet.filter {
            parameters.push(json!({
                "name": param, "in": "query", "required": false,
                "description": help,
                "style": "form", "explode": true,
                "schema": { "type": "array", "items": { "type": "string" } }
            }));
        }
    }
    for (name, description) in [
        ("since", "First publication day included (YYYY-MM-DD)."),
        ("until", "Last publication day included (YYYY-MM-DD)."),
    ] {
        parameters.push(json!({
            "name": name, "in": "query", "required": false, "description": description,
            "schema": or_blank(json!({ "type": "string", "format": "date" }))
        }));
    }
    if paging {
        parameters.extend([
            json!({
                "name": "limit", "in": "query", "required": false,
                "description": "Hits per page; 0 counts only.",
                "schema": or_blank(json!({ "type": "integer", "minimum": 0, "maximum": MAX_HTTP_LIMIT, "default": DEFAULT_LIMIT }))
            }),
            json!({
                "name": "offset", "in": "query", "required": false,
                "description": "Hits skipped before the page.",
                "schema": or_blank(json!({ "type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0 }))
            }),
            json!({
                "name": "sort", "in": "query", "required": false,
                "description": "Order of hits: relevance (the default with a query), newest (the default without), oldest.",
                "schema": or_blank(json!({ "type": "string", "enum": Sort::NAMES }))
            }),
            json!({
                "name": "facets", "in": "query", "required": false,
                "description": "Count every facet's values over all the matches (a bare `facets` asks for them too).",
                "schema": or_blank(json!({ "type": "boolean", "default": false }))
            }),
        ]);
    }
    parameters
}

/// One array property per facet documents carry, under its hit key.
fn facet_properties(properties: &mut Map<String, Value>) {
    for facet in Facet::on_every_document() {
        let mut schema = strings();
        schema["description"] = Value::from(format!("The article's {} values.", facet.label));
        properties.insert(facet.hit_key.to_string(), schema);
    }
}

fn declared_schema() -> Value {
    json!({
        "type": "array",
        "description": "Facet values the source file states outright, as written, each with where.",
        "items": {
            "type": "object",
            "required": ["facet", "value", "from"],
            "properties": {
                "facet": { "type": "string" },
                "value": { "type": "string" },
                "from": { "type": "string" },
                "aliases": strings()
            },
            "additionalProperties": false
        }
    })
}

/// The fields every article shares, as hits and as the article view.
fn article_properties() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert("id".into(), json!({ "type": "string", "description": "Stable id: the file's path in the corpus, plus #item for a file of several." }));
    properties.insert("source_file".into(), json!({ "type": "string" }));
    properties.insert("title".into(), json!({ "type": "string" }));
    properties.insert(
        "date".into(),
        json!({ "type": ["string", "null"], "format": "date" }),
    );
    properties.insert("source".into(), nullable("string"));
    properties.insert("url".into(), nullable("string"));
    facet_properties(&mut properties);
    properties.insert(
        "evidence".into(),
        json!({ "type": "object", "description": "Each actor with the names the article used for it.", "additionalProperties": strings() }),
    );
    properties.insert("declared".into(), declared_schema());
    properties
}

/// A closed object of `properties`, requiring `required` and every facet
/// documents carry.
fn object(properties: Map<String, Value>, required: &[&str]) -> Value {
    let required: Vec<&str> = required
        .iter()
        .copied()
        .chain(Facet::on_every_document().map(|f| f.hit_key))
        .collect();
    json!({
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": false
    })
}

fn hit_schema() -> Value {
    let mut properties = article_properties();
    properties.insert("format".into(), nullable("string"));
    properties.insert(
        "score".into(),
        json!({ "type": ["number", "null"], "description": "BM25 score; null when sorted by date." }),
    );
    properties.insert(
        "snippet".into(),
        json!({ "type": "string", "description": "The best passage, plain text." }),
    );
    properties.insert(
        "highlights".into(),
        json!({
            "type": "array",
            "description": "UTF-8 byte ranges [start, end) of the matched words in the snippet.",
            "items": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 2, "maxItems": 2 }
        }),
    );
    let required = [
        "id",
        "source_file",
        "title",
        "date",
        "source",
        "url",
        "format",
        "score",
        "evidence",
        "declared",
        "snippet",
        "highlights",
    ];
    object(properties, &required)
}

fn article_schema() -> Value {
    let mut properties = article_properties();
    properties.insert("format".into(), json!({ "type": "string" }));
    properties.insert("links".into(), strings());
    properties.insert("body".into(), json!({ "type": "string" }));
    properties.insert(
        "mentions".into(),
        json!({ "type": "array", "items": reference("Mention") }),
    );
    properties.insert(
        "countries".into(),
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "target", "reason"],
                "properties": {
                    "code": { "type": "string" },
                    "name": { "type": "string" },
                    "target": { "type": "boolean" },
                    "reason": { "type": "string" }
                },
                "additionalProperties": false
            }
        }),
    );
    properties.insert(
        "readings".into(),
        json!({
            "type": "array",
            "description": "Why each sector, and each software name read as software or as the gang that runs it, was taken.",
            "items": {
                "type": "object",
                "required": ["facet", "value", "mention", "why"],
                "properties": {
                    "facet": { "type": "string", "enum": ["actor", "malware", "sector"] },
                    "value": { "type": "string" },
                    "mention": {
                        "type": "object",
                        "required": ["surface", "offset"],
                        "properties": {
                            "surface": { "type": "string" },
                            "offset": { "type": "integer", "minimum": 0 }
                        },
                        "additionalProperties": false
                    },
                    "why": { "type": "string" }
                },
                "additionalProperties": false
            }
        }),
    );
    let required = [
        "id",
        "source_file",
        "title",
        "date",
        "source",
        "url",
        "format",
        "evidence",
        "body",
        "mentions",
        "countries",
        "readings",
    ];
    object(properties, &required)
}

fn facet_counts_schema() -> Value {
    let counts =
        json!({ "type": "object", "additionalProperties": { "type": "integer", "minimum": 0 } });
    let mut properties = Map::new();
    for facet in FACETS {
        properties.insert(facet.name.to_string(), counts.clone());
    }
    let names: Vec<&str> = FACETS.iter().map(|f| f.name).collect();
    json!({
        "type": "object",
        "description": "Articles per value of each facet, most first (years newest first).",
        "required": names,
        "properties": properties,
        "additionalProperties": false
    })
}

fn schemas() -> Value {
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": { "type": "string", "description": "One sentence: what is wrong and how to fix it." },
                "param": { "type": "string", "description": "The parameter at fault (400 only)." }
            },
            "additionalProperties": false
        },
        "Hit": hit_schema(),
        "FacetCounts": facet_counts_schema(),
        "SearchResults": {
            "type": "object",
            "required": ["query", "total_hits", "took_ms", "hits"],
            "properties": {
                "query": { "type": "string" },
                "total_hits": { "type": "integer", "minimum": 0 },
                "took_ms": { "type": "number", "minimum": 0 },
                "hits": { "type": "array", "items": reference("Hit") },
                "facets": reference("FacetCounts")
            },
            "additionalProperties": false
        },
        "Histogram": {
            "type": "object",
            "required": ["interval", "buckets", "undated"],
            "properties": {
                "interval": { "type": "string", "enum": Interval::NAMES },
                "buckets": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "since", "until", "count"],
                        "properties": {
                            "key": { "type": "string" },
                            "since": { "type": "string", "format": "date" },
                            "until": { "type": "string", "format": "date" },
                            "count": { "type": "integer", "minimum": 0 }
                        },
                        "additionalProperties": false
                    }
                },
                "undated": { "type": "integer", "minimum": 0 }
            },
            "additionalProperties": false
        },
        "Mention": {
            "type": "object",
            "required": ["start", "end", "surface", "facet", "value", "role"],
            "properties": {
                "start": { "type": "integer", "minimum": 0, "description": "UTF-8 byte offset in body." },
                "end": { "type": "integer", "minimum": 0 },
                "surface": { "type": "string" },
                "facet": { "type": "string", "enum": ["actor", "sponsor", "target", "country", "sector", "cve", "technique", "malware"] },
                "value": { "type": "string" },
                "role": { "type": "string", "enum": ["actor", "accused", "victim", "accuser", "mentioned", "descriptor", "indicator"] }
            },
            "additionalProperties": false
        },
        "Article": article_schema(),
        "Stats": {
            "type": "object",
            "required": ["articles", "undated", "first_date", "last_date", "index_bytes", "segments", "facets"],
            "properties": {
                "articles": { "type": "integer", "minimum": 0 },
                "undated": { "type": "integer", "minimum": 0 },
                "first_date": { "type": ["string", "null"], "format": "date" },
                "last_date": { "type": ["string", "null"], "format": "date" },
                "index_bytes": { "type": "integer", "minimum": 0 },
                "segments": { "type": "integer", "minimum": 0 },
                "facets": reference("FacetCounts")
            },
            "additionalProperties": false
        },
        "Countries": {
            "type": "object",
            "description": "ISO 3166 alpha-2 code to English name.",
            "additionalProperties": { "type": "string" }
        },
        "Facets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "hit_key", "label", "param", "value_name"],
                "properties": {
                    "name": { "type": "string" },
                    "hit_key": { "type": "string" },
                    "label": { "type": "string" },
                    "param": { "type": ["string", "null"] },
                    "value_name": { "type": ["string", "null"] }
                },
                "additionalProperties": false
            }
        },
        "Health": {
            "type": "object",
            "required": ["status", "articles"],
            "properties": {
                "status": { "type": "string", "enum": ["ok"] },
                "articles": { "type": "integer", "minimum": 0 }
            },
            "additionalProperties": false
        }
    })
}

/// The whole description.
pub fn description() -> Value {
    let busy = error_response("Too many searches in flight, or the search ran past the time limit; retry later (see Retry-After).");
    let bad = error_response("A parameter makes no sense; `param` names it.");
    let failed = error_response("The index could not be read; the server's log says why.");
    let mut histogram_parameters = search_parameters(false);
    histogram_parameters.push(json!({
        "name": "interval", "in": "query", "required": false,
        "description": "Bucket width.",
        "schema": or_blank(json!({ "type": "string", "enum": Interval::NAMES, "default": "year" }))
    }));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "dossier",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Search cyber-espionage reporting: BM25-ranked articles with snippets, filters on every facet and on dates, facet counts over all matches. Read-only."
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Ranked articles matching a query and filters, with facet counts on request.",
                    "parameters": search_parameters(true),
                    "responses": {
                        "200": ok_response("The page of hits (what `dossier search --json` prints, without paths on the server's disk).", "SearchResults"),
                        "400": bad,
                        "500": failed, "503": busy
                    }
                }
            },
            "/api/histogram": {
                "get": {
                    "operationId": "histogram",
                    "summary": "Matching articles per year or month.",
                    "parameters": histogram_parameters,
                    "responses": {
                        "200": ok_response("Buckets in time order, empty ones between included.", "Histogram"),
                        "400": bad,
                        "500": failed, "503": busy
                    }
                }
            },
            "/api/articles/{id}": {
                "get": {
                    "operationId": "article",
                    "summary": "One whole article with its facets and every mention behind them.",
                    "parameters": [{
                        "name": "id", "in": "path", "required": true,
                        "description": "The article's id as search returns it, percent-encoded as one path segment.",
                        "schema": { "type": "string" }
                    }],
                    "responses": {
                        "200": ok_response("The article.", "Article"),
                        "400": bad,
                        "404": error_response("No article has this id."),
                        "500": failed, "503": busy
                    }
                }
            },
            "/api/stats": {
                "get": {
                    "operationId": "stats",
                    "summary": "What the index holds (what `dossier stats --json` prints).",
                    "responses": { "200": ok_response("Statistics.", "Stats"), "500": failed, "503": busy }
                }
            },
            "/api/countries": {
                "get": {
                    "operationId": "countries",
                    "summary": "Every country code the gazetteer knows, with its name.",
                    "responses": { "200": ok_response("Code to name.", "Countries") }
                }
            },
            "/api/facets": {
                "get": {
                    "operationId": "facets",
                    "summary": "The facets, in order: name (in facet counts), key on hits, label, and the filter parameter with its kind of value (COUNTRY: a code or a name).",
                    "responses": { "200": ok_response("The facet table.", "Facets") }
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the server is up, and how many articles searches see.",
                    "responses": { "200": ok_response("Up.", "Health") }
                }
            }
        },
        "components": { "schemas": schemas() }
    })
}
