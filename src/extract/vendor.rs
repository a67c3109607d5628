//! Vendor naming schemes: the names security vendors give threat actors
//! (`UNC5812`, `Storm-0558`, `Earth Lusca`, `Volt Typhoon`, "the Black Basta
//! gang"), found even when no gazetteer lists them.
//!
//! The schemes are specified by one regular expression (`pattern`, kept for
//! the tests). Run in the small windows around candidate words, it still
//! cost a quarter of extraction on vendor reports, most of it in setting up
//! each search. The matcher here reads the same grammar by hand, only at the
//! capitals where a match can start, and the tests check it finds what a
//! whole-text search with the regex finds.

use std::ops::Range;

/// The families of vendor names written `<Word> <Family>`: Microsoft's
/// weather and CrowdStrike's animals, among others.
pub(super) const FAMILIES: &[&str] = &[
    "Typhoon",
    "Blizzard",
    "Sandstorm",
    "Sleet",
    "Tempest",
    "Cyclone",
    "Panda",
    "Bear",
    "Kitten",
    "Chollima",
    "Spider",
    "Tiger",
    "Leopard",
    "Buffalo",
    "Crane",
    "Ocelot",
    "Jackal",
];

/// The sponsor a vendor's family name implies.
pub(super) const FAMILY_SPONSORS: &[(&str, &str)] = &[
    ("Typhoon", "CN"),
    ("Panda", "CN"),
    ("Blizzard", "RU"),
    ("Bear", "RU"),
    ("Sandstorm", "IR"),
    ("Kitten", "IR"),
    ("Sleet", "KP"),
    ("Chollima", "KP"),
    ("Cyclone", "VN"),
    ("Buffalo", "VN"),
    ("Tiger", "IN"),
    ("Leopard", "PK"),
    ("Crane", "KR"),
    ("Ocelot", "CO"),
];

/// First words that make a vendor-style match ordinary English ("Polar
/// Bear", "Tropical Cyclone"; "Earth Day" is handled by the second word).
pub(super) const FALSE_FRIENDS: &[&str] = &[
    "The",
    "This",
    "That",
    "Super",
    "Tropical",
    "Severe",
    "Great",
    "Major",
    "Deadly",
    "Massive",
    "Powerful",
    "Violent",
    "Winter",
    "Spring",
    "Summer",
    "Autumn",
    "Polar",
    "Brown",
    "Black",
    "Grizzly",
    "Teddy",
    "Giant",
    "Red",
    "Snow",
    "Bengal",
    "Paper",
    "Celtic",
    "Asian",
    "Tamil",
    "Wall",
    "Sea",
    "Gummy",
    "Care",
    "Baby",
    "Mama",
    "Papa",
    "Big",
    "Little",
    "Kung",
    "Fu",
    "Chicago",
    "Tasmanian",
    "Crouching",
    "Hidden",
    "Last",
    "Next",
    "Another",
    "Latest",
];

/// Second words of `Earth <Word>` that are not actor names.
pub(super) const EARTH_FALSE_FRIENDS: &[&str] = &[
    "Day",
    "Hour",
    "Science",
    "Sciences",
    "Observation",
    "Summit",
    "Observatory",
    "Overshoot",
    "Engine",
];

/// The schemes as a regular expression: Proofpoint `TA` numbers, Mandiant
/// `UNC`, Microsoft `Storm-` and `DEV-` and weather families, Qihoo
/// `APT-C-`, Trend Micro `Earth`, CrowdStrike's animal families, and
/// "<Name> gang". [`find_iter`] finds exactly its leftmost-first matches;
/// the tests hold it to that.
#[cfg(test)]
pub(super) fn pattern() -> String {
    format!(
        r"(?-u)\b(?:(?:TA|UNC|UAC|TAG|FIN|APT)[- ]?\d{{1,5}}|(?:Storm|DEV)-\d{{3,4}}|APT-C-\d{{1,3}}|Earth [A-Z][a-z]{{2,}}|[A-Z][a-z]{{2,}} (?:{})|[A-Z][A-Za-z0-9]{{2,}}(?: ransomware)? (?:gang|Gang|crew))\b",
        FAMILIES.join("|")
    )
}

