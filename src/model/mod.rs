//! The data model every stage shares: the facet table ([`facet`]) and the
//! article and document types ([`document`]).

pub mod document;
pub mod facet;

pub use document::{ActorEvidence, Article, Declaration, Declared, Document, FacetValues, Warning};
pub use facet::{Facet, FACETS};
