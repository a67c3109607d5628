//! Untrusted parsers in worker processes, through the real binary: a parser
//! that hangs or aborts on one file costs that file, with the reason, and
//! the run goes on; workers are reused; `--parse-in-process` keeps the old
//! path for trusted files.

use std::time::{Duration, Instant};

use crate::common::{skipped, TestEnv};

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"2025-05-04T09:00:00Z\"></head>\
         <body><article><h1>{title}</h1><p>{body}</p>\
         <p>The campaign ran for months and the operators kept changing infrastructure \
         to stay ahead of defenders who tracked them across several countries.</p></article>\
         </body></html>"
    )
}

fn corpus_with_a_bad_page(bad: &str) -> TestEnv {
    let env = TestEnv::new();
    for n in 0..6 {
        env.raw(
            &format!("page{n}.html"),
            page(
                &format!("Report number {n}"),
                &format!(
                    "Analysts saw marker{n} in intrusions attributed to APT29 against Norway."
                ),
            )
            .as_bytes(),
        );
    }
    env.raw(
        bad,
        page(
            "Bad page",
            "This page makes its parser misbehave: quarantined.",
        )
        .as_bytes(),
    );
    env.article(
        "note.txt",
        "2025-01-02",
        "A plain note about Sandworm in Ukraine.",
    );
    env
}

#[test]
fn a_parser_that_hangs_is_given_up_after_the_timeout_and_the_run_goes_on() {
    let env = corpus_with_a_bad_page("hang.html");
    let started = Instant::now();
    let output = env
        .cmd()
        .env("DOSSIER_TEST_WORKER_HANG", "hang.html")
        .args(["index", "corpus", "--index", "index", "--json", "--quiet"])
        .args(["--parse-timeout", "1"])
        .output()
        .expect("run index");
    assert!(output.status.success(), "{output:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 7, "{summary}");
    let skipped = skipped(&summary);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with("corpus/hang.html: HTML parser timed out after 1 s"),
        "{skipped:?}"
    );
    for n in 0..6 {
        let marker = format!("marker{n}");
        assert_eq!(env.ids(&[&marker]), [format!("page{n}.html")]);
    }
    assert!(env.ids(&["quarantined"]).is_empty());
}

#[test]
fn a_parser_that_aborts_costs_its_file_only() {
    let env = corpus_with_a_bad_page("abort.html");
    let output = env
        .cmd()
        .env("DOSSIER_TEST_WORKER_ABORT", "abort.html")
        .args(["index", "corpus", "--index", "index", "--json", "--quiet"])
        .output()
        .expect("run index");
    assert!(output.status.success(), "{output:?}");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 7, "{summary}");
    let skipped = skipped(&summary);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with("corpus/abort.html: HTML parser crashed (killed by signal 6"),
        "{skipped:?}"
    );
    // The next run tries the file again (it may have been fixed) and the
    // others are left alone.
    let again = env
        .cmd()
        .args(["index", "corpus", "--index", "index", "--json", "--quiet"])
        .output()
        .expect("run index");
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (&again["added"], &again["unchanged"]),
        (&1.into(), &7.into())
    );
    assert_eq!(env.ids(&["quarantined"]), ["abort.html"]);
}

#[test]
fn in_process_parsing_reads_the_same_articles() {
    let env = corpus_with_a_bad_page("fine.html");
    let isolated = env.index_json();
    let isolated_hits = env.search(&["APT29"]);
    let output = env
        .cmd()
        .args(["index", "corpus", "--index", "index", "--json", "--quiet"])
        .args(["--rebuild", "--parse-in-process"])
        .output()
        .expect("run index");
    assert!(output.status.success(), "{output:?}");
    let in_process: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(isolated["added"], in_process["added"]);
    assert_eq!(isolated["added"], 8);
    // Equal scores are ordered by where the indexing threads put the
    // articles, which differs between runs: compare the hits by id.
    let comparable = |mut result: serde_json::Value| {
        result["took_ms"] = serde_json::Value::Null;
        if let Some(hits) = result["hits"].as_array_mut() {
            hits.sort_by_key(|hit| hit["id"].to_string());
        }
        result
    };
    assert_eq!(
        comparable(env.search(&["APT29"])),
        comparable(isolated_hits)
    );
}
