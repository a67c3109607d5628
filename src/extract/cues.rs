//! The vocabulary the context rules read: cue words that, near a mention,
//! say whether a country is accused, attacked or home to a victim, and
//! whether an ordinary-word alias names a group.
//!
//! Each one-word list is a bit; [`cues_of`] gives a word's bits from one hash
//! lookup, so testing a context word against a list is a bit test rather
//! than a scan of the list.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// A list of cue words, and the bit that marks a word as one of them.
#[derive(Debug)]
pub(super) struct CueList {
    pub(super) bit: u32,
    pub(super) words: &'static [&'static str],
}

/// Nouns that, right after a country (or after its ambiguous nouns), say it
/// is behind the activity ("Chinese hackers", "Russian military hackers").
pub(super) const STRONG_ATTRIBUTION_NOUNS: CueList = CueList {
    bit: 1 << 0,
    words: &[
        "hackers",
        "hacker",
        "hacking",
        "actor",
        "actors",
        "group",
        "groups",
        "apt",
        "apts",
        "spies",
        "spy",
        "operatives",
        "agents",
        "attackers",
        "adversary",
        "adversaries",
        "operators",
        "unit",
        "units",
        "gru",
        "mss",
        "pla",
        "irgc",
        "fsb",
        "svr",
        "cyberspies",
        "cyberespionage",
        "espionage",
        "threat",
        "nation-state",
        "state-sponsored",
        "state-backed",
        "state-linked",
        "intrusion",
        "intrusions",
        "campaign",
        "campaigns",
        "cyberattacks",
        "cyberattack",
        "malware",
        "operation",
        "operations",
        "activity",
        "activities",
        "interference",
        "influence",
        "proxies",
        "proxy",
        "crew",
        "gang",
        "gangs",
        "apt-style",
    ],
};

/// Nouns that may name an attacker or a victim ("Chinese government hackers"
/// vs "the Chinese government said"); the word after them decides.
pub(super) const AMBIGUOUS_NOUNS: CueList = CueList {
    bit: 1 << 1,
    words: &[
        "military",
        "intelligence",
        "government",
        "state",
        "security",
        "services",
        "service",
        "agency",
        "agencies",
        "cyber",
        "army",
        "secret",
        "foreign",
        "defence",
        "defense",
        "navy",
        "police",
        "authorities",
        "officials",
        "counterintelligence",
        "ministry",
    ],
};

/// After an ambiguous noun, these say the country is watching, not hit.
pub(super) const OBSERVER_NOUNS: CueList = CueList {
    bit: 1 << 2,
    words: &[
        "aivd", "mivd", "ncsc", "cisa", "fbi", "nsa", "gchq", "bfv", "supo", "pst", "asd", "cert",
    ],
};

/// Nouns and verbs after which "by <country>" blames the country.
pub(super) const ATTACK_NOUNS_AND_VERBS: CueList = CueList {
    bit: 1 << 3,
    words: &[
        "activity",
        "activities",
        "attacks",
        "attack",
        "hacked",
        "targeted",
        "breached",
        "compromised",
        "operations",
        "campaign",
        "campaigns",
        "espionage",
        "intrusions",
        "conducted",
        "carried",
        "perpetrated",
        "orchestrated",
        "sponsored",
        "backed",
        "directed",
        "hacking",
        "cyberattacks",
        "interference",
        "operation",
        "run",
        "launched",
        "behaviour",
        "behavior",
        "aggression",
    ],
};

/// Words that, shortly before a country, place a victim there ("firms in
/// Poland", "across Europe"); the attack verbs are in [`STRONG_VICTIM_CUES`].
pub(super) const LOCATIVE_VICTIM_CUES: CueList = CueList {
    bit: 1 << 4,
    words: &[
        "victims",
        "victim",
        "across",
        "into",
        "on",
        "in",
        "throughout",
        "within",
        "inside",
        "at",
        "hacking",
    ],
};

