//! Vendor naming schemes: the names security vendors give threat actors,
//! found even when no gazetteer lists them. By vendor:
//!
//! - Proofpoint `TA505` (`TA 505`, `TA-505`); Mandiant `UNC5812`, `FIN7`,
//!   `APT28` and `TEMP.Veles`; CERT-UA `UAC-0050`; Recorded Future `TAG-22`
//!   and a colour with a NATO-alphabet word (`RedDelta`, `BlueBravo`);
//!   Microsoft `Storm-0558`, `DEV-0537` and its weather families (`Volt
//!   Typhoon`); Qihoo 360 `APT-C-23`; IBM X-Force `ITG05` and `Hive0117`;
//!   Volexity `UTA0178`; Cisco Talos `UAT4356` and `UAT-5918`;
//! - Trend Micro `Earth Lusca`; CrowdStrike's animals, mixed case or in
//!   capitals as CrowdStrike writes them (`Fancy Bear`, `SCATTERED SPIDER`);
//!   Palo Alto Unit 42's constellations (`Stately Taurus`, `Muddled Libra`);
//!   Secureworks CTU's metals (`BRONZE BUTLER`, `IRON TWILIGHT`);
//!   Symantec's insects (`Budworm`, `Grayfly`, `Carderbee`);
//! - "<Name> gang" ("the Black Basta gang").
//!
//! [`implied_sponsor`] reads the sponsor a name's scheme implies ("Typhoon"
//! China, `BRONZE` China, `BlueBravo` Russia), and [`is_false_friend`] turns
//! down what the grammar finds in ordinary English ("Polar Bear", "IRON
//! DOME", "Butterfly").
//!
//! The schemes are specified by one regular expression (`pattern`, kept for
//! the tests). Run in the small windows around candidate words, it still
//! cost a quarter of extraction on vendor reports, most of it in setting up
//! each search. The matcher here reads the same grammar by hand, only at the
//! capitals where a match can start, and the tests check it finds what a
//! whole-text search with the regex finds.

use std::ops::Range;

/// The families of vendor names written `<Word> <Family>`: Microsoft's
/// weather, CrowdStrike's animals and Palo Alto Unit 42's constellations.
/// (CrowdStrike's Georgian `LYNX` is matched only in capitals: mixed-case
/// "Lynx" names are others' — Symantec's "Hidden Lynx" is Chinese — or
/// wild cats.)
const FAMILIES: &[&str] = &[
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
    "Ursa",
    "Taurus",
    "Serpens",
    "Pisces",
    "Libra",
    "Scorpius",
];

/// CrowdStrike's families as CrowdStrike writes them, `<WORD> <FAMILY>`
/// ("FANCY BEAR", "VELVET CHOLLIMA").
const CROWDSTRIKE_FAMILIES: &[&str] = &[
    "BEAR", "PANDA", "KITTEN", "CHOLLIMA", "SPIDER", "TIGER", "LEOPARD", "BUFFALO", "CRANE",
    "OCELOT", "JACKAL", "LYNX",
];

/// The sponsor a family implies, in either case. Tempest, Spider, Jackal,
/// Libra and Scorpius name criminals or hacktivists: no state.
const FAMILY_SPONSORS: &[(&str, &str)] = &[
    ("Typhoon", "CN"),
    ("Panda", "CN"),
    ("Taurus", "CN"),
    ("Blizzard", "RU"),
    ("Bear", "RU"),
    ("Ursa", "RU"),
    ("Sandstorm", "IR"),
    ("Kitten", "IR"),
    ("Serpens", "IR"),
    ("Sleet", "KP"),
    ("Chollima", "KP"),
    ("Pisces", "KP"),
    ("Cyclone", "VN"),
    ("Buffalo", "VN"),
    ("Tiger", "IN"),
    ("Leopard", "PK"),
    ("Crane", "KR"),
    ("Ocelot", "CO"),
    ("Lynx", "GE"),
];

/// Secureworks CTU's first words, `<METAL> <WORD>` ("BRONZE BUTLER"), and
/// the sponsor each implies: `GOLD` names criminals.
const SECUREWORKS: &[(&str, Option<&str>)] = &[
    ("BRONZE", Some("CN")),
    ("IRON", Some("RU")),
    ("COBALT", Some("IR")),
    ("NICKEL", Some("KP")),
    ("GOLD", None),
    ("TUNGSTEN", Some("KR")),
    ("COPPER", Some("PK")),
];

