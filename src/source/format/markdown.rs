//! Markdown notes (`.md`, `.markdown`): an analyst's Obsidian or Hugo note,
//! one article a file.
//!
//! **Front matter.** A first line `---` opens YAML front matter, closed by
//! `---` or `...`; a first line `+++` opens Hugo's TOML front matter,
//! closed by `+++`. Keys are read case-insensitively (`Title:`), and every
//! value as the text written, never as a YAML boolean or number (`country:
//! NO` is Norway; `version: 1.10` stays `1.10`). A value may be one string
//! or a list; a string given for a list field is split at commas. Fields
//! under Hugo's `params` count as top-level ones.
//!
//! | key | becomes |
//! |---|---|
//! | `title` | the title |
//! | `date` (else `published`, `publishDate`, `pubDate`, `created`) | the date ([`dates::parse_date`]) |
//! | `source` (else `publisher`) | the source |
//! | `url` (else `link`, `source_url`, `canonical_url`) | the url |
//! | `actors`, `countries` (target countries), and any facet's key (`sponsors`, `targets`, `cves`, `techniques`, `malware`, or its singular) | declared facets, from `"front matter"` |
//! | `tags` (and `keywords`, `categories`) | searchable text: a last `Tags:` line of the body |
//!
//! Tags stay text rather than facets: a tag (`apt29`, `phishing`,
//! `ir/2024`) is a word of the note's vocabulary, not a statement of which
//! group did what, and as text a tag that names an actor is still found by
//! the extractor, with its usual case and context rules, while a tag that
//! names nothing is still found by a search.
//!
//! Front matter that does not parse is a warning: its fields are ignored,
//! and the note's text is indexed all the same.
//!
//! YAML is read with saphyr-parser, the maintained YAML 1.2 parser of the
//! yaml-rust2 line (serde_yaml is deprecated, serde_yml has an advisory,
//! RUSTSEC-2025-0068): its events give each scalar as written, so nothing
//! is resolved behind the reader's back. TOML is read with the toml crate.
//!
//! **Body.** Parsed with pulldown-cmark (CommonMark, plus tables,
//! footnotes, strikethrough, task lists, GitHub alerts and Obsidian
//! wikilinks); the text keeps the words and drops the syntax. Headings,
//! paragraphs, list items and table rows are lines (a table's cells are
//! separated by `; `), code blocks are kept as text, a link keeps its
//! words and its target goes to the article's `links`; a bare autolink
//! (`<https://…>`) and a link whose words are its URL leave no text. HTML
//! tags are dropped, their text kept.
//!
//! **Title:** the front matter's `title`, else the first `# heading`, else
//! the first sentence of the first paragraph. **Date:** the front matter's,
//! else one written near the top of the text ([`dates::guess_date`]), with a
//! warning that says it was guessed.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use saphyr_parser::{Event as YamlEvent, ScalarStyle};

use super::markup::html_to_text;
use super::text::{after_dateline, shorten_title, title_of};
use super::{dates, decode_lines, refuse_misnamed, Emit, Input, Reader, MAX_ARTICLE_BYTES};
use crate::model::facet::{Filter, ACTOR, TARGET};
use crate::model::{Article, Facet, Warning};
use crate::source::SkipReason;

/// Where declared facets say they come from.
pub const FROM_FRONT_MATTER: &str = "front matter";

/// How deeply front matter may nest lists and maps before it is refused.
const MAX_DEPTH: usize = 32;

/// How many values front matter may hold, aliases expanded, before it is
/// refused: a few nested aliases can otherwise stand for billions.
const MAX_VALUES: usize = 100_000;

/// The Markdown reader.
pub struct Markdown;

impl Reader for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["md", "markdown"]
    }

    fn version(&self) -> u32 {
        1
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let bytes = input.read_all(MAX_ARTICLE_BYTES)?;
        refuse_misnamed(&bytes, input.path, "Markdown")?;
        emit(Ok(parse_note(&bytes, input.today)?));
        Ok(())
    }
}

