//! The words around a mention, lower-cased and stripped of punctuation, for
//! the rules that read a mention's context ("accused China", "in the UK").
//!
//! The rules read a few words on each side of every country and alias
//! mention, so on short articles dense with names this is much of what
//! extraction costs. ASCII words are trimmed and lower-cased in one pass over
//! their bytes, and the words are kept inline rather than on the heap.

use smallvec::SmallVec;

use super::cues::{cues_of, CueList};
use super::phrases;

/// A word in lower case, with the cue lists it is in.
#[derive(Clone, Debug)]
pub(super) struct LowerWord<'a> {
    form: Form<'a>,
    cues: u32,
}

/// A lower-case word: borrowed when the text already has it so, copied
/// inline when it is short ASCII (almost every capitalised word), and on the
/// heap otherwise. The context rules lower-case a few words around every
/// mention: this form cut extraction's instructions on the bundled corpus by
/// 3% (callgrind) against a heap copy per capitalised word.
#[derive(Clone, Debug)]
enum Form<'a> {
    Borrowed(&'a str),
    Inline { bytes: [u8; INLINE_WORD], len: u8 },
    Owned(String),
}

/// The longest word [`LowerWord`] keeps inline.
const INLINE_WORD: usize = 22;

/// The most words any rule reads on one side of a mention.
const MOST_WORDS: usize = 6;

/// Words read on one side of a mention, nearest first.
pub(super) type Words<'a> = SmallVec<[LowerWord<'a>; MOST_WORDS]>;

impl std::ops::Deref for LowerWord<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.form {
            Form::Borrowed(word) => word,
            // Only ASCII is stored inline, so this never falls back.
            Form::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Form::Owned(word) => word,
        }
    }
}

impl AsRef<str> for LowerWord<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl<'a> LowerWord<'a> {
    /// No word: what a rule reads past the end of a sentence.
    pub(super) fn none() -> LowerWord<'a> {
        LowerWord {
            form: Form::Borrowed(""),
            cues: 0,
        }
    }

    fn new(form: Form<'a>) -> LowerWord<'a> {
        let mut word = LowerWord { form, cues: 0 };
        word.cues = cues_of(word.as_bytes());
        word
    }

    /// The word's bytes, without the UTF-8 check that reading the inline
    /// form as a `str` costs: the rules compare words many times each.
    pub(super) fn as_bytes(&self) -> &[u8] {
        match &self.form {
            Form::Borrowed(word) => word.as_bytes(),
            Form::Inline { bytes, len } => &bytes[..usize::from(*len)],
            Form::Owned(word) => word.as_bytes(),
        }
    }

    /// Whether the word is one of `list`.
    pub(super) fn is_in(&self, list: &CueList) -> bool {
        self.cues & list.bit != 0
    }

    /// Whether the word has every bit of `cues` (see [`super::cues`]).
    pub(super) fn has_cues(&self, cues: u32) -> bool {
        self.cues & cues == cues
    }
}

impl PartialEq<str> for LowerWord<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for LowerWord<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

/// What the context rules need to know of a byte, as bits.
const ALPHANUMERIC: u8 = 1;
const HYPHEN: u8 = 2;
const PARENTHESIS: u8 = 4;
const UPPER: u8 = 8;
const NON_ASCII: u8 = 16;

const BYTE_BITS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = if b >= 0x80 {
            NON_ASCII
        } else if b.is_ascii_uppercase() {
            ALPHANUMERIC | UPPER
        } else if b.is_ascii_alphanumeric() {
            ALPHANUMERIC
        } else if b == b'-' {
            HYPHEN
        } else if b == b'(' {
            PARENTHESIS
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// A word in lower case, borrowed when it already is.
pub(super) fn lowercase(word: &str) -> LowerWord<'_> {
    let bytes = word.as_bytes();
    let seen = bytes
        .iter()
        .fold(0u8, |seen, &byte| seen | BYTE_BITS[usize::from(byte)]);
    LowerWord::new(if seen & NON_ASCII != 0 {
        Form::Owned(word.to_lowercase())
    } else if seen & UPPER == 0 {
        Form::Borrowed(word)
    } else if word.len() <= INLINE_WORD {
        let mut inline = [0u8; INLINE_WORD];
        for (to, from) in inline.iter_mut().zip(bytes) {
            *to = from.to_ascii_lowercase();
        }
        Form::Inline {
            bytes: inline,
            len: word.len() as u8,
        }
    } else {
        Form::Owned(word.to_ascii_lowercase())
    })
}

/// Which punctuation a rule keeps at the ends of a word besides letters and
/// digits: always `-` ("China-based"), and `(` after a mention.
#[derive(Clone, Copy)]
enum Kept {
    Hyphen,
    HyphenAndParenthesis,
}

impl Kept {
    fn keeps(self, c: char) -> bool {
        c.is_alphanumeric() || c == '-' || matches!(self, Kept::HyphenAndParenthesis) && c == '('
    }

    /// The [`BYTE_BITS`] of the ASCII bytes kept, and of any non-ASCII byte:
    /// bytes with none of them are trimmed.
    fn stops_trimming(self) -> u8 {
        match self {
            Kept::Hyphen => ALPHANUMERIC | HYPHEN | NON_ASCII,
            Kept::HyphenAndParenthesis => ALPHANUMERIC | HYPHEN | PARENTHESIS | NON_ASCII,
        }
    }
}

