//! JSON and JSON Lines: feeds of articles, one JSON object each. A `.jsonl`
//! or `.ndjson` file is read a line at a time, and a `.json` file (one
//! object, an array of them, or an object wrapping one under `items`,
//! `articles`, `data`...) one element at a time, so a feed of any size
//! costs the memory of its largest article. Common field names are read
//! (`title`/`headline`, `published`/`pubDate`, `content`/`body`...), HTML
//! in them is stripped, and facets a feed states (`actors`, `countries`)
//! are declared. A bad item is reported with its line or position and the
//! others are indexed.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use chrono::NaiveDate;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::dates::{checked, date_of_epoch, parse_date};
use super::markup::plain_text;
use super::text::{shorten_title, title_of};
use super::{
    refuse_misnamed, stix, ArticleProblem, Emit, Input, Reader, HEAD_BYTES, MAX_ARTICLE_BYTES,
};
use crate::model::facet::{Facet, Filter, ACTOR, TARGET};
use crate::model::{Article, Warning, FACETS};
use crate::source::SkipReason;

/// Fields read as the title, in order of preference (compared without
/// case, `_` or `-`).
const TITLE_FIELDS: &[&str] = &["title", "headline", "name", "subject"];

/// Fields read as the publication date, in order of preference.
const DATE_FIELDS: &[&str] = &[
    "published",
    "publishedat",
    "datepublished",
    "publicationdate",
    "pubdate",
    "date",
    "dcdate",
    "createdat",
    "created",
    "timestamp",
];

/// Fields read as the text, in order of preference.
const TEXT_FIELDS: &[&str] = &[
    "text",
    "body",
    "content",
    "contenttext",
    "contenthtml",
    "articlebody",
    "fulltext",
    "description",
    "summary",
    "abstract",
    "excerpt",
];

/// Fields read as the article's address.
const URL_FIELDS: &[&str] = &[
    "url",
    "link",
    "href",
    "permalink",
    "canonicalurl",
    "externalurl",
];

/// Fields read as who published it.
const SOURCE_FIELDS: &[&str] = &["source", "site", "publisher", "sitename"];

/// Fields read as the article's own id within its file.
const ID_FIELDS: &[&str] = &["id", "guid", "uuid"];

/// Where an object's fields hold a string, in order (WordPress's
/// `{"rendered": ...}`, a publisher's `{"name": ...}`, RSS's `{"#text": ...}`).
const INNER_TEXT_FIELDS: &[&str] = &[
    "rendered", "text", "value", "#text", "html", "content", "name", "title", "href", "url",
];

/// Keys of a top-level object whose array holds the articles.
const WRAPPER_FIELDS: &[&str] = &[
    "items",
    "articles",
    "data",
    "entries",
    "results",
    "posts",
    "records",
    "documents",
    "stories",
    "news",
];

/// Fields that declare a facet besides each facet's own keys (`actors`,
/// `actor`, `targets`...).
const EXTRA_FACET_FIELDS: &[(&str, &Facet)] = &[
    ("countries", &TARGET),
    ("targetcountries", &TARGET),
    ("threatactors", &ACTOR),
];

/// The JSON and JSON Lines reader.
pub struct Json;

impl Reader for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["json", "jsonl", "ndjson"]
    }

    fn version(&self) -> u32 {
        1
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let lines = input
            .path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
        if lines {
            read_lines(input, MAX_ARTICLE_BYTES as usize, emit)
        } else {
            read_document(input, emit)
        }
    }
}

fn unreadable(error: io::Error) -> SkipReason {
    SkipReason::Unreadable(error.to_string())
}

/// The first bytes of a file, past a byte-order mark: refuses binary data
/// and anything that does not start like JSON (`what` names the format
/// expected, for the message).
fn check_start(head: &[u8], path: &Path, what: &str) -> Result<(), SkipReason> {
    refuse_misnamed(head, path, what)?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let head = &head[..head.len().min(HEAD_BYTES)];
    if head.contains(&0) {
        return Err(SkipReason::Binary);
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(SkipReason::Empty),
        Some(b'{' | b'[') => Ok(()),
        Some(_) => {
            let start = String::from_utf8_lossy(head);
            let start: String = start.trim_start().chars().take(24).collect();
            Err(SkipReason::Unusable(format!(
                "not {what}: the file starts with {start:?}, not with {{ or ["
            )))
        }
    }
}

