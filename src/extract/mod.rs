//! Extraction: derives an article's facets from its own text — the threat
//! actors it names (resolved to canonical names), their sponsor states, and
//! the countries it reports as targeted — with the evidence for each.
//!
//! Matching is one hashed word n-gram pass over every alias and country form
//! (see `phrases.rs`), with whole-word and case rules per pattern; context rules then decide whether a
//! country mention is a victim, an accused state or a bystander.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

mod context;
mod cues;
pub mod declared;
mod phrases;
mod sectors;
mod software;
mod vendor;

use serde::Serialize;

use crate::gazetteer::{Actor, Aliased, Gazetteer};
use context::{context_word, words_after, words_before, LowerWord, Words};
use cues::{
    CueList, ACCUSATION_CUES, ACCUSER_AGENCIES, ACCUSER_VERBS, ACTOR_CUES_AFTER, ACTOR_CUES_BEFORE,
    AGENCY_AGENTS_AFTER, AGENCY_MASTER_BEFORE, AMBIGUOUS_NOUNS, ARTICLES, ATTACK_NOUNS_AND_VERBS,
    ATTACK_VERBS, ATTRIBUTION_SUFFIXES, CO_SIGNER_CUES, CO_SIGNING, DESCRIPTOR_SUFFIXES,
    ENDS_ACCUSATION_CUE, ENDS_ACTOR_CUE, GEORGIA_US_CUES, GOVERNING_PREPOSITIONS, GROUP_NOUNS,
    LOCATIVE_SUFFIXES, LOCATIVE_VICTIM_CUES, NAMING_VERBS, OBSERVER_NOUNS, PASSIVE_MARKERS,
    SKIPPED_BEFORE_VERB, STRONG_ATTRIBUTION_NOUNS, STRONG_VICTIM_CUES, VICTIM_NOUNS,
};
use phrases::{is_word_char, PhraseMatch, PhraseMatcher};

/// Where a surface form was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The text as written in the article.
    pub surface: String,
    /// Byte offset of the surface form in the text given to the extractor.
    pub offset: usize,
}

/// A threat actor named in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorFacet {
    /// Canonical name.
    pub name: String,
    /// Suspected sponsor state (alpha-2).
    pub sponsor: Option<String>,
    /// Every place the article names it.
    pub mentions: Vec<Mention>,
}

/// Why a country is or is not a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountryRole {
    /// Named as hit or targeted ("attacks on Ukraine", "Germany was breached").
    Attacked,
    /// Named as the home of a victim ("Finnish parliament", "in Poland").
    Victim,
    /// Named in passing; counts as a target unless the state is accused.
    Mentioned,
    /// Named as accusing, sanctioning or advising.
    Accuser,
    /// Named as behind the activity ("Chinese hackers", "attributed to Iran").
    Accused,
    /// Named to describe something else ("Russian-speaking", "a Singapore-based
    /// company", "Israeli-made"): neither target nor accused.
    Descriptor,
}

/// A country named in an article, with the verdict on whether it is a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryFacet {
    /// Alpha-2 code.
    pub code: String,
    /// Whether the article reports it as targeted.
    pub target: bool,
    /// One sentence saying why.
    pub reason: String,
    /// Every mention with the role its context gave it.
    pub mentions: Vec<(Mention, CountryRole)>,
}

/// Everything extracted from one article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// Actors, sorted by canonical name.
    pub actors: Vec<ActorFacet>,
    /// Sponsor states, sorted: those of the named actors plus states the text
    /// blames directly.
    pub sponsors: Vec<String>,
    /// Every country named, sorted by code.
    pub countries: Vec<CountryFacet>,
    /// CVE identifiers (`CVE-2023-23397`), upper-cased, sorted.
    pub cves: Vec<String>,
    /// MITRE ATT&CK technique IDs (`T1566`, `T1059.001`), sorted.
    pub techniques: Vec<String>,
    /// Malware and tool names ATT&CK lists, as ATT&CK writes them, sorted.
    pub software: Vec<String>,
    /// Targeted sectors (ids of the taxonomy, `telecommunications`), sorted.
    pub sectors: Vec<String>,
    /// Where the text names each CVE, technique and piece of software, in
    /// text order ([`Extractor::extract_located`] only; empty otherwise).
    pub indicators: Vec<IndicatorMention>,
    /// Why each sector, and each software name read as software or as the
    /// gang that runs it, was taken: the words and the reason, in text order
    /// ([`Extractor::extract_located`] only; empty otherwise).
    pub readings: Vec<Reading>,
}

/// Why one mention gave a facet value: the words that decided and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// The facet the value went to (`actor`, `malware`, `sector`).
    pub facet: &'static str,
    /// The value (`LockBit`, `telecommunications`).
    pub value: String,
    /// The words that decided, as written.
    pub mention: Mention,
    /// Why, in one phrase.
    pub why: String,
}

/// One place the text names a CVE, an ATT&CK technique or a piece of
/// software.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorMention {
    /// The facet the value belongs to (`cve`, `technique`, `malware`).
    pub facet: &'static str,
    /// The value as the facet stores it (`CVE-2023-23397`, `T1566`).
    pub value: String,
    /// The words as written.
    pub mention: Mention,
}

impl Extraction {
    /// Canonical actor names.
    pub fn actor_names(&self) -> Vec<String> {
        self.actors.iter().map(|a| a.name.clone()).collect()
    }

    /// Target country codes.
    pub fn targets(&self) -> Vec<String> {
        self.countries
            .iter()
            .filter(|c| c.target)
            .map(|c| c.code.clone())
            .collect()
    }

