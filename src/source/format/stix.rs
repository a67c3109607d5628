//! STIX 2.1 bundles (`.json` whose top level is `{"type": "bundle"}`): each
//! `report`, and each `grouping` (MISP's unpublished events), is an
//! article. The objects it refers to are declared facets: intrusion sets
//! and threat actors (by name or alias), malware and tools, CVEs of
//! vulnerabilities, ATT&CK techniques of attack patterns, and countries of
//! locations, made targets or sponsors by the relationships (`targets`,
//! `originates-from`, `attributed-to`) that lead to them.
//!
//! A bundle is read whole, since its references point anywhere in it, but
//! only the fields dossier uses are kept: indicators, observables and
//! custom objects are passed over as they are parsed. STIX 2.0 bundles are
//! read the same way: the fields read are the same in 2.0.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::dates::{checked, parse_date};
use super::json::{self, error_message};
use super::markup::plain_text;
use super::text::{shorten_title, title_of};
use super::{ArticleProblem, Emit, Input, Reader};
use crate::model::facet::{ACTOR, CVE, MALWARE, SPONSOR, TARGET, TECHNIQUE};
use crate::model::{Article, Warning};
use crate::source::SkipReason;

/// Bundles larger than this are refused: a bundle is read whole.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// The fields of an object that are read; the others are passed over.
const KEPT_FIELDS: &[&str] = &[
    "type",
    "id",
    "name",
    "description",
    "published",
    "created",
    "aliases",
    "x_mitre_aliases",
    "country",
    "region",
    "object_refs",
    "external_references",
    "relationship_type",
    "source_ref",
    "target_ref",
    "abstract",
    "content",
    "created_by_ref",
];

/// Relationships that lead from an actor to the country behind it.
const SPONSOR_RELATIONSHIPS: &[&str] = &["originates-from", "attributed-to", "located-at"];

/// How deep a chain of `attributed-to` (campaign → intrusion set → threat
/// actor) is followed.
const MAX_ATTRIBUTION_STEPS: usize = 8;

/// Why a parse stopped early: the file is JSON but no bundle.
const NOT_A_BUNDLE: &str = "not a STIX bundle";

/// The STIX reader.
pub struct Stix;

impl Reader for Stix {
    fn name(&self) -> &'static str {
        "stix"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["json"]
    }

    fn version(&self) -> u32 {
        1
    }

    fn accepts(&self, head: &[u8]) -> bool {
        looks_like_bundle(head)
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        match read(input, emit)? {
            Outcome::Read => Ok(()),
            Outcome::NotABundle => json::read_document(input, emit),
        }
    }
}

/// Reads a file known to hold a STIX bundle (the JSON reader found one).
pub fn read_bundle(input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
    match read(input, emit)? {
        Outcome::Read => Ok(()),
        Outcome::NotABundle => Err(SkipReason::Unusable(NOT_A_BUNDLE.to_string())),
    }
}

/// What reading a file as a bundle gave.
enum Outcome {
    /// Its reports were handed on.
    Read,
    /// The file is no bundle; nothing was handed on.
    NotABundle,
}

fn read(input: &Input<'_>, emit: &mut Emit<'_>) -> Result<Outcome, SkipReason> {
    let unreadable = |e: io::Error| SkipReason::Unreadable(e.to_string());
    let file = File::open(input.path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_BUNDLE_BYTES {
        return Err(SkipReason::Unusable(format!(
            "STIX bundle too large: {size} bytes, over the {MAX_BUNDLE_BYTES}-byte limit (a bundle is read whole to resolve its references)"
        )));
    }
    let mut reader = BufReader::with_capacity(64 * 1024, file.take(MAX_BUNDLE_BYTES));
    if reader
        .fill_buf()
        .map_err(unreadable)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let mut bundle = Bundle::default();
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let parsed = (BundleSeed {
        bundle: &mut bundle,
    })
    .deserialize(&mut deserializer);
    if bundle.not_a_bundle {
        return Ok(Outcome::NotABundle);
    }
    if let Err(error) = parsed {
        if let Some(kind) = error.io_error_kind() {
            return Err(SkipReason::Unreadable(io::Error::from(kind).to_string()));
        }
        return Err(SkipReason::Unusable(format!(
            "not valid JSON: {} at line {}",
            error_message(&error),
            error.line()
        )));
    }
    if bundle.kind.as_deref() != Some("bundle") {
        return Ok(Outcome::NotABundle);
    }
    if bundle.reports.is_empty() {
        let objects = match bundle.seen {
            1 => "1 object".to_string(),
            n => format!("{n} objects"),
        };
        return Err(SkipReason::Unusable(format!(
            "STIX bundle without a report or grouping: {objects}, none of them an article"
        )));
    }
    let index = bundle.index();
    for id in &bundle.reports {
        let article = index.article(id, input.today);
        emit(article.map_err(|reason| ArticleProblem {
            location: id.clone(),
            reason,
        }));
    }
    Ok(Outcome::Read)
}

/// Whether the first bytes of a JSON file show a STIX bundle: a top-level
/// `"type": "bundle"`, an `"id"` of `bundle--…`, or an `"objects"` array
/// before either (a bundle whose keys come in another order). Read with a
/// small scan of the top-level keys, which may be cut off anywhere.
pub fn looks_like_bundle(head: &[u8]) -> bool {
    let mut scan = Scan {
        bytes: head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head),
        at: 0,
    };
    scan.whitespace();
    if !scan.eat(b'{') {
        return false;
    }
    loop {
        scan.whitespace();
        let Some(key) = scan.string() else {
            return false;
        };
        scan.whitespace();
        if !scan.eat(b':') {
            return false;
        }
        scan.whitespace();
        match key.as_str() {
            "type" => return scan.string().is_some_and(|value| value == "bundle"),
            "objects" => return true,
            "id" => match scan.string() {
                Some(id) if id.starts_with("bundle--") => return true,
                Some(_) => {}
                None => return false,
            },
            _ => {
                if !scan.skip_value() {
                    return false;
                }
            }
        }
        scan.whitespace();
        if !scan.eat(b',') {
            return false;
        }
    }
}

