//! End-to-end tests of the `dossier` binary on temporary corpora: indexing,
//! ranking, filters, facets, incremental updates and error messages.
//!
//! Where things go: binary-level behaviour here; extraction accuracy in
//! `tests/extraction.rs`; unit tests beside the code. Name regression tests
//! after what broke.

use crate::common;

use std::collections::BTreeSet;
use std::fs;

use common::{set, TestEnv};
use predicates::prelude::*;
use serde_json::Value;

/// A small corpus with known facets.
fn sample_env() -> TestEnv {
    let env = TestEnv::new();
    env.article(
        "uk-electoral.txt",
        "2024-03-25",
        "APT31 hacked the UK Electoral Commission, British officials said.\n\n\
         The electoral commission breach exposed voter registers. The electoral commission \
         said the electoral registers of millions were accessed by the China-backed group.",
    );
    env.article(
        "finland.txt",
        "2021-03-18",
        "Finland's parliament was breached by Zirconium, the security police said.\n\n\
         The Finnish Security Intelligence Service said the group was linked to China. \
         An electoral commission was not involved.",
    );
    env.article(
        "bundestag.txt",
        "2015-06-12",
        "The Bundestag network was compromised by Sofacy.\n\n\
         German officials said the attackers, also known as Fancy Bear, stole data from \
         Germany's parliament. Russia denied involvement.",
    );
    env.article(
        "sandworm.txt",
        "2016-01-05",
        "Sandworm Team attacked the Ukrainian power grid.\n\n\
         Voodoo Bear, as CrowdStrike calls the group, cut power to homes in Ukraine.",
    );
    env.article(
        "policy.txt",
        "2023-03-02",
        "The national cybersecurity strategy shifts liability to software makers.\n\n\
         The lead author said a patchwork of rules must end. Lead investigators said the \
         Mask, Snake and Equation projects were unrelated, and Reaper is a mere nickname.",
    );
    env.raw(
        "nested/undated.txt",
        b"A report without a date header about Kimsuky phishing South Korean experts.",
    );
    env
}

#[test]
fn index_reports_a_summary_and_warns_about_missing_dates() {
    let env = sample_env();
    let stderr = env.index_corpus();
    assert!(
        stderr.contains("6 added, 0 updated, 0 removed, 0 unchanged, 0 skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("undated.txt: warning: no `date YYYY-MM-DD` header"),
        "{stderr}"
    );
}

#[test]
fn ranking_puts_the_most_prominent_match_first() {
    let env = sample_env();
    env.index_corpus();
    let ids = env.ids(&["electoral commission"]);
    assert_eq!(ids, vec!["uk-electoral.txt", "finland.txt"]);
}

#[test]
fn search_json_has_the_documented_shape() {
    let env = sample_env();
    env.index_corpus();
    let result = env.search(&["electoral", "--facets"]);
    for key in ["query", "total_hits", "took_ms", "hits", "facets"] {
        assert!(result.get(key).is_some(), "missing {key}");
    }
    let hit = &result["hits"][0];
    let keys: BTreeSet<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "source_file",
            "path",
            "title",
            "date",
            "source",
            "url",
            "format",
            "score",
            "actors",
            "sponsors",
            "targets",
            "sectors",
            "cves",
            "techniques",
            "malware",
            "evidence",
            "declared",
            "snippet",
            "highlights"
        ]),
        "the documented fields"
    );
    assert_eq!(hit["date"], "2024-03-25");
    assert_eq!(hit["format"], "text");
    assert_eq!(hit["id"], hit["source_file"]);
    assert!(hit["source"].is_null() && hit["url"].is_null());
    assert_eq!(hit["declared"], serde_json::json!([]));
    assert_eq!(
        hit["title"],
        "APT31 hacked the UK Electoral Commission, British officials said."
    );
    assert_eq!(set(&hit["actors"]), BTreeSet::from(["APT31".to_string()]));
    assert_eq!(set(&hit["sponsors"]), BTreeSet::from(["CN".to_string()]));
    assert_eq!(set(&hit["targets"]), BTreeSet::from(["GB".to_string()]));
    assert!(hit["snippet"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("electoral"));
    let highlight = &hit["highlights"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    let (start, end) = (
        highlight[0].as_u64().unwrap() as usize,
        highlight[1].as_u64().unwrap() as usize,
    );
    assert!(snippet[start..end].eq_ignore_ascii_case("electoral"));
    for facet in ["actor", "sponsor", "target", "year"] {
        assert!(result["facets"][facet].is_object(), "facets.{facet}");
    }
    assert_eq!(result["facets"]["format"], serde_json::json!({"text": 2}));
}

#[test]
fn alias_search_finds_articles_that_use_another_name() {
    let env = sample_env();
    env.index_corpus();
    // Neither article says "Violet Typhoon"; both name APT31 by other aliases.
    let apt31 = BTreeSet::from(["uk-electoral.txt".to_string(), "finland.txt".to_string()]);
    for query in [
        "\"Violet Typhoon\"",
        "violet typhoon",
        "Zirconium",
        "apt-31",
    ] {
        let ids: BTreeSet<String> = env.ids(&[query]).into_iter().collect();
        assert_eq!(ids, apt31, "{query}");
    }
    // The alias is one required part of a longer query.
    assert_eq!(env.ids(&["violet typhoon parliament"]), vec!["finland.txt"]);
    // Half a name is an ordinary word, and a field limits the words to it.
    assert!(env.ids(&["violet"]).is_empty());
    assert!(env.ids(&["title:\"violet typhoon\""]).is_empty());
}

#[test]
fn actor_filter_takes_any_alias_and_repeats_mean_any() {
    let env = sample_env();
    env.index_corpus();
    let ids: BTreeSet<String> = env
        .ids(&["--actor", "Judgment Panda"])
        .into_iter()
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["uk-electoral.txt".to_string(), "finland.txt".to_string()])
    );
    let ids: BTreeSet<String> = env
        .ids(&["--actor", "apt-28", "--actor", "Seashell Blizzard"])
        .into_iter()
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["bundestag.txt".to_string(), "sandworm.txt".to_string()])
    );
}

