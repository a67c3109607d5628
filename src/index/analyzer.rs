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
            stemmer: stemmer(),
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

/// A word of up to [`KEY_BYTES`] bytes, zero-padded into three machine words,
/// so a cache probe hashes and compares it without following a pointer
/// (the boxed keys of the first cache made the key comparison alone 8% of
/// indexing time, most of it waiting for memory).
#[derive(Clone, Copy, PartialEq, Eq)]
struct WordKey([u64; 3]);

/// The longest word kept in the cache; longer words are stemmed each time.
const KEY_BYTES: usize = 24;

impl WordKey {
    /// The key of `word`, or `None` when it is too long to inline or ends
    /// with a NUL byte (which the zero padding could not tell from padding).
    fn new(word: &str) -> Option<WordKey> {
        let bytes = word.as_bytes();
        if bytes.len() > KEY_BYTES || bytes.last() == Some(&0) {
            return None;
        }
        let mut padded = [0u8; KEY_BYTES];
        padded[..bytes.len()].copy_from_slice(bytes);
        let word_at = |i: usize| {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&padded[i * 8..i * 8 + 8]);
            u64::from_le_bytes(chunk)
        };
        Some(WordKey([word_at(0), word_at(1), word_at(2)]))
    }
}

impl std::hash::Hash for WordKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for word in self.0 {
            state.write_u64(word);
        }
    }
}

/// A word's stem, as the cache keeps it.
#[derive(Clone)]
enum Stem {
    /// The first this-many bytes of the word ("attacks" → "attack"), or the
    /// whole word when the stemmer leaves it alone.
    Prefix(usize),
    /// Anything else ("happy" → "happi").
    Other(Box<str>),
}

impl Stem {
    fn of(word: &str, stem: &str) -> Stem {
        if word.starts_with(stem) {
            Stem::Prefix(stem.len())
        } else {
            Stem::Other(stem.into())
        }
    }

    /// Rewrites `word`, the word this stem was computed from, into the stem.
    fn apply(&self, word: &mut String) {
        match self {
            Stem::Prefix(len) => word.truncate(*len),
            Stem::Other(stem) => {
                word.clear();
                word.push_str(stem);
            }
        }
    }
}

/// Snowball's English stemmer leaves words of one or two letters alone, and
/// a word of at most two bytes has at most two letters.
const UNSTEMMED_BYTES: usize = 2;

/// Rewrites a lower-cased word into its stem, through this thread's cache.
pub fn stem_in_place(stemmer: &frostem::Stemmer, word: &mut String) {
    if word.len() <= UNSTEMMED_BYTES {
        return;
    }
    let Some(key) = WordKey::new(word) else {
        let stem = stemmer.stem(word).into_owned();
        *word = stem;
        return;
    };
    STEMS.with_borrow_mut(|stems| {
        if let Some(stem) = stems.get(&key) {
            stem.apply(word);
            return;
        }
        let stem = Stem::of(word, &stemmer.stem(word));
        stem.apply(word);
        if stems.len() < CACHE_WORDS {
            stems.insert(key, stem);
        }
    });
}

/// The analyzer without its stemmer: the words as [`english`] sees them
/// before stemming them.
pub fn unstemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

/// The English stemmer [`english`] uses.
pub fn stemmer() -> frostem::Stemmer {
    frostem::Stemmer::new(frostem::Algorithm::English)
}

thread_local! {
    /// Stems by word, one cache per thread: each indexing thread keeps its
    /// own across segments without locking, and a process that runs many
    /// queries (snippets stem whole articles) keeps its cache warm. Tantivy
    /// clones the analyzer for every segment and query, so a cache inside
    /// the analyzer would start cold each time.
    static STEMS: RefCell<FxHashMap<WordKey, Stem>> = RefCell::new(FxHashMap::default());
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        stem_in_place(self.stemmer, &mut self.tail.token_mut().text);
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

    #[test]
    fn the_stemmer_never_changes_a_word_s_first_letter() {
        // The snippets look up only the words that begin as a query word
        // does; this is what makes that exact. Every word of the generator's
        // vocabulary (SCOWL's commonest 30,000) and Snowball's exceptions.
        let stemmer = stemmer();
        let exceptions = [
            "skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only",
            "singly", "sky", "news", "howe", "atlas", "cosmos", "bias", "andes", "yes", "youth",
            "yelling", "ylang",
        ];
        let words = include_str!("../../data/wordlist.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .chain(exceptions);
        let mut checked = 0;
        for word in words {
            let word = word.trim().to_lowercase();
            let mut stem = word.clone();
            stem_in_place(&stemmer, &mut stem);
            assert_eq!(stem.chars().next(), word.chars().next(), "{word} -> {stem}");
            checked += 1;
        }
        assert!(checked > 20_000, "{checked} words");
    }

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
                    pneumonoultramicroscopicsilicovolcanoconiosis-like-long-tokens-are-dropped \
                    institutionalizationalisms deinstitutionalizations happy happily a is of \
                    ab y ys é éé ñs";
        // Twice, so the second pass answers from the cache.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut reference, text));
        }
        let mut cold = cached.clone();
        assert_eq!(tokens(&mut cold, text), tokens(&mut reference, text));
    }

    #[test]
    fn snowball_leaves_words_of_two_bytes_alone() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let alphabet: Vec<char> = ('a'..='z').chain('0'..='9').chain(['\'', 'é']).collect();
        let mut words: Vec<String> = alphabet.iter().map(char::to_string).collect();
        for first in &alphabet {
            for second in &alphabet {
                words.push(format!("{first}{second}"));
            }
        }
        for word in words.iter().filter(|w| w.len() <= UNSTEMMED_BYTES) {
            assert_eq!(stemmer.stem(word), word.as_str(), "{word}");
        }
    }

    #[test]
    fn word_keys_tell_words_apart_and_refuse_what_they_cannot_hold() {
        assert!(WordKey::new("attack") != WordKey::new("attacks"));
        assert!(WordKey::new("a".repeat(KEY_BYTES).as_str()).is_some());
        assert!(WordKey::new("a".repeat(KEY_BYTES + 1).as_str()).is_none());
        assert!(WordKey::new("ab\0").is_none());
    }
}
