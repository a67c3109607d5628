//! STIX 2.1: bundles (`bundle-00001.json`...) for threat-intelligence
//! platforms such as OpenCTI and MISP. Each article is a `report` that
//! refers to what dossier found in it: an `intrusion-set` per actor (with
//! its aliases and ATT&CK id), a `location` per country, an `identity` of
//! class `class` per targeted sector (with STIX's industry sectors),
//! `malware`, `vulnerability` (CVE) and `attack-pattern` (technique)
//! objects, and the `relationship`s the article supports.
//!
//! Every id is a UUIDv5 of dossier's namespace and the object's key (the
//! article id, the actor's name, the country code...), so exporting twice
//! gives the same ids and a platform merges a second import into the first.
//! Each bundle holds every object its reports refer to, so it imports alone.
//!
//! Relationships are stated only where the article supports them: an actor
//! `originates-from` the sponsor the gazetteer gives it when the article
//! names that sponsor too (or, for an actor the gazetteer gives none, the
//! article's sponsors when it names no other actor); and
//! when the article names a single actor, it `targets` the article's target
//! countries, sectors and CVEs and `uses` its malware and techniques. With several
//! actors, which one did what is not known, and only the report ties them.

use std::collections::HashSet;

use serde_json::{json, Value};
use uuid::Uuid;

use super::folder::{ExportFolder, OutFile};
use super::{numbered, ExportError, FormatWriter, Outcome};
use crate::gazetteer::{Aliased, Gazetteer};
use crate::model::facet::{ACTOR, CVE, MALWARE, SECTOR, SPONSOR, TARGET, TECHNIQUE};
use crate::model::Document;

/// dossier's namespace for STIX ids (a random UUID, fixed forever: changing
/// it would change every id a platform has imported).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x6d1e_2f0c_93a4_4b7e_9c55_0e8f_d2a1_7c3b);

/// Why an article is left out of a bundle.
pub const UNDATED: &str = "no publication date, which a STIX report requires";
/// Why an article is left out of a bundle.
pub const NOTHING_FOUND: &str =
    "nothing extracted for a STIX report to refer to (no actor, country, malware, CVE or technique)";

/// The longest report description, in bytes.
const DESCRIPTION_BYTES: usize = 500;

/// Writes reports and what they refer to, a bundle per `bundle_size`
/// articles.
pub struct Stix<'a> {
    gazetteer: &'a Gazetteer,
    bundle_size: u64,
    /// The creation time of objects that are not reports: this export's.
    now: String,
    bundle: Option<Bundle>,
    bundles: u64,
    buffer: Vec<u8>,
}

/// The bundle being written.
struct Bundle {
    file: OutFile,
    /// Ids of the objects already in it.
    written: HashSet<String>,
    objects: u64,
}