#[test]
fn sector_technique_and_ransomware_filters_take_names_as_analysts_write_them() {
    let env = TestEnv::new();
    env.article(
        "telecoms.txt",
        "2024-11-20",
        "Salt Typhoon breached telecommunications carriers in the United States, \
         using Spearphishing Attachment lures.",
    );
    env.article(
        "hospital.txt",
        "2024-02-22",
        "The LockBit gang claimed the attack on the hospital, and LockBit 3.0 \
         encrypted its servers.",
    );
    env.article(
        "statement.txt",
        "2024-03-01",
        "The foreign ministry said it had summoned the ambassador.",
    );
    env.index_corpus();
    assert_eq!(env.ids(&["--sector", "telecoms"]), vec!["telecoms.txt"]);
    assert_eq!(env.ids(&["--sector", "hospitals"]), vec!["hospital.txt"]);
    assert!(env.ids(&["--sector", "diplomacy"]).is_empty());
    assert_eq!(
        env.ids(&["--technique", "spearphishing attachment"]),
        vec!["telecoms.txt"]
    );
    assert_eq!(env.ids(&["--actor", "GhostEmperor"]), vec!["telecoms.txt"]);
    for gang in ["LockBit", "LockBit gang", "lockbit ransomware operators"] {
        assert_eq!(env.ids(&["--actor", gang]), vec!["hospital.txt"], "{gang}");
    }
    assert_eq!(env.ids(&["--malware", "LockBit 2.0"]), vec!["hospital.txt"]);
    let result = env.search(&["--facets", "--limit", "0"]);
    assert_eq!(result["facets"]["sector"]["health"], 1, "{result}");
}

#[test]
fn country_and_sponsor_filters_take_codes_and_names() {
    let env = sample_env();
    env.index_corpus();
    assert_eq!(env.ids(&["--country", "Britain"]), vec!["uk-electoral.txt"]);
    assert_eq!(env.ids(&["--country", "gb"]), vec!["uk-electoral.txt"]);
    assert_eq!(env.ids(&["--country", "Finland"]), vec!["finland.txt"]);
    let russian: BTreeSet<String> = env.ids(&["--sponsor", "Russia"]).into_iter().collect();
    assert_eq!(
        russian,
        BTreeSet::from(["bundestag.txt".to_string(), "sandworm.txt".to_string()])
    );
    // Different flags must all hold.
    assert_eq!(
        env.ids(&["--sponsor", "CN", "--country", "FI"]),
        vec!["finland.txt"]
    );
    assert!(env.ids(&["--sponsor", "RU", "--country", "FI"]).is_empty());
}