/// Words that, right after a country, say it is the home of a victim.
pub(super) const VICTIM_NOUNS: CueList = CueList {
    bit: 1 << 5,
    words: &[
        "government",
        "governments",
        "ministry",
        "ministries",
        "parliament",
        "parliamentary",
        "parliamentarians",
        "lawmakers",
        "legislators",
        "senate",
        "congress",
        "companies",
        "company",
        "organisations",
        "organizations",
        "organisation",
        "organization",
        "networks",
        "network",
        "infrastructure",
        "officials",
        "agencies",
        "agency",
        "telecoms",
        "telecommunications",
        "telecom",
        "carriers",
        "banks",
        "bank",
        "election",
        "elections",
        "electoral",
        "embassy",
        "embassies",
        "citizens",
        "users",
        "victims",
        "firms",
        "firm",
        "entities",
        "defence",
        "defense",
        "energy",
        "grid",
        "utilities",
        "utility",
        "journalists",
        "dissidents",
        "diplomats",
        "diplomatic",
        "systems",
        "servers",
        "hospitals",
        "universities",
        "media",
        "businesses",
        "industry",
        "industries",
        "sector",
        "sectors",
        "manufacturers",
        "contractors",
        "institutions",
        "politicians",
        "activists",
        "researchers",
        "academics",
        "power",
        "water",
        "nuclear",
        "oil",
        "gas",
        "army",
        "navy",
        "armed",
        "forces",
        "troops",
        "president",
        "prime",
        "federal",
        "national",
        "state",
        "public",
        "critical",
        "financial",
        "healthcare",
        "aerospace",
        "satellite",
        "shipping",
        "ports",
        "airports",
        "railways",
        "municipalities",
        "regional",
        "local",
        "foreign",
        "interior",
        "cabinet",
        "officers",
        "soldiers",
        "think",
        "ngos",
        "voters",
        "targets",
        "entities'",
        "corporations",
        "subsidiaries",
        "defenders",
    ],
};

/// Words that, after a country, say it accuses or responds rather than suffers.
pub(super) const ACCUSER_VERBS: CueList = CueList {
    bit: 1 << 6,
    words: &[
        "accused",
        "accuses",
        "accuse",
        "attributed",
        "attributes",
        "attribute",
        "blamed",
        "blames",
        "blame",
        "sanctioned",
        "sanctions",
        "sanctioning",
        "charged",
        "indicted",
        "indicts",
        "expelled",
        "condemned",
        "condemns",
        "summoned",
        "denounced",
        "unsealed",
        "imposed",
        "co-signed",
        "cosigned",
        "signed",
        "joined",
        "denied",
        "denies",
        "deny",
        "rejected",
        "rejects",
        "dismissed",
        "retaliated",
        "exposed",
        "named",
        "offered",
        "arrested",
        "helped",
        "assisted",
        "tipped",
        "warned",
    ],
};

/// Attack verbs that, after a passive auxiliary ("was breached"), mark a victim.
pub(super) const ATTACK_VERBS: CueList = CueList {
    bit: 1 << 7,
    words: &[
        "targeted",
        "hit",
        "attacked",
        "breached",
        "compromised",
        "infiltrated",
        "hacked",
        "penetrated",
        "struck",
        "disrupted",
        "crippled",
        "affected",
        "impacted",
        "spied",
    ],
};

/// Words skipped when looking for the verb after a country: auxiliaries,
/// adverbs and the second half of "the US and the UK".
pub(super) const SKIPPED_BEFORE_VERB: CueList = CueList {
    bit: 1 << 8,
    words: &[
        "has",
        "have",
        "had",
        "also",
        "jointly",
        "formally",
        "publicly",
        "officially",
        "now",
        "previously",
        "already",
        "recently",
        "both",
        "and",
        "the",
        "its",
        "their",
        "allies",
        "partners",
        "governments",
        "authorities",
        "together",
        "later",
        "swiftly",
        "quickly",
        "first",
        "then",
        "themselves",
        "itself",
        "all",
        "other",
        "several",
    ],
};

pub(super) const PASSIVE_MARKERS: CueList = CueList {
    bit: 1 << 9,
    words: &["was", "were", "is", "are", "been", "being", "be", "got"],
};

/// Victim cues that say a country was attacked, not merely where a victim is.
pub(super) const STRONG_VICTIM_CUES: CueList = CueList {
    bit: 1 << 10,
    words: &[
        "targeting",
        "targeted",
        "targets",
        "target",
        "against",
        "attacked",
        "attacking",
        "hit",
        "hitting",
        "breached",
        "breaching",
        "compromised",
        "compromising",
        "infiltrated",
        "infiltrating",
        "hacked",
        "penetrated",
        "spied",
        "spying",
        "struck",
        "disrupted",
        "crippled",
    ],
};