/// A cursor over the first bytes of a JSON file.
struct Scan<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    /// A string, escapes kept as written (keys and values compared here
    /// have none); `None` if there is none or it is cut off.
    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    let text = String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned();
                    self.at += 1;
                    return Some(text);
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
        None
    }

    /// Passes over one value; false if it is cut off.
    fn skip_value(&mut self) -> bool {
        match self.peek() {
            None => false,
            Some(b'"') => self.string().is_some(),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        None => return false,
                        Some(b'"') => {
                            if self.string().is_none() {
                                return false;
                            }
                        }
                        Some(b'{' | b'[') => {
                            depth += 1;
                            self.at += 1;
                        }
                        Some(b'}' | b']') => {
                            depth = depth.saturating_sub(1);
                            self.at += 1;
                            if depth == 0 {
                                return true;
                            }
                        }
                        Some(_) => self.at += 1,
                    }
                }
            }
            Some(_) => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.at += 1;
                }
                self.peek().is_some()
            }
        }
    }
}

/// The kinds of object dossier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Report,
    IntrusionSet,
    ThreatActor,
    Campaign,
    Location,
    Malware,
    Tool,
    Vulnerability,
    AttackPattern,
    Identity,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "report" | "grouping" => Kind::Report,
            "intrusion-set" => Kind::IntrusionSet,
            "threat-actor" => Kind::ThreatActor,
            "campaign" => Kind::Campaign,
            "location" => Kind::Location,
            "malware" => Kind::Malware,
            "tool" => Kind::Tool,
            "vulnerability" => Kind::Vulnerability,
            "attack-pattern" => Kind::AttackPattern,
            "identity" => Kind::Identity,
            _ => return None,
        })
    }

    /// Who acts: the source of an attribution.
    fn acts(self) -> bool {
        matches!(
            self,
            Kind::IntrusionSet | Kind::ThreatActor | Kind::Campaign
        )
    }
}

/// What is kept of an object dossier reads.
#[derive(Debug)]
struct Object {
    kind: Kind,
    /// `grouping` rather than `report`.
    grouping: bool,
    name: String,
    description: String,
    aliases: Vec<String>,
    published: Option<String>,
    created: Option<String>,
    refs: Vec<String>,
    external: Vec<ExternalReference>,
    country: Option<String>,
    region: bool,
    created_by: Option<String>,
}

#[derive(Debug)]
struct ExternalReference {
    source_name: String,
    external_id: Option<String>,
    url: Option<String>,
}

#[derive(Debug)]
struct Relationship {
    id: String,
    kind: String,
    source: String,
    target: String,
}

#[derive(Debug)]
struct Note {
    id: String,
    text: String,
    refs: Vec<String>,
}

/// What is kept of a bundle.
#[derive(Debug, Default)]
struct Bundle {
    /// The top-level `type`.
    kind: Option<String>,
    /// The top level turned out to be something else than a bundle.
    not_a_bundle: bool,
    /// Objects read, by id.
    objects: FxHashMap<String, Object>,
    /// Every object id kept, in the bundle's order.
    order: Vec<String>,
    /// Reports and groupings, in the bundle's order.
    reports: Vec<String>,
    relationships: Vec<Relationship>,
    notes: Vec<Note>,
    /// Objects met, of any type.
    seen: usize,
}

fn string(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Strings of a list (or a lone string).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| string(Some(v))).collect(),
        other => string(other).into_iter().collect(),
    }
}

