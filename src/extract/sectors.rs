//! Targeted sectors: the victim organisations a report describes ("the
//! foreign ministry", "telecommunications carriers", "hospitals"), on the
//! taxonomy of `data/sectors.tsv` (derived from CERT-EU's list).
//!
//! A sector counts when one of its terms is read near words of attack or
//! targeting, and not as the one who reports, accuses or attacks ("the
//! foreign ministry said", "government-backed hackers", "military
//! intelligence"), nor in an ordinary phrase ("defense evasion", "social
//! media").

use std::collections::BTreeSet;

use super::context::{words_after, words_before};
use super::cues::{REPORTING_VERBS, SECTOR_VICTIM_CUES};
use super::phrases::PhraseMatcher;
use super::{in_url, is_whole_word, Mention, Reading};
use crate::gazetteer::Sector;

/// Hyphenated words after a term that make it the attacker's description
/// ("government-backed", "military-grade").
const ATTACKER_COMPOUNDS: &[&str] = &[
    "-backed",
    "-sponsored",
    "-linked",
    "-affiliated",
    "-aligned",
    "-funded",
    "-run",
    "-controlled",
    "-directed",
    "-led",
    "-supported",
    "-nexus",
    "-grade",
    "-style",
    "-level",
];

/// Words just before a term that make it the reporter's or the attacker's
/// ("researchers at a technology firm", "the hackers' military unit").
const NOT_VICTIM_BEFORE: &[&str] = &[
    "social",
    "according",
    "cyber",
    "researchers",
    "analysts",
    "experts",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "former",
    "rogue",
    "malware",
    "mass",
    "with",
    "told",
    "tell",
    "telling",
    "briefed",
    "urged",
    "warned",
];

/// Words up to four before a term that make it the attacker's side
/// ("linked to the Russian government", "attacks by the military").
const ATTACKER_BEFORE: &[&str] = &[
    "linked",
    "tied",
    "backed",
    "sponsored",
    "affiliated",
    "connected",
    "behind",
    "by",
    "for",
    "aligned",
    "serving",
    "directed",
];

/// Verbs of speech: a term whose sentence goes on to one of these before
/// any word of attack is the speaker ("Banks including X said they were
/// adding monitoring").
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "warned",
    "announced",
    "confirmed",
    "denied",
    "stated",
    "reported",
    "added",
    "noted",
    "explained",
    "insisted",
];

/// Terms that name their sector's organisations as often when they speak,
/// act or are merely mentioned ("the government said", "the military",
/// "critical infrastructure" as a risk): they count only with a cue right
/// before them ("targeting the government") or a passive verb of attack
/// right after ("ministries were breached").
const AMBIGUOUS_TERMS: &[&str] = &[
    "government",
    "governments",
    "ministry",
    "ministries",
    "police",
    "military",
    "parliament",
    "congress",
    "senate",
    "prosecutor",
    "prosecutors",
    "nato",
    "defence",
    "defense",
    "energy",
    "media",
    "critical infrastructure",
    "scada",
    "ics",
    "operational technology",
    "election",
    "elections",
    "electricity",
    "public sector",
    "law enforcement",
    "army",
    "navy",
    "air force",
    "professor",
    "professors",
    "academic",
    "academics",
    "press",
    "infrastructure",
    "transport",
    "transportation",
];

/// Finds sector terms in a text and judges whether each names a victim.
#[derive(Debug)]
pub(super) struct SectorMatcher {
    phrases: PhraseMatcher,
    /// For each phrase: the sector's index and its id.
    sector_of: Vec<usize>,
    ids: Vec<String>,
}

/// The plural forms of a singular term's last word ("carrier" →
/// "carriers", "agency" → "agencies", "ministry" → "ministries").
fn plurals(term: &str) -> Vec<String> {
    let (head, last) = term.rsplit_once(' ').map_or(("", term), |(h, l)| (h, l));
    let join = |word: String| {
        if head.is_empty() {
            word
        } else {
            format!("{head} {word}")
        }
    };
    if last.ends_with('s') || last.len() < 3 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(stem) = last.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'o', 'u']) {
            return vec![join(format!("{stem}ies"))];
        }
    }
    if last.ends_with("ch") || last.ends_with("sh") || last.ends_with('x') {
        out.push(join(format!("{last}es")));
    }
    out.push(join(format!("{last}s")));
    out
}

