//! Key tables: every lookup key of the gazetteer (actor alias keys, country
//! name keys) sorted, with the index of what it names, so a name resolves by
//! binary search with nothing parsed or allocated beforehand. For the
//! embedded gazetteer they are static, in `keys/generated.rs` (made from `data/` by
//! `cargo run --example build_gazetteer -- --keys`; a test fails when it is
//! stale); for any other they are built from its tables.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::{alias_key, country_key, Actor, Aliased, Country};

#[rustfmt::skip]
mod generated;

/// The flag on an actor key's value that says it is only one of the actor's
/// ordinary-word aliases; the other bits are the actor's index.
const ORDINARY: u16 = 1 << 15;

/// Many strings kept as one text and the end of each, so a static table of
/// them holds no pointer but one: pointers in statics cost every run of the
/// program a relocation when it starts, and the tables are constants, so
/// they hold none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strings {
    text: Cow<'static, str>,
    ends: Cow<'static, [u32]>,
}

impl Strings {
    /// Strings over a static text and its ends.
    pub const fn from_static(text: &'static str, ends: &'static [u32]) -> Strings {
        Strings {
            text: Cow::Borrowed(text),
            ends: Cow::Borrowed(ends),
        }
    }

    fn collect<'a>(strings: impl IntoIterator<Item = &'a str>) -> Strings {
        let mut text = String::new();
        let mut ends = Vec::new();
        for s in strings {
            text.push_str(s);
            ends.push(text.len() as u32);
        }
        Strings {
            text: Cow::Owned(text),
            ends: Cow::Owned(ends),
        }
    }

    /// The `index`th string.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        self.text.get(start..end)
    }

    /// How many strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where `key` is among sorted strings.
    fn find(&self, key: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let middle = (low + high) / 2;
            match self.get(middle)?.cmp(key) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// The sorted keys of a gazetteer and the names they resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTables {
    /// Actor alias keys, sorted.
    actor_keys: Strings,
    /// For each actor key, the actor's index, with [`ORDINARY`] set when the
    /// key is only one of its ordinary-word aliases.
    actor_values: Cow<'static, [u16]>,
    /// Canonical actor names, by index.
    actor_names: Strings,
    /// Country name keys, sorted.
    country_keys: Strings,
    /// For each country key, the country's index.
    country_values: Cow<'static, [u16]>,
    /// Alpha-2 codes, by index.
    country_codes: Strings,
}

impl KeyTables {
    /// The tables of the embedded gazetteer.
    pub fn embedded() -> KeyTables {
        KeyTables {
            actor_keys: generated::ACTOR_KEYS,
            actor_values: Cow::Borrowed(generated::ACTOR_VALUES),
            actor_names: generated::ACTOR_NAMES,
            country_keys: generated::COUNTRY_KEYS,
            country_values: Cow::Borrowed(generated::COUNTRY_VALUES),
            country_codes: generated::COUNTRY_CODES,
        }
    }

    /// The tables of these actors and countries. Where two claim one key,
    /// the first keeps it.
    pub fn build(actors: &[Actor], countries: &[Country]) -> KeyTables {
        let mut actor_keys: HashMap<String, u16> = HashMap::new();
        for (index, actor) in actors.iter().enumerate() {
            let named = |key: &str| {
                std::iter::once(&actor.name)
                    .chain(&actor.aliases)
                    .any(|a| alias_key(a) == key)
            };
            for alias in std::iter::once(actor.name.as_str()).chain(actor.all_aliases()) {
                if let Entry::Vacant(slot) = actor_keys.entry(alias_key(alias)) {
                    let key = slot.key();
                    let only_ordinary =
                        actor.word_aliases.iter().any(|a| alias_key(a) == *key) && !named(key);
                    slot.insert(index as u16 | if only_ordinary { ORDINARY } else { 0 });
                }
            }
        }
        let mut actor_keys: Vec<(String, u16)> = actor_keys.into_iter().collect();
        actor_keys.sort();
        let mut country_keys: HashMap<String, u16> = HashMap::new();
        for (index, country) in countries.iter().enumerate() {
            let names = std::iter::once(&country.code)
                .chain(std::iter::once(&country.name))
                .chain(&country.names)
                .chain(&country.abbreviations)
                .chain(&country.demonyms);
            for name in names {
                country_keys
                    .entry(country_key(name))
                    .or_insert(index as u16);
            }
        }
        let mut country_keys: Vec<(String, u16)> = country_keys.into_iter().collect();
        country_keys.sort();
        KeyTables {
            actor_keys: Strings::collect(actor_keys.iter().map(|(k, _)| k.as_str())),
            actor_values: actor_keys.iter().map(|(_, v)| *v).collect(),
            actor_names: Strings::collect(actors.iter().map(|a| a.name.as_str())),
            country_keys: Strings::collect(country_keys.iter().map(|(k, _)| k.as_str())),
            country_values: country_keys.iter().map(|(_, v)| *v).collect(),
            country_codes: Strings::collect(countries.iter().map(|c| c.code.as_str())),
        }
    }

