//! dossier: a search engine for cyber-espionage reporting.
//!
//! The data flows [`source`] (files → articles, one reader per format) →
//! [`extract`] (article → facets, with evidence) → [`pipeline`] (into a
//! sink: the [`index`], or an [`export`]) → [`search`] (request → hits and
//! facet counts) → [`render`] (table or JSON). `serve` is the HTTP front end and its page. [`model`] holds what every
//! stage shares: the facet table and the document types. [`cli`] is the
//! command-line front end. An [`Engine`], built once, carries the
//! gazetteer and extractor to every stage.
//!
//! ```no_run
//! use dossier::{search::SearchParams, Engine};
//!
//! let engine = Engine::new();
//! let index = engine.open_index(std::path::Path::new("index"), None)?;
//! let params = SearchParams::from_pairs([("q", "electoral commission"), ("country", "GB")])?;
//! let results = engine.search(&index, &params)?;
//! println!("{}", serde_json::to_string(&results)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cli;
pub mod exit;
pub mod export;
pub mod extract;
pub mod gazetteer;
pub mod gen;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod search;
#[cfg(feature = "server")]
pub mod serve;
pub mod source;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use extract::Extractor;
use gazetteer::{Aliased, Gazetteer};
use index::{IndexError, IndexSink, WriteOptions};
use pipeline::{IndexSummary, PipelineOptions, Reporter};
use search::{ParamError, SearchError, SearchParams, SearchRequest, SearchResults, Searchable};
use source::format::Formats;

/// What every front end and every stage shares: the gazetteer, and the
/// extractor built over it on first use (a search never needs it).
pub struct Engine {
    gazetteer: Arc<Gazetteer>,
    extractor: OnceLock<Extractor>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An engine over the gazetteer compiled into the binary.
    pub fn new() -> Engine {
        Engine::with_gazetteer(Gazetteer::embedded())
    }

    /// An engine over another gazetteer (tests, experiments).
    pub fn with_gazetteer(gazetteer: Gazetteer) -> Engine {
        Engine {
            gazetteer: Arc::new(gazetteer),
            extractor: OnceLock::new(),
        }
    }

    /// The gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The extractor, built on first use.
    pub fn extractor(&self) -> &Extractor {
        self.extractor
            .get_or_init(|| Extractor::new(Arc::clone(&self.gazetteer)))
    }

    /// Identifies the gazetteer, the extraction rules, the readers and the
    /// schema, so that changing any of them makes the next run read and
    /// extract every article again.
    pub fn fingerprint(&self, formats: &Formats) -> u64 {
        let gazetteer = self.gazetteer();
        let mut text = format!(
            "{}:{}:{}:{}",
            env!("CARGO_PKG_VERSION"),
            index::SCHEMA_VERSION,
            extract::RULES_VERSION,
            formats.fingerprint()
        );
        text.push_str(&gazetteer.actors().len().to_string());
        for actor in gazetteer.actors() {
            text.push_str(&actor.name);
            text.push_str(actor.sponsor.as_deref().unwrap_or("-"));
            for alias in actor.all_aliases() {
                text.push_str(alias);
            }
        }
        for country in gazetteer.countries() {
            text.push_str(&country.code);
            text.push_str(&country.names.join(","));
            text.push_str(&country.demonyms.join(","));
        }
        for software in gazetteer.software() {
            text.push_str(&software.name);
        }
        xxhash_rust::xxh3::xxh3_64(text.as_bytes())
    }

    /// Brings the index at `index_dir` in line with the corpus folder
    /// `corpus`: adds new articles, re-indexes changed files, removes
    /// deleted ones.
    pub fn index_folder(
        &self,
        corpus: &Path,
        index_dir: &Path,
        options: &IndexOptions,
        reporter: &mut dyn Reporter,
    ) -> Result<IndexSummary, IndexError> {
        // A corpus that is not a folder leaves no index behind.
        source::check_corpus(corpus)?;
        let mut sink = IndexSink::open(corpus, index_dir, &options.write)?;
        let mut summary = pipeline::run(
            self,
            corpus,
            &options.formats,
            &mut sink,
            reporter,
            &options.pipeline,
        )?;
        summary.rebuilt_from_schema = sink.replaced_schema();
        Ok(summary)
    }

    /// Opens the index at `dir` for searching, on up to `threads` threads
    /// (`None`: one per core).
    pub fn open_index(
        &self,
        dir: &Path,
        threads: Option<usize>,
    ) -> Result<Searchable, SearchError> {
        Searchable::open(dir, Arc::clone(&self.gazetteer), threads)
    }

    /// Opens the index at `dir` like [`Engine::open_index`], following its
    /// commits: searches see each new commit within about a second.
    pub fn open_live_index(
        &self,
        dir: &Path,
        threads: Option<usize>,
    ) -> Result<Searchable, SearchError> {
        Searchable::open_live(dir, Arc::clone(&self.gazetteer), threads)
    }

    /// Validates what a user asked for into a request.
    pub fn resolve(&self, params: &SearchParams) -> Result<SearchRequest, ParamError> {
        params.resolve(self.gazetteer())
    }

    /// Resolves `params` and runs them against `index`.
    pub fn search(
        &self,
        index: &Searchable,
        params: &SearchParams,
    ) -> Result<SearchResults, EngineError> {
        let request = self.resolve(params)?;
        Ok(index.search(&request)?)
    }
}

/// Everything about one indexing run.
pub struct IndexOptions {
    /// How the index is opened.
    pub write: WriteOptions,
    /// How the pipeline runs.
    pub pipeline: PipelineOptions,
    /// The formats read.
    pub formats: Formats,
}

impl IndexOptions {
    /// Defaults, with `today` bounding plausible dates.
    pub fn new(today: chrono::NaiveDate) -> IndexOptions {
        IndexOptions {
            write: WriteOptions::default(),
            pipeline: PipelineOptions::new(today),
            formats: Formats::standard(),
        }
    }
}

/// Why a search could not run: the parameters, or the index.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A parameter makes no sense.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The query or the index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Whether an error is a closed pipe (`dossier search | head`), which is not
/// a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
