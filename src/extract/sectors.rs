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

use smallvec::SmallVec;

use super::cues::{
    cues_of, CueList, ATTACKER_BEFORE, NEGATIONS, NOT_VICTIM_BEFORE, PASSIVE_MARKERS,
    REPORTING_VERBS, SECTOR_AUXILIARIES, SECTOR_VICTIM_CUES, SPEECH_VERBS,
};
use super::phrases::PhraseMatch;
use super::{floor_char_boundary, in_url, is_whole_word, Mention, Reading};
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

/// The sector terms, which the extractor's one word pass looks for, and
/// the judgement of each term it finds.
#[derive(Debug)]
pub(super) struct SectorMatcher {
    /// Every term and its plurals.
    terms: Vec<String>,
    /// For each term: the sector's index.
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
            terms,
            sector_of,
            ids: sectors.iter().map(|s| s.id.clone()).collect(),
        }
    }

    /// The terms, in the order the matches' pattern numbers count them.
    pub(super) fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The ids of the sectors whose organisations the text describes as
    /// victims, sorted, from the word pass's matches of [`Self::terms`]
    /// (numbered from `first`); with `readings`, also why each counted.
    pub(super) fn find(
        &self,
        text: &str,
        words: &[(usize, usize)],
        mut found: Vec<PhraseMatch>,
        first: usize,
        mut readings: Option<&mut Vec<Reading>>,
    ) -> Vec<String> {
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        if found.is_empty() {
            return Vec::new();
        }
        // Each word's cue bits, looked up once: the windows of a list's
        // terms overlap.
        let mut cues: Vec<u32> = vec![UNKNOWN_CUES; words.len()];
        let mut judged: Vec<Judged<'_>> = Vec::new();
        let mut covered_until = 0;
        for m in found {
            if m.start < covered_until {
                continue;
            }
            covered_until = m.end;
            if !is_whole_word(text, m.start, m.end) || in_url(text, m.start) {
                continue;
            }
            judged.push(Judged {
                start: m.start,
                end: m.end,
                sector: self.sector_of[m.pattern - first],
                judgement: judge(text, words, &mut cues, m.start, m.end),
            });
        }
        // A list shares its items' verdict: "targeting government agencies,
        // defence contractors, energy companies and telecoms providers".
        // Forwards, then backwards; an item takes the verdict of the
        // neighbour whose own words decided, which it names.
        let forwards = (1..judged.len()).map(|i| (i, i - 1));
        let backwards = (0..judged.len().saturating_sub(1))
            .rev()
            .map(|i| (i, i + 1));
        for (i, j) in forwards.chain(backwards) {
            let (a, b) = (i.min(j), i.max(j));
            if !matches!(judged[i].judgement, Judgement::Unknown)
                || !in_one_list(text, judged[a].end, judged[b].start)
            {
                continue;
            }
            if let Judgement::Victim { cue, decided_by } = judged[j].judgement {
                judged[i].judgement = Judgement::Victim {
                    cue,
                    decided_by: decided_by.or(Some(j)),
                };
            }
        }
        let mut sectors = BTreeSet::new();
        for item in &judged {
            let Judgement::Victim { cue, decided_by } = item.judgement else {
                continue;
            };
            let id = &self.ids[item.sector];
            if let Some(readings) = readings.as_deref_mut() {
                let near = |term: &Judged<'_>| {
                    format!(
                        "\"{}\" near \"{}\"",
                        &text[term.start..term.end],
                        cue.to_lowercase()
                    )
                };
                let why = match decided_by {
                    Some(k) => format!("listed with {}", near(&judged[k])),
                    None => near(item),
                };
                readings.push(Reading {
                    facet: "sector",
                    value: id.clone(),
                    mention: Mention {
                        surface: text[item.start..item.end].to_string(),
                        offset: item.start,
                    },
                    why,
                });
            }
            sectors.insert(id.clone());
        }
        sectors.into_iter().collect()
    }
}

/// A sector term found, and what the words around it say.
struct Judged<'a> {
    start: usize,
    end: usize,
    sector: usize,
    judgement: Judgement<'a>,
}

