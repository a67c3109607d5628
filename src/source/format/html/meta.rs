//! What a page says about its article: title, publication date, URL and
//! site, from Open Graph and `article:` meta tags, JSON-LD, the canonical
//! link, `<time datetime>` and the comment browsers write atop a saved page.

use chrono::NaiveDate;
use dom_query::{Document, NodeRef};
use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::model::Warning;
use crate::source::format::dates::{parse_date, plausible};
use crate::source::format::EARLIEST_DATE;

/// The page's metadata, each field from the first source that has it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `og:title`.
    pub og_title: Option<String>,
    /// The JSON-LD article's `headline`.
    pub headline: Option<String>,
    /// The first plausible of `article:published_time`, JSON-LD
    /// `datePublished`, other date meta tags and `<time datetime>`.
    pub date: Option<NaiveDate>,
    /// `og:url`, the canonical link, JSON-LD `url` or `mainEntityOfPage`,
    /// or the `saved from url` comment.
    pub url: Option<String>,
    /// `og:site_name`, or the JSON-LD publisher's name.
    pub source: Option<String>,
}

/// Meta tags (by `name`, `property` or `itemprop`, lower case) read as a
/// publication date, after `article:published_time` and JSON-LD.
const OTHER_DATE_TAGS: &[&str] = &[
    "datepublished",
    "date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "publish-date",
    "pubdate",
];