/// `raw` without the characters `kept` does not keep at either end. ASCII
/// ends are trimmed byte by byte; a non-ASCII character at an end is left to
/// the character-wise trim.
fn trim_word(raw: &str, kept: Kept) -> &str {
    let bytes = raw.as_bytes();
    let stops = kept.stops_trimming();
    let ascii_trimmed = |byte: u8| BYTE_BITS[usize::from(byte)] & stops == 0;
    let mut start = 0;
    while start < bytes.len() && ascii_trimmed(bytes[start]) {
        start += 1;
    }
    let mut end = bytes.len();
    while end > start && ascii_trimmed(bytes[end - 1]) {
        end -= 1;
    }
    let core = &raw[start..end];
    let non_ascii_end = core.as_bytes().first().is_some_and(|&b| b >= 0x80)
        || core.as_bytes().last().is_some_and(|&b| b >= 0x80);
    if non_ascii_end {
        core.trim_matches(|c: char| !kept.keeps(c))
    } else {
        core
    }
}

/// A context word: a token trimmed of edge punctuation, lower-cased.
pub(super) fn context_word(raw: &str) -> LowerWord<'_> {
    lowercase(trim_word(raw, Kept::Hyphen))
}

/// A token's part before a Markdown link's target: "Group" of
/// "Group](https://attack.mitre.org/groups/G0064/)." The link's words are the
/// context; its URL is not. Sentence ends are still read from the whole token.
fn link_text(raw: &str) -> &str {
    // A plain byte loop: `str::find` sets up a substring searcher on every
    // call, which costs more than these short tokens.
    let bytes = raw.as_bytes();
    for at in 1..bytes.len() {
        if bytes[at] == b'(' && bytes[at - 1] == b']' {
            return &raw[..at - 1];
        }
    }
    raw
}

/// Word tokens of a stretch of text, lower-cased, without punctuation at the
/// ends; stops at a sentence end.
pub(super) fn words_before(text: &str, start: usize, limit: usize) -> Words<'_> {
    let head = &text[..start];
    let mut words = Words::new();
    for raw in phrases::tokens_before(text, start) {
        if words.len() == limit {
            break;
        }
        let ends_sentence = raw.ends_with(['.', '!', '?', ';', ':'])
            && !raw
                .trim_end_matches(['.', '!', '?', ';', ':'])
                .contains('.')
            && raw.len() > 2;
        if ends_sentence && !words.is_empty() {
            break;
        }
        if ends_sentence {
            // The word just before the mention ends a sentence: the mention starts one.
            if head.trim_end().len() < head.len() {
                break;
            }
        }
        let word = context_word(link_text(raw));
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

/// Word tokens after a mention, as [`words_before`] reads them before it,
/// keeping an opening parenthesis ("(APT28)"); stops after a sentence end.
pub(super) fn words_after(text: &str, end: usize, limit: usize) -> Words<'_> {
    let mut words = Words::new();
    // "hit Ukraine. Unit 42 tracks...": a full stop right after the mention
    // ends its sentence, as one inside a token does.
    let rest = text.as_bytes().get(end..).unwrap_or_default();
    if matches!(rest.first(), Some(b'.' | b'!' | b'?' | b';'))
        && rest.get(1).is_none_or(|b| b.is_ascii_whitespace())
    {
        return words;
    }
    for raw in phrases::tokens_after(text, end) {
        if words.len() == limit {
            break;
        }
        let word = lowercase(trim_word(link_text(raw), Kept::HyphenAndParenthesis));
        if !word.is_empty() {
            words.push(word);
        }
        if raw.ends_with(['.', '!', '?', ';']) && raw.len() > 2 && !raw.contains("..") {
            break;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::cues::{ACCUSER_VERBS, VICTIM_NOUNS};
    use super::*;

    #[test]
    fn a_link_is_read_as_its_words_and_still_ends_a_sentence() {
        let text = "[Elfin Group](https://attack.mitre.org/groups/G0064/). Next";
        let words = words_after(text, 6, 5);
        assert_eq!(words.iter().map(|w| &**w).collect::<Vec<_>>(), ["group"]);
        let text = "they [accused](https://example.org/a-b) Russia";
        let words = words_before(text, text.len() - "Russia".len(), 5);
        assert_eq!(
            words.iter().map(|w| &**w).collect::<Vec<_>>(),
            ["accused", "they"]
        );
    }

    #[test]
    fn lower_words_read_the_same_whatever_their_form() {
        let long = "Counter-Intelligence-Directorates";
        for (word, lowered) in [
            ("accused", "accused"),
            ("Chinese", "chinese"),
            ("GOVERNMENT", "government"),
            (long, "counter-intelligence-directorates"),
            ("Türkiye", "türkiye"),
            ("", ""),
        ] {
            let lower = lowercase(word);
            assert_eq!(&*lower, lowered, "{word}");
            assert_eq!(lower.as_bytes(), lowered.as_bytes(), "{word}");
            assert!(lower == lowered, "{word}");
        }
        assert!(matches!(lowercase("accused").form, Form::Borrowed(_)));
        assert!(matches!(lowercase("Chinese").form, Form::Inline { .. }));
        assert!(matches!(lowercase(long).form, Form::Owned(_)));
        // Cue lists are found whatever the form.
        for form in ["accused", "Accused", "ACCUSED"] {
            assert!(lowercase(form).is_in(&ACCUSER_VERBS), "{form}");
            assert!(!lowercase(form).is_in(&VICTIM_NOUNS), "{form}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trimming_bytewise_equals_trimming_characters(raw in "[a-zA-Z0-9 .,()\\-’'“”éÉð日\u{a0}:;!?\"]{0,24}") {
            for kept in [Kept::Hyphen, Kept::HyphenAndParenthesis] {
                proptest::prop_assert_eq!(trim_word(&raw, kept), raw.trim_matches(|c: char| !kept.keeps(c)));
            }
        }
    }
}