#[test]
fn the_accused_state_is_not_a_target() {
    let env = sample_env();
    env.index_corpus();
    assert!(env.ids(&["--country", "CN"]).is_empty());
    assert!(env.ids(&["--country", "RU"]).is_empty());
}

#[test]
fn date_filters_are_inclusive() {
    let env = sample_env();
    env.index_corpus();
    assert_eq!(
        env.ids(&["--since", "2024-03-25"]),
        vec!["uk-electoral.txt"]
    );
    assert_eq!(env.ids(&["--until", "2015-06-12"]), vec!["bundestag.txt"]);
    assert_eq!(
        env.ids(&[
            "--since",
            "2015-06-12",
            "--until",
            "2016-01-05",
            "--sort",
            "oldest"
        ]),
        vec!["bundestag.txt", "sandworm.txt"]
    );
}

#[test]
fn no_query_lists_every_article_newest_first_with_undated_last() {
    let env = sample_env();
    env.index_corpus();
    let ids = env.ids(&[]);
    assert_eq!(
        ids,
        vec![
            "uk-electoral.txt",
            "policy.txt",
            "finland.txt",
            "sandworm.txt",
            "bundestag.txt",
            "nested/undated.txt"
        ]
    );
}

#[test]
fn query_syntax_supports_phrases_or_not_and_fields() {
    let env = sample_env();
    env.index_corpus();
    assert_eq!(env.ids(&["\"power grid\""]), vec!["sandworm.txt"]);
    let either: BTreeSet<String> = env.ids(&["bundestag OR grid"]).into_iter().collect();
    assert_eq!(
        either,
        BTreeSet::from(["bundestag.txt".to_string(), "sandworm.txt".to_string()])
    );
    assert_eq!(env.ids(&["electoral -finnish"]), vec!["uk-electoral.txt"]);
    assert_eq!(env.ids(&["title:parliament"]), vec!["finland.txt"]);
    // Every term is required by default.
    assert!(env.ids(&["bundestag grid"]).is_empty());
}

#[test]
fn facet_counts_equal_the_number_of_matching_articles() {
    let env = sample_env();
    env.index_corpus();
    let result = env.search(&["--facets", "--limit", "1"]);
    assert_eq!(result["total_hits"], 6);
    assert_eq!(
        result["hits"].as_array().unwrap().len(),
        1,
        "limit applies to hits, not to facets"
    );
    for (facet, flag) in [
        ("actor", "--actor"),
        ("sponsor", "--sponsor"),
        ("target", "--country"),
    ] {
        let counts = result["facets"][facet].as_object().unwrap();
        assert!(!counts.is_empty(), "no {facet} facets");
        for (value, count) in counts {
            let filtered = env.search(&[flag, value, "--limit", "0"]);
            assert_eq!(&filtered["total_hits"], count, "{facet}={value}");
        }
    }
    let years = result["facets"]["year"].as_object().unwrap();
    assert_eq!(years["2024"], 1);
    assert_eq!(
        years.values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
        5,
        "the undated article has no year"
    );
}

