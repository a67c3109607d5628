//! The software table: MITRE ATT&CK's malware and tools (S-numbers) merged
//! with Malpedia's families, flagged as ransomware where MISP's ransomware
//! galaxy lists the family. Names and synonyms only; no descriptions.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use anyhow::{Context, Result};
use serde_json::Value;

use super::{is_latin, is_ordinary_words, str_list};
use crate::gazetteer::{alias_key, Software};

/// One family while the sources are merged.
struct Draft {
    name: String,
    id: String,
    names: BTreeSet<String>,
    ransomware: bool,
    from_attack: bool,
    /// Whether another entry was folded into it (a version or a port).
    absorbed: bool,
    /// Alias keys of the names ATT&CK itself gives it.
    attack_keys: BTreeSet<String>,
}

/// Words that end a family's name without changing what it names
/// ("BlackByte Ransomware" is BlackByte).
const DROPPABLE_SUFFIXES: [&str; 2] = [" Ransomware", " ransomware"];

/// A name with its droppable suffix and version number removed
/// ("LockBit 3.0" → "LockBit", "BlackByte 2.0 Ransomware" → "BlackByte").
fn base_name(name: &str) -> &str {
    let mut name = name.trim();
    // ATT&CK lists a family's mobile or desktop ports apart ("Pegasus for
    // Android", "Pegasus for iOS"); reporting names the family.
    for platform in [
        " for Android",
        " for iOS",
        " for macOS",
        " for Linux",
        " for Windows",
    ] {
        if let Some(stem) = name.strip_suffix(platform) {
            name = stem.trim_end();
        }
    }
    for suffix in DROPPABLE_SUFFIXES {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.trim_end();
        }
    }
    if let Some((stem, version)) = name.rsplit_once(' ') {
        let is_version = version
            .trim_start_matches(['v', 'V'])
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
            && version
                .trim_start_matches(['v', 'V'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.');
        if is_version && alias_key(stem).len() >= 3 {
            return stem;
        }
    }
    name
}

/// Whether a name can stand for a family at all: Latin script, at least
/// three letters or digits, not only digits, not a sentence.
fn usable(name: &str) -> bool {
    let key = alias_key(name);
    is_latin(name)
        && key.len() >= 3
        && !key.chars().all(|c| c.is_ascii_digit())
        && name.split_whitespace().count() <= 4
        && !name.contains(['(', ')', ':', '/', '&', '?', '!'])
}

/// The ATT&CK galaxies write `"Name - S0047"`; the name is before the dash.
fn attack_name(value: &str) -> &str {
    value
        .rsplit_once(" - S")
        .map_or(value, |(name, _)| name)
        .trim()
}

/// Builds the software table from the three MISP galaxies. `is_country`
/// tells names that are countries, which never stand for software.
pub(super) fn build_software(
    attack_malware: &Value,
    attack_tools: &Value,
    malpedia: &Value,
    ransomware: &Value,
    dictionary: &HashSet<&str>,
    is_country: &dyn Fn(&str) -> bool,
    report: &mut Vec<String>,
) -> Result<Vec<Software>> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let values = |galaxy: &Value, what: &str| -> Result<Vec<Value>> {
        galaxy["values"]
            .as_array()
            .cloned()
            .with_context(|| format!("the {what} galaxy has no values"))
    };

    for galaxy in [
        (attack_malware, "mitre-malware"),
        (attack_tools, "mitre-tool"),
    ] {
        for entry in values(galaxy.0, galaxy.1)? {
            let value = entry["value"]
                .as_str()
                .context("ATT&CK software without value")?;
            let name = attack_name(value).to_string();
            let id = entry["meta"]["external_id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let mut names: BTreeSet<String> = str_list(&entry["meta"]["synonyms"])
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect();
            names.insert(name.clone());
            let attack_keys = names.iter().map(|n| alias_key(n)).collect();
            drafts.push(Draft {
                name,
                id,
                names,
                ransomware: false,
                from_attack: true,
                absorbed: false,
                attack_keys,
            });
        }
    }
    // Versions of one family are the family: "LockBit 2.0" and "LockBit
    // 3.0" (two ATT&CK entries) are LockBit, as is "BlackByte 2.0
    // Ransomware" beside "BlackByte Ransomware".
    let mut family_of: HashMap<String, usize> = HashMap::new();
    let mut merged_into: Vec<Option<usize>> = vec![None; drafts.len()];
    // Plain names first, so a family's own entry is the one kept.
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (base_name(&drafts[i].name) != drafts[i].name.trim(), i));
    for i in order {
        let family = alias_key(base_name(&drafts[i].name));
        match family_of.get(&family) {
            Some(&kept) => merged_into[i] = Some(kept),
            None => {
                family_of.insert(family, i);
            }
        }
    }
    for i in 0..drafts.len() {
        if let Some(family) = merged_into[i] {
            let names = std::mem::take(&mut drafts[i].names);
            report.push(format!(
                "software {:?} ({}) is a version of {:?}",
                drafts[i].name, drafts[i].id, drafts[family].name
            ));
            let keys = std::mem::take(&mut drafts[i].attack_keys);
            drafts[family].names.extend(names);
            drafts[family].attack_keys.extend(keys);
            drafts[family].absorbed = true;
        }
    }
    let mut kept = Vec::new();
    for (i, draft) in drafts.into_iter().enumerate() {
        if merged_into[i].is_none() {
            kept.push(draft);
        }
    }
    let mut drafts = kept;
    for (i, d) in drafts.iter().enumerate() {
        for n in &d.names {
            by_key.entry(alias_key(base_name(n))).or_insert(i);
            by_key.entry(alias_key(n)).or_insert(i);
        }
    }

    for entry in values(malpedia, "malpedia")? {
        // Malpedia tells platforms apart in parentheses ("DarkSide
        // (Windows)"); the family is the name before them.
        let plain = |name: &str| name.split(" (").next().unwrap_or(name).trim().to_string();
        let value = plain(
            entry["value"]
                .as_str()
                .context("Malpedia family without value")?,
        );
        let value = value.as_str();
        let mut names: BTreeSet<String> = str_list(&entry["meta"]["synonyms"])
            .iter()
            .map(|s| plain(s))
            .collect();
        names.insert(value.to_string());
        let owners: BTreeSet<usize> = names
            .iter()
            .filter_map(|n| {
                by_key
                    .get(&alias_key(n))
                    .or_else(|| by_key.get(&alias_key(base_name(n))))
                    .copied()
            })
            .collect();
        match owners.len() {
            0 => {
                let i = drafts.len();
                for n in &names {
                    by_key.entry(alias_key(n)).or_insert(i);
                    by_key.entry(alias_key(base_name(n))).or_insert(i);
                }
                drafts.push(Draft {
                    name: value.trim().to_string(),
                    id: String::new(),
                    names,
                    ransomware: false,
                    from_attack: false,
                    absorbed: false,
                    attack_keys: BTreeSet::new(),
                });
            }
            1 => {
                let owner = *owners.iter().next().expect("one owner");
                drafts[owner].names.extend(names);
            }
            _ => report.push(format!(
                "Malpedia family {value:?} names {} ATT&CK entries; left out",
                owners.len()
            )),
        }
    }

    let mut flagged = 0;
    for entry in values(ransomware, "ransomware")? {
        let value = entry["value"].as_str().unwrap_or("");
        let mut names = str_list(&entry["meta"]["synonyms"]);
        names.push(value.to_string());
        let owner = names.iter().find_map(|n| {
            let plain = n.split(" (").next().unwrap_or(n);
            by_key
                .get(&alias_key(plain))
                .or_else(|| by_key.get(&alias_key(base_name(plain))))
                .copied()
        });
        if let Some(owner) = owner {
            if !drafts[owner].ransomware {
                drafts[owner].ransomware = true;
                flagged += 1;
            }
        }
    }
    for d in &mut drafts {
        if d.names
            .iter()
            .any(|n| n.to_lowercase().contains("ransomware"))
            && !d.ransomware
        {
            d.ransomware = true;
            flagged += 1;
        }
    }
    report.push(format!(
        "software: {} families, {flagged} of them ransomware",
        drafts.len()
    ));

    // A name two families claim names neither.
    let mut claims: HashMap<String, BTreeSet<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for n in &d.names {
            claims.entry(alias_key(n)).or_default().insert(i);
        }
    }
    let mut dropped = BTreeSet::new();
    for (key, owners) in &claims {
        if owners.len() > 1 {
            // The family whose display name it is keeps it, else the one
            // ATT&CK itself gives it to (CHOPSTICK's "X-Agent", which
            // Malpedia's "X-Agent (Android)" also reaches).
            let attack_owners: Vec<usize> = owners
                .iter()
                .copied()
                .filter(|&i| drafts[i].attack_keys.contains(key))
                .collect();
            let winner = owners
                .iter()
                .copied()
                .find(|&i| alias_key(&drafts[i].name) == *key)
                .or_else(|| (attack_owners.len() == 1).then(|| attack_owners[0]));
            for &i in owners {
                if Some(i) != winner {
                    drafts[i].names.retain(|n| alias_key(n) != *key);
                }
            }
            if winner.is_none() {
                dropped.insert(key.clone());
            }
        }
    }
    for key in dropped {
        report.push(format!(
            "software name {key:?} claimed by several families: dropped"
        ));
    }

    let mut software = Vec::new();
    for d in drafts {
        let display = {
            // Malpedia's "DarkSide (Windows)": the family is DarkSide.
            let plain = d
                .name
                .split(" (")
                .next()
                .unwrap_or(&d.name)
                .trim()
                .to_string();
            let d_name = plain;
            let base = base_name(&d_name);
            // A port keeps its platform unless its family's other ports
            // were folded into it ("X-Agent for Android" is not X-Agent,
            // which is CHOPSTICK; "Pegasus for iOS" and "... for Android"
            // are Pegasus).
            let only_a_port = d_name.contains(" for ") && !d.absorbed;
            if d.from_attack && base != d_name && alias_key(base).len() >= 4 && !only_a_port {
                base.to_string()
            } else {
                d_name.clone()
            }
        };
        let mut spelled: BTreeMap<String, String> = BTreeMap::new();
        for n in d.names.iter().chain([&d.name, &display]) {
            // A port's platform-less name is its family's, not the port's.
            let base = if n.contains(" for ") && !d.absorbed {
                n.as_str()
            } else {
                base_name(n)
            };
            let forms = [n.as_str(), base];
            for form in forms {
                if !usable(form) || is_country(form) {
                    continue;
                }
                let key = alias_key(form);
                // One spelling a key: the display name's, else mixed case.
                let keep_old = |old: &String| {
                    *old == display || (old.chars().any(char::is_lowercase) && *form != display)
                };
                match spelled.get(&key) {
                    Some(old) if keep_old(old) => {}
                    _ => {
                        spelled.insert(key, form.to_string());
                    }
                }
            }
        }
        if spelled.is_empty() {
            continue;
        }
        let mut aliases = Vec::new();
        let mut word_aliases = Vec::new();
        for (_, name) in spelled {
            // A letter is no word: "X-Agent" and "S-Type" are names.
            let has_a_letter_part = name
                .split([' ', '-'])
                .any(|part| part.len() == 1 && part != "a");
            if is_ordinary_words(&name, dictionary) && !has_a_letter_part {
                word_aliases.push(name);
            } else {
                aliases.push(name);
            }
        }
        software.push(Software {
            name: display,
            id: d.id,
            aliases,
            word_aliases,
            ransomware: d.ransomware,
        });
    }
    software.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    software.dedup_by(|a, b| a.name == b.name);
    Ok(software)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_suffixes_are_the_family() {
        assert_eq!(base_name("LockBit 3.0"), "LockBit");
        assert_eq!(base_name("BlackByte 2.0 Ransomware"), "BlackByte");
        assert_eq!(base_name("BlackByte Ransomware"), "BlackByte");
        assert_eq!(base_name("Cobalt Strike"), "Cobalt Strike");
        assert_eq!(base_name("Agent Tesla"), "Agent Tesla");
        assert_eq!(base_name("Pegasus for Android"), "Pegasus");
    }

    #[test]
    fn attack_galaxy_names_lose_their_id() {
        assert_eq!(attack_name("PowGoop - S1046"), "PowGoop");
        assert_eq!(attack_name("Mimikatz"), "Mimikatz");
    }
}
