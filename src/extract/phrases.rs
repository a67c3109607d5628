//! Whole-word phrase lookup: finds every gazetteer form that occurs in a text
//! as whole words, ASCII case-insensitively, by hashing word n-grams.
//!
//! An Aho-Corasick DFA over ten thousand aliases does not fit in cache, and
//! every byte of text costs a cache miss. Here the text is split into words
//! once; a form can only begin where a word begins, and a small bit filter
//! over the forms' first words rules out almost every word before any table
//! lookup.

use rustc_hash::FxHashMap;

/// One occurrence of a pattern: byte range and pattern index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseMatch {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

/// A pattern reached through its word core, with the punctuation it must
/// also have around that core ("U.S." is the core `u.s` plus a trailing dot).
#[derive(Debug)]
struct Entry {
    pattern: usize,
    lead: Box<str>,
    trail: Box<str>,
}

#[derive(Debug, Default)]
struct Node {
    /// Patterns whose lower-cased word core is exactly this key.
    entries: Vec<Entry>,
    /// Whether some longer core begins with this key plus more words.
    extends: bool,
}

const FILTER_BITS: usize = 1 << 16;

/// Finds whole-word occurrences of many patterns.
pub struct PhraseMatcher {
    /// Lower-cased word sequences (with the separators between them as
    /// written) to the patterns they spell.
    table: FxHashMap<Box<str>, Node>,
    /// Bits set at the hash of every core's first word.
    first_words: Vec<u64>,
    /// The most words any core has.
    max_words: usize,
}

impl std::fmt::Debug for PhraseMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhraseMatcher")
            .field("phrases", &self.table.len())
            .field("max_words", &self.max_words)
            .finish()
    }
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// What a byte says about the character it starts or continues: ASCII bytes
/// are classified by table alone; any other byte needs its character decoded.
const OTHER: u8 = 0;
const WORD: u8 = 1;
const SPACE: u8 = 2;
const NON_ASCII: u8 = 3;

const BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        table[byte] = if b.is_ascii_alphanumeric() {
            WORD
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            // What `char::is_whitespace` (and so `split_whitespace`) accepts.
            SPACE
        } else {
            OTHER
        };
        byte += 1;
    }
    table
};

