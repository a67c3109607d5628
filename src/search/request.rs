//! One search request for every front end: [`SearchParams`], what a user
//! typed (serde, no command-line parser in it), resolved once into the
//! validated [`SearchRequest`] the search runs. A value that makes no sense
//! comes back as a [`ParamError`] naming the parameter, which each front
//! end words its own way (`--actor` on the command line, `actor` in HTTP).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::gazetteer::Gazetteer;
use crate::model::facet::{Filter, Piece, Refusal};
use crate::model::{Facet, FACETS};

/// The most hits one request returns.
pub const MAX_LIMIT: u64 = 10_000;
/// The furthest a request pages.
pub const MAX_OFFSET: u64 = 1_000_000;
/// Hits returned when no limit is given.
pub const DEFAULT_LIMIT: u64 = 10;

/// The parameters of a search as a user gives them: strings and numbers,
/// not yet checked. Facet filters are keyed by each facet's parameter
/// (`actor`, `country`); a parameter given several values matches any of
/// them.
///
/// ```
/// use dossier::search::SearchParams;
/// let params: SearchParams = serde_json::from_str(
///     r#"{"q": "electoral commission", "country": "GB", "actor": ["APT31", "APT28"]}"#,
/// ).unwrap();
/// assert_eq!(params.filters["actor"], ["APT31", "APT28"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    /// Query in Tantivy's syntax; none or blank matches every article.
    pub q: Option<String>,
    /// First day included (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Last day included (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// Hits per page (0 counts only); [`DEFAULT_LIMIT`] when absent.
    pub limit: Option<u64>,
    /// Hits skipped before the page.
    pub offset: Option<u64>,
    /// `relevance`, `newest` or `oldest`; relevance with a query, newest
    /// without, when absent.
    pub sort: Option<String>,
    /// Count every facet over all the matches.
    pub facets: bool,
    /// Facet parameter → values.
    #[serde(flatten, with = "one_or_many")]
    pub filters: BTreeMap<String, Vec<String>>,
}

/// A request parameter that makes no sense, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter at fault (`actor`, `since`).
    pub param: String,
    /// The sentence, with parameter names left for the front end to spell.
    sentence: Vec<Piece>,
}

impl ParamError {
    /// `{param} "{value}" {refusal}`.
    fn refused(param: &str, value: &str, refusal: Refusal) -> ParamError {
        let mut sentence = vec![Piece::This, Piece::Text(format!(" {value:?} "))];
        sentence.extend(refusal.0);
        ParamError {
            param: param.to_string(),
            sentence,
        }
    }

    /// The sentence, each parameter spelled by `name` (`--since` or
    /// `since`).
    pub fn message(&self, name: &dyn Fn(&str) -> String) -> String {
        Refusal(self.sentence.clone()).render(&self.param, name)
    }

    /// The sentence as the command line says it (`--since`).
    pub fn for_flags(&self) -> String {
        self.message(&|param| format!("--{param}"))
    }
}

impl fmt::Display for ParamError {
    /// The sentence with parameters named as they are (`since`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&|param| param.to_string()))
    }
}

impl std::error::Error for ParamError {}

/// How to order hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 score, best first (the default with a query).
    #[default]
    Relevance,
    /// Newest first (the default without a query); undated last.
    Newest,
    /// Oldest first; undated last.
    Oldest,
}

impl Sort {
    /// Every order, by name.
    pub const NAMES: [&'static str; 3] = ["relevance", "newest", "oldest"];
}

impl FromStr for Sort {
    type Err = ();

    fn from_str(name: &str) -> Result<Sort, ()> {
        match name.trim().to_ascii_lowercase().as_str() {
            "relevance" => Ok(Sort::Relevance),
            "newest" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            _ => Err(()),
        }
    }
}

/// A validated search: canonical actor names and alpha-2 codes only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// Query in Tantivy syntax; `None` matches every article.
    pub query: Option<String>,
    /// Facet filters: each facet's values, any of which match; every facet
    /// listed must match.
    pub filters: Vec<(&'static Facet, Vec<String>)>,
    /// First day included.
    pub since: Option<NaiveDate>,
    /// Last day included.
    pub until: Option<NaiveDate>,
    /// Hits per page (0 counts only).
    pub limit: usize,
    /// Hits skipped before the page.
    pub offset: usize,
    /// Order.
    pub sort: Sort,
    /// Count facets over every match.
    pub facets: bool,
}

impl SearchRequest {
    /// Adds a filter on `facet` (values in their stored form).
    pub fn filter<S: Into<String>>(
        mut self,
        facet: &'static Facet,
        values: impl IntoIterator<Item = S>,
    ) -> SearchRequest {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        match self.filters.iter_mut().find(|(f, _)| *f == facet) {
            Some((_, existing)) => existing.extend(values),
            None => self.filters.push((facet, values)),
        }
        self
    }

