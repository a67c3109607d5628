//! The English analyzer of the full-text fields: Tantivy's `en_stem`
//! (simple tokenizer, tokens over 40 bytes dropped, lower case, Snowball
//! English stemmer), with the stems of words already seen kept in a cache.
//!
//! Stemming every token afresh made `en_stem` run at about a fourteenth of
//! the speed of Tantivy's `default` analyzer, and it was the bottleneck of
//! indexing. Article text follows Zipf's law, so a small cache answers
//! almost every token. The tokens are the same as `en_stem`'s, so indexes
//! built either way are interchangeable.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::Index;

/// The analyzer's name in the schema; registering under Tantivy's own name
/// keeps the schema, and indexes built before the cache, unchanged.
pub const NAME: &str = "en_stem";

/// How many distinct words each thread's cache keeps; past this, new words
/// are stemmed without being remembered. About 10 MB per thread at most.
const CACHE_WORDS: usize = 200_000;

/// The analyzer, as registered under [`NAME`].
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(CachedStemmer)
        .build()
}

/// Makes `index` use this analyzer for the full-text fields.
pub fn register(index: &Index) {
    index.tokenizers().register(NAME, english());
}

/// The Snowball English stemmer with a cache of stems already computed.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stemmer: frostem::Stemmer,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &self.stemmer,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a frostem::Stemmer,
}

thread_local! {
    /// Stems by word, one cache per thread: each indexing thread keeps its
    /// own across segments without locking, and a process that runs many
    /// queries (snippets stem whole articles) keeps its cache warm. Tantivy
    /// clones the analyzer for every segment and query, so a cache inside
    /// the analyzer would start cold each time.
    static STEMS: RefCell<FxHashMap<Box<str>, Box<str>>> = RefCell::new(FxHashMap::default());
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with_borrow_mut(|stems| {
            if let Some(stem) = stems.get(token.text.as_str()) {
                if **stem != *token.text {
                    token.text.clear();
                    token.text.push_str(stem);
                }
                return;
            }
            let stem: Box<str> = self.stemmer.stem(&token.text).into();
            if stems.len() < CACHE_WORDS {
                stems.insert(token.text.as_str().into(), stem.clone());
            }
            token.text.clear();
            token.text.push_str(&stem);
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TokenizerManager;

    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((
                token.text.clone(),
                token.offset_from,
                token.offset_to,
                token.position,
            ));
        }
        out
    }

    #[test]
    fn same_tokens_as_tantivys_en_stem_whether_cached_or_not() {
        let mut reference = TokenizerManager::default()
            .get("en_stem")
            .expect("Tantivy registers en_stem");
        let mut cached = english();
        let text = "The hackers were hacking; HACKED networks, running runners ran. \
                    Ünïcödé Straße naïve résumés — APT28's implants implanted \
                    pneumonoultramicroscopicsilicovolcanoconiosis-like-long-tokens-are-dropped";
        // Twice, so the second pass answers from the cache.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut reference, text));
        }
        let mut cold = cached.clone();
        assert_eq!(tokens(&mut cold, text), tokens(&mut reference, text));
    }
}