/// Agencies whose mention after a country ("the UK's NCSC") marks an accuser.
pub(super) const ACCUSER_AGENCIES: CueList = CueList {
    bit: 1 << 11,
    words: &[
        "ncsc", "cisa", "fbi", "nsa", "doj", "asd", "acsc", "cccs", "bfv", "bsi", "mivd", "aivd",
        "supo", "gchq", "mi5", "mi6", "anssi", "cert", "cert-ua", "pst", "nis", "nisc", "csa",
    ],
};

/// Context words that put "Georgia" in the United States.
pub(super) const GEORGIA_US_CUES: CueList = CueList {
    bit: 1 << 12,
    words: &[
        "atlanta",
        "county",
        "savannah",
        "tech",
        "peach",
        "u.s.",
        "us",
        "american",
        "secretary",
        "governor",
        "state's",
        "augusta",
        "athens",
        "macon",
    ],
};

/// "dubbed", "called", "named" mark a group name only after a group noun
/// ("a group called Lead"), not after "an operation called MEDUSA".
pub(super) const NAMING_VERBS: CueList = CueList {
    bit: 1 << 13,
    words: &["dubbed", "called", "named", "nicknamed"],
};

pub(super) const GROUP_NOUNS: CueList = CueList {
    bit: 1 << 14,
    words: &[
        "group",
        "actor",
        "actors",
        "gang",
        "team",
        "crew",
        "hackers",
        "collective",
        "outfit",
        "apt",
        "unit",
    ],
};

/// Words right after an ordinary-word alias that mark it as a group name.
pub(super) const ACTOR_CUES_AFTER: CueList = CueList {
    bit: 1 << 15,
    words: &[
        "group",
        "team",
        "apt",
        "actor",
        "actors",
        "hackers",
        "gang",
        "crew",
        "operators",
        "campaign",
        "intrusion",
        "intrusions",
        "threat",
        "malware",
        "toolset",
        "operation",
        "operations",
        "activity",
        "attacks",
        "cluster",
        "aka",
        "(also",
        "also",
    ],
};

/// Hyphenated suffixes that name where something is, not who did it.
pub(super) const LOCATIVE_SUFFIXES: &[&str] = &["-based", "-headquartered"];

/// Hyphenated suffixes that describe a thing, not a victim or an attacker.
pub(super) const DESCRIPTOR_SUFFIXES: &[&str] = &[
    "-speaking",
    "-language",
    "-made",
    "-built",
    "-born",
    "-owned",
    "-registered",
    "-flagged",
];

/// Hyphenated suffixes that say a country is behind the activity ("China-linked").
pub(super) const ATTRIBUTION_SUFFIXES: &[&str] = &[
    "-linked",
    "-backed",
    "-sponsored",
    "-nexus",
    "-aligned",
    "-affiliated",
    "-led",
    "-origin",
    "-run",
    "-controlled",
];

/// Words that, shortly before a country, say it is behind the activity.
pub(super) const ACCUSATION_CUES: &[&[&str]] = &[
    &["accused"],
    &["accuse"],
    &["accuses"],
    &["accusing"],
    &["blamed"],
    &["blames"],
    &["blame"],
    &["attributed", "to"],
    &["attributes"],
    &["attribution", "to"],
    &["linked", "to"],
    &["tied", "to"],
    &["connected", "to"],
    &["on", "behalf", "of"],
    &["backed", "by"],
    &["sponsored", "by"],
    &["working", "for"],
    &["work", "for"],
    &["works", "for"],
    &["directed", "by"],
    &["hacked", "by"],
    &["conducted", "by"],
    &["carried", "out", "by"],
    &["orchestrated", "by"],
    &["perpetrated", "by"],
    &["affiliated", "with"],
    &["associated", "with"],
    &["aligned", "with"],
    &["linked", "with"],
    &["tied", "with"],
    &["pointed", "to"],
    &["pointed", "at"],
    &["suspected"],
    &["hackers", "from"],
    &["attackers", "from"],
    &["spies", "from"],
    &["actors", "from"],
    &["behalf", "of"],
    &["government", "of"],
];

/// Words right before an ordinary-word alias that mark it as a group name.
pub(super) const ACTOR_CUES_BEFORE: &[&[&str]] = &[
    &["aka"],
    &["a.k.a"],
    &["group"],
    &["actor"],
    &["apt"],
    &["known", "as"],
    &["tracked", "as"],
    &["designated", "as"],
    &["identified", "as"],
    &["labelled", "as"],
    &["labeled", "as"],
    &["attributed", "to"],
    &["linked", "to"],
    &["tracks", "as"],
    &["track", "as"],
];

