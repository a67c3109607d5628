//! Regenerates `data/actors.json` and `data/countries.json` from the public
//! gazetteers. Usage: `cargo run --example build_gazetteer -- [SHARED_DATA] [OUT_DIR]`
//! (defaults `../shared/data` and `data`). Needs SCOWL's word list
//! (`apt-get install wamerican`).

use std::path::PathBuf;

use dossier::gazetteer::build::{build, Sources};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let shared = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "../shared/data".into());
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "data".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = build(&Sources::default_for(&root, &shared))?;
    output.write_to(&out)?;
    eprintln!(
        "wrote {} actors and {} countries to {} ({} report lines in gazetteer-report.txt)",
        output.actors.len(),
        output.countries.len(),
        out.display(),
        output.report.len()
    );
    Ok(())
}
