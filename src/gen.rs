//! Synthetic corpora for benchmarks: deterministic articles in the corpus
//! format with Zipf-distributed English filler, skewed actor and country
//! mentions, dates over 2005-2026 and rare marker terms.
//!
//! Article `i` of a corpus depends only on the seed and `i` (one ChaCha8
//! stream per article), so generation runs in parallel and a seed always
//! gives byte-identical files. Files are sharded `SSSS/IIIIIII.txt`, at most
//! [`DOCS_PER_DIR`] per folder. Beside them, `manifest.tsv` records what was
//! planted in each article (date, actors, sponsors, targets, markers), for
//! tools that cannot extract facets themselves (the SQLite comparison).

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::gazetteer::Gazetteer;

/// The vocabulary, most frequent word first (see `data/wordlist.LICENSE.txt`).
const WORDLIST: &str = include_str!("../data/wordlist.txt");

/// Bump when the output for a given seed changes.
pub const GENERATOR_VERSION: u32 = 1;

/// At most this many articles per folder.
pub const DOCS_PER_DIR: u64 = 1_000;

/// The file beside the shards that marks a finished corpus.
pub const MARKER_FILE: &str = ".dossier-gen.json";

/// Ground truth of every article, one tab-separated line each.
pub const MANIFEST_FILE: &str = "manifest.tsv";

/// Made-up words planted in about one article in N, for selective queries.
pub const MARKERS: [(&str, u64); 3] = [
    ("obsidianfall", 1_000),
    ("quillmere", 10_000),
    ("brackenhollow", 100_000),
];

/// Common two-word phrases of the domain, planted in filler sentences.
const PHRASES: [&str; 8] = [
    "critical infrastructure",
    "spear phishing",
    "zero day",
    "supply chain",
    "command and control",
    "lateral movement",
    "remote access",
    "state sponsored",
];

/// Actors reported most often, most first; the rest of the gazetteer follows
/// in a fixed shuffled order with a Zipf tail.
const PROMINENT_ACTORS: [&str; 24] = [
    "APT28",
    "Lazarus Group",
    "APT29",
    "APT41",
    "Sandworm",
    "Volt Typhoon",
    "Salt Typhoon",
    "Turla",
    "APT31",
    "Kimsuky",
    "MuddyWater",
    "APT35",
    "APT10",
    "APT40",
    "Gamaredon Group",
    "APT33",
    "APT1",
    "FIN7",
    "APT37",
    "BlackTech",
    "APT32",
    "Equation Group",
    "SideWinder",
    "Transparent Tribe",
];

/// Countries reported as targets most often, most first.
const PROMINENT_TARGETS: [&str; 24] = [
    "US", "GB", "UA", "DE", "FR", "JP", "KR", "TW", "IN", "IL", "AU", "CA", "PL", "NL", "SA", "IT",
    "ES", "VN", "PH", "SG", "CZ", "NO", "FI", "BE",
];

/// Articles per year grow linearly from 2005 to 2025; 2026 runs to June.
const FIRST_YEAR: i32 = 2005;
const LAST_YEAR: i32 = 2026;

/// What went wrong while generating.
#[derive(Debug, Error)]
pub enum GenError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The output folder holds something that is not a generated corpus.
    #[error("{0} is not empty and was not made by `dossier gen-corpus`; choose an empty or new --out folder")]
    NotEmpty(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Settings for one corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenOptions {
    /// Number of articles.
    pub docs: u64,
    /// Seed: the same seed gives the same files.
    pub seed: u64,
}

/// What a generation run did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenSummary {
    /// Articles in the corpus.
    pub docs: u64,
    /// Bytes of article files.
    pub bytes: u64,
    /// Shard folders.
    pub dirs: u64,
    /// Whether an identical finished corpus was already there (nothing written).
    #[serde(default)]
    pub reused: bool,
    /// Wall-clock time.
    #[serde(default)]
    pub elapsed: Duration,
}

/// The marker file's contents.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    version: u32,
    options: GenOptions,
    bytes: u64,
}