impl<'a> Stix<'a> {
    /// A writer of bundles of at most `bundle_size` reports.
    pub fn new(gazetteer: &'a Gazetteer, bundle_size: u64) -> Stix<'a> {
        Stix {
            gazetteer,
            bundle_size: bundle_size.max(1),
            now: timestamp(chrono::Utc::now()),
            bundle: None,
            bundles: 0,
            buffer: Vec::new(),
        }
    }

    fn open_bundle(
        &mut self,
        folder: &mut ExportFolder,
        first_article: &str,
    ) -> Result<(), ExportError> {
        self.bundles += 1;
        let mut file = folder.create(&numbered("bundle", self.bundles, "json"))?;
        let id = stix_id("bundle", &format!("{}#{first_article}", self.bundles));
        file.write(
            format!("{{\"type\": \"bundle\", \"id\": \"{id}\", \"objects\": [\n").as_bytes(),
        )?;
        self.bundle = Some(Bundle {
            file,
            written: HashSet::new(),
            objects: 0,
        });
        Ok(())
    }

    fn close_bundle(&mut self, folder: &mut ExportFolder) -> Result<(), ExportError> {
        if let Some(mut bundle) = self.bundle.take() {
            bundle.file.write(b"\n]}\n")?;
            folder.close(bundle.file)?;
        }
        Ok(())
    }

    /// The objects of one article, the report last.
    fn objects(&self, document: &Document, published: &str) -> Vec<Value> {
        let facets = &document.facets;
        let mut entities: Vec<Value> = Vec::new();
        let mut relationships: Vec<Value> = Vec::new();
        let actors: Vec<Value> = facets
            .get(&ACTOR)
            .iter()
            .map(|name| self.intrusion_set(name))
            .collect();
        let location = |code: &String| self.location(code);
        let targets: Vec<Value> = facets.get(&TARGET).iter().map(location).collect();
        let sponsors: Vec<Value> = facets.get(&SPONSOR).iter().map(location).collect();
        let malware: Vec<Value> = facets
            .get(&MALWARE)
            .iter()
            .map(|name| self.malware(name))
            .collect();
        let cves: Vec<Value> = facets
            .get(&CVE)
            .iter()
            .map(|c| vulnerability(c, &self.now))
            .collect();
        let techniques: Vec<Value> = facets
            .get(&TECHNIQUE)
            .iter()
            .map(|t| attack_pattern(t, &self.now))
            .collect();
        let sectors: Vec<Value> = facets
            .get(&SECTOR)
            .iter()
            .filter_map(|id| self.sector(id))
            .collect();

        let relate = |kind: &str, source: &Value, target: &Value| {
            relationship(kind, source, target, &self.now)
        };
        for (actor, name) in actors.iter().zip(facets.get(&ACTOR)) {
            let own_sponsor = self
                .gazetteer
                .actor(name)
                .and_then(|a| a.sponsor.as_deref());
            for (sponsor, code) in sponsors.iter().zip(facets.get(&SPONSOR)) {
                let supported = match own_sponsor {
                    Some(own) => own == code,
                    None => actors.len() == 1,
                };
                if supported {
                    relationships.push(relate("originates-from", actor, sponsor));
                }
            }
        }
        if let [actor] = actors.as_slice() {
            for target in targets.iter().chain(&sectors).chain(&cves) {
                relationships.push(relate("targets", actor, target));
            }
            for used in malware.iter().chain(&techniques) {
                relationships.push(relate("uses", actor, used));
            }
        }
        entities.extend(actors);
        entities.extend(targets);
        entities.extend(sectors);
        entities.extend(sponsors);
        entities.extend(malware);
        entities.extend(cves);
        entities.extend(techniques);
        entities.extend(relationships);
        let mut seen = HashSet::new();
        entities.retain(|object| seen.insert(object["id"].as_str().unwrap_or("").to_string()));
        if entities.is_empty() {
            return entities;
        }
        let refs: Vec<&Value> = entities.iter().map(|object| &object["id"]).collect();
        let report = self.report(document, published, &refs);
        entities.push(report);
        entities
    }

    fn report(&self, document: &Document, published: &str, refs: &[&Value]) -> Value {
        let mut references = Vec::new();
        if let Some(url) = document.url.as_deref().filter(|u| !u.is_empty()) {
            let source = document
                .source
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or("source");
            references.push(json!({"source_name": source, "url": url}));
        }
        references.push(json!({"source_name": "dossier", "external_id": document.id}));
        let title = if document.title.trim().is_empty() {
            document.id.as_str()
        } else {
            document.title.as_str()
        };
        json!({
            "type": "report",
            "spec_version": "2.1",
            "id": stix_id("report", &document.id),
            "created": published,
            "modified": published,
            "name": title,
            "description": description(&document.body),
            "published": published,
            "report_types": ["threat-report"],
            "object_refs": refs,
            "external_references": references,
        })
    }

    fn intrusion_set(&self, name: &str) -> Value {
        let mut object = sdo("intrusion-set", name, &self.now);
        object["name"] = json!(name);
        if let Some(actor) = self.gazetteer.actor(name) {
            let mut seen = HashSet::from([name.to_lowercase()]);
            let aliases: Vec<&str> = actor
                .all_aliases()
                .filter(|alias| !is_attack_group_id(alias))
                .filter(|alias| seen.insert(alias.to_lowercase()))
                .collect();
            if !aliases.is_empty() {
                object["aliases"] = json!(aliases);
            }
            if let Some(id) = actor.all_aliases().find(|a| is_attack_group_id(a)) {
                object["external_references"] = json!([{
                    "source_name": "mitre-attack",
                    "external_id": id,
                    "url": format!("https://attack.mitre.org/groups/{id}"),
                }]);
            }
        }
        object
    }

    fn location(&self, code: &str) -> Value {
        let mut object = sdo("location", code, &self.now);
        let name = self
            .gazetteer
            .country_by_code(code)
            .map_or(code, |country| country.name.as_str());
        object["name"] = json!(name);
        object["country"] = json!(code);
        object
    }

    /// A targeted sector as STIX writes victims by kind: an identity of
    /// class `class` with its industry sectors.
    fn sector(&self, id: &str) -> Option<Value> {
        let sector = self.gazetteer.sectors().iter().find(|s| s.id == id)?;
        let mut object = sdo("identity", &format!("sector {id}"), &self.now);
        object["name"] = json!(sector.label);
        object["identity_class"] = json!("class");
        object["sectors"] = json!(sector.stix);
        Some(object)
    }

    fn malware(&self, name: &str) -> Value {
        let mut object = sdo("malware", &name.to_lowercase(), &self.now);
        object["name"] = json!(name);
        object["is_family"] = json!(true);
        if let Some(software) = self
            .gazetteer
            .software_named(name)
            .filter(|s| !s.id.is_empty())
        {
            object["external_references"] = json!([{
                "source_name": "mitre-attack",
                "external_id": software.id,
                "url": format!("https://attack.mitre.org/software/{}", software.id),
            }]);
        }
        object
    }
}

impl FormatWriter for Stix<'_> {
    fn write(
        &mut self,
        document: &Document,
        folder: &mut ExportFolder,
    ) -> Result<Outcome, ExportError> {
        let Some(date) = document.date else {
            return Ok(Outcome::LeftOut(UNDATED));
        };
        let published = format!("{}T00:00:00.000Z", date.format("%Y-%m-%d"));
        let objects = self.objects(document, &published);
        if objects.is_empty() {
            return Ok(Outcome::LeftOut(NOTHING_FOUND));
        }
        if self
            .bundle
            .as_ref()
            .is_some_and(|b| b.file.articles >= self.bundle_size)
        {
            self.close_bundle(folder)?;
        }
        if self.bundle.is_none() {
            self.open_bundle(folder, &document.id)?;
        }
        let Some(bundle) = self.bundle.as_mut() else {
            return Ok(Outcome::Written);
        };
        for object in &objects {
            let id = object["id"].as_str().unwrap_or_default();
            if !bundle.written.insert(id.to_string()) {
                continue;
            }
            self.buffer.clear();
            if bundle.objects > 0 {
                self.buffer.extend_from_slice(b",\n");
            }
            // Serialising a JSON value into memory cannot fail.
            serde_json::to_writer(&mut self.buffer, object).unwrap_or_default();
            bundle.file.write(&self.buffer)?;
            bundle.objects += 1;
        }
        bundle.file.articles += 1;
        Ok(Outcome::Written)
    }