/// Reads the metadata of `document`, whose source text is `html`; dates
/// that are not plausible are dropped with a warning.
pub fn read(
    document: &Document,
    html: &str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Metadata {
    let tags = meta_tags(document);
    let tag = |key: &str| tags.get(key).cloned();
    let linked = json_ld(document);

    let mut dates: Vec<DateCandidate> = Vec::new();
    let mut propose = |raw: Option<String>, from: String, guessed: bool| {
        if let Some(raw) = raw {
            dates.push(DateCandidate { raw, from, guessed });
        }
    };
    propose(
        tag("article:published_time"),
        "article:published_time".into(),
        false,
    );
    propose(
        linked.date_published.clone(),
        "JSON-LD datePublished".into(),
        false,
    );
    for key in OTHER_DATE_TAGS {
        propose(tag(key), format!("the {key} meta tag"), false);
    }
    let (marked, first) = time_elements(document);
    propose(
        marked,
        "<time datetime> marked as the publication date".into(),
        false,
    );
    propose(first, "the first <time datetime> of the page".into(), true);

    Metadata {
        og_title: tag("og:title"),
        headline: linked.headline,
        date: first_plausible(&dates, today, warnings),
        url: tag("og:url")
            .into_iter()
            .chain(canonical_links(document))
            .chain(linked.url)
            .chain(saved_from(html))
            .find(|url| is_web_address(url)),
        source: tag("og:site_name").or(linked.publisher),
    }
}

/// Every `<meta>` tag's content by its `property`, `name` or `itemprop`
/// (lower case); the first of a key wins.
fn meta_tags(document: &Document) -> FxHashMap<String, String> {
    let mut tags = FxHashMap::default();
    for node in document.select("meta[content]").nodes() {
        let Some(content) = node.attr("content").and_then(|c| clean(&c)) else {
            continue;
        };
        for key in ["property", "name", "itemprop"] {
            if let Some(key) = node.attr(key) {
                tags.entry(key.trim().to_lowercase())
                    .or_insert_with(|| content.clone());
            }
        }
    }
    tags
}

fn canonical_links(document: &Document) -> Vec<String> {
    document
        .select("link[rel][href]")
        .nodes()
        .iter()
        .filter(|link| {
            link.attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .filter_map(|link| clean(&link.attr("href")?))
        .collect()
}

/// The address in the `<!-- saved from url=(0042)https://… -->` comment
/// that browsers write atop a page they save.
fn saved_from(html: &str) -> Option<String> {
    let cut = (0..=html.len().min(2048))
        .rev()
        .find(|&i| html.is_char_boundary(i))
        .unwrap_or(0);
    let head = &html[..cut];
    let start = head.find("saved from url=(")? + "saved from url=(".len();
    let rest = &head[start..];
    let rest = &rest[rest.find(')')? + 1..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    clean(&rest[..end])
}

fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.contains(char::is_whitespace)
}

/// `<time datetime>` elements outside navigation, sidebars, footers and
/// comments: the first marked as the publication date (`itemprop`,
/// `pubdate` or a class saying "published"), and the first of all.
fn time_elements(document: &Document) -> (Option<String>, Option<String>) {
    let mut marked = None;
    let mut first = None;
    for time in document.select("time[datetime]").nodes().iter().take(200) {
        if in_page_furniture(time) {
            continue;
        }
        let Some(value) = time.attr("datetime").and_then(|v| clean(&v)) else {
            continue;
        };
        let is_marked = time
            .attr("itemprop")
            .is_some_and(|p| p.contains("datePublished"))
            || time.has_attr("pubdate")
            || time
                .attr("class")
                .is_some_and(|c| c.to_ascii_lowercase().contains("publish"));
        if is_marked && marked.is_none() {
            marked = Some(value.clone());
        }
        if first.is_none() {
            first = Some(value);
        }
        if marked.is_some() {
            break;
        }
    }
    (marked, first)
}

fn in_page_furniture(node: &NodeRef) -> bool {
    node.ancestors_it(None).any(|ancestor| {
        let name = ancestor.node_name();
        let name = name.as_deref().unwrap_or("");
        if matches!(name, "aside" | "nav" | "footer") {
            return true;
        }
        let label = format!(
            "{} {}",
            ancestor.attr("class").as_deref().unwrap_or(""),
            ancestor.attr("id").as_deref().unwrap_or("")
        )
        .to_ascii_lowercase();
        ["related", "sidebar", "comment", "widget"]
            .iter()
            .any(|word| label.contains(word))
    })
}

/// What the page's JSON-LD says about its article.
#[derive(Debug, Default)]
struct LinkedData {
    date_published: Option<String>,
    headline: Option<String>,
    url: Option<String>,
    publisher: Option<String>,
}

/// Reads the `application/ld+json` scripts: the first article-like object
/// (`Article`, `NewsArticle`, `BlogPosting`, `Report`…), else the first
/// object with a `datePublished`. Scripts that do not parse are passed over.
fn json_ld(document: &Document) -> LinkedData {
    let mut objects: Vec<Value> = Vec::new();
    for script in document.select("script[type]").nodes() {
        let is_json_ld = script.attr("type").is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("application/ld+json")
        });
        if !is_json_ld {
            continue;
        }
        let text = script.text();
        let text = text
            .trim()
            .trim_start_matches("<!--")
            .trim_start_matches("//<![CDATA[")
            .trim_end_matches("-->")
            .trim_end_matches("//]]>");
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            collect_objects(value, &mut objects);
        }
    }
    let by_id: FxHashMap<&str, &Value> = objects
        .iter()
        .filter_map(|o| Some((o.get("@id")?.as_str()?, o)))
        .collect();
    let Some(article) = objects
        .iter()
        .find(|o| is_article(o))
        .or_else(|| objects.iter().find(|o| o.get("datePublished").is_some()))
    else {
        return LinkedData::default();
    };
    let resolve = |value: &Value| -> Option<String> {
        match value {
            Value::String(s) => clean(s),
            Value::Object(_) => {
                let target = value
                    .get("@id")
                    .and_then(Value::as_str)
                    .and_then(|id| by_id.get(id).copied())
                    .unwrap_or(value);
                text_of(target.get("name")?)
            }
            Value::Array(values) => values.first().and_then(|v| text_of(v.get("name")?)),
            _ => None,
        }
    };
    let page_url = |value: &Value| -> Option<String> {
        match value {
            Value::String(s) => clean(s),
            Value::Object(_) => text_of(value.get("@id").or_else(|| value.get("url"))?),
            _ => None,
        }
    };
    LinkedData {
        date_published: article.get("datePublished").and_then(text_of),
        headline: article.get("headline").and_then(text_of),
        url: article
            .get("url")
            .and_then(text_of)
            .or_else(|| article.get("mainEntityOfPage").and_then(page_url)),
        publisher: article.get("publisher").and_then(resolve),
    }
}

