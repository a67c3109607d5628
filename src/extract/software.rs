//! Malware and tool names (ATT&CK software, Malpedia families) in text, and
//! which reading each mention gets: the software ("LockBit 3.0 encrypted
//! the servers", "the Agent backdoor"), or the gang that runs it ("the
//! LockBit gang", "Black Basta affiliates", "operators behind Royal", "Clop
//! claimed"), with the words that decided.

use super::context::{words_after, words_before};
use super::cues::{GANG_NOUNS, GANG_VERBS, SOFTWARE_NOUNS};
use super::is_person_name;

/// How a mention of a software name reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The software itself.
    Software,
    /// The gang that runs it.
    Operators,
}

/// A reading with its evidence: the span of words that decided (the name
/// and its cue) and why, in words.
#[derive(Debug, Clone)]
pub(super) struct Decision {
    pub(super) reading: Reading,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) why: String,
    /// Whether words beside the name decided, not the name alone.
    pub(super) cued: bool,
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
    let decision = |reading, from: usize, to: usize, why: String| Decision {
        reading,
        start: from,
        end: to,
        why,
        cued: true,
    };
    let next_end = |count: usize| -> usize {
        // The end of the `count`th word after the name, as written.
        let mut at = end;
        for word in super::phrases::tokens_after(text, end).take(count) {
            // The word without the punctuation after it ("gang," is "gang").
            let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
            let found = text[at..].find(word).map_or(at, |i| at + i + word.len());
            at = found;
        }
        at.min(text.len())
    };
    // "the LockBit gang", "LockBit ransomware gang", "Black Basta affiliates".
    // Only a ransomware brand is also its operation's name; other
    // software is a gang's only with "gang", "crew" or "group" ("the
    // TrickBot gang"), not with "operators" or "actors".
    let gang_noun = |w: &super::context::LowerWord<'_>| {
        w.is_in(&GANG_NOUNS) && (name.ransomware || ["gang", "crew", "group"].contains(&&**w))
    };
    if let Some(first) = after.first() {
        if gang_noun(first) {
            return Some(decision(
                Reading::Operators,
                start,
                next_end(1).max(end),
                format!("\"{surface} {}\": a gang, not software", &**first),
            ));
        }
        if (**first == *"ransomware" || **first == *"malware")
            && after.get(1).is_some_and(&gang_noun)
        {
            return Some(decision(
                Reading::Operators,
                start,
                next_end(2).max(end),
                format!(
                    "\"{surface} {} {}\": a gang, not software",
                    &**first, &*after[1]
                ),
            ));
        }
    }
    // "operators behind Royal", "affiliates of LockBit".
    if before.first().is_some_and(|w| {
        ["behind", "of", "for", "running", "run"]
            .iter()
            .any(|p| **w == **p)
    }) && name.ransomware
        && before.get(1).is_some_and(|w| w.is_in(&GANG_NOUNS))
    {
        let words = format!("{} {}", &*before[1], &*before[0]);
        let from = text[..start].to_lowercase().rfind(&words).unwrap_or(start);
        return Some(decision(
            Reading::Operators,
            from,
            end,
            format!("\"{words} {surface}\": the gang that runs it"),
        ));
    }
    // "LockBit 3.0", "the PlugX backdoor", "the ransomware LockBit".
    let version_inside = surface.contains(' ')
        && surface
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    let version = version_inside
        || text[end..]
            .strip_prefix(' ')
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit());
    // "BlackByte Ransomware" names the software in its own words.
    let noun_inside = surface
        .rsplit([' ', '-'])
        .next()
        .filter(|_| surface.contains([' ', '-']))
        .is_some_and(|last| super::context::context_word(last).is_in(&SOFTWARE_NOUNS));
    let noun_after = after.first().filter(|w| w.is_in(&SOFTWARE_NOUNS));
    let noun_before = before.first().filter(|w| w.is_in(&SOFTWARE_NOUNS));
    if version || noun_inside || noun_after.is_some() || noun_before.is_some() {
        let why = match (noun_after, noun_before) {
            _ if version => format!("\"{surface}\" with a version number: software"),
            _ if noun_inside => format!("\"{surface}\": software"),
            (Some(noun), _) => format!("\"{surface} {}\": software", &**noun),
            (_, Some(noun)) => format!("\"{} {surface}\": software", &**noun),
            _ => unreachable!("one cue holds"),
        };
        return Some(decision(Reading::Software, start, end, why));
    }
    // "Clop claimed the attack": software does not claim.
    if name.ransomware && after.first().is_some_and(|w| w.is_in(&GANG_VERBS)) {
        return Some(decision(
            Reading::Operators,
            start,
            next_end(1).max(end),
            format!(
                "\"{surface} {}\": the gang acts, software does not",
                &*after[0]
            ),
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
    Some(Decision {
        cued: false,
        ..decision(
            Reading::Software,
            start,
            end,
            format!("\"{surface}\" names the software"),
        )
    })
}