    /// The distinct surface forms that produced each actor, for showing an
    /// analyst why an article carries a facet.
    pub fn actor_evidence(&self) -> BTreeMap<String, Vec<String>> {
        self.actors
            .iter()
            .map(|a| {
                let forms: BTreeSet<String> =
                    a.mentions.iter().map(|m| m.surface.clone()).collect();
                (a.name.clone(), forms.into_iter().collect())
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseRule {
    /// Matched in any case (aliases written in lower case, like `menuPass`).
    Any,
    /// The first letter must be a capital.
    Initial,
    /// Every word must start with a capital ("Cozy Bear", not "cozy bear").
    EveryWord,
    /// Exactly as written (`US`, `U.K.`).
    Exact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Referent {
    Actor { index: usize, ordinary: bool },
    Country { index: usize },
}

#[derive(Debug, Clone, Copy)]
struct Pattern {
    referent: Referent,
    case: CaseRule,
    single_word: bool,
    /// A capital standing for its state ("Beijing-backed"): counts only as
    /// attribution, never as a target.
    metonym: bool,
}

/// Capitals used to mean their governments in attribution ("Moscow-backed").
const METONYMS: &[(&str, &str)] = &[
    ("Beijing", "CN"),
    ("Moscow", "RU"),
    ("Kremlin", "RU"),
    ("Tehran", "IR"),
    ("Pyongyang", "KP"),
];

/// Bump whenever the extraction rules change, so existing indexes re-extract
/// every article on the next `dossier index`.
pub const RULES_VERSION: u32 = 7;

/// A name an article introduces for a group it has just described or
/// describes in the same breath: "the threat actor we dubbed ReconHellcat",
/// "a group known as Orz", "we have named this threat actor CloudFall". The
/// cue words are lower case and the name begins with a capital, which is how
/// the name is found in a match.
///
/// Its `\b` is ASCII's: a Unicode `\b` makes the fast engine give up at the
/// first non-ASCII byte and hand the rest of the article to a slow one. A
/// match after a non-ASCII letter, where only the ASCII `\b` holds, is
/// turned down where it is used.
const INTRODUCED_NAME: &str = r"(?-u:\b)(?:dubbed|named|called|nicknamed|tracks? as|tracked as|known as|refers? to as|referred to as|(?:dub|dubbed|name|named|call|called|nickname|nicknamed) (?:this|the|that) (?:new )?(?:threat )?(?:actor|group)) [\x{201c}\x{2018}\x22']?([A-Z][A-Za-z0-9$]{2,}(?: [A-Z][A-Za-z0-9$]{2,})?)";

/// CVE identifiers; ASCII-only so the regex stays on its fast path.
const CVE_PATTERN: &str = r"(?i-u)\bCVE-(\d{4})-(\d{4,7})\b";
/// ATT&CK technique and sub-technique IDs.
const TECHNIQUE_PATTERN: &str = r"(?-u)\bT1\d{3}(?:\.\d{3})?\b";

/// Derives facets from article text. Build once, share across threads.
pub struct Extractor {
    cve: regex::Regex,
    technique: regex::Regex,
    introduced_name: regex::Regex,
    gazetteer: Arc<Gazetteer>,
    phrases: PhraseMatcher,
    patterns: Vec<Pattern>,
    /// The pattern strings, for exact-case comparisons.
    strings: Vec<String>,
    /// The software forms the word pass looks for after the gazetteer's:
    /// (form, software index, ordinary words).
    software_forms: Vec<(String, usize, bool)>,
    /// The sector terms.
    sectors: sectors::SectorMatcher,
    /// The techniques whose names the word pass looks for after the
    /// software forms, by index into the gazetteer's techniques.
    technique_forms: Vec<usize>,
    /// The intelligence agencies the word pass looks for last: the index
    /// of the one country with an agency of that name, if one.
    agency_forms: Vec<Option<usize>>,
}

/// An intelligence agency named in a text.
struct AgencyMention {
    start: usize,
    end: usize,
    /// The state it serves, when only one has an agency of that name.
    country: Option<usize>,
    /// Whether the words around it make it the attackers' master.
    attributed: bool,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

/// Country names that are also given names; followed or preceded by another
/// capitalised word they are a person ("Chad Smith", "Michael Jordan").
const GIVEN_NAME_COUNTRIES: &[&str] = &["Chad", "Jordan", "Georgia", "India", "Israel", "Kenya"];

impl Extractor {
    /// Builds the matching tables over every alias and country form.
    pub fn new(gazetteer: Arc<Gazetteer>) -> Extractor {
        let mut strings: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut push = |text: &str, pattern: Pattern| {
            strings.push(text.to_string());
            patterns.push(pattern);
        };
        for (index, actor) in gazetteer.actors().iter().enumerate() {
            // A ransomware gang is read from its brand (`read_software`).
            if actor.brand {
                continue;
            }
            for form in actor_alias_forms(actor) {
                let (alias, ordinary) = (form.text, form.ordinary);
                let starts_lower = alias.chars().next().is_some_and(char::is_lowercase);
                let case = if form.joined || alias.chars().count() <= 4 {
                    CaseRule::Exact
                } else if ordinary {
                    CaseRule::EveryWord
                } else if starts_lower {
                    CaseRule::Any
                } else {
                    CaseRule::Initial
                };
                let single_word = !alias.contains([' ', '-']);
                push(
                    &alias,
                    Pattern {
                        referent: Referent::Actor { index, ordinary },
                        case,
                        single_word,
                        metonym: false,
                    },
                );
            }
        }
        for (index, country) in gazetteer.countries().iter().enumerate() {
            let referent = Referent::Country { index };
            let names = std::iter::once(&country.name)
                .chain(&country.names)
                .chain(&country.demonyms);
            for name in names {
                for form in apostrophe_forms(name) {
                    push(
                        &form,
                        Pattern {
                            referent,
                            case: CaseRule::Initial,
                            single_word: false,
                            metonym: false,
                        },
                    );
                }
            }
            for abbreviation in &country.abbreviations {
                push(
                    abbreviation,
                    Pattern {
                        referent,
                        case: CaseRule::Exact,
                        single_word: false,
                        metonym: false,
                    },
                );
            }
        }
        for (name, code) in METONYMS {
            if let Some(index) = gazetteer.countries().iter().position(|c| c.code == *code) {
                push(
                    name,
                    Pattern {
                        referent: Referent::Country { index },
                        case: CaseRule::Initial,
                        single_word: true,
                        metonym: true,
                    },
                );
            }
        }
        // Software names share the word pass; their indices follow the
        // gazetteer patterns'.
        let mut software_forms: Vec<(String, usize, bool)> = Vec::new();
        let mut seen_forms = BTreeSet::new();
        for (index, software) in gazetteer.software().iter().enumerate() {
            for (form, ordinary) in software.alias_forms() {
                if seen_forms.insert(form.to_lowercase()) {
                    software_forms.push((form.clone(), index, ordinary));
                }
            }
        }
        // Technique names of two words or more; one word ("Phishing",
        // "Rootkit") is ordinary prose.
        let technique_forms: Vec<usize> = gazetteer
            .techniques()
            .iter()
            .enumerate()
            .filter(|(_, t)| t.name.contains(' '))
            .map(|(index, _)| index)
            .collect();
        let sectors = sectors::SectorMatcher::new(gazetteer.sectors());
        // Agencies of two words or more ("GRU" is a cue word already).
        let agencies: Vec<&crate::gazetteer::Agency> = gazetteer
            .agencies()
            .iter()
            .filter(|a| a.name.contains(' '))
            .collect();
        let agency_forms: Vec<Option<usize>> = agencies
            .iter()
            .map(|a| match a.countries.as_slice() {
                [code] => gazetteer.countries().iter().position(|c| c.code == *code),
                _ => None,
            })
            .collect();
        let phrases = PhraseMatcher::new(
            &strings
                .iter()
                .map(String::as_str)
                .chain(software_forms.iter().map(|(form, _, _)| form.as_str()))
                .chain(
                    technique_forms
                        .iter()
                        .map(|&i| gazetteer.techniques()[i].name.as_str()),
                )
                .chain(agencies.iter().map(|a| a.name.as_str()))
                .chain(sectors.terms().iter().map(String::as_str))
                .collect::<Vec<_>>(),
        );

        Extractor {
            cve: regex::Regex::new(CVE_PATTERN).expect("CVE pattern is valid"),
            technique: regex::Regex::new(TECHNIQUE_PATTERN).expect("technique pattern is valid"),
            gazetteer,
            introduced_name: regex::Regex::new(INTRODUCED_NAME)
                .expect("introduced-name pattern is valid"),
            phrases,
            patterns,
            strings,
            software_forms,
            sectors,
            technique_forms,
            agency_forms,
        }
    }

    /// The gazetteer this extractor matches against.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Extracts the facets of one article's text.
    pub fn extract(&self, text: &str) -> Extraction {
        self.extract_as(text, false)
    }

    /// Extracts like [`Extractor::extract`], also recording where the text
    /// names each CVE, technique and piece of software
    /// ([`Extraction::indicators`]): for showing a reader, not for indexing.
    pub fn extract_located(&self, text: &str) -> Extraction {
        self.extract_as(text, true)
    }

    fn extract_as(&self, text: &str, locate_indicators: bool) -> Extraction {
        let words = phrases::words(text);
        let found = self.phrases.find_all(text, &words);
        // The word pass's patterns come in runs, one per kind of name, in
        // the order `new` chained them.
        let software_from = self.patterns.len();
        let techniques_from = software_from + self.software_forms.len();
        let agencies_from = techniques_from + self.technique_forms.len();
        let sectors_from = agencies_from + self.agency_forms.len();
        let mut gazetteer_found = Vec::new();
        let mut software_found = Vec::new();
        let mut technique_names_found = Vec::new();
        let mut agencies_found = Vec::new();
        let mut sector_terms_found = Vec::new();
        for m in found {
            let kind = match m.pattern {
                p if p < software_from => &mut gazetteer_found,
                p if p < techniques_from => &mut software_found,
                p if p < agencies_from => &mut technique_names_found,
                p if p < sectors_from => &mut agencies_found,
                _ => &mut sector_terms_found,
            };
            kind.push(m);
        }
        let agencies = self.agency_mentions(text, agencies_found, agencies_from);
        let matches = self.find_matches(text, gazetteer_found);

        let mut actor_mentions: BTreeMap<usize, Vec<Mention>> = BTreeMap::new();
        let mut pending_ordinary: Vec<(usize, Mention)> = Vec::new();
        let mut country_mentions: BTreeMap<usize, Vec<(Mention, CountryRole)>> = BTreeMap::new();
        let mut ordered_countries: Vec<(usize, Mention, CountryRole, bool)> = Vec::new();
        for (start, end, pattern, id) in &matches {
            let mention = Mention {
                surface: text[*start..*end].to_string(),
                offset: *start,
            };
            match pattern.referent {
                Referent::Actor { index, ordinary } => {
                    if ordinary
                        && pattern.single_word
                        && !ordinary_alias_is_a_name(text, *start, *end, &self.strings[*id])
                    {
                        pending_ordinary.push((index, mention));
                    } else {
                        actor_mentions.entry(index).or_default().push(mention);
                    }
                }
                Referent::Country { index } => {
                    let surface = &text[*start..*end];
                    if GIVEN_NAME_COUNTRIES.contains(&surface) && is_person_name(text, *start, *end)
                    {
                        continue;
                    }
                    let index = if surface == "Georgia" && georgia_is_us_state(text, *start, *end) {
                        match self
                            .gazetteer
                            .countries()
                            .iter()
                            .position(|c| c.code == "US")
                        {
                            Some(us) => us,
                            None => continue,
                        }
                    } else {
                        index
                    };
                    let role = country_role(text, *start, *end);
                    ordered_countries.push((index, mention, role, pattern.metonym));
                }
            }
        }
        share_roles_across_coordination(text, &mut ordered_countries);
        // "China's Ministry of State Security": the country names the
        // agency's state, blamed when the agency is, and no victim.
        for (_, mention, role, _) in &mut ordered_countries {
            let end = mention.offset + mention.surface.len();
            let rest = &text[end..];
            let gap = if rest.starts_with("'s ") || rest.starts_with("\u{2019}s ") {
                rest.find(' ').map_or(0, |i| i + 1)
            } else if rest.starts_with(' ') {
                1
            } else {
                continue;
            };
            if let Some(agency) = agencies.iter().find(|a| a.start == end + gap) {
                if agency.attributed {
                    *role = CountryRole::Accused;
                } else if matches!(
                    role,
                    CountryRole::Victim | CountryRole::Attacked | CountryRole::Mentioned
                ) {
                    *role = CountryRole::Descriptor;
                }
            }
        }
        for (index, mention, role, metonym) in ordered_countries {
            if metonym && role != CountryRole::Accused {
                continue;
            }
            country_mentions
                .entry(index)
                .or_default()
                .push((mention, role));
        }
        // "hackers working for the Reconnaissance General Bureau": an
        // agency of one state, named as the attackers' master, blames it.
        for agency in agencies.iter().filter(|a| a.attributed) {
            if let Some(index) = agency.country {
                country_mentions.entry(index).or_default().push((
                    Mention {
                        surface: text[agency.start..agency.end].to_string(),
                        offset: agency.start,
                    },
                    CountryRole::Accused,
                ));
            }
        }
        // A single ordinary word counts when a distinctive alias of the same
        // actor confirms it ("Snake" in an article that also says "Turla").
        for (index, mention) in pending_ordinary {
            if let Some(mentions) = actor_mentions.get_mut(&index) {
                mentions.push(mention);
            }
        }

        // The actor mentions that stand: a single ordinary word turned down
        // ("Royal" without a cue) leaves the words to the software reading.
        let accepted: BTreeSet<usize> = actor_mentions
            .values()
            .flatten()
            .map(|m| m.offset)
            .collect();
        let accepted_actor_spans: Vec<(usize, usize)> = matches
            .iter()
            .filter(|(start, _, pattern, _)| {
                matches!(pattern.referent, Referent::Actor { .. }) && accepted.contains(start)
            })
            .map(|(start, end, _, _)| (*start, *end))
            .collect();
        let software_read = self.read_software(
            text,
            software_found,
            &accepted_actor_spans,
            locate_indicators,
        );
        if !software_read.vetoed_actor_offsets.is_empty() {
            for mentions in actor_mentions.values_mut() {
                mentions.retain(|m| !software_read.vetoed_actor_offsets.contains(&m.offset));
            }
            actor_mentions.retain(|_, mentions| !mentions.is_empty());
        }
        let unlisted = self.unlisted_actors(text, &words, &matches, &software_read.names);
        let actors: Vec<ActorFacet> = actor_mentions
            .into_iter()
            .map(|(index, mut mentions)| {
                mentions.sort_by_key(|m| m.offset);
                let actor = &self.gazetteer.actors()[index];
                ActorFacet {
                    name: actor.name.clone(),
                    sponsor: actor.sponsor.clone(),
                    mentions,
                }
            })
            .collect();
        let mut actors = actors;
        // One actor a name, whichever path found it.
        for found in unlisted
            .into_iter()
            .chain(software_read.operators.into_values())
        {
            match actors.iter_mut().find(|a| a.name == found.name) {
                Some(known) => {
                    known.mentions.extend(found.mentions);
                    // Two paths may find one place ("Babuk gang" as a vendor
                    // name and as the brand's gang): the longer words stay.
                    known.mentions.sort_by(|a, b| {
                        a.offset
                            .cmp(&b.offset)
                            .then(b.surface.len().cmp(&a.surface.len()))
                    });
                    known.mentions.dedup_by_key(|m| m.offset);
                }
                None => actors.push(found),
            }
        }
        actors.sort_by(|a, b| a.name.cmp(&b.name));

        let mut sponsors: BTreeSet<String> =
            actors.iter().filter_map(|a| a.sponsor.clone()).collect();
        for (&index, mentions) in &country_mentions {
            if mentions
                .iter()
                .any(|(_, role)| *role == CountryRole::Accused)
            {
                sponsors.insert(self.gazetteer.countries()[index].code.clone());
            }
        }

        let mut countries: Vec<CountryFacet> = country_mentions
            .into_iter()
            .map(|(index, mentions)| {
                let code = self.gazetteer.countries()[index].code.clone();
                let (target, reason) = target_verdict(&code, &mentions, &sponsors, &actors);
                CountryFacet {
                    code,
                    target,
                    reason,
                    mentions,
                }
            })
            .collect();
        countries.sort_by(|a, b| a.code.cmp(&b.code));

        // Matches, not capture groups: a capture search runs a second,
        // slower engine over every match. A match is `CVE` in any case and
        // then its numbers.
        let mut indicators = Vec::new();
        let mut indicator = |facet: &'static str, value: String, start: usize, end: usize| {
            if !locate_indicators {
                return value;
            }
            indicators.push(IndicatorMention {
                facet,
                value: value.clone(),
                mention: Mention {
                    surface: text[start..end].to_string(),
                    offset: start,
                },
            });
            value
        };
        let cves: BTreeSet<String> = self
            .cve
            .find_iter(text)
            .map(|m| {
                indicator(
                    "cve",
                    format!("CVE{}", &m.as_str()[3..]),
                    m.start(),
                    m.end(),
                )
            })
            .collect();
        let mut techniques: BTreeSet<String> = self
            .technique
            .find_iter(text)
            .map(|m| indicator("technique", m.as_str().to_string(), m.start(), m.end()))
            .collect();
        // ATT&CK's names for techniques ("Spearphishing Attachment"): names
        // of two words as ATT&CK capitalises them, longer ones in any case.
        for m in technique_names_found {
            let surface = &text[m.start..m.end];
            let index = self.technique_forms[m.pattern - techniques_from];
            let technique = &self.gazetteer.techniques()[index];
            let long = technique.name.split(' ').count() >= 3;
            let capitalised = surface
                .split([' ', '-'])
                .filter(|w| w.len() > 3)
                .all(|w| w.starts_with(|c: char| c.is_uppercase()));
            if is_whole_word(text, m.start, m.end)
                && !in_url(text, m.start)
                && (long || capitalised)
            {
                techniques.insert(indicator("technique", technique.id.clone(), m.start, m.end));
            }
        }
        for (name, start, end) in &software_read.located {
            indicator("malware", name.clone(), *start, *end);
        }
        let software = software_read.names;
        indicators.sort_by_key(|i| i.mention.offset);
        let mut readings = software_read.readings;
        let sectors = self.sectors.find(
            text,
            &words,
            sector_terms_found,
            sectors_from,
            locate_indicators.then_some(&mut readings),
        );
        readings.sort_by_key(|r| r.mention.offset);
        Extraction {
            actors,
            sponsors: sponsors.into_iter().collect(),
            countries,
            cves: cves.into_iter().collect(),
            techniques: techniques.into_iter().collect(),
            software: software.into_iter().collect(),
            sectors,
            indicators,
            readings,
        }
    }

    /// The intelligence agencies among the word pass's matches, written
    /// with capitals, each with whether it is named as the attackers'
    /// master ("working for", "linked to", "<agency> hackers", "was blamed").
    fn agency_mentions(
        &self,
        text: &str,
        found: Vec<PhraseMatch>,
        agencies_from: usize,
    ) -> Vec<AgencyMention> {
        found
            .into_iter()
            .filter(|m| {
                is_whole_word(text, m.start, m.end)
                    && text[m.start..].starts_with(|c: char| c.is_uppercase())
            })
            .map(|m| {
                let before = words_before(text, m.start, 4);
                let after = words_after(text, m.end, 3);
                // "was blamed", "is behind", "hacked": the agency acts.
                let passive = after.iter().any(|w| w.is_in(&PASSIVE_MARKERS));
                let acts = after
                    .iter()
                    .skip_while(|w| w.is_in(&SKIPPED_BEFORE_VERB) || w.is_in(&PASSIVE_MARKERS))
                    .take(1)
                    .any(|w| {
                        (w.is_in(&ATTACK_VERBS) && !passive)
                            || ["blamed", "accused", "behind", "responsible", "conducted"]
                                .contains(&&**w)
                    });
                let attributed = acts
                    || before
                        .iter()
                        .filter(|w| !w.is_in(&ARTICLES))
                        .take(2)
                        .any(|w| AGENCY_MASTER_BEFORE.contains(&&**w))
                    || after
                        .first()
                        .is_some_and(|w| AGENCY_AGENTS_AFTER.contains(&&**w));
                AgencyMention {
                    start: m.start,
                    end: m.end,
                    country: self.agency_forms[m.pattern - agencies_from],
                    attributed,
                }
            })
            .collect()
    }

    /// The software names among the word pass's matches, each read as the
    /// software or as the gang that runs it ([`software::read`]).
    fn read_software(
        &self,
        text: &str,
        found: Vec<PhraseMatch>,
        actor_spans: &[(usize, usize)],
        locate: bool,
    ) -> SoftwareRead {
        let mut out = SoftwareRead::default();
        let base = self.patterns.len();
        let mut candidates: Vec<PhraseMatch> = found
            .into_iter()
            .filter(|m| is_whole_word(text, m.start, m.end) && !in_url(text, m.start))
            .collect();
        candidates.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut covered_until = 0;
        for m in candidates {
            if m.start < covered_until {
                continue;
            }
            let (form, index, ordinary) = &self.software_forms[m.pattern - base];
            let entry = &self.gazetteer.software()[*index];
            let candidate = software::Candidate {
                form,
                ordinary: *ordinary,
                ransomware: entry.ransomware,
            };
            let Some(decision) = software::read(text, m.start, m.end, &candidate) else {
                continue;
            };
            covered_until = m.end;
            let actor_here = actor_spans
                .iter()
                .find(|(start, end)| *start < m.end && m.start < *end);
            let words = || Mention {
                surface: text[decision.start..decision.end].to_string(),
                offset: decision.start,
            };
            let why = || {
                format!(
                    "\"{}\": {}",
                    &text[decision.start..decision.end],
                    decision.why.explain()
                )
            };
            match decision.reading {
                software::Reading::Software => {
                    // A group's name ("Winnti") is the group, unless the
                    // words beside it make it the software.
                    if let Some(actor) = actor_here {
                        if !decision.cued() {
                            continue;
                        }
                        out.vetoed_actor_offsets.insert(actor.0);
                    }
                    out.names.insert(entry.name.clone());
                    if locate {
                        out.located.push((entry.name.clone(), m.start, m.end));
                        out.readings.push(Reading {
                            facet: "malware",
                            value: entry.name.clone(),
                            mention: words(),
                            why: why(),
                        });
                    }
                }
                software::Reading::Operators => {
                    if actor_here.is_some() {
                        continue;
                    }
                    let surface = &text[m.start..m.end];
                    // A ransomware gang is its brand's, not another group
                    // that shares the word ("Royal" is also Ke3chang's).
                    let known = if entry.ransomware {
                        self.gazetteer.actor(&entry.name).filter(|a| {
                            crate::gazetteer::alias_key(&a.name)
                                == crate::gazetteer::alias_key(&entry.name)
                        })
                    } else {
                        self.gazetteer
                            .actor(surface)
                            .or_else(|| self.gazetteer.actor(&entry.name))
                    };
                    let (name, sponsor) = match known {
                        Some(actor) => (actor.name.clone(), actor.sponsor.clone()),
                        None => (entry.name.clone(), None),
                    };
                    if locate {
                        out.readings.push(Reading {
                            facet: "actor",
                            value: name.clone(),
                            mention: words(),
                            why: why(),
                        });
                    }
                    actor_entry(&mut out.operators, name, sponsor)
                        .mentions
                        .push(words());
                }
            }
        }
        out
    }

    /// Actors named in a vendor's scheme that no gazetteer lists
    /// ("UNC5812", "Storm-2035", "Earth Minotaur", "Tin Typhoon").
    fn unlisted_actors(
        &self,
        text: &str,
        words: &[(usize, usize)],
        matches: &[(usize, usize, Pattern, usize)],
        software_named: &BTreeSet<String>,
    ) -> Vec<ActorFacet> {
        let mut found: BTreeMap<String, ActorFacet> = BTreeMap::new();
        for m in vendor::find_iter(text, words) {
            let (m_start, m_end) = (m.start, m.end);
            // A single ordinary word ("Groove") may have matched and been
            // turned down; only a distinctive alias makes the span known.
            let overlaps_known = matches.iter().any(|(start, end, pattern, _)| {
                let distinctive = matches!(pattern.referent, Referent::Actor { ordinary, .. } if !ordinary || !pattern.single_word);
                distinctive && *start < m_end && m_start < *end
            });
            if overlaps_known || in_url(text, m_start) {
                continue;
            }
            let surface = &text[m];
            // "Groove gang", "Babuk ransomware gang": one group, named "<Name> gang".
            let gang = surface
                .rsplit(' ')
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("gang") || w == "crew");
            let mut words = surface.split(' ');
            let first = words.next().unwrap_or("");
            let second = words.next().unwrap_or("");
            // TA0001-TA0043 are ATT&CK tactics, not Proofpoint's actors.
            let attack_tactic = surface.starts_with("TA00");
            // "Encrypted Taurus" in a report on the Taurus stealer is a
            // sample of it, not a Unit 42 name: the family word is the name
            // of software this text names.
            let names_this_texts_software = !gang
                && !second.is_empty()
                && software_named.iter().any(|name| {
                    name.split(' ')
                        .next()
                        .is_some_and(|first_word| first_word.eq_ignore_ascii_case(second))
                });
            // A name the gazetteer knows but cannot give to one group
            // ("Imperial Kitten", claimed by three) makes no new group.
            if attack_tactic
                || vendor::is_false_friend(surface)
                || names_this_texts_software
                || self.gazetteer.is_contested(surface)
            {
                continue;
            }
            if gang && self.gazetteer.country(first).is_some() {
                // "a Russian gang" blames a country; it names no group.
                continue;
            }
            // `TA 505` and `TA-505` are written `TA505`; `Storm-0558` keeps its
            // hyphen, and Talos's `UAT4356` takes one as in `UAT-5918`. A
            // gang named for its ransomware ("the REvil gang") is the brand.
            let name = if gang {
                match (
                    self.gazetteer.actor(first),
                    self.gazetteer.software_named(first),
                ) {
                    (Some(actor), _) => actor.name.clone(),
                    (None, Some(software)) => software.name.clone(),
                    (None, None) => format!("{first} gang"),
                }
            } else if second.chars().all(|c| c.is_ascii_digit()) && !second.is_empty() {
                format!("{first}{second}")
            } else if let Some(rest) = ["TA-", "UNC-", "FIN-", "APT-"].iter().find_map(|p| {
                surface
                    .strip_prefix(p)
                    .filter(|r| r.chars().all(|c| c.is_ascii_digit()))
                    .map(|r| (p, r))
            }) {
                format!("{}{}", rest.0.trim_end_matches('-'), rest.1)
            } else if let Some(number) = surface
                .strip_prefix("UAT")
                .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
            {
                format!("UAT-{number}")
            } else {
                surface.to_string()
            };
            if let Some(actor) = self.gazetteer.actor(&name) {
                // Listed under this spelling after all ("APT-28" written oddly).
                actor_entry(&mut found, actor.name.clone(), actor.sponsor.clone())
                    .mentions
                    .push(Mention {
                        surface: surface.to_string(),
                        offset: m_start,
                    });
                continue;
            }
            let sponsor = vendor::implied_sponsor(surface).map(str::to_string);
            actor_entry(&mut found, name, sponsor)
                .mentions
                .push(Mention {
                    surface: surface.to_string(),
                    offset: m_start,
                });
        }
        for introduced in self.introduced_name.find_iter(text) {
            if text[..introduced.start()]
                .chars()
                .next_back()
                .is_some_and(regex_syntax::is_word_character)
            {
                continue;
            }
            // The name is where the match's first capital is: the cue words
            // before it are lower case. Matches, not capture groups, as for
            // CVEs.
            let Some(name_at) = introduced.as_str().find(|c: char| c.is_ascii_uppercase()) else {
                continue;
            };
            let name = introduced.start() + name_at..introduced.end();
            let before = words_before(text, introduced.start(), 5);
            let object_is_a_group = introduced.as_str()[..name_at]
                .split(' ')
                .any(|w| context_word(w).is_in(&GROUP_NOUNS));
            let describes_a_group =
                object_is_a_group || before.iter().any(|w| w.is_in(&GROUP_NOUNS));
            let surface = &text[name.clone()];
            let first = surface.split(' ').next().unwrap_or("");
            let known = matches
                .iter()
                .any(|(start, end, _, _)| *start < name.end && name.start < *end);
            if !describes_a_group
                || known
                || vendor::FALSE_FRIENDS.contains(&first)
                || self.gazetteer.actor(surface).is_some()
                || self.gazetteer.is_contested(surface)
            {
                continue;
            }
            // Every later use of the name counts too.
            let mentions: Vec<Mention> = text
                .match_indices(surface)
                .filter(|(at, _)| {
                    is_whole_word(text, *at, at + surface.len()) && !in_url(text, *at)
                })
                .map(|(at, s)| Mention {
                    surface: s.to_string(),
                    offset: at,
                })
                .collect();
            actor_entry(&mut found, surface.to_string(), None)
                .mentions
                .extend(mentions);
        }
        for actor in found.values_mut() {
            actor.mentions.sort_by_key(|m| m.offset);
            actor.mentions.dedup();
        }
        found.into_values().collect()
    }

    /// Whole-word, case-checked, leftmost-longest matches.
    fn find_matches(
        &self,
        text: &str,
        found: Vec<PhraseMatch>,
    ) -> Vec<(usize, usize, Pattern, usize)> {
        let mut candidates: Vec<(usize, usize, Pattern, usize)> = found
            .into_iter()
            .filter_map(|m| {
                let (start, end, id) = (m.start, m.end, m.pattern);
                let pattern = self.patterns[id];
                let surface = &text[start..end];
                let pattern_text_ok = match pattern.case {
                    CaseRule::Any => true,
                    // A capital first, or a capital inside ("menuPass").
                    CaseRule::Initial => {
                        surface.chars().next().is_some_and(|c| !c.is_lowercase())
                            || surface.chars().any(char::is_uppercase)
                    }
                    // "Fancy Bear"; "Fancy bear" too, but not at a sentence
                    // start, where any phrase is capitalised.
                    CaseRule::EveryWord => {
                        surface
                            .split([' ', '-'])
                            .filter(|w| !w.is_empty())
                            .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
                            || (surface.chars().next().is_some_and(char::is_uppercase)
                                && !starts_sentence(text, start))
                    }
                    CaseRule::Exact => surface == self.strings[id],
                };
                // A link to a group's ATT&CK page ("…/groups/G0064/") is a
                // reference to the group, as a CVE in a link is.
                let read_here = || !in_url(text, start) || is_attack_group_id(surface);
                (pattern_text_ok && is_whole_word(text, start, end) && read_here())
                    .then_some((start, end, pattern, id))
            })
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut chosen = Vec::with_capacity(candidates.len());
        let mut covered_until = 0;
        for candidate in candidates {
            if candidate.0 >= covered_until {
                covered_until = candidate.1;
                chosen.push(candidate);
            }
        }
        chosen
    }
}

/// The actor of this name among `found`, added without mentions if new.
fn actor_entry(
    found: &mut BTreeMap<String, ActorFacet>,
    name: String,
    sponsor: Option<String>,
) -> &mut ActorFacet {
    found.entry(name.clone()).or_insert_with(|| ActorFacet {
        name,
        sponsor,
        mentions: Vec::new(),
    })
}

/// What [`Extractor::read_software`] found.
#[derive(Default)]
struct SoftwareRead {
    /// Software display names.
    names: BTreeSet<String>,
    /// Where each was named (when locating).
    located: Vec<(String, usize, usize)>,
    /// Gangs named by their software's brand.
    operators: BTreeMap<String, ActorFacet>,
    /// Offsets of actor mentions that the words beside them make software.
    vetoed_actor_offsets: BTreeSet<usize>,
    /// Why (when locating).
    readings: Vec<Reading>,
}

/// One spelling of an actor's name that the extractor looks for.
struct AliasForm {
    text: String,
    /// An alias made of ordinary words ("Zinc", "Fancy Bear"): matched only
    /// when capitalised, and a single word needs a cue nearby to count.
    ordinary: bool,
    /// Capitalised words run together ("CloudAtlas"): matched only exactly
    /// as written, since "Ironman" or "Sunshine" would be ordinary words.
    joined: bool,
}

/// An actor's aliases with their ordinary-word flag, plus the hyphen and
/// space variants of names like `APT 28` / `APT-28` / `APT28` and the joined
/// form of capitalised names (`Cloud Atlas` → `CloudAtlas`).
fn actor_alias_forms(actor: &Actor) -> Vec<AliasForm> {
    let mut forms: Vec<AliasForm> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut add = |text: String, ordinary: bool, joined: bool| {
        if seen.insert(text.to_lowercase()) {
            forms.push(AliasForm {
                text,
                ordinary,
                joined,
            });
        }
    };
    let all = actor
        .alias_forms()
        .chain(std::iter::once((&actor.name, false)));
    for (alias, ordinary) in all.clone() {
        add(alias.clone(), ordinary, false);
        for variant in spacing_variants(alias) {
            add(variant, ordinary, false);
        }
    }
    // After every listed spelling, so an alias listed joined ("OceanLotus")
    // keeps its own case rule.
    for (alias, _) in all {
        if let Some(joined) = joined_form(alias) {
            add(joined, false, true);
        }
    }
    forms
}

/// `Cloud Atlas` → `CloudAtlas`, for names of two or three capitalised
/// ASCII words; `None` for any other alias.
fn joined_form(alias: &str) -> Option<String> {
    let words: Vec<&str> = alias.split(' ').collect();
    let capitalised = |word: &&str| {
        let mut chars = word.chars();
        word.len() >= 2
            && chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_lowercase())
    };
    ((2..=3).contains(&words.len()) && words.iter().all(capitalised)).then(|| words.concat())
}

/// `APT28` → `APT 28`, `APT-28`; `APT-C-23` → `APT C 23`, `APTC23`;
/// `Storm-0558` → `Storm 0558`, `Storm0558`.
fn spacing_variants(alias: &str) -> Vec<String> {
    let mut variants = Vec::new();
    // Split a letters-then-digits alias at the boundary.
    if let Some(split) = alias.find(|c: char| c.is_ascii_digit()) {
        let (letters, digits) = alias.split_at(split);
        if !letters.is_empty()
            && letters.chars().all(|c| c.is_ascii_alphabetic())
            && digits.chars().all(|c| c.is_ascii_alphanumeric())
        {
            variants.push(format!("{letters} {digits}"));
            variants.push(format!("{letters}-{digits}"));
        }
    }
    if alias.contains('-') {
        variants.push(alias.replace('-', " "));
        if alias.chars().any(|c| c.is_ascii_digit()) {
            variants.push(alias.replace('-', ""));
        }
    }
    if alias.contains(' ') && alias.split(' ').count() <= 3 {
        variants.push(alias.replace(' ', "-"));
    }
    variants
}

/// A name with a straight apostrophe also matches with a curly one.
fn apostrophe_forms(name: &str) -> Vec<String> {
    if name.contains('\'') {
        vec![name.to_string(), name.replace('\'', "\u{2019}")]
    } else {
        vec![name.to_string()]
    }
}

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let surface = &text[start..end];
    let before_ok = before.is_none_or(|c| !is_word_char(c));
    // "U.S." may be followed by a letter only in "U.S.-based"; a dotted
    // abbreviation must not be the start of a longer dotted one ("U.S.A.").
    let after_ok = after.is_none_or(|c| !(is_word_char(c) || surface.ends_with('.') && c == '.'));
    before_ok && after_ok
}

/// How far back [`in_url`] looks for the start of a link; longer URLs are
/// rare in reports.
const URL_LOOKBACK: usize = 2048;

/// Whether byte `start` is inside a URL: a link's path names the page it
/// points to ("…/CyberBerkut-announces-destruction…"), not what this article
/// says. CVEs, technique IDs and ATT&CK group IDs in links are still read,
/// as references.
///
/// Only the last [`URL_LOOKBACK`] bytes are read, so a long run of text
/// without spaces costs a bounded amount per match, not its whole length.
fn in_url(text: &str, start: usize) -> bool {
    let mut window_start = start.saturating_sub(URL_LOOKBACK);
    while !text.is_char_boundary(window_start) {
        window_start += 1;
    }
    let window = &text[window_start..start];
    let token_start = window
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(at, c)| at + c.len_utf8());
    // Byte scans: `str::contains` would set up a substring searcher per match.
    let lead = &window.as_bytes()[token_start..];
    lead.windows(3).any(|w| w == b"://") || lead.windows(4).any(|w| w == b"www.")
}

/// An ATT&CK group ID: `G` and four digits (`G0064`).
fn is_attack_group_id(surface: &str) -> bool {
    let bytes = surface.as_bytes();
    bytes.len() == 5 && bytes[0] == b'G' && bytes[1..].iter().all(u8::is_ascii_digit)
}

fn starts_sentence(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end();
    head.is_empty() || head.ends_with(['.', '!', '?', '\n', ':', '"', '\u{201c}'])
}

/// Whether the sentence around `at` denies or turns an accusation round
/// ("has denied any involvement", "accused the United States of its own").
fn in_a_denial(text: &str, at: usize) -> bool {
    const MARKERS: &[&str] = &[
        "denied",
        "denies",
        "deny",
        "denying",
        "rejected",
        "rejects",
        "dismissed",
        "dismisses",
        "countered",
        "retorted",
        "hit back",
        "its own",
        "hypocri",
        "smear",
        "slander",
        "baseless",
        "groundless",
        "fabricated",
        "unfounded",
    ];
    // At most 400 bytes either side: the sentence, or the part of it near.
    let window = floor_char_boundary(text, at.saturating_sub(400));
    let from = text[window..at]
        .rfind(['.', '!', '?', '\n'])
        .map_or(window, |i| window + i + 1);
    let window_end = floor_char_boundary(text, at + 400);
    let to = text[at..window_end]
        .find(['.', '!', '?', '\n'])
        .map_or(window_end, |i| at + i);
    let sentence = text[from..to].to_lowercase();
    MARKERS.iter().any(|m| sentence.contains(m))
}

/// The largest char boundary at or before `at` (at most the text's end).
pub(super) fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Whether a single-word ordinary alias ("Lead", "Snake") is used as a group
/// name here: written in capitals ("PLATINUM") or next to a cue ("the
/// Patchwork group", "known as Snake").
fn ordinary_alias_is_a_name(text: &str, start: usize, end: usize, alias: &str) -> bool {
    let surface = &text[start..end];
    // Capitals count only for names the sources write in capitals (Microsoft's
    // "PLATINUM", "LEAD"), not for "Operation MEDUSA".
    let alias_in_capitals = alias
        .chars()
        .all(|c| c.is_uppercase() || !c.is_alphabetic());
    if alias_in_capitals
        && surface.len() >= 4
        && surface
            .chars()
            .all(|c| c.is_uppercase() || !c.is_alphabetic())
    {
        // All capitals in running text, not a shouted heading.
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line = &text[line_start..line_end];
        let capitals = line.chars().filter(|c| c.is_uppercase()).count();
        let letters = line.chars().filter(|c| c.is_alphabetic()).count();
        if letters > 0 && capitals * 2 < letters {
            return true;
        }
    }
    // An appositive: "Leviathan, a Chinese group", "Zirconium, a China-based group".
    if text[end..].starts_with(',') {
        let appositive = words_after(text, end + 1, 4);
        if appositive
            .first()
            .is_some_and(|w| w == "a" || w == "an" || w == "the")
            && appositive.iter().any(|w| {
                w.is_in(&ACTOR_CUES_AFTER) || w.ends_with("-based") || w.ends_with("-linked")
            })
        {
            return true;
        }
    }
    if starts_sentence(text, start) {
        // "Lead investigators said..." is ordinary; a cue after still counts.
        let after = words_after(text, end, 1);
        return after.first().is_some_and(|w| w.is_in(&ACTOR_CUES_AFTER));
    }
    let before = words_before(text, start, 3);
    let after = words_after(text, end, 1);
    let naming = before.first().is_some_and(|w| w.is_in(&NAMING_VERBS))
        && before.get(1).is_some_and(|w| w.is_in(&GROUP_NOUNS));
    // "breached by Zirconium", "attacks by Leviathan".
    let agent = before.first().is_some_and(|w| w == "by")
        && before
            .get(1)
            .is_some_and(|w| w.is_in(&ATTACK_NOUNS_AND_VERBS));
    let before_cue = naming
        || agent
        || (before.first().is_some_and(|w| w.has_cues(ENDS_ACTOR_CUE))
            && ACTOR_CUES_BEFORE
                .iter()
                .any(|cue| ends_with_cue(&before, cue)));
    let after_cue = after.first().is_some_and(|w| w.is_in(&ACTOR_CUES_AFTER));
    before_cue || after_cue
}

/// "Chad Smith", "Michael Jordan": a given-name country next to another
/// capitalised word that is not a sentence start.
fn is_person_name(text: &str, start: usize, end: usize) -> bool {
    let next = phrases::tokens_after(text, end).next().unwrap_or("");
    let next_is_name = text[end..].starts_with(' ')
        && next.chars().next().is_some_and(char::is_uppercase)
        && next
            .chars()
            .all(|c| c.is_alphabetic() || c == '.' || c == ',' || c == '\'');
    let previous = phrases::tokens_before(text, start).next().unwrap_or("");
    let previous_is_name = text[..start].ends_with(' ')
        && !starts_sentence(text, start)
        && previous.chars().next().is_some_and(char::is_uppercase)
        && previous.chars().all(char::is_alphabetic)
        && !["The", "In", "Of", "And", "On", "For", "From", "To", "With"].contains(&previous);
    next_is_name || previous_is_name
}

fn georgia_is_us_state(text: &str, start: usize, end: usize) -> bool {
    let before = words_before(text, start, 6);
    let after = words_after(text, end, 6);
    before
        .iter()
        .chain(&after)
        .any(|w| w.is_in(&GEORGIA_US_CUES))
        || after.first().is_some_and(|w| w == "state")
}

fn ends_with_cue(before: &[LowerWord<'_>], cue: &[&str]) -> bool {
    // `before` is nearest-first; a cue is written in reading order.
    before.len() >= cue.len() && cue.iter().rev().zip(before.iter()).all(|(c, w)| w == c)
}

/// "by Russia and China", "the US, the UK and Canada accused": countries
/// joined by "and", "or" or commas share the role one of them was given by its
/// context, in either direction.
fn share_roles_across_coordination(
    text: &str,
    mentions: &mut [(usize, Mention, CountryRole, bool)],
) {
    let coordinated = |a: &Mention, b: &Mention| {
        let gap_start = a.offset + a.surface.len();
        if gap_start > b.offset {
            return false;
        }
        let gap = text[gap_start..b.offset].trim_matches(|c: char| c.is_whitespace() || c == ',');
        gap.is_empty() || ["and", "or", "and the", "or the", "the", "as well as"].contains(&gap)
    };
    let shareable =
        |role: CountryRole| !matches!(role, CountryRole::Mentioned | CountryRole::Descriptor);
    for i in 1..mentions.len() {
        let (before, rest) = mentions.split_at_mut(i);
        let (previous, current) = (&before[i - 1], &mut rest[0]);
        if current.2 == CountryRole::Mentioned
            && shareable(previous.2)
            && coordinated(&previous.1, &current.1)
        {
            current.2 = previous.2;
        }
    }
    for i in (0..mentions.len().saturating_sub(1)).rev() {
        let (head, tail) = mentions.split_at_mut(i + 1);
        let (current, next) = (&mut head[i], &tail[0]);
        if current.2 == CountryRole::Mentioned
            && shareable(next.2)
            && coordinated(&current.1, &next.1)
        {
            current.2 = next.2;
        }
    }
}

/// Reads the words around a country mention to decide its role.
fn country_role(text: &str, start: usize, end: usize) -> CountryRole {
    let tail = &text[end..];
    // Every suffix is hyphenated: most mentions are followed by anything else.
    if tail.starts_with('-') {
        let starts_with = |suffix: &str| {
            tail.len() >= suffix.len()
                && tail.is_char_boundary(suffix.len())
                && tail[..suffix.len()].eq_ignore_ascii_case(suffix)
        };
        if ATTRIBUTION_SUFFIXES.iter().any(|s| starts_with(s)) {
            return CountryRole::Accused;
        }
        // "China-based group" is blamed; "a Singapore-based company" is not.
        if LOCATIVE_SUFFIXES.iter().any(|s| starts_with(s)) {
            let names_attackers = words_after(text, end, 4)
                .iter()
                .skip(1)
                .take(3)
                .any(|w| w.is_in(&STRONG_ATTRIBUTION_NOUNS));
            return if names_attackers {
                CountryRole::Accused
            } else {
                CountryRole::Descriptor
            };
        }
        if DESCRIPTOR_SUFFIXES.iter().any(|s| starts_with(s)) {
            return CountryRole::Descriptor;
        }
    }
    let before: Words<'_> = words_before(text, start, 5)
        .into_iter()
        .filter(|w| !w.is_in(&ARTICLES))
        .collect();
    let possessive = tail.starts_with("'s") || tail.starts_with("\u{2019}s");
    // The first words after the mention, up to five; "'s" is not one.
    let read_after = |limit: usize| {
        let mut words = words_after(text, end, limit);
        if possessive && words.first().is_some_and(|w| w == "s") {
            words.remove(0);
        }
        words
    };
    // Skip the ambiguous nouns ("Chinese government", "Russian military
    // intelligence") and look at what follows them. Two words settle most
    // mentions: all five are read only when those two are ambiguous nouns.
    let ambiguous_run_of = |after: &Words<'_>| {
        after
            .iter()
            .take_while(|w| w.is_in(&AMBIGUOUS_NOUNS))
            .count()
    };
    let mut after = read_after(2);
    if ambiguous_run_of(&after) == after.len() {
        after = read_after(5);
    }
    let ambiguous_run = ambiguous_run_of(&after);
    // "in the US, hacking into the UK's registers": after a comma the next
    // word starts the list's next item; it does not describe the country.
    let head = after
        .get(ambiguous_run)
        .filter(|_| ambiguous_run > 0 || !tail.starts_with(','));
    let head_is = |list: &CueList| head.is_some_and(|w| w.is_in(list));
    if head_is(&STRONG_ATTRIBUTION_NOUNS) {
        return CountryRole::Accused;
    }
    // "The government of China" is mostly the accused, as the accusation
    // cues have it, but "focused on the government of Afghanistan" and
    // "hacked the government of Ukraine" name a victim: the words before the
    // phrase decide, as they would before the country's name.
    if ends_with_cue(&before, &["government", "of"]) {
        let outer = &before[2..];
        let victim_cue = outer.iter().take(2).any(|w| w.is_in(&STRONG_VICTIM_CUES))
            || outer
                .first()
                .is_some_and(|w| w.is_in(&LOCATIVE_VICTIM_CUES));
        if victim_cue {
            return CountryRole::Victim;
        }
    }
    let accusation_before = (before
        .first()
        .is_some_and(|w| w.has_cues(ENDS_ACCUSATION_CUE))
        && ACCUSATION_CUES
            .iter()
            .any(|cue| ends_with_cue(&before, cue)))
        || (before.first().is_some_and(|w| w == "by")
            && before
                .get(1)
                .is_some_and(|w| w.is_in(&ATTACK_NOUNS_AND_VERBS)));
    if accusation_before {
        // "China ... accused the United States of conducting its own
        // espionage": a denial's counter-accusation blames nobody.
        return if in_a_denial(text, start) {
            CountryRole::Descriptor
        } else {
            CountryRole::Accused
        };
    }
    // "agencies from the United States and partner countries, including
    // the United Kingdom, published a joint advisory".
    let co_signer = before.iter().take(5).any(|w| w.is_in(&CO_SIGNING))
        || CO_SIGNER_CUES.iter().any(|cue| ends_with_cue(&before, cue));
    if co_signer {
        // "co-signed by agencies from the United States, ..."
        return CountryRole::Accuser;
    }
    let (verb, passive) = verb_after(text, end);
    if ambiguous_run > 0 && !passive && verb.is_in(&ACCUSER_VERBS) {
        // "Belgian intelligence accused", "the Dutch government has attributed".
        return CountryRole::Accuser;
    }
    let governed_by_preposition = before
        .first()
        .is_some_and(|w| w.is_in(&GOVERNING_PREPOSITIONS));
    let strong_before = !governed_by_preposition
        && (before.iter().take(3).any(|w| w.is_in(&STRONG_VICTIM_CUES))
            || ends_with_cue(&before, &["attacks", "on"])
            || ends_with_cue(&before, &["attack", "on"]));
    if strong_before || (passive && verb.is_in(&ATTACK_VERBS)) {
        return CountryRole::Attacked;
    }
    if !passive && verb.is_in(&ACCUSER_VERBS) {
        return CountryRole::Accuser;
    }
    let next_is = |list: &CueList| after.first().is_some_and(|w| w.is_in(list));
    if next_is(&ACCUSER_AGENCIES) || (ambiguous_run > 0 && head_is(&OBSERVER_NOUNS)) {
        return CountryRole::Accuser;
    }
    let victim_before = !governed_by_preposition
        && before
            .iter()
            .take(2)
            .any(|w| w.is_in(&LOCATIVE_VICTIM_CUES) || w.is_in(&STRONG_VICTIM_CUES))
        && !ends_with_cue(&before, &["based", "in"])
        && !ends_with_cue(&before, &["headquartered", "in"]);
    let victim_after = next_is(&VICTIM_NOUNS) || head_is(&VICTIM_NOUNS);
    if victim_before || victim_after {
        return CountryRole::Victim;
    }
    CountryRole::Mentioned
}

/// The first verb after a country mention, skipping auxiliaries, adverbs and
/// coordinated names ("the US and the UK have jointly accused"), and whether
/// it is passive ("was breached").
fn verb_after(text: &str, end: usize) -> (LowerWord<'_>, bool) {
    let tail = text[end..]
        .strip_prefix("'s")
        .or_else(|| text[end..].strip_prefix("\u{2019}s"))
        .map_or(end, |rest| text.len() - rest.len());
    let rest = &text[tail..];
    // The mention ends its sentence or clause: "... in the US. Investigators"
    // or "... in Nepal, Trend Micro said".
    if rest.starts_with(['.', ',', ';', ':', '!', '?', ')']) {
        return (LowerWord::none(), false);
    }
    let mut passive = false;
    let mut after_conjunction = false;
    for raw in phrases::tokens_after(rest, 0).take(10) {
        let word = context_word(raw);
        if word.is_empty() {
            continue;
        }
        let capitalised = raw.chars().next().is_some_and(char::is_uppercase);
        if word.is_in(&PASSIVE_MARKERS) {
            passive = true;
        } else if word == "and" || word == "or" {
            after_conjunction = true;
        } else if word.is_in(&SKIPPED_BEFORE_VERB)
            || word.is_in(&AMBIGUOUS_NOUNS)
            || (capitalised && after_conjunction)
            || word.len() <= 1
        {
            // "and the United Kingdom", "U.K."
        } else {
            return (word, passive);
        }
        let abbreviation = raw.trim_end_matches('.').contains('.');
        if raw.ends_with([',', ';']) || (raw.ends_with(['.', '!', '?']) && !abbreviation) {
            break;
        }
    }
    (LowerWord::none(), passive)
}

fn target_verdict(
    code: &str,
    mentions: &[(Mention, CountryRole)],
    sponsors: &BTreeSet<String>,
    actors: &[ActorFacet],
) -> (bool, String) {
    let count = |role: CountryRole| mentions.iter().filter(|(_, r)| *r == role).count();
    let attacked = count(CountryRole::Attacked);
    let victim = count(CountryRole::Victim);
    let mentioned = count(CountryRole::Mentioned);
    let accused_here = count(CountryRole::Accused);
    let sponsor_of: Vec<&str> = actors
        .iter()
        .filter(|a| a.sponsor.as_deref() == Some(code))
        .map(|a| a.name.as_str())
        .collect();
    let first = |role: CountryRole| {
        mentions
            .iter()
            .find(|(_, r)| *r == role)
            .map_or(String::new(), |(m, _)| {
                format!(" (\"{}\" at byte {})", m.surface, m.offset)
            })
    };
    if attacked > 0 {
        let at = first(CountryRole::Attacked);
        return (
            true,
            format!("named as attacked or targeted {attacked} time(s){at}"),
        );
    }
    if victim > 0 && !sponsors.contains(code) {
        let at = first(CountryRole::Victim);
        return (
            true,
            format!("named as home of a victim {victim} time(s){at}"),
        );
    }
    if sponsors.contains(code) {
        let why = if sponsor_of.is_empty() {
            format!("blamed for the activity ({accused_here} mention(s)) and never named as hit")
        } else {
            format!(
                "sponsor of {} and never named as hit",
                sponsor_of.join(", ")
            )
        };
        return (false, why);
    }
    if mentioned > 0 {
        return (
            true,
            format!("named {mentioned} time(s) in the reporting, not as accuser or accused"),
        );
    }
    (false, "named only as accusing or responding".to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One extractor for all the tests of this module: building it takes
    /// longer than most of them.
    pub(crate) fn extractor() -> &'static Extractor {
        static EXTRACTOR: std::sync::OnceLock<Extractor> = std::sync::OnceLock::new();
        EXTRACTOR.get_or_init(|| Extractor::new(Arc::new(Gazetteer::embedded())))
    }

    fn extract_located(text: &str) -> Extraction {
        extractor().extract_located(text)
    }

    fn extract(text: &str) -> Extraction {
        extractor().extract(text)
    }

    #[test]
    fn cves_techniques_and_software_are_extracted() {
        let e = extract(
            "Forest Blizzard exploited cve-2023-23397 (T1566, T1059.001) and dropped BlackEnergy and Mimikatz; \
             T15660 and CVE-23-1 are not IDs.",
        );
        assert!(
            e.indicators.is_empty(),
            "only located extraction records places"
        );
        let e = extractor().extract_located(
            "Forest Blizzard exploited cve-2023-23397 (T1566, T1059.001) and dropped BlackEnergy and Mimikatz; \
             T15660 and CVE-23-1 are not IDs.",
        );
        assert_eq!(e.cves, vec!["CVE-2023-23397"]);
        assert_eq!(e.techniques, vec!["T1059.001", "T1566"]);
        assert!(
            e.software.contains(&"BlackEnergy".to_string()),
            "{:?}",
            e.software
        );
        let found: Vec<(&str, &str, &str)> = e
            .indicators
            .iter()
            .map(|i| (i.facet, i.value.as_str(), i.mention.surface.as_str()))
            .collect();
        assert_eq!(
            &found[..4],
            [
                ("cve", "CVE-2023-23397", "cve-2023-23397"),
                ("technique", "T1566", "T1566"),
                ("technique", "T1059.001", "T1059.001"),
                ("malware", "BlackEnergy", "BlackEnergy"),
            ],
            "in text order, each where it is written"
        );
        let text = "Forest Blizzard exploited cve-2023-23397";
        assert_eq!(
            e.indicators[0].mention.offset,
            text.len() - "cve-2023-23397".len()
        );
    }

    #[test]
    fn introduced_names_are_found_after_any_text_but_not_inside_a_word() {
        // Curly quotes and dashes before the cue: the search must not give
        // up on the non-ASCII bytes.
        let e = extract("“Résumé” — the threat actor we dubbed ReconHellcat hit a ministry.");
        assert_eq!(e.actor_names(), vec!["ReconHellcat"]);
        let e = extract("A group, nicknamed “Orzel Blue”, and the actors known as 'Tinsel'.");
        assert_eq!(e.actor_names(), vec!["Orzel Blue", "Tinsel"]);
        // A cue word that ends a longer word is no cue: ASCII `\b` alone
        // would see one after "é" and after a combining accent.
        for text in [
            "The group ranédubbed ReconHellcat.",
            "The group rane\u{301}dubbed ReconHellcat.",
        ] {
            assert!(extract(text).actors.is_empty(), "{text}");
        }
    }

    #[test]
    fn vendor_schemes_name_unlisted_actors_with_their_family_sponsor() {
        let e = extract("Mandiant tracks the cluster as UNC9999; Microsoft calls a related group Zinnia Typhoon.");
        assert_eq!(e.actor_names(), vec!["UNC9999", "Zinnia Typhoon"]);
        assert_eq!(e.sponsors, vec!["CN"]);
        let e = extract("Analysts mapped the steps to tactic TA0001 and watched a polar bear.");
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
    }

    #[test]
    fn capitalised_names_run_together_are_the_same_actor_written_exactly() {
        let e = extract("The lure matches CloudAtlas, and OceanLotus reused it.");
        assert_eq!(e.actor_names(), vec!["APT32", "Inception"]);
        // Joined forms are matched as written: case-folded they could be words.
        for text in [
            "The lure matches CLOUDATLAS.",
            "The lure matches Cloudatlas.",
        ] {
            assert!(extract(text).actors.is_empty(), "{text}");
        }
    }

    #[test]
    fn a_name_given_to_this_group_is_an_actor_but_a_name_given_to_a_file_is_not() {
        let e = extract("We have named this threat actor CloudFall after its infrastructure.");
        assert_eq!(e.actor_names(), vec!["CloudFall"]);
        let e = extract("Researchers call the group Quillfeather; Quillfeather reused old tools.");
        assert_eq!(e.actor_names(), vec!["Quillfeather"]);
        assert_eq!(e.actors[0].mentions.len(), 2);
        let e = extract("We named the file Quarterly Report and the folder Archive.");
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
    }

    #[test]
    fn names_inside_links_are_not_what_the_article_says() {
        let e = extract(
            "Three days before the vote the servers [were compromised]\
             (https://news.example/2014/CyberBerkut-announces-destruction/) and \
             a forum post (www.example.org/UNC9999-leak, http://example.org/Ukraine-hit) followed.",
        );
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
        assert!(e.countries.is_empty(), "{:?}", e.countries);
        // A link to a group's ATT&CK page names the group; a CVE in a link is
        // still the CVE.
        let e = extract(
            "Used by the [Elfin Group](https://attack.mitre.org/groups/G0064/), see \
             https://nvd.nist.gov/vuln/detail/CVE-2021-44228.",
        );
        assert_eq!(e.actor_names(), vec!["APT33"]);
        assert_eq!(e.cves, vec!["CVE-2021-44228"]);
        // The link's start is found across any whitespace, multi-byte too.
        for space in ["\u{a0}", "\u{2003}", "\u{3000}", "\n"] {
            let text =
                format!("See{space}https://example.org/CyberBerkut{space}CyberBerkut group.");
            assert_eq!(
                extract(&text).actor_names(),
                vec!["Cyber Berkut"],
                "{text:?}"
            );
        }
        // Only the last 2 KB before a name are searched for the link's start,
        // so a longer run without spaces costs a bounded amount per name: a
        // name that far into a URL is read as text.
        let near = format!("https://x.example/{}/China", "a".repeat(1_000));
        assert!(extract(&near).countries.is_empty());
        let far = format!("https://x.example/{}/China", "a".repeat(3_000));
        assert_eq!(extract(&far).targets(), vec!["CN"]);
    }

    #[test]
    fn the_words_of_a_markdown_link_are_context_and_its_target_is_not() {
        let e = extract(
            "Officials [accused](https://example.org/statement-2016) Russia of meddling, \
             and the [Elfin group](https://example.org/elfin-report). struck again.",
        );
        assert_eq!(e.actor_names(), vec!["APT33"]);
        let russia = e.countries.iter().find(|c| c.code == "RU").expect("RU");
        assert_eq!(russia.mentions[0].1, CountryRole::Accused);
    }

    #[test]
    fn aliases_resolve_to_one_canonical_actor() {
        let e = extract("Zirconium, also tracked as Judgment Panda and Violet Typhoon, hit Finland's parliament.");
        assert_eq!(e.actor_names(), vec!["APT31"]);
        assert_eq!(e.sponsors, vec!["CN"]);
        assert_eq!(e.targets(), vec!["FI"]);
    }

    #[test]
    fn spaced_and_hyphenated_names_match() {
        for text in [
            "APT 41 struck again.",
            "APT-41 struck again.",
            "APT41 struck again.",
        ] {
            assert_eq!(extract(text).actor_names(), vec!["APT41"], "{text}");
        }
    }

    #[test]
    fn ordinary_words_do_not_fire_on_prose() {
        let e = extract(
            "The lead investigator said mercury levels near the cobalt mine were a patchwork. \
             Lead investigators wore a mask. Tick the box. The equation holds.",
        );
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
    }

    #[test]
    fn country_forms_resolve_and_respect_word_boundaries() {
        let e = extract("Attacks hit the UK, Britain and British firms, and the U.S. too.");
        assert_eq!(e.targets(), vec!["GB", "US"]);
        let e = extract("A woman from Indiana visited Nigeria; us and them.");
        assert_eq!(e.targets(), vec!["NG"]);
    }

    #[test]
    fn an_accused_state_is_not_a_target() {
        let e = extract(
            "The United States and the United Kingdom accused China of hacking Finland's parliament. \
             China denied it.",
        );
        assert_eq!(e.targets(), vec!["FI"]);
        assert_eq!(e.sponsors, vec!["CN"]);
    }

    #[test]
    fn a_state_whose_officials_accuse_is_not_a_target() {
        // Regression: "government" was read as the verb, so "The Dutch
        // government accused" made the Netherlands the home of a victim.
        let e = extract("The Dutch government accused Russia of the attack on the ministry.");
        assert_eq!(e.targets(), Vec::<String>::new());
        assert_eq!(e.sponsors, vec!["RU"]);
        let e = extract("Belgian intelligence accused China of hacking Czech ministries.");
        assert_eq!(e.targets(), vec!["CZ"]);
    }

    #[test]
    fn a_country_a_company_is_based_in_or_a_language_is_not_blamed() {
        // Regression: "-based" and "-speaking" were also attribution suffixes,
        // tested first, so "a U.S.-based healthcare provider" made the US a
        // sponsor and the locative and descriptor rules never ran.
        for text in [
            "Hackers breached a Singapore-based company last week.",
            "The exploit was sold to a U.S.-based healthcare provider.",
            "A Russian-speaking ransomware gang with no ties to any government hit the port.",
        ] {
            assert_eq!(extract(text).sponsors, Vec::<String>::new(), "{text}");
        }
        assert_eq!(
            extract("A China-based group breached the ministry.").sponsors,
            vec!["CN"]
        );
        assert_eq!(
            extract("China-linked hackers breached the ministry.").sponsors,
            vec!["CN"]
        );
    }

    #[test]
    fn the_government_of_a_country_is_accused_unless_the_words_before_name_a_victim() {
        // Regression: "government of" made every such country accused.
        for (text, code) in [
            (
                "Earlier campaigns by the group focused on the government of Afghanistan.",
                "AF",
            ),
            ("Sandworm hacked the government of Ukraine again.", "UA"),
            (
                "Phishing attacks against the government of India rose.",
                "IN",
            ),
        ] {
            let e = extract(text);
            assert_eq!(e.targets(), vec![code], "{text}");
            assert!(!e.sponsors.contains(&code.to_string()), "{text}");
        }
        for text in [
            "The campaign was attributed to the government of China.",
            "The government of China is presumably using the group.",
        ] {
            assert_eq!(extract(text).sponsors, vec!["CN"], "{text}");
        }
    }

    #[test]
    fn a_mention_is_judged_by_the_word_after_its_run_of_ambiguous_nouns() {
        let role = |text: &str| {
            let end = text.find(' ').unwrap_or(text.len());
            country_role(text, 0, end)
        };
        // The rules first read two words after a mention, and all five only
        // when both are ambiguous nouns: the deciding word may be the fifth.
        for text in [
            "Russian hackers breached the ministry.",
            "Russian military hackers breached the ministry.",
            "Russian military intelligence hackers breached the ministry.",
            "Russian state security service cyber operatives breached the ministry.",
        ] {
            assert_eq!(role(text), CountryRole::Accused, "{text}");
        }
        // The verb after the ambiguous nouns says who accuses (a regression:
        // the verb was taken to be the noun, and these were victims).
        for text in [
            "Belgian intelligence accused China of hacking.",
            "Dutch government has publicly attributed the attack to China.",
            "Iranian officials have rejected the accusation.",
            "UK government has sanctioned a front company.",
        ] {
            assert_eq!(role(text), CountryRole::Accuser, "{text}");
        }
        assert_eq!(
            role("Polish government agencies were hit by spear-phishing."),
            CountryRole::Attacked
        );
        assert_eq!(
            role("Finnish parliament officials were targeted."),
            CountryRole::Victim
        );
    }

    #[test]
    fn the_sponsor_of_a_named_actor_is_not_a_target_unless_hit() {
        let e = extract("APT28 targeted Germany. Russia denied involvement.");
        assert_eq!(e.targets(), vec!["DE"]);
        let e = extract("APT28 targeted Germany and also attacked Russia itself.");
        assert_eq!(e.targets(), vec!["DE", "RU"]);
    }

    #[test]
    fn the_next_item_of_a_list_does_not_describe_the_country_before_it() {
        // The seed article corpus/002: "hacking" starts the list's next item.
        let e = extract(
            "Chinese state-sponsored hackers have been targeting critical sectors in the US, \
             hacking into the UK's election registers and lawmakers' emails.",
        );
        assert_eq!(e.sponsors, vec!["CN"]);
        assert!(e.targets().contains(&"US".to_string()), "{:?}", e.countries);
    }

    #[test]
    fn a_vendor_family_word_that_names_this_texts_malware_is_the_malware() {
        let e = extract(
            "The Taurus Stealer spreads by spam. Encrypted Taurus samples hid the payload.",
        );
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
        let e = extract("Unit 42 tracks Zinnia Taurus, which targeted Vietnam.");
        assert_eq!(e.actor_names(), vec!["Zinnia Taurus"]);
    }

    #[test]
    fn a_gang_found_twice_at_one_place_is_one_mention() {
        let e = extract("The Babuk gang, once feared, returned; the Babuk gang posted data.");
        let babuk = e.actors.iter().find(|a| a.name == "Babuk").expect("Babuk");
        assert_eq!(babuk.mentions.len(), 2, "{:?}", babuk.mentions);
    }

    #[test]
    fn an_agency_named_as_the_attackers_master_blames_its_state() {
        let e = extract(
            "Hackers working for the Reconnaissance General Bureau breached banks in Chile.",
        );
        assert_eq!(e.sponsors, vec!["KP"]);
        assert_eq!(e.targets(), vec!["CL"]);
        let e = extract("China's Ministry of State Security was blamed for attacks on Finland.");
        assert_eq!(e.sponsors, vec!["CN"]);
        assert_eq!(e.targets(), vec!["FI"]);
        // Named as a victim's home, the agency's state is neither.
        let e = extract("Transparent Tribe sent lures to officers of the Indian Army.");
        assert!(!e.sponsors.contains(&"IN".to_string()), "{:?}", e.sponsors);
    }

    #[test]
    fn a_contested_name_is_no_new_group() {
        assert!(extractor().gazetteer().is_contested("Imperial Kitten"));
        let e = extract("Proofpoint tracks the actor as TA456, also known as Imperial Kitten.");
        assert!(
            !e.actor_names().iter().any(|a| a.contains("Kitten")),
            "{:?}",
            e.actor_names()
        );
    }

    #[test]
    fn technique_names_count_as_attack_writes_them_or_when_long() {
        let e = extract(
            "The lures were a Spearphishing Attachment; then command and scripting \
             interpreter abuse. The accounts were valid accounts of staff.",
        );
        assert_eq!(e.techniques, vec!["T1059", "T1566.001"]);
    }

    #[test]
    fn a_full_stop_after_a_country_ends_what_describes_it() {
        let e = extract("Hackers working for the GRU hit Ukraine. Unit 42 tracks them.");
        assert_eq!(e.targets(), vec!["UA"], "{:?}", e.countries);
    }

    #[test]
    fn co_signers_of_an_advisory_are_accusers_not_targets() {
        let e = extract(
            "Volt Typhoon compromised water utilities in Guam. Agencies from the United States \
             and a dozen partner countries, including the United Kingdom, Canada and Australia, \
             published a joint advisory on Tuesday.",
        );
        assert_eq!(e.targets(), vec!["GU"], "{:?}", e.countries);
    }

    #[test]
    fn a_denial_and_its_counter_accusation_blame_nobody() {
        let e = extract(
            "APT31 targeted Finland's parliament, the security service said. China denied the \
             allegations and accused the United States of conducting its own cyber espionage.",
        );
        assert_eq!(e.sponsors, vec!["CN"]);
        assert!(!e.targets().contains(&"CN".to_string()));
        assert!(!e.sponsors.contains(&"US".to_string()));
    }

    #[test]
    fn a_ransomware_brand_is_the_gang_or_the_software_as_its_words_say() {
        let e = extract_located(
            "The LockBit gang claimed the attack on the hospital; LockBit 3.0 encrypted the \
             servers. Black Basta affiliates struck a week later, and Clop claimed a third \
             victim. Researchers linked the intrusion to the operators behind Royal.",
        );
        let actors = e.actor_names();
        for gang in ["LockBit", "Black Basta", "Clop", "Royal"] {
            assert!(actors.contains(&gang.to_string()), "{gang}: {actors:?}");
        }
        assert!(
            e.software.contains(&"LockBit".to_string()),
            "{:?}",
            e.software
        );
        assert!(
            !e.software.contains(&"Royal".to_string()),
            "{:?}",
            e.software
        );
        let lockbit_gang = e
            .readings
            .iter()
            .find(|r| r.facet == "actor" && r.value == "LockBit")
            .expect("the gang reading is explained");
        assert_eq!(lockbit_gang.mention.surface, "LockBit gang");
        assert!(lockbit_gang.why.contains("gang"), "{}", lockbit_gang.why);
        let lockbit_software = e
            .readings
            .iter()
            .find(|r| r.facet == "malware" && r.value == "LockBit")
            .expect("the software reading is explained");
        assert!(
            lockbit_software.why.contains("version"),
            "{}",
            lockbit_software.why
        );
    }

    #[test]
    fn a_gang_named_after_known_software_is_one_actor_under_the_brand() {
        let e =
            extract("The REvil gang and BlackMatter returned; the BlackMatter gang posted data.");
        let actors = e.actor_names();
        assert!(actors.contains(&"REvil".to_string()), "{actors:?}");
        assert!(actors.contains(&"BlackMatter".to_string()), "{actors:?}");
        assert!(!actors.iter().any(|a| a.ends_with("gang")), "{actors:?}");
    }

    #[test]
    fn ordinary_words_and_surnames_are_not_malware() {
        let e = extract(
            "The agent said cobalt prices rose. Prime Minister Giuseppe Conti will mimic his \
             rival, and the royal family will play a role. A Cobalt blue logo appeared, and \
             a sleeper agent vanished. The operation, code-named MEDUSA, rode Pegasus.",
        );
        assert!(e.software.is_empty(), "{:?}", e.software);
        assert!(e.actors.is_empty(), "{:?}", e.actor_names());
        let e = extract(
            "The Agent backdoor and Cobalt Strike beacons were found with Conti ransomware.",
        );
        for family in ["Cobalt Strike", "Conti"] {
            assert!(
                e.software.contains(&family.to_string()),
                "{family}: {:?}",
                e.software
            );
        }
    }

    #[test]
    fn one_family_is_one_malware_value() {
        let e = extract(
            "TRITON, also written Triton, hit a safety system; BlackByte Ransomware followed.",
        );
        assert_eq!(
            e.software
                .iter()
                .filter(|s| s.eq_ignore_ascii_case("triton"))
                .count(),
            1,
            "{:?}",
            e.software
        );
        assert!(
            e.software.contains(&"BlackByte".to_string()),
            "{:?}",
            e.software
        );
    }

    #[test]
    fn victim_sectors_come_from_prose_and_speakers_do_not_count() {
        let e = extract_located(
            "The group targeted telecommunications carriers and the foreign ministry, and \
             hospitals were hit by ransomware. The defence ministry said it had seen nothing, \
             and government-backed hackers were blamed.",
        );
        assert_eq!(e.sectors, vec!["diplomacy", "health", "telecommunications"]);
        assert!(e
            .readings
            .iter()
            .any(|r| r.facet == "sector" && r.mention.surface == "hospitals"));
    }
}
