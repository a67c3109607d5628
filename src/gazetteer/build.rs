//! Regenerates `data/actors.json` and `data/countries.json` from the public
//! sources (MISP threat-actor galaxy, MITRE ATT&CK groups, mledoze/countries),
//! an English word list, and the curated corrections in `data/overrides.tsv`.
//!
//! Run it with `cargo run --example build_gazetteer -- <shared/data> [data]`.
//! The same code runs in a test that checks the shipped files are up to date.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

mod software;
mod tables;

use super::{alias_key, Actor, Agency, Aliased, Country, Sector, Software, Technique};

/// The vendor tables that name groups other sources know: they add names
/// and join clusters, and make a group of their own only where no other
/// source knows it.
struct VendorTables<'a> {
    microsoft: &'a Value,
    qihoo: &'a Value,
    /// Alias keys of every software name: a vendor table's synonym that
    /// names malware ("ChChes") does not join or name a group.
    software_keys: &'a HashSet<String>,
}

/// Where the builder reads its inputs.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Folder with `misp-threat-actor.json`, `attack-groups.json`, `countries.json`.
    pub shared_data: PathBuf,
    /// The curated corrections, one per line with a reason.
    pub overrides: PathBuf,
    /// A plain word list, one word per line (SCOWL's `american-english`).
    pub dictionary: PathBuf,
    /// dossier's sector taxonomy over CERT-EU's sectors, with prose terms.
    pub sector_taxonomy: PathBuf,
}

impl Sources {
    /// The default layout: `../shared/data`, `data/overrides.tsv` and the
    /// Debian `wamerican` word list.
    pub fn default_for(project_root: &Path, shared_data: &Path) -> Sources {
        Sources {
            shared_data: shared_data.to_path_buf(),
            overrides: project_root.join("data/overrides.tsv"),
            dictionary: PathBuf::from("/usr/share/dict/american-english"),
            sector_taxonomy: project_root.join("data/sectors.tsv"),
        }
    }
}

/// What the builder produced, plus a human-readable report of the choices it
/// made that a maintainer may want to review.
#[derive(Debug)]
pub struct Output {
    /// The actor table.
    pub actors: Vec<Actor>,
    /// Names two groups claim and nothing decided between: no group's.
    pub contested: Vec<String>,
    /// The country table.
    pub countries: Vec<Country>,
    /// Malware and tools: ATT&CK software and Malpedia families.
    pub software: Vec<Software>,
    /// ATT&CK techniques by name.
    pub techniques: Vec<Technique>,
    /// The sector taxonomy with its prose terms.
    pub sectors: Vec<Sector>,
    /// Intelligence and security agencies with their states.
    pub agencies: Vec<Agency>,
    /// Dropped ambiguous aliases and other decisions, one line each.
    pub report: Vec<String>,
}

impl Output {
    /// The JSON files as they are written to `data/`: (file name, contents).
    pub fn to_json(&self) -> Result<Vec<(&'static str, String)>> {
        let pretty = |value: serde_json::Value| -> Result<String> {
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push('\n');
            Ok(text)
        };
        Ok(vec![
            ("actors.json", pretty(serde_json::to_value(&self.actors)?)?),
            (
                "contested.json",
                pretty(serde_json::to_value(&self.contested)?)?,
            ),
            (
                "countries.json",
                pretty(serde_json::to_value(&self.countries)?)?,
            ),
            (
                "software.json",
                pretty(serde_json::to_value(&self.software)?)?,
            ),
            (
                "techniques.json",
                pretty(serde_json::to_value(&self.techniques)?)?,
            ),
            (
                "sectors.json",
                pretty(serde_json::to_value(&self.sectors)?)?,
            ),
            (
                "agencies.json",
                pretty(serde_json::to_value(&self.agencies)?)?,
            ),
        ])
    }

    /// Writes the JSON files and `gazetteer-report.txt` into `dir`.
    pub fn write_to(&self, dir: &Path) -> Result<()> {
        for (name, contents) in self.to_json()? {
            fs::write(dir.join(name), contents)?;
        }
        let mut report = self.report.join("\n");
        report.push('\n');
        fs::write(dir.join("gazetteer-report.txt"), report)?;
        Ok(())
    }
}

/// One curated correction from `overrides.tsv`.
#[derive(Debug, Clone)]
enum Override {
    /// Add an alias to an actor.
    Alias { actor: String, alias: String },
    /// Remove an alias from every actor.
    DropAlias { alias: String },
    /// Give an alias claimed by several actors to one of them.
    Assign { alias: String, actor: String },
    /// Merge the second actor into the first.
    Merge { into: String, from: String },
    /// Set an actor's sponsor state.
    Sponsor { actor: String, code: String },
    /// Treat an alias as an ordinary word (needs capitals and a cue).
    Word { alias: String },
    /// Treat an alias as distinctive although it is a dictionary word.
    NotWord { alias: String },
    /// Add a country name (matched capitalised).
    CountryName { code: String, name: String },
    /// Add an exact-case abbreviation for a country.
    CountryAbbreviation { code: String, abbreviation: String },
    /// Add a demonym for a country.
    CountryDemonym { code: String, demonym: String },
    /// Remove a country name or demonym.
    DropCountryName { name: String },
}

