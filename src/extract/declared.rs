//! An article's facets as the index stores them: what the text says
//! (an [`Extraction`]) merged with what its source file declares outright
//! (a STIX report's intrusion sets, a note's front matter), each declared
//! value resolved the way a user's filter value is.

use crate::extract::Extraction;
use crate::gazetteer::Gazetteer;
use crate::model::facet::{Filter, Values, ACTOR, SPONSOR};
use crate::model::{Declared, FacetValues, Warning, FACETS};

/// The facet values of an article whose text gave `extraction` and whose
/// source declared `declared`. A declared value that does not resolve is
/// kept as written where the facet is open (a group no gazetteer lists) and
/// dropped with a warning otherwise; a declared actor brings its sponsor.
/// A value declared with aliases is resolved by the first of its names that
/// resolves, and kept under its own name when none does.
pub fn facet_values(
    extraction: &Extraction,
    declared: &Declared,
    gazetteer: &Gazetteer,
    warnings: &mut Vec<Warning>,
) -> FacetValues {
    let mut values = FacetValues::default();
    for facet in FACETS {
        if let Values::Extracted(of) = facet.values {
            values.set(facet, of(extraction));
        }
    }
    for (facet, declaration) in declared.iter() {
        let Filter::Values {
            resolve,
            param,
            open,
            ..
        } = facet.filter
        else {
            continue;
        };
        {
            let value = declaration.value.trim();
            if value.is_empty() {
                continue;
            }
            let resolved = std::iter::once(value)
                .chain(declaration.aliases.iter().map(|a| a.trim()))
                .filter(|name| !name.is_empty())
                .map(|name| resolve(gazetteer, name))
                .find(Result::is_ok)
                .unwrap_or_else(|| resolve(gazetteer, value));
            match resolved {
                Ok(resolved) => {
                    if std::ptr::eq(facet, &ACTOR) {
                        if let Some(sponsor) =
                            gazetteer.actor(&resolved).and_then(|a| a.sponsor.clone())
                        {
                            values.insert(&SPONSOR, sponsor);
                        }
                    }
                    values.insert(facet, resolved);
                }
                Err(_) if open => values.insert(facet, value.to_string()),
                Err(refusal) => warnings.push(Warning(format!(
                    "the {} declares {} {value:?}, which {}; left out",
                    declaration.from,
                    facet.label,
                    refusal.render(param, &|name| name.to_string())
                ))),
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facet::{CVE, TARGET};

    #[test]
    fn declared_values_resolve_and_merge_with_the_extracted_ones() {
        let gazetteer = Gazetteer::embedded();
        let extraction = Extraction {
            cves: vec!["CVE-2021-44228".into()],
            ..Extraction::default()
        };
        let mut declared = Declared::default();
        for (facet, value) in [
            (&ACTOR, "Zirconium"),
            (&ACTOR, "Made Up Crew"),
            (&TARGET, "Britain"),
            (&TARGET, "Narnia"),
            (&CVE, "cve-2023-23397"),
            (&CVE, "not a cve"),
        ] {
            declared.push(facet, value, "front matter");
        }
        let mut warnings = Vec::new();
        let values = facet_values(&extraction, &declared, &gazetteer, &mut warnings);
        assert_eq!(values.get(&ACTOR), ["APT31", "Made Up Crew"]);
        assert_eq!(values.get(&SPONSOR), ["CN"]);
        assert_eq!(values.get(&TARGET), ["GB"]);
        assert_eq!(values.get(&CVE), ["CVE-2021-44228", "CVE-2023-23397"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].0.contains("Narnia"), "{warnings:?}");
        assert!(
            warnings[0].0.starts_with("the front matter declares"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_declared_name_resolves_through_its_aliases_or_stays_as_written() {
        let gazetteer = Gazetteer::embedded();
        let mut declared = Declared::default();
        let from = "STIX intrusion-set--1";
        declared.push_named(&ACTOR, "Unheard Of", vec!["Zirconium".into()], from);
        declared.push_named(&ACTOR, "Own Name", vec!["Nobody Knows".into()], from);
        declared.push_named(&TARGET, "Narnia", vec!["GB".into()], from);
        let mut warnings = Vec::new();
        let values = facet_values(&Extraction::default(), &declared, &gazetteer, &mut warnings);
        assert_eq!(values.get(&ACTOR), ["APT31", "Own Name"]);
        assert_eq!(values.get(&TARGET), ["GB"]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