impl Bundle {
    fn add(&mut self, fields: Map<String, Value>) {
        let (Some(kind), Some(id)) = (string(fields.get("type")), string(fields.get("id"))) else {
            return;
        };
        match kind.as_str() {
            "relationship" => {
                let (Some(relationship), Some(source), Some(target)) = (
                    string(fields.get("relationship_type")),
                    string(fields.get("source_ref")),
                    string(fields.get("target_ref")),
                ) else {
                    return;
                };
                self.relationships.push(Relationship {
                    id: id.clone(),
                    kind: relationship.to_ascii_lowercase(),
                    source,
                    target,
                });
                self.order.push(id);
            }
            "note" => {
                let text = [fields.get("abstract"), fields.get("content")]
                    .into_iter()
                    .filter_map(string)
                    .collect::<Vec<_>>()
                    .join("\n\n");
                if !text.is_empty() {
                    self.notes.push(Note {
                        id,
                        text,
                        refs: strings(fields.get("object_refs")),
                    });
                }
            }
            other => {
                let Some(kind) = Kind::of(other) else {
                    return;
                };
                let report = kind == Kind::Report;
                let mut aliases = strings(fields.get("aliases"));
                aliases.extend(strings(fields.get("x_mitre_aliases")));
                let object = Object {
                    kind,
                    grouping: other == "grouping",
                    name: string(fields.get("name")).unwrap_or_default(),
                    description: if report {
                        string(fields.get("description")).unwrap_or_default()
                    } else {
                        String::new()
                    },
                    aliases,
                    published: string(fields.get("published")),
                    created: string(fields.get("created")),
                    refs: if report {
                        strings(fields.get("object_refs"))
                    } else {
                        Vec::new()
                    },
                    external: external_references(fields.get("external_references")),
                    country: string(fields.get("country")),
                    region: fields.get("region").is_some(),
                    created_by: string(fields.get("created_by_ref")),
                };
                // A later version of an object replaces the earlier one.
                if self.objects.insert(id.clone(), object).is_none() {
                    if report {
                        self.reports.push(id.clone());
                    }
                    self.order.push(id);
                }
            }
        }
    }

    fn index(&self) -> Index<'_> {
        let mut by_source: FxHashMap<&str, Vec<&Relationship>> = FxHashMap::default();
        for relationship in &self.relationships {
            by_source
                .entry(relationship.source.as_str())
                .or_default()
                .push(relationship);
        }
        let mut notes_of: FxHashMap<&str, Vec<&Note>> = FxHashMap::default();
        for note in &self.notes {
            for target in &note.refs {
                notes_of.entry(target.as_str()).or_default().push(note);
            }
        }
        let notes_by_id = self.notes.iter().map(|n| (n.id.as_str(), n)).collect();
        let mut relationship_at = FxHashMap::default();
        let mut by_pair: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
        let mut sponsor_claims: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        let mut claimed: FxHashSet<(&str, &str, &str)> = FxHashSet::default();
        for (at, relationship) in self.relationships.iter().enumerate() {
            relationship_at.insert(relationship.id.as_str(), at);
            // Between two objects, one relationship of each kind says it
            // all: the copies a bundle of many reports repeats add nothing.
            let between = by_pair
                .entry((relationship.source.as_str(), relationship.target.as_str()))
                .or_default();
            if !between
                .iter()
                .any(|&seen: &usize| self.relationships[seen].kind == relationship.kind)
            {
                between.push(at);
            }
            if SPONSOR_RELATIONSHIPS.contains(&relationship.kind.as_str())
                && claimed.insert((
                    relationship.source.as_str(),
                    relationship.target.as_str(),
                    relationship.kind.as_str(),
                ))
            {
                sponsor_claims
                    .entry(relationship.source.as_str())
                    .or_default()
                    .push(at);
            }
        }
        Index {
            bundle: self,
            by_source,
            relationship_at,
            by_pair,
            sponsor_claims,
            notes_of,
            notes_by_id,
        }
    }
}

fn external_references(value: Option<&Value>) -> Vec<ExternalReference> {
    let Some(Value::Array(references)) = value else {
        return Vec::new();
    };
    references
        .iter()
        .filter_map(|reference| {
            let reference = reference.as_object()?;
            Some(ExternalReference {
                source_name: string(reference.get("source_name")).unwrap_or_default(),
                external_id: string(reference.get("external_id")),
                url: string(reference.get("url")),
            })
        })
        .collect()
}

/// A bundle with its relationships and notes looked up by what they refer
/// to.
struct Index<'b> {
    bundle: &'b Bundle,
    by_source: FxHashMap<&'b str, Vec<&'b Relationship>>,
    /// Where each relationship is in the bundle, by its id.
    relationship_at: FxHashMap<&'b str, usize>,
    /// The relationships from one object to another, by position, the
    /// first of each kind.
    by_pair: FxHashMap<(&'b str, &'b str), Vec<usize>>,
    /// The attribution relationships from each object, by position, the
    /// first of each kind to each target.
    sponsor_claims: FxHashMap<&'b str, Vec<usize>>,
    notes_of: FxHashMap<&'b str, Vec<&'b Note>>,
    notes_by_id: FxHashMap<&'b str, &'b Note>,
}

