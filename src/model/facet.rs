//! The facet table: the one place a facet is declared. Its index field, the
//! keys it has in JSON, the flag and parameter that filter on it, its label
//! for people, how a user's value is resolved and where an article's values
//! come from are all read from here; the schema, filters, hit fields, facet
//! counts, tables, JSON and exports loop over [`FACETS`].
//!
//! Adding a facet is one `static` here, listed in [`FACETS`], plus the
//! extractor that finds its values.

use std::fmt;

use chrono::Datelike;

use crate::extract::Extraction;
use crate::gazetteer::Gazetteer;
use crate::model::Document;

/// One facet: a property of an article that can be filtered on and counted.
pub struct Facet {
    /// The facet's name: its index field and its key in facet counts
    /// (`"target"`).
    pub name: &'static str,
    /// Its key on a hit and in an exported document (`"targets"`).
    pub hit_key: &'static str,
    /// What people call it (`"target country"`).
    pub label: &'static str,
    /// How a request filters on it.
    pub filter: Filter,
    /// Where an article's values come from.
    pub values: Values,
    /// How its counts are ordered.
    pub order: CountOrder,
    /// Where the table of hits shows it.
    pub shown: Shown,
}

/// How a request filters on a facet.
pub enum Filter {
    /// The parameter `param` (the flag `--param`) takes values that
    /// `resolve` turns into the facet's stored form; repeating it means any
    /// of them.
    Values {
        /// The parameter's name (`"country"`), and the flag's without `--`.
        param: &'static str,
        /// What the flag's value is called in `--help` (`COUNTRY`).
        value_name: &'static str,
        /// The flag's one-line help.
        help: &'static str,
        /// Turns a user's value into the stored form, or says why it cannot.
        resolve: Resolver,
        /// Whether a value a source declares is kept as written when it
        /// does not resolve (a group or malware no gazetteer lists yet), or
        /// dropped (a country that is none).
        open: bool,
    },
    /// The facet is the publication date's year: `since` and `until`
    /// filter on the date itself.
    DateRange,
}

/// Turns a value a user (or a source) gave into the facet's stored form,
/// or says what is wrong with it.
pub type Resolver = fn(&Gazetteer, &str) -> Result<String, Refusal>;

/// Where an article's values of a facet come from.
pub enum Values {
    /// Read from the text (and merged with what a source declares).
    Extracted(fn(&Extraction) -> Vec<String>),
    /// Derived from the document's own fields (its date, its format): a
    /// path of segments (`2024`, `03`), the first of which is counted; none
    /// when the document lacks the field.
    Derived(fn(&Document) -> Option<Vec<String>>),
}

/// How facet counts are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountOrder {
    /// Most articles first, then by value.
    ByCount,
    /// By value, highest first (years: newest first).
    ValueDescending,
}

/// Where a hit's values of a facet appear in the table for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// On the hit's facet line, as `hit_key: a, b` (`-` when empty).
    Labelled,
    /// Right after the facet before it, in parentheses (`(sponsor CN)`),
    /// when it has values.
    Qualifier(&'static str),
    /// On the line of indicators.
    Indicator,
    /// Not on hits.
    Hidden,
}

impl Facet {
    /// The request parameter (and flag) that filters on this facet, if it
    /// has its own.
    pub fn param(&self) -> Option<&'static str> {
        match self.filter {
            Filter::Values { param, .. } => Some(param),
            Filter::DateRange => None,
        }
    }

    /// Whether hits and documents carry this facet's values (a facet read
    /// from the date is the date on a hit).
    pub fn on_documents(&self) -> bool {
        matches!(self.values, Values::Extracted(_))
    }

    /// The facets hits and documents carry, in table order.
    pub fn on_every_document() -> impl Iterator<Item = &'static Facet> {
        FACETS.iter().copied().filter(|f| f.on_documents())
    }

    /// The facet with this name (`"target"`).
    pub fn named(name: &str) -> Option<&'static Facet> {
        FACETS.iter().copied().find(|f| f.name == name)
    }

    /// The facet that the request parameter `param` (`"country"`) filters.
    pub fn by_param(param: &str) -> Option<&'static Facet> {
        FACETS.iter().copied().find(|f| f.param() == Some(param))
    }

    /// The facet whose document key is `key` (`"targets"`).
    pub fn by_hit_key(key: &str) -> Option<&'static Facet> {
        FACETS
            .iter()
            .copied()
            .find(|f| f.on_documents() && f.hit_key == key)
    }

    /// Its position in [`FACETS`].
    pub fn position(&self) -> usize {
        FACETS
            .iter()
            .position(|f| std::ptr::eq(*f, self))
            .expect("every facet is listed in FACETS")
    }
}

