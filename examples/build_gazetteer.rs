//! Regenerates the gazetteer: `data/actors.json`, `data/countries.json` and
//! `data/software.json` from the public gazetteers, and the key tables in
//! `src/gazetteer/keys/generated.rs` from those files.
//!
//! Usage: `cargo run --example build_gazetteer -- [SHARED_DATA] [OUT_DIR]`
//! (defaults `../shared/data` and `data`; needs SCOWL's word list, `apt-get
//! install wamerican`), or `cargo run --example build_gazetteer -- --keys`
//! to regenerate only the key tables from `data/`.

use std::path::{Path, PathBuf};

use dossier::gazetteer::build::{build, Sources};
use dossier::gazetteer::keys::{KeyTables, GENERATED_PATH};
use dossier::gazetteer::{Actor, Country};

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args_os().skip(1).peekable();
    if args.peek().is_some_and(|a| a == "--keys") {
        let read = |name: &str| std::fs::read_to_string(root.join("data").join(name));
        let actors: Vec<Actor> = serde_json::from_str(&read("actors.json")?)?;
        let countries: Vec<Country> = serde_json::from_str(&read("countries.json")?)?;
        return write_keys(&root, &actors, &countries);
    }
    let shared = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "../shared/data".into());
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "data".into());
    let output = build(&Sources::default_for(&root, &shared))?;
    output.write_to(&out)?;
    eprintln!(
        "wrote {} actors and {} countries to {} ({} report lines in gazetteer-report.txt)",
        output.actors.len(),
        output.countries.len(),
        out.display(),
        output.report.len()
    );
    write_keys(&root, &output.actors, &output.countries)
}

fn write_keys(root: &Path, actors: &[Actor], countries: &[Country]) -> anyhow::Result<()> {
    let path = root.join(GENERATED_PATH);
    std::fs::write(&path, KeyTables::build(actors, countries).to_source())?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