/// Articles, which the rules skip before a country ("the UK").
pub(super) const ARTICLES: CueList = CueList {
    bit: 1 << 16,
    words: &["the", "a", "an"],
};
/// Words before a country that make it an accuser: "co-signed by agencies
/// from the United States, ...".
pub(super) const CO_SIGNING: CueList = CueList {
    bit: 1 << 17,
    words: &[
        "co-signed",
        "cosigned",
        "signed",
        "co-authored",
        "partner",
        "partners",
        "allies",
        "co-sealed",
    ],
};
/// Nouns that, right after a malware name, say the name is the software
/// ("LockBit ransomware", "the PlugX backdoor", "Agent malware").
pub(super) const SOFTWARE_NOUNS: CueList = CueList {
    bit: 1 << 21,
    words: &[
        "malware",
        "ransomware",
        "backdoor",
        "backdoors",
        "trojan",
        "trojans",
        "rat",
        "rats",
        "loader",
        "loaders",
        "dropper",
        "droppers",
        "downloader",
        "implant",
        "implants",
        "payload",
        "payloads",
        "variant",
        "variants",
        "sample",
        "samples",
        "binary",
        "binaries",
        "encryptor",
        "encryptors",
        "locker",
        "stealer",
        "infostealer",
        "wiper",
        "wipers",
        "botnet",
        "beacon",
        "beacons",
        "framework",
        "toolkit",
        "family",
        "strain",
        "strains",
        "infection",
        "infections",
        "builder",
        "executable",
        "dll",
        "module",
        "modules",
        "plugin",
        "plugins",
        "webshell",
        "rootkit",
        "bootkit",
        "spyware",
        "worm",
        "keylogger",
        "stager",
        "shellcode",
        "tool",
        "tools",
        "utility",
        "version",
        "versions",
        "c2",
        "server",
        "servers",
        "panel",
        "code",
        "note",
        "notes",
        "extension",
        "decryptor",
    ],
};

/// Nouns that, right after a malware name, say the name is the gang that
/// runs it ("the LockBit gang", "Black Basta affiliates").
pub(super) const GANG_NOUNS: CueList = CueList {
    bit: 1 << 22,
    words: &[
        "gang",
        "gangs",
        "group",
        "crew",
        "operators",
        "operator",
        "affiliates",
        "affiliate",
        "actors",
        "actor",
        "members",
        "cartel",
        "syndicate",
        "hackers",
        "attackers",
        "cybercriminals",
        "criminals",
        "extortionists",
        "operation",
        "outfit",
        "collective",
    ],
};

/// Verbs after a ransomware name that make it the gang: software does not
/// claim, post, or demand ("Clop claimed the attack").
pub(super) const GANG_VERBS: CueList = CueList {
    bit: 1 << 23,
    words: &[
        "claimed",
        "claims",
        "claim",
        "posted",
        "posts",
        "listed",
        "lists",
        "added",
        "demanded",
        "demands",
        "threatened",
        "threatens",
        "leaked",
        "leaks",
        "published",
        "publishes",
        "announced",
        "announces",
        "targeted",
        "targets",
        "attacked",
        "breached",
        "extorted",
        "extorts",
        "recruited",
        "recruits",
        "said",
        "says",
        "stated",
        "boasted",
        "took",
        "takes",
        "named",
        "shut",
        "rebranded",
        "negotiated",
        "responded",
    ],
};