/// Second words that make a Secureworks-style match ordinary capitals
/// ("IRON DOME", "GOLD SPONSORS", "COBALT STRIKE"). None is the second word
/// of a CTU name the gazetteer lists (a test checks).
const SECUREWORKS_FALSE_FRIENDS: &[&str] = &[
    "AGE", "ALL", "ALLOY", "AND", "ARE", "BANK", "BAR", "BARS", "BLUE", "BUT", "CABLE", "CARBIDE",
    "CARD", "CHAIN", "COAST", "COIN", "COINS", "CROSS", "CURTAIN", "DOME", "EDITION", "FIST",
    "FOR", "FROM", "GRIP", "HAS", "HORSE", "INTO", "LADY", "LEVEL", "MAIDEN", "MAN", "MEDAL",
    "MEDALIST", "MEDALS", "MEMBER", "MEMBERS", "MINE", "MINES", "MINING", "NOT", "ORE", "OXIDE",
    "PARTNER", "PARTNERS", "PLAN", "PLATE", "PLATED", "PRICE", "PRICES", "RESERVE", "RESERVES",
    "RUSH", "SPONSOR", "SPONSORS", "STANDARD", "STAR", "STATUE", "STRIKE", "SUPPORT", "THAT",
    "THE", "THIS", "TIER", "WAS", "WILL", "WIRE", "WIRES", "WITH",
];

/// Recorded Future's colours, joined to a NATO-alphabet word ("RedDelta"),
/// and the sponsor each implies: gray names criminals.
const COLOURS: &[(&str, Option<&str>)] = &[
    ("Red", Some("CN")),
    ("Blue", Some("RU")),
    ("Green", Some("IR")),
    ("Purple", Some("KP")),
    ("Gray", None),
    ("Grey", None),
];

/// The NATO alphabet as Recorded Future's names end ("RedJuliett").
const NATO_ALPHABET: &[&str] = &[
    "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
    "Juliet", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra",
    "Tango", "Uniform", "Victor", "Whiskey", "Xray", "Yankee", "Zulu",
];

/// How Symantec's insect names end ("Grayfly", "Billbug", "Budworm",
/// "Carderbee").
const INSECT_ENDINGS: &[&str] = &["fly", "bug", "worm", "bee"];

/// English words, names and products shaped like Symantec's insects: every
/// such word of `data/wordlist.txt` (a test checks) and of the dictionary
/// the gazetteer calls ordinary words with (`american-english`), and some
/// more. Listed here rather than looked up in the word list, which would
/// have to be loaded; lower case, sorted.
const ENGLISH_INSECTS: &[&str] = &[
    "angleworm",
    "armyworm",
    "bagworm",
    "barfly",
    "bedbug",
    "bloodworm",
    "blowfly",
    "bookworm",
    "botfly",
    "briefly",
    "bumblebee",
    "butterfly",
    "caddisfly",
    "chiefly",
    "cutworm",
    "damselfly",
    "debug",
    "deerfly",
    "doodlebug",
    "dragonfly",
    "earthworm",
    "firebug",
    "firefly",
    "flatworm",
    "freebee",
    "frisbee",
    "fruitfly",
    "gadfly",
    "glowworm",
    "goldbug",
    "greenfly",
    "gruffly",
    "honeybee",
    "hookworm",
    "hornworm",
    "horsefly",
    "housefly",
    "hoverfly",
    "humbug",
    "inchworm",
    "jitterbug",
    "junebug",
    "ladybug",
    "litterbug",
    "lovebug",
    "lugworm",
    "mayfly",
    "mealworm",
    "mealybug",
    "okeechobee",
    "pinworm",
    "ringworm",
    "roundworm",
    "sandfly",
    "sawfly",
    "shutterbug",
    "silkworm",
    "stiffly",
    "stinkbug",
    "stonefly",
    "superfly",
    "tapeworm",
    "threadworm",
    "toynbee",
    "wannabee",
    "whipworm",
    "wireworm",
    "woodworm",
    "zigbee",
];

/// First words that make a vendor-style match ordinary English ("Polar
/// Bear", "Tropical Cyclone", "Ford Taurus"; "Earth Day" is handled by the second
/// word), in capitals too ("POLAR BEAR").
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
    "Ford",
    "Facebook",
    "Zodiac",
];

