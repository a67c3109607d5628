//! Malware and tool names (ATT&CK software, Malpedia families) in text, and
//! which reading each mention gets: the software ("LockBit 3.0 encrypted
//! the servers", "the Agent backdoor"), or the gang that runs it ("the
//! LockBit gang", "Black Basta affiliates", "operators behind Royal", "Clop
//! claimed"), with the words that decided.

use super::context::{words_after, words_before};
use super::cues::{GANG_NOUNS, GANG_VERBS, SOFTWARE_NOUNS};
use super::is_person_name;
use super::phrases::{tokens_after, tokens_before};

/// How a mention of a software name reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The software itself.
    Software,
    /// The gang that runs it.
    Operators,
}

/// Why a reading was taken: the cue it rests on. Its words are the
/// decision's span; [`Why::explain`] says the rest, only when asked, so
/// indexing builds no sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    /// A gang word after it: "the LockBit gang", "Black Basta affiliates".
    GangWord,
    /// Gang words before it: "operators behind Royal".
    GangBefore,
    /// A verb only a gang does: "Clop claimed".
    GangVerb,
    /// A version number: "LockBit 3.0".
    Version,
    /// A software word beside it or in its name: "the PlugX backdoor",
    /// "BlackByte Ransomware".
    SoftwareWord,
    /// Nothing but the name itself.
    Name,
}

impl Why {
    /// The reason in words, after the quoted span.
    pub(super) fn explain(self) -> &'static str {
        match self {
            Why::GangWord => "a gang, not software",
            Why::GangBefore => "the gang that runs it",
            Why::GangVerb => "the gang acts, software does not",
            Why::Version => "a version number: software",
            Why::SoftwareWord => "software",
            Why::Name => "names the software",
        }
    }
}

/// A reading with its evidence: the span of words that decided (the name
/// and its cue) and why.
#[derive(Debug, Clone)]
pub(super) struct Decision {
    pub(super) reading: Reading,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) why: Why,
}

impl Decision {
    /// Whether words beside the name decided, not the name alone.
    pub(super) fn cued(&self) -> bool {
        self.why != Why::Name
    }
}

/// What is known of the name matched at `start..end`.
pub(super) struct Candidate<'a> {
    /// The form as the gazetteer writes it.
    pub(super) form: &'a str,
    /// Made only of ordinary English words ("Agent", "Cobalt Strike").
    pub(super) ordinary: bool,
    /// The family is ransomware, whose brand is also its gang's name.
    pub(super) ransomware: bool,
}