/// Words near a sector term that say its organisations were victims
/// ("targeting telecommunications carriers", "hospitals were hit").
pub(super) const SECTOR_VICTIM_CUES: CueList = CueList {
    bit: 1 << 24,
    words: &[
        "target",
        "targets",
        "targeted",
        "targeting",
        "attack",
        "attacks",
        "attacked",
        "attacking",
        "hit",
        "hitting",
        "breach",
        "breaches",
        "breached",
        "breaching",
        "compromise",
        "compromised",
        "compromising",
        "compromises",
        "intrusion",
        "intrusions",
        "infiltrated",
        "infiltrating",
        "infiltration",
        "hacked",
        "hack",
        "hacks",
        "hacking",
        "spied",
        "spying",
        "phishing",
        "spear-phishing",
        "spearphishing",
        "phished",
        "victim",
        "victims",
        "victimized",
        "victimised",
        "against",
        "aimed",
        "focused",
        "focusing",
        "infected",
        "infecting",
        "infections",
        "disrupted",
        "disrupting",
        "disruption",
        "extorted",
        "extortion",
        "stole",
        "stolen",
        "stealing",
        "theft",
        "exfiltrated",
        "exfiltrating",
        "penetrated",
        "espionage",
        "surveillance",
        "impacted",
        "affected",
        "struck",
        "sabotage",
        "sabotaged",
        "wiped",
        "ddos",
        "defaced",
        "lured",
        "went",
        "broke",
        "encrypted",
        "ransomed",
        "heists",
        "heist",
        "robbed",
        "snooping",
        "surveilled",
        "cyberattack",
        "cyberattacks",
        "cyber-attack",
        "cyber-attacks",
        "outage",
        "outages",
        "leak",
        "leaked",
        "spy",
        "crippling",
        "crippled",
        "cripple",
        "paralysed",
        "paralyzed",
        "knocked",
        "hijacked",
        "intercepted",
        "eavesdropping",
        "go",
        "goes",
        "gone",
        "pursued",
        "probed",
        "probing",
        "scanned",
        "exploited",
        "exploiting",
        "infect",
        "halted",
        "locked",
        "encrypting",
        "harvested",
        "harvesting",
        "strikes",
        "breaking",
        "included",
        "include",
        "includes",
        "among",
        "access",
        "accessed",
        "intruder",
        "intruders",
        "erased",
        "exposed",
        "shut",
        "stolen",
        "drained",
        "seized",
    ],
};

/// Verbs after a sector term that make its organisation the one who
/// reports or acts, not a victim ("the foreign ministry said", "police
/// arrested").
pub(super) const REPORTING_VERBS: CueList = CueList {
    bit: 1 << 25,
    words: &[
        "said",
        "says",
        "say",
        "warned",
        "warns",
        "warn",
        "announced",
        "announces",
        "published",
        "publishes",
        "issued",
        "issues",
        "reported",
        "reports",
        "confirmed",
        "confirms",
        "denied",
        "denies",
        "told",
        "stated",
        "states",
        "urged",
        "urges",
        "advised",
        "advises",
        "alleged",
        "alleges",
        "arrested",
        "arrests",
        "seized",
        "investigated",
        "investigating",
        "investigates",
        "found",
        "discovered",
        "observed",
        "believes",
        "believed",
        "assessed",
        "assesses",
        "wrote",
        "writes",
        "added",
        "noted",
        "described",
        "describes",
        "tracked",
        "tracks",
        "identified",
        "attributed",
        "accused",
        "blamed",
        "sanctioned",
        "charged",
        "indicted",
        "launched",
        "conducted",
        "orchestrated",
        "sponsored",
        "directed",
        "deployed",
        "ordered",
        "recruited",
        "responded",
        "declined",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "official",
        "officials",
        "statement",
        "hackers",
        "hacker",
        "intelligence",
        "spies",
        "operatives",
        "officers",
        "cyber",
        "evasion",
        "reports",
        "report",
        "coverage",
        "accounts",
        "platforms",
        "posts",
        "release",
        "conference",
        "briefing",
        "outlets",
        "attention",
        "behind",
        "responsible",
        "minister",
        "ministers",
        "secretary",
        "chief",
        "spokespeople",
        "representatives",
        "director",
        "head",
        "leaders",
    ],
};

/// Words just before a term that make it the reporter's or the attacker's
/// ("researchers at a technology firm", "the hackers' military unit").
pub(super) const NOT_VICTIM_BEFORE: CueList = CueList {
    bit: 1 << 28,
    words: &[
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
    ],
};

/// Words up to four before a term that make it the attacker's side
/// ("linked to the Russian government", "attacks by the military").
pub(super) const ATTACKER_BEFORE: CueList = CueList {
    bit: 1 << 27,
    words: &[
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
    ],
};

/// Verbs of speech: a term whose sentence goes on to one of these before
/// any word of attack is the speaker ("Banks including X said they were
/// adding monitoring").
pub(super) const SPEECH_VERBS: CueList = CueList {
    bit: 1 << 26,
    words: &[
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
    ],
};

