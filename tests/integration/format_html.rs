//! The HTML reader through the binary: saved pages are indexed with their
//! main text only (words of the navigation, scripts, cookie banner,
//! sidebar and footer are not found), with the title, date, URL and site
//! from their metadata; bad pages are skipped with a reason while the
//! others are indexed.

use crate::common;

use std::fs;

use common::{only_hit, TestEnv};
use serde_json::Value;

/// Writes the named fixtures of `tests/fixtures/formats/html` into the
/// corpus.
fn env_with(fixtures: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    for name in fixtures {
        let bytes = fs::read(common::repo_file(&format!(
            "tests/fixtures/formats/html/{name}"
        )))
        .expect("fixture");
        env.raw(name, &bytes);
    }
    env
}

fn total_hits(env: &TestEnv, query: &str) -> u64 {
    env.search(&[query])["total_hits"].as_u64().expect("total")
}

#[test]
fn a_saved_page_is_indexed_with_its_main_text_and_metadata() {
    let env = env_with(&["vendor-blog.html"]);
    let stderr = env.index_corpus();
    assert!(stderr.contains("1 added"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    let hit = only_hit(&env, &["glimmerfang"]);
    assert_eq!(hit["id"], "vendor-blog.html");
    assert_eq!(hit["format"], "html");
    // og:title beats <title>, JSON-LD and the page's <h1>.
    assert_eq!(
        hit["title"],
        "APT28 goes after Nordic energy ministries with an Outlook exploit"
    );
    // article:published_time beats JSON-LD datePublished.
    assert_eq!(hit["date"], "2023-05-09");
    // og:url beats the canonical link and the "saved from" comment.
    assert_eq!(
        hit["url"],
        "https://blog.fjordline-security.example/2023/apt28-energy-ministries/"
    );
    assert_eq!(hit["source"], "Fjordline Security");
    assert_eq!(hit["actors"], serde_json::json!(["APT28"]));
    assert!(hit["cves"]
        .as_array()
        .unwrap()
        .contains(&Value::from("CVE-2023-23397")));
    for country in ["NO", "DK"] {
        assert!(
            hit["targets"]
                .as_array()
                .unwrap()
                .contains(&Value::from(country)),
            "{hit}"
        );
    }
    // Words of the article, from its first paragraph to its last.
    for word in ["calendar", "drafts", "perimeter"] {
        assert_eq!(total_hits(&env, word), 1, "{word}");
    }
    for furniture in [
        "navmarmot",
        "scriptpelican",
        "stylemagpie",
        "cookiewalrus",
        "relatedibis",
        "sidebarnarwhal",
        "footerheron",
    ] {
        assert_eq!(total_hits(&env, furniture), 0, "{furniture} was indexed");
    }
    assert_eq!(
        env.search(&["--filetype", "html"])["total_hits"].as_u64(),
        Some(1)
    );
}

#[test]
fn metadata_falls_back_to_json_ld_the_canonical_link_and_time_elements() {
    let env = env_with(&[
        "news-jsonld.html",
        "latin1-marked-time.html",
        "guessed-date.html",
    ]);
    let stderr = env.index_corpus();
    assert!(stderr.contains("3 added"), "{stderr}");

    let news = only_hit(&env, &["netsh"]);
    // <title> without the site's name, which JSON-LD's publisher gives.
    assert_eq!(
        news["title"],
        "Volt Typhoon hid in a Pacific port operator's network for a year"
    );
    // The future article:published_time is dropped for JSON-LD's date, as
    // written (its offset is not applied).
    assert_eq!(news["date"], "2024-01-31");
    assert!(
        stderr.contains(
            "news-jsonld.html: warning: date 2099-01-01 (article:published_time) is in the future; ignored"
        ),
        "{stderr}"
    );
    assert_eq!(
        news["url"],
        "https://harbourwire.example/news/volt-typhoon-port-operator"
    );
    assert_eq!(news["source"], "Harbour Wire");
    for furniture in ["navtoucan", "newsletterotter", "footerkestrel"] {
        assert_eq!(total_hits(&env, furniture), 0, "{furniture} was indexed");
    }

    // Declared windows-1252, decoded without a warning.
    let swiss = only_hit(&env, &["zürich"]);
    assert_eq!(
        swiss["title"],
        "Sécurité: Zürich investigators link APT31 to cantonal e-mail break-in"
    );
    assert_eq!(swiss["date"], "2022-09-14");
    assert_eq!(
        swiss["url"],
        "https://helvetia-cyber.example/articles/apt31-zurich-canton"
    );
    assert_eq!(swiss["source"], "Helvetia Cyber Journal");
    assert!(
        !stderr.contains("latin1-marked-time.html: warning"),
        "{stderr}"
    );
    assert_eq!(total_hits(&env, "navlemming"), 0);

    // An unmarked <time> is a guess, said so; the URL is the one the
    // browser wrote when it saved the page.
    let notes = only_hit(&env, &["babyshark"]);
    assert_eq!(notes["title"], "Kimsuky's fake surveys");
    assert_eq!(notes["date"], "2023-06-02");
    assert_eq!(
        notes["url"],
        "https://notes.example/posts/kimsuky-fake-survey/"
    );
    assert_eq!(notes["source"], Value::Null);
    assert!(
        stderr.contains(
            "guessed-date.html: warning: date 2023-06-02 guessed from the first <time datetime>"
        ),
        "{stderr}"
    );
}

#[test]
fn bad_pages_are_skipped_with_a_reason_and_the_rest_indexed() {
    let env = env_with(&["vendor-blog.html", "no-text.html", "really-a-pdf.html"]);
    let depth = 100_000;
    env.raw(
        "deep.html",
        format!(
            "<html><body>{}Deep text.{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
        .as_bytes(),
    );
    let start = std::time::Instant::now();
    let summary = env.index_json();
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    assert_eq!(summary["added"], 1, "{summary}");
    let reasons: Vec<(String, String)> = summary["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = path.rsplit(['/', '\\']).next().unwrap().to_string();
            (name, s["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for (name, reason) in [
        ("deep.html", "HTML nested more than 512 elements deep"),
        ("no-text.html", "no article text in the page"),
        (
            "really-a-pdf.html",
            "misnamed file: a PDF document named .html, not HTML (rename it .pdf)",
        ),
    ] {
        assert!(
            reasons
                .iter()
                .any(|(n, r)| n == name && r.starts_with(reason)),
            "{name}: {reasons:?}"
        );
    }
    assert_eq!(total_hits(&env, "glimmerfang"), 1);
}
