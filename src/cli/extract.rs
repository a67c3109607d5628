//! `dossier extract`: show the facets of articles, with evidence, without indexing.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::ExtractArgs;
use crate::extract::Extraction;
use crate::model::Article;
use crate::model::Declared;
use crate::source::format::{text::PlainText, Input, Reader};
use crate::{exit, render, Engine};

#[derive(Serialize)]
struct Extracted<'a> {
    path: String,
    date: Option<chrono::NaiveDate>,
    title: &'a str,
    actors: Vec<String>,
    sponsors: &'a [String],
    targets: Vec<String>,
    evidence: &'a Extraction,
    /// What the file states outright (front matter, STIX objects), which
    /// indexing merges with the extracted facets.
    declared: &'a Declared,
}

/// Runs `dossier extract`.
pub fn run(args: &ExtractArgs) -> Result<ExitCode> {
    let engine = Engine::new();
    let formats = super::formats(std::time::Duration::from_secs(30));
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut all: Vec<(String, Article, Extraction)> = Vec::new();
    for file in &args.files {
        let path = file.display().to_string();
        // A file named unlike any format is read as plain text.
        let reader: &dyn Reader = formats.reader_for(file).unwrap_or(&PlainText);
        let input = Input {
            path: file,
            today: super::today(),
        };
        let mut articles = Vec::new();
        reader
            .read(&input, &mut |article| articles.push(article))
            .map_err(|reason| anyhow::anyhow!("{path}: {reason}"))?;
        for article in articles {
            let article = article.map_err(|problem| {
                anyhow::anyhow!("{path}: {}: {}", problem.location, problem.reason)
            })?;
            let shown = match &article.local_id {
                Some(local) => format!("{path}#{local}"),
                None => path.clone(),
            };
            let extraction = engine.extractor().extract_located(&article.body);
            if args.json {
                all.push((shown, article, extraction));
            } else {
                render::extraction_text(&mut out, &shown, &extraction)?;
            }
        }
    }
    if args.json {
        let extracted: Vec<Extracted> = all
            .iter()
            .map(|(path, article, extraction)| Extracted {
                path: path.clone(),
                date: article.date,
                title: &article.title,
                actors: extraction.actor_names(),
                sponsors: &extraction.sponsors,
                targets: extraction.targets(),
                evidence: extraction,
                declared: &article.declared,
            })
            .collect();
        render::json(&mut out, &extracted)?;
    }
    out.flush()?;
    Ok(exit::SUCCESS.into())
}