/// Whether `byte` is a word byte for the pattern's ASCII `\b`.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The vendor-scheme names in `text`, in order, as byte ranges. `words` is
/// [`super::phrases::words`] of `text`.
///
/// Every match begins with an ASCII capital after a byte that is not an ASCII
/// word byte. Such a capital begins one of `words`, unless the byte before it
/// is `_` (no match starts there) or ends a non-ASCII character inside a word
/// ("éTA505"), which only a text with non-ASCII bytes has.
pub(super) fn find_iter(text: &str, words: &[(usize, usize)]) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut inside_words = if text.is_ascii() {
        Vec::new()
    } else {
        capitals_after_non_ascii(bytes)
    }
    .into_iter()
    .peekable();
    let mut found = Vec::new();
    let mut searched_to = 0;
    let mut try_at = |at: usize| {
        if at >= searched_to && (at == 0 || !is_word_byte(bytes[at - 1])) {
            if let Some(end) = match_at(bytes, at) {
                found.push(at..end);
                searched_to = end;
            }
        }
    };
    for &(at, _) in words {
        if !bytes[at].is_ascii_uppercase() {
            continue;
        }
        while let Some(earlier) = inside_words.next_if(|&inside| inside < at) {
            try_at(earlier);
        }
        try_at(at);
    }
    inside_words.for_each(&mut try_at);
    found
}

/// Where an ASCII capital follows a non-ASCII byte, in order. Eight bytes are
/// tested at once: most have no non-ASCII byte.
fn capitals_after_non_ascii(bytes: &[u8]) -> Vec<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut found = Vec::new();
    let mut test = |at: usize, byte: u8| {
        if byte >= 0x80 && bytes.get(at + 1).is_some_and(u8::is_ascii_uppercase) {
            found.push(at + 1);
        }
    };
    let mut chunks = bytes.chunks_exact(8);
    for (index, chunk) in chunks.by_ref().enumerate() {
        let eight = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if eight & HIGH != 0 {
            for (offset, &byte) in chunk.iter().enumerate() {
                test(index * 8 + offset, byte);
            }
        }
    }
    let tail = bytes.len() - chunks.remainder().len();
    for (offset, &byte) in chunks.remainder().iter().enumerate() {
        test(tail + offset, byte);
    }
    found
}

/// A fixed word of the pattern, compared eight bytes at a time: a call to
/// `memcmp` per literal per capitalised word was most of the matcher's cost.
#[derive(Clone, Copy)]
struct Literal {
    text: &'static [u8],
    /// The first eight bytes (or fewer), little-endian, and which bits hold them.
    head: u64,
    mask: u64,
}

impl Literal {
    const fn new(text: &'static [u8]) -> Literal {
        let mut head = 0u64;
        let mut index = 0;
        while index < text.len() && index < 8 {
            head |= (text[index] as u64) << (8 * index);
            index += 1;
        }
        let mask = if text.len() >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * text.len())) - 1
        };
        Literal { text, head, mask }
    }

    /// Whether `bytes[at..]` begins with the literal; `eight` is
    /// [`eight_at`]`(bytes, at)`.
    fn begins(&self, eight: u64, bytes: &[u8], at: usize) -> bool {
        eight & self.mask == self.head
            && (self.text.len() <= 8
                || bytes
                    .get(at + 8..)
                    .is_some_and(|rest| rest.starts_with(&self.text[8..])))
    }

    /// Where the literal ends if `bytes[at..]` begins with it and a word ends there.
    fn ends_word_at(&self, eight: u64, bytes: &[u8], at: usize) -> Option<usize> {
        let end = at + self.text.len();
        (self.begins(eight, bytes, at) && ends_word(bytes, end)).then_some(end)
    }
}

/// The eight bytes from `at` as a little-endian number, zero past the end
/// (no literal holds a zero byte).
fn eight_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])),
        None => {
            let mut eight = [0u8; 8];
            for (to, from) in eight.iter_mut().zip(bytes.get(at..).unwrap_or_default()) {
                *to = *from;
            }
            u64::from_le_bytes(eight)
        }
    }
}

/// [`FAMILIES`] as literals, in the same order.
const FAMILY_LITERALS: [Literal; FAMILIES.len()] = {
    let mut literals = [Literal::new(b""); FAMILIES.len()];
    let mut index = 0;
    while index < FAMILIES.len() {
        literals[index] = Literal::new(FAMILIES[index].as_bytes());
        index += 1;
    }
    literals
};