impl SectorMatcher {
    pub(super) fn new(sectors: &[Sector]) -> SectorMatcher {
        let mut terms: Vec<String> = Vec::new();
        let mut sector_of = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, sector) in sectors.iter().enumerate() {
            for term in &sector.terms {
                for form in std::iter::once(term.clone()).chain(plurals(term)) {
                    if seen.insert(form.clone()) {
                        terms.push(form);
                        sector_of.push(index);
                    }
                }
            }
        }
        SectorMatcher {
            phrases: PhraseMatcher::new(&terms),
            sector_of,
            ids: sectors.iter().map(|s| s.id.clone()).collect(),
        }
    }

    /// The ids of the sectors whose organisations the text describes as
    /// victims, sorted; with `readings`, also why each mention counted.
    pub(super) fn find(
        &self,
        text: &str,
        words: &[(usize, usize)],
        mut readings: Option<&mut Vec<Reading>>,
    ) -> Vec<String> {
        let mut found = self.phrases.find_all(text, words);
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut judged: Vec<(usize, usize, usize, Judgement)> = Vec::new();
        let mut covered_until = 0;
        for m in found {
            if m.start < covered_until {
                continue;
            }
            covered_until = m.end;
            if !is_whole_word(text, m.start, m.end) || in_url(text, m.start) {
                continue;
            }
            let judgement = judge(text, m.start, m.end);
            judged.push((m.start, m.end, self.sector_of[m.pattern], judgement));
        }
        // A list shares its items' verdict: "targeting government agencies,
        // defence contractors, energy companies and telecoms providers".
        for pass in 0..2 {
            let order: Vec<usize> = if pass == 0 {
                (1..judged.len()).collect()
            } else {
                (0..judged.len().saturating_sub(1)).rev().collect()
            };
            for i in order {
                let j = if pass == 0 { i - 1 } else { i + 1 };
                let (a, b) = (i.min(j), i.max(j));
                if !matches!(judged[i].3, Judgement::Unknown)
                    || !in_one_list(text, judged[a].1, judged[b].0)
                {
                    continue;
                }
                if let Judgement::Victim(why) = &judged[j].3 {
                    let why = format!("listed with {}", why);
                    judged[i].3 = Judgement::Victim(why);
                }
            }
        }
        let mut sectors = BTreeSet::new();
        for (start, end, sector, judgement) in judged {
            let Judgement::Victim(why) = judgement else {
                continue;
            };
            let (m_start, m_end) = (start, end);
            let m = std::ops::Range {
                start: m_start,
                end: m_end,
            };
            let id = &self.ids[sector];
            if let Some(readings) = readings.as_deref_mut() {
                readings.push(Reading {
                    facet: "sector",
                    value: id.clone(),
                    mention: Mention {
                        surface: text[m.start..m.end].to_string(),
                        offset: m.start,
                    },
                    why,
                });
            }
            sectors.insert(id.clone());
        }
        sectors.into_iter().collect()
    }
}

/// What the words around a term say of it.
#[derive(Debug, Clone)]
enum Judgement {
    /// A victim, and why.
    Victim(String),
    /// The reporter, the attacker, an ordinary phrase or a denial.
    NotVictim,
    /// Nothing either way: its list decides.
    Unknown,
}

/// Whether the text between two terms only joins them in a list (", ",
/// " and ", ", and the ").
fn in_one_list(text: &str, from: usize, to: usize) -> bool {
    if to < from || to - from > 48 {
        return false;
    }
    let gap = &text[from..to];
    if gap.contains(['.', ';', ':', '\n', '(', ')']) {
        return false;
    }
    let words: Vec<&str> = gap
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let joined = gap.contains(',') || words.iter().any(|w| *w == "and" || *w == "or");
    joined && words.len() <= 5
}

fn judge(text: &str, start: usize, end: usize) -> Judgement {
    match victim_cue(text, start, end) {
        Some(Ok(why)) => Judgement::Victim(why),
        Some(Err(())) => Judgement::NotVictim,
        None => Judgement::Unknown,
    }
}

