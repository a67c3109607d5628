//! The shipped gazetteer (`data/`) is exactly what the build produces from
//! the public sources and `data/overrides.tsv`, and every override applies.

use crate::common;

use std::path::Path;

use dossier::gazetteer::build::{build, Sources};
use dossier::gazetteer::keys::{KeyTables, GENERATED_PATH};

#[test]
#[ignore = "needs ../shared/data and SCOWL's word list (Debian's wamerican), which a plain clone lacks; .ci/run installs them and runs it"]
fn gazetteer_data_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    let sources = Sources::default_for(root, &shared);
    for needed in [
        shared.join("misp-threat-actor.json"),
        sources.dictionary.clone(),
    ] {
        assert!(
            needed.exists(),
            "{} is missing: this test needs ../shared/data and `apt-get install wamerican`",
            needed.display()
        );
    }
    let output = build(&sources).expect("the gazetteer builds and every override applies");
    let keys = KeyTables::build(&output.actors, &output.countries).to_source();
    let shipped = std::fs::read_to_string(common::repo_file(GENERATED_PATH)).unwrap();
    assert!(
        keys == shipped,
        "{GENERATED_PATH} is stale: run `cargo run --example build_gazetteer -- ../shared/data data`"
    );
    for (name, built) in output.to_json().unwrap() {
        let shipped = std::fs::read_to_string(common::repo_file(&format!("data/{name}"))).unwrap();
        assert!(
            built == shipped,
            "data/{name} is stale: run `cargo run --example build_gazetteer -- ../shared/data data`"
        );
    }
}