/// Reads a JSON Lines file, one article a line, each line read with at most
/// `cap` bytes kept. A first line that is only the start of a value (`{`,
/// `[`) means the file is one pretty-printed JSON document instead.
pub fn read_lines(input: &Input<'_>, cap: usize, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
    let file = File::open(input.path).map_err(unreadable)?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    check_start(
        reader.fill_buf().map_err(unreadable)?,
        input.path,
        "JSON Lines",
    )?;
    let mut line = Vec::new();
    let mut number = 0usize;
    let mut seen_content = false;
    while let Some(length) = read_capped_line(&mut reader, &mut line, cap).map_err(unreadable)? {
        number += 1;
        let location = || format!("line {number}");
        if length > cap {
            emit(Err(ArticleProblem {
                location: location(),
                reason: format!(
                    "line too long: {length} bytes, over the {cap}-byte limit for one article"
                ),
            }));
            seen_content = true;
            continue;
        }
        let mut bytes = line.as_slice();
        if number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let bytes = bytes.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        let parsed = parse_line(bytes);
        if !seen_content {
            seen_content = true;
            let opens_a_document = bytes == b"{" || bytes.starts_with(b"[");
            if opens_a_document && matches!(&parsed, Err(e) if e.is_eof()) {
                return read_document(input, emit);
            }
        }
        match parsed {
            Ok((value, warning)) => {
                let mut articles = Items::new(input.today, emit, location());
                articles.value(value, warning);
            }
            Err(error) => emit(Err(ArticleProblem {
                location: location(),
                reason: format!("not valid JSON: {}", error_message(&error)),
            })),
        }
    }
    Ok(())
}

/// A line parsed as JSON, as UTF-8 or else (with a warning) Windows-1252.
fn parse_line(bytes: &[u8]) -> Result<(Value, Option<Warning>), serde_json::Error> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok((value, None)),
        Err(error) if std::str::from_utf8(bytes).is_err() => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            serde_json::from_str(&text)
                .map(|value| {
                    let warning = "not valid UTF-8; decoded as Windows-1252 (Latin-1)";
                    (value, Some(Warning(warning.to_string())))
                })
                .map_err(|_| error)
        }
        Err(error) => Err(error),
    }
}

/// Reads one line (up to its `\n`, which is left out) into `line`, keeping
/// at most `cap` bytes of it: the line's full length is returned, so a
/// longer one is known without being held. `None` at the end of the file.
pub fn read_capped_line<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<usize>> {
    line.clear();
    let mut length = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((length > 0).then_some(length));
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        length = length.saturating_add(chunk.len());
        if length <= cap {
            line.extend_from_slice(chunk);
        } else {
            line.clear();
        }
        let used = chunk.len() + usize::from(newline.is_some());
        reader.consume(used);
        if newline.is_some() {
            return Ok(Some(length));
        }
    }
}

/// A serde_json error's message without the position, which the caller
/// words itself.
pub(crate) fn error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((what, _)) => format!("{what} (column {})", error.column()),
        None => message,
    }
}

/// Reads a `.json` file: one article object, an array of them, an object
/// wrapping an array of them, or several such values one after the other.
/// Each element is parsed on its own, with at most [`MAX_ARTICLE_BYTES`]
/// read for it.
pub fn read_document(input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
    let file = File::open(input.path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    let spent = Rc::new(Cell::new(0u64));
    let budgeted = Budgeted {
        inner: file,
        spent: Rc::clone(&spent),
        limit: MAX_ARTICLE_BYTES,
    };
    let mut reader = BufReader::with_capacity(64 * 1024, budgeted);
    let head = reader.fill_buf().map_err(unreadable)?;
    check_start(head, input.path, "JSON")?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let mut feed = Feed {
        today: input.today,
        emit,
        spent,
        items: 0,
        emitted: 0,
        bundle: false,
    };
    loop {
        if let Err(error) = (TopLevel { feed: &mut feed }).deserialize(&mut deserializer) {
            return feed.failed(&error, size);
        }
        if feed.bundle {
            return stix::read_bundle(input, feed.emit);
        }
        // Another value may follow (JSON Lines in a `.json` file).
        if deserializer.end().is_ok() {
            return Ok(());
        }
    }
}

/// A reader that fails once more than `limit` bytes were read since `spent`
/// was last reset: one element of a document is never held whole when it
/// is larger than an article may be.
struct Budgeted<R> {
    inner: R,
    spent: Rc<Cell<u64>>,
    limit: u64,
}

/// The error a [`Budgeted`] reader fails with.
#[derive(Debug)]
struct OverBudget;

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("over the size limit for one article")
    }
}