/// The character at byte `at` (a character boundary) and its width.
#[inline(always)]
fn char_at(text: &str, at: usize) -> (char, usize) {
    let c = text[at..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// Whether the character at byte `at` is a word character, and its width.
#[inline(always)]
fn is_word_at(text: &str, at: usize) -> (bool, usize) {
    match BYTE_CLASS[usize::from(text.as_bytes()[at])] {
        WORD => (true, 1),
        NON_ASCII => {
            let (c, width) = char_at(text, at);
            (is_word_char(c), width)
        }
        _ => (false, 1),
    }
}

/// Whether the character at byte `at` is whitespace, and its width.
#[inline(always)]
fn is_space_at(text: &str, at: usize) -> (bool, usize) {
    match BYTE_CLASS[usize::from(text.as_bytes()[at])] {
        SPACE => (true, 1),
        NON_ASCII => {
            let (c, width) = char_at(text, at);
            (c.is_whitespace(), width)
        }
        _ => (false, 1),
    }
}

/// Byte ranges of the words of a text: maximal runs of alphanumeric
/// characters.
pub fn words(text: &str) -> Vec<(usize, usize)> {
    let length = text.len();
    let mut words = Vec::with_capacity(length / 4);
    let mut at = 0;
    while at < length {
        let (word_char, width) = is_word_at(text, at);
        if !word_char {
            at += width;
            continue;
        }
        let start = at;
        at += width;
        while at < length {
            let (word_char, width) = is_word_at(text, at);
            if !word_char {
                break;
            }
            at += width;
        }
        words.push((start, at));
    }
    words
}

/// The whitespace-separated tokens of `text[from..]`, in order: what
/// `text[from..].split_whitespace()` yields, without decoding ASCII.
pub fn tokens_after(text: &str, from: usize) -> impl Iterator<Item = &str> {
    let mut at = from;
    std::iter::from_fn(move || {
        while at < text.len() {
            let (space, width) = is_space_at(text, at);
            if !space {
                break;
            }
            at += width;
        }
        if at >= text.len() {
            return None;
        }
        let start = at;
        while at < text.len() {
            let (space, width) = is_space_at(text, at);
            if space {
                break;
            }
            at += width;
        }
        Some(&text[start..at])
    })
}

/// The start of the character that ends at byte `end`.
#[inline(always)]
fn char_start_before(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = end - 1;
    while at > 0 && (bytes[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

/// The whitespace-separated tokens of `text[..until]`, nearest first: what
/// `text[..until].split_whitespace().rev()` yields.
pub fn tokens_before(text: &str, until: usize) -> impl Iterator<Item = &str> {
    let mut at = until;
    std::iter::from_fn(move || {
        while at > 0 {
            let previous = char_start_before(text, at);
            if !is_space_at(text, previous).0 {
                break;
            }
            at = previous;
        }
        if at == 0 {
            return None;
        }
        let end = at;
        while at > 0 {
            let previous = char_start_before(text, at);
            if is_space_at(text, previous).0 {
                break;
            }
            at = previous;
        }
        Some(&text[at..end])
    })
}

/// A hash of the word `text[start..end]`, ASCII case-folded, for the
/// first-word filter: its first and last eight bytes and its length, so it
/// costs the same for any word. Reads eight bytes at once where the text
/// has them.
fn word_hash(text: &[u8], start: usize, end: usize) -> usize {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let read = |at: usize| -> u64 {
        match text.get(at..at + 8) {
            Some(eight) => <[u8; 8]>::try_from(eight).map_or(0, u64::from_le_bytes),
            None => {
                let mut buffer = [0u8; 8];
                let available = &text[at..];
                buffer[..available.len()].copy_from_slice(available);
                u64::from_le_bytes(buffer)
            }
        }
    };
    let length = end - start;
    let head = if length >= 8 {
        read(start)
    } else {
        read(start) & ((1u64 << (8 * length)) - 1)
    } | FOLD;
    let tail = if length >= 8 {
        read(end - 8) | FOLD
    } else {
        head
    };
    let mixed = (head ^ tail.rotate_left(29) ^ length as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> 48) as usize % FILTER_BITS
}

fn eq_ignore_ascii_case_at(text: &str, range: std::ops::Range<usize>, expected: &str) -> bool {
    text.get(range)
        .is_some_and(|found| found.eq_ignore_ascii_case(expected))
}

impl PhraseMatcher {
    /// Indexes the patterns; a pattern's index is its position in
    /// `patterns`. A pattern with no word character in it can never match.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> PhraseMatcher {
        let mut table: FxHashMap<Box<str>, Node> = FxHashMap::default();
        let mut first_words = vec![0u64; FILTER_BITS / 64];
        let mut max_words = 0;
        for (pattern, text) in patterns.iter().enumerate() {
            let lowered = text.as_ref().to_ascii_lowercase();
            let core = lowered.trim_matches(|c: char| !is_word_char(c));
            if core.is_empty() {
                continue;
            }
            let lead_len =
                lowered.len() - lowered.trim_start_matches(|c: char| !is_word_char(c)).len();
            let lead = &lowered[..lead_len];
            let trail = &lowered[lead_len + core.len()..];
            let spans = words(core);
            max_words = max_words.max(spans.len());
            let slot = word_hash(core.as_bytes(), spans[0].0, spans[0].1);
            first_words[slot / 64] |= 1 << (slot % 64);
            for &(_, end) in &spans[..spans.len() - 1] {
                table.entry(core[..end].into()).or_default().extends = true;
            }
            table.entry(core.into()).or_default().entries.push(Entry {
                pattern,
                lead: lead.into(),
                trail: trail.into(),
            });
        }
        PhraseMatcher {
            table,
            first_words,
            max_words,
        }
    }

    /// Every occurrence that starts and ends on a word boundary, sorted by
    /// start, longest first at each start, then by pattern index.
    /// Overlapping occurrences are all reported; the caller picks among
    /// them. `words` is [`words`] of `text`.
    pub fn find_all(&self, text: &str, words: &[(usize, usize)]) -> Vec<PhraseMatch> {
        let mut found = Vec::new();
        let mut key = String::with_capacity(64);
        for (first, &(start, first_end)) in words.iter().enumerate() {
            let slot = word_hash(text.as_bytes(), start, first_end);
            if self.first_words[slot / 64] & (1 << (slot % 64)) == 0 {
                continue;
            }
            key.clear();
            let mut copied_to = start;
            for &(_, end) in words[first..].iter().take(self.max_words) {
                let from = key.len();
                key.push_str(&text[copied_to..end]);
                key[from..].make_ascii_lowercase();
                copied_to = end;
                let Some(node) = self.table.get(key.as_str()) else {
                    break;
                };
                for entry in &node.entries {
                    let (lead, trail) = (entry.lead.len(), entry.trail.len());
                    let lead_ok = lead == 0
                        || (start >= lead
                            && eq_ignore_ascii_case_at(text, start - lead..start, &entry.lead));
                    let trail_ok =
                        trail == 0 || eq_ignore_ascii_case_at(text, end..end + trail, &entry.trail);
                    if lead_ok && trail_ok {
                        found.push(PhraseMatch {
                            start: start - lead,
                            end: end + trail,
                            pattern: entry.pattern,
                        });
                    }
                }
                if !node.extends {
                    break;
                }
            }
        }
        found.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(a.pattern.cmp(&b.pattern))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "",
        " ",
        "APT28, also known as Fancy Bear.",
        "  leading and trailing  ",
        "tabs\tand\nnew\r\nlines\x0bvertical\x0cfeed",
        "non\u{a0}breaking\u{2009}thin\u{3000}ideographic",
        "Côte d\u{2019}Ivoire — Türkiye’s “APT-C-23” (U.S.)",
        "日本語のテキスト and ascii",
        "é",
    ];

    #[test]
    fn token_scanners_agree_with_split_whitespace() {
        for text in SAMPLES {
            for (at, _) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                let after: Vec<&str> = tokens_after(text, at).collect();
                assert_eq!(
                    after,
                    text[at..].split_whitespace().collect::<Vec<_>>(),
                    "{text:?} after {at}"
                );
                let before: Vec<&str> = tokens_before(text, at).collect();
                assert_eq!(
                    before,
                    text[..at].split_whitespace().rev().collect::<Vec<_>>(),
                    "{text:?} before {at}"
                );
            }
        }
    }

    #[test]
    fn words_are_alphanumeric_runs() {
        for text in SAMPLES {
            let expected: Vec<&str> = text
                .split(|c: char| !is_word_char(c))
                .filter(|w| !w.is_empty())
                .collect();
            let found: Vec<&str> = words(text).into_iter().map(|(s, e)| &text[s..e]).collect();
            assert_eq!(found, expected, "{text:?}");
        }
    }

    #[test]
    fn phrases_match_whole_words_case_insensitively_with_edge_punctuation() {
        let matcher = PhraseMatcher::new(&[
            "APT28",
            "Fancy Bear",
            "Fancy",
            "U.S.",
            "[Unnamed group]",
            "Côte d'Ivoire",
        ]);
        let text = "fancy bear and APT28x and apt28; the U.S. and [unnamed group] in Côte d'Ivoire, not U.Sx";
        let found: Vec<(&str, usize)> = matcher
            .find_all(text, &words(text))
            .into_iter()
            .map(|m| (&text[m.start..m.end], m.pattern))
            .collect();
        assert_eq!(
            found,
            [
                ("fancy bear", 1),
                ("fancy", 2),
                ("apt28", 0),
                ("U.S.", 3),
                ("[unnamed group]", 4),
                ("Côte d'Ivoire", 5)
            ]
        );
    }
}