/// What the words around a term say of it.
#[derive(Debug, Clone, Copy)]
enum Judgement<'a> {
    /// A victim: the cue word, and the term in its list whose words
    /// decided, when not its own.
    Victim {
        cue: &'a str,
        decided_by: Option<usize>,
    },
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
    let mut words = gap
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    let joined = gap.contains(',') || words.clone().any(|w| w == "and" || w == "or");
    joined && words.nth(5).is_none()
}

fn judge<'a>(
    text: &'a str,
    words: &[(usize, usize)],
    cues: &mut [u32],
    start: usize,
    end: usize,
) -> Judgement<'a> {
    match victim_cue(text, words, cues, start, end) {
        Some(Ok(cue)) => Judgement::Victim {
            cue,
            decided_by: None,
        },
        Some(Err(())) => Judgement::NotVictim,
        None => Judgement::Unknown,
    }
}

/// A word next to a term, as written, with its cue bits: the sector rules
/// read the extractor's word spans instead of tokenising around each term.
#[derive(Clone, Copy)]
struct Near<'a> {
    text: &'a str,
    cues: u32,
}

impl Near<'_> {
    fn is_in(&self, list: &CueList) -> bool {
        self.cues & list.bit != 0
    }

    fn is(&self, word: &str) -> bool {
        self.text.eq_ignore_ascii_case(word)
    }

    fn is_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(w))
    }
}

/// A word whose cue bits are not looked up yet (no word has every bit).
const UNKNOWN_CUES: u32 = u32::MAX;

/// Up to `limit` words on one side of the words `first..=last` (indices
/// into `words`), nearest first, within the sentence.
fn neighbours<'a>(
    text: &'a str,
    words: &[(usize, usize)],
    cues: &mut [u32],
    first: usize,
    last: usize,
    forward: bool,
    limit: usize,
) -> SmallVec<[Near<'a>; 20]> {
    let mut out = SmallVec::new();
    // Whether the text between two neighbouring words ends a sentence: a
    // full stop after a word of three letters or more ("U.S." does not),
    // other end punctuation, or a line break.
    let breaks = |left: (usize, usize), right: (usize, usize)| {
        let gap = text.as_bytes().get(left.1..right.0).unwrap_or_default();
        // Most gaps are one space.
        if gap.len() == 1 && gap[0] == b' ' {
            return false;
        }
        let mut full_stop = false;
        let mut space = false;
        for &byte in gap {
            match byte {
                b'!' | b'?' | b';' | b'\n' => return true,
                b'.' => full_stop = true,
                b' ' => space = true,
                _ => {}
            }
        }
        full_stop && space && left.1 - left.0 > 2
    };
    let mut at = if forward { last } else { first };
    while out.len() < limit {
        let next = if forward {
            at.checked_add(1).filter(|&n| n < words.len())
        } else {
            at.checked_sub(1)
        };
        let Some(next) = next else { break };
        let (left, right) = if forward {
            (words[at], words[next])
        } else {
            (words[next], words[at])
        };
        if breaks(left, right) {
            break;
        }
        let (from, to) = words[next];
        let word = &text[from..to];
        if cues[next] == UNKNOWN_CUES {
            cues[next] = cues_of(word.as_bytes());
        }
        out.push(Near {
            text: word,
            cues: cues[next],
        });
        at = next;
    }
    out
}

