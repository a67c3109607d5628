//! Property tests through the library: arbitrary queries, flag values, bytes
//! and articles never panic; every request gets results or one clear error;
//! every article that is indexed can be found again by a word it contains.

use std::fs;
use std::path::Path;

use crate::common::index_corpus;
use chrono::NaiveDate;
use clap::Parser;
use dossier::cli::{Cli, Command};
use dossier::gazetteer::Aliased;
use dossier::search::{query_depth, SearchError, SearchRequest, Searchable, Sort, MAX_QUERY_DEPTH};
use dossier::source::format::markdown::parse_note;
use dossier::source::format::text::parse_article;
use dossier::source::format::{dates, EARLIEST_DATE};
use dossier::source::SkipReason;
use dossier::IndexOptions;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tempfile::TempDir;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn options() -> IndexOptions {
    let mut options = IndexOptions::new(today());
    options.write.memory_bytes = 32 * 1024 * 1024;
    options
}

/// A small index with actors, countries, dated and undated articles.
struct Fixture {
    _dir: TempDir,
    searchable: Searchable,
    articles: usize,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir(&corpus).unwrap();
    let bodies = [
        "APT31 hacked the UK Electoral Commission, British officials said.",
        "Finland's parliament was breached by Zirconium, the security police said.",
        "The Bundestag network was compromised by Sofacy, also known as Fancy Bear.",
        "Sandworm Team attacked the Ukrainian power grid in December.",
        "Volt Typhoon pre-positioned in US utilities, CISA warned.",
        "Salt Typhoon breached American telecom carriers and lawful intercept systems.",
        "Lazarus Group stole cryptocurrency from exchanges in South Korea and Japan.",
        "Charming Kitten phished Israeli and American researchers.",
        "A report on cloud hopper: APT10 targeted managed service providers.",
        "Turla hijacked Iranian infrastructure to attack targets in Europe.",
    ];
    let mut articles = 0;
    for (i, body) in bodies.iter().enumerate() {
        let header = if i % 4 == 3 {
            String::new()
        } else {
            format!(" date {}-0{}-1{} ", 2012 + i, 1 + i % 9, i % 9)
        };
        fs::write(corpus.join(format!("a{i}.txt")), format!("{header}{body}")).unwrap();
        articles += 1;
    }
    let index_dir = dir.path().join("index");
    let summary = index_corpus(&corpus, &index_dir, &options()).unwrap();
    assert_eq!(summary.added, articles);
    let searchable = crate::common::searchable(&index_dir);
    Fixture {
        _dir: dir,
        searchable,
        articles,
    }
}

/// An error message is one sentence on one line, and short.
fn assert_one_sentence(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.is_empty());
    prop_assert!(!message.contains('\n'), "multi-line error: {message}");
    prop_assert!(
        message.len() < 800,
        "overlong error: {} chars",
        message.len()
    );
    Ok(())
}

/// Runs a request: results that respect the request, or a query error.
/// Anything else (an engine error) would be reported as a damaged index.
fn check_search(fixture: &Fixture, request: &SearchRequest) -> Result<(), TestCaseError> {
    match fixture.searchable.search(request) {
        Ok(results) => {
            prop_assert!(results.total_hits <= fixture.articles);
            prop_assert!(results.hits.len() <= request.limit);
            prop_assert!(results.hits.len() <= results.total_hits.saturating_sub(request.offset));
            prop_assert_eq!(results.facets.is_some(), request.facets);
        }
        Err(error @ SearchError::BadQuery { .. }) => assert_one_sentence(&error.to_string())?,
        Err(error) => prop_assert!(false, "not a query error: {error}"),
    }
    Ok(())
}