#[test]
fn facet_counts_over_every_article_skip_replaced_versions() {
    // Counts over every article are read from the term dictionaries; an
    // updated article leaves its old version deleted but still in a segment,
    // and that version must not be counted.
    let env = TestEnv::new();
    env.article(
        "a.txt",
        "2024-01-02",
        "Fancy Bear phished the Bundestag in Germany.",
    );
    env.article(
        "b.txt",
        "2024-01-03",
        "APT28 attacked a ministry in Poland.",
    );
    env.article(
        "c.txt",
        "2024-01-04",
        "Lazarus Group robbed a bank in Bangladesh.",
    );
    env.index_corpus();
    env.article(
        "a.txt",
        "2024-01-02",
        "On second thought, the Lazarus Group phished the Bundestag in Germany.",
    );
    assert_eq!(env.index_json()["updated"], 1);

    let every = env.search(&["--facets", "--limit", "0"]);
    assert_eq!(every["total_hits"], 3);
    let actors = every["facets"]["actor"].as_object().unwrap();
    assert_eq!(actors.len(), 2, "{actors:?}");
    let counts: Vec<u64> = actors.values().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>(), 3, "{actors:?}");
    assert!(counts.contains(&2) && counts.contains(&1), "{actors:?}");
    // The same counts through the collectors, which visit live articles.
    let filtered = env.search(&["--facets", "--limit", "0", "--since", "1900-01-01"]);
    assert_eq!(every["facets"], filtered["facets"]);
}