/// The objects a report is about.
struct Members<'b> {
    ids: Vec<&'b str>,
    set: FxHashSet<&'b str>,
}

impl<'b> Members<'b> {
    fn add(&mut self, id: &'b str) -> bool {
        let new = self.set.insert(id);
        if new {
            self.ids.push(id);
        }
        new
    }
}

impl<'b> Index<'b> {
    fn object(&self, id: &str) -> Option<&'b Object> {
        self.bundle.objects.get(id)
    }

    fn kind(&self, id: &str) -> Option<Kind> {
        self.object(id).map(|o| o.kind)
    }

    fn relationships_from(&self, id: &str) -> &[&'b Relationship] {
        self.by_source.get(id).map_or(&[], Vec::as_slice)
    }

    /// The article of the report (or grouping) `id`.
    fn article(&self, id: &'b str, today: NaiveDate) -> Result<Article, String> {
        let Some(report) = self.object(id) else {
            return Err("the report vanished from the bundle".to_string());
        };
        let mut warnings = Vec::new();
        let body = self.body(id, report);
        let title = shorten_title(&report.name);
        let (title, body) = match (title.is_empty(), body.is_empty()) {
            (true, true) => {
                return Err("STIX report without a name, description or note".to_string())
            }
            (false, true) => (title.clone(), title),
            (true, false) => (title_of(&body), body),
            (false, false) => (title, body),
        };
        let date = self.date(report, today, &mut warnings);
        let url = report.external.iter().find_map(|r| r.url.clone());
        let source = report
            .created_by
            .as_deref()
            .and_then(|creator| self.object(creator))
            .map(|identity| shorten_title(&identity.name))
            .filter(|name| !name.is_empty());
        let mut article = Article {
            local_id: Some(id.to_string()),
            title,
            date,
            body,
            source,
            url,
            warnings,
            ..Article::default()
        };
        self.declare(id, report, &mut article);
        Ok(article)
    }

    /// The report's description and the notes about it.
    fn body(&self, id: &str, report: &Object) -> String {
        let mut parts = vec![plain_text(&report.description)];
        let mut seen = FxHashSet::default();
        let notes = self.notes_of.get(id).into_iter().flatten().copied().chain(
            report
                .refs
                .iter()
                .filter_map(|r| self.notes_by_id.get(r.as_str()).copied()),
        );
        for note in notes {
            if seen.insert(note.id.as_str()) {
                parts.push(plain_text(&note.text));
            }
        }
        parts.retain(|p| !p.trim().is_empty());
        parts.join("\n\n").trim().to_string()
    }

    /// `published`; for a grouping, which has none, `created`, with a
    /// warning.
    fn date(
        &self,
        report: &Object,
        today: NaiveDate,
        warnings: &mut Vec<Warning>,
    ) -> Option<NaiveDate> {
        let (field, value) = match (&report.published, &report.created) {
            (Some(published), _) => ("published", published),
            (None, Some(created)) => {
                let what = if report.grouping {
                    "a grouping"
                } else {
                    "a report"
                };
                warnings.push(Warning(format!(
                    "{what} without a published date; dated by its created timestamp"
                )));
                ("created", created)
            }
            (None, None) => {
                warnings.push(Warning(
                    "no published or created timestamp; indexed without a date".to_string(),
                ));
                return None;
            }
        };
        let Some(date) = parse_date(value) else {
            warnings.push(Warning(format!(
                "the {field} timestamp {value:?} is not a date; indexed without a date"
            )));
            return None;
        };
        checked(date, &format!("the {field} timestamp"), today)
            .map_err(|warning| warnings.push(warning))
            .ok()
    }

    /// The objects the report is about: those it refers to (every object
    /// of the bundle, when it is the bundle's only report), the ends of the
    /// relationships among them, and the actors those are attributed to.
    fn members(&self, report: &'b Object) -> Members<'b> {
        let mut members = Members {
            ids: Vec::new(),
            set: FxHashSet::default(),
        };
        let refs: Vec<&'b str> = if self.bundle.reports.len() == 1 {
            self.bundle.order.iter().map(String::as_str).collect()
        } else {
            report.refs.iter().map(String::as_str).collect()
        };
        for id in refs {
            members.add(id);
        }
        // In bundle order, looked up by id: a bundle of many reports and
        // many relationships is not scanned once per report.
        let mut referred: Vec<usize> = members
            .ids
            .iter()
            .filter_map(|id| self.relationship_at.get(id).copied())
            .collect();
        referred.sort_unstable();
        for at in referred {
            let relationship = &self.bundle.relationships[at];
            members.add(&relationship.source);
            members.add(&relationship.target);
        }
        for _ in 0..MAX_ATTRIBUTION_STEPS {
            let mut attributed = Vec::new();
            for id in &members.ids {
                if !self.kind(id).is_some_and(Kind::acts) {
                    continue;
                }
                let claims = self.sponsor_claims.get(id).map_or(&[][..], Vec::as_slice);
                for relationship in claims.iter().map(|&at| &self.bundle.relationships[at]) {
                    if relationship.kind == "attributed-to"
                        && self.kind(&relationship.target).is_some_and(Kind::acts)
                    {
                        attributed.push(relationship.target.as_str());
                    }
                }
            }
            let mut grew = false;
            for id in attributed {
                grew |= members.add(id);
            }
            if !grew {
                break;
            }
        }
        members
    }

    /// The locations an object stands for: itself if it is one, where it
    /// is located if it is an identity.
    fn locations(&self, id: &'b str) -> Vec<&'b str> {
        match self.kind(id) {
            Some(Kind::Location) => vec![id],
            Some(Kind::Identity) => self
                .relationships_from(id)
                .iter()
                .filter(|r| r.kind == "located-at" && self.kind(&r.target) == Some(Kind::Location))
                .map(|r| r.target.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The relationships from `id` that can say something about the
    /// report: those it refers to, those between two of its members, and
    /// attributions, in bundle order. Looked up rather than scanned, since
    /// an actor shared by thousands of reports has thousands of
    /// relationships.
    fn relationships_about(
        &self,
        id: &str,
        members: &Members<'b>,
        stated_from: &mut FxHashMap<&str, Vec<usize>>,
    ) -> Vec<&'b Relationship> {
        let all = self.relationships_from(id);
        if all.len() <= members.ids.len() {
            return all.to_vec();
        }
        let mut positions = stated_from.remove(id).unwrap_or_default();
        for &target in &members.ids {
            if let Some(found) = self.by_pair.get(&(id, target)) {
                positions.extend(found);
            }
        }
        if let Some(claims) = self.sponsor_claims.get(id) {
            positions.extend(claims);
        }
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|at| &self.bundle.relationships[at])
            .collect()
    }

    /// Declares the facets of the objects the report is about.
    fn declare(&self, report_id: &str, report: &'b Object, article: &mut Article) {
        let members = self.members(report);
        let mut targets: Vec<&str> = Vec::new();
        let mut sponsors: Vec<&str> = Vec::new();
        let mut stated_from: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for at in members
            .ids
            .iter()
            .filter_map(|id| self.relationship_at.get(id))
        {
            let relationship = &self.bundle.relationships[*at];
            stated_from
                .entry(relationship.source.as_str())
                .or_default()
                .push(*at);
        }
        for &id in &members.ids {
            let Some(source_kind) = self.kind(id) else {
                continue;
            };
            for relationship in self.relationships_about(id, &members, &mut stated_from) {
                let kind = relationship.kind.as_str();
                let attribution = SPONSOR_RELATIONSHIPS.contains(&kind) && source_kind.acts();
                let stated = members.set.contains(relationship.id.as_str())
                    || members.set.contains(relationship.target.as_str());
                if !(stated || attribution) {
                    continue;
                }
                let places = self.locations(&relationship.target);
                if kind == "targets" {
                    add_new(&mut targets, places);
                } else if attribution {
                    add_new(&mut sponsors, places);
                }
            }
        }
        for &id in &members.ids {
            if id == report_id {
                continue;
            }
            let Some(object) = self.object(id) else {
                continue;
            };
            let from = format!("STIX {id}");
            match object.kind {
                Kind::IntrusionSet | Kind::ThreatActor if !object.name.is_empty() => {
                    let (name, aliases) = names(object);
                    article.declare_named(&ACTOR, name, aliases, from);
                }
                Kind::Malware | Kind::Tool if !object.name.is_empty() => {
                    let (name, aliases) = names(object);
                    article.declare_named(&MALWARE, name, aliases, from);
                }
                Kind::Vulnerability => {
                    if let Some(cve) = cve_of(object) {
                        article.declare(&CVE, cve, from);
                    }
                }
                Kind::AttackPattern => {
                    if let Some(technique) = technique_of(object) {
                        article.declare(&TECHNIQUE, technique, from);
                    }
                }
                Kind::Location if !targets.contains(&id) && !sponsors.contains(&id) => {
                    // Named with no relationship saying why: as the text
                    // extractor counts a country a report names, a target.
                    targets.push(id);
                }
                _ => {}
            }
        }
        for (facet, places) in [(&TARGET, &targets), (&SPONSOR, &sponsors)] {
            for &place in places.iter() {
                if let Some(country) = self.object(place).and_then(country_of) {
                    article.declare(facet, country, format!("STIX {place}"));
                }
            }
        }
    }
}

/// Adds the `places` not in `list` yet.
fn add_new<'b>(list: &mut Vec<&'b str>, places: Vec<&'b str>) {
    for place in places {
        if !list.contains(&place) {
            list.push(place);
        }
    }
}

