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

/// Bits in each word filter: 32 KiB, small enough to stay in cache, large
/// enough that few words hit a set bit by chance.
const FILTER_LOG2: u32 = 18;

/// Finds whole-word occurrences of many patterns.
pub struct PhraseMatcher {
    /// Lower-cased word sequences (with the separators between them as
    /// written) to the patterns they spell.
    table: FxHashMap<Box<str>, Node>,
    /// Bits set at the hash of every one-word core.
    single_words: WordFilter,
    /// Bits set at the hash of the first two words of every longer core:
    /// "the" begins many names ("The Dukes"), so its pair with the next
    /// word, not the word alone, says whether a lookup can succeed.
    word_pairs: WordFilter,
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
    // Typographic quotes, dashes and spaces (U+2000 to U+206F) are common in
    // reports and never letters; they skip the Unicode tables.
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphanumeric()
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

/// One bit per byte of eight ASCII bytes (bit `i` for byte `i`): whether it
/// is an ASCII letter or digit. Compares all eight at once, so the cost does
/// not depend on the text.
#[inline(always)]
fn ascii_alphanumeric_bits(eight: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // For bytes below 0x80, the high bit of `byte + (0x80 - lo)` says
    // `byte >= lo`, and no addition carries into the next byte. Bytes from
    // 0x80 up may carry, even out of the word: the caller discards the
    // result for them.
    let at_least = |bytes: u64, lo: u8| bytes.wrapping_add(ONES * u64::from(0x80 - lo));
    let in_range = |bytes: u64, lo: u8, hi: u8| at_least(bytes, lo) & !at_least(bytes, hi + 1);
    let letters = in_range(eight | (ONES * 0x20), b'a', b'z');
    let digits = in_range(eight, b'0', b'9');
    // Gathers the eight high bits into the low byte, byte 0 to bit 0.
    (((letters | digits) & HIGH) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Whether each byte of `text[from..from + 64]` (or up to the end) belongs
/// to a word character, as bit `i` for byte `from + i`. ASCII is
/// classified eight bytes at a time; only the characters of the other
/// bytes are decoded.
#[inline(always)]
fn word_mask(text: &str, from: usize) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let block = &bytes[from..bytes.len().min(from + 64)];
    let mut mask = 0u64;
    let mut any_high = 0u64;
    let mut eights = block.chunks_exact(8);
    for (index, eight) in eights.by_ref().enumerate() {
        let eight = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
        any_high |= eight & HIGH;
        // Without their high bits, bytes from 0x80 up cannot carry into
        // their neighbours; their own bits are replaced below.
        mask |= ascii_alphanumeric_bits(eight & !HIGH) << (8 * index);
    }
    let tail_from = block.len() - eights.remainder().len();
    for (bit, &byte) in eights.remainder().iter().enumerate() {
        mask |= u64::from(BYTE_CLASS[usize::from(byte)] == WORD) << (tail_from + bit);
        any_high |= u64::from(byte & 0x80);
    }
    if any_high == 0 {
        return mask;
    }
    let mut non_ascii = 0u64;
    for (bit, &byte) in block.iter().enumerate() {
        non_ascii |= u64::from(byte >> 7) << bit;
    }
    mask &= !non_ascii;
    while non_ascii != 0 {
        let bit = non_ascii.trailing_zeros() as usize;
        // The block may begin inside a character.
        let mut start = from + bit;
        while start > 0 && !text.is_char_boundary(start) {
            start -= 1;
        }
        let (c, width) = char_at(text, start);
        let end = (start + width - from).min(block.len());
        let covered = if end == 64 {
            u64::MAX
        } else {
            (1u64 << end) - 1
        } & !((1u64 << bit) - 1);
        if is_word_char(c) {
            mask |= covered;
        }
        non_ascii &= !covered;
    }
    mask
}

/// Byte ranges of the words of a text: maximal runs of alphanumeric
/// characters.
///
/// Works on 64 bytes at a time: a bit mask of word bytes, then its edges.
/// Testing every byte for a word boundary instead costs a mispredicted
/// branch at almost every boundary, which is most of the time spent.
pub fn words(text: &str) -> Vec<(usize, usize)> {
    let length = text.len();
    let mut words = Vec::with_capacity(length / 5);
    let mut in_word = false;
    let mut word_start = 0;
    let mut previous_last_bit = 0u64;
    for from in (0..length).step_by(64) {
        let mask = word_mask(text, from);
        // Bit i set where byte i's class differs from byte i - 1's.
        let mut edges = mask ^ ((mask << 1) | previous_last_bit);
        let block_length = (length - from).min(64);
        if block_length < 64 {
            edges &= (1u64 << block_length) - 1;
        }
        previous_last_bit = mask >> 63;
        while edges != 0 {
            let at = from + edges.trailing_zeros() as usize;
            if in_word {
                words.push((word_start, at));
            } else {
                word_start = at;
            }
            in_word = !in_word;
            edges &= edges - 1;
        }
    }
    if in_word {
        words.push((word_start, length));
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
            let (space, previous) = space_before(text, at);
            if !space {
                break;
            }
            at = previous;
        }
        if at == 0 {
            return None;
        }
        let end = at;
        while at > 0 {
            let (space, previous) = space_before(text, at);
            if space {
                break;
            }
            at = previous;
        }
        Some(&text[at..end])
    })
}