/// Second words of `Earth <Word>` that are not actor names.
const EARTH_FALSE_FRIENDS: &[&str] = &[
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

/// The schemes as a regular expression, in the order its alternatives are
/// tried:
///
/// - Proofpoint `TA`, Mandiant `UNC`, CERT-UA `UAC`, Recorded Future `TAG`,
///   Mandiant `FIN` and `APT` numbers (`TA505`, `TA 505`, `TA-505`);
/// - Microsoft `Storm-` and `DEV-` numbers; Qihoo 360 `APT-C-`;
/// - IBM X-Force `ITG05` and `Hive0117`, Volexity `UTA0178`, Cisco Talos
///   `UAT4356` and `UAT-5918` (Talos is past 10,000: `UAT-10362`), Mandiant
///   `TEMP.Veles`;
/// - Trend Micro `Earth Lusca`;
/// - Recorded Future's colour and NATO word (`RedDelta`);
/// - CrowdStrike's families in capitals (`FANCY BEAR`), then Secureworks
///   CTU's metals (`BRONZE BUTLER`; "COBALT SPIDER" is CrowdStrike's);
/// - `<Word> <Family>`: Microsoft's weather, CrowdStrike's animals, Palo
///   Alto Unit 42's constellations ([`FAMILIES`]);
/// - "<Name> gang", "<Name> ransomware gang", "<Name> crew";
/// - Symantec's insects (`Budworm`), last: "Budworm gang" is a gang.
///
/// [`find_iter`] finds exactly its leftmost-first matches; the tests hold it
/// to that. What the grammar finds in plain English is turned down after,
/// by [`is_false_friend`].
#[cfg(test)]
pub(super) fn pattern() -> String {
    let words = |pairs: &[(&str, Option<&str>)]| {
        pairs
            .iter()
            .map(|(word, _)| *word)
            .collect::<Vec<_>>()
            .join("|")
    };
    format!(
        concat!(
            r"(?-u)\b(?:(?:TA|UNC|UAC|TAG|FIN|APT)[- ]?\d{{1,5}}|(?:Storm|DEV)-\d{{3,4}}|APT-C-\d{{1,3}}",
            r"|ITG\d{{1,3}}|Hive\d{{4}}|UTA\d{{4}}|UAT-?\d{{3,5}}|TEMP\.[A-Z][a-z]{{2,}}",
            r"|Earth [A-Z][a-z]{{2,}}|(?:{colours})(?:{nato})|[A-Z]{{3,}} (?:{crowdstrike})",
            r"|(?:{secureworks}) [A-Z]{{3,}}|[A-Z][a-z]{{2,}} (?:{families})",
            r"|[A-Z][A-Za-z0-9]{{2,}}(?: ransomware)? (?:gang|Gang|crew)",
            r"|[A-Z][a-z]{{2,}}(?:{insects}))\b",
        ),
        colours = words(COLOURS),
        nato = NATO_ALPHABET.join("|"),
        crowdstrike = CROWDSTRIKE_FAMILIES.join("|"),
        secureworks = words(SECUREWORKS),
        families = FAMILIES.join("|"),
        insects = INSECT_ENDINGS.join("|"),
    )
}

/// The sponsor a matched name's scheme implies: a family's ("Volt Typhoon",
/// "FANCY BEAR", "Stately Taurus"), a Secureworks metal's ("BRONZE
/// BUTLER"), a Recorded Future colour's ("BlueBravo"). None for numbered
/// names, Trend Micro's, Symantec's and gangs, whose names do not say, nor
/// for criminals' families (Spider, Libra, `GOLD`, Gray).
pub(super) fn implied_sponsor(surface: &str) -> Option<&'static str> {
    let Some((first, last)) = surface.rsplit_once(' ') else {
        return COLOURS
            .iter()
            .find(|(colour, _)| {
                surface
                    .strip_prefix(colour)
                    .is_some_and(|rest| NATO_ALPHABET.contains(&rest))
            })
            .and_then(|&(_, sponsor)| sponsor);
    };
    let family = if is_capitals(last) {
        CROWDSTRIKE_FAMILIES.contains(&last)
    } else {
        FAMILIES.contains(&last)
    };
    if family {
        return FAMILY_SPONSORS
            .iter()
            .find(|(family, _)| family.eq_ignore_ascii_case(last))
            .map(|&(_, sponsor)| sponsor);
    }
    SECUREWORKS
        .iter()
        .find(|(metal, _)| *metal == first)
        .and_then(|&(_, sponsor)| sponsor)
}

/// Whether a match is ordinary English rather than a name: a first word
/// of [`FALSE_FRIENDS`] ("Polar Bear", in capitals too), "Earth Day",
/// capitals such as "IRON DOME", or an English word shaped like Symantec's
/// insects ("Butterfly", "Ladybug").
pub(super) fn is_false_friend(surface: &str) -> bool {
    let mut words = surface.split(' ');
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let capitals = is_capitals(first);
    FALSE_FRIENDS
        .iter()
        .any(|word| *word == first || (capitals && word.eq_ignore_ascii_case(first)))
        || (first == "Earth" && EARTH_FALSE_FRIENDS.contains(&second))
        || (SECUREWORKS.iter().any(|(metal, _)| *metal == first)
            && SECUREWORKS_FALSE_FRIENDS.contains(&second))
        || (second.is_empty()
            && ENGLISH_INSECTS
                .iter()
                .any(|word| word.eq_ignore_ascii_case(surface)))
}

/// Whether `word` is all ASCII capitals.
fn is_capitals(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase())
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