/// The victim cue that makes the term at `start..end` a victim, in words
/// (`Some(Ok)`), words that make it no victim (`Some(Err)`), or nothing.
fn victim_cue(text: &str, start: usize, end: usize) -> Option<Result<String, ()>> {
    let rest = &text[end..];
    if ATTACKER_COMPOUNDS.iter().any(|c| rest.starts_with(c)) {
        return Some(Err(()));
    }
    let after = words_after(text, end, 10);
    let before = words_before(text, start, 20);
    // "election security", "defence policy": a topic, not an organisation.
    if rest.starts_with(' ')
        && after.first().is_some_and(|w| {
            [
                "security",
                "policy",
                "policies",
                "integrity",
                "interference",
                "year",
                "season",
                "day",
                "results",
                "cycle",
                "budget",
                "spending",
                "strategy",
                "debate",
                "issues",
            ]
            .contains(&&**w)
        })
    {
        return Some(Err(()));
    }
    let victim_before = before.iter().position(|w| w.is_in(&SECTOR_VICTIM_CUES));
    let victim_after = after.iter().position(|w| w.is_in(&SECTOR_VICTIM_CUES));
    // "were not affected", "could be used against attacks on banks".
    if after
        .iter()
        .take(4)
        .any(|w| ["not", "never", "no"].contains(&&**w))
    {
        return Some(Err(()));
    }
    let hedged = before
        .iter()
        .any(|w| ["could", "would", "might"].contains(&&**w))
        && !before
            .iter()
            .chain(after.iter())
            .any(|w| ["have", "been", "has"].contains(&&**w));
    if hedged {
        return Some(Err(()));
    }
    if before
        .iter()
        .take(4)
        .take_while(|w| !w.is_in(&SECTOR_VICTIM_CUES))
        .any(|w| ATTACKER_BEFORE.contains(&&**w))
    {
        return Some(Err(()));
    }
    // "Banks said they were adding monitoring" speaks; "the ministry said
    // its computers had been infected" speaks of itself as a victim.
    if victim_before.is_none_or(|cue| cue >= 6) {
        if let Some(speech) = after.iter().position(|w| SPEECH_VERBS.contains(&&**w)) {
            let of_itself = victim_after.is_some_and(|cue| {
                cue > speech
                    && after[speech..cue]
                        .iter()
                        .any(|w| ["its", "their", "our", "it", "they", "we"].contains(&&**w))
            });
            // ", the security company X said" closes the sentence; it is
            // someone else's speech.
            let said_by_another = {
                let verb = format!(" {}", &*after[speech]);
                let tail = &text[end..floor_boundary(text, end + 240)];
                tail.find(&verb).is_some_and(|at| tail[..at].contains(','))
            };
            if !of_itself && !said_by_another && victim_after.is_none_or(|cue| speech < cue) {
                return Some(Err(()));
            }
        }
    }
    // "the ministry said", "military intelligence", "media reports": the
    // term reports, acts or describes, after at most an auxiliary.
    let first_after = after.iter().find(|w| {
        ![
            "has", "have", "had", "also", "later", "then", "is", "was", "are", "were", "itself",
        ]
        .contains(&&***w)
    });
    let speaks_of_itself = victim_after.is_some()
        && after
            .iter()
            .any(|w| ["its", "their", "our", "it", "they", "we"].contains(&&**w));
    if !speaks_of_itself
        && (after.first().is_some_and(|w| w.is_in(&REPORTING_VERBS))
            || first_after.is_some_and(|w| w.is_in(&REPORTING_VERBS)))
    {
        return Some(Err(()));
    }
    if before
        .iter()
        .take(2)
        .any(|w| NOT_VICTIM_BEFORE.contains(&&**w))
    {
        return Some(Err(()));
    }
    // "researchers at a security company": the reporter's employer.
    let at_reporter = before.len() >= 2
        && (*before[0] == *"at" || *before[1] == *"at")
        && before.iter().take(4).any(|w| {
            [
                "researchers",
                "analysts",
                "experts",
                "investigators",
                "engineers",
                "specialists",
            ]
            .contains(&&**w)
        });
    if at_reporter {
        return Some(Err(()));
    }
    let surface = text[start..end].to_lowercase();
    if AMBIGUOUS_TERMS.contains(&surface.as_str()) {
        let close_before = before.iter().take(4).find(|w| w.is_in(&SECTOR_VICTIM_CUES));
        let passive_after = after
            .iter()
            .skip_while(|w| {
                [
                    "has", "have", "had", "was", "were", "is", "are", "been", "being",
                ]
                .contains(&&***w)
            })
            .take(1)
            .find(|w| w.is_in(&SECTOR_VICTIM_CUES))
            .filter(|_| {
                after.first().is_some_and(|w| {
                    ["was", "were", "had", "have", "has", "is", "are"].contains(&&**w)
                })
            });
        // Lists and modifiers ("energy, telecommunications and government
        // organisations") are judged by their neighbours.
        return close_before
            .or(passive_after)
            .map(|cue| Ok(format!("\"{}\" near \"{}\"", &text[start..end], &**cue)));
    }
    // "were running normally ... and were not affected".
    if let Some(cue) = victim_after {
        if after[..cue]
            .iter()
            .any(|w| ["not", "never", "no"].contains(&&**w))
            && victim_before.is_none()
        {
            return Some(Err(()));
        }
    }
    // The cue nearest after the term, else before it within the sentence.
    let cue = after
        .iter()
        .chain(before.iter())
        .find(|w| w.is_in(&SECTOR_VICTIM_CUES))?;
    Some(Ok(format!("\"{}\" near \"{}\"", &text[start..end], &**cue)))
}

/// The largest char boundary at or before `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_of_the_last_word() {
        assert_eq!(plurals("telecom carrier"), ["telecom carriers"]);
        assert_eq!(plurals("ministry"), ["ministries"]);
        assert_eq!(plurals("embassy"), ["embassies"]);
        assert_eq!(plurals("research lab"), ["research labs"]);
        assert!(plurals("hospitals").is_empty());
    }
}