/// What was planted in one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Publication date.
    pub date: Option<NaiveDate>,
    /// Canonical actor names.
    pub actors: Vec<String>,
    /// Sponsor codes of those actors.
    pub sponsors: Vec<String>,
    /// Target country codes.
    pub targets: Vec<String>,
    /// Marker terms.
    pub markers: Vec<&'static str>,
}

struct ActorPick {
    name: String,
    sponsor: Option<String>,
    aliases: Vec<String>,
}

struct CountryPick {
    code: String,
    name: String,
    demonym: Option<String>,
}

/// Builds articles; cheap to share between threads.
pub struct Generator {
    seed: u64,
    words: Vec<&'static str>,
    word_dist: AliasTable,
    actors: Vec<ActorPick>,
    actor_dist: AliasTable,
    countries: Vec<CountryPick>,
    country_dist: AliasTable,
    year_dist: AliasTable,
    length: LogNormal<f64>,
}

fn zipf_weights(n: usize, exponent: f64) -> Vec<f64> {
    (1..=n)
        .map(|rank| 1.0 / (rank as f64).powf(exponent))
        .collect()
}

fn alias_index(weights: Vec<f64>) -> AliasTable {
    AliasTable::new(&weights)
}

/// Walker's alias method (Vose's construction): sampling a weighted index
/// costs one 64-bit draw and one table read, whatever the number of items.
struct AliasTable {
    /// Per slot: keep the slot if the low 32 bits are below the threshold,
    /// else take the alias.
    slots: Vec<(u32, u32)>,
}

impl AliasTable {
    /// `weights` must be non-empty, positive and finite.
    fn new(weights: &[f64]) -> AliasTable {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut slots: Vec<(u32, u32)> = (0..n as u32).map(|i| (u32::MAX, i)).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            slots[s] = ((scaled[s] * 4_294_967_296.0) as u32, l as u32);
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left has probability 1 (up to rounding): keeps its slot.
        AliasTable { slots }
    }

    fn sample<R: RngCore>(&self, rng: &mut R) -> usize {
        let r = rng.next_u64();
        let i = (((r >> 32) * self.slots.len() as u64) >> 32) as usize;
        let (threshold, alias) = self.slots[i];
        if (r as u32) < threshold {
            i
        } else {
            alias as usize
        }
    }
}