/// The victim cue that makes the term at `start..end` a victim, as written
/// (`Some(Ok)`), words that make it no victim (`Some(Err)`), or nothing.
fn victim_cue<'a>(
    text: &'a str,
    words: &[(usize, usize)],
    cues: &mut [u32],
    start: usize,
    end: usize,
) -> Option<Result<&'a str, ()>> {
    let rest = &text[end..];
    if ATTACKER_COMPOUNDS.iter().any(|c| rest.starts_with(c)) {
        return Some(Err(()));
    }
    let first = words.partition_point(|w| w.0 < start);
    let last = words.partition_point(|w| w.0 < end).saturating_sub(1);
    if first >= words.len() || last < first {
        return None;
    }
    let after = neighbours(text, words, cues, first, last, true, 10);
    // "election security", "defence policy": a topic, not an organisation.
    if rest.starts_with(' ')
        && after.first().is_some_and(|w| {
            w.is_any(&[
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
            ])
        })
    {
        return Some(Err(()));
    }
    let before = neighbours(text, words, cues, first, last, false, 20);
    let victim_before = before.iter().position(|w| w.is_in(&SECTOR_VICTIM_CUES));
    let victim_after = after.iter().position(|w| w.is_in(&SECTOR_VICTIM_CUES));
    // "were not affected", "could be used against attacks on banks".
    if after.iter().take(4).any(|w| w.is_in(&NEGATIONS)) {
        return Some(Err(()));
    }
    let hedged = before
        .iter()
        .any(|w| w.is_any(&["could", "would", "might"]))
        && !before
            .iter()
            .chain(after.iter())
            .any(|w| w.is_any(&["have", "been", "has"]));
    if hedged {
        return Some(Err(()));
    }
    if before
        .iter()
        .take(4)
        .take_while(|w| !w.is_in(&SECTOR_VICTIM_CUES))
        .any(|w| w.is_in(&ATTACKER_BEFORE))
    {
        return Some(Err(()));
    }
    // "Banks said they were adding monitoring" speaks; "the ministry said
    // its computers had been infected" speaks of itself as a victim.
    let of_itself_words = ["its", "their", "our", "it", "they", "we"];
    if victim_before.is_none_or(|cue| cue >= 6) {
        if let Some(speech) = after.iter().position(|w| w.is_in(&SPEECH_VERBS)) {
            let of_itself = victim_after.is_some_and(|cue| {
                cue > speech
                    && after[speech..cue]
                        .iter()
                        .any(|w| w.is_any(&of_itself_words))
            });
            // ", the security company X said" closes the sentence; it is
            // someone else's speech.
            let said_by_another = {
                let verb = after[speech].text;
                let tail = &text[end..floor_char_boundary(text, end + 240)];
                tail.find(verb).is_some_and(|at| tail[..at].contains(','))
            };
            if !of_itself && !said_by_another && victim_after.is_none_or(|cue| speech < cue) {
                return Some(Err(()));
            }
        }
    }
    // "the ministry said", "military intelligence", "media reports": the
    // term reports, acts or describes, after at most an auxiliary.
    let first_after = after.iter().find(|w| !w.is_in(&SECTOR_AUXILIARIES));
    let speaks_of_itself =
        victim_after.is_some() && after.iter().any(|w| w.is_any(&of_itself_words));
    if !speaks_of_itself
        && (after.first().is_some_and(|w| w.is_in(&REPORTING_VERBS))
            || first_after.is_some_and(|w| w.is_in(&REPORTING_VERBS)))
    {
        return Some(Err(()));
    }
    if before.iter().take(2).any(|w| w.is_in(&NOT_VICTIM_BEFORE)) {
        return Some(Err(()));
    }
    // "researchers at a security company": the reporter's employer.
    let at_reporter = before.len() >= 2
        && (before[0].is("at") || before[1].is("at"))
        && before.iter().take(4).any(|w| {
            w.is_any(&[
                "researchers",
                "analysts",
                "experts",
                "investigators",
                "engineers",
                "specialists",
            ])
        });
    if at_reporter {
        return Some(Err(()));
    }
    let surface = &text[start..end];
    if AMBIGUOUS_TERMS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(surface))
    {
        let close_before = before.iter().take(4).find(|w| w.is_in(&SECTOR_VICTIM_CUES));
        // "ministries were breached", "the government has been hacked".
        let auxiliary = |w: &Near<'_>| w.is_in(&PASSIVE_MARKERS) || w.is_in(&SECTOR_AUXILIARIES);
        let passive_after = after
            .iter()
            .skip_while(|w| auxiliary(w))
            .take(1)
            .find(|w| w.is_in(&SECTOR_VICTIM_CUES))
            .filter(|_| after.first().is_some_and(auxiliary));
        // Lists and modifiers ("energy, telecommunications and government
        // organisations") are judged by their neighbours.
        return close_before.or(passive_after).map(|cue| Ok(cue.text));
    }
    // "were running normally ... and were not affected".
    if let Some(cue) = victim_after {
        if after[..cue].iter().any(|w| w.is_in(&NEGATIONS)) && victim_before.is_none() {
            return Some(Err(()));
        }
    }
    // The cue nearest after the term, else before it within the sentence.
    let cue = after
        .iter()
        .chain(before.iter())
        .find(|w| w.is_in(&SECTOR_VICTIM_CUES))?;
    Some(Ok(cue.text))
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