/// An object's name and aliases, without the ATT&CK id MISP appends to
/// names (`APT16 - G0023`), each once.
fn names(object: &Object) -> (String, Vec<String>) {
    let name = without_attack_id(&object.name).to_string();
    let mut aliases: Vec<String> = Vec::new();
    for alias in &object.aliases {
        let alias = without_attack_id(alias);
        if !alias.eq_ignore_ascii_case(&name)
            && !aliases.iter().any(|a| a.eq_ignore_ascii_case(alias))
        {
            aliases.push(alias.to_string());
        }
    }
    (name, aliases)
}

/// `APT16 - G0023` → `APT16`; names without such an id are left alone.
fn without_attack_id(name: &str) -> &str {
    let name = name.trim();
    match name.rsplit_once(" - ") {
        Some((before, id)) if attack_id(id).is_some() => before.trim(),
        _ => name,
    }
}

/// An ATT&CK id (`G0023`, `S0017`, `T1134`, `T1059.001`) and its letter.
fn attack_id(text: &str) -> Option<char> {
    let letter = text.chars().next()?;
    let rest = &text[letter.len_utf8()..];
    let (main, sub) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let valid = matches!(letter, 'G' | 'S' | 'T' | 'C' | 'M')
        && digits(main, 4)
        && (sub.is_empty() || digits(sub, 3));
    valid.then_some(letter)
}