/// A stable shuffle key, so the tail order does not depend on the gazetteer's order.
fn shuffle_key(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl Generator {
    /// A generator for the given seed over the embedded vocabulary and gazetteer.
    pub fn new(seed: u64) -> Generator {
        let words: Vec<&'static str> = WORDLIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let word_dist = alias_index(zipf_weights(words.len(), 1.0));

        let gazetteer = Gazetteer::embedded();
        let mut actors: Vec<ActorPick> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut push = |actor: &crate::gazetteer::Actor, actors: &mut Vec<ActorPick>| {
            if actor.aliases.is_empty() || !seen.insert(actor.name.clone()) {
                return;
            }
            let mut aliases: Vec<String> = actor.aliases.clone();
            // The best-known name first: mentions prefer it.
            if let Some(pos) = aliases.iter().position(|a| *a == actor.name) {
                aliases.swap(0, pos);
            }
            actors.push(ActorPick {
                name: actor.name.clone(),
                sponsor: actor.sponsor.clone(),
                aliases,
            });
        };
        for alias in PROMINENT_ACTORS {
            if let Some(actor) = gazetteer.actor(alias) {
                push(actor, &mut actors);
            }
        }
        let mut rest: Vec<&crate::gazetteer::Actor> = gazetteer.actors().iter().collect();
        rest.sort_by_key(|a| shuffle_key(&a.name));
        for actor in rest {
            push(actor, &mut actors);
        }
        let actor_dist = alias_index(zipf_weights(actors.len(), 1.1));

        let mut countries: Vec<CountryPick> = Vec::new();
        let pick = |c: &crate::gazetteer::Country| CountryPick {
            code: c.code.clone(),
            name: c.name.clone(),
            demonym: c.demonyms.first().cloned(),
        };
        for code in PROMINENT_TARGETS {
            if let Some(country) = gazetteer.country_by_code(code) {
                countries.push(pick(country));
            }
        }
        let mut rest: Vec<&crate::gazetteer::Country> = gazetteer
            .countries()
            .iter()
            .filter(|c| !PROMINENT_TARGETS.contains(&c.code.as_str()))
            .collect();
        rest.sort_by_key(|c| shuffle_key(&c.code));
        countries.extend(rest.into_iter().map(pick));
        let country_dist = alias_index(zipf_weights(countries.len(), 1.0));

        let year_dist = alias_index(
            (FIRST_YEAR..=LAST_YEAR)
                .map(|y| {
                    let w = f64::from(y - FIRST_YEAR + 1);
                    if y == LAST_YEAR {
                        w / 2.0
                    } else {
                        w
                    }
                })
                .collect(),
        );
        // Median 700 words; 5% under ~260, 5% over ~1,900; clamped to 150..6,000.
        let length = LogNormal::new(700f64.ln(), 0.6).expect("valid log-normal");
        Generator {
            seed,
            words,
            word_dist,
            actors,
            actor_dist,
            countries,
            country_dist,
            year_dist,
            length,
        }
    }

    /// The vocabulary size.
    pub fn vocabulary(&self) -> usize {
        self.words.len()
    }

    fn word<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.words[self.word_dist.sample(rng)]
    }

    /// Appends a number of filler words drawn from `count`, each after a space.
    fn filler<R: Rng>(&self, rng: &mut R, count: std::ops::Range<usize>, out: &mut String) {
        let n = rng.random_range(count);
        for _ in 0..n {
            out.push(' ');
            out.push_str(self.word(rng));
        }
    }

    /// Writes article `index` into `out` (cleared first) and returns what was planted.
    pub fn article(&self, index: u64, out: &mut String) -> Truth {
        out.clear();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index);

        let year = FIRST_YEAR + self.year_dist.sample(&mut rng) as i32;
        let days_in_year = if year == LAST_YEAR {
            181
        } else if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let date = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(rng.random_range(0..days_in_year))));

        let n_actors = match rng.random_range(0..100) {
            0..25 => 0,
            25..70 => 1,
            70..90 => 2,
            _ => 3,
        };
        let mut actors: Vec<&ActorPick> = Vec::with_capacity(n_actors);
        for _ in 0..n_actors * 3 {
            if actors.len() == n_actors {
                break;
            }
            let actor = &self.actors[self.actor_dist.sample(&mut rng)];
            if !actors.iter().any(|a| a.name == actor.name) {
                actors.push(actor);
            }
        }
        let n_targets = match rng.random_range(0..100) {
            0..40 => 1,
            40..70 => 2,
            70..90 => 3,
            _ => 4,
        };
        let mut targets: Vec<&CountryPick> = Vec::with_capacity(n_targets);
        for _ in 0..n_targets * 3 {
            if targets.len() == n_targets {
                break;
            }
            let country = &self.countries[self.country_dist.sample(&mut rng)];
            if !targets.iter().any(|c| c.code == country.code) {
                targets.push(country);
            }
        }
        let markers: Vec<&'static str> = MARKERS
            .iter()
            .filter(|(_, one_in)| rng.random_range(0..*one_in) == 0)
            .map(|(m, _)| *m)
            .collect();

        // Entity sentences, planted among the filler.
        let mut planted: Vec<String> = Vec::new();
        for actor in &actors {
            for _ in 0..rng.random_range(1..=3) {
                let alias = if rng.random_bool(0.6) {
                    &actor.aliases[0]
                } else {
                    &actor.aliases[rng.random_range(0..actor.aliases.len())]
                };
                let mut s = String::new();
                match rng.random_range(0..3) {
                    0 => {
                        let _ = write!(s, "Researchers attributed the activity to {alias}");
                    }
                    1 => {
                        let _ = write!(s, "The group known as {alias} used");
                    }
                    _ => {
                        let _ = write!(s, "Analysts said {alias} had");
                    }
                }
                self.filler(&mut rng, 4..12, &mut s);
                s.push('.');
                planted.push(s);
            }
        }
        for country in &targets {
            for _ in 0..rng.random_range(1..=2) {
                // The country ends the sentence: filler next to it could
                // read as an accusation ("... Germany said ...").
                let mut s = String::from("Investigators said");
                self.filler(&mut rng, 3..9, &mut s);
                match (rng.random_range(0..3), country.demonym.as_deref()) {
                    (0, Some(demonym)) => {
                        let _ = write!(s, ". Hackers breached {demonym} government networks.");
                    }
                    (1, _) => {
                        let _ =
                            write!(s, ". Attackers targeted organisations in {}.", country.name);
                    }
                    _ => {
                        let _ = write!(s, ". Networks were compromised in {}.", country.name);
                    }
                }
                planted.push(s);
            }
        }
        for marker in &markers {
            let mut s = String::from("The report also mentions");
            self.filler(&mut rng, 2..3, &mut s);
            s.push(' ');
            s.push_str(marker);
            self.filler(&mut rng, 3..8, &mut s);
            s.push('.');
            planted.push(s);
        }

        let total_words = (self.length.sample(&mut rng) as usize).clamp(150, 6_000);
        let _ = write!(
            out,
            " date {} ",
            date.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
        );
        // Title: a headline naming the first actor or target when there is one.
        match (actors.first(), targets.first()) {
            (Some(actor), Some(country)) => {
                let _ = write!(
                    out,
                    "{} hackers breached networks in {}.\n\n",
                    actor.aliases[0], country.name
                );
            }
            (None, Some(country)) => {
                let _ = write!(out, "Cyber attack hits networks in {}.\n\n", country.name);
            }
            _ => {
                out.push_str("Report on a cyber espionage campaign:");
                self.filler(&mut rng, 2..6, out);
                out.push_str(".\n\n");
            }
        }

        let mut written = 0usize;
        let mut sentences_in_paragraph = 0;
        let paragraph_len = rng.random_range(3..8);
        while written < total_words || !planted.is_empty() {
            if !planted.is_empty() && (written >= total_words || rng.random_range(0..6) == 0) {
                let at = rng.random_range(0..planted.len());
                let sentence = planted.swap_remove(at);
                written += sentence.split(' ').count();
                out.push_str(&sentence);
            } else {
                let n = rng.random_range(6..28);
                let first = self.word(&mut rng);
                let mut chars = first.chars();
                if let Some(c) = chars.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
                let comma_after = rng.random_range(0..2 * n);
                let phrase_at = if rng.random_range(0..8) == 0 {
                    Some(rng.random_range(0..n))
                } else {
                    None
                };
                for i in 1..n {
                    if Some(i) == phrase_at {
                        out.push(' ');
                        out.push_str(PHRASES[rng.random_range(0..PHRASES.len())]);
                    }
                    out.push(' ');
                    out.push_str(self.word(&mut rng));
                    if i == comma_after && i + 1 < n {
                        out.push(',');
                    }
                }
                out.push('.');
                written += n;
            }
            sentences_in_paragraph += 1;
            if sentences_in_paragraph >= paragraph_len {
                out.push_str("\n\n");
                sentences_in_paragraph = 0;
            } else {
                out.push(' ');
            }
        }
        while out.ends_with(char::is_whitespace) {
            out.pop();
        }
        out.push('\n');

        let mut actor_names: Vec<String> = actors.iter().map(|a| a.name.to_string()).collect();
        actor_names.sort();
        let mut sponsors: Vec<String> = actors.iter().filter_map(|a| a.sponsor.clone()).collect();
        sponsors.sort();
        sponsors.dedup();
        let mut target_codes: Vec<String> = targets.iter().map(|c| c.code.to_string()).collect();
        target_codes.sort();
        Truth {
            date,
            actors: actor_names,
            sponsors,
            targets: target_codes,
            markers,
        }
    }
}