/// Pieces of query syntax, valid and not, to be strung together.
fn query_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("("),
        Just(")"),
        Just("\""),
        Just(" "),
        Just(" AND "),
        Just(" OR "),
        Just("NOT "),
        Just("-"),
        Just("+"),
        Just("title:"),
        Just("body:"),
        Just("aliases:"),
        Just("nosuchfield:"),
        Just("id:"),
        Just("path:"),
        Just("date:"),
        Just("actor:"),
        Just("signature:"),
        Just("evidence:"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just(" TO "),
        Just("IN ["),
        Just("*"),
        Just("body:* "),
        Just("path:*"),
        Just("id:*"),
        Just("date:*"),
        Just("aliases:*"),
        Just("signature:>3"),
        Just("title:>a"),
        Just("id:\"a b\""),
        Just("^2"),
        Just("^"),
        Just("~3"),
        Just("\\"),
        Just("/"),
        Just(":"),
        Just("'"),
        Just("2024-01-01T00:00:00Z"),
        Just("typhoon"),
        Just("apt31"),
        Just("electoral"),
        Just("Zirconium"),
        Just("café"),
        Just("İ"),
        Just("\u{0}"),
        Just("12"),
        Just("-3.5"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn any_query() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => query_soup(),
        1 => any::<String>(),
        1 => "[a-zA-Z0-9 \"():*^~+\\-\\[\\]{}]{0,60}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_query_gets_results_or_one_clear_error(query in any_query(), sort in 0..3usize, facets: bool) {
        let fixture = FIXTURE.with(|f| f.clone());
        let request = SearchRequest {
            query: Some(query),
            limit: 5,
            sort: [Sort::Relevance, Sort::Newest, Sort::Oldest][sort],
            facets,
            ..SearchRequest::default()
        };
        check_search(&fixture, &request)?;
    }

    #[test]
    fn nesting_within_the_limit_works_and_beyond_it_is_refused(
        depth in 0..(MAX_QUERY_DEPTH * 3),
        not in any::<bool>(),
    ) {
        let fixture = FIXTURE.with(|f| f.clone());
        let query = if not {
            format!("typhoon {}apt31", "NOT ".repeat(depth))
        } else {
            format!("{}typhoon OR apt31{}", "(".repeat(depth), ")".repeat(depth))
        };
        prop_assert_eq!(query_depth(&query), depth);
        let request = SearchRequest { query: Some(query), limit: 3, ..SearchRequest::default() };
        match fixture.searchable.search(&request) {
            Ok(_) => prop_assert!(depth <= MAX_QUERY_DEPTH),
            Err(SearchError::BadQuery { reason, .. }) if reason.contains("levels deep") => {
                prop_assert!(depth > MAX_QUERY_DEPTH)
            }
            // A chain of NOTs may be refused by the parser itself.
            Err(SearchError::BadQuery { .. }) => prop_assert!(not),
            Err(error) => prop_assert!(false, "{error}"),
        }
    }

    #[test]
    fn any_limit_and_offset_through_the_library_never_panic(
        limit in prop_oneof![Just(usize::MAX), Just(usize::MAX / 2), 0..20usize, any::<usize>()],
        offset in prop_oneof![Just(usize::MAX), Just(usize::MAX - 1), 0..20usize, any::<usize>()],
        query in prop_oneof![Just(None), Just(Some("typhoon".to_string())), Just(Some("said".to_string()))],
        sort in 0..3usize,
        facets: bool,
    ) {
        let fixture = FIXTURE.with(|f| f.clone());
        let request = SearchRequest {
            query,
            limit,
            offset,
            sort: [Sort::Relevance, Sort::Newest, Sort::Oldest][sort],
            facets,
            ..SearchRequest::default()
        };
        check_search(&fixture, &request)?;
    }

    #[test]
    fn any_flag_values_get_results_or_one_clear_error(
        query in prop::option::of(any_query()),
        actor in prop::option::of(prop_oneof![
            Just("Fancy Bear".to_string()), Just("apt 31".to_string()),
            Just("Fancy Bare".to_string()), any::<String>(),
        ]),
        country in prop::option::of(prop_oneof![
            Just("GB".to_string()), Just("Britain".to_string()), Just("narnia".to_string()),
            Just("".to_string()), any::<String>(),
        ]),
        since in prop::option::of(date_like()),
        until in prop::option::of(date_like()),
        limit in prop_oneof![Just("0".to_string()), Just("10000".to_string()),
            Just("10001".to_string()), Just("-1".to_string()), (0..100u64).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()), any::<String>()],
        offset in prop_oneof![Just("1000000".to_string()), Just("18446744073709551615".to_string()),
            (0..100u64).prop_map(|n| n.to_string()), any::<String>()],
        sort in prop_oneof![Just("relevance"), Just("newest"), Just("oldest"), Just("sideways")],
        facets: bool,
    ) {
        let fixture = FIXTURE.with(|f| f.clone());
        let mut args = vec!["dossier".to_string(), "search".to_string()];
        let mut flag = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                args.push(format!("--{name}={value}"));
            }
        };
        flag("actor", &actor);
        flag("country", &country);
        flag("sponsor", &country);
        flag("since", &since);
        flag("until", &until);
        flag("limit", &Some(limit));
        flag("offset", &Some(offset));
        flag("sort", &Some(sort.to_string()));
        if facets {
            args.push("--facets".to_string());
        }
        if let Some(query) = query {
            args.push("--".to_string());
            args.push(query);
        }
        // clap rejects what is not a number or not an order with its own
        // message; the rest goes to the library, which refuses in one
        // sentence naming the flag.
        let Ok(cli) = Cli::try_parse_from(&args) else { return Ok(()) };
        let Command::Search(search) = cli.command else {
            return Err(TestCaseError::fail("not a search"));
        };
        match crate::common::engine().resolve(&search.to_params()) {
            Ok(request) => check_search(&fixture, &request)?,
            Err(error) => {
                let message = error.for_flags();
                prop_assert!(message.starts_with("--"), "{message}");
                assert_one_sentence(&message)?
            }
        }
    }
}