/// Auxiliaries and adverbs skipped to reach the verb after a sector term.
pub(super) const SECTOR_AUXILIARIES: CueList = CueList {
    bit: 1 << 29,
    words: &[
        "has", "have", "had", "also", "later", "then", "is", "was", "are", "were", "itself",
    ],
};

/// Words that deny what follows a sector term ("were not affected").
pub(super) const NEGATIONS: CueList = CueList {
    bit: 1 << 30,
    words: &["not", "never", "no"],
};

/// Words ending just before a country that make it one of an advisory's
/// authors ("agencies from the United States").
pub(super) const CO_SIGNER_CUES: &[&[&str]] = &[
    &["agencies", "from"],
    &["authorities", "from"],
    &["partners", "from"],
    &["counterparts", "from"],
];

/// Words up to two before an intelligence agency that make it the
/// attackers' master ("hackers working for the Reconnaissance General
/// Bureau").
pub(super) const AGENCY_MASTER_BEFORE: &[&str] = &[
    "linked",
    "tied",
    "working",
    "behalf",
    "affiliated",
    "attributed",
    "belonging",
    "belongs",
    "sponsored",
    "backed",
    "directed",
    "run",
    "controlled",
    "serving",
    "employed",
    "connected",
];

/// Words right after an intelligence agency that make it the attackers'
/// ("Reconnaissance General Bureau hackers").
pub(super) const AGENCY_AGENTS_AFTER: &[&str] = &[
    "hackers",
    "unit",
    "units",
    "officers",
    "operatives",
    "agents",
    "cyber",
    "hacking",
    "actors",
    "group",
    "teams",
];

/// Prepositions that, right before a country, govern it ("of Ukraine"), so
/// the cue before them does not apply to it.
pub(super) const GOVERNING_PREPOSITIONS: CueList = CueList {
    bit: 1 << 18,
    words: &["of", "by", "from", "with"],
};

/// The bit of the words that end a cue of [`ACCUSATION_CUES`]: only a word
/// with it can be the end of one.
pub(super) const ENDS_ACCUSATION_CUE: u32 = 1 << 19;
/// The bit of the words that end a cue of [`ACTOR_CUES_BEFORE`].
pub(super) const ENDS_ACTOR_CUE: u32 = 1 << 20;

/// The multi-word cue lists, each with the bit of the words that end a cue.
const MULTI_WORD_CUES: &[(&[&[&str]], u32)] = &[
    (ACCUSATION_CUES, ENDS_ACCUSATION_CUE),
    (ACTOR_CUES_BEFORE, ENDS_ACTOR_CUE),
];

/// Every one-word list, each with its own bit.
const CUE_LISTS: &[&CueList] = &[
    &STRONG_ATTRIBUTION_NOUNS,
    &AMBIGUOUS_NOUNS,
    &OBSERVER_NOUNS,
    &ATTACK_NOUNS_AND_VERBS,
    &LOCATIVE_VICTIM_CUES,
    &VICTIM_NOUNS,
    &ACCUSER_VERBS,
    &ATTACK_VERBS,
    &SKIPPED_BEFORE_VERB,
    &PASSIVE_MARKERS,
    &STRONG_VICTIM_CUES,
    &ACCUSER_AGENCIES,
    &GEORGIA_US_CUES,
    &NAMING_VERBS,
    &GROUP_NOUNS,
    &ACTOR_CUES_AFTER,
    &ARTICLES,
    &CO_SIGNING,
    &GOVERNING_PREPOSITIONS,
    &SOFTWARE_NOUNS,
    &GANG_NOUNS,
    &GANG_VERBS,
    &SECTOR_VICTIM_CUES,
    &REPORTING_VERBS,
    &SPEECH_VERBS,
    &ATTACKER_BEFORE,
    &NOT_VICTIM_BEFORE,
    &SECTOR_AUXILIARIES,
    &NEGATIONS,
];

/// Every cue word with the bits of the lists it is in.
static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::new);

/// The longest word the lexicon can hold: a word of up to 24 bytes is told
/// apart from every other by its first eight, its next eight and its last
/// eight.
const LONGEST_CUE: usize = 24;

/// ASCII case folding for the bytes of a key: sets the bit that lower-cases
/// an ASCII capital. Cue words are ASCII without capitals or control
/// characters, which the bit leaves alone; the only other bytes it turns
/// into one of theirs are capitals, which it should, and control
/// characters, which keys refuse.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// A word as the lexicon compares it: its first eight bytes, the next eight
/// (when it is longer than sixteen), its last eight (when it is longer than
/// eight) and its length, ASCII case-folded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Key {
    head: u64,
    middle: u64,
    tail: u64,
    length: usize,
}