/// Reads a Markdown note: its front matter, then its text.
pub fn parse_note(bytes: &[u8], today: NaiveDate) -> Result<Article, SkipReason> {
    let (text, mut warnings) = decode_lines(bytes)?;
    let (front, markdown) = split_front_matter(&text);
    // Why a note without a date has none, should it have none.
    let (fields, missing_date) = match front {
        FrontMatter::None => (None, "no front matter `date`"),
        FrontMatter::Unclosed(delimiter) => {
            warnings.push(Warning(format!(
                "the front matter opened by `{delimiter}` on the first line is never closed; \
                 the whole file is read as text"
            )));
            (None, "no front matter `date`")
        }
        FrontMatter::Yaml(source) => fields_or_warn(parse_yaml(source), "YAML", &mut warnings),
        FrontMatter::Toml(source) => fields_or_warn(parse_toml(source), "TOML", &mut warnings),
    };
    let fields = fields.unwrap_or_default();
    let rendered = render(markdown);
    let mut body = rendered.text;
    let tags = list_field(&fields, &["tags", "tag", "keywords", "categories"]);
    if !tags.is_empty() {
        let tags: Vec<&str> = tags.iter().map(|t| t.trim_start_matches('#')).collect();
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str("Tags: ");
        body.push_str(&tags.join(", "));
    }
    if body.trim().is_empty() {
        return Err(match front {
            FrontMatter::Yaml(_) | FrontMatter::Toml(_) => {
                SkipReason::Unusable("empty note: no text after the front matter".to_string())
            }
            _ => SkipReason::Empty,
        });
    }

    let mut article = Article {
        body,
        links: rendered.links,
        ..Article::default()
    };
    article.title = match single_field(&fields, &["title"], &mut warnings) {
        Some(title) => shorten_title(&title),
        None => rendered
            .first_h1
            .or(rendered.first_paragraph)
            .map(|t| title_of(&t))
            .unwrap_or_else(|| title_of(after_dateline(&article.body))),
    };
    article.source = single_field(&fields, &["source", "publisher"], &mut warnings);
    article.url = single_field(
        &fields,
        &["url", "link", "source_url", "canonical_url", "canonicalurl"],
        &mut warnings,
    );
    article.date = date_of(&fields, missing_date, &article.body, today, &mut warnings);
    for (key, value) in &fields {
        let Some(facet) = declared_facet(key) else {
            continue;
        };
        for item in value.items() {
            let item = clean_name(&item);
            if !item.is_empty() {
                article.declare(facet, item, FROM_FRONT_MATTER);
            }
        }
    }
    article.warnings = warnings;
    Ok(article)
}

/// The note's date: the front matter's, else one guessed from `body`;
/// `missing` says why a note without one has none.
fn date_of(
    fields: &Fields,
    missing: &str,
    body: &str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    const KEYS: &[&str] = &["date", "published", "publishdate", "pubdate", "created"];
    let declared = KEYS
        .iter()
        .find_map(|key| field(fields, key).map(|value| (*key, value)));
    let problem = match declared {
        Some((key, value)) => {
            let Some(written) = value.first() else {
                return guessed(
                    &format!("the front matter's `{key}` is not a date"),
                    body,
                    today,
                    warnings,
                );
            };
            match dates::parse_date(&written) {
                Some(date) if dates::plausible(date, today) => return Some(date),
                Some(date) if date > today => {
                    format!("the front matter's date {date} is in the future")
                }
                Some(date) => format!("the front matter's date {date} is implausibly old"),
                None => format!("the front matter's `{key}` {written:?} is not a date"),
            }
        }
        None => missing.to_string(),
    };
    guessed(&problem, body, today, warnings)
}

/// The date written near the top of `body`, with a warning that starts
/// with `problem` and says what became of the date.
fn guessed(
    problem: &str,
    body: &str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    let date = dates::guess_date(body, today);
    warnings.push(Warning(match date {
        Some(date) => format!("{problem}; date {date} guessed from the text"),
        None => format!("{problem}; indexed without a date"),
    }));
    date
}

/// The facet a front-matter key declares, if any: `countries` (target
/// countries), `actors`, and every facet by its document key (`targets`),
/// name (`target`) or filter parameter (`country`).
fn declared_facet(key: &str) -> Option<&'static Facet> {
    let key = key.replace(['-', ' '], "_");
    let facet = match key.as_str() {
        "countries" | "target_countries" => Some(&TARGET),
        "threat_actors" | "threat_actor" | "groups" => Some(&ACTOR),
        key => Facet::by_hit_key(key)
            .or_else(|| Facet::named(key))
            .or_else(|| Facet::by_param(key)),
    }?;
    (facet.on_documents() && matches!(facet.filter, Filter::Values { .. })).then_some(facet)
}

/// A name as a note writes it, without the quoting an Obsidian note may
/// add: `[[APT29|Cozy Bear]]` is APT29, `#apt29` is apt29.
fn clean_name(value: &str) -> String {
    let value = value.trim().trim_matches(['"', '\'']);
    let value = match value.strip_prefix("[[").and_then(|v| v.strip_suffix("]]")) {
        Some(inner) => inner.split('|').next().unwrap_or(inner),
        None => value,
    };
    value.trim().trim_start_matches('#').trim().to_string()
}