impl std::error::Error for OverBudget {}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.spent.get() > self.limit {
            return Err(io::Error::other(OverBudget));
        }
        let read = self.inner.read(buf)?;
        self.spent.set(self.spent.get().saturating_add(read as u64));
        Ok(read)
    }
}

/// The state of reading a `.json` file.
struct Feed<'e, 'x> {
    today: NaiveDate,
    emit: &'e mut Emit<'x>,
    /// Bytes read for the element being parsed.
    spent: Rc<Cell<u64>>,
    /// Items met (articles and problems), for positions.
    items: usize,
    /// Articles and problems handed on.
    emitted: usize,
    /// The top-level object is a STIX bundle, for the STIX reader.
    bundle: bool,
}

impl Feed<'_, '_> {
    /// One more item: its budget starts afresh.
    fn next_item(&mut self) -> String {
        self.items += 1;
        self.spent.set(0);
        format!("item {}", self.items)
    }

    fn value(&mut self, value: Value, location: String) {
        self.emitted += 1;
        Items::new(self.today, self.emit, location).value(value, None);
    }

    /// The file's one top-level object: the file is the article.
    fn only_object(&mut self, object: Map<String, Value>, location: String) {
        self.emitted += 1;
        let mut items = Items::new(self.today, self.emit, location);
        items.numbered = false;
        items.object(&object, None);
    }

    /// What a parse error means: the whole file is unusable if nothing was
    /// read from it, otherwise the rest of it is reported as one problem.
    fn failed(&mut self, error: &serde_json::Error, size: u64) -> Result<(), SkipReason> {
        let over_budget = error
            .io_error_kind()
            .is_some_and(|kind| kind == io::ErrorKind::Other)
            && self.spent.get() > MAX_ARTICLE_BYTES;
        if over_budget {
            if self.emitted == 0 && self.items <= 1 {
                return Err(SkipReason::TooLarge {
                    size,
                    limit: MAX_ARTICLE_BYTES,
                });
            }
            (self.emit)(Err(ArticleProblem {
                location: format!("item {}", self.items.max(1)),
                reason: format!(
                    "too large: over the {MAX_ARTICLE_BYTES}-byte limit for one article; it and the rest of the file are skipped"
                ),
            }));
            return Ok(());
        }
        if let Some(kind) = error.io_error_kind() {
            return Err(SkipReason::Unreadable(io::Error::from(kind).to_string()));
        }
        if self.emitted == 0 {
            return Err(SkipReason::Unusable(format!(
                "not valid JSON: {} at line {}",
                error_message(error),
                error.line()
            )));
        }
        (self.emit)(Err(ArticleProblem {
            location: format!("line {}", error.line()),
            reason: format!(
                "not valid JSON: {}; the rest of the file is skipped",
                error_message(error)
            ),
        }));
        Ok(())
    }
}

/// A top-level value of a `.json` file.
struct TopLevel<'f, 'e, 'x> {
    feed: &'f mut Feed<'e, 'x>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an article object or an array of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let location = self.feed.next_item();
            match seq.next_element::<Value>()? {
                Some(value) => self.feed.value(value, location),
                None => {
                    self.feed.items -= 1;
                    return Ok(());
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if streamed {
                // The feed's own fields, after its articles.
                map.next_value::<IgnoredAny>()?;
            } else if WRAPPER_FIELDS.contains(&normalized(&key).as_str()) {
                let wrapped = Wrapped {
                    feed: &mut *self.feed,
                };
                match map.next_value_seed(wrapped)? {
                    Wrap::Streamed => streamed = true,
                    Wrap::Kept(value) => {
                        fields.insert(key, value);
                    }
                }
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        if streamed {
            return Ok(());
        }
        if fields.get("type").and_then(Value::as_str) == Some("bundle") {
            self.feed.bundle = true;
            return Ok(());
        }
        let location = format!("item {}", self.feed.items + 1);
        self.feed.items += 1;
        self.feed.only_object(fields, location);
        Ok(())
    }
}

/// The value under a wrapper key (`items`): an array whose first element
/// is an object holds the articles, streamed one by one; anything else is
/// kept as an ordinary field.
struct Wrapped<'f, 'e, 'x> {
    feed: &'f mut Feed<'e, 'x>,
}

/// What was under a wrapper key.
enum Wrap {
    /// Articles, handed on.
    Streamed,
    /// A value that is no array of articles.
    Kept(Value),
}