impl Key {
    fn of(word: &[u8]) -> Option<Key> {
        let length = word.len();
        if length == 0 || length > LONGEST_CUE {
            return None;
        }
        let eight = |at: usize| u64::from_le_bytes(word[at..at + 8].try_into().unwrap_or([0; 8]));
        let (head, middle, tail, valid) = if length < 8 {
            (short_word(word), 0, 0, u64::MAX >> (8 * (8 - length)))
        } else {
            let middle = if length > 16 { eight(8) } else { 0 };
            let tail = if length > 8 { eight(length - 8) } else { 0 };
            (eight(0), middle, tail, u64::MAX)
        };
        // A byte below 0x20 (only the word's own bytes count): no cue word
        // has one. A borrow runs only upwards, from a byte that is one.
        const ONES: u64 = 0x0101_0101_0101_0101;
        let has_control = |eight: u64, valid: u64| {
            eight.wrapping_sub(ONES * 0x20) & !eight & (ONES * 0x80) & valid != 0
        };
        let (middle_valid, tail_valid) = (
            if length > 16 { u64::MAX } else { 0 },
            if length > 8 { u64::MAX } else { 0 },
        );
        if has_control(head, valid)
            || has_control(middle, middle_valid)
            || has_control(tail, tail_valid)
        {
            return None;
        }
        Some(Key {
            head: head | (FOLD & valid),
            middle: middle | (FOLD & middle_valid),
            tail: tail | (FOLD & tail_valid),
            length,
        })
    }

    fn slot(&self, mask: usize) -> usize {
        let mixed = (self.head
            ^ self.middle.rotate_left(13)
            ^ self.tail.rotate_left(29)
            ^ self.length as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> 32) as usize & mask
    }
}

/// The bytes of a word shorter than eight as a little-endian number, read
/// in at most two overlapping loads rather than byte by byte.
fn short_word(word: &[u8]) -> u64 {
    let length = word.len();
    let four = |at: usize| {
        u64::from(u32::from_le_bytes(
            word[at..at + 4].try_into().unwrap_or([0; 4]),
        ))
    };
    let two = |at: usize| {
        u64::from(u16::from_le_bytes(
            word[at..at + 2].try_into().unwrap_or([0; 2]),
        ))
    };
    match length {
        4..=7 => four(0) | four(length - 4) << (8 * (length - 4)),
        2..=3 => two(0) | two(length - 2) << (8 * (length - 2)),
        1 => u64::from(word[0]),
        _ => 0,
    }
}

/// An open-addressed table from [`Key`] to cue bits: a lookup hashes and
/// compares a few machine words, with no call to compare bytes.
struct Lexicon {
    slots: Vec<(Key, u32)>,
    mask: usize,
}

impl Lexicon {
    fn new() -> Lexicon {
        let mut bits: FxHashMap<&'static str, u32> = FxHashMap::default();
        for list in CUE_LISTS {
            for word in list.words {
                *bits.entry(word).or_default() |= list.bit;
            }
        }
        for &(cues, bit) in MULTI_WORD_CUES {
            for cue in cues {
                if let Some(last) = cue.last() {
                    *bits.entry(last).or_default() |= bit;
                }
            }
        }
        // At most a quarter full: probes stay short.
        let size = (bits.len() * 4).next_power_of_two();
        let mut lexicon = Lexicon {
            slots: vec![(Key::default(), 0); size],
            mask: size - 1,
        };
        for (word, cues) in bits {
            // The lists' test checks every word fits; one that did not
            // could never be found.
            let Some(key) = Key::of(word.as_bytes()) else {
                continue;
            };
            let mut slot = key.slot(lexicon.mask);
            while lexicon.slots[slot].0.length != 0 {
                slot = (slot + 1) & lexicon.mask;
            }
            lexicon.slots[slot] = (key, cues);
        }
        lexicon
    }

    fn get(&self, word: &[u8]) -> u32 {
        let Some(key) = Key::of(word) else {
            return 0;
        };
        let mut slot = key.slot(self.mask);
        loop {
            let (found, cues) = self.slots[slot];
            if found == key {
                return cues;
            }
            if found.length == 0 {
                return 0;
            }
            slot = (slot + 1) & self.mask;
        }
    }
}