impl fmt::Debug for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Facet({})", self.name)
    }
}

impl PartialEq for Facet {
    fn eq(&self, other: &Facet) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Facet {}

/// Every facet, in the order output shows them.
pub static FACETS: [&Facet; 9] = [
    &ACTOR, &SPONSOR, &TARGET, &SECTOR, &YEAR, &CVE, &TECHNIQUE, &MALWARE, &FORMAT,
];

/// Threat actors, by canonical name.
pub static ACTOR: Facet = Facet {
    name: "actor",
    hit_key: "actors",
    label: "threat actor",
    filter: Filter::Values {
        param: "actor",
        value_name: "NAME",
        help: "Only articles naming this actor (any alias). Repeat for any of several.",
        resolve: resolve_actor,
        open: true,
    },
    values: Values::Extracted(Extraction::actor_names),
    order: CountOrder::ByCount,
    shown: Shown::Labelled,
};

/// States suspected of sponsoring the actors, or blamed by the text.
pub static SPONSOR: Facet = Facet {
    name: "sponsor",
    hit_key: "sponsors",
    label: "sponsor state",
    filter: Filter::Values {
        param: "sponsor",
        value_name: "COUNTRY",
        help: "Only articles whose actors' sponsor is this country (code or name). Repeatable.",
        resolve: resolve_country,
        open: false,
    },
    values: Values::Extracted(|e| e.sponsors.clone()),
    order: CountOrder::ByCount,
    shown: Shown::Qualifier("sponsor"),
};

/// Countries the article reports as targeted.
pub static TARGET: Facet = Facet {
    name: "target",
    hit_key: "targets",
    label: "target country",
    filter: Filter::Values {
        param: "country",
        value_name: "COUNTRY",
        help: "Only articles reporting this country as a target (code or name). Repeatable.",
        resolve: resolve_country,
        open: false,
    },
    values: Values::Extracted(Extraction::targets),
    order: CountOrder::ByCount,
    shown: Shown::Labelled,
};

/// Sectors the article reports as targeted, on dossier's taxonomy.
pub static SECTOR: Facet = Facet {
    name: "sector",
    hit_key: "sectors",
    label: "targeted sector",
    filter: Filter::Values {
        param: "sector",
        value_name: "SECTOR",
        help: "Only articles reporting this sector as targeted (government, defence, telecommunications, ...; `dossier stats` lists them). Repeatable.",
        resolve: resolve_sector,
        open: false,
    },
    values: Values::Extracted(|e| e.sectors.clone()),
    order: CountOrder::ByCount,
    shown: Shown::Labelled,
};

/// The year of publication (indexed with its month, `2024/03`).
pub static YEAR: Facet = Facet {
    name: "year",
    hit_key: "year",
    label: "year",
    filter: Filter::DateRange,
    values: Values::Derived(|document| {
        let date = document.date?;
        Some(vec![
            format!("{:04}", date.year()),
            format!("{:02}", date.month()),
        ])
    }),
    order: CountOrder::ValueDescending,
    shown: Shown::Hidden,
};

/// CVE identifiers.
pub static CVE: Facet = Facet {
    name: "cve",
    hit_key: "cves",
    label: "CVE",
    filter: Filter::Values {
        param: "cve",
        value_name: "CVE-YYYY-NNNN",
        help: "Only articles naming this CVE (CVE-2023-23397). Repeatable.",
        resolve: resolve_cve,
        open: false,
    },
    values: Values::Extracted(|e| e.cves.clone()),
    order: CountOrder::ByCount,
    shown: Shown::Indicator,
};

/// MITRE ATT&CK technique IDs.
pub static TECHNIQUE: Facet = Facet {
    name: "technique",
    hit_key: "techniques",
    label: "ATT&CK technique",
    filter: Filter::Values {
        param: "technique",
        value_name: "TNNNN",
        help: "Only articles naming this ATT&CK technique (T1566, T1059.001). Repeatable.",
        resolve: resolve_technique,
        open: false,
    },
    values: Values::Extracted(|e| e.techniques.clone()),
    order: CountOrder::ByCount,
    shown: Shown::Indicator,
};

/// Malware and tool names: ATT&CK's name where ATT&CK lists the family,
/// else Malpedia's.
pub static MALWARE: Facet = Facet {
    name: "malware",
    hit_key: "malware",
    label: "malware or tool",
    filter: Filter::Values {
        param: "malware",
        value_name: "NAME",
        help: "Only articles naming this malware or tool (any name ATT&CK or Malpedia gives it). Repeatable.",
        resolve: resolve_software,
        open: true,
    },
    values: Values::Extracted(|e| e.software.clone()),
    order: CountOrder::ByCount,
    shown: Shown::Indicator,
};

/// The format of the article's source file (`pdf`, `markdown`).
pub static FORMAT: Facet = Facet {
    name: "format",
    hit_key: "format",
    label: "source format",
    filter: Filter::Values {
        param: "filetype",
        value_name: "TYPE",
        help: "Only articles read from files of this format (text, markdown, html, json, stix, pdf). Repeatable.",
        resolve: resolve_format,
        open: false,
    },
    values: Values::Derived(|document| {
        (!document.format.is_empty()).then(|| vec![document.format.clone()])
    }),
    order: CountOrder::ByCount,
    shown: Shown::Hidden,
};

/// Why a value was refused: the words that follow `{param} "{value}"` in
/// the message, which may name the parameter again (as `--cve` or `cve`,
/// depending on the front end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub Vec<Piece>);

/// A part of a message that names parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words.
    Text(String),
    /// The parameter whose value is refused.
    This,
    /// Another parameter, by its name (`since`).
    Param(&'static str),
}

impl Refusal {
    /// A refusal that is only words.
    pub fn text(words: impl Into<String>) -> Refusal {
        Refusal(vec![Piece::Text(words.into())])
    }