fn parse_overrides(text: &str) -> Result<Vec<(usize, Override)>> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let number = number + 1;
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let (action, args, reason) = match fields.as_slice() {
            [action, rest @ .., reason] if !rest.is_empty() => (*action, rest, *reason),
            _ => bail!("overrides.tsv line {number}: expected action, arguments and a reason separated by tabs"),
        };
        if reason.trim().is_empty() {
            bail!("overrides.tsv line {number}: every override needs a reason");
        }
        let arg = |i: usize| -> Result<String> {
            args.get(i).map(|s| s.to_string()).with_context(|| {
                format!("overrides.tsv line {number}: {action} needs more arguments")
            })
        };
        let parsed = match action {
            "alias" => Override::Alias {
                actor: arg(0)?,
                alias: arg(1)?,
            },
            "drop-alias" => Override::DropAlias { alias: arg(0)? },
            "assign" => Override::Assign {
                alias: arg(0)?,
                actor: arg(1)?,
            },
            "merge" => Override::Merge {
                into: arg(0)?,
                from: arg(1)?,
            },
            "sponsor" => Override::Sponsor {
                actor: arg(0)?,
                code: arg(1)?,
            },
            "word" => Override::Word { alias: arg(0)? },
            "not-word" => Override::NotWord { alias: arg(0)? },
            "country-name" => Override::CountryName {
                code: arg(0)?,
                name: arg(1)?,
            },
            "country-abbreviation" => Override::CountryAbbreviation {
                code: arg(0)?,
                abbreviation: arg(1)?,
            },
            "country-demonym" => Override::CountryDemonym {
                code: arg(0)?,
                demonym: arg(1)?,
            },
            "drop-country-name" => Override::DropCountryName { name: arg(0)? },
            other => bail!("overrides.tsv line {number}: unknown action {other:?}"),
        };
        out.push((number, parsed));
    }
    Ok(out)
}

/// Which table a group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// MISP's threat-actor galaxy.
    Misp,
    /// MITRE ATT&CK's intrusion sets.
    Attack,
    /// Microsoft's activity-group table (weather names).
    Microsoft,
    /// 360's `APT-C-*` names.
    Qihoo,
}

/// A group as found in one source, before merging.
#[derive(Debug)]
struct SourceGroup {
    canonical: String,
    names: Vec<String>,
    sponsor: Option<String>,
    origin: Origin,
    synonym_count: usize,
}

impl SourceGroup {
    fn is_misp(&self) -> bool {
        self.origin == Origin::Misp
    }
}

/// Builds the gazetteer. Fails if an input is missing or an override no
/// longer applies (so stale corrections are noticed).
pub fn build(sources: &Sources) -> Result<Output> {
    let read_json = |name: &str| -> Result<Value> {
        let path = sources.shared_data.join(name);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    };
    let misp = read_json("misp-threat-actor.json")?;
    let attack = read_json("attack-groups.json")?;
    let country_source = read_json("countries.json")?;
    let galaxy = |name: &str| read_json(&format!("misp-galaxy/{name}.json"));
    let (attack_malware, attack_tools) = (galaxy("mitre-malware")?, galaxy("mitre-tool")?);
    let (malpedia, ransomware) = (galaxy("malpedia")?, galaxy("ransomware")?);
    let (microsoft, qihoo) = (galaxy("microsoft-activity-group")?, galaxy("360net")?);
    let (attack_patterns, sector_galaxy) = (galaxy("mitre-attack-pattern")?, galaxy("sector")?);
    let agencies = galaxy("intelligence-agencies")?;
    let overrides_text = fs::read_to_string(&sources.overrides)
        .with_context(|| format!("reading {}", sources.overrides.display()))?;
    let overrides = parse_overrides(&overrides_text)?;
    let dictionary_text = fs::read_to_string(&sources.dictionary).with_context(|| {
        format!(
            "reading the word list {} (on Debian: apt-get install wamerican)",
            sources.dictionary.display()
        )
    })?;
    let dictionary: HashSet<&str> = dictionary_text
        .lines()
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    // Names as well as words: a family called "Medusa" or "Pegasus" is
    // named like a myth's figure in ordinary prose.
    let proper_nouns: Vec<String> = dictionary_text
        .lines()
        .filter(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_lowercase())
        })
        .map(str::to_lowercase)
        .collect();
    let words_and_names: HashSet<&str> = dictionary
        .iter()
        .copied()
        .chain(proper_nouns.iter().map(String::as_str))
        .collect();

    let mut report = Vec::new();
    let mut applied: HashSet<usize> = HashSet::new();
    let mut countries = build_countries(&country_source, &overrides, &mut applied, &mut report)?;
    let is_country = |name: &str| country_code_for(name, &countries).is_some();
    let software = software::build_software(
        &attack_malware,
        &attack_tools,
        &malpedia,
        &ransomware,
        &words_and_names,
        &is_country,
        &mut report,
    )?;
    let software_keys: HashSet<String> = software
        .iter()
        .flat_map(|s| s.all_aliases().map(alias_key))
        .collect();
    let vendor_tables = VendorTables {
        microsoft: &microsoft,
        qihoo: &qihoo,
        software_keys: &software_keys,
    };
    let (actors, contested) = build_actors(
        &misp,
        &attack,
        &vendor_tables,
        &countries,
        &dictionary,
        &overrides,
        &mut applied,
        &mut report,
    )?;
    let actors = add_ransomware_gangs(actors, &software, &mut report);
    let techniques = tables::build_techniques(&attack_patterns)?;
    let sectors = tables::build_sectors(&sector_galaxy, &sources.sector_taxonomy)?;
    let agencies = tables::build_agencies(&agencies, &countries)?;
    countries.sort_by(|a, b| a.code.cmp(&b.code));

    let stale: Vec<String> = overrides
        .iter()
        .filter(|(number, _)| !applied.contains(number))
        .map(|(number, o)| format!("line {number}: {o:?}"))
        .collect();
    if !stale.is_empty() {
        bail!("overrides that no longer apply:\n{}", stale.join("\n"));
    }
    Ok(Output {
        actors,
        contested,
        countries,
        software,
        techniques,
        sectors,
        agencies,
        report,
    })
}