// ---------------------------------------------------------------------------
// Front matter.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrontMatter<'t> {
    None,
    Unclosed(&'static str),
    Yaml(&'t str),
    Toml(&'t str),
}

/// The front matter and the Markdown after it.
fn split_front_matter(text: &str) -> (FrontMatter<'_>, &str) {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end();
    let (closers, delimiter): (&[&str], &'static str) = match first {
        "---" => (&["---", "..."], "---"),
        "+++" => (&["+++"], "+++"),
        _ => return (FrontMatter::None, text),
    };
    let content_start = (first_end + 1).min(text.len());
    let mut at = content_start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if closers.contains(&text[at..end].trim_end()) {
            let source = &text[content_start..at];
            let rest = &text[(end + 1).min(text.len())..];
            let front = if delimiter == "+++" {
                FrontMatter::Toml(source)
            } else {
                FrontMatter::Yaml(source)
            };
            return (front, rest);
        }
        at = end + 1;
    }
    (FrontMatter::Unclosed(delimiter), text)
}

/// A front-matter value, as text.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Text(String),
    List(Vec<Value>),
    Map(Fields),
}

impl Value {
    /// The texts it holds: itself, a list's scalars, a string split at
    /// commas and semicolons.
    fn items(&self) -> Vec<String> {
        match self {
            Value::Null | Value::Map(_) => Vec::new(),
            Value::Text(text) => text
                .split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            Value::List(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Text(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Its text, or a list's first text.
    fn first(&self) -> Option<String> {
        match self {
            Value::Text(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
            Value::List(items) => items.iter().find_map(Value::first),
            Value::Null | Value::Map(_) => None,
        }
    }
}

/// Front-matter fields, keys lower-cased, in the order written (the first
/// of a repeated key wins), with those under `params` after the others.
type Fields = Vec<(String, Value)>;

fn field<'f>(fields: &'f Fields, key: &str) -> Option<&'f Value> {
    fields
        .iter()
        .find(|(k, v)| k == key && *v != Value::Null)
        .map(|(_, v)| v)
}

/// The first of `keys` that is set, as one text; a list gives its first
/// item, with a warning.
fn single_field(fields: &Fields, keys: &[&str], warnings: &mut Vec<Warning>) -> Option<String> {
    let (key, value) = keys
        .iter()
        .find_map(|key| field(fields, key).map(|v| (key, v)))?;
    if let Value::List(items) = value {
        if items.len() > 1 {
            warnings.push(Warning(format!(
                "the front matter's `{key}` is a list; its first item is used"
            )));
        }
    }
    value.first()
}

/// Every item of every one of `keys` that is set.
fn list_field(fields: &Fields, keys: &[&str]) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for (key, value) in fields {
        if keys.contains(&key.as_str()) {
            for item in value.items() {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
        }
    }
    items
}

/// The fields of parsed front matter, or a warning naming the problem;
/// with why a note without a date has none.
fn fields_or_warn(
    parsed: Result<Value, String>,
    language: &str,
    warnings: &mut Vec<Warning>,
) -> (Option<Fields>, &'static str) {
    let problem = match parsed {
        Ok(Value::Map(fields)) => {
            return (
                Some(flatten_params(fields)),
                "no `date` in the front matter",
            )
        }
        Ok(Value::Null) => return (None, "no `date` in the front matter"),
        Ok(_) => "is not a set of `key: value` fields".to_string(),
        Err(error) => format!("is not valid {language} ({error})"),
    };
    warnings.push(Warning(format!(
        "the front matter {problem}; its fields are ignored and the text is indexed"
    )));
    (None, "no date read from the front matter")
}

/// Top-level fields, then those of a `params` map (Hugo's custom fields).
fn flatten_params(fields: Fields) -> Fields {
    let mut flat = Vec::with_capacity(fields.len());
    let mut params = Vec::new();
    for (key, value) in fields {
        match value {
            Value::Map(inner) if key == "params" => params.extend(inner),
            value => flat.push((key, value)),
        }
    }
    flat.extend(params);
    flat
}

/// Parses YAML front matter into values that are all text: no scalar is
/// resolved to a boolean, number or timestamp. Anchors and aliases are
/// followed. An error names its line in the file (the front matter starts
/// on the second).
fn parse_yaml(source: &str) -> Result<Value, String> {
    let mut parser = saphyr_parser::Parser::new_from_str(source);
    let mut reader = YamlReader {
        next: &mut || match parser.next_event() {
            None => Ok(None),
            Some(Ok((event, _))) => Ok(Some(event)),
            Some(Err(error)) => Err(format!(
                "line {}: {}",
                error.marker().line() + 1,
                error.info()
            )),
        },
        anchors: HashMap::new(),
        values: 0,
    };
    let mut value = Value::Null;
    let mut documents = 0;
    while let Some(event) = (reader.next)()? {
        match event {
            YamlEvent::StreamStart | YamlEvent::DocumentEnd | YamlEvent::Nothing => {}
            YamlEvent::StreamEnd => break,
            YamlEvent::DocumentStart(_) => documents += 1,
            event if documents <= 1 => value = reader.node(event, 0)?,
            _ => {}
        }
    }
    Ok(value)
}

struct YamlReader<'p, 'i> {
    next: &'p mut dyn FnMut() -> Result<Option<YamlEvent<'i>>, String>,
    /// Each anchored value, with how many values it holds.
    anchors: HashMap<usize, (Value, usize)>,
    /// Values read so far, aliases expanded.
    values: usize,
}

impl<'i> YamlReader<'_, 'i> {
    fn event(&mut self) -> Result<YamlEvent<'i>, String> {
        (self.next)()?.ok_or_else(|| "unexpected end".to_string())
    }

    fn node(&mut self, event: YamlEvent<'i>, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        let before = self.values;
        self.count(1)?;
        let (value, anchor) = match event {
            YamlEvent::Scalar(text, style, anchor, _) => {
                let null = style == ScalarStyle::Plain
                    && matches!(&*text, "" | "~" | "null" | "Null" | "NULL");
                let value = if null {
                    Value::Null
                } else {
                    Value::Text(text.into_owned())
                };
                (value, anchor)
            }
            YamlEvent::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.event()? {
                        YamlEvent::SequenceEnd => break,
                        event => items.push(self.node(event, depth + 1)?),
                    }
                }
                (Value::List(items), anchor)
            }
            YamlEvent::MappingStart(anchor, _) => {
                let mut fields: Fields = Vec::new();
                loop {
                    let key = match self.event()? {
                        YamlEvent::MappingEnd => break,
                        event => self.node(event, depth + 1)?,
                    };
                    let value = self.event()?;
                    let value = self.node(value, depth + 1)?;
                    if let Value::Text(key) = key {
                        let key = key.trim().to_lowercase();
                        if !fields.iter().any(|(k, _)| *k == key) {
                            fields.push((key, value));
                        }
                    }
                }
                (Value::Map(fields), anchor)
            }
            YamlEvent::Alias(anchor) => {
                let Some((value, size)) = self.anchors.get(&anchor) else {
                    return Ok(Value::Null);
                };
                let (value, size) = (value.clone(), *size);
                self.count(size)?;
                return Ok(value);
            }
            other => return Err(format!("unexpected {other:?}")),
        };
        if anchor != 0 {
            let size = self.values - before;
            self.anchors.insert(anchor, (value.clone(), size));
        }
        Ok(value)
    }

    /// Counts `n` more values, refusing more than [`MAX_VALUES`].
    fn count(&mut self, n: usize) -> Result<(), String> {
        self.values = self.values.saturating_add(n);
        if self.values > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} values, aliases expanded"));
        }
        Ok(())
    }
}