#[test]
fn facet_counts_over_matches_equal_filtered_totals() {
    // Facet counts over a query's matches walk postings when the matches are
    // dense and read facet columns when they are sparse: both must agree
    // with the number of articles a filter on each value returns.
    let env = TestEnv::new();
    fs::remove_dir_all(env.corpus()).ok();
    env.cmd()
        .args([
            "gen-corpus",
            "--docs",
            "400",
            "--seed",
            "3",
            "--out",
            "corpus",
        ])
        .assert()
        .success();
    env.index_corpus();
    // `attack` matches nearly every article; 2026 only about one in twenty.
    for scope in [&["attack"][..], &["--since", "2026-01-01"][..]] {
        let with = |extra: &[&str]| {
            let mut args: Vec<&str> = scope.to_vec();
            args.extend_from_slice(extra);
            env.search(&args)
        };
        let result = with(&["--facets", "-n", "0"]);
        let total = result["total_hits"].as_u64().unwrap();
        assert!(total > 0, "{scope:?} matched nothing");
        for (facet, flag) in [
            ("actor", "--actor"),
            ("sponsor", "--sponsor"),
            ("target", "--country"),
        ] {
            let counts = result["facets"][facet].as_object().unwrap();
            assert!(!counts.is_empty(), "{scope:?}: no {facet} facets");
            for (value, count) in counts.iter().take(8) {
                let filtered = with(&[flag, value, "-n", "0"]);
                assert_eq!(&filtered["total_hits"], count, "{scope:?}: {facet}={value}");
            }
        }
        let years: u64 = result["facets"]["year"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(years, total, "{scope:?}: every generated article is dated");
    }
}

#[test]
fn ordinary_words_do_not_become_actors() {
    let env = sample_env();
    env.index_corpus();
    let hit = &env.search(&["patchwork"])["hits"][0];
    assert_eq!(hit["id"], "policy.txt");
    assert!(hit["actors"].as_array().unwrap().is_empty(), "{hit}");
}

#[test]
fn reindexing_is_idempotent() {
    let env = sample_env();
    let first = env.index_json();
    assert_eq!(first["added"], 6);
    let second = env.index_json();
    assert_eq!(second["added"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(second["unchanged"], 6);
    assert_eq!(env.search(&["--limit", "0"])["total_hits"], 6);
}

#[test]
fn changed_new_and_deleted_files_are_handled() {
    let env = sample_env();
    env.index_json();
    // Changed: different size, so the change is seen whatever the clock resolution.
    env.article(
        "policy.txt",
        "2023-03-02",
        "The strategy now also names Volt Typhoon as a threat to US utilities.",
    );
    env.article(
        "new.txt",
        "2025-01-01",
        "Salt Typhoon breached American telecom carriers.",
    );
    fs::remove_file(env.corpus().join("sandworm.txt")).unwrap();
    let summary = env.index_json();
    assert_eq!(
        (
            summary["added"].as_u64(),
            summary["updated"].as_u64(),
            summary["removed"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(summary["unchanged"], 4);
    assert_eq!(env.search(&["--limit", "0"])["total_hits"], 6);
    assert_eq!(
        env.ids(&["strategy", "--actor", "Volt Typhoon"]),
        vec!["policy.txt"]
    );
    assert!(env.ids(&["grid"]).is_empty());
    assert_eq!(env.ids(&["telecom"]), vec!["new.txt"]);
}

#[test]
fn bad_files_are_reported_skipped_and_counted() {
    let env = sample_env();
    env.raw("empty.txt", b"");
    env.raw("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    env.raw(
        "latin1.txt",
        b" date 2020-05-05 Caf\xE9 owners in Quebec were phished by APT29.",
    );
    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("empty.txt: empty file"), "{stderr}");
    assert!(
        stderr.contains("image.txt: misnamed file: a PNG image named .txt"),
        "{stderr}"
    );
    assert!(
        stderr.contains("latin1.txt: warning: not valid UTF-8; decoded as Windows-1252"),
        "{stderr}"
    );
    assert!(
        stderr.contains("7 added") && stderr.contains("2 skipped"),
        "{stderr}"
    );
    assert_eq!(env.ids(&["café"]), vec!["latin1.txt"]);
}

#[test]
fn exit_codes_distinguish_hits_no_hits_and_errors() {
    let env = sample_env();
    env.index_corpus();
    env.cmd()
        .args(["search", "grid", "--index", "index"])
        .assert()
        .code(0);
    env.cmd()
        .args(["search", "nonexistentword", "--index", "index"])
        .assert()
        .code(1);
    env.cmd()
        .args(["search", "grid", "--index", "missing"])
        .assert()
        .code(2);
}

#[test]
fn bad_flags_and_queries_get_one_clear_sentence() {
    let env = sample_env();
    env.index_corpus();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--actor", "Fancy Bare"],
            "is not a known threat actor or alias; did you mean",
        ),
        (&["--country", "Narnia"], "is not a country"),
        (
            &["--filetype", "pfd"],
            "--filetype \"pfd\" is not a format dossier reads; give one of text, markdown, html, json, stix, pdf",
        ),
        (
            &["--since", "2024-02-30"],
            "--since \"2024-02-30\" is not a date; write it as YYYY-MM-DD",
        ),
        (
            &["--since", "2024-05-01", "--until", "2024-01-01"],
            "is after --until",
        ),
        (
            &["--sector", "fishing"],
            "--sector \"fishing\" is not a sector; use one of government, defence",
        ),
        (
            &["--technique", "Teleportation"],
            "is not an ATT&CK technique ID or name",
        ),
        (&["(unbalanced"], "cannot parse the query"),
        (&["nosuchfield:value"], "cannot parse the query"),
    ];
    for (args, message) in cases {
        env.cmd()
            .arg("search")
            .args(*args)
            .args(["--index", "index"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn missing_index_and_corpus_are_explained() {
    let env = TestEnv::new();
    env.cmd()
        .args(["search", "x", "--index", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no index at nowhere; build one with `dossier index",
        ));
    env.cmd()
        .args(["index", "no-such-folder", "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus folder no-such-folder does not exist",
        ));
    let file = env.article("a.txt", "2020-01-01", "x");
    env.cmd()
        .args(["index", file.to_str().unwrap(), "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file, not a folder"));
}

#[test]
fn limit_zero_counts_and_offset_pages() {
    let env = sample_env();
    env.index_corpus();
    let counted = env.search(&["--limit", "0"]);
    assert_eq!(counted["total_hits"], 6);
    assert!(counted["hits"].as_array().unwrap().is_empty());
    let all = env.ids(&[]);
    assert_eq!(
        env.ids(&["--limit", "2", "--offset", "2"]),
        all[2..4].to_vec()
    );
    let beyond = env.search(&["--offset", "1000000"]);
    assert_eq!(beyond["total_hits"], 6);
    assert!(beyond["hits"].as_array().unwrap().is_empty());
}

#[test]
fn search_on_a_fresh_clone_builds_the_default_index_first() {
    let env = sample_env();
    let output = env
        .cmd()
        .args(["search", "electoral commission", "--country", "GB"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no index at index/ yet; building it from corpus/ first"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("APT31 hacked the UK Electoral Commission"),
        "{stdout}"
    );
    // The second run uses the index it built, silently.
    env.cmd()
        .args(["search", "electoral commission"])
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
}

/// Makes the last commit of the index at `dir` say an older dossier
/// (schema 3) built it.
fn age_the_index(dir: &std::path::Path) {
    let meta = dir.join("meta.json");
    let text = fs::read_to_string(&meta).unwrap();
    let current = format!("\\\"schema_version\\\":{}", dossier::index::SCHEMA_VERSION);
    assert!(text.contains(&current), "{text}");
    fs::write(&meta, text.replace(&current, "\\\"schema_version\\\":3")).unwrap();
}

#[test]
fn an_index_built_by_an_older_dossier_is_rebuilt_by_index_and_by_search_on_the_default() {
    let env = sample_env();
    env.index_corpus();

    // Another index folder than the default is refused, with the fix.
    env.cmd()
        .args(["index", "corpus", "--index", "elsewhere", "--quiet"])
        .assert()
        .success();
    age_the_index(&env.dir.path().join("elsewhere"));
    env.cmd()
        .args(["search", "x", "--index", "elsewhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "built by another version of dossier",
        ));

    // `dossier index` starts over and says so.
    age_the_index(&env.index());
    let summary = env.index_json();
    assert_eq!(summary["rebuilt_from_schema"], 3, "{summary}");
    assert_eq!(summary["added"], 6, "{summary}");
    assert_eq!(env.search(&["--limit", "0"])["total_hits"], 6);

    // `dossier search` on the default index rebuilds it from corpus/ first.
    age_the_index(&env.index());
    let output = env
        .cmd()
        .args(["search", "electoral commission"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("was built by another version of dossier; rebuilding it from corpus/ first"),
        "{stderr}"
    );
}

#[test]
fn progress_json_reports_the_walk_skips_and_the_counts_one_object_a_line() {
    let env = sample_env();
    env.raw("broken.txt", b"\x89PNG\r\n\x1a\n\0\0");
    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index", "--progress", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let events: Vec<Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let event = |name: &str| events.iter().find(|e| e["event"] == name).cloned();
    assert_eq!(event("walked").expect("walked")["sources"], 7, "{stderr}");
    let skipped = event("skipped").expect("skipped");
    assert!(
        skipped["path"].as_str().unwrap().ends_with("broken.txt"),
        "{skipped}"
    );
    let progress = events
        .iter()
        .rev()
        .find(|e| e["event"] == "progress")
        .unwrap();
    assert_eq!(progress["sources_checked"], 7, "{progress}");
    assert_eq!(progress["sources_total"], 7, "{progress}");
    let finished = event("finished").expect("finished");
    assert_eq!(
        (finished["added"].as_u64(), finished["skipped"].as_u64()),
        (Some(6), Some(1))
    );
    assert_eq!(events.last().unwrap()["event"], "finished");
}

#[test]
fn table_output_shows_rank_date_title_actors_targets_path_and_snippet() {
    let env = sample_env();
    env.index_corpus();
    let output = env
        .cmd()
        .args(["search", "electoral", "--index", "index", "--facets"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("2 articles for \"electoral\""), "{stdout}");
    assert!(
        stdout.contains("  1. 2024-03-25  APT31 hacked the UK Electoral Commission"),
        "{stdout}"
    );
    assert!(
        stdout.contains("actors: APT31 (sponsor CN)   targets: GB"),
        "{stdout}"
    );
    assert!(stdout.contains("uk-electoral.txt"), "{stdout}");
    assert!(
        stdout.contains("Facets over all matching articles"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
}

#[test]
fn stats_summarise_the_index() {
    let env = sample_env();
    env.index_corpus();
    let output = env
        .cmd()
        .args(["stats", "--index", "index", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["articles"], 6);
    assert_eq!(stats["undated"], 1);
    assert_eq!(stats["first_date"], "2015-06-12");
    assert_eq!(stats["last_date"], "2024-03-25");
    assert!(stats["index_bytes"].as_u64().unwrap() > 0);
    assert_eq!(stats["facets"]["format"], serde_json::json!({"text": 6}));
    let table = env
        .cmd()
        .args(["stats", "--index", "index"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("format") && l.contains("text 6")),
        "{table}"
    );
    // A filter on the format keeps only its articles.
    assert_eq!(env.search(&["--filetype", "TEXT"])["total_hits"], 6);
    assert_eq!(env.search(&["--filetype", "pdf"])["total_hits"], 0);
}

#[test]
fn extract_shows_facets_with_evidence() {
    let env = sample_env();
    let output = env
        .cmd()
        .args(["extract", "corpus/finland.txt", "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let extracted: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &extracted[0];
    assert_eq!(set(&first["actors"]), BTreeSet::from(["APT31".to_string()]));
    assert_eq!(set(&first["targets"]), BTreeSet::from(["FI".to_string()]));
    assert_eq!(
        first["evidence"]["actors"][0]["mentions"][0]["surface"],
        "Zirconium"
    );

    // Why a brand was read as the gang or as the software, in the text too.
    env.article(
        "gang.txt",
        "2024-02-22",
        "The LockBit gang claimed the attack; LockBit 3.0 encrypted the servers.",
    );
    env.cmd()
        .args(["extract", "corpus/gang.txt"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "actor   LockBit: \"LockBit gang\"@4 (\"LockBit gang\": a gang, not software)",
        ))
        .stdout(predicate::str::contains(
            "(\"LockBit 3.0\": a version number: software)",
        ));
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let env = sample_env();
    env.index_corpus();
    // Hold Tantivy's writer lock the way a running `dossier index` does.
    let index = tantivy::Index::open_in_dir(env.index()).unwrap();
    let writer: tantivy::IndexWriter = index.writer(50_000_000).unwrap();
    env.cmd()
        .args(["index", "corpus", "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is being written by another dossier process",
        ));
    drop(writer);
    env.cmd()
        .args(["index", "corpus", "--index", "index"])
        .assert()
        .code(0);
}

#[test]
fn an_index_built_from_another_corpus_is_not_silently_replaced() {
    let env = sample_env();
    env.index_corpus();
    let other = env.dir.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("a.txt"), " date 2020-01-01 Something else.").unwrap();
    env.cmd()
        .args(["index", "other", "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --rebuild to replace it"));
    env.cmd()
        .args(["index", "other", "--index", "index", "--rebuild"])
        .assert()
        .code(0);
    assert_eq!(env.search(&["--limit", "0"])["total_hits"], 1);
}

#[test]
fn help_documents_exit_codes() {
    let env = TestEnv::new();
    env.cmd()
        .args(["search", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("1  search: no article matched"));
}

#[test]
fn cve_technique_and_malware_facets_filter_and_count() {
    let env = sample_env();
    env.article(
        "outlook.txt",
        "2023-03-15",
        "Forest Blizzard exploited CVE-2023-23397 in Outlook (T1566.001) against Ukrainian agencies.",
    );
    env.article(
        "grid2.txt",
        "2022-04-12",
        "Sandworm deployed Industroyer and CaddyWiper against Ukraine's grid (T1485), exploiting cve-2023-23397 too.",
    );
    env.index_corpus();
    let both: BTreeSet<String> = env.ids(&["--cve", "CVE-2023-23397"]).into_iter().collect();
    assert_eq!(
        both,
        BTreeSet::from(["outlook.txt".to_string(), "grid2.txt".to_string()])
    );
    assert_eq!(env.ids(&["--technique", "t1566.001"]), vec!["outlook.txt"]);
    assert_eq!(env.ids(&["--malware", "industroyer"]), vec!["grid2.txt"]);
    let result = env.search(&["--facets", "--limit", "0"]);
    assert_eq!(result["facets"]["cve"]["CVE-2023-23397"], 2);
    assert_eq!(result["facets"]["malware"]["CaddyWiper"], 1);
    let hit = &env.search(&["--malware", "CaddyWiper"])["hits"][0];
    assert_eq!(
        set(&hit["cves"]),
        BTreeSet::from(["CVE-2023-23397".to_string()])
    );
    assert_eq!(
        set(&hit["techniques"]),
        BTreeSet::from(["T1485".to_string()])
    );
    env.cmd()
        .args(["search", "--cve", "CVE-23", "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a CVE identifier"));
}

#[test]
fn a_query_word_in_the_title_scores_higher_than_the_same_word_later_in_the_body() {
    let env = TestEnv::new();
    // Same words, same length: only the first sentence, the title, differs.
    env.article(
        "later.txt",
        "2024-01-01",
        "The team wrote a report. Implants beacon home nightly.",
    );
    env.article(
        "first.txt",
        "2024-01-01",
        "Implants beacon home nightly. The team wrote a report.",
    );
    env.index_corpus();
    for query in [
        "beacon",
        "beacon report",
        "\"beacon home\"",
        "beacon -missing",
    ] {
        let result = env.search(&[query]);
        let hits = result["hits"].as_array().expect("hits");
        assert_eq!(hits.len(), 2, "{query}");
        assert_eq!(hits[0]["id"], "first.txt", "{query}");
        let (first, later) = (hits[0]["score"].as_f64(), hits[1]["score"].as_f64());
        assert!(first > later, "{query}: {first:?} vs {later:?}");
    }
    // A word only in the title of one and the body of the other matches both.
    assert_eq!(env.ids(&["team nightly"]).len(), 2);
}

/// `search` run with `args` (and `--index index`), its stdout as text.
fn search_output(env: &TestEnv, args: &[&str]) -> String {
    let output = env
        .cmd()
        .arg("search")
        .args(args)
        .args(["--index", "index"])
        .output()
        .expect("run search");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn csv_and_ndjson_hold_the_same_hits_as_json() {
    let env = sample_env();
    // A title with a comma, quotes and a line break inside one field.
    env.article(
        "quoted.txt",
        "2024-05-01",
        "APT31, the \"Judgment Panda\" group, hit Finland again.\n\nMore on APT31 later.",
    );
    env.index_corpus();
    for args in [
        &["--actor", "APT31"][..],
        &["electoral"],
        &["--sort", "oldest"],
    ] {
        let json = env.search(args);
        let hits = json["hits"].as_array().expect("hits");
        assert!(!hits.is_empty(), "{args:?}");

        let ndjson = search_output(&env, &[args, &["--format", "ndjson"]].concat());
        let lines: Vec<Value> = ndjson
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
            .collect();
        assert_eq!(&lines, hits, "{args:?}");

        let csv = search_output(&env, &[args, &["--format", "csv"]].concat());
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header row")
            .iter()
            .map(String::from)
            .collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), hits.len(), "{args:?}");
        for (row, hit) in rows.iter().zip(hits) {
            for (column, cell) in header.iter().zip(row.iter()) {
                let expected = match &hit[column] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .map(|v| v.as_str().expect("string").to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                    Value::Number(n) => {
                        // The same f32, however each writer spells it.
                        let parsed: f64 = cell.parse().expect("a number");
                        assert!((parsed - n.as_f64().unwrap()).abs() < 1e-4, "{column}");
                        continue;
                    }
                    other => panic!("column {column} holds {other}"),
                };
                assert_eq!(cell, expected, "{args:?} column {column}");
            }
        }
        // Every column is a field of the JSON hit, and every field is a
        // column but the nested ones.
        let mut fields: Vec<&str> = hits[0]
            .as_object()
            .expect("hit object")
            .keys()
            .map(String::as_str)
            .filter(|k| !["evidence", "declared", "highlights"].contains(k))
            .collect();
        let mut columns: Vec<&str> = header.iter().map(String::as_str).collect();
        fields.sort_unstable();
        columns.sort_unstable();
        assert_eq!(columns, fields);
    }
}

#[test]
fn output_formats_refuse_what_they_cannot_hold() {
    let env = sample_env();
    env.index_corpus();
    for format in ["csv", "ndjson"] {
        env.cmd()
            .args(["search", "--index", "index", "--facets", "--format", format])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--facets cannot be written as --format {format}"
            )));
    }
    env.cmd()
        .args(["search", "--index", "index", "--json", "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--json").and(predicate::str::contains("--format")));
    // --json is --format json.
    let parsed = |args: &[&str]| {
        let mut result: Value = serde_json::from_str(&search_output(&env, args)).expect("JSON");
        result["took_ms"] = Value::Null;
        result
    };
    assert_eq!(
        parsed(&["--json", "APT31"]),
        parsed(&["--format", "json", "APT31"])
    );
}