/// Whether a byte begins one of [`FAMILIES`].
const BEGINS_FAMILY: [bool; 256] = {
    let mut table = [false; 256];
    let mut index = 0;
    while index < FAMILIES.len() {
        table[FAMILIES[index].as_bytes()[0] as usize] = true;
        index += 1;
    }
    table
};

/// Prefixes of numbered names, in the pattern's order: `TA505`, `TA 505`,
/// `TA-505`, one to five digits.
const NUMBERED_PREFIXES: [Literal; 6] = [
    Literal::new(b"TA"),
    Literal::new(b"UNC"),
    Literal::new(b"UAC"),
    Literal::new(b"TAG"),
    Literal::new(b"FIN"),
    Literal::new(b"APT"),
];
const STORM_AND_DEV: [Literal; 2] = [Literal::new(b"Storm-"), Literal::new(b"DEV-")];
const QIHOO: Literal = Literal::new(b"APT-C-");
const EARTH: Literal = Literal::new(b"Earth ");
const RANSOMWARE: Literal = Literal::new(b"ransomware ");
const GROUP_WORDS: [Literal; 3] = [
    Literal::new(b"gang"),
    Literal::new(b"Gang"),
    Literal::new(b"crew"),
];

/// The end of the match that begins at `at`, trying the pattern's
/// alternatives in order, as the regex's leftmost-first search does. Each
/// alternative is tried only when its first bytes (or, for the two-word
/// names, the second word's) allow it: most capitalised words are none.
fn match_at(bytes: &[u8], at: usize) -> Option<usize> {
    let (first, second) = (bytes[at], bytes.get(at + 1).copied().unwrap_or(0));
    let fixed_word = match first {
        b'T' | b'U' | b'F' | b'A' | b'D' => second.is_ascii_uppercase(),
        b'S' => second == b't',
        b'E' => second == b'a',
        _ => false,
    };
    if fixed_word {
        if let Some(end) = fixed_word_match_at(bytes, at) {
            return Some(end);
        }
    }
    // `[A-Z][a-z]{2,} <Family>` and `[A-Z][A-Za-z0-9]{2,}( ransomware)?
    // (gang|Gang|crew)`: either way the first word's whole run of letters
    // and digits must reach a space, since a shorter run is followed by a
    // letter or digit.
    let name_run = run_length(bytes, at + 1, u8::is_ascii_alphanumeric);
    let space = at + 1 + name_run;
    if name_run < 2 || bytes.get(space) != Some(&b' ') {
        return None;
    }
    let second = space + 1;
    let &second_first = bytes.get(second)?;
    let eight = eight_at(bytes, second);
    if BEGINS_FAMILY[usize::from(second_first)]
        && run_length(bytes, at + 1, u8::is_ascii_lowercase) == name_run
    {
        if let Some(end) = FAMILY_LITERALS
            .iter()
            .find_map(|family| family.ends_word_at(eight, bytes, second))
        {
            return Some(end);
        }
    }
    let group_word_at = |from: usize| {
        let eight = eight_at(bytes, from);
        GROUP_WORDS
            .iter()
            .find_map(|word| word.ends_word_at(eight, bytes, from))
    };
    match second_first {
        b'r' if RANSOMWARE.begins(eight, bytes, second) => group_word_at(second + 11),
        b'g' | b'G' | b'c' => group_word_at(second),
        _ => None,
    }
}

/// The alternatives that begin with a fixed word: `TA505`, `Storm-0558`,
/// `APT-C-23`, `Earth Lusca`.
fn fixed_word_match_at(bytes: &[u8], at: usize) -> Option<usize> {
    let eight = eight_at(bytes, at);
    // A run of digits matches `\d{lo,hi}\b` only whole: a shorter prefix is
    // followed by a digit, which is a word byte.
    let digits = |from: usize, lo: usize, hi: usize| {
        let count = run_length(bytes, from, u8::is_ascii_digit);
        ((lo..=hi).contains(&count) && ends_word(bytes, from + count)).then_some(from + count)
    };
    for prefix in &NUMBERED_PREFIXES {
        if prefix.begins(eight, bytes, at) {
            let after = at + prefix.text.len();
            let number_at = match bytes.get(after) {
                Some(b'-' | b' ') => after + 1,
                _ => after,
            };
            if let Some(end) = digits(number_at, 1, 5) {
                return Some(end);
            }
        }
    }
    for prefix in &STORM_AND_DEV {
        if prefix.begins(eight, bytes, at) {
            if let Some(end) = digits(at + prefix.text.len(), 3, 4) {
                return Some(end);
            }
        }
    }
    if QIHOO.begins(eight, bytes, at) {
        if let Some(end) = digits(at + 6, 1, 3) {
            return Some(end);
        }
    }
    // `Earth [A-Z][a-z]{2,}`: the whole run of small letters, as for digits.
    if EARTH.begins(eight, bytes, at) && bytes.get(at + 6).is_some_and(u8::is_ascii_uppercase) {
        let run = run_length(bytes, at + 7, u8::is_ascii_lowercase);
        if run >= 2 && ends_word(bytes, at + 7 + run) {
            return Some(at + 7 + run);
        }
    }
    None
}

