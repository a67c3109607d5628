//! `dossier gen-corpus`: write a deterministic synthetic corpus for benchmarks.

use std::process::ExitCode;

use anyhow::Result;

use super::GenCorpusArgs;
use crate::gen::{generate, GenOptions};
use crate::{exit, render};

/// Runs `dossier gen-corpus`.
pub fn run(args: &GenCorpusArgs) -> Result<ExitCode> {
    let options = GenOptions {
        docs: args.docs,
        seed: args.seed,
    };
    let summary = generate(&args.out, &options)?;
    let seconds = summary.elapsed.as_secs_f64();
    let mb = summary.bytes as f64 / 1e6;
    let rate = if seconds > 0.0 { mb / seconds } else { 0.0 };
    if args.json {
        let value = serde_json::json!({
            "out": args.out,
            "docs": summary.docs,
            "seed": args.seed,
            "bytes": summary.bytes,
            "dirs": summary.dirs,
            "reused": summary.reused,
            "seconds": seconds,
            "mb_per_s": rate,
        });
        render::json(&mut std::io::stdout().lock(), &value)?;
    } else if summary.reused {
        eprintln!(
            "{}: already holds these {} articles ({mb:.1} MB, seed {}); nothing to do",
            args.out.display(),
            summary.docs,
            args.seed
        );
    } else {
        eprintln!(
            "generated {} articles ({mb:.1} MB) in {} folders under {} in {seconds:.2}s ({rate:.0} MB/s)",
            summary.docs,
            summary.dirs,
            args.out.display()
        );
    }
    Ok(exit::SUCCESS.into())
}