/// The corpus-relative path of article `index`: `SSSS/IIIIIII.txt`.
pub fn relative_path(index: u64) -> String {
    format!("{:04}/{:07}.txt", index / DOCS_PER_DIR, index)
}

fn manifest_line(id: &str, truth: &Truth, out: &mut String) {
    let _ = writeln!(
        out,
        "{id}\t{}\t{}\t{}\t{}\t{}",
        truth
            .date
            .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string()),
        truth.actors.join(";"),
        truth.sponsors.join(";"),
        truth.targets.join(";"),
        truth.markers.join(";"),
    );
}

fn is_shard_dir(name: &str) -> bool {
    name.len() >= 4 && name.bytes().all(|b| b.is_ascii_digit())
}

/// Makes `out` ready for a corpus: returns the summary of an identical
/// finished corpus already there, or clears an earlier generated one.
fn prepare(out: &Path, options: &GenOptions) -> Result<Option<GenSummary>, GenError> {
    let marker_path = out.join(MARKER_FILE);
    if let Ok(text) = fs::read_to_string(&marker_path) {
        if let Ok(marker) = serde_json::from_str::<Marker>(&text) {
            if marker.version == GENERATOR_VERSION && marker.options == *options {
                return Ok(Some(GenSummary {
                    docs: options.docs,
                    bytes: marker.bytes,
                    dirs: options.docs.div_ceil(DOCS_PER_DIR),
                    reused: true,
                    elapsed: Duration::ZERO,
                }));
            }
        }
        // An earlier generated corpus with other settings: replace it.
        fs::remove_file(&marker_path).map_err(io(&marker_path))?;
        for entry in fs::read_dir(out).map_err(io(out))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if is_shard_dir(&name) && path.is_dir() {
                fs::remove_dir_all(&path).map_err(io(&path))?;
            } else if name == MANIFEST_FILE {
                fs::remove_file(&path).map_err(io(&path))?;
            }
        }
        return Ok(None);
    }
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(GenError::NotEmpty(out.to_path_buf()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(out)(e)),
    }
    Ok(None)
}

