//! The API's search, histogram and index endpoints: query strings into the
//! shared [`SearchParams`], results out as the command line's JSON.

use std::collections::BTreeMap;

use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{ApiError, App, MAX_HTTP_LIMIT, MAX_QUERY_BYTES, MAX_QUERY_STRING_BYTES};
use crate::model::facet::{Filter, FACETS};
use crate::search::{shorten, Interval, SearchParams, SearchRequest};

/// A JSON response body, or a 500 if the value cannot be written.
pub(super) fn json_body<T: Serialize + ?Sized>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => ApiError::internal(&format!("cannot write JSON: {error}")).into_response(),
    }
}

/// The name=value pairs of a query string, with the server's own
/// parameters taken out first (`interval`).
fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let raw = raw.unwrap_or("");
    if raw.len() > MAX_QUERY_STRING_BYTES {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!(
                "the query string is {} bytes, more than the {MAX_QUERY_STRING_BYTES} a request may send; shorten the query",
                raw.len()
            ),
            param: None,
        });
    }
    Ok(form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect())
}

/// A search request from a query string, validated as the command line
/// validates its flags, with the server's tighter bounds.
fn request(app: &App, pairs: Vec<(String, String)>) -> Result<SearchRequest, ApiError> {
    let params = SearchParams::from_pairs(pairs).map_err(|e| ApiError::param(&e))?;
    if let Some(q) = &params.q {
        if q.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad(
                "q",
                format!(
                    "q is {} bytes long, more than the {MAX_QUERY_BYTES} a query may have; shorten it or move terms into filters",
                    q.len()
                ),
            ));
        }
    }
    params
        .resolve_within(app.engine.gazetteer(), MAX_HTTP_LIMIT)
        .map_err(|e| ApiError::param(&e))
}

/// `GET /api/search`: what `dossier search --json` prints, without paths.
pub(super) async fn search(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = request(&app, pairs(raw.as_deref())?)?;
    app.blocking(move |index| {
        let results = index.search(&request).map_err(ApiError::search)?;
        let body = json_body(&results.without_paths());
        Ok(body)
    })
    .await
}

/// `GET /api/histogram`: matches per year or month.
pub(super) async fn histogram(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut pairs = pairs(raw.as_deref())?;
    let mut interval = Interval::default();
    let mut kept = Vec::with_capacity(pairs.len());
    for (name, value) in pairs.drain(..) {
        if name == "interval" {
            if value.trim().is_empty() {
                continue;
            }
            interval = value.parse().map_err(|()| {
                ApiError::bad(
                    "interval",
                    format!(
                        "interval {value:?} is not a bucket width; use one of {}",
                        Interval::NAMES.join(", ")
                    ),
                )
            })?;
        } else {
            kept.push((name, value));
        }
    }
    let request = request(&app, kept)?;
    app.blocking(move |index| {
        let histogram = index
            .histogram(&request, interval)
            .map_err(ApiError::search)?;
        Ok(json_body(&histogram))
    })
    .await
}

/// `GET /api/stats`: what `dossier stats --json` prints.
pub(super) async fn stats(State(app): State<App>) -> Result<Response, ApiError> {
    app.blocking(|index| {
        let stats = index.stats().map_err(ApiError::search)?;
        Ok(json_body(&stats))
    })
    .await
}

/// `GET /api/countries`: every country code the gazetteer knows, with its
/// name.
pub(super) async fn countries(State(app): State<App>) -> Response {
    let names: BTreeMap<&str, &str> = app
        .engine
        .gazetteer()
        .countries()
        .iter()
        .map(|country| (country.code.as_str(), country.name.as_str()))
        .collect();
    json_body(&names)
}

/// `GET /api/facets`: the facet table, so a page builds its filters from
/// the table every other front end uses.
pub(super) async fn facets() -> Response {
    #[derive(Serialize)]
    struct FacetEntry {
        name: &'static str,
        hit_key: &'static str,
        label: &'static str,
        param: Option<&'static str>,
        value_name: Option<&'static str>,
    }
    let entries: Vec<FacetEntry> = FACETS
        .iter()
        .map(|facet| {
            let (param, value_name) = match &facet.filter {
                Filter::Values {
                    param, value_name, ..
                } => (Some(*param), Some(*value_name)),
                Filter::DateRange => (None, None),
            };
            FacetEntry {
                name: facet.name,
                hit_key: facet.hit_key,
                label: facet.label,
                param,
                value_name,
            }
        })
        .collect();
    json_body(&entries)
}

/// `GET /healthz`: up, and how many articles searches see.
pub(super) async fn health(State(app): State<App>) -> Response {
    #[derive(Serialize)]
    struct Health {
        status: &'static str,
        articles: u64,
    }
    json_body(&Health {
        status: "ok",
        articles: app.index.searcher().num_docs(),
    })
}

/// Any path the server does not serve.
pub(super) async fn no_route(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::not_found(format!(
        "nothing is served at {:?}; the API is described at /api/openapi.json",
        shorten(uri.path(), 200)
    ))
}

/// A method other than GET or HEAD.
pub(super) async fn wrong_method() -> Response {
    let mut response = ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "the server is read-only: use GET".to_string(),
        param: None,
    }
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}