/// How many bytes from `from` on are `kind`.
fn run_length(bytes: &[u8], from: usize, kind: impl Fn(&u8) -> bool) -> usize {
    bytes
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|b| kind(b)).count())
}

/// Whether the pattern's closing `\b` holds at `end`, after a word byte.
fn ends_word(bytes: &[u8], end: usize) -> bool {
    end == bytes.len() || !is_word_byte(bytes[end])
}

#[cfg(test)]
mod tests {
    use super::super::phrases;
    use super::*;

    /// What a regex search over the whole text finds.
    fn found_everywhere(text: &str) -> Vec<Range<usize>> {
        regex::Regex::new(&pattern())
            .unwrap()
            .find_iter(text)
            .map(|m| m.range())
            .collect()
    }

    #[test]
    fn the_matcher_finds_what_a_whole_text_search_finds() {
        let texts = [
            "UNC5812 and TA 505, TA-577, (Storm-0558), APT-C-23 and Earth Lusca; Volt Typhoon.",
            "TAPT28 _TA505 éTA505 TA123456 Fancy  Bear Fancy Bear_ Tin Typhoons",
            "the Black Basta ransomware gang and the Conti crew; Babuk Gang",
            "Earth\nLusca, Earth lusca, EarthLusca, Volt\tTyphoon, APT",
            "TAG-22 TAG22 FIN7 UAC-0050 DEV-0537 DEV-05370 Storm-12 APT-C-1234 APT-C-",
            "Earth LuscaX Earth Lu Earth Lusca9 Tin TyphoonX Tinx Typhoon Ab Typhoon",
            "X1b gang, Conti ransomware crew, Conti ransomware, Conti  gang, Conti gangs",
            "Earth Panda gang; Earth Foo gang; Volt Typhoon gang; TA",
            "Mint Sandstorm, Mint Sandstory, Mint Sandstorms, Conti ransomwarez gang, Conti ransomware",
            "日本TA505 ЖStorm-0558 é Earth Lusca—Volt Typhoon “Conti gang”",
            "",
        ];
        for text in texts {
            assert_eq!(
                find_iter(text, &phrases::words(text)),
                found_everywhere(text),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_matcher_finds_what_a_whole_text_search_finds_on_any_mix(
            tokens in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Volt", "Typhoon", "TA", "505", "TA505", "Storm-0558", "DEV-0537",
                    "Earth", "Lusca", "gang", "ransomware", "ransomware gang", "Black", "Basta", "(",
                    ")", "the", "é", "_", "APT-C-23", "APT", "28", "Fancy", "Bear", "x",
                    "TAG", "UNC", "Storm", "DEV", "-", "1234", "123456", "crew", "Gang", "Sleet",
                    "APT-C-", "Lu", "Ab1", "日", "Panda", "Cozy", "Sandstorm", "Sandstory", "ransomwarez",
                ]),
                0..40,
            ),
            separators in proptest::collection::vec(
                // Mostly single spaces, which is what lets names span tokens.
                proptest::sample::select(vec![" ", " ", " ", " ", "  ", "\n", "-", ",", "", "\u{a0}", "é"]),
                40,
            ),
        ) {
            let mut text = String::new();
            for (token, separator) in tokens.iter().zip(&separators) {
                text.push_str(token);
                text.push_str(separator);
            }
            proptest::prop_assert_eq!(
                find_iter(&text, &phrases::words(&text)),
                found_everywhere(&text)
            );
        }
    }
}