/// Parses Hugo's TOML front matter into text values (a date as written).
fn parse_toml(source: &str) -> Result<Value, String> {
    let table = toml::Table::from_str(source).map_err(|error| {
        let message = error.message().trim().to_string();
        match error.span() {
            Some(span) => {
                let line = source[..span.start.min(source.len())].matches('\n').count() + 2;
                format!("line {line}: {message}")
            }
            None => message,
        }
    })?;
    fn value(v: &toml::Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        match v {
            toml::Value::String(s) => Value::Text(s.clone()),
            toml::Value::Integer(n) => Value::Text(n.to_string()),
            toml::Value::Float(n) => Value::Text(n.to_string()),
            toml::Value::Boolean(b) => Value::Text(b.to_string()),
            toml::Value::Datetime(d) => Value::Text(d.to_string()),
            toml::Value::Array(items) => {
                Value::List(items.iter().map(|i| value(i, depth + 1)).collect())
            }
            toml::Value::Table(table) => Value::Map(
                table
                    .iter()
                    .map(|(k, v)| (k.to_lowercase(), value(v, depth + 1)))
                    .collect(),
            ),
        }
    }
    Ok(value(&toml::Value::Table(table), 0))
}

// ---------------------------------------------------------------------------
// Body.

/// A note's text with the Markdown syntax removed.
#[derive(Debug, Default)]
struct Rendered {
    text: String,
    first_h1: Option<String>,
    first_paragraph: Option<String>,
    links: Vec<String>,
}