/// The bits of the cue lists a word is in, whatever its ASCII case; 0 for
/// most words.
pub(super) fn cues_of(word: &[u8]) -> u32 {
    LEXICON.get(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_its_own_bit_and_lower_case_words() {
        let mut seen = ENDS_ACCUSATION_CUE | ENDS_ACTOR_CUE;
        for list in CUE_LISTS {
            assert_eq!(list.bit.count_ones(), 1, "{list:?}");
            assert_eq!(seen & list.bit, 0, "bit shared: {list:?}");
            seen |= list.bit;
            for word in list.words {
                // Context words are lower-cased before the lookup.
                assert_eq!(*word, word.to_lowercase(), "{word} can never match");
                assert!(
                    word.len() <= LONGEST_CUE && word.bytes().all(|b| (0x20..0x80).contains(&b)),
                    "{word} does not fit the lexicon's keys"
                );
                assert_ne!(cues_of(word.as_bytes()) & list.bit, 0, "{word}");
            }
        }
        for cue in ACCUSATION_CUES.iter().chain(ACTOR_CUES_BEFORE) {
            for word in *cue {
                assert_eq!(*word, word.to_lowercase(), "{cue:?} can never match");
            }
        }
    }

    #[test]
    fn every_suffix_is_hyphenated_and_in_one_list() {
        // `country_role` tests the lists in turn, so a suffix in two lists
        // would only ever get the first list's role.
        let lists = [ATTRIBUTION_SUFFIXES, LOCATIVE_SUFFIXES, DESCRIPTOR_SUFFIXES];
        let mut seen = std::collections::BTreeSet::new();
        for suffix in lists.iter().copied().flatten() {
            assert!(
                suffix.starts_with('-'),
                "{suffix}: the rules only look after a hyphen"
            );
            assert!(seen.insert(*suffix), "{suffix} is in two suffix lists");
        }
    }

    #[test]
    fn words_outside_every_list_have_no_cues() {
        for word in [
            "",
            "china",
            "hackersx",
            "hacke",
            "accused-of-something-very-long",
        ] {
            assert_eq!(cues_of(word.as_bytes()), 0, "{word}");
        }
        assert_ne!(cues_of(b"accused") & ACCUSER_VERBS.bit, 0);
        assert_ne!(cues_of(b"Accused") & ACCUSER_VERBS.bit, 0);
        // Characters that fold onto another: `@` to a backtick, `[` to `{`.
        assert_eq!(cues_of(b"by@"), 0);
        assert_eq!(cues_of(b"[by"), 0);
        // A control character folds onto punctuation: `\x08` onto `(`.
        assert_ne!(cues_of(b"(also"), 0);
        assert_eq!(cues_of(b"\x08also"), 0);
        assert_ne!(cues_of(b"accused") & ENDS_ACCUSATION_CUE, 0);
    }

    /// The bits a word's lower-case form has by reading every list.
    fn cues_by_scanning(word: &str) -> u32 {
        let lower = word.to_ascii_lowercase();
        let mut bits = 0;
        for list in CUE_LISTS {
            if list.words.contains(&lower.as_str()) {
                bits |= list.bit;
            }
        }
        for &(cues, bit) in MULTI_WORD_CUES {
            if cues.iter().any(|cue| cue.last() == Some(&lower.as_str())) {
                bits |= bit;
            }
        }
        bits
    }

    proptest::proptest! {
        #[test]
        fn lookup_equals_scanning_the_lists(
            list in 0..CUE_LISTS.len(),
            pick in 0usize..1000,
            capitals in proptest::collection::vec(proptest::bool::ANY, 16),
            edit in proptest::option::of((0usize..25, "[a-z@\\[`{'.( \x08\x0e-]")),
        ) {
            let words = CUE_LISTS[list].words;
            let mut word: String = words[pick % words.len()]
                .chars()
                .zip(capitals.iter().chain(std::iter::repeat(&false)))
                .map(|(c, &capital)| if capital { c.to_ascii_uppercase() } else { c })
                .collect();
            if let Some((at, inserted)) = edit {
                word.insert_str(at.min(word.len()), &inserted);
            }
            proptest::prop_assert_eq!(cues_of(word.as_bytes()), cues_by_scanning(&word), "{}", word);
        }
    }
}