    /// The actor an alias key names, and whether the key is only one of its
    /// ordinary-word aliases.
    pub fn actor(&self, key: &str) -> Option<(usize, bool)> {
        let value = *self.actor_values.get(self.actor_keys.find(key)?)?;
        Some((usize::from(value & !ORDINARY), value & ORDINARY != 0))
    }

    /// The canonical name of the actor at `index`.
    pub fn actor_name(&self, index: usize) -> Option<&str> {
        self.actor_names.get(index)
    }

    /// The country a name key names.
    pub fn country(&self, key: &str) -> Option<usize> {
        let value = *self.country_values.get(self.country_keys.find(key)?)?;
        Some(usize::from(value))
    }

    /// The alpha-2 code of the country at `index`.
    pub fn country_code(&self, index: usize) -> Option<&str> {
        self.country_codes.get(index)
    }

    /// These tables as the Rust source of `keys/generated.rs`.
    pub fn to_source(&self) -> String {
        let mut out = String::from(
            "//! Generated by `cargo run --example build_gazetteer -- --keys` from\n\
             //! `data/actors.json` and `data/countries.json`; do not edit.\n\n\
             use super::Strings;\n",
        );
        let strings = |out: &mut String, name: &str, doc: &str, strings: &Strings| {
            let text: String = strings.iter().collect();
            let _ = write!(
                out,
                "\n/// {doc}\npub const {name}: Strings = Strings::from_static(\n    {text:?},\n    &["
            );
            numbers(out, strings.ends.iter().copied());
            out.push_str("],\n);\n");
        };
        let values = |out: &mut String, name: &str, doc: &str, values: &[u16]| {
            let _ = write!(out, "\n/// {doc}\npub const {name}: &[u16] = &[");
            numbers(out, values.iter().copied());
            out.push_str("];\n");
        };
        strings(
            &mut out,
            "ACTOR_KEYS",
            "Actor alias keys, sorted.",
            &self.actor_keys,
        );
        values(
            &mut out,
            "ACTOR_VALUES",
            "Each actor key's actor index; the high bit marks a key that is only an ordinary-word alias.",
            &self.actor_values,
        );
        strings(
            &mut out,
            "ACTOR_NAMES",
            "Canonical actor names, by index.",
            &self.actor_names,
        );
        strings(
            &mut out,
            "COUNTRY_KEYS",
            "Country name keys, sorted.",
            &self.country_keys,
        );
        values(
            &mut out,
            "COUNTRY_VALUES",
            "Each country key's country index.",
            &self.country_values,
        );
        strings(
            &mut out,
            "COUNTRY_CODES",
            "Alpha-2 codes, by index.",
            &self.country_codes,
        );
        out
    }
}

/// Writes numbers, sixteen a line.
fn numbers<N: std::fmt::Display>(out: &mut String, numbers: impl Iterator<Item = N>) {
    for (i, n) in numbers.enumerate() {
        out.push_str(if i % 16 == 0 { "\n    " } else { " " });
        let _ = write!(out, "{n},");
    }
    out.push('\n');
}

/// Where the generated tables live, relative to the crate root.
pub const GENERATED_PATH: &str = "src/gazetteer/keys/generated.rs";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;

    #[test]
    fn the_static_tables_are_those_of_the_embedded_data() {
        let gazetteer = Gazetteer::embedded();
        let built = KeyTables::build(gazetteer.actors(), gazetteer.countries());
        assert!(
            built == KeyTables::embedded(),
            "{GENERATED_PATH} is stale: run `cargo run --example build_gazetteer -- --keys`"
        );
        assert_eq!(
            built.to_source(),
            include_str!("keys/generated.rs"),
            "{GENERATED_PATH} is stale: run `cargo run --example build_gazetteer -- --keys`"
        );
    }

    #[test]
    fn keys_resolve_like_the_tables() {
        let gazetteer = Gazetteer::embedded();
        for alias in [
            "Zirconium",
            "apt 31",
            "Violet Typhoon",
            "Snake",
            "Fancy Bear",
        ] {
            let fast = gazetteer.actor_alias(alias).map(|m| m.name);
            let full = gazetteer.actor(alias).map(|a| a.name.as_str());
            assert_eq!(fast, full, "{alias}");
        }
        assert!(gazetteer.actor_alias("Snake").unwrap().only_ordinary);
        assert!(!gazetteer.actor_alias("Turla").unwrap().only_ordinary);
        assert_eq!(gazetteer.country_code("Britain"), Some("GB"));
        assert_eq!(gazetteer.country_code("narnia"), None);
    }
}