    /// The values `facet` is filtered on (none: not filtered).
    pub fn values_of(&self, facet: &Facet) -> &[String] {
        self.filters
            .iter()
            .find(|(f, _)| *f == facet)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Whether the request filters on anything.
    pub fn has_filters(&self) -> bool {
        self.filters.iter().any(|(_, v)| !v.is_empty())
            || self.since.is_some()
            || self.until.is_some()
    }

    /// The query, when it has words.
    pub fn text(&self) -> Option<&str> {
        self.query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
    }
}

impl SearchParams {
    /// Parameters from `name=value` pairs, as a query string gives them
    /// (repeated names add values). A blank value is no value, as a form's
    /// empty field sends it (`?actor=&q=apt31`); a number or flag that does
    /// not parse is refused naming the parameter.
    pub fn from_pairs<K, V>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<SearchParams, ParamError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut params = SearchParams::default();
        for (name, value) in pairs {
            let (name, value) = (name.as_ref(), value.as_ref());
            if value.trim().is_empty() && name != "facets" {
                continue;
            }
            // The bounds are the request's (`resolve_within`), not the
            // query string's.
            let number = || {
                value.trim().parse::<u64>().map_err(|_| {
                    ParamError::refused(name, value, Refusal::text("is not a whole number"))
                })
            };
            match name {
                "q" => params.q = Some(value.to_string()),
                "since" => params.since = Some(value.to_string()),
                "until" => params.until = Some(value.to_string()),
                "sort" => params.sort = Some(value.to_string()),
                "limit" => params.limit = Some(number()?),
                "offset" => params.offset = Some(number()?),
                "facets" => {
                    params.facets = match value.trim().to_ascii_lowercase().as_str() {
                        "" | "true" | "1" | "yes" | "on" => true,
                        "false" | "0" | "no" | "off" => false,
                        _ => {
                            return Err(ParamError::refused(
                                name,
                                value,
                                Refusal::text("is not true or false"),
                            ))
                        }
                    }
                }
                other => params
                    .filters
                    .entry(other.to_string())
                    .or_default()
                    .push(value.to_string()),
            }
        }
        Ok(params)
    }

    /// Adds `values` to the facet filter `param`.
    pub fn with_filter<S: Into<String>>(
        mut self,
        param: &str,
        values: impl IntoIterator<Item = S>,
    ) -> SearchParams {
        self.filters
            .entry(param.to_string())
            .or_default()
            .extend(values.into_iter().map(Into::into));
        self
    }

    /// Validates the parameters into a request: dates parsed, actor
    /// aliases and country names resolved through `gazetteer`, numbers
    /// bounded (at most [`MAX_LIMIT`] hits).
    pub fn resolve(&self, gazetteer: &Gazetteer) -> Result<SearchRequest, ParamError> {
        self.resolve_within(gazetteer, MAX_LIMIT)
    }