/// What an open link or image does with the text inside it.
struct OpenLink {
    /// Where its text starts in the output.
    start: usize,
    /// Its target, if it is collected.
    target: Option<String>,
    /// Whether its text is dropped (an autolink's URL, an embed's file name).
    drop_text: bool,
}

/// The text of a note's Markdown, its first `#` heading and first
/// paragraph, and its links' targets.
fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS;
    let mut out = Rendered::default();
    let mut text = String::with_capacity(markdown.len());
    let mut block_starts: Vec<usize> = Vec::new();
    let mut links: Vec<OpenLink> = Vec::new();
    let mut in_code_block = false;
    let mut html_block: Option<String> = None;
    // Whether the last thing seen was a link whose text was dropped.
    let mut dropped = false;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::Heading { .. } => {
                    new_line(&mut text);
                    block_starts.push(text.len());
                }
                Tag::CodeBlock(_) => {
                    end_block(&mut text);
                    in_code_block = true;
                }
                Tag::Item | Tag::TableHead | Tag::TableRow => new_line(&mut text),
                Tag::TableCell if !text.is_empty() && !text.ends_with('\n') => {
                    trim_end_inline(&mut text);
                    text.push_str("; ");
                }
                Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList => end_block(&mut text),
                Tag::HtmlBlock => {
                    end_block(&mut text);
                    html_block = Some(String::new());
                }
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    let autolink = matches!(link_type, LinkType::Autolink | LinkType::Email);
                    let target = match link_type {
                        LinkType::WikiLink { .. } => None,
                        LinkType::Email if !dest_url.starts_with("mailto:") => {
                            Some(format!("mailto:{dest_url}"))
                        }
                        _ if dest_url.is_empty() || dest_url.starts_with('#') => None,
                        _ => Some(dest_url.to_string()),
                    };
                    links.push(OpenLink {
                        start: text.len(),
                        target,
                        drop_text: autolink,
                    });
                }
                Tag::Image { link_type, .. } => links.push(OpenLink {
                    start: text.len(),
                    target: None,
                    drop_text: matches!(link_type, LinkType::WikiLink { .. }),
                }),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => {
                    if let Some(start) = block_starts.pop() {
                        let paragraph = text[start..].trim();
                        if out.first_paragraph.is_none()
                            && !paragraph.is_empty()
                            && !dates::is_dateline(paragraph)
                        {
                            out.first_paragraph = Some(paragraph.to_string());
                        }
                    }
                    end_block(&mut text);
                }
                TagEnd::Heading(level) => {
                    if let Some(start) = block_starts.pop() {
                        let heading = text[start..].trim();
                        if level == HeadingLevel::H1
                            && out.first_h1.is_none()
                            && !heading.is_empty()
                        {
                            out.first_h1 = Some(heading.to_string());
                        }
                    }
                    end_block(&mut text);
                }
                TagEnd::CodeBlock => {
                    in_code_block = false;
                    end_block(&mut text);
                }
                TagEnd::TableHead | TagEnd::TableRow | TagEnd::Item => new_line(&mut text),
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList => end_block(&mut text),
                TagEnd::HtmlBlock => {
                    // A block comes a line an event: read it whole, so a
                    // script or comment spanning lines is dropped whole.
                    if let Some(html) = html_block.take() {
                        text.push_str(&html_to_text(&html));
                    }
                    end_block(&mut text);
                }
                TagEnd::Link | TagEnd::Image => {
                    if let Some(link) = links.pop() {
                        let words = text[link.start..].trim();
                        if link.drop_text || looks_like_url(words) {
                            text.truncate(link.start);
                            dropped = true;
                        }
                        if let Some(target) = link.target {
                            if !out.links.contains(&target) {
                                out.links.push(target);
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if in_code_block {
                    text.push_str(&t);
                } else {
                    push_words(&mut text, &t, dropped);
                }
                dropped = false;
            }
            Event::Html(html) => {
                if in_code_block {
                    text.push_str(&html);
                } else if let Some(block) = html_block.as_mut() {
                    block.push_str(&html);
                } else {
                    text.push_str(&html_to_text(&html));
                }
            }
            Event::InlineHtml(html) => {
                if html
                    .trim_start_matches('<')
                    .to_ascii_lowercase()
                    .starts_with("br")
                {
                    text.push('\n');
                }
            }
            Event::SoftBreak => {
                push_words(&mut text, " ", dropped);
                dropped = false;
            }
            Event::HardBreak => text.push('\n'),
            Event::Rule => end_block(&mut text),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }
    out.text = text.trim().to_string();
    out
}

/// Ends the current line, unless the text is empty or already at a line start.
fn new_line(text: &mut String) {
    trim_end_inline(text);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// Ends the current block with a blank line.
fn end_block(text: &mut String) {
    text.truncate(text.trim_end().len());
    if !text.is_empty() {
        text.push_str("\n\n");
    }
}

/// Appends inline text. Where a link's text was just dropped, the space
/// it leaves is not doubled, nor left before punctuation (`see <url>.`
/// is `see.`).
fn push_words(text: &mut String, words: &str, after_dropped: bool) {
    let punctuation = words.starts_with([' ', '.', ',', ';', ':', '!', '?', ')']);
    if after_dropped && punctuation && text.ends_with(' ') {
        text.pop();
    }
    text.push_str(words);
}

fn trim_end_inline(text: &mut String) {
    let kept = text.trim_end_matches([' ', '\t']).len();
    text.truncate(kept);
}

/// Whether a link's words are its address (`https://…`, `www.…`).
fn looks_like_url(words: &str) -> bool {
    !words.contains(char::is_whitespace)
        && (words.starts_with("http://")
            || words.starts_with("https://")
            || words.starts_with("www.")
            || words.starts_with("mailto:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{CVE, MALWARE, SPONSOR};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn note(text: &str) -> Article {
        parse_note(text.as_bytes(), today()).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn yaml_front_matter_gives_title_date_source_url_and_declared_facets() {
        let a = note(
            "---\n\
             Title: \"Midnight Blizzard: password spraying\"\n\
             date: 2024-01-19T10:00:00Z\n\
             source: MSRC\n\
             URL: https://msrc.microsoft.com/blog/2024/01/\n\
             actors: [Midnight Blizzard, \"[[APT29|Cozy Bear]]\"]\n\
             countries:\n  - US\n  - NO\n\
             malware: FOGGYWEB\n\
             tags: [apt29, '#password-spray']\n\
             ---\n\
             # Heading that is not the title\n\nBody text.\n",
        );
        assert_eq!(a.title, "Midnight Blizzard: password spraying");
        assert_eq!(a.date, d(2024, 1, 19));
        assert_eq!(a.source.as_deref(), Some("MSRC"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://msrc.microsoft.com/blog/2024/01/")
        );
        assert_eq!(a.declared.values(&ACTOR), ["Midnight Blizzard", "APT29"]);
        assert_eq!(
            a.declared.values(&TARGET),
            ["US", "NO"],
            "NO is Norway, not false"
        );
        assert_eq!(a.declared.values(&MALWARE), ["FOGGYWEB"]);
        assert!(a.declared.iter().all(|(_, d)| d.from == "front matter"));
        assert!(a
            .body
            .starts_with("Heading that is not the title\n\nBody text."));
        assert!(
            a.body.ends_with("\n\nTags: apt29, password-spray"),
            "{}",
            a.body
        );
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn single_strings_stand_for_lists_and_values_stay_text() {
        let a = note(
            "---\ntitle: Volt Typhoon\ndate: 2024-02-07\nactors: Volt Typhoon\n\
             country: NO\nsponsor: China\ncves: CVE-2023-46805, cve-2024-21887\nversion: 1.10\n\
             done: yes\n---\nText.",
        );
        assert_eq!(a.declared.values(&ACTOR), ["Volt Typhoon"]);
        assert_eq!(a.declared.values(&TARGET), ["NO"]);
        assert_eq!(a.declared.values(&SPONSOR), ["China"]);
        assert_eq!(
            a.declared.values(&CVE),
            ["CVE-2023-46805", "cve-2024-21887"]
        );
        let Value::Map(fields) = parse_yaml("version: 1.10\nflag: off\nn: 007\n").unwrap() else {
            panic!("a map");
        };
        assert_eq!(fields[0].1, Value::Text("1.10".into()));
        assert_eq!(fields[1].1, Value::Text("off".into()));
        assert_eq!(fields[2].1, Value::Text("007".into()));
    }

    #[test]
    fn every_common_date_form_is_read() {
        for date in [
            "2024-03-28",
            "2024-03-28T10:00:00Z",
            "2024-03-28 10:00",
            "'2024-03-28 10:00:00 +01:00'",
            "2024-03-28t10:00:00.5-05:00",
            "Thu, 28 Mar 2024 10:00:00 +0000",
            "March 28, 2024",
        ] {
            let a = note(&format!("---\ndate: {date}\n---\nText."));
            assert_eq!(a.date, d(2024, 3, 28), "{date}");
            assert!(a.warnings.is_empty(), "{date}: {:?}", a.warnings);
        }
        let a = note("---\npublishDate: 2024-03-28\n---\nText.");
        assert_eq!(a.date, d(2024, 3, 28));
    }

    #[test]
    fn a_bad_or_missing_date_is_guessed_from_the_text_with_a_warning() {
        let a = note("---\ndate: someday\n---\nPublished 17 June 2016. Text.");
        assert_eq!(a.date, d(2016, 6, 17));
        assert_eq!(
            a.warnings[0].0,
            "the front matter's `date` \"someday\" is not a date; date 2016-06-17 guessed from the text"
        );
        let a = note("---\ndate: 2099-01-01\n---\nText.");
        assert_eq!(a.date, None);
        assert!(a.warnings[0]
            .0
            .contains("in the future; indexed without a date"));
        let a = note("---\ntitle: T\n---\nText of 2016-06-17.");
        assert_eq!(a.date, d(2016, 6, 17));
        assert!(a.warnings[0]
            .0
            .starts_with("no `date` in the front matter;"));
        let a = note("# Title\n\nJun 17, 2016\n\nText.");
        assert_eq!(a.date, d(2016, 6, 17));
        assert_eq!(a.title, "Title");
        assert_eq!(
            a.warnings[0].0,
            "no front matter `date`; date 2016-06-17 guessed from the text"
        );
    }

    #[test]
    fn broken_front_matter_is_a_warning_and_the_text_is_indexed() {
        let a = note(
            "---\ntitle: APT29: the sequel\ndate: 2024-03-28\n---\n# Real heading\n\nAPT29 phished diplomats in 2024-03-28.",
        );
        assert_eq!(a.title, "Real heading");
        assert!(a.declared.is_empty());
        assert_eq!(a.date, d(2024, 3, 28), "guessed from the text");
        assert!(
            a.warnings[0]
                .0
                .starts_with("the front matter is not valid YAML (line 2: "),
            "{:?}",
            a.warnings
        );
        assert!(a.warnings[0]
            .0
            .ends_with("its fields are ignored and the text is indexed"));
        assert!(a.body.contains("APT29 phished diplomats"));
        assert!(a.warnings[1]
            .0
            .starts_with("no date read from the front matter; date 2024-03-28"));

        let a = note("---\n- just\n- a list\n---\nText.");
        assert!(a.warnings[0]
            .0
            .contains("is not a set of `key: value` fields"));

        let a = note("---\ntitle: never closed\n\nText about APT28.");
        assert!(a.warnings[0].0.contains("never closed"));
        assert!(a.body.contains("Text about APT28."));

        let deep = format!("---\nx: {}{}\n---\nText.", "[".repeat(100), "]".repeat(100));
        let a = note(&deep);
        assert!(
            a.warnings[0].0.contains("not valid YAML"),
            "{:?}",
            a.warnings
        );

        // Aliases that would expand to 10^10 values.
        let mut bomb = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let items = vec![format!("*a{}", level - 1); 10].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        bomb.push_str("title: Bomb\n---\nText.");
        let a = note(&bomb);
        assert!(
            a.warnings[0]
                .0
                .contains("more than 100000 values, aliases expanded"),
            "{:?}",
            a.warnings
        );
        // An alias within bounds is followed.
        let a = note("---\nbase: &who [APT28]\nactors: *who\n---\nText.");
        assert_eq!(a.declared.values(&ACTOR), ["APT28"]);
    }

    #[test]
    fn hugo_toml_front_matter_is_read() {
        let a = note(
            "+++\ntitle = \"Sandworm and Industroyer2\"\ndate = 2022-04-12T09:00:00+03:00\n\
             actors = [\"Sandworm\"]\n[params]\ncountries = [\"UA\"]\n+++\nText.",
        );
        assert_eq!(a.title, "Sandworm and Industroyer2");
        assert_eq!(a.date, d(2022, 4, 12));
        assert_eq!(a.declared.values(&ACTOR), ["Sandworm"]);
        assert_eq!(a.declared.values(&TARGET), ["UA"]);
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);

        let a = note("+++\ntitle = unquoted\n+++\nText.");
        assert!(
            a.warnings[0]
                .0
                .starts_with("the front matter is not valid TOML (line 2"),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn markdown_syntax_is_removed_and_links_kept_apart() {
        let a = note(
            "---\ndate: 2024-01-01\n---\n\
             Intro with **bold**, _emphasis_, `code`, ~~struck~~ and a [report](https://example.org/r \"t\").\n\
             See <https://example.org/auto> and [https://example.org/same](https://example.org/same).\n\
             Obsidian [[APT29|Cozy Bear]] link and ![diagram](img.png) and ![[embed.png]].\n\n\
             Setext heading\n==============\n\n\
             | Actor | Country |\n|---|---|\n| APT28 | NO |\n| APT31 | FI |\n\n\
             ```kql\nDeviceProcessEvents\n| where FileName == \"rundll32.exe\"\n```\n\n\
             - item one\n- [x] item two\n\n\
             > [!NOTE]\n> Quoted text.\n\n\
             <div class=\"x\">Html <b>block</b></div>\n\n\
             Footnote[^1].\n\n[^1]: The footnote text.\n",
        );
        let body = &a.body;
        assert!(
            body.starts_with(
                "Intro with bold, emphasis, code, struck and a report. See and. \
                 Obsidian Cozy Bear link and diagram and.\n\nSetext heading\n\n\
                 Actor; Country\nAPT28; NO\nAPT31; FI\n\n\
                 DeviceProcessEvents\n| where FileName == \"rundll32.exe\"\n\n\
                 item one\nitem two\n\nQuoted text.\n\nHtml block"
            ),
            "{body}"
        );
        assert!(body.contains("Footnote.") && body.contains("The footnote text."));

        assert!(!body.contains("https://"), "{body}");
        assert_eq!(
            a.links,
            [
                "https://example.org/r",
                "https://example.org/auto",
                "https://example.org/same"
            ]
        );
        assert_eq!(a.title, "Setext heading", "a setext `===` heading is an h1");
    }

    #[test]
    fn the_title_is_front_matter_then_h1_then_first_sentence() {
        let long = format!(
            "---\ntitle: |\n  Two\n  lines {}\n---\nText.",
            "word ".repeat(60)
        );
        let title = note(&long).title;
        assert!(
            title.starts_with("Two lines word") && title.ends_with('…'),
            "{title}"
        );
        assert_eq!(
            note("## Summary\n\nAPT28 struck. More.").title,
            "APT28 struck."
        );
        assert_eq!(
            note("Text first.\n\n# Later heading").title,
            "Later heading"
        );
        assert_eq!(
            note("Published: June 17, 2016\n\nThe real first sentence. Next.").title,
            "The real first sentence."
        );
        assert_eq!(note("---\ntitle: ~\n---\n# H\n\nText.").title, "H");
    }

    #[test]
    fn empty_notes_and_crlf() {
        assert_eq!(parse_note(b"  \n", today()), Err(SkipReason::Empty));
        assert!(matches!(
            parse_note(b"---\ntitle: Only front matter\n---\n\n", today()),
            Err(SkipReason::Unusable(reason)) if reason.starts_with("empty note")
        ));
        let a = note("---\r\ntitle: T\r\ndate: 2020-01-02\r\n---\r\nLine one\r\nline two.\r\n");
        assert_eq!(a.title, "T");
        assert_eq!(a.date, d(2020, 1, 2));
        assert_eq!(a.body, "Line one line two.");
        let a = parse_note(b"\xEF\xBB\xBF---\ntitle: Bom\n---\nText.", today()).unwrap();
        assert_eq!(a.title, "Bom");
    }

    #[test]
    fn front_matter_keys_map_to_facets() {
        assert_eq!(declared_facet("actors"), Some(&ACTOR));
        assert_eq!(declared_facet("actor"), Some(&ACTOR));
        assert_eq!(declared_facet("threat-actors"), Some(&ACTOR));
        assert_eq!(declared_facet("countries"), Some(&TARGET));
        assert_eq!(declared_facet("country"), Some(&TARGET));
        assert_eq!(declared_facet("targets"), Some(&TARGET));
        assert_eq!(declared_facet("sponsors"), Some(&SPONSOR));
        assert_eq!(declared_facet("cve"), Some(&CVE));
        assert_eq!(declared_facet("year"), None);
        assert_eq!(declared_facet("format"), None);
        assert_eq!(declared_facet("title"), None);
    }

    #[test]
    fn html_blocks_lose_scripts_and_comments_and_decode_entities() {
        let note = parse_note(
            b"Intro.\n\n<div>\n<p>AT&amp;T and Dell&#8217;s networks</p>\n<script>\nvar leak = 1;\n</script>\n<!-- a\ncomment -->\n</div>\n\nAfter.\n",
            today(),
        )
        .unwrap();
        assert!(
            note.body.contains("AT&T and Dell\u{2019}s networks"),
            "{}",
            note.body
        );
        assert!(
            !note.body.contains("leak") && !note.body.contains("comment"),
            "{}",
            note.body
        );
        assert!(note.body.ends_with("After."), "{}", note.body);
    }
}