/// How the mention at `start..end` reads, or `None` when it is not a
/// software name here (an ordinary word without a cue, a lower-case word,
/// part of a person's name).
pub(super) fn read(text: &str, start: usize, end: usize, name: &Candidate<'_>) -> Option<Decision> {
    let surface = &text[start..end];
    let form = name.form;
    let case_ok = if form.chars().count() <= 4 {
        surface == form
    } else if form.chars().next().is_some_and(char::is_lowercase) {
        true
    } else {
        surface.chars().next().is_some_and(char::is_uppercase)
            && (!name.ordinary
                || surface
                    .split([' ', '-'])
                    .filter(|w| !w.is_empty())
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase)))
    };
    if !case_ok {
        return None;
    }
    let after = words_after(text, end, 2);
    let before = words_before(text, start, 2);
    let decision = |reading, start: usize, end: usize, why| Decision {
        reading,
        start,
        end,
        why,
    };
    // "the LockBit gang", "LockBit ransomware gang", "Black Basta affiliates".
    // Only a ransomware brand is also its operation's name; other
    // software is a gang's only with "gang", "crew" or "group" ("the
    // TrickBot gang"), not with "operators" or "actors".
    let gang_noun = |w: &super::context::LowerWord<'_>| {
        w.is_in(&GANG_NOUNS) && (name.ransomware || ["gang", "crew", "group"].contains(&&**w))
    };
    if let Some(first) = after.first() {
        let software_word = **first == *"ransomware" || **first == *"malware";
        if gang_noun(first) {
            return Some(decision(
                Reading::Operators,
                start,
                word_end(text, end, 1),
                Why::GangWord,
            ));
        }
        if software_word && after.get(1).is_some_and(&gang_noun) {
            return Some(decision(
                Reading::Operators,
                start,
                word_end(text, end, 2),
                Why::GangWord,
            ));
        }
    }
    // "operators behind Royal", "affiliates of LockBit".
    let gang_before = name.ransomware
        && before.first().is_some_and(|w| {
            ["behind", "of", "for", "running", "run"]
                .iter()
                .any(|p| **w == **p)
        })
        && before.get(1).is_some_and(|w| w.is_in(&GANG_NOUNS));
    if gang_before {
        return Some(decision(
            Reading::Operators,
            word_start(text, start, 2),
            end,
            Why::GangBefore,
        ));
    }
    // "LockBit 3.0", "BlackByte Ransomware", "the PlugX backdoor", "the
    // ransomware LockBit".
    let last_word = surface
        .rsplit([' ', '-'])
        .next()
        .filter(|_| surface.contains([' ', '-']));
    let version_inside = last_word.is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    let version_after = text[end..]
        .strip_prefix(' ')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_digit());
    if version_inside || version_after {
        let to = if version_after {
            word_end(text, end, 1)
        } else {
            end
        };
        return Some(decision(Reading::Software, start, to, Why::Version));
    }
    if last_word.is_some_and(|last| super::context::context_word(last).is_in(&SOFTWARE_NOUNS)) {
        return Some(decision(Reading::Software, start, end, Why::SoftwareWord));
    }
    if after.first().is_some_and(|w| w.is_in(&SOFTWARE_NOUNS)) {
        return Some(decision(
            Reading::Software,
            start,
            word_end(text, end, 1),
            Why::SoftwareWord,
        ));
    }
    if before.first().is_some_and(|w| w.is_in(&SOFTWARE_NOUNS)) {
        return Some(decision(
            Reading::Software,
            word_start(text, start, 1),
            end,
            Why::SoftwareWord,
        ));
    }
    // "Clop claimed the attack": software does not claim.
    if name.ransomware && after.first().is_some_and(|w| w.is_in(&GANG_VERBS)) {
        return Some(decision(
            Reading::Operators,
            start,
            word_end(text, end, 1),
            Why::GangVerb,
        ));
    }
    // Without a cue, an ordinary word is a word ("a sleeper agent"), and a
    // capitalised name beside another is a person's ("Giuseppe Conti").
    let single_word = !form.contains([' ', '-']);
    // A family its sources write in capitals ("TRITON") is named so in
    // running text, unless the words make it an operation's code name
    // ("code-named MEDUSA").
    let as_the_sources_write_it =
        form.len() >= 4 && form.chars().all(|c| !c.is_lowercase()) && surface == form;
    let code_name = before.first().is_some_and(|w| {
        [
            "code-named",
            "codenamed",
            "operation",
            "dubbed",
            "named",
            "called",
        ]
        .iter()
        .any(|cue| **w == **cue)
    });
    if name.ordinary && single_word && (!as_the_sources_write_it || code_name) {
        return None;
    }
    let titlecase = surface.chars().next().is_some_and(char::is_uppercase)
        && surface.chars().skip(1).all(|c| c.is_lowercase());
    if single_word && titlecase && is_person_name(text, start, end) {
        return None;
    }
    Some(decision(Reading::Software, start, end, Why::Name))
}

/// The end of the `count`th word after `end`, without the punctuation after
/// it ("gang," ends at "g").
fn word_end(text: &str, end: usize, count: usize) -> usize {
    let mut at = end;
    for word in tokens_after(text, end).take(count) {
        let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        at = text[at..].find(word).map_or(at, |i| at + i + word.len());
    }
    at
}

/// The start of the `count`th word before `start`, without the punctuation
/// before it.
fn word_start(text: &str, start: usize, count: usize) -> usize {
    let mut at = start;
    for word in tokens_before(text, start).take(count) {
        let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
        at = text[..at].rfind(word).unwrap_or(at);
    }
    at
}