pub(crate) fn str_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Latin-script text only: the extractor reads English reporting.
pub(crate) fn is_latin(s: &str) -> bool {
    s.chars().all(|c| (c as u32) < 0x250 || c == '\u{2019}')
}

fn build_countries(
    source: &Value,
    overrides: &[(usize, Override)],
    applied: &mut HashSet<usize>,
    report: &mut Vec<String>,
) -> Result<Vec<Country>> {
    let mut countries: Vec<Country> = Vec::new();
    let mut independent: HashSet<String> = HashSet::new();
    for entry in source.as_array().context("countries.json is not a list")? {
        let code = entry["cca2"]
            .as_str()
            .context("country without cca2")?
            .to_string();
        if entry["independent"].as_bool().unwrap_or(false) {
            independent.insert(code.clone());
        }
        let name = entry["name"]["common"]
            .as_str()
            .context("country without name")?
            .to_string();
        let mut names = BTreeSet::new();
        let mut abbreviations = BTreeSet::new();
        if let Some(official) = entry["name"]["official"].as_str() {
            names.insert(official.to_string());
        }
        for spelling in str_list(&entry["altSpellings"]) {
            if spelling.len() <= 2 || !is_latin(&spelling) {
                continue;
            }
            if spelling.chars().all(|c| c.is_ascii_uppercase()) {
                abbreviations.insert(spelling);
            } else {
                names.insert(spelling);
            }
        }
        if name.starts_with("The ") || name.contains(',') {
            report.push(format!("country {code}: odd common name {name:?}"));
        }
        let mut demonyms = BTreeSet::new();
        if let Some(eng) = entry["demonyms"]["eng"].as_object() {
            for demonym in eng.values().filter_map(Value::as_str) {
                if demonym.is_empty() {
                    continue;
                }
                demonyms.insert(demonym.to_string());
                if !demonym.ends_with('s')
                    && !demonym.ends_with("ese")
                    && !demonym.ends_with("sh")
                    && !demonym.ends_with("ch")
                {
                    demonyms.insert(format!("{demonym}s"));
                }
            }
        }
        names.remove(&name);
        countries.push(Country {
            code,
            name,
            names: names.into_iter().collect(),
            abbreviations: abbreviations.into_iter().collect(),
            demonyms: demonyms.into_iter().collect(),
        });
    }

    for (number, o) in overrides {
        let find = |countries: &mut Vec<Country>, code: &str| -> Option<usize> {
            countries.iter().position(|c| c.code == code)
        };
        match o {
            Override::CountryName { code, name } => {
                if let Some(i) = find(&mut countries, code) {
                    if !countries[i].names.contains(name) && countries[i].name != *name {
                        countries[i].names.push(name.clone());
                        applied.insert(*number);
                    }
                }
            }
            Override::CountryAbbreviation { code, abbreviation } => {
                if let Some(i) = find(&mut countries, code) {
                    if !countries[i].abbreviations.contains(abbreviation) {
                        countries[i].abbreviations.push(abbreviation.clone());
                        applied.insert(*number);
                    }
                }
            }
            Override::CountryDemonym { code, demonym } => {
                if let Some(i) = find(&mut countries, code) {
                    if !countries[i].demonyms.contains(demonym) {
                        countries[i].demonyms.push(demonym.clone());
                        applied.insert(*number);
                    }
                }
            }
            Override::DropCountryName { name } => {
                for country in &mut countries {
                    for list in [
                        &mut country.names,
                        &mut country.abbreviations,
                        &mut country.demonyms,
                    ] {
                        let before = list.len();
                        list.retain(|n| n != name);
                        if list.len() != before {
                            applied.insert(*number);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // A name or demonym claimed by two countries means the sovereign state
    // when exactly one claimant is ("American": US, not the Northern Mariana
    // Islands); otherwise ("Congolese", "Dominican") it says nothing about
    // which one was meant, so it is dropped from both.
    let mut owners: HashMap<String, BTreeSet<String>> = HashMap::new();
    for country in &countries {
        for n in country
            .names
            .iter()
            .chain(&country.demonyms)
            .chain(std::iter::once(&country.name))
        {
            owners
                .entry(n.to_lowercase())
                .or_default()
                .insert(country.code.clone());
        }
    }
    for country in &mut countries {
        for list in [&mut country.names, &mut country.demonyms] {
            list.retain(|n| {
                let codes = &owners[&n.to_lowercase()];
                let sovereign: Vec<&String> =
                    codes.iter().filter(|c| independent.contains(*c)).collect();
                let keep_here = sovereign.len() == 1 && *sovereign[0] == country.code;
                if codes.len() > 1 && !keep_here {
                    report.push(format!(
                        "country name {n:?} is shared by {codes:?}: dropped from {}",
                        country.code
                    ));
                    false
                } else {
                    true
                }
            });
            list.sort();
            list.dedup();
        }
        country.abbreviations.sort();
    }
    Ok(countries)
}

/// Maps a demonym or country name found in an ATT&CK description to a code.
fn sponsor_from_description(description: &str, countries: &[Country]) -> Option<String> {
    // Only the first sentence: later ones describe victims.
    let first = description.split(". ").next().unwrap_or(description);
    let cues = [
        "-based",
        "-linked",
        "-nexus",
        "-sponsored",
        " state-sponsored",
        " state-backed",
        " threat",
        " cyber",
        " espionage",
        " APT",
        " group",
        " government",
        " intelligence",
        " military",
        " hacking",
        " actor",
    ];
    let mut best: Option<(usize, String)> = None;
    for country in countries {
        for form in std::iter::once(&country.name).chain(&country.demonyms) {
            for cue in cues {
                let needle = format!("{form}{cue}");
                if let Some(pos) = first.find(&needle) {
                    if best.as_ref().is_none_or(|(p, _)| pos < *p) {
                        best = Some((pos, country.code.clone()));
                    }
                }
            }
        }
        for phrase in [
            "attributed to ",
            "linked to ",
            "sponsored by ",
            "on behalf of ",
        ] {
            for form in std::iter::once(&country.name).chain(&country.names) {
                let needle = format!("{phrase}{form}");
                if let Some(pos) = first.find(&needle) {
                    if best.as_ref().is_none_or(|(p, _)| pos < *p) {
                        best = Some((pos, country.code.clone()));
                    }
                }
            }
        }
    }
    best.map(|(_, code)| code)
}

fn country_code_for(name: &str, countries: &[Country]) -> Option<String> {
    let wanted = name.trim().to_lowercase();
    if wanted.is_empty() || wanted == "unknown" {
        return None;
    }
    if wanted.len() == 2 {
        return countries
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(&wanted))
            .map(|c| c.code.clone());
    }
    // MISP writes "Korea (Democratic People's Republic of)" and the like.
    let normalized = match wanted.as_str() {
        "korea (democratic people's republic of)" => "north korea".to_string(),
        "korea (republic of)" => "south korea".to_string(),
        "iran (islamic republic of)" => "iran".to_string(),
        "us" => "united states".to_string(),
        other => other.to_string(),
    };
    countries
        .iter()
        .find(|c| {
            c.name.to_lowercase() == normalized
                || c.names.iter().any(|n| n.to_lowercase() == normalized)
        })
        .map(|c| c.code.clone())
}

pub(crate) fn is_ordinary_words(alias: &str, dictionary: &HashSet<&str>) -> bool {
    let words: Vec<&str> = alias.split([' ', '-']).filter(|w| !w.is_empty()).collect();
    !words.is_empty()
        && words.iter().all(|w| {
            let lower = w.to_lowercase();
            lower.chars().all(|c| c.is_ascii_alphabetic()) && dictionary.contains(lower.as_str())
        })
}

/// Adds a gang for each ransomware brand no group already answers to, named
/// by the brand ("LockBit"), with the names analysts give it ("LockBit
/// gang", "LockBit ransomware operators"), so a source's or a search's
/// "LockBit gang" resolves to the actor the text's gang reading displays.
fn add_ransomware_gangs(
    mut actors: Vec<Actor>,
    software: &[Software],
    report: &mut Vec<String>,
) -> Vec<Actor> {
    const GANG_WORDS: [&str; 7] = [
        "gang",
        "group",
        "operators",
        "affiliates",
        "ransomware gang",
        "ransomware group",
        "ransomware operators",
    ];
    let mut taken: HashSet<String> = actors
        .iter()
        .flat_map(|a| std::iter::once(a.name.as_str()).chain(a.all_aliases()))
        .map(alias_key)
        .collect();
    let mut added = 0;
    for family in software.iter().filter(|s| s.ransomware) {
        let names: Vec<&str> = std::iter::once(family.name.as_str())
            .chain(family.all_aliases())
            .collect();
        if names.iter().any(|n| taken.contains(&alias_key(n))) {
            continue;
        }
        let mut aliases: BTreeSet<String> = BTreeSet::new();
        for name in &names {
            for word in GANG_WORDS {
                let alias = format!("{name} {word}");
                if !taken.contains(&alias_key(&alias)) {
                    aliases.insert(alias);
                }
            }
        }
        taken.insert(alias_key(&family.name));
        taken.extend(aliases.iter().map(|a| alias_key(a)));
        actors.push(Actor {
            name: family.name.clone(),
            sponsor: None,
            aliases: aliases.into_iter().collect(),
            word_aliases: Vec::new(),
            brand: true,
        });
        added += 1;
    }
    report.push(format!("{added} ransomware gangs named by their brand"));
    actors.sort_by(|a, b| a.name.cmp(&b.name));
    actors
}

/// The name analysts use today for a group: its chosen source's name,
/// except that a Microsoft element name Microsoft has retired gives way to
/// MISP's name for the group ("ZIRCONIUM" is APT31), else to the weather
/// name that replaced it ("HAFNIUM" is Silk Typhoon).
fn display_name(
    chosen: &SourceGroup,
    misp: Option<&SourceGroup>,
    vendors: &[&SourceGroup],
) -> String {
    let name = &chosen.canonical;
    let retired_element = !name.contains(' ')
        && name.len() > 3
        && name.chars().all(|c| c.is_ascii_uppercase())
        && name.ends_with("IUM");
    if retired_element {
        if let Some(misp) = misp.filter(|m| alias_key(&m.canonical) != alias_key(name)) {
            return misp.canonical.clone();
        }
        // The group's Microsoft entry under its weather name (two words).
        if let Some(weather) = vendors
            .iter()
            .find(|v| v.origin == Origin::Microsoft && v.canonical.contains(' '))
        {
            return weather.canonical.clone();
        }
    }
    name.clone()
}

/// Groups from Microsoft's activity-group table and 360's `APT-C-*` list.
/// Their synonyms that name software ("ChChes", "Evilgrab") are left out:
/// they would join a group to its tools.
fn vendor_groups(
    vendors: &VendorTables<'_>,
    countries: &[Country],
    dictionary: &HashSet<&str>,
) -> Result<Vec<SourceGroup>> {
    let mut out = Vec::new();
    for (table, origin) in [
        (vendors.microsoft, Origin::Microsoft),
        (vendors.qihoo, Origin::Qihoo),
    ] {
        for entry in table["values"]
            .as_array()
            .context("vendor galaxy without values")?
        {
            let value = entry["value"]
                .as_str()
                .context("vendor group without value")?;
            // 360 writes `海莲花 - APT-C-00`: the code after the dash is the name.
            let canonical = match origin {
                Origin::Qihoo => value.rsplit(" - ").next().unwrap_or(value).trim(),
                _ => value.trim(),
            }
            .to_string();
            if !is_latin(&canonical) {
                continue;
            }
            let mut names = vec![canonical.clone()];
            names.extend(
                str_list(&entry["meta"]["synonyms"])
                    .into_iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| {
                        // One ordinary word ("GOLD", "Foxtrot") is too
                        // weak to name a group on a vendor's say-so.
                        let one_ordinary_word =
                            !s.contains([' ', '-']) && is_ordinary_words(s, dictionary);
                        is_latin(s)
                            && !s.is_empty()
                            && !one_ordinary_word
                            && !vendors.software_keys.contains(&alias_key(s))
                    }),
            );
            // Microsoft's family names encode the state, and its table
            // gives it; 360's `country` also holds regions ("southeast")
            // and is not used for sponsors.
            let country = entry["meta"]["country"].as_str().unwrap_or("");
            let sponsor = match origin {
                Origin::Microsoft if country.len() == 2 => Some(country.to_string()),
                Origin::Microsoft => country_code_for(country, countries),
                _ => None,
            };
            out.push(SourceGroup {
                canonical,
                names,
                sponsor,
                origin,
                synonym_count: 0,
            });
        }
    }
    Ok(out)
}

/// Suffixes after which analysts drop the rest: "Lazarus Group" is "Lazarus".
const DROPPABLE_SUFFIXES: [&str; 5] = [" Group", " Team", " Gang", " APT", " group"];

#[allow(clippy::too_many_arguments)]
fn build_actors(
    misp: &Value,
    attack: &Value,
    vendors: &VendorTables<'_>,
    countries: &[Country],
    dictionary: &HashSet<&str>,
    overrides: &[(usize, Override)],
    applied: &mut HashSet<usize>,
    report: &mut Vec<String>,
) -> Result<(Vec<Actor>, Vec<String>)> {
    let mut groups: Vec<SourceGroup> = Vec::new();
    for cluster in misp["values"]
        .as_array()
        .context("MISP galaxy without values")?
    {
        let value = cluster["value"]
            .as_str()
            .context("MISP cluster without value")?
            .to_string();
        let meta = &cluster["meta"];
        let synonyms = str_list(&meta["synonyms"]);
        let sponsor = meta["country"]
            .as_str()
            .and_then(|c| country_code_for(c, countries))
            .or_else(|| {
                meta["cfr-suspected-state-sponsor"]
                    .as_str()
                    .and_then(|c| country_code_for(c, countries))
            });
        let mut names = vec![value.clone()];
        names.extend(synonyms.iter().map(|s| s.trim().to_string()));
        groups.push(SourceGroup {
            canonical: value,
            names,
            sponsor,
            origin: Origin::Misp,
            synonym_count: synonyms.len(),
        });
    }
    for group in attack.as_array().context("ATT&CK groups is not a list")? {
        let revoked = group["revoked"].as_bool().unwrap_or(false)
            || group["x_mitre_deprecated"].as_bool().unwrap_or(false);
        if group["type"] != "intrusion-set" || revoked {
            continue;
        }
        let name = group["name"]
            .as_str()
            .context("ATT&CK group without name")?
            .to_string();
        let mut names = vec![name.clone()];
        names.extend(
            str_list(&group["aliases"])
                .iter()
                .map(|s| s.trim().to_string()),
        );
        for reference in group["external_references"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if reference["source_name"] == "mitre-attack" {
                if let Some(id) = reference["external_id"].as_str() {
                    names.push(id.to_string());
                }
            }
        }
        let sponsor = group["description"]
            .as_str()
            .and_then(|d| sponsor_from_description(d, countries));
        groups.push(SourceGroup {
            canonical: name,
            names,
            sponsor,
            origin: Origin::Attack,
            synonym_count: 0,
        });
    }
    groups.extend(vendor_groups(vendors, countries, dictionary)?);

    // Union-find: an ATT&CK group joins every MISP cluster it shares a name
    // with, which also joins MISP clusters that describe one group twice
    // (APT35 and Charming Kitten).
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut misp_by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate().filter(|(_, g)| g.is_misp()) {
        for n in &g.names {
            misp_by_key.entry(alias_key(n)).or_default().push(i);
        }
    }
    // A MISP cluster's own value is unambiguous: ATT&CK names that equal it
    // join that cluster only.
    let misp_value_key: HashMap<String, usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_misp())
        .map(|(i, g)| (alias_key(&g.canonical), i))
        .collect();
    for (i, g) in groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.origin == Origin::Attack)
    {
        for n in &g.names {
            let key = alias_key(n);
            let targets: Vec<usize> = match misp_value_key.get(&key) {
                Some(&j) => vec![j],
                None => misp_by_key.get(&key).cloned().unwrap_or_default(),
            };
            // A name two MISP clusters share is too weak to glue on.
            if targets.len() == 1 {
                let (a, b) = (find(&mut parent, i), find(&mut parent, targets[0]));
                parent[a] = b;
            }
        }
    }
    // A vendor's table joins the one group its names point to (its own
    // name first, else most of its synonyms), never two: Microsoft lists
    // broad synonyms ("Lazarus" under several Sleets) that would glue
    // distinct groups together.
    let mut roots_by_key: HashMap<String, BTreeSet<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        if matches!(g.origin, Origin::Misp | Origin::Attack) {
            let root = find(&mut parent, i);
            for n in &g.names {
                roots_by_key.entry(alias_key(n)).or_default().insert(root);
            }
        }
    }
    let vendor_indices: Vec<usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| matches!(g.origin, Origin::Microsoft | Origin::Qihoo))
        .map(|(i, _)| i)
        .collect();
    for i in vendor_indices {
        let unique_root = |name: &String| {
            roots_by_key
                .get(&alias_key(name))
                .filter(|roots| roots.len() == 1)
                .and_then(|roots| roots.iter().next().copied())
        };
        let own = unique_root(&groups[i].canonical);
        let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
        for name in &groups[i].names {
            if let Some(root) = unique_root(name) {
                *votes.entry(root).or_default() += 1;
            }
        }
        let target = own.or_else(|| {
            votes
                .iter()
                .max_by_key(|(root, count)| (**count, std::cmp::Reverse(**root)))
                .map(|(root, _)| *root)
        });
        // A synonym another group answers to stays that group's: the
        // vendor's table does not contest it ("VELVET CHOLLIMA" under three
        // of Microsoft's Sleets is Kimsuky's).
        let elsewhere = |name: &String| {
            roots_by_key
                .get(&alias_key(name))
                .is_some_and(|roots| target.is_none_or(|t| !roots.contains(&t)))
        };
        let canonical = groups[i].canonical.clone();
        groups[i].names.retain(|n| *n == canonical || !elsewhere(n));
        match target {
            Some(root) => {
                let (a, b) = (find(&mut parent, i), find(&mut parent, root));
                parent[a] = b;
            }
            // A vendor name another group already uses (Microsoft's old
            // "ZIRCONIUM" entry) makes no group of its own.
            None if roots_by_key.contains_key(&alias_key(&groups[i].canonical)) => {
                groups[i].names.clear();
            }
            None => {}
        }
    }
    for (number, o) in overrides {
        if let Override::Merge { into, from } = o {
            let locate = |name: &str| groups.iter().position(|g| g.canonical == *name);
            if let (Some(a), Some(b)) = (locate(into), locate(from)) {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                if ra != rb {
                    parent[rb] = ra;
                    applied.insert(*number);
                }
            }
        }
    }

    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let named: Vec<usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.names.is_empty())
        .map(|(i, _)| i)
        .collect();
    for i in named {
        let root = find(&mut parent, i);
        components.entry(root).or_default().push(i);
    }
    let merge_overrides: HashMap<&str, &str> = overrides
        .iter()
        .filter_map(|(_, o)| match o {
            Override::Merge { into, from } => Some((from.as_str(), into.as_str())),
            _ => None,
        })
        .collect();

    struct Draft {
        name: String,
        sponsor: Option<String>,
        names: BTreeSet<String>,
        /// Alias keys of the names its sources give as a group's own name.
        own_names: BTreeSet<String>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    for members in components.values() {
        let misp_members: Vec<&SourceGroup> = members
            .iter()
            .map(|&i| &groups[i])
            .filter(|g| g.is_misp())
            .collect();
        let attack_members: Vec<&SourceGroup> = members
            .iter()
            .map(|&i| &groups[i])
            .filter(|g| g.origin == Origin::Attack)
            .collect();
        let vendor_members: Vec<&SourceGroup> = members
            .iter()
            .map(|&i| &groups[i])
            .filter(|g| matches!(g.origin, Origin::Microsoft | Origin::Qihoo))
            .collect();
        let misp_choice = misp_members
            .iter()
            .filter(|g| !merge_overrides.contains_key(g.canonical.as_str()))
            .max_by_key(|g| {
                let is_attack_name = attack_members
                    .iter()
                    .any(|a| alias_key(&a.canonical) == alias_key(&g.canonical));
                (is_attack_name, g.synonym_count)
            })
            .or(misp_members.first())
            .copied();
        // ATT&CK's name where ATT&CK has the group (the one MISP also
        // uses, when ATT&CK has two), then MISP's value, then a vendor's.
        let attack_choice = attack_members
            .iter()
            .max_by_key(|a| {
                let misp_value = misp_members
                    .iter()
                    .any(|g| alias_key(&g.canonical) == alias_key(&a.canonical));
                (misp_value, a.names.len())
            })
            .copied();
        let canonical_group = attack_choice
            .or(misp_choice)
            .or(vendor_members.first().copied())
            .context("empty actor component")?;
        let display = display_name(canonical_group, misp_choice, &vendor_members);
        if misp_members.len() > 1 {
            report.push(format!(
                "merged MISP clusters {:?} into {:?} through ATT&CK {:?}",
                misp_members
                    .iter()
                    .map(|g| &g.canonical)
                    .collect::<Vec<_>>(),
                canonical_group.canonical,
                attack_members
                    .iter()
                    .map(|g| &g.canonical)
                    .collect::<Vec<_>>()
            ));
        }
        let sponsor = misp_choice
            .and_then(|g| g.sponsor.clone())
            .or_else(|| misp_members.iter().find_map(|g| g.sponsor.clone()))
            .or_else(|| vendor_members.iter().find_map(|g| g.sponsor.clone()))
            .or_else(|| attack_members.iter().find_map(|g| g.sponsor.clone()));
        let mut names: BTreeSet<String> = BTreeSet::new();
        for &i in members {
            names.extend(groups[i].names.iter().cloned());
        }
        let own_names = members
            .iter()
            .map(|&i| alias_key(&groups[i].canonical))
            .collect();
        drafts.push(Draft {
            name: display,
            sponsor,
            names,
            own_names,
        });
    }

    for draft in &mut drafts {
        let stems: Vec<String> = draft
            .names
            .iter()
            .filter_map(|n| {
                DROPPABLE_SUFFIXES
                    .iter()
                    .find_map(|s| n.strip_suffix(s))
                    .filter(|stem| stem.len() >= 4 && !stem.ends_with(' '))
                    .map(str::to_string)
            })
            .collect();
        draft.names.extend(stems);
        // Too short or too generic to be an alias on its own.
        draft.names.retain(|n| {
            let key = alias_key(n);
            key.len() >= 3 && !key.chars().all(|c| c.is_ascii_digit())
        });
    }

    for (number, o) in overrides {
        match o {
            Override::Alias { actor, alias } => {
                if let Some(d) = drafts.iter_mut().find(|d| d.name == *actor) {
                    if d.names.insert(alias.clone()) {
                        applied.insert(*number);
                    }
                }
            }
            Override::DropAlias { alias } => {
                let key = alias_key(alias);
                for d in &mut drafts {
                    let before = d.names.len();
                    d.names.retain(|n| alias_key(n) != key);
                    if d.names.len() != before {
                        applied.insert(*number);
                    }
                }
            }
            Override::Sponsor { actor, code } => {
                if let Some(d) = drafts.iter_mut().find(|d| d.name == *actor) {
                    d.sponsor = if code == "-" {
                        None
                    } else {
                        Some(code.clone())
                    };
                    applied.insert(*number);
                }
            }
            _ => {}
        }
    }

    // Resolve aliases claimed by several actors: the actor whose canonical
    // name it is wins, then an `assign` override, otherwise nobody gets it.
    let mut claims: HashMap<String, BTreeSet<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for n in &d.names {
            claims.entry(alias_key(n)).or_default().insert(i);
        }
    }
    let canonical_owner: HashMap<String, usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (alias_key(&d.name), i))
        .collect();
    let mut assigned: HashMap<String, usize> = HashMap::new();
    for (number, o) in overrides {
        if let Override::Assign { alias, actor } = o {
            let key = alias_key(alias);
            let owner = drafts.iter().position(|d| d.name == *actor);
            if let (Some(owner), Some(claimants)) = (owner, claims.get(&key)) {
                if claimants.len() > 1 && claimants.contains(&owner) {
                    assigned.insert(key, owner);
                    applied.insert(*number);
                }
            }
        }
    }
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    let mut contested: BTreeSet<String> = BTreeSet::new();
    for (key, claimants) in &claims {
        if claimants.len() < 2 {
            continue;
        }
        let spelling = claimants
            .iter()
            .flat_map(|&i| drafts[i].names.iter())
            .find(|n| alias_key(n) == *key)
            .cloned();
        // The group whose name it is, then the one a source names by it
        // (ATT&CK's Andariel over the cluster that lists it as an alias),
        // then an `assign` override.
        let named_by_a_source: Vec<usize> = claimants
            .iter()
            .copied()
            .filter(|&i| drafts[i].own_names.contains(key))
            .collect();
        let winner = canonical_owner
            .get(key)
            .filter(|w| claimants.contains(w))
            .or_else(|| assigned.get(key))
            .copied()
            .or_else(|| (named_by_a_source.len() == 1).then(|| named_by_a_source[0]));
        for &i in claimants {
            if Some(i) != winner {
                drafts[i].names.retain(|n| alias_key(n) != *key);
            }
        }
        if winner.is_none() {
            contested.extend(spelling);
            dropped.insert(format!(
                "alias {key:?} claimed by {:?}: dropped",
                claimants
                    .iter()
                    .map(|&i| drafts[i].name.as_str())
                    .collect::<Vec<_>>()
            ));
        }
    }
    report.extend(dropped);

    let word_overrides: HashMap<String, usize> = overrides
        .iter()
        .filter_map(|(n, o)| match o {
            Override::Word { alias } => Some((alias_key(alias), *n)),
            _ => None,
        })
        .collect();
    let not_word_overrides: HashMap<String, usize> = overrides
        .iter()
        .filter_map(|(n, o)| match o {
            Override::NotWord { alias } => Some((alias_key(alias), *n)),
            _ => None,
        })
        .collect();

    let mut actors: Vec<Actor> = Vec::new();
    for d in drafts {
        // Keep one spelling per alias key, preferring the canonical one and
        // then mixed case ("Fancy Bear" over "FANCY BEAR").
        let mut by_key: BTreeMap<String, String> = BTreeMap::new();
        for n in d.names.iter().chain(std::iter::once(&d.name)) {
            let key = alias_key(n);
            let better = |old: &String| {
                *old != d.name
                    && (*n == d.name
                        || (old.chars().all(|c| !c.is_lowercase())
                            && n.chars().any(char::is_lowercase)))
            };
            match by_key.get(&key) {
                Some(old) if !better(old) => {}
                _ => {
                    by_key.insert(key, n.clone());
                }
            }
        }
        if !claims_contain_canonical(&d.name, &by_key) {
            report.push(format!(
                "actor {:?} lost its own name to another actor",
                d.name
            ));
        }
        let mut aliases = Vec::new();
        let mut word_aliases = Vec::new();
        for (key, alias) in by_key {
            let forced_word = word_overrides.get(&key);
            let forced_not_word = not_word_overrides.get(&key);
            if let Some(n) = forced_word {
                applied.insert(*n);
            }
            if let Some(n) = forced_not_word {
                applied.insert(*n);
            }
            let ordinary = forced_word.is_some()
                || (forced_not_word.is_none() && is_ordinary_words(&alias, dictionary));
            if ordinary {
                word_aliases.push(alias);
            } else {
                aliases.push(alias);
            }
        }
        actors.push(Actor {
            name: d.name,
            sponsor: d.sponsor,
            aliases,
            word_aliases,
            brand: false,
        });
    }
    actors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((actors, contested.into_iter().collect()))
}

fn claims_contain_canonical(name: &str, by_key: &BTreeMap<String, String>) -> bool {
    by_key.contains_key(&alias_key(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_need_a_reason() {
        assert!(parse_overrides("alias\tAPT31\tZirc\t\n").is_err());
        assert!(parse_overrides("alias\tAPT31\tZirc\tbecause analysts say so\n").is_ok());
        assert!(parse_overrides("frobnicate\tx\treason\n").is_err());
    }

    #[test]
    fn ordinary_words_need_every_word_in_the_dictionary() {
        let dictionary: HashSet<&str> = ["cozy", "bear", "lead"].into_iter().collect();
        assert!(is_ordinary_words("Cozy Bear", &dictionary));
        assert!(is_ordinary_words("LEAD", &dictionary));
        assert!(!is_ordinary_words("Turla", &dictionary));
        assert!(!is_ordinary_words("APT28", &dictionary));
    }
}
