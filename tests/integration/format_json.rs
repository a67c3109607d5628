//! JSON and JSON Lines feeds through the real binary: each item indexed with
//! its title, date, address and declared facets, HTML stripped, bad lines
//! and files reported while the rest is indexed.

use crate::common;

use std::collections::BTreeSet;

use common::{only_hit, set, strings, TestEnv};
use serde_json::Value;

/// A scraper's feed: field names vary from item to item.
const FEED: &str = concat!(
    r#"{"id": "lt-1", "title": "Defence suppliers phished through a fake procurement portal", "published": "2024-04-11T10:00:00Z", "url": "https://news.example.net/lt-1", "source": "Baltic Security Review", "content": "<p>Staff at three defence suppliers received emails imitating a procurement portal.</p><script>var hiddentracker = 1;</script><p>Passwords&nbsp;and one-time codes were harvested.</p>", "actors": ["APT28"], "countries": ["Lithuania"]}"#,
    "\n",
    r#"{"guid": "cz-2", "headline": "Foreign ministry confirms mailbox intrusion", "published_at": "2024-04-19T08:30:00+02:00", "link": "https://news.example.net/cz-2", "site": "Central Europe Desk", "body": "The ministry said attackers read diplomats' mailboxes for five months using a rogue cloud application."}"#,
    "\n",
    r#"{"title": "Fake conference invitations reach academics", "pubDate": "Tue, 07 May 2024 06:00:00 GMT", "description": "Researchers received invitations to a fictitious symposium carrying a malicious shortcut.", "publisher": {"name": "Asia Pacific Threat Watch"}, "threat_actors": ["MirrorFace"], "cves": ["CVE-2023-23397"]}"#,
    "\n",
    r#"{"id": 4, "title": {"rendered": "Browser extension forwards webmail"}, "date": 1716800000, "content": {"rendered": "<h2>Findings</h2><ul><li>An extension forwarded webmail messages</li></ul>"}}"#,
    "\n",
);

#[test]
fn a_jsonl_feed_indexes_each_item_with_its_fields_and_declared_facets() {
    let env = TestEnv::new();
    env.raw("feed.jsonl", FEED.as_bytes());
    let stderr = env.index_corpus();
    assert!(stderr.contains("4 added"), "{stderr}");

    let hit = only_hit(&env, &["procurement"]);
    assert_eq!(hit["id"], "feed.jsonl#lt-1");
    assert_eq!(
        hit["title"],
        "Defence suppliers phished through a fake procurement portal"
    );
    assert_eq!(hit["date"], "2024-04-11");
    // Declared: the text names neither the group nor the country.
    assert_eq!(set(&hit["actors"]), strings(&["APT28"]));
    assert_eq!(set(&hit["sponsors"]), strings(&["RU"]));
    assert_eq!(set(&hit["targets"]), strings(&["LT"]));
    assert_eq!(
        env.ids(&["--actor", "Fancy Bear", "--filetype", "json"]),
        ["feed.jsonl#lt-1"]
    );
    // HTML is text: the script is gone, the entity decoded.
    assert!(env.ids(&["hiddentracker"]).is_empty());
    assert_eq!(
        env.ids(&["\"passwords and one-time codes\""]),
        ["feed.jsonl#lt-1"]
    );

    let hit = only_hit(&env, &["mailboxes"]);
    assert_eq!(hit["id"], "feed.jsonl#cz-2");
    assert_eq!(hit["title"], "Foreign ministry confirms mailbox intrusion");
    assert_eq!(hit["date"], "2024-04-19");

    let hit = only_hit(&env, &["symposium"]);
    assert_eq!(hit["id"], "feed.jsonl#3", "no id of its own: its position");
    assert_eq!(hit["date"], "2024-05-07");
    assert_eq!(set(&hit["actors"]), strings(&["MirrorFace"]));
    assert_eq!(set(&hit["cves"]), strings(&["CVE-2023-23397"]));

    let hit = only_hit(&env, &["extension"]);
    assert_eq!(hit["id"], "feed.jsonl#4");
    assert_eq!(hit["title"], "Browser extension forwards webmail");
    assert_eq!(hit["date"], "2024-05-27");

    // The table shows who published it and where.
    let table = env
        .cmd()
        .args(["search", "procurement", "--index", "index"])
        .output()
        .expect("search");
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("Baltic Security Review · https://news.example.net/lt-1"),
        "{table}"
    );
    assert!(table.contains("(json)"), "{table}");
}

