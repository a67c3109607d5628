//! The smaller tables: ATT&CK techniques by name, dossier's sector
//! taxonomy over CERT-EU's sectors, and intelligence agencies by state.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::{country_code_for, is_latin, str_list};
use crate::gazetteer::{Agency, Country, Sector, Technique};

/// Enterprise ATT&CK techniques (`T1566.001`) with their names, from the
/// `mitre-attack-pattern` galaxy (`"Spearphishing Attachment - T1566.001"`).
/// PRE-ATT&CK and mobile entries share names with enterprise ones and are
/// left out.
pub(super) fn build_techniques(galaxy: &Value) -> Result<Vec<Technique>> {
    let mut by_id: BTreeMap<String, String> = BTreeMap::new();
    for entry in galaxy["values"]
        .as_array()
        .context("the mitre-attack-pattern galaxy has no values")?
    {
        let id = entry["meta"]["external_id"].as_str().unwrap_or("");
        let value = entry["value"].as_str().unwrap_or("");
        let chains = str_list(&entry["meta"]["kill_chain"]);
        let enterprise = chains
            .iter()
            .any(|c| c.starts_with("attack-") && !c.starts_with("attack-PRE"));
        let well_formed = id.len() >= 5
            && id.starts_with('T')
            && id[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
        if !enterprise || !well_formed {
            continue;
        }
        let name = value.rsplit_once(" - T").map_or(value, |(n, _)| n).trim();
        by_id.insert(id.to_string(), name.to_string());
    }
    // A name several techniques share ("Spearphishing Attachment" is both
    // T1566.001 and T1598.002, for phishing for information) goes to the
    // lowest ID, the technique reporting means.
    // ATT&CK retired techniques that became sub-techniques (T1193 is now
    // T1566.001) without the galaxy saying so: a sub-technique comes first.
    let mut ids: Vec<(String, String)> = by_id.into_iter().collect();
    ids.sort_by_key(|(id, _)| (!id.contains('.'), id.clone()));
    let mut seen = BTreeSet::new();
    let mut techniques: Vec<Technique> = ids
        .into_iter()
        .filter(|(_, name)| seen.insert(name.to_lowercase()))
        .map(|(id, name)| Technique { id, name })
        .collect();
    techniques.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(techniques)
}

/// The sector taxonomy from `data/sectors.tsv`, checked against CERT-EU's
/// list: every CERT-EU sector is placed exactly once (in a sector, or on
/// the `-` line of those no victim sector stands for).
pub(super) fn build_sectors(galaxy: &Value, taxonomy: &Path) -> Result<Vec<Sector>> {
    let cert_eu: BTreeSet<String> = galaxy["values"]
        .as_array()
        .context("the sector galaxy has no values")?
        .iter()
        .filter_map(|v| v["value"].as_str().map(str::to_string))
        .collect();
    let text =
        fs::read_to_string(taxonomy).with_context(|| format!("reading {}", taxonomy.display()))?;
    let mut placed: BTreeMap<String, String> = BTreeMap::new();
    let mut sectors = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, label, sources, stix, terms] = fields[..] else {
            bail!(
                "{} line {}: expected id, label, CERT-EU sectors, STIX sectors and terms separated by tabs",
                taxonomy.display(),
                number + 1
            );
        };
        let list = |field: &str| -> Vec<String> {
            field
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        for source in list(sources) {
            if !cert_eu.contains(&source) {
                bail!(
                    "{} line {}: {source:?} is not a CERT-EU sector",
                    taxonomy.display(),
                    number + 1
                );
            }
            if let Some(other) = placed.insert(source.clone(), id.to_string()) {
                bail!("CERT-EU sector {source:?} is placed twice ({other} and {id})");
            }
        }
        if id != "-" {
            let mut terms = list(terms);
            terms.iter_mut().for_each(|t| *t = t.to_lowercase());
            terms.sort();
            terms.dedup();
            let stix = list(stix);
            if stix.is_empty() {
                bail!(
                    "{} line {}: sector {id} has no STIX sector",
                    taxonomy.display(),
                    number + 1
                );
            }
            sectors.push(Sector {
                id: id.to_string(),
                label: label.to_string(),
                cert_eu: list(sources),
                stix,
                terms,
            });
        }
    }
    let missing: Vec<&String> = cert_eu
        .iter()
        .filter(|s| !placed.contains_key(*s))
        .collect();
    if !missing.is_empty() {
        bail!(
            "CERT-EU sectors not placed in {}: {missing:?}",
            taxonomy.display()
        );
    }
    Ok(sectors)
}

/// Intelligence and security agencies with the state they serve, from the
/// `intelligence-agencies` galaxy (Wikipedia's list): English names only,
/// without the galaxy's disambiguating "(China)" or citation marks.
pub(super) fn build_agencies(galaxy: &Value, countries: &[Country]) -> Result<Vec<Agency>> {
    let mut agencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in galaxy["values"]
        .as_array()
        .context("the intelligence-agencies galaxy has no values")?
    {
        let value = entry["value"].as_str().unwrap_or("");
        let code = entry["meta"]["country"]
            .as_str()
            .filter(|c| c.len() == 2)
            .map(str::to_string)
            .or_else(|| {
                entry["meta"]["country_name"]
                    .as_str()
                    .and_then(|n| country_code_for(n, countries))
            });
        let Some(code) = code else { continue };
        let clean = |name: &str| -> String {
            let name = name.split(" (").next().unwrap_or(name);
            let name = name.split('[').next().unwrap_or(name);
            name.trim().to_string()
        };
        let mut names = vec![clean(value)];
        names.extend(
            str_list(&entry["meta"]["synonyms"])
                .iter()
                .map(|s| clean(s)),
        );
        for name in names {
            if is_latin(&name) && name.len() >= 3 {
                agencies.entry(name).or_default().insert(code.clone());
            }
        }
    }
    Ok(agencies
        .into_iter()
        .map(|(name, countries)| Agency {
            name,
            countries: countries.into_iter().collect(),
        })
        .collect())
}