/// `words` as literals, in the same order.
const fn literals<const N: usize>(words: &[&'static str]) -> [Literal; N] {
    let mut literals = [Literal::new(b""); N];
    let mut index = 0;
    while index < N {
        literals[index] = Literal::new(words[index].as_bytes());
        index += 1;
    }
    literals
}

/// The words of `pairs` as literals, in the same order.
const fn first_literals<const N: usize>(pairs: &[(&'static str, Option<&str>)]) -> [Literal; N] {
    let mut literals = [Literal::new(b""); N];
    let mut index = 0;
    while index < N {
        literals[index] = Literal::new(pairs[index].0.as_bytes());
        index += 1;
    }
    literals
}

/// Which bytes begin one of `literals`.
const fn first_bytes(literals: &[Literal]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut index = 0;
    while index < literals.len() {
        table[literals[index].text[0] as usize] = true;
        index += 1;
    }
    table
}

const FAMILY_LITERALS: [Literal; FAMILIES.len()] = literals(FAMILIES);
const BEGINS_FAMILY: [bool; 256] = first_bytes(&FAMILY_LITERALS);
const CROWDSTRIKE_LITERALS: [Literal; CROWDSTRIKE_FAMILIES.len()] = literals(CROWDSTRIKE_FAMILIES);
const BEGINS_CROWDSTRIKE: [bool; 256] = first_bytes(&CROWDSTRIKE_LITERALS);
const SECUREWORKS_LITERALS: [Literal; SECUREWORKS.len()] = first_literals(SECUREWORKS);
const BEGINS_SECUREWORKS: [bool; 256] = first_bytes(&SECUREWORKS_LITERALS);
const COLOUR_LITERALS: [Literal; COLOURS.len()] = first_literals(COLOURS);
const NATO_LITERALS: [Literal; NATO_ALPHABET.len()] = literals(NATO_ALPHABET);

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

/// A prefix and a number of so many digits, hyphenated or not where
/// `hyphen` says so.
struct Tracked {
    prefix: Literal,
    hyphen: bool,
    digits: (usize, usize),
}

/// IBM X-Force `ITG05` and `Hive0117`, Volexity `UTA0178`, Talos `UAT4356`
/// and `UAT-5918`, in the pattern's order.
const TRACKED: [Tracked; 4] = [
    Tracked {
        prefix: Literal::new(b"ITG"),
        hyphen: false,
        digits: (1, 3),
    },
    Tracked {
        prefix: Literal::new(b"Hive"),
        hyphen: false,
        digits: (4, 4),
    },
    Tracked {
        prefix: Literal::new(b"UTA"),
        hyphen: false,
        digits: (4, 4),
    },
    Tracked {
        prefix: Literal::new(b"UAT"),
        hyphen: true,
        digits: (3, 5),
    },
];
const MANDIANT_TEMP: Literal = Literal::new(b"TEMP.");
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
        b'T' | b'U' | b'F' | b'A' | b'D' | b'I' => second.is_ascii_uppercase(),
        b'S' => second == b't',
        b'E' => second == b'a',
        b'H' => second == b'i',
        _ => false,
    };
    if fixed_word {
        if let Some(end) = fixed_word_match_at(bytes, at) {
            return Some(end);
        }
    }
    // Recorded Future's Red, Blue, Green, Gray, Grey and Purple: no fixed
    // word begins so, and these come next in the pattern.
    let colour = matches!(
        (first, second),
        (b'R', b'e') | (b'B', b'l') | (b'G', b'r') | (b'P', b'u')
    );
    if colour {
        if let Some(end) = colour_match_at(bytes, at) {
            return Some(end);
        }
    }
    if second.is_ascii_uppercase() {
        if let Some(end) = capitals_match_at(bytes, at) {
            return Some(end);
        }
    }
    // `[A-Z][a-z]{2,} <Family>`, `[A-Z][A-Za-z0-9]{2,}( ransomware)?
    // (gang|Gang|crew)` and `[A-Z][a-z]{2,}(fly|bug|worm|bee)`: each takes
    // the first word's whole run of letters and digits, since a shorter run
    // is followed by a letter or digit, which is neither a space nor a word's
    // end.
    let name_run = run_length(bytes, at + 1, u8::is_ascii_alphanumeric);
    two_word_match_at(bytes, at, name_run).or_else(|| insect_match_at(bytes, at, name_run))
}

/// The alternatives that begin with a fixed word: `TA505`, `Storm-0558`,
/// `APT-C-23`, `ITG05`, `UAT-5918`, `TEMP.Veles`, `Earth Lusca`.
fn fixed_word_match_at(bytes: &[u8], at: usize) -> Option<usize> {
    let eight = eight_at(bytes, at);
    // A run of digits matches `\d{lo,hi}\b` only whole: a shorter prefix is
    // followed by a digit, which is a word byte.
    let digits = |from: usize, lo: usize, hi: usize| {
        let count = run_length(bytes, from, u8::is_ascii_digit);
        ((lo..=hi).contains(&count) && ends_word(bytes, from + count)).then_some(from + count)
    };
    // `[A-Z][a-z]{2,}\b` at `from`: the whole run of small letters, as for digits.
    let capitalised = |from: usize| {
        if !bytes.get(from).is_some_and(u8::is_ascii_uppercase) {
            return None;
        }
        let run = run_length(bytes, from + 1, u8::is_ascii_lowercase);
        (run >= 2 && ends_word(bytes, from + 1 + run)).then_some(from + 1 + run)
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
    for tracked in &TRACKED {
        if tracked.prefix.begins(eight, bytes, at) {
            let after = at + tracked.prefix.text.len();
            // `-?` tries the hyphen first; without it a digit must follow.
            let number_at = if tracked.hyphen && bytes.get(after) == Some(&b'-') {
                after + 1
            } else {
                after
            };
            if let Some(end) = digits(number_at, tracked.digits.0, tracked.digits.1) {
                return Some(end);
            }
        }
    }
    if MANDIANT_TEMP.begins(eight, bytes, at) {
        if let Some(end) = capitalised(at + 5) {
            return Some(end);
        }
    }
    if EARTH.begins(eight, bytes, at) {
        if let Some(end) = capitalised(at + 6) {
            return Some(end);
        }
    }
    None
}

/// Recorded Future's colour and NATO word, `RedDelta`. No colour begins
/// another, and a word ends after at most one NATO word.
fn colour_match_at(bytes: &[u8], at: usize) -> Option<usize> {
    let eight = eight_at(bytes, at);
    let colour = COLOUR_LITERALS
        .iter()
        .find(|colour| colour.begins(eight, bytes, at))?;
    let nato_at = at + colour.text.len();
    // "Redirect", "Greenland": most words go on in small letters.
    if !bytes.get(nato_at).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let eight = eight_at(bytes, nato_at);
    NATO_LITERALS
        .iter()
        .find_map(|word| word.ends_word_at(eight, bytes, nato_at))
}

/// The alternatives of two words in capitals: CrowdStrike's `FANCY BEAR`,
/// then Secureworks' `BRONZE BUTLER`. Either way the first word's whole run
/// of capitals must reach a space.
fn capitals_match_at(bytes: &[u8], at: usize) -> Option<usize> {
    let run = run_length(bytes, at, u8::is_ascii_uppercase);
    let space = at + run;
    if run < 3 || bytes.get(space) != Some(&b' ') {
        return None;
    }
    let second = space + 1;
    let &second_first = bytes.get(second)?;
    if BEGINS_CROWDSTRIKE[usize::from(second_first)] {
        let eight = eight_at(bytes, second);
        if let Some(end) = CROWDSTRIKE_LITERALS
            .iter()
            .find_map(|family| family.ends_word_at(eight, bytes, second))
        {
            return Some(end);
        }
    }
    if BEGINS_SECUREWORKS[usize::from(bytes[at])] && second_first.is_ascii_uppercase() {
        // The metal is the whole first word: the space follows it.
        let eight = eight_at(bytes, at);
        if SECUREWORKS_LITERALS
            .iter()
            .any(|metal| metal.text.len() == run && metal.begins(eight, bytes, at))
        {
            let word = run_length(bytes, second, u8::is_ascii_uppercase);
            if word >= 3 && ends_word(bytes, second + word) {
                return Some(second + word);
            }
        }
    }
    None
}

/// `[A-Z][a-z]{2,} <Family>` and `[A-Z][A-Za-z0-9]{2,}( ransomware)?
/// (gang|Gang|crew)`, where the first word's run of letters and digits after
/// its capital is `name_run` long.
fn two_word_match_at(bytes: &[u8], at: usize, name_run: usize) -> Option<usize> {
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

/// Symantec's `[A-Z][a-z]{2,}(fly|bug|worm|bee)\b`, where the word's run of
/// letters and digits after its capital is `name_run` long: the last byte is
/// tested first, since most words end otherwise.
fn insect_match_at(bytes: &[u8], at: usize, name_run: usize) -> Option<usize> {
    let end = at + 1 + name_run;
    if name_run < 5 || !matches!(bytes[end - 1], b'y' | b'g' | b'm' | b'e') {
        return None;
    }
    let lower_case = run_length(bytes, at + 1, u8::is_ascii_lowercase) == name_run;
    let ending =
        |ending: &&str| name_run >= ending.len() + 2 && bytes[..end].ends_with(ending.as_bytes());
    (lower_case && ends_word(bytes, end) && INSECT_ENDINGS.iter().any(ending)).then_some(end)
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
    use std::sync::LazyLock;

    use proptest::strategy::Strategy;

    use super::super::phrases;
    use super::*;

    /// What a regex search over the whole text finds.
    fn found_everywhere(text: &str) -> Vec<Range<usize>> {
        static PATTERN: LazyLock<regex::Regex> =
            LazyLock::new(|| regex::Regex::new(&pattern()).unwrap());
        PATTERN.find_iter(text).map(|m| m.range()).collect()
    }

    /// What the matcher finds, as text.
    fn found(text: &str) -> Vec<&str> {
        find_iter(text, &phrases::words(text))
            .into_iter()
            .map(|m| &text[m])
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
            // Unit 42, and mixed-case Lynx, which is not matched.
            "Fighting Ursa, Stately Taurus; Boggy Serpens. Slow Pisces Muddled Libra Howling Scorpius",
            "Iberian Lynx, Fighting Ursas, Fighting ursa, FightingUrsa, Ab Ursa, Slow Pisces gang",
            // CrowdStrike in capitals.
            "FANCY BEAR and SCATTERED SPIDER, VELVET CHOLLIMA; AB BEAR ABCD LYNX FANCY  BEAR",
            "FANCY BEARS FANCY_BEAR FANCY BEAR_ Fancy BEAR FANCY Bear FANCYx BEAR FAN9 BEAR ÉFANCY BEAR",
            "COBALT SPIDER IRON TIGER GOLD PANDA TA505 BEAR TAG BEAR UNC BEAR FANCY BEAR gang",
            // Secureworks.
            "BRONZE BUTLER, IRON TWILIGHT; COBALT MIRAGE NICKEL ACADEMY GOLD SOUTHFIELD TUNGSTEN BRIDGE",
            "IRON DOME GOLD AB IRONX TWILIGHT IRON TWILIGHT9 GOLD Southfield COPPER FIELDSTONE_ IRON BEARD",
            "XIRON TWILIGHT IRON  TWILIGHT IRON\nTWILIGHT GOLD GOLD GOLD IRON TWILIGHTé COPPER FIELDSTONE",
            // Recorded Future.
            "RedDelta BlueBravo GreenCharlie PurpleBravo RedJuliet RedJuliett RedJulietta Redalpha",
            "red alpha GrayXray GreyZulu RedDelta gang Red Delta REDDELTA RedDelta9 RedDelta_ BlueAlphaé",
            "GreenGolf PurplePapa Greyish GreenX Bluebravo Red",
            // IBM X-Force, Volexity, Talos, Mandiant TEMP.
            "ITG05 ITG1234 ITG Hive0117 Hive 0117 Hive011 Hive01170 UTA0178 UTA01789 UTA-0178",
            "UAT4356 UAT-5918 UAT-10362 UAT-123456 UAT-12 UAT--123 UAT 1234 UAT12345 UAT-1234_",
            "TEMP.Veles TEMP.veles TEMP.Ve TEMP.MixMaster TEMP. TEMPVeles TEMP.Veles9 TEMP.Periscope",
            "Hive ransomware, Hive0117 gang, UAT4356 crew, ITG05 SPIDER, TEMP.Veles Typhoon",
            // Symantec.
            "Budworm, Grayfly Butterfly Billbug; Carderbee Bee Xbee Gadfly Budworms Budworm_ BudWorm",
            "Redfly gang Shuckworm Panda Redfly9 Abfly Abcfly Budwormé ladybug Blackfly. Lobee Worm Abworm Abcworm",
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
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn the_matcher_finds_what_a_whole_text_search_finds_on_any_mix(
            tokens in proptest::collection::vec(
                // A token is one to three pieces run together ("UAT" "-5918",
                // "Lo" "bee", "Red" "Juliet" "t"), half of them for the older
                // schemes and half for the newer, so that every scheme's
                // shapes, and shapes just beside them, come up often.
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::sample::select(vec![
                            "Volt", "Typhoon", "TA", "505", "TA505", "Storm-0558", "DEV-0537",
                            "Earth", "Lusca", "gang", "ransomware", "ransomware gang", "Black",
                            "Basta", "(", ")", "the", "é", "_", "APT-C-23", "APT", "28", "Fancy",
                            "Bear", "x", "TAG", "UNC", "Storm", "DEV", "-", "1234", "123456",
                            "crew", "Gang", "Sleet", "APT-C-", "Lu", "Ab1", "日", "Panda", "Cozy",
                            "Sandstorm", "Sandstory", "ransomwarez",
                        ]),
                        proptest::sample::select(vec![
                            // Unit 42.
                            "Stately", "Taurus", "Ursa", "Libra", "Scorpius", "Lynx",
                            // CrowdStrike and Secureworks in capitals.
                            "FANCY", "BEAR", "BEARD", "SPIDER", "LYNX", "AB", "ABC", "BRONZE",
                            "BUTLER", "IRON", "DOME", "GOLD", "COBALT", "TUNGSTEN", "9",
                            // Recorded Future.
                            "Red", "Delta", "Blue", "Grey", "Gray", "Juliet", "t", "a", "Alpha",
                            "alpha", "Xray",
                            // X-Force, Volexity, Talos, Mandiant.
                            "ITG", "05", "Hive", "0117", "UTA", "UAT", "-5918", "12345", "TEMP",
                            ".", ".Veles", "Veles", "Mix",
                            // Symantec.
                            "Bud", "worm", "fly", "bee", "Carder", "Butterfly", "X", "A", "Ab",
                            "Lo",
                        ]),
                    ],
                    1..=3,
                )
                .prop_map(|pieces| pieces.concat()),
                0..40,
            ),
            separators in proptest::collection::vec(
                // Mostly single spaces, which is what lets names span tokens;
                // nothing, to join tokens into one word.
                proptest::sample::select(vec![
                    " ", " ", " ", " ", "  ", "\n", "-", ",", "", "", "\u{a0}", "é", ".",
                ]),
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

    #[test]
    fn each_scheme_is_found_with_the_sponsor_it_implies() {
        let cases = [
            // Microsoft, CrowdStrike mixed case.
            (
                "Microsoft calls it Volt Typhoon.",
                "Volt Typhoon",
                Some("CN"),
            ),
            ("Reports on Fancy Bear continue.", "Fancy Bear", Some("RU")),
            ("The Wizard Spider crew", "Wizard Spider", None),
            // Palo Alto Unit 42.
            ("Unit 42 tracks Fighting Ursa.", "Fighting Ursa", Some("RU")),
            (
                "Unit 42 tracks Stately Taurus.",
                "Stately Taurus",
                Some("CN"),
            ),
            ("Unit 42 tracks Boggy Serpens.", "Boggy Serpens", Some("IR")),
            ("Unit 42 tracks Slow Pisces.", "Slow Pisces", Some("KP")),
            ("Unit 42 tracks Muddled Libra.", "Muddled Libra", None),
            ("Unit 42 tracks Howling Scorpius.", "Howling Scorpius", None),
            // CrowdStrike in capitals.
            ("CrowdStrike tracks FANCY BEAR.", "FANCY BEAR", Some("RU")),
            (
                "CrowdStrike tracks SCATTERED SPIDER.",
                "SCATTERED SPIDER",
                None,
            ),
            (
                "CrowdStrike tracks VELVET CHOLLIMA.",
                "VELVET CHOLLIMA",
                Some("KP"),
            ),
            (
                "CrowdStrike tracks WICKED PANDA.",
                "WICKED PANDA",
                Some("CN"),
            ),
            (
                "CrowdStrike tracks STATIC KITTEN.",
                "STATIC KITTEN",
                Some("IR"),
            ),
            (
                "CrowdStrike tracks OUTRIDER TIGER.",
                "OUTRIDER TIGER",
                Some("IN"),
            ),
            (
                "CrowdStrike tracks MYTHIC LEOPARD.",
                "MYTHIC LEOPARD",
                Some("PK"),
            ),
            (
                "CrowdStrike tracks OCEAN BUFFALO.",
                "OCEAN BUFFALO",
                Some("VN"),
            ),
            (
                "CrowdStrike tracks SHADOW CRANE.",
                "SHADOW CRANE",
                Some("KR"),
            ),
            (
                "CrowdStrike tracks QUILT OCELOT.",
                "QUILT OCELOT",
                Some("CO"),
            ),
            (
                "CrowdStrike tracks HAYWIRE LYNX.",
                "HAYWIRE LYNX",
                Some("GE"),
            ),
            ("CrowdStrike tracks VIXEN JACKAL.", "VIXEN JACKAL", None),
            ("CrowdStrike tracks COBALT SPIDER.", "COBALT SPIDER", None),
            // Secureworks.
            ("CTU tracks BRONZE BUTLER.", "BRONZE BUTLER", Some("CN")),
            ("CTU tracks IRON TWILIGHT.", "IRON TWILIGHT", Some("RU")),
            ("CTU tracks COBALT MIRAGE.", "COBALT MIRAGE", Some("IR")),
            ("CTU tracks NICKEL ACADEMY.", "NICKEL ACADEMY", Some("KP")),
            ("CTU tracks GOLD SOUTHFIELD.", "GOLD SOUTHFIELD", None),
            ("CTU tracks TUNGSTEN BRIDGE.", "TUNGSTEN BRIDGE", Some("KR")),
            (
                "CTU tracks COPPER FIELDSTONE.",
                "COPPER FIELDSTONE",
                Some("PK"),
            ),
            // Recorded Future.
            ("Insikt Group tracks RedDelta.", "RedDelta", Some("CN")),
            ("Insikt Group tracks BlueBravo.", "BlueBravo", Some("RU")),
            (
                "Insikt Group tracks GreenCharlie.",
                "GreenCharlie",
                Some("IR"),
            ),
            (
                "Insikt Group tracks PurpleBravo.",
                "PurpleBravo",
                Some("KP"),
            ),
            ("Insikt Group tracks GrayBravo.", "GrayBravo", None),
            ("Insikt Group tracks RedJuliett.", "RedJuliett", Some("CN")),
            ("the RedDelta gang", "RedDelta", Some("CN")),
            // IBM X-Force, Volexity, Talos, Mandiant.
            ("X-Force tracks ITG05.", "ITG05", None),
            ("X-Force tracks Hive0117.", "Hive0117", None),
            ("Volexity tracks UTA0178.", "UTA0178", None),
            ("Talos tracks UAT4356.", "UAT4356", None),
            ("Talos tracks UAT-5918.", "UAT-5918", None),
            ("Talos tracks UAT-10362.", "UAT-10362", None),
            ("Mandiant tracks TEMP.Veles.", "TEMP.Veles", None),
            ("Mandiant tracks TEMP.Periscope.", "TEMP.Periscope", None),
            // Symantec.
            ("Symantec tracks Grayfly.", "Grayfly", None),
            ("Symantec tracks Budworm.", "Budworm", None),
            ("Symantec tracks Billbug.", "Billbug", None),
            ("Symantec tracks Carderbee.", "Carderbee", None),
            ("Symantec tracks Shuckworm.", "Shuckworm", None),
            ("Symantec tracks Redfly.", "Redfly", None),
            ("Symantec tracks Blackfly.", "Blackfly", None),
            // The older schemes.
            ("Mandiant tracks UNC5812.", "UNC5812", None),
            ("Trend Micro tracks Earth Lusca.", "Earth Lusca", None),
            ("the Conti gang", "Conti gang", None),
        ];
        for (text, name, sponsor) in cases {
            assert_eq!(found(text), vec![name], "{text}");
            assert!(!is_false_friend(name), "{name}");
            assert_eq!(implied_sponsor(name), sponsor, "{name}");
        }
    }

    #[test]
    fn ordinary_words_shaped_like_names_are_not_names() {
        // Found by the grammar, then turned down.
        for text in [
            "IRON DOME",
            "IRON MAN",
            "IRON CURTAIN",
            "GOLD MEDAL",
            "GOLD STANDARD",
            "GOLD RUSH",
            "GOLD SPONSORS",
            "COBALT BLUE",
            "COBALT STRIKE",
            "BRONZE AGE",
            "POLAR BEAR",
            "THE SPIDER",
            "Polar Bear",
            "Ford Taurus",
            "Earth Day",
            "Butterfly",
            "Bumblebee",
            "Ladybug",
            "Firefly",
            "Zigbee",
            "Briefly",
        ] {
            assert_eq!(found(text), vec![text], "{text}");
            assert!(is_false_friend(text), "{text}");
        }
        // Not found at all.
        for text in [
            "a red alpha male",
            "the Red Alpha team",
            "REDALPHA",
            "Hive ransomware",
            "the Hive",
            "Hive 0117",
            "a ladybug and a bookworm",
            "Iberian Lynx",
            "Bee",
            "Debug",
            "Abfly",
            "BudWorm",
            "IRON AND STEEL IS",
            "GOLD OF",
            "TEMP.txt",
            "TEMP.TXT",
            "Temp.Veles",
            "UAT-12",
            "UTA-0178",
        ] {
            let found = found(text);
            assert!(
                found.iter().all(|name| is_false_friend(name)),
                "{text}: {found:?}"
            );
        }
        assert_eq!(found("IRON AND STEEL IS"), vec!["IRON AND"]);
        assert!(found("a red alpha male").is_empty());
        assert!(found("Hive ransomware").is_empty());
    }

    #[test]
    fn unlisted_names_of_every_scheme_become_actors_with_their_sponsors() {
        let e = super::super::tests::extractor().extract(
            "Analysts linked Zinnia Ursa, QUILLED PANDA, BRONZE QUILLFEATHER, RedXray, \
             UAT9999, UAT-9999 and Quillworm. The IRON DOME, COBALT STRIKE beacons, GOLD \
             SPONSORS, a Polar Bear, Hive ransomware and Hive0999 came up too.",
        );
        let actors: Vec<(&str, Option<&str>)> = e
            .actors
            .iter()
            .map(|a| (a.name.as_str(), a.sponsor.as_deref()))
            .collect();
        assert_eq!(
            actors,
            vec![
                ("BRONZE QUILLFEATHER", Some("CN")),
                ("Hive0999", None),
                ("QUILLED PANDA", Some("CN")),
                ("Quillworm", None),
                ("RedXray", Some("CN")),
                ("UAT-9999", None),
                ("Zinnia Ursa", Some("RU")),
            ]
        );
        // Both spellings of the Talos name are one actor.
        let talos = e.actors.iter().find(|a| a.name == "UAT-9999").unwrap();
        assert_eq!(talos.mentions.len(), 2);
        // A listed actor's name in capitals is the listed actor.
        let e = super::super::tests::extractor().extract("CTU tracks IRON TWILIGHT.");
        assert_eq!(e.actor_names(), vec!["APT28"]);
    }

    #[test]
    fn the_english_insects_cover_the_word_list() {
        let words = include_str!("../../data/wordlist.txt")
            .lines()
            .filter(|line| !line.starts_with('#'));
        let mut checked = 0;
        for word in words {
            let mut capitalised = word.trim().to_string();
            if let Some(first) = capitalised.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            checked += 1;
            if found(&capitalised) == vec![capitalised.as_str()]
                && !capitalised.contains(' ')
                && INSECT_ENDINGS.iter().any(|e| capitalised.ends_with(e))
            {
                assert!(is_false_friend(&capitalised), "{capitalised}");
            }
        }
        assert!(checked > 20_000, "{checked} words");
        let mut sorted = ENGLISH_INSECTS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, ENGLISH_INSECTS);
    }

    #[test]
    fn the_lists_agree() {
        // CrowdStrike's families are the mixed-case ones, but for LYNX.
        for family in CROWDSTRIKE_FAMILIES {
            let mixed = FAMILIES.iter().any(|f| f.eq_ignore_ascii_case(family));
            assert_eq!(mixed, *family != "LYNX", "{family}");
        }
        // Every family with a sponsor is a family.
        for (family, _) in FAMILY_SPONSORS {
            assert!(
                FAMILIES.contains(family)
                    || CROWDSTRIKE_FAMILIES.contains(&family.to_ascii_uppercase().as_str()),
                "{family}"
            );
        }
    }

    #[test]
    fn no_listed_secureworks_name_is_a_false_friend() {
        let gazetteer = crate::gazetteer::Gazetteer::embedded();
        let mut checked = 0;
        for actor in gazetteer.actors() {
            let names = actor.aliases.iter().chain(&actor.word_aliases);
            for alias in std::iter::once(&actor.name).chain(names) {
                let Some((metal, _)) = alias.split_once(' ') else {
                    continue;
                };
                if SECUREWORKS.iter().any(|(m, _)| *m == metal) && found(alias) == vec![alias] {
                    assert!(!is_false_friend(alias), "{alias}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked} names");
    }
}