/// Whether the character that ends at byte `end` is whitespace, and where
/// it starts. An ASCII byte is its own character: no decoding.
#[inline(always)]
fn space_before(text: &str, end: usize) -> (bool, usize) {
    let byte = text.as_bytes()[end - 1];
    if byte < 0x80 {
        return (BYTE_CLASS[usize::from(byte)] == SPACE, end - 1);
    }
    let start = char_start_before(text, end);
    (is_space_at(text, start).0, start)
}

/// The eight bytes at `at`, zero-padded past the end of `text`.
#[inline(always)]
fn load_u64(text: &[u8], at: usize) -> u64 {
    match text.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])),
        None => {
            let mut buffer = [0u8; 8];
            let available = &text[at.min(text.len())..];
            buffer[..available.len()].copy_from_slice(available);
            u64::from_le_bytes(buffer)
        }
    }
}

/// A hash of the word `text[start..end]`, ASCII case-folded, for the word
/// filters: its first and last eight bytes and its length, so it costs the
/// same for any word.
#[inline(always)]
fn word_hash(text: &[u8], start: usize, end: usize) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let length = end - start;
    let head = load_u64(text, start) & (u64::MAX >> (64 - 8 * length.min(8)));
    let tail = if length > 8 {
        load_u64(text, end - 8)
    } else {
        0
    };
    ((head | FOLD) ^ (tail | FOLD).rotate_left(29) ^ length as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The hash of two consecutive words, from theirs.
#[inline(always)]
fn pair_hash(first: u64, second: u64) -> u64 {
    (first.rotate_left(23) ^ second).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A set of word hashes that may answer yes wrongly, never no wrongly.
#[derive(Debug)]
struct WordFilter {
    bits: Vec<u64>,
}

impl WordFilter {
    fn new() -> WordFilter {
        WordFilter {
            bits: vec![0; 1 << (FILTER_LOG2 - 6)],
        }
    }

    fn slot(hash: u64) -> usize {
        (hash >> (64 - FILTER_LOG2)) as usize
    }

    fn insert(&mut self, hash: u64) {
        let slot = WordFilter::slot(hash);
        self.bits[slot / 64] |= 1 << (slot % 64);
    }

    #[inline(always)]
    fn may_contain(&self, hash: u64) -> bool {
        let slot = WordFilter::slot(hash);
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
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
        let mut single_words = WordFilter::new();
        let mut word_pairs = WordFilter::new();
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
            let first = word_hash(core.as_bytes(), spans[0].0, spans[0].1);
            match spans.get(1) {
                None => single_words.insert(first),
                Some(&(start, end)) => {
                    word_pairs.insert(pair_hash(first, word_hash(core.as_bytes(), start, end)))
                }
            }
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
            single_words,
            word_pairs,
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
        let bytes = text.as_bytes();
        let mut next_hash = words.first().map_or(0, |&(s, e)| word_hash(bytes, s, e));
        for (first, &(start, _)) in words.iter().enumerate() {
            let hash = next_hash;
            next_hash = words
                .get(first + 1)
                .map_or(0, |&(s, e)| word_hash(bytes, s, e));
            let may_match = self.single_words.may_contain(hash)
                || (first + 1 < words.len()
                    && self.word_pairs.may_contain(pair_hash(hash, next_hash)));
            if !may_match {
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
        // U+00F0's second byte is 0xB0: carries in eight-byte arithmetic.
        "ð/ð:ð@ð`x",
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

    fn alphanumeric_runs(text: &str) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut start = None;
        for (at, c) in text.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    runs.push((s, at));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push((s, text.len()));
        }
        runs
    }

    #[test]
    fn words_are_alphanumeric_runs() {
        for text in SAMPLES {
            assert_eq!(words(text), alphanumeric_runs(text), "{text:?}");
        }
        // Words and multi-byte characters across the 64-byte blocks.
        for shift in 0..70 {
            let text = format!(
                "{}Türkiye’s 日本語 APT28{}é",
                "x".repeat(shift),
                " ".repeat(shift % 7)
            );
            assert_eq!(words(&text), alphanumeric_runs(&text), "{text:?}");
        }
    }

    #[test]
    fn eight_byte_classifier_agrees_with_the_byte_table() {
        for byte in 0u8..0x80 {
            for position in 0..8 {
                let eight = u64::from(byte) << (8 * position)
                    | 0x2020_2020_2020_2020 & !(0xff << (8 * position));
                let expected = u64::from(byte.is_ascii_alphanumeric()) << position;
                assert_eq!(
                    ascii_alphanumeric_bits(eight),
                    expected,
                    "{byte:#x} at {position}"
                );
            }
        }
    }

    #[test]
    fn eight_byte_classifier_takes_non_ascii_bytes_without_overflowing() {
        // Debug builds check arithmetic: 0xFF bytes carry out of the word.
        for eight in [u64::MAX, 0x80FF_FF80_C3A9_F0B0, 0xFFFF_FFFF_FFFF_FF41] {
            let _ = ascii_alphanumeric_bits(eight);
        }
    }

    proptest::proptest! {
        #[test]
        fn words_match_a_character_by_character_split(text in "[a-zA-Z0-9 .,\\-’éð日\u{a0}\u{2009}/:@\\[`{]{0,300}") {
            proptest::prop_assert_eq!(words(&text), alphanumeric_runs(&text));
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