    /// Like [`SearchParams::resolve`], with at most `max_limit` hits a
    /// request (a server's tighter bound).
    pub fn resolve_within(
        &self,
        gazetteer: &Gazetteer,
        max_limit: u64,
    ) -> Result<SearchRequest, ParamError> {
        let since = self
            .since
            .as_deref()
            .map(|v| date("since", v))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|v| date("until", v))
            .transpose()?;
        if let (Some(since), Some(until)) = (since, until) {
            if since > until {
                return Err(ParamError {
                    param: "since".to_string(),
                    sentence: vec![
                        Piece::This,
                        Piece::Text(format!(" {since} is after ")),
                        Piece::Param("until"),
                        Piece::Text(format!(" {until}; swap them to get a range")),
                    ],
                });
            }
        }
        let mut filters = Vec::new();
        for (param, values) in &self.filters {
            let facet = Facet::by_param(param).ok_or_else(|| unknown_param(param))?;
            let Filter::Values { resolve, .. } = facet.filter else {
                continue;
            };
            let resolved = values
                .iter()
                .map(|value| {
                    resolve(gazetteer, value).map_err(|r| ParamError::refused(param, value, r))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if !resolved.is_empty() {
                filters.push((facet, resolved));
            }
        }
        // In the table's order, whatever order the parameters came in.
        filters.sort_by_key(|(facet, _)| facet.position());
        let limit = bounded(
            "limit",
            self.limit.unwrap_or(DEFAULT_LIMIT),
            max_limit.min(MAX_LIMIT),
            &[
                Piece::Text("the most one search returns; page through the rest with ".into()),
                Piece::Param("offset"),
            ],
        )?;
        let offset = bounded(
            "offset",
            self.offset.unwrap_or(0),
            MAX_OFFSET,
            &[Piece::Text(
                "the furthest a search pages; narrow it with a query or filters".into(),
            )],
        )?;
        let query = self.q.clone().filter(|q| !q.trim().is_empty());
        let sort = match self.sort.as_deref() {
            Some(name) => name.parse().map_err(|()| {
                ParamError::refused(
                    "sort",
                    name,
                    Refusal::text(format!(
                        "is not an order; use one of {}",
                        Sort::NAMES.join(", ")
                    )),
                )
            })?,
            None if query.is_some() => Sort::Relevance,
            None => Sort::Newest,
        };
        Ok(SearchRequest {
            query,
            filters,
            since,
            until,
            limit,
            offset,
            sort,
            facets: self.facets,
        })
    }
}

fn date(param: &str, value: &str) -> Result<NaiveDate, ParamError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        ParamError::refused(
            param,
            value,
            Refusal::text("is not a date; write it as YYYY-MM-DD, e.g. ")
                .this()
                .then(" 2024-03-28"),
        )
    })
}

fn bounded(param: &str, value: u64, max: u64, why: &[Piece]) -> Result<usize, ParamError> {
    if value > max {
        let mut sentence = vec![
            Piece::This,
            Piece::Text(format!(" {value} is more than {max}, ")),
        ];
        sentence.extend_from_slice(why);
        return Err(ParamError {
            param: param.to_string(),
            sentence,
        });
    }
    Ok(value as usize)
}

fn unknown_param(param: &str) -> ParamError {
    let filters: Vec<&str> = FACETS.iter().filter_map(|f| f.param()).collect();
    ParamError {
        param: param.to_string(),
        sentence: vec![
            Piece::This,
            Piece::Text(format!(
                " is not a search parameter; the filters are {}, with q, since, until, limit, offset, sort and facets",
                filters.join(", ")
            )),
        ],
    }
}

