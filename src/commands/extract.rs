//! `dossier extract`: show the facets of articles, with evidence, without indexing.

use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::ExtractArgs;
use crate::extract::{Extraction, Extractor};
use crate::ingest::parse_article;
use crate::{exit, render};

#[derive(Serialize)]
struct Extracted<'a> {
    path: String,
    date: Option<chrono::NaiveDate>,
    title: &'a str,
    actors: Vec<String>,
    sponsors: &'a [String],
    targets: Vec<String>,
    evidence: &'a Extraction,
}

/// Runs `dossier extract`.
pub fn run(args: &ExtractArgs) -> Result<ExitCode> {
    let extractor = Extractor::embedded();
    let mut stdout = std::io::stdout().lock();
    let mut all = Vec::new();
    for file in &args.files {
        let path = file.display().to_string();
        let bytes = std::fs::read(file).with_context(|| format!("{path}: cannot read"))?;
        let article = parse_article(&path, &bytes, super::today())
            .map_err(|reason| anyhow::anyhow!("{path}: {reason}"))?;
        let extraction = extractor.extract(&article.body);
        if args.json {
            all.push((path, article, extraction));
        } else {
            render::extraction_text(&mut stdout, &path, &extraction)?;
        }
    }
    if args.json {
        let out: Vec<Extracted> = all
            .iter()
            .map(|(path, article, extraction)| Extracted {
                path: path.clone(),
                date: article.date,
                title: &article.title,
                actors: extraction.actor_names(),
                sponsors: &extraction.sponsors,
                targets: extraction.targets(),
                evidence: extraction,
            })
            .collect();
        render::json(&mut stdout, &out)?;
    }
    Ok(exit::SUCCESS.into())
}