    /// Appends words.
    pub fn then(mut self, words: impl Into<String>) -> Refusal {
        self.0.push(Piece::Text(words.into()));
        self
    }

    /// Appends the refused parameter's name.
    pub fn this(mut self) -> Refusal {
        self.0.push(Piece::This);
        self
    }

    /// The words, with the refused parameter `this` and any other named as
    /// `name` spells them (`--cve` for the command line, `cve` for HTTP).
    pub fn render(&self, this: &str, name: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(words) => out.push_str(words),
                Piece::This => out.push_str(&name(this)),
                Piece::Param(other) => out.push_str(&name(other)),
            }
        }
        out
    }
}

/// Resolves an actor alias to its canonical name.
pub fn resolve_actor(gazetteer: &Gazetteer, name: &str) -> Result<String, Refusal> {
    if let Some(actor) = gazetteer.actor_alias(name) {
        return Ok(actor.name.to_string());
    }
    // A gang named by its software's brand ("LockBit") is stored under it.
    if let Some(software) = gazetteer.software_named(name) {
        return Ok(software.name.clone());
    }
    let suggestions = gazetteer.similar_actors(name, 3);
    let hint = if suggestions.is_empty() {
        "check the spelling, or search for the name as text instead".to_string()
    } else {
        format!("did you mean {}?", suggestions.join(", "))
    };
    Err(Refusal::text(format!(
        "is not a known threat actor or alias; {hint}"
    )))
}

/// Resolves a country code, name, short form or demonym to its alpha-2 code.
pub fn resolve_country(gazetteer: &Gazetteer, name: &str) -> Result<String, Refusal> {
    if let Some(code) = gazetteer.country_code(name) {
        return Ok(code.to_string());
    }
    let suggestions = gazetteer.similar_countries(name, 3);
    let hint = if suggestions.is_empty() {
        "give an ISO 3166 alpha-2 code (GB) or a name (United Kingdom)".to_string()
    } else {
        format!("did you mean {}?", suggestions.join(", "))
    };
    Err(Refusal::text(format!("is not a country; {hint}")))
}

/// Validates a CVE identifier, upper-casing it.
pub fn resolve_cve(_: &Gazetteer, value: &str) -> Result<String, Refusal> {
    let upper = value.trim().to_ascii_uppercase();
    let mut parts = upper.splitn(3, '-');
    let valid = parts.next() == Some("CVE")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| (4..=7).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(upper)
    } else {
        Err(
            Refusal::text("is not a CVE identifier; write it as CVE-YYYY-NNNN, e.g. ")
                .this()
                .then(" CVE-2023-23397"),
        )
    }
}

/// Validates an ATT&CK technique ID (`T1566`, `T1059.001`).
pub fn resolve_technique(gazetteer: &Gazetteer, value: &str) -> Result<String, Refusal> {
    let upper = value.trim().to_ascii_uppercase();
    let (main, sub) = upper
        .split_once('.')
        .map_or((upper.as_str(), None), |(m, s)| (m, Some(s)));
    let valid = main.len() == 5
        && main.starts_with('T')
        && main[1..].chars().all(|c| c.is_ascii_digit())
        && sub.is_none_or(|s| s.len() == 3 && s.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(upper)
    } else if let Some(technique) = gazetteer.technique_named(value) {
        Ok(technique.id.clone())
    } else {
        Err(Refusal::text(
            "is not an ATT&CK technique ID or name; write it as T1566, T1059.001 or \"Spearphishing Attachment\"",
        ))
    }
}