/// Serde for the facet filters: a parameter holds one value or a list. A
/// number or a boolean is taken as its text, so a misspelt parameter
/// (`"limt": 5`) reaches [`SearchParams::resolve`], which names it, instead
/// of failing to parse.
mod one_or_many {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Integer(i64),
        Float(f64),
        Flag(bool),
    }

    impl Scalar {
        fn into_text(self) -> String {
            match self {
                Scalar::Text(text) => text,
                Scalar::Integer(n) => n.to_string(),
                Scalar::Float(x) => x.to_string(),
                Scalar::Flag(b) => b.to_string(),
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Scalar),
        Many(Vec<Scalar>),
    }

    pub fn serialize<S: Serializer>(
        filters: &BTreeMap<String, Vec<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        filters.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
        let raw = BTreeMap::<String, OneOrMany>::deserialize(deserializer)?;
        Ok(raw
            .into_iter()
            .map(|(k, v)| match v {
                OneOrMany::One(one) => (k, vec![one.into_text()]),
                OneOrMany::Many(many) => (k, many.into_iter().map(Scalar::into_text).collect()),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{ACTOR, SPONSOR, TARGET};

    fn resolve(params: &SearchParams) -> Result<SearchRequest, ParamError> {
        params.resolve(&Gazetteer::embedded())
    }

    #[test]
    fn parameters_resolve_aliases_and_country_names() {
        let params = SearchParams {
            q: Some("x".into()),
            ..SearchParams::default()
        }
        .with_filter("actor", ["Zirconium"])
        .with_filter("country", ["Britain"])
        .with_filter("sponsor", ["cn"]);
        let request = resolve(&params).unwrap();
        assert_eq!(request.values_of(&ACTOR), ["APT31"]);
        assert_eq!(request.values_of(&TARGET), ["GB"]);
        assert_eq!(request.values_of(&SPONSOR), ["CN"]);
        assert_eq!(request.sort, Sort::Relevance);
        assert_eq!(request.limit, 10);
        let order: Vec<&str> = request.filters.iter().map(|(f, _)| f.name).collect();
        assert_eq!(order, ["actor", "sponsor", "target"], "table order");
    }

    #[test]
    fn errors_name_the_parameter_as_each_front_end_spells_it() {
        let bad = SearchParams::default().with_filter("actor", ["Fancy Bare"]);
        let error = resolve(&bad).unwrap_err();
        assert_eq!(error.param, "actor");
        assert!(
            error.for_flags().starts_with(
                "--actor \"Fancy Bare\" is not a known threat actor or alias; did you mean"
            ),
            "{}",
            error.for_flags()
        );
        assert!(
            error.to_string().starts_with("actor \"Fancy Bare\""),
            "{error}"
        );

        let bad = SearchParams {
            since: Some("2024-05-01".into()),
            until: Some("2024-01-01".into()),
            ..SearchParams::default()
        };
        let error = resolve(&bad).unwrap_err();
        assert_eq!(
            error.for_flags(),
            "--since 2024-05-01 is after --until 2024-01-01; swap them to get a range"
        );
        assert_eq!(
            error.to_string(),
            "since 2024-05-01 is after until 2024-01-01; swap them to get a range"
        );

        let bad = SearchParams::default().with_filter("cve", ["CVE-23-1"]);
        assert_eq!(
            resolve(&bad).unwrap_err().for_flags(),
            "--cve \"CVE-23-1\" is not a CVE identifier; write it as CVE-YYYY-NNNN, e.g. --cve CVE-2023-23397"
        );
        let bad = SearchParams {
            since: Some("2024-02-30".into()),
            ..SearchParams::default()
        };
        assert!(resolve(&bad)
            .unwrap_err()
            .to_string()
            .contains("YYYY-MM-DD"));
        let bad = SearchParams::default().with_filter("colour", ["red"]);
        assert!(resolve(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("colour is not a search parameter"));
        let bad = SearchParams {
            sort: Some("best".into()),
            ..SearchParams::default()
        };
        assert_eq!(
            resolve(&bad).unwrap_err().to_string(),
            "sort \"best\" is not an order; use one of relevance, newest, oldest"
        );
        let bad = SearchParams {
            limit: Some(MAX_LIMIT + 1),
            ..SearchParams::default()
        };
        assert_eq!(
            resolve(&bad).unwrap_err().for_flags(),
            "--limit 10001 is more than 10000, the most one search returns; page through the rest with --offset"
        );
    }

    #[test]
    fn query_string_pairs_and_json_give_the_same_parameters() {
        let pairs = SearchParams::from_pairs([
            ("q", "salt typhoon"),
            ("actor", "APT31"),
            ("actor", "APT28"),
            ("limit", "5"),
            ("facets", "true"),
        ])
        .unwrap();
        let json: SearchParams = serde_json::from_str(
            r#"{"q":"salt typhoon","actor":["APT31","APT28"],"limit":5,"facets":true}"#,
        )
        .unwrap();
        assert_eq!(pairs, json);
        let back: SearchParams =
            serde_json::from_str(&serde_json::to_string(&json).unwrap()).unwrap();
        assert_eq!(back, json);
        let misspelt: SearchParams = serde_json::from_str(r#"{"limt": 5, "q": "x"}"#).unwrap();
        assert!(
            resolve(&misspelt)
                .unwrap_err()
                .to_string()
                .starts_with("limt is not a search parameter"),
            "a misspelt parameter is named, whatever its value"
        );
        let error = SearchParams::from_pairs([("limit", "ten")]).unwrap_err();
        assert_eq!(error.to_string(), "limit \"ten\" is not a whole number");
    }

    #[test]
    fn blank_query_string_values_are_no_values() {
        let pairs = SearchParams::from_pairs([
            ("actor", ""),
            ("since", " "),
            ("limit", ""),
            ("actor", "APT31"),
            ("facets", ""),
        ])
        .unwrap();
        assert_eq!(pairs.filters["actor"], ["APT31"]);
        assert_eq!((pairs.since, pairs.limit), (None, None));
        assert!(pairs.facets, "a bare `facets` asks for them");
    }

    #[test]
    fn without_a_query_the_newest_come_first() {
        let request = resolve(&SearchParams {
            q: Some("   ".into()),
            ..SearchParams::default()
        })
        .unwrap();
        assert_eq!(request.query, None);
        assert_eq!(request.sort, Sort::Newest);
    }
}