/// The objects of a JSON-LD value: itself, or those of a list or of its
/// `@graph`, in order.
fn collect_objects(value: Value, objects: &mut Vec<Value>) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Array(items) => pending.extend(items.into_iter().rev()),
            Value::Object(mut map) => {
                if let Some(graph) = map.remove("@graph") {
                    pending.push(graph);
                }
                objects.push(Value::Object(map));
            }
            _ => {}
        }
    }
}

fn is_article(object: &Value) -> bool {
    let is_article_type = |t: &str| {
        t.ends_with("Article") || t.ends_with("Posting") || t == "Report" || t == "Article"
    };
    match object.get("@type") {
        Some(Value::String(t)) => is_article_type(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(is_article_type),
        _ => false,
    }
}

/// A JSON-LD value as text: a string, or the first string of a list.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => clean(s),
        Value::Array(values) => values.iter().find_map(text_of),
        _ => None,
    }
}

/// `text` on one line with single spaces, or nothing when it is blank.
pub fn clean(text: &str) -> Option<String> {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

struct DateCandidate {
    raw: String,
    from: String,
    guessed: bool,
}

/// The first candidate that is a plausible date; the others before it are
/// dropped with a warning each (once per distinct value).
fn first_plausible(
    candidates: &[DateCandidate],
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    let mut rejected: Vec<&str> = Vec::new();
    for candidate in candidates {
        if rejected.contains(&candidate.raw.as_str()) {
            continue;
        }
        let DateCandidate { raw, from, guessed } = candidate;
        match parse_date(raw) {
            Some(date) if date < EARLIEST_DATE => warnings.push(Warning(format!(
                "date {date} ({from}) is before {EARLIEST_DATE}; ignored"
            ))),
            Some(date) if !plausible(date, today) => warnings.push(Warning(format!(
                "date {date} ({from}) is in the future; ignored"
            ))),
            Some(date) => {
                if *guessed {
                    warnings.push(Warning(format!(
                        "date {date} guessed from {from}: the page's metadata gives none"
                    )));
                }
                return Some(date);
            }
            None => warnings.push(Warning(format!(
                "{raw:?} ({from}) is not a date (RFC 3339, RFC 2822 or YYYY-MM-DD); ignored"
            ))),
        }
        rejected.push(raw);
    }
    if candidates.is_empty() {
        warnings.push(Warning(
            "no publication date in the page (article:published_time, JSON-LD \
             datePublished or <time datetime>); indexed without a date"
                .to_string(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn read_page(html: &str) -> (Metadata, Vec<String>) {
        let mut warnings = Vec::new();
        let metadata = read(&Document::from(html), html, today(), &mut warnings);
        (metadata, warnings.into_iter().map(|w| w.0).collect())
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn dates_are_read_in_the_forms_pages_write() {
        assert_eq!(parse_date("2025-04-15T23:30:00-05:00"), day(2025, 4, 15));
        assert_eq!(parse_date("2025-04-15T09:30:00.000Z"), day(2025, 4, 15));
        assert_eq!(parse_date(" 2025-04-15 "), day(2025, 4, 15));
        assert_eq!(parse_date("2025-04-15 09:30"), day(2025, 4, 15));
        assert_eq!(parse_date("2025/04/15"), day(2025, 4, 15));
        assert_eq!(
            parse_date("Tue, 15 Apr 2025 09:30:00 +0200"),
            day(2025, 4, 15)
        );
        for bad in ["2025-02-30", "yesterday", "2025-04", "", "2025-04-15x"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn open_graph_and_article_tags_come_first() {
        let (metadata, warnings) = read_page(
            r#"<html><head>
            <meta property="og:title" content=" Sandworm
                strikes again ">
            <meta property="og:site_name" content="Kyiv Ledger">
            <meta property="og:url" content="https://ledger.example/sandworm">
            <link rel="canonical" href="https://ledger.example/other">
            <meta property="article:published_time" content="2024-02-06T07:15:00+02:00">
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-01-01"}</script>
            </head><body><time datetime="2022-01-01">x</time></body></html>"#,
        );
        assert_eq!(
            metadata,
            Metadata {
                og_title: Some("Sandworm strikes again".into()),
                headline: None,
                date: day(2024, 2, 6),
                url: Some("https://ledger.example/sandworm".into()),
                source: Some("Kyiv Ledger".into()),
            }
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn json_ld_fills_in_with_references_resolved() {
        let (metadata, warnings) = read_page(
            r##"<html><head><link rel="Canonical" href="/relative">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"Organization","@id":"#org","name":"Northgate Wire"},
              {"@type":"WebPage","@id":"https://wire.example/a","datePublished":"2020-01-01"},
              {"@type":["NewsArticle"],"headline":"APT31 targets MPs","datePublished":"2024-03-25T10:00:00Z",
               "publisher":{"@id":"#org"},"mainEntityOfPage":{"@id":"https://wire.example/a"}}]}</script>
            <script type="application/ld+json">{not json</script>
            </head><body></body></html>"##,
        );
        assert_eq!(metadata.headline.as_deref(), Some("APT31 targets MPs"));
        assert_eq!(metadata.date, day(2024, 3, 25));
        assert_eq!(metadata.url.as_deref(), Some("https://wire.example/a"));
        assert_eq!(metadata.source.as_deref(), Some("Northgate Wire"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn time_elements_outside_the_sidebar_are_read_and_an_unmarked_one_is_a_guess() {
        let page = r#"<!-- saved from url=(0030)https://blog.example/kimsuky -->
            <html><body><aside><time datetime="2023-01-09">related</time></aside>
            <article><p>Posted <time datetime="2023-06-02">2 June</time></p></article></body></html>"#;
        let (metadata, warnings) = read_page(page);
        assert_eq!(metadata.date, day(2023, 6, 2));
        assert_eq!(
            metadata.url.as_deref(),
            Some("https://blog.example/kimsuky")
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("guessed from the first <time datetime>"));
        let (metadata, warnings) = read_page(
            r#"<article><time datetime="2023-01-01">1 Jan</time>
            <time class="entry-date published" datetime="2023-06-02">x</time></article>"#,
        );
        assert_eq!(metadata.date, day(2023, 6, 2));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn implausible_dates_are_dropped_for_the_next_plausible_one() {
        let (metadata, warnings) = read_page(
            r#"<meta property="article:published_time" content="2099-01-01T00:00:00Z">
            <meta name="date" content="2099-01-01T00:00:00Z">
            <script type="application/ld+json">{"@type":"Article","datePublished":"1875-05-01"}</script>
            <meta itemprop="datePublished" content="soon">
            <meta name="dc.date" content="2021-03-18">"#,
        );
        assert_eq!(metadata.date, day(2021, 3, 18));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("2099-01-01 (article:published_time) is in the future"));
        assert!(warnings[1].contains("1875-05-01 (JSON-LD datePublished) is before 1900-01-01"));
        assert!(warnings[2].contains("\"soon\""));
        let (metadata, warnings) = read_page("<p>No dates at all.</p>");
        assert_eq!(metadata.date, None);
        assert!(warnings[0].starts_with("no publication date in the page"));
    }

    #[test]
    fn only_web_addresses_are_urls() {
        let (metadata, _) = read_page(
            r#"<meta property="og:url" content="/path"><link rel="canonical" href="javascript:x">
            <link rel="alternate canonical" href="HTTPS://site.example/a">"#,
        );
        assert_eq!(metadata.url.as_deref(), Some("HTTPS://site.example/a"));
    }
}
