//! The shipped gazetteer (`data/`) is exactly what the build produces from
//! the public sources and `data/overrides.tsv`, and every override applies.

mod common;

use std::path::Path;

use dossier::gazetteer::build::{build, Sources};

#[test]
fn gazetteer_data_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    let sources = Sources::default_for(root, &shared);
    if !shared.join("misp-threat-actor.json").exists() || !sources.dictionary.exists() {
        // A plain clone has neither; CI has both (it installs wamerican).
        eprintln!(
            "skipped: needs ../shared/data and {}",
            sources.dictionary.display()
        );
        return;
    }
    let output = build(&sources).expect("the gazetteer builds and every override applies");
    for (name, built) in output.to_json().unwrap() {
        let shipped = std::fs::read_to_string(common::repo_file(&format!("data/{name}"))).unwrap();
        assert!(
            built == shipped,
            "data/{name} is stale: run `cargo run --example build_gazetteer -- ../shared/data data`"
        );
    }
}