/// The CVE of a vulnerability: its `cve` external reference, else its name
/// when that is one.
fn cve_of(object: &Object) -> Option<String> {
    object
        .external
        .iter()
        .filter(|r| r.source_name.eq_ignore_ascii_case("cve"))
        .find_map(|r| r.external_id.clone())
        .or_else(|| {
            let name = object.name.trim();
            name.get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("CVE-"))
                .then(|| name.to_string())
        })
}

/// The ATT&CK technique of an attack pattern: its `mitre-attack` (or
/// mobile, ICS) external id, else the id MISP appends to its name.
fn technique_of(object: &Object) -> Option<String> {
    object
        .external
        .iter()
        .filter(|r| r.source_name.starts_with("mitre"))
        .filter_map(|r| r.external_id.as_deref())
        .find(|id| attack_id(id) == Some('T'))
        .map(str::to_string)
        .or_else(|| {
            let (_, id) = object.name.rsplit_once(" - ")?;
            (attack_id(id.trim()) == Some('T')).then(|| id.trim().to_string())
        })
}

/// A location's country: its alpha-2 `country`, else its name unless it is
/// a region.
fn country_of(location: &Object) -> Option<String> {
    location
        .country
        .clone()
        .or_else(|| (!location.region && !location.name.is_empty()).then(|| location.name.clone()))
}

/// The top level of a bundle.
struct BundleSeed<'b> {
    bundle: &'b mut Bundle,
}