/// Writes a corpus of `options.docs` articles into `out`, in parallel.
///
/// An identical finished corpus already in `out` is reused; one generated
/// with other settings is replaced; any other non-empty folder is refused.
pub fn generate(out: &Path, options: &GenOptions) -> Result<GenSummary, GenError> {
    let started = Instant::now();
    if let Some(summary) = prepare(out, options)? {
        return Ok(summary);
    }
    fs::create_dir_all(out).map_err(io(out))?;
    // Claim the folder at once, so an interrupted run can be redone.
    let marker_path = out.join(MARKER_FILE);
    fs::write(&marker_path, "{}").map_err(io(&marker_path))?;

    let generator = Generator::new(options.seed);
    let dirs = options.docs.div_ceil(DOCS_PER_DIR);
    let shards: Vec<(u64, String)> = (0..dirs)
        .into_par_iter()
        .map(|shard| -> Result<(u64, String), GenError> {
            let dir = out.join(format!("{shard:04}"));
            fs::create_dir_all(&dir).map_err(io(&dir))?;
            let mut text = String::with_capacity(64 * 1024);
            let mut manifest = String::new();
            let mut bytes = 0u64;
            let first = shard * DOCS_PER_DIR;
            let last = (first + DOCS_PER_DIR).min(options.docs);
            for index in first..last {
                let truth = generator.article(index, &mut text);
                let id = relative_path(index);
                let path = out.join(&id);
                fs::write(&path, text.as_bytes()).map_err(io(&path))?;
                bytes += text.len() as u64;
                manifest_line(&id, &truth, &mut manifest);
            }
            Ok((bytes, manifest))
        })
        .collect::<Result<_, _>>()?;

    let manifest_path = out.join(MANIFEST_FILE);
    let mut manifest =
        std::io::BufWriter::new(fs::File::create(&manifest_path).map_err(io(&manifest_path))?);
    let _ = writeln!(
        manifest,
        "# id\tdate\tactors\tsponsors\ttargets\tmarkers (dossier gen-corpus --docs {} --seed {})",
        options.docs, options.seed
    );
    let mut bytes = 0;
    for (shard_bytes, lines) in &shards {
        bytes += shard_bytes;
        manifest
            .write_all(lines.as_bytes())
            .map_err(io(&manifest_path))?;
    }
    manifest.flush().map_err(io(&manifest_path))?;
    let marker = Marker {
        version: GENERATOR_VERSION,
        options: *options,
        bytes,
    };
    fs::write(
        &marker_path,
        serde_json::to_string(&marker).unwrap_or_default(),
    )
    .map_err(io(&marker_path))?;
    Ok(GenSummary {
        docs: options.docs,
        bytes,
        dirs,
        reused: false,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::format::text::parse_article;
    use chrono::Datelike;

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        let a = Generator::new(7);
        let b = Generator::new(7);
        let c = Generator::new(8);
        let (mut x, mut y, mut z) = (String::new(), String::new(), String::new());
        for i in [0, 1, 999, 123_456] {
            assert_eq!(a.article(i, &mut x), b.article(i, &mut y));
            assert_eq!(x, y);
            c.article(i, &mut z);
            assert_ne!(x, z);
        }
    }

    #[test]
    fn articles_parse_and_extract_what_was_planted() {
        let generator = Generator::new(1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut text = String::new();
        let (mut actors_found, mut actors_planted) = (0, 0);
        let (mut targets_found, mut targets_planted) = (0, 0);
        for i in 0..200 {
            let truth = generator.article(i, &mut text);
            let words = text.split_whitespace().count();
            assert!((150..=7_000).contains(&words), "{words} words");
            let article = parse_article(text.as_bytes(), today).expect("parses");
            assert_eq!(article.date, truth.date);
            assert!(article.warnings.is_empty(), "{:?}", article.warnings);
            let d = truth.date.unwrap();
            assert!((2005..=2026).contains(&d.year()));
            let extraction = crate::extract::tests::extractor().extract(&article.body);
            let found = extraction.actor_names();
            actors_planted += truth.actors.len();
            actors_found += truth.actors.iter().filter(|a| found.contains(a)).count();
            let targets = extraction.targets();
            targets_planted += truth.targets.len();
            targets_found += truth.targets.iter().filter(|t| targets.contains(t)).count();
        }
        // The extractor finds nearly everything that was planted.
        assert!(
            actors_found * 100 >= actors_planted * 95,
            "{actors_found}/{actors_planted}"
        );
        assert!(
            targets_found * 100 >= targets_planted * 90,
            "{targets_found}/{targets_planted}"
        );
    }

    #[test]
    fn vocabulary_is_zipf_with_common_words_first() {
        let generator = Generator::new(3);
        assert!(generator.vocabulary() > 20_000);
        let mut text = String::new();
        let mut the = 0usize;
        let mut total = 0usize;
        for i in 0..50 {
            generator.article(i, &mut text);
            for w in text.split_whitespace() {
                total += 1;
                if w.eq_ignore_ascii_case("the") {
                    the += 1;
                }
            }
        }
        let share = the as f64 / total as f64;
        assert!((0.03..0.15).contains(&share), "'the' is {share} of words");
    }

    #[test]
    fn alias_table_follows_the_weights() {
        let table = AliasTable::new(&[1.0, 2.0, 7.0, 0.5]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0usize; 4];
        for _ in 0..105_000 {
            counts[table.sample(&mut rng)] += 1;
        }
        for (count, expected) in counts.iter().zip([10_000, 20_000, 70_000, 5_000]) {
            assert!(count.abs_diff(expected) < 1_000, "{counts:?}");
        }
    }

    #[test]
    fn paths_are_sharded() {
        assert_eq!(relative_path(0), "0000/0000000.txt");
        assert_eq!(relative_path(1_234_567), "1234/1234567.txt");
    }
}
