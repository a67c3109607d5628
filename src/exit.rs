//! Exit codes, in one place (also listed in `--help` and the README).

/// Success; for `search`, at least one hit.
pub const SUCCESS: u8 = 0;
/// `search` found nothing.
pub const NO_HITS: u8 = 1;
/// Bad flag, bad query, missing or locked index, unusable corpus.
pub const ERROR: u8 = 2;