impl<'de> DeserializeSeed<'de> for BundleSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BundleSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a STIX bundle")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.bundle.not_a_bundle = true;
        Err(serde::de::Error::custom(NOT_A_BUNDLE))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => {
                    let kind = map.next_value::<Value>()?;
                    if kind.as_str() != Some("bundle") {
                        self.bundle.not_a_bundle = true;
                        return Err(serde::de::Error::custom(NOT_A_BUNDLE));
                    }
                    self.bundle.kind = Some("bundle".to_string());
                }
                "objects" => map.next_value_seed(ObjectsSeed {
                    bundle: &mut *self.bundle,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A bundle's `objects`, each kept as it is parsed, or passed over.
struct ObjectsSeed<'b> {
    bundle: &'b mut Bundle,
}

impl<'de> DeserializeSeed<'de> for ObjectsSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of STIX objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(fields) = seq.next_element_seed(ObjectSeed)? {
            self.bundle.seen += 1;
            if let Some(fields) = fields {
                self.bundle.add(fields);
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One object of a bundle: the fields dossier reads, or nothing when it is
/// not an object.
struct ObjectSeed;

impl<'de> DeserializeSeed<'de> for ObjectSeed {
    type Value = Option<Map<String, Value>>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed {
    type Value = Option<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a STIX object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if KEPT_FIELDS.contains(&key.as_str()) {
                fields.insert(key, map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn read_path(path: &Path) -> Result<Vec<Result<Article, ArticleProblem>>, SkipReason> {
        let input = Input {
            path,
            today: today(),
        };
        let mut emitted = Vec::new();
        Stix.read(&input, &mut |item| emitted.push(item))?;
        Ok(emitted)
    }

    fn read_bytes(bytes: &[u8]) -> Result<Vec<Result<Article, ArticleProblem>>, SkipReason> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.json");
        std::fs::write(&path, bytes).unwrap();
        read_path(&path)
    }

    fn repo(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    fn declared<'a>(article: &'a Article, facet: &crate::model::facet::Facet) -> Vec<&'a str> {
        article.declared.values(facet)
    }

    #[test]
    fn a_bundle_is_recognised_by_its_first_top_level_keys() {
        for (head, bundle) in [
            (
                &br#"{"type": "bundle", "id": "bundle--1", "objects": []}"#[..],
                true,
            ),
            (br#"  {"id": "bundle--1", "type": "bundle"}"#, true),
            (
                br#"{"objects": [{"type": "report"}], "type": "bundle"}"#,
                true,
            ),
            (
                br#"{"spec_version": "2.0", "x": {"type": "no"}, "type": "bundle"}"#,
                true,
            ),
            (b"\xEF\xBB\xBF{\"type\":\"bundle\"", true),
            (br#"{"type": "report", "id": "report--1"}"#, false),
            (
                br#"{"id": "feed-1", "title": "Not STIX", "type": "bundle"}"#,
                true,
            ),
            (
                br#"{"title": "A feed item", "items": [{"type": "bundle"}]}"#,
                false,
            ),
            (br#"{"description": "cut off here"#, false),
            (br#"[{"type": "bundle"}]"#, false),
            (b"not json", false),
        ] {
            assert_eq!(
                looks_like_bundle(head),
                bundle,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn the_corpus_bundle_gives_one_article_a_report_with_its_facets_declared() {
        let emitted = read_path(&repo("corpus/stix-espionage-reports.json")).unwrap();
        let articles: Vec<&Article> = emitted.iter().map(|a| a.as_ref().unwrap()).collect();
        assert_eq!(articles.len(), 5);
        let apt29 = articles[0];
        assert_eq!(
            apt29.title,
            "Diplomatic lure campaign delivers WellMess to European ministries"
        );
        assert_eq!(apt29.date, NaiveDate::from_ymd_opt(2024, 2, 6));
        assert!(apt29.local_id.as_deref().unwrap().starts_with("report--"));
        assert!(apt29.body.contains("wine-tasting reception"));
        assert_eq!(apt29.source.as_deref(), Some("Dossier Sample Intelligence"));
        assert_eq!(
            apt29.url.as_deref(),
            Some("https://intel.example.org/reports/2024-02-apt29-diplomatic-lures")
        );
        assert_eq!(declared(apt29, &ACTOR), ["APT29"]);
        let (_, actor) = apt29.declared.iter().find(|(f, _)| *f == &ACTOR).unwrap();
        assert!(actor.from.starts_with("STIX intrusion-set--"), "{actor:?}");
        assert_eq!(
            actor.aliases,
            ["Cozy Bear", "NOBELIUM", "The Dukes", "Midnight Blizzard"]
        );
        assert_eq!(declared(apt29, &MALWARE), ["WellMess", "Cobalt Strike"]);
        assert_eq!(declared(apt29, &CVE), ["CVE-2023-23397"]);
        assert_eq!(declared(apt29, &TECHNIQUE), ["T1566.001"]);
        assert_eq!(declared(apt29, &TARGET), ["DE", "PL"]);
        assert_eq!(declared(apt29, &SPONSOR), ["RU"]);
        assert!(apt29.warnings.is_empty(), "{:?}", apt29.warnings);

        let sandworm = articles[1];
        assert_eq!(
            declared(sandworm, &ACTOR),
            ["Sandworm Team", "GRU Unit 74455"]
        );
        assert_eq!(declared(sandworm, &TARGET), ["UA"]);
        assert_eq!(
            declared(sandworm, &SPONSOR),
            ["RU"],
            "through attributed-to and located-at"
        );
        assert_eq!(declared(sandworm, &TECHNIQUE), ["T1485"]);

        let lantern = articles[4];
        assert_eq!(declared(lantern, &ACTOR), ["Harbor Lantern"]);
        assert_eq!(declared(lantern, &TARGET), ["TW", "PH"]);
        assert!(declared(lantern, &SPONSOR).is_empty());
    }

    #[test]
    fn a_misp_export_is_read_with_its_groupings_notes_and_galaxy_names() {
        let emitted = read_path(&repo("tests/fixtures/formats/stix/misp-event.json")).unwrap();
        let articles: Vec<&Article> = emitted.iter().map(|a| a.as_ref().unwrap()).collect();
        assert_eq!(articles.len(), 2);
        let grouping = articles[0];
        assert_eq!(
            grouping.title,
            "Phishing wave against German political party staff"
        );
        assert_eq!(grouping.date, NaiveDate::from_ymd_opt(2024, 1, 28));
        assert!(
            grouping.warnings[0]
                .0
                .contains("grouping without a published date"),
            "{:?}",
            grouping.warnings
        );
        assert!(
            grouping.body.contains("fake party congress portal"),
            "{}",
            grouping.body
        );
        assert_eq!(grouping.source.as_deref(), Some("Example CERT"));
        assert_eq!(declared(grouping, &ACTOR), ["APT28"]);
        let (_, actor) = grouping
            .declared
            .iter()
            .find(|(f, _)| *f == &ACTOR)
            .unwrap();
        assert_eq!(actor.aliases, ["Sofacy", "Fancy Bear"]);
        assert_eq!(declared(grouping, &TECHNIQUE), ["T1566.002"]);
        assert_eq!(declared(grouping, &CVE), ["CVE-2023-38831"]);
        assert_eq!(
            declared(grouping, &TARGET),
            ["DE"],
            "a location with no relationship"
        );
        let report = articles[1];
        assert_eq!(report.date, NaiveDate::from_ymd_opt(2024, 2, 1));
        assert_eq!(
            report.url.as_deref(),
            Some("https://cert.example.org/events/4412")
        );
        assert_eq!(declared(report, &ACTOR), ["Copper Heron"]);
        assert_eq!(declared(report, &MALWARE), ["SHADOWLINK"]);
        assert_eq!(declared(report, &TARGET), ["MD"]);
    }

    #[test]
    fn an_actor_shared_by_many_reports_gives_each_report_its_own_targets() {
        // Twenty reports name one intrusion set, which then has more
        // relationships than any report has members: each report's targets
        // are the ones it states, its sponsor the bundle's attribution, and
        // a location it does not name is not its target.
        let countries = ["DE", "PL", "FR"];
        let mut objects = vec![serde_json::json!({
            "type": "intrusion-set", "id": "intrusion-set--a", "name": "APT28"
        })];
        for (n, code) in countries.iter().chain(&["RU"]).enumerate() {
            objects.push(serde_json::json!({
                "type": "location", "id": format!("location--{n}"), "country": code
            }));
        }
        objects.push(serde_json::json!({
            "type": "relationship", "id": "relationship--origin",
            "relationship_type": "originates-from",
            "source_ref": "intrusion-set--a", "target_ref": "location--3"
        }));
        for report in 0..20 {
            let target = format!("location--{}", report % 3);
            let relationship = format!("relationship--{report}");
            objects.push(serde_json::json!({
                "type": "relationship", "id": relationship, "relationship_type": "targets",
                "source_ref": "intrusion-set--a", "target_ref": target
            }));
            objects.push(serde_json::json!({
                "type": "report", "id": format!("report--{report}"), "name": format!("Report {report}"),
                "published": "2024-03-01T00:00:00Z", "description": "APT28 again.",
                "object_refs": ["intrusion-set--a", relationship, target]
            }));
        }
        let bundle = serde_json::json!({"type": "bundle", "id": "bundle--x", "objects": objects});
        let emitted = read_bytes(bundle.to_string().as_bytes()).unwrap();
        assert_eq!(emitted.len(), 20);
        for (report, article) in emitted.iter().enumerate() {
            let article = article.as_ref().unwrap();
            assert_eq!(
                declared(article, &TARGET),
                [countries[report % 3]],
                "report {report}"
            );
            assert_eq!(declared(article, &SPONSOR), ["RU"], "report {report}");
        }
    }

    #[test]
    fn a_stix_2_0_bundle_is_read_like_2_1() {
        let emitted = read_path(&repo("tests/fixtures/formats/stix/stix20-bundle.json")).unwrap();
        let article = emitted[0].as_ref().unwrap();
        assert_eq!(
            article.title,
            "Phishing against an election commission delivers Zebrocy"
        );
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2019, 2, 20));
        assert_eq!(declared(article, &ACTOR), ["APT28"]);
        assert_eq!(declared(article, &MALWARE), ["Zebrocy"]);
    }

    #[test]
    fn json_that_is_no_bundle_is_read_as_json_and_bad_bundles_are_refused() {
        let emitted =
            read_bytes(br#"{"objects": [], "title": "An article", "text": "Not STIX."}"#).unwrap();
        assert_eq!(emitted[0].as_ref().unwrap().title, "An article");
        let empty = read_bytes(br#"{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1"}, 7, null]}"#)
            .unwrap_err();
        assert_eq!(
            empty.to_string(),
            "STIX bundle without a report or grouping: 3 objects, none of them an article"
        );
        let broken =
            read_bytes(br#"{"type": "bundle", "objects": [{"type": "report""#).unwrap_err();
        assert!(broken.to_string().starts_with("not valid JSON"), "{broken}");
        let nameless = read_bytes(
            br#"{"type": "bundle", "objects": [{"type": "report", "id": "report--1"}, {"type": "report", "id": "report--2", "description": "Text only. More.", "published": "2024-13-01"}]}"#,
        )
        .unwrap();
        assert_eq!(nameless[0].as_ref().unwrap_err().location, "report--1");
        let text_only = nameless[1].as_ref().unwrap();
        assert_eq!(text_only.title, "Text only.");
        assert!(
            text_only.warnings[0].0.contains("not a date"),
            "{:?}",
            text_only.warnings
        );
    }

    #[test]
    fn misp_attack_ids_are_cut_from_names() {
        assert_eq!(without_attack_id("APT16 - G0023"), "APT16");
        assert_eq!(
            without_attack_id("Spearphishing Link - T1566.002"),
            "Spearphishing Link"
        );
        assert_eq!(without_attack_id("Red - Team"), "Red - Team");
        assert_eq!(attack_id("T1059.001"), Some('T'));
        assert_eq!(attack_id("T10"), None);
        assert_eq!(attack_id("É1234"), None);
    }
}