    fn finish(mut self: Box<Self>, folder: &mut ExportFolder) -> Result<(), ExportError> {
        self.close_bundle(folder)
    }
}

/// The STIX id of the object of `kind` whose key is `key`.
pub fn stix_id(kind: &str, key: &str) -> String {
    let name = format!("{kind}:{key}");
    format!("{kind}--{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
}

/// A domain object's common properties.
fn sdo(kind: &str, key: &str, now: &str) -> Value {
    json!({
        "type": kind,
        "spec_version": "2.1",
        "id": stix_id(kind, key),
        "created": now,
        "modified": now,
    })
}

fn vulnerability(cve: &str, now: &str) -> Value {
    let mut object = sdo("vulnerability", cve, now);
    object["name"] = json!(cve);
    object["external_references"] = json!([{"source_name": "cve", "external_id": cve}]);
    object
}

fn attack_pattern(technique: &str, now: &str) -> Value {
    let mut object = sdo("attack-pattern", technique, now);
    object["name"] = json!(technique);
    object["external_references"] = json!([{
        "source_name": "mitre-attack",
        "external_id": technique,
        "url": format!("https://attack.mitre.org/techniques/{}", technique.replace('.', "/")),
    }]);
    object
}

fn relationship(kind: &str, source: &Value, target: &Value, now: &str) -> Value {
    let source = source["id"].as_str().unwrap_or_default();
    let target = target["id"].as_str().unwrap_or_default();
    let mut object = sdo("relationship", &format!("{source} {kind} {target}"), now);
    object["relationship_type"] = json!(kind);
    object["source_ref"] = json!(source);
    object["target_ref"] = json!(target);
    object
}

/// ATT&CK's group ids (`G0007`), which the gazetteer keeps among the aliases.
fn is_attack_group_id(alias: &str) -> bool {
    alias.len() == 5 && alias.starts_with('G') && alias[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The text's opening, cut at a word under [`DESCRIPTION_BYTES`].
fn description(body: &str) -> String {
    let body = body.trim();
    if body.len() <= DESCRIPTION_BYTES {
        return body.to_string();
    }
    let mut end = DESCRIPTION_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let cut = body[..end].rfind(char::is_whitespace).unwrap_or(end);
    format!("{}…", body[..cut].trim_end())
}

/// A STIX timestamp: UTC, milliseconds.
fn timestamp(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_v5_and_stable() {
        let id = stix_id("intrusion-set", "APT31");
        assert_eq!(id, stix_id("intrusion-set", "APT31"));
        assert_ne!(id, stix_id("intrusion-set", "APT28"));
        let uuid = Uuid::parse_str(id.strip_prefix("intrusion-set--").unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
    }

    #[test]
    fn descriptions_are_cut_at_a_word() {
        let body = "word ".repeat(200);
        let cut = description(&body);
        assert!(cut.len() <= DESCRIPTION_BYTES + "…".len());
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(description("short text"), "short text");
        let wide = "é".repeat(400);
        assert!(description(&wide).ends_with('…'));
    }

    #[test]
    fn group_ids_are_told_from_names() {
        assert!(is_attack_group_id("G0007"));
        assert!(!is_attack_group_id("Gamaredon"));
        assert!(!is_attack_group_id("G007"));
    }
}
