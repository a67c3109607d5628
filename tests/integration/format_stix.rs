//! STIX 2.1 bundles through the real binary: one article a report or
//! grouping, with the intrusion sets, locations, malware, vulnerabilities
//! and attack patterns it refers to as declared facets; bundles of the
//! OASIS `stix2` library, of MISP's exporter and of STIX 2.0; `.json` files
//! that are no bundle left to the JSON reader.

use crate::common;

use common::{only_hit, repo_file, set, strings, TestEnv};
use serde_json::Value;

fn copy(env: &TestEnv, from: &str, to: &str) {
    let bytes = std::fs::read(repo_file(from)).expect("fixture");
    env.raw(to, &bytes);
}

#[test]
fn each_report_of_a_stix2_library_bundle_is_an_article_with_its_objects_declared() {
    let env = TestEnv::new();
    copy(&env, "corpus/stix-espionage-reports.json", "reports.json");
    let stderr = env.index_corpus();
    assert!(stderr.contains("5 added"), "{stderr}");
    assert_eq!(env.ids(&["--filetype", "stix"]).len(), 5);
    assert!(env.ids(&["--filetype", "json"]).is_empty());

    let hit = only_hit(&env, &["wine-tasting"]);
    assert!(
        hit["id"]
            .as_str()
            .unwrap()
            .starts_with("reports.json#report--"),
        "{hit}"
    );
    assert_eq!(
        hit["title"],
        "Diplomatic lure campaign delivers WellMess to European ministries"
    );
    assert_eq!(hit["date"], "2024-02-06");
    assert_eq!(set(&hit["actors"]), strings(&["APT29"]));
    assert_eq!(set(&hit["sponsors"]), strings(&["RU"]));
    assert_eq!(set(&hit["targets"]), strings(&["DE", "PL"]));
    assert_eq!(set(&hit["cves"]), strings(&["CVE-2023-23397"]));
    assert!(set(&hit["techniques"]).contains("T1566.001"), "{hit}");
    assert!(set(&hit["malware"]).contains("WellMess"), "{hit}");

    // Sponsor through attributed-to (intrusion set → threat actor) and
    // located-at (threat actor → Russia); the technique only the STIX
    // objects state.
    let sandworm = env.ids(&["--technique", "T1485"]);
    assert_eq!(sandworm.len(), 1);
    let hit = only_hit(&env, &["--technique", "T1485"]);
    assert!(set(&hit["actors"]).contains("Sandworm Team"), "{hit}");
    assert_eq!(set(&hit["targets"]), strings(&["UA"]));
    assert_eq!(set(&hit["sponsors"]), strings(&["RU"]));

    // A group no gazetteer knows keeps its own name.
    let hit = only_hit(&env, &["--cve", "CVE-2024-3400"]);
    assert_eq!(set(&hit["actors"]), strings(&["Harbor Lantern"]));
    assert_eq!(set(&hit["targets"]), strings(&["PH", "TW"]));
    assert!(set(&hit["sponsors"]).is_empty(), "{hit}");

    // Aliases the bundle gives resolve to the gazetteer's names.
    let hit = only_hit(&env, &["--actor", "Violet Typhoon"]);
    assert_eq!(
        hit["title"],
        "Parliamentary email accounts probed through Exchange servers"
    );
    assert_eq!(set(&hit["targets"]), strings(&["FI", "GB"]));
    assert_eq!(set(&hit["sponsors"]), strings(&["CN"]));

    let table = env
        .cmd()
        .args(["search", "wine-tasting", "--index", "index"])
        .output()
        .expect("search");
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("Dossier Sample Intelligence · https://intel.example.org/reports/2024-02-apt29-diplomatic-lures"),
        "{table}"
    );
}

#[test]
fn a_misp_export_gives_its_events_with_notes_and_galaxies() {
    let env = TestEnv::new();
    copy(
        &env,
        "tests/fixtures/formats/stix/misp-event.json",
        "misp.json",
    );
    let stderr = env.index_corpus();
    assert!(stderr.contains("2 added"), "{stderr}");
    assert!(
        stderr.contains("grouping without a published date; dated by its created timestamp"),
        "{stderr}"
    );
    // The note's text, its HTML stripped, is the grouping's body.
    let hit = only_hit(&env, &["congress"]);
    assert_eq!(
        hit["title"],
        "Phishing wave against German political party staff"
    );
    assert_eq!(hit["date"], "2024-01-28");
    assert_eq!(set(&hit["actors"]), strings(&["APT28"]));
    assert_eq!(set(&hit["targets"]), strings(&["DE"]));
    assert_eq!(set(&hit["techniques"]), strings(&["T1566.002"]));
    assert_eq!(set(&hit["cves"]), strings(&["CVE-2023-38831"]));

    let hit = only_hit(&env, &["--country", "Moldova"]);
    assert_eq!(hit["date"], "2024-02-01");
    assert_eq!(set(&hit["actors"]), strings(&["Copper Heron"]));
    assert!(set(&hit["malware"]).contains("SHADOWLINK"), "{hit}");
}

#[test]
fn extract_names_the_stix_object_behind_each_declared_facet() {
    let env = TestEnv::new();
    let path = env.raw(
        "misp.json",
        &std::fs::read(repo_file("tests/fixtures/formats/stix/misp-event.json")).unwrap(),
    );
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
        extracted[0]["declared"][0],
        serde_json::json!({
            "facet": "actors",
            "value": "APT28",
            "from": "STIX intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c",
            "aliases": ["Sofacy", "Fancy Bear"],
        })
    );
}

#[test]
fn stix_2_0_bundles_are_read_and_bad_bundles_skipped_with_a_reason() {
    let env = TestEnv::new();
    copy(
        &env,
        "tests/fixtures/formats/stix/stix20-bundle.json",
        "v20.json",
    );
    env.raw(
        "indicators.json",
        br#"{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "indicator--1", "pattern": "[ipv4-addr:value = '203.0.113.9']"}]}"#,
    );
    env.raw(
        "cut.json",
        br#"{"type": "bundle", "id": "bundle--2", "objects": [{"type": "report", "name": "Cut"#,
    );
    // Keys in another order: the objects come first.
    env.raw(
        "reordered.json",
        br#"{"objects": [{"type": "report", "id": "report--9", "name": "Objects before type", "published": "2023-05-05T00:00:00Z", "description": "Gamaredon lures.", "object_refs": []}], "type": "bundle"}"#,
    );
    // A JSON article that merely has a `type`.
    env.raw(
        "article.json",
        br#"{"type": "news", "title": "A plain JSON article", "text": "Volt Typhoon report."}"#,
    );
    let summary = env.index_json();
    assert_eq!(summary["added"], 3, "{summary}");
    let reasons = common::skipped(&summary);
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("corpus/cut.json: not valid JSON: EOF while parsing"),
        "{reasons:?}"
    );
    assert_eq!(
        reasons[1],
        "corpus/indicators.json: STIX bundle without a report or grouping: 1 object, none of them an article"
    );
    let hit = only_hit(&env, &["zebrocy"]);
    assert_eq!(set(&hit["actors"]), strings(&["APT28"]));
    assert_eq!(hit["date"], "2019-02-20");
    assert_eq!(
        env.ids(&["--filetype", "stix", "gamaredon"]),
        ["reordered.json#report--9"]
    );
    assert_eq!(env.ids(&["--filetype", "json"]), ["article.json"]);
}
