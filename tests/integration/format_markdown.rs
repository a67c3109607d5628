//! Markdown notes through the binary and the library: front matter gives
//! the title, date, source, url and declared facets (merged with the text's,
//! with `front matter` as their evidence), tags are searchable words, link
//! targets are kept apart from the text, and the bundled notes index.

use std::collections::BTreeMap;

use dossier::model::facet::{ACTOR, TARGET};
use dossier::model::Document;
use dossier::search::{SearchRequest, Searchable};

use crate::common::{engine, only_hit, TestEnv};

const NOTE: &str = "---\n\
Title: Storting mail breach, follow-up\n\
date: 2024-03-25T09:00:00+01:00\n\
source: Analyst notebook\n\
url: https://example.org/notes/storting\n\
actors: [Zirconium]\n\
countries:\n  - NO\n  - Finland\n\
tags: [hunting-lead, '#storting']\n\
---\n\
# A heading that is not the title\n\n\
Parliament mail servers were **breached**; see the [advisory](https://example.org/advisory) \
and <https://example.org/raw>.\n\n\
| Indicator | Kind |\n|---|---|\n| mailrelay.example | domain |\n\n\
```sh\ngrep -r 'mailrelay' /var/log/exim\n```\n";

fn env() -> TestEnv {
    let env = TestEnv::new();
    env.raw("notes/storting.md", NOTE.as_bytes());
    env.raw(
        "notes/undated.markdown",
        b"# Volt Typhoon lead\n\nPublished 7 February 2024\n\nVolt Typhoon kept access to US water utilities.",
    );
    env.article(
        "plain.txt",
        "2023-01-01",
        "A plain article about APT28 in Germany.",
    );
    env
}

#[test]
fn a_note_s_front_matter_gives_its_title_date_and_declared_facets() {
    let env = env();
    let summary = env.index_json();
    assert_eq!(summary["added"], 3, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    let warnings: Vec<(&str, &str)> = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["path"].as_str().unwrap(), w["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        warnings,
        [(
            "corpus/notes/undated.markdown",
            "no front matter `date`; date 2024-02-07 guessed from the text"
        )]
    );

    // Declared: Zirconium resolves to APT31 and brings its sponsor; the
    // countries resolve, `NO` being Norway.
    let note = only_hit(&env, &["--actor", "Judgment Panda"]);
    assert_eq!(note["id"], "notes/storting.md");
    assert_eq!(note["title"], "Storting mail breach, follow-up");
    assert_eq!(note["date"], "2024-03-25");
    assert_eq!(note["actors"], serde_json::json!(["APT31"]));
    assert_eq!(note["sponsors"], serde_json::json!(["CN"]));
    assert_eq!(note["targets"], serde_json::json!(["FI", "NO"]));
    assert_eq!(
        only_hit(&env, &["--country", "Norway"])["id"],
        "notes/storting.md"
    );

    // Tags, table cells and code are words of the text; link targets are not.
    for word in [
        "storting",
        "hunting",
        "mailrelay.example",
        "exim",
        "advisory",
    ] {
        assert_eq!(only_hit(&env, &[word])["id"], "notes/storting.md", "{word}");
    }
    for absent in ["https", "raw", "notes"] {
        assert_eq!(env.search(&[absent])["total_hits"], 0, "{absent}");
    }

    // A note without front matter: its `#` heading is the title, and the
    // date near the top is taken, with the warning above.
    let undated = only_hit(&env, &["water"]);
    assert_eq!(undated["title"], "Volt Typhoon lead");
    assert_eq!(undated["date"], "2024-02-07");

    // Notes are the `markdown` format.
    let notes = env.search(&["--filetype", "markdown"]);
    assert_eq!(notes["total_hits"], 2, "{notes}");

    // The stored document keeps the url, source, links and the evidence of
    // the declared values.
    let searchable: Searchable = engine()
        .open_index(&env.index(), Some(1))
        .expect("open the index");
    let results = searchable
        .search(&SearchRequest {
            limit: 10,
            ..SearchRequest::default()
        })
        .expect("search");
    let documents: BTreeMap<String, Document> = results
        .hits
        .into_iter()
        .map(|hit| (hit.document.id.clone(), hit.document))
        .collect();
    let note = &documents["notes/storting.md"];
    assert_eq!(note.format, "markdown");
    assert_eq!(
        note.url.as_deref(),
        Some("https://example.org/notes/storting")
    );
    assert_eq!(note.source.as_deref(), Some("Analyst notebook"));
    assert_eq!(
        note.links,
        ["https://example.org/advisory", "https://example.org/raw"]
    );
    assert_eq!(note.declared.values(&ACTOR), ["Zirconium"]);
    assert_eq!(note.declared.values(&TARGET), ["NO", "Finland"]);
    assert!(note.declared.iter().all(|(_, d)| d.from == "front matter"));
    assert!(note.body.starts_with("A heading that is not the title\n\nParliament mail servers were breached; see the advisory and."));
    assert!(!note.body.contains("**") && !note.body.contains("```"));
    assert!(documents["plain.txt"].links.is_empty());
}

#[test]
fn the_bundled_notes_are_indexed_with_their_front_matter() {
    let env = TestEnv::new();
    let notes = crate::common::repo_file("corpus/notes");
    for entry in std::fs::read_dir(&notes).expect("corpus/notes") {
        let path = entry.unwrap().path();
        let name = format!("notes/{}", path.file_name().unwrap().to_string_lossy());
        env.raw(&name, &std::fs::read(&path).unwrap());
    }
    let summary = env.index_json();
    let added = summary["added"].as_u64().unwrap();
    assert!(added >= 5, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    let all = env.search(&["--filetype", "markdown", "--limit", "100"]);
    assert_eq!(all["total_hits"], added);
    for hit in all["hits"].as_array().unwrap() {
        assert!(
            hit["date"].is_string(),
            "every bundled note is dated: {hit}"
        );
        assert!(
            !hit["title"].as_str().unwrap().is_empty(),
            "every bundled note has a title: {hit}"
        );
    }
}