/// Dates, plausible and not: out of Tantivy's range, impossible, malformed.
fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0001-01-01".to_string()),
        Just("9999-12-31".to_string()),
        Just("1677-09-21".to_string()),
        Just("2262-04-12".to_string()),
        Just("2024-02-30".to_string()),
        Just("+262143-12-31".to_string()),
        Just("-0001-01-01".to_string()),
        Just(" 2024-01-01 ".to_string()),
        (0..=99_999i32, 0..=13u32, 0..=32u32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        any::<String>(),
    ]
}

/// One fixture per test thread: built once, shared by every case.
#[derive(Clone)]
struct Shared(std::rc::Rc<Fixture>);

impl std::ops::Deref for Shared {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.0
    }
}

thread_local! {
    static FIXTURE: Shared = Shared(std::rc::Rc::new(fixture()));
}

// ---------------------------------------------------------------------------
// Ingest and extraction.

/// Bytes that look a little like articles: headers, BOMs, line endings,
/// Windows-1252 and UTF-8 text, control characters, NULs.
fn article_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"date ".to_vec()),
        Just(b" date 2024-03-28 ".to_vec()),
        Just(b"date 2024-02-30 ".to_vec()),
        Just(b"date 0001-01-01 ".to_vec()),
        Just(b"date 9999-12-31 ".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b". ".to_vec()),
        Just(b"U.S. ".to_vec()),
        Just(b"Dr. ".to_vec()),
        Just(b"Caf\xE9 ".to_vec()),
        Just("Café ".as_bytes().to_vec()),
        Just(b"\x93quoted\x94 ".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\x01\x02\x03".to_vec()),
        Just(b"APT31 hacked Britain. ".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
        "[ -~]{0,40}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// Bytes that look a little like Markdown notes: front matter, its
/// delimiters, YAML and TOML that may or may not parse, Markdown syntax.
fn note_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"---\n".to_vec()),
        Just(b"+++\n".to_vec()),
        Just(b"...\n".to_vec()),
        Just(b"title: A: B\n".to_vec()),
        Just(b"date: 2024-03-28T10:00:00Z\n".to_vec()),
        Just(b"date = 2024-03-28\n".to_vec()),
        Just(b"actors: [APT28, *x]\n".to_vec()),
        Just(b"countries: &x\n  - NO\n".to_vec()),
        Just(b"tags: 'a, b'\n".to_vec()),
        Just(b"[params]\n".to_vec()),
        Just(b"# Heading\n".to_vec()),
        Just(b"| a | b |\n|---|---|\n| c | d |\n".to_vec()),
        Just(b"```\ncode\n```\n".to_vec()),
        Just(b"[text](https://example.org/x) ".to_vec()),
        Just(b"<https://example.org/y> ".to_vec()),
        Just(b"[[Note|alias]] ![[embed.png]] ".to_vec()),
        Just(b"<div>html</div>\n".to_vec()),
        Just(b"June 17, 2016 ".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsing_arbitrary_bytes_never_panics(
        bytes in prop_oneof![article_bytes(), prop::collection::vec(any::<u8>(), 0..600)],
    ) {
        match parse_article(&bytes, today()) {
            Ok(article) => {
                prop_assert!(!article.body.is_empty());
                prop_assert_eq!(article.body.trim(), article.body.as_str());
                prop_assert!(!article.body.contains('\r'));
                prop_assert!(article.title.chars().count() <= 121);
                if let Some(date) = article.date {
                    prop_assert!(date >= dossier::source::format::EARLIEST_DATE);
                    prop_assert!(date <= today() + chrono::Days::new(2));
                }
            }
            Err(SkipReason::Empty | SkipReason::Binary) => {}
            Err(other) => prop_assert!(false, "unexpected skip for bytes: {other}"),
        }
    }

    #[test]
    fn reading_arbitrary_notes_never_panics(
        bytes in prop_oneof![note_bytes(), prop::collection::vec(any::<u8>(), 0..600)],
    ) {
        match parse_note(&bytes, today()) {
            Ok(note) => {
                prop_assert!(!note.body.trim().is_empty());
                prop_assert!(!note.body.contains('\r'));
                prop_assert!(note.title.chars().count() <= 121);
                if let Some(date) = note.date {
                    prop_assert!(date >= EARLIEST_DATE);
                    prop_assert!(date <= today() + chrono::Days::new(2));
                }
                prop_assert!(note.declared.iter().all(|(_, d)| d.from == "front matter"));
            }
            Err(SkipReason::Empty | SkipReason::Binary | SkipReason::Unusable(_)) => {}
            Err(other) => prop_assert!(false, "unexpected skip for bytes: {other}"),
        }
    }

    #[test]
    fn guessed_dates_are_plausible_and_declared_ones_round_trip(
        text in "[ -~\n]{0,200}",
        day in 0u32..40_000,
    ) {
        if let Some(date) = dates::guess_date(&text, today()) {
            prop_assert!(dates::plausible(date, today()));
        }
        let date = EARLIEST_DATE + chrono::Days::new(u64::from(day));
        for form in [
            date.format("%Y-%m-%d").to_string(),
            format!("{date}T10:00:00Z"),
            date.format("%B %-d, %Y").to_string(),
            date.format("%-d %b %Y").to_string(),
            date.format("%d.%m.%Y").to_string(),
            date.format("%a, %d %b %Y").to_string() + " 10:00:00 +0000",
        ] {
            prop_assert_eq!(dates::parse_date(&form), Some(date), "{}", form);
        }
    }

    #[test]
    fn extraction_never_panics_and_offsets_point_at_the_surface(text in extraction_text()) {
        let extraction = crate::common::engine().extractor().extract(&text);
        for actor in &extraction.actors {
            for mention in &actor.mentions {
                prop_assert_eq!(
                    text.get(mention.offset..mention.offset + mention.surface.len()),
                    Some(mention.surface.as_str())
                );
            }
        }
        for country in &extraction.countries {
            for (mention, _) in &country.mentions {
                prop_assert_eq!(
                    text.get(mention.offset..mention.offset + mention.surface.len()),
                    Some(mention.surface.as_str())
                );
            }
        }
    }
}

/// Text built from real aliases, country names, cue words, punctuation and
/// awkward Unicode (case mappings that change length, combining marks).
fn extraction_text() -> impl Strategy<Value = String> {
    let gazetteer = crate::common::engine().gazetteer();
    let mut names: Vec<String> = gazetteer
        .actors()
        .iter()
        .take(150)
        .flat_map(|a| a.all_aliases().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for country in gazetteer.countries().iter().take(60) {
        names.push(country.name.clone());
        names.extend(country.names.iter().cloned());
        names.extend(country.demonyms.iter().cloned());
    }
    let piece = prop_oneof![
        4 => prop::sample::select(names),
        2 => prop::sample::select(vec![
            " ", " ", "\n", ". ", ", ", "'s ", "-", "the ", "known as ", "targeting ",
            "accused ", "hackers ", "state-sponsored ", "attributed to ", "U.S.", "UK",
            "US", "İ", "ß", "ﬁ", "\u{301}", "\u{200b}", "Σ", "🙂", "中国", "\u{0}", "APT 41",
            "APT-41", "apt41", "SNAKE", "Lead", "https://", "www.", "/", "](", "\u{a0}",
            "\u{2003}", "\u{3000}", "named this threat actor ", "G0064",
        ].into_iter().map(str::to_string).collect::<Vec<_>>()),
        1 => any::<String>(),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

// ---------------------------------------------------------------------------
// Round trip: what is indexed is found again.

/// A word that occurs in one generated article only and survives analysis.
fn marker(i: usize) -> String {
    format!("zqx{}w", ["b", "c", "d", "f", "g", "h", "k", "m"][i])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_indexed_article_is_found_again_by_a_unique_word(
        articles in prop::collection::vec((article_bytes(), article_bytes()), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        fs::create_dir(&corpus).unwrap();
        for (i, (before, after)) in articles.iter().enumerate() {
            let mut bytes = before.clone();
            bytes.extend_from_slice(format!(" {} ", marker(i)).as_bytes());
            bytes.extend_from_slice(after);
            fs::write(corpus.join(format!("{i}.txt")), bytes).unwrap();
        }
        let index_dir = dir.path().join("index");
        let summary = index_corpus(&corpus, &index_dir, &options())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.added + summary.skipped.len(), articles.len());
        let skipped: Vec<String> = summary
            .skipped
            .iter()
            .map(|s| file_name(&s.path))
            .collect();
        for skip in &summary.skipped {
            prop_assert!(skip.reason.starts_with("binary file"), "{}", skip.reason);
        }
        let searchable = crate::common::searchable(&index_dir);
        for i in 0..articles.len() {
            let id = format!("{i}.txt");
            let request = SearchRequest {
                query: Some(marker(i)),
                limit: 10,
                ..SearchRequest::default()
            };
            let results = searchable.search(&request).unwrap();
            let ids: Vec<&str> = results.hits.iter().map(|h| h.document.id.as_str()).collect();
            if skipped.contains(&id) {
                prop_assert!(ids.is_empty());
            } else {
                prop_assert_eq!(ids, vec![id.as_str()]);
            }
        }
    }
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