/// Resolves a malware or tool name to the spelling ATT&CK uses.
pub fn resolve_software(gazetteer: &Gazetteer, name: &str) -> Result<String, Refusal> {
    gazetteer
        .software_named(name)
        .map(|s| s.name.clone())
        .ok_or_else(|| {
            Refusal::text(format!(
                "is not a malware or tool name dossier knows; search for it as text instead (dossier search {name:?})"
            ))
        })
}

/// Resolves a sector id, label, CERT-EU sector or term (`defense`,
/// `Telecoms`, `hospitals`) to the taxonomy's id.
pub fn resolve_sector(gazetteer: &Gazetteer, value: &str) -> Result<String, Refusal> {
    gazetteer
        .sector(value)
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            let ids: Vec<&str> = gazetteer.sectors().iter().map(|s| s.id.as_str()).collect();
            Refusal::text(format!("is not a sector; use one of {}", ids.join(", ")))
        })
}

/// Validates a format name (`PDF` → `pdf`).
pub fn resolve_format(_: &Gazetteer, value: &str) -> Result<String, Refusal> {
    let lower = value.trim().to_ascii_lowercase();
    let names = crate::source::format::FORMAT_NAMES;
    if names.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(Refusal::text(format!(
            "is not a format dossier reads; give one of {}",
            names.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_facet_has_a_field_keys_a_filter_and_a_label() {
        let mut names = BTreeSet::new();
        let mut keys = BTreeSet::new();
        let mut params = BTreeSet::new();
        let plain = |name: &str| {
            name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        for facet in FACETS {
            assert!(
                !facet.name.is_empty() && !facet.label.is_empty(),
                "{facet:?}"
            );
            assert!(
                plain(facet.name) && plain(facet.hit_key),
                "{facet:?}: names and keys are [a-z][a-z0-9_]*, good as a field, a flag and JSON"
            );
            assert!(names.insert(facet.name), "{facet:?}: name used twice");
            assert!(keys.insert(facet.hit_key), "{facet:?}: key used twice");
            match &facet.filter {
                Filter::Values {
                    param,
                    value_name,
                    help,
                    ..
                } => {
                    assert!(plain(param), "{facet:?}: a parameter is [a-z][a-z0-9_]*");
                    assert!(params.insert(*param), "{facet:?}: parameter used twice");
                    assert!(!value_name.is_empty() && !help.is_empty(), "{facet:?}");
                }
                Filter::DateRange => {
                    assert!(matches!(facet.values, Values::Derived(_)), "{facet:?}")
                }
            }
            assert_eq!(FACETS[facet.position()], facet);
            assert_eq!(Facet::named(facet.name), Some(facet));
            assert_eq!(
                facet.shown == Shown::Hidden,
                !facet.on_documents(),
                "{facet:?}: hits show the facets documents carry"
            );
        }
        for reserved in ["q", "since", "until", "limit", "offset", "sort", "facets"] {
            assert!(
                !params.contains(reserved),
                "{reserved} is a request parameter"
            );
        }
    }

    #[test]
    fn a_qualifier_follows_a_labelled_facet() {
        for pair in FACETS.windows(2) {
            if let Shown::Qualifier(_) = pair[1].shown {
                assert_eq!(pair[0].shown, Shown::Labelled, "{:?}", pair[1]);
            }
        }
    }

    #[test]
    fn values_resolve_or_are_refused() {
        let g = Gazetteer::embedded();
        assert_eq!(resolve_cve(&g, "cve-2023-23397").unwrap(), "CVE-2023-23397");
        assert!(resolve_cve(&g, "CVE-23-1").is_err());
        assert_eq!(resolve_technique(&g, "t1059.001").unwrap(), "T1059.001");
        assert!(resolve_technique(&g, "T15").is_err());
        assert_eq!(resolve_software(&g, "blackenergy").unwrap(), "BlackEnergy");
        assert!(resolve_software(&g, "NoSuchMalware").is_err());
        assert_eq!(resolve_actor(&g, "Zirconium").unwrap(), "APT31");
        assert_eq!(resolve_country(&g, "Britain").unwrap(), "GB");
        let refusal = resolve_actor(&g, "APT311").unwrap_err();
        assert!(
            format!("{refusal:?}").contains("did you mean"),
            "{refusal:?}"
        );
        let refusal = resolve_country(&g, "Narnia").unwrap_err();
        assert!(
            format!("{refusal:?}").contains("not a country"),
            "{refusal:?}"
        );
    }
}