#[test]
fn extract_shows_the_field_that_declares_each_facet() {
    let env = TestEnv::new();
    let path = env.raw("feed.jsonl", FEED.as_bytes());
    let output = env
        .cmd()
        .arg("extract")
        .arg(&path)
        .arg("--json")
        .output()
        .expect("extract");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let extracted: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        extracted[0]["declared"],
        serde_json::json!([
            {"facet": "actors", "value": "APT28", "from": "field actors"},
            {"facet": "targets", "value": "Lithuania", "from": "field countries"},
        ])
    );
    let mirrorface = serde_json::json!({"facet": "actors", "value": "MirrorFace", "from": "field threat_actors"});
    assert!(
        extracted[2]["declared"]
            .as_array()
            .is_some_and(|d| d.contains(&mirrorface)),
        "{}",
        extracted[2]["declared"]
    );
}

#[test]
fn a_bad_line_and_an_over_long_line_are_skipped_at_their_numbers_and_the_rest_indexed() {
    let env = TestEnv::new();
    let over_long = format!(
        r#"{{"title": "Too long", "text": "{}"}}"#,
        "padding ".repeat(17 * 1024 * 1024 / 8)
    );
    let feed = format!(
        "{}\n{}\n\n{}\n{}\n",
        r#"{"title": "First item", "text": "Alpha report on a phishing wave."}"#,
        r#"{"title": "Broken item", "text": "#,
        over_long,
        r#"{"title": "Last item", "text": "Omega report on a wiper."}"#,
    );
    env.raw("feed.jsonl", feed.as_bytes());
    let summary = env.index_json();
    assert_eq!(summary["added"], 2, "{summary}");
    let skipped: Vec<(String, String)> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "corpus/feed.jsonl line 2");
    assert!(
        skipped[0].1.starts_with("not valid JSON: EOF"),
        "{skipped:?}"
    );
    assert_eq!(skipped[1].0, "corpus/feed.jsonl line 4");
    assert!(
        skipped[1].1.starts_with("line too long:") && skipped[1].1.contains("16777216-byte limit"),
        "{skipped:?}"
    );
    // Known by its line, as the problems are.
    assert_eq!(env.ids(&["omega"]), ["feed.jsonl#5"]);
    assert_eq!(env.ids(&["alpha"]), ["feed.jsonl#1"]);
}

#[test]
fn json_files_hold_an_article_an_array_or_a_wrapped_feed() {
    let env = TestEnv::new();
    env.raw(
        "single.json",
        br#"{"id": "one", "title": "A single article object", "text": "Sandworm attacked the power grid.", "date": "2022-04-12"}"#,
    );
    env.raw(
        "array.json",
        br#"[{"title": "First of an array", "body": "Turla implant found."}, {"title": "Second of an array", "body": "Kimsuky lure found."}]"#,
    );
    env.raw(
        "jsonfeed.json",
        br#"{"version": "https://jsonfeed.org/version/1.1", "title": "A feed", "items": [{"id": "https://example.org/a", "title": "Wrapped item", "content_html": "<p>Wrapped body about a wiper.</p>", "date_published": "2024-02-02T00:00:00Z"}]}"#,
    );
    let stderr = env.index_corpus();
    assert!(stderr.contains("4 added"), "{stderr}");
    assert_eq!(env.ids(&["sandworm"]), ["single.json#one"]);
    let ids: BTreeSet<String> = env.ids(&["found"]).into_iter().collect();
    assert_eq!(ids, strings(&["array.json#1", "array.json#2"]));
    let hit = only_hit(&env, &["wrapped"]);
    assert_eq!(hit["id"], "jsonfeed.json#https://example.org/a");
    assert_eq!(hit["date"], "2024-02-02");
}

#[test]
fn files_whose_extension_lies_are_skipped_with_a_reason() {
    let env = TestEnv::new();
    env.raw(
        "page.json",
        b"<!DOCTYPE html><html><body>Not JSON</body></html>",
    );
    env.raw("notes.jsonl", b"Plain notes, not JSON Lines.\n");
    env.raw("image.json", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    env.raw(
        "good.jsonl",
        br#"{"title": "Still indexed", "text": "The good feed."}"#,
    );
    let summary = env.index_json();
    assert_eq!(summary["added"], 1, "{summary}");
    let reasons = common::skipped(&summary);
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0]
            .starts_with("corpus/image.json: misnamed file: a PNG image named .json, not JSON"),
        "{reasons:?}"
    );
    assert!(
        reasons[1]
            .starts_with("corpus/notes.jsonl: not JSON Lines: the file starts with \"Plain notes"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].starts_with("corpus/page.json: not JSON: the file starts with \"<!DOCTYPE"),
        "{reasons:?}"
    );
}