impl<'de> DeserializeSeed<'de> for Wrapped<'_, '_, '_> {
    type Value = Wrap;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Wrap, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Wrapped<'_, '_, '_> {
    type Value = Wrap;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of articles")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Wrap, A::Error> {
        let location = self.feed.next_item();
        let first = match seq.next_element::<Value>()? {
            Some(first) if first.is_object() => first,
            other => {
                self.feed.items -= 1;
                let mut kept: Vec<Value> = other.into_iter().collect();
                while let Some(value) = seq.next_element()? {
                    kept.push(value);
                }
                return Ok(Wrap::Kept(Value::Array(kept)));
            }
        };
        self.feed.value(first, location);
        loop {
            let location = self.feed.next_item();
            match seq.next_element::<Value>()? {
                Some(value) => self.feed.value(value, location),
                None => {
                    self.feed.items -= 1;
                    return Ok(Wrap::Streamed);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Wrap, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Wrap::Kept)
    }

    fn visit_str<E>(self, value: &str) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::from(value)))
    }

    fn visit_bool<E>(self, value: bool) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::from(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::from(value)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::from(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::from(value)))
    }

    fn visit_unit<E>(self) -> Result<Wrap, E> {
        Ok(Wrap::Kept(Value::Null))
    }
}

/// Hands on the article (or problem) of one parsed value.
struct Items<'e, 'x> {
    today: NaiveDate,
    emit: &'e mut Emit<'x>,
    location: String,
    /// Whether the value is one of several in its file, so that an article
    /// without an id of its own is known by its place (`3` for line 3,
    /// `3.2` for the second object of line 3's array).
    numbered: bool,
}

impl<'e, 'x> Items<'e, 'x> {
    fn new(today: NaiveDate, emit: &'e mut Emit<'x>, location: String) -> Items<'e, 'x> {
        Items {
            today,
            emit,
            location,
            numbered: true,
        }
    }

    /// The article's id from its place in the file.
    fn place(&self) -> Option<String> {
        if !self.numbered {
            return None;
        }
        let numbers: Vec<&str> = self
            .location
            .split(' ')
            .filter(|word| word.bytes().all(|b| b.is_ascii_digit()) && !word.is_empty())
            .collect();
        (!numbers.is_empty()).then(|| numbers.join("."))
    }

    /// An object is an article; an array on a line holds several.
    fn value(&mut self, value: Value, warning: Option<Warning>) {
        match value {
            Value::Object(object) => self.object(&object, warning),
            Value::Array(elements) if self.location.starts_with("line") => {
                let line = std::mem::take(&mut self.location);
                for (n, element) in elements.into_iter().enumerate() {
                    self.location = format!("{line} item {}", n + 1);
                    self.value(element, warning.clone());
                }
            }
            other => (self.emit)(Err(ArticleProblem {
                location: self.location.clone(),
                reason: format!("not an article object: {}", kind_of(&other)),
            })),
        }
    }

    fn object(&mut self, object: &Map<String, Value>, warning: Option<Warning>) {
        let place = self.place();
        let article = article_from_object(object, self.today).map(|mut article| {
            article.warnings.splice(0..0, warning);
            if article.local_id.is_none() {
                article.local_id = place;
            }
            article
        });
        (self.emit)(article.map_err(|reason| ArticleProblem {
            location: self.location.clone(),
            reason,
        }));
    }
}

/// A value as JSON, cut short for a message.
fn preview(value: &Value) -> String {
    let json = value.to_string();
    match json.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &json[..cut]),
        None => json,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A field name as compared: lower case, letters and digits only
/// (`published_at`, `publishedAt` and `PublishedAt` are one).
fn normalized(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An object's fields by their compared names, the first of each kept.
struct Fields<'v> {
    fields: Vec<(String, &'v str, &'v Value)>,
}

impl<'v> Fields<'v> {
    fn of(object: &'v Map<String, Value>) -> Fields<'v> {
        let mut fields: Vec<(String, &str, &Value)> = Vec::with_capacity(object.len());
        for (key, value) in object {
            let name = normalized(key);
            if !fields.iter().any(|(n, _, _)| *n == name) {
                fields.push((name, key, value));
            }
        }
        Fields { fields }
    }

    /// The field called `name` (compared), with its key as written.
    fn get(&self, name: &str) -> Option<(&'v str, &'v Value)> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, key, value)| (*key, *value))
    }

    /// The text of the first of `names` that holds some.
    fn first_text(&self, names: &[&str]) -> Option<(&'v str, String)> {
        names.iter().find_map(|name| {
            let (key, value) = self.get(name)?;
            text_of(value).map(|text| (key, text))
        })
    }
}

/// The text a field holds: a string; the string inside an object
/// (`{"rendered": ...}`); strings of an array joined as paragraphs.
fn text_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Object(inner) => INNER_TEXT_FIELDS
            .iter()
            .find_map(|key| inner.get(*key).and_then(text_of))?,
        Value::Array(items) => items
            .iter()
            .filter_map(text_of)
            .collect::<Vec<_>>()
            .join("\n\n"),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The values a field declares: a string, or strings (or `{"name": ...}`
/// objects) in an array.
fn declared_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

/// The facet a field declares, by its compared name: a facet's own key
/// (`actors`) or name (`actor`), or one of [`EXTRA_FACET_FIELDS`]. (Not its
/// parameter: a feed's `country` is more often the publisher's.)
fn declared_facet(name: &str) -> Option<&'static Facet> {
    let own = FACETS.iter().copied().find(|facet| {
        matches!(facet.filter, Filter::Values { .. })
            && facet.on_documents()
            && [facet.hit_key, facet.name]
                .iter()
                .any(|key| normalized(key) == name)
    });
    own.or_else(|| {
        EXTRA_FACET_FIELDS
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, facet)| *facet)
    })
}

/// The article a feed item's object describes, or why it is none.
pub fn article_from_object(
    object: &Map<String, Value>,
    today: NaiveDate,
) -> Result<Article, String> {
    // An Elasticsearch hit: the article is its `_source`.
    let (object, outer_id) = match object.get("_source") {
        Some(Value::Object(inner)) => (inner, object.get("_id")),
        _ => (object, None),
    };
    let fields = Fields::of(object);
    let mut warnings = Vec::new();
    let title = fields
        .first_text(TITLE_FIELDS)
        .map(|(_, title)| shorten_title(&plain_text(&title)))
        .unwrap_or_default();
    let mut body = fields
        .first_text(TEXT_FIELDS)
        .map(|(_, text)| plain_text(&text.replace("\r\n", "\n")).trim().to_string())
        .unwrap_or_default();
    if body.is_empty() {
        if title.is_empty() {
            return Err(format!(
                "no title or text: none of the fields {} holds any",
                TITLE_FIELDS
                    .iter()
                    .chain(TEXT_FIELDS)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        warnings.push(Warning(format!(
            "no text in any of the fields {}; indexed by its title alone",
            TEXT_FIELDS.join(", ")
        )));
        body = title.clone();
    }
    let title = if title.is_empty() {
        title_of(&body)
    } else {
        title
    };
    let date = date_of(&fields, today, &mut warnings);
    let url = fields
        .first_text(URL_FIELDS)
        .map(|(_, url)| url.lines().next().unwrap_or_default().trim().to_string());
    let source = fields
        .first_text(SOURCE_FIELDS)
        .map(|(_, source)| shorten_title(&plain_text(&source)));
    let local_id = outer_id
        .or_else(|| {
            ID_FIELDS
                .iter()
                .find_map(|name| fields.get(name).map(|(_, v)| v))
        })
        .and_then(id_of);
    let mut article = Article {
        local_id,
        title,
        date,
        body,
        source,
        url,
        warnings,
        ..Article::default()
    };
    for (name, key, value) in &fields.fields {
        if let Some(facet) = declared_facet(name) {
            for declared in declared_values(value) {
                article.declare(facet, declared, format!("field {key}"));
            }
        }
    }
    Ok(article)
}

/// An id field's value as text: a string or a number.
fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        other => text_of(other).map(|id| id.lines().next().unwrap_or_default().trim().to_string()),
    }
}

/// The publication date: the first date field that holds a date, checked
/// for plausibility; each reason it has none is a warning.
fn date_of(
    fields: &Fields<'_>,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    let mut unreadable = Vec::new();
    for name in DATE_FIELDS {
        let Some((key, value)) = fields.get(name) else {
            continue;
        };
        let parsed = match value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .and_then(date_of_epoch),
            other => text_of(other).and_then(|text| parse_date(&text)),
        };
        let Some(date) = parsed else {
            unreadable.push(format!(
                "the field {key} holds {}, not a date",
                preview(value)
            ));
            continue;
        };
        return match checked(date, &format!("the field {key}"), today) {
            Ok(date) => Some(date),
            Err(warning) => {
                warnings.push(warning);
                None
            }
        };
    }
    if unreadable.is_empty() {
        warnings.push(Warning(format!(
            "no date in any of the fields {}; indexed without a date",
            ["date", "published", "published_at", "pubDate"].join(", ")
        )));
    } else {
        warnings.push(Warning(format!(
            "{}; indexed without a date",
            unreadable.join("; ")
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{CVE, MALWARE, TECHNIQUE};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// What a read of `bytes`, written to a file called `name`, emits.
    fn read_file(
        name: &str,
        bytes: &[u8],
        read: impl Fn(&Input<'_>, &mut Emit<'_>) -> Result<(), SkipReason>,
    ) -> Result<Vec<Result<Article, ArticleProblem>>, SkipReason> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let input = Input {
            path: &path,
            today: today(),
        };
        let mut emitted = Vec::new();
        read(&input, &mut |item| emitted.push(item))?;
        Ok(emitted)
    }

    fn read_json(
        name: &str,
        bytes: &[u8],
    ) -> Result<Vec<Result<Article, ArticleProblem>>, SkipReason> {
        read_file(name, bytes, |input, emit| Json.read(input, emit))
    }

    fn articles(emitted: &[Result<Article, ArticleProblem>]) -> Vec<&Article> {
        emitted
            .iter()
            .filter_map(|item| item.as_ref().ok())
            .collect()
    }

    fn problems(emitted: &[Result<Article, ArticleProblem>]) -> Vec<(&str, &str)> {
        emitted
            .iter()
            .filter_map(|item| item.as_ref().err())
            .map(|p| (p.location.as_str(), p.reason.as_str()))
            .collect()
    }

    #[test]
    fn feed_items_with_different_field_names_become_articles() {
        let feed = concat!(
            r#"{"id": "a-1", "headline": "APT29 phishes\n diplomats", "published_at": "2024-04-19T08:30:00+02:00", "body": "Diplomats were phished.", "link": "https://example.net/a1", "site": "Desk", "actors": ["Cozy Bear", "APT28"], "countries": "Czechia"}"#,
            "\n",
            r#"{"id": 7, "title": "Second", "pubDate": "Tue, 07 May 2024 06:00:00 GMT", "description": "<p>Para one &amp; more.</p><p>Para two.</p>", "publisher": {"name": "Watch"}, "cves": ["CVE-2023-23397"], "techniques": ["T1566"], "malware": [{"name": "WellMess"}]}"#,
            "\r\n",
            r#"{"guid": "g3", "name": "Third", "date": 1716800000, "text": "Epoch dated."}"#,
            "\n\n",
            r#"{"date": "2024-06-12T09:00:00", "title": {"rendered": "Rendered title"}, "content": {"rendered": "<h2>Head</h2><p>Body <script>x()</script>text.</p>"}, "url": [{"href": "https://example.net/wp"}]}"#,
            "\n",
        );
        let emitted = read_json("feed.jsonl", feed.as_bytes()).unwrap();
        assert!(problems(&emitted).is_empty(), "{emitted:?}");
        let a = articles(&emitted);
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].local_id.as_deref(), Some("a-1"));
        assert_eq!(a[0].title, "APT29 phishes diplomats");
        assert_eq!(a[0].date, NaiveDate::from_ymd_opt(2024, 4, 19));
        assert_eq!(a[0].body, "Diplomats were phished.");
        assert_eq!(a[0].url.as_deref(), Some("https://example.net/a1"));
        assert_eq!(a[0].source.as_deref(), Some("Desk"));
        assert_eq!(a[0].declared.values(&ACTOR), ["Cozy Bear", "APT28"]);
        assert_eq!(a[0].declared.values(&TARGET), ["Czechia"]);
        let from: Vec<&str> = a[0].declared.iter().map(|(_, d)| d.from.as_str()).collect();
        assert_eq!(from, ["field actors", "field actors", "field countries"]);
        assert!(a[0].warnings.is_empty(), "{:?}", a[0].warnings);

        assert_eq!(a[1].local_id.as_deref(), Some("7"));
        assert_eq!(a[1].date, NaiveDate::from_ymd_opt(2024, 5, 7));
        assert_eq!(a[1].body, "Para one & more.\n\nPara two.");
        assert_eq!(a[1].source.as_deref(), Some("Watch"));
        assert_eq!(a[1].declared.values(&CVE), ["CVE-2023-23397"]);
        assert_eq!(a[1].declared.values(&TECHNIQUE), ["T1566"]);
        assert_eq!(a[1].declared.values(&MALWARE), ["WellMess"]);

        assert_eq!(a[2].local_id.as_deref(), Some("g3"));
        assert_eq!(a[2].title, "Third");
        assert_eq!(a[2].date, NaiveDate::from_ymd_opt(2024, 5, 27));

        assert_eq!(
            a[3].local_id.as_deref(),
            Some("5"),
            "no id of its own: its line"
        );
        assert_eq!(a[3].title, "Rendered title");
        assert_eq!(a[3].body, "Head\n\nBody text.");
        assert_eq!(a[3].url.as_deref(), Some("https://example.net/wp"));
        assert_eq!(a[3].date, NaiveDate::from_ymd_opt(2024, 6, 12));
    }

    #[test]
    fn a_bad_line_is_a_problem_at_its_number_and_the_others_are_read() {
        let long = format!(r#"{{"title": "Long", "text": "{}"}}"#, "x".repeat(2_000));
        let feed = format!(
            "{}\n{}\n\n{}\n{}\n{}\n{}\n",
            r#"{"title": "One", "text": "First."}"#,
            r#"{"title": "Broken", "text": "#,
            long,
            r#""a string""#,
            r#"{"id": 1, "date": "2024-01-01"}"#,
            r#"{"title": "Last", "text": "Caf\u00e9."}"#,
        );
        let emitted = read_file("feed.ndjson", feed.as_bytes(), |input, emit| {
            read_lines(input, 1_000, emit)
        })
        .unwrap();
        let titles: Vec<&str> = articles(&emitted)
            .iter()
            .map(|a| a.title.as_str())
            .collect();
        assert_eq!(titles, ["One", "Last"]);
        let problems = problems(&emitted);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert_eq!(problems[0].0, "line 2");
        assert!(
            problems[0].1.starts_with("not valid JSON: EOF"),
            "{problems:?}"
        );
        assert_eq!(problems[1].0, "line 4");
        assert!(
            problems[1]
                .1
                .starts_with("line too long: 2029 bytes, over the 1000-byte limit"),
            "{problems:?}"
        );
        assert_eq!(problems[2], ("line 5", "not an article object: a string"));
        assert_eq!(problems[3].0, "line 6");
        assert!(
            problems[3].1.starts_with("no title or text"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_over_long_line_is_measured_without_being_held() {
        let mut bytes = vec![b'a'; 10 * 1024 * 1024];
        bytes.extend_from_slice(b"\nshort\r\nlast");
        let mut reader = io::BufReader::new(bytes.as_slice());
        let mut line = Vec::new();
        let cap = 1024 * 1024;
        assert_eq!(
            read_capped_line(&mut reader, &mut line, cap).unwrap(),
            Some(10 * 1024 * 1024)
        );
        assert!(line.is_empty() && line.capacity() <= 2 * cap);
        assert_eq!(
            read_capped_line(&mut reader, &mut line, cap).unwrap(),
            Some(6)
        );
        assert_eq!(line, b"short\r");
        assert_eq!(
            read_capped_line(&mut reader, &mut line, cap).unwrap(),
            Some(4)
        );
        assert_eq!(read_capped_line(&mut reader, &mut line, cap).unwrap(), None);
    }

    #[test]
    fn latin1_lines_are_decoded_with_a_warning() {
        let emitted = read_json(
            "f.jsonl",
            b"{\"title\": \"Caf\xe9\", \"text\": \"Na\xefve.\"}\n",
        )
        .unwrap();
        let a = articles(&emitted);
        assert_eq!(a[0].title, "Café");
        assert!(
            a[0].warnings[0].0.contains("Windows-1252"),
            "{:?}",
            a[0].warnings
        );
    }

    #[test]
    fn a_pretty_printed_document_named_jsonl_is_read_whole() {
        let emitted = read_json(
            "pretty.jsonl",
            b"[\n  {\"title\": \"A\", \"text\": \"a\"},\n  {\"title\": \"B\", \"text\": \"b\"}\n]\n",
        )
        .unwrap();
        assert_eq!(articles(&emitted).len(), 2, "{emitted:?}");
    }

    #[test]
    fn a_json_file_holds_one_article_an_array_or_a_wrapped_array() {
        let one = read_json(
            "one.json",
            b"\xEF\xBB\xBF{\"id\": \"x\", \"title\": \"One\", \"text\": \"Only.\", \"data\": [\"kept\", \"as a field\"]}",
        )
        .unwrap();
        assert_eq!(articles(&one).len(), 1, "{one:?}");
        assert_eq!(articles(&one)[0].local_id.as_deref(), Some("x"));

        let array = read_json(
            "array.json",
            br#"[{"title": "A", "text": "a"}, 5, {"title": "B", "text": "b"}]"#,
        )
        .unwrap();
        assert_eq!(articles(&array).len(), 2);
        assert_eq!(
            problems(&array),
            [("item 2", "not an article object: a number")]
        );

        let wrapped = read_json(
            "feed.json",
            br#"{"version": "https://jsonfeed.org/version/1.1", "title": "Feed", "items": [{"id": "1", "title": "A", "content_html": "<p>a</p>"}, {"id": "2", "title": "B", "content_text": "b"}], "home_page_url": "x"}"#,
        )
        .unwrap();
        let titles: Vec<&str> = articles(&wrapped)
            .iter()
            .map(|a| a.title.as_str())
            .collect();
        assert_eq!(titles, ["A", "B"]);

        let concatenated = read_json(
            "lines.json",
            b"{\"title\": \"A\", \"text\": \"a\"}\n{\"title\": \"B\", \"text\": \"b\"}\n",
        )
        .unwrap();
        assert_eq!(articles(&concatenated).len(), 2);
    }

    #[test]
    fn a_truncated_array_keeps_the_items_read_before_the_damage() {
        let emitted = read_json(
            "cut.json",
            b"[\n{\"title\": \"A\", \"text\": \"a\"},\n{\"title\": \"B\", \"text\": \"b\"},\n{\"title\": \"C\", \"te",
        )
        .unwrap();
        assert_eq!(articles(&emitted).len(), 2);
        let problems = problems(&emitted);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "line 4");
        assert!(
            problems[0].1.contains("the rest of the file is skipped"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_element_over_the_article_limit_is_refused_without_being_held() {
        let huge = format!(
            r#"{{"title": "Huge", "text": "{}"}}"#,
            "x".repeat(17 * 1024 * 1024)
        );
        assert!(matches!(
            read_json("huge.json", huge.as_bytes()),
            Err(SkipReason::TooLarge {
                limit: MAX_ARTICLE_BYTES,
                ..
            })
        ));
        let feed = format!(r#"[{{"title": "Small", "text": "s"}}, {huge}, {{"title": "After"}}]"#);
        let emitted = read_json("feed.json", feed.as_bytes()).unwrap();
        assert_eq!(articles(&emitted).len(), 1);
        let problems = problems(&emitted);
        assert_eq!(problems[0].0, "item 2");
        assert!(
            problems[0].1.contains("limit for one article"),
            "{problems:?}"
        );
    }

    #[test]
    fn files_that_are_not_json_are_refused_with_a_reason() {
        let html = read_json("page.json", b"<!DOCTYPE html><html>...</html>").unwrap_err();
        assert!(
            html.to_string()
                .starts_with("not JSON: the file starts with \"<!DOCTYPE"),
            "{html}"
        );
        let text = read_json("notes.jsonl", b"Just some notes\n").unwrap_err();
        assert!(text.to_string().starts_with("not JSON Lines"), "{text}");
        assert_eq!(read_json("x.json", b"{\"a\0"), Err(SkipReason::Binary));
        assert_eq!(read_json("x.jsonl", b" \n\n"), Err(SkipReason::Empty));
        let broken = read_json("x.json", b"{\"title\": tru}").unwrap_err();
        assert!(broken.to_string().starts_with("not valid JSON"), "{broken}");
        let nothing = read_json("x.json", b"{\"rating\": 5}").unwrap();
        assert!(problems(&nothing)[0].1.starts_with("no title or text"));
    }

    #[test]
    fn dates_are_checked_and_missing_parts_warned_about() {
        let object = |json: &str| -> Map<String, Value> { serde_json::from_str(json).unwrap() };
        let a = article_from_object(&object(r#"{"title": "T", "date": "2099-01-01"}"#), today())
            .unwrap();
        assert_eq!(a.date, None);
        assert_eq!(a.body, "T");
        let warnings: Vec<&str> = a.warnings.iter().map(|w| w.0.as_str()).collect();
        assert!(
            warnings[0].starts_with("no text in any of the fields"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("in the future"), "{warnings:?}");
        let a = article_from_object(
            &object(r#"{"text": "Body first. More.", "date": "soon", "published": 12}"#),
            today(),
        )
        .unwrap();
        assert_eq!(a.title, "Body first.");
        assert!(
            a.warnings[0].0.contains(
                "the field published holds 12, not a date; the field date holds \"soon\""
            ),
            "{:?}",
            a.warnings
        );
        let a = article_from_object(&object(r#"{"_id": "es-1", "_source": {"title": "From Elasticsearch", "body": "b", "published": "2024-01-02"}}"#), today()).unwrap();
        assert_eq!(a.local_id.as_deref(), Some("es-1"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 1, 2));
    }
}
