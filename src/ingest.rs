//! Ingest: finds the article files under a corpus folder and turns each one
//! into an [`Article`] (decoded text, date header, title, body).
//!
//! A bad file never stops the run: it comes back as a [`SkipReason`] that the
//! caller reports as `path: reason` and counts.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{Days, NaiveDate};
use thiserror::Error;
use walkdir::WalkDir;

/// File extensions read as articles (case-insensitive).
pub const ARTICLE_EXTENSIONS: &[&str] = &["txt", "text"];

/// Articles larger than this are refused rather than read into memory.
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// Longest title kept, in characters, before it is cut at a word boundary.
const MAX_TITLE_CHARS: usize = 120;

/// A file found under the corpus root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the corpus root, with `/` separators: the article id.
    pub id: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Size in bytes when the folder was walked.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 if unknown).
    pub modified_ns: u64,
}

/// A file that could not be used, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The file could not be read (permissions, vanished, I/O error).
    #[error("cannot read: {0}")]
    Unreadable(String),
    /// The file holds no text.
    #[error("empty file")]
    Empty,
    /// The file looks like binary data (NUL bytes or control characters).
    #[error("binary file (contains NUL bytes or control characters), not an article")]
    Binary,
    /// The file is larger than [`MAX_ARTICLE_BYTES`].
    #[error("too large: {size} bytes, over the {limit}-byte limit for one article")]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The walk itself failed here (a symlink loop, an unreadable folder).
    #[error("{0}")]
    Walk(String),
    /// The name looks like an article but it is a FIFO, socket or device,
    /// which could block or never end if read.
    #[error("not a regular file but {0}, which is never read")]
    NotAFile(&'static str),
}

/// Something worth telling the user about an article that was still indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

/// One article, ready for extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Path relative to the corpus root.
    pub id: String,
    /// The date from the header, if it had a valid one.
    pub date: Option<NaiveDate>,
    /// The first sentence, trimmed to a readable length.
    pub title: String,
    /// The text after the date header.
    pub body: String,
    /// Things the user should know (no date, decoded as Windows-1252...).
    pub warnings: Vec<Warning>,
}

/// The corpus root is unusable as a whole.
#[derive(Debug, Error)]
pub enum CorpusError {
    /// The path does not exist.
    #[error("corpus folder {0} does not exist; pass the folder of articles to index, e.g. `dossier index corpus`")]
    Missing(PathBuf),
    /// The path is a file, not a folder.
    #[error("{0} is a file, not a folder; pass the folder that holds the articles")]
    NotAFolder(PathBuf),
}

/// A place the walk could not enter, and why.
pub type WalkProblem = (String, SkipReason);

/// Lists every article file under `root`, sorted by id, plus the places the
/// walk could not enter. Holds the whole list: [`walk`] streams it.
pub fn discover(root: &Path) -> Result<(Vec<SourceFile>, Vec<WalkProblem>), CorpusError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for found in walk(root)? {
        match found {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    files.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((files, problems))
}

/// Walks the article files under `root` one at a time, folder by folder in
/// name order, so a corpus of any size costs the memory of one folder's
/// listing. Each item is a file or a place the walk could not enter.
pub fn walk(
    root: &Path,
) -> Result<impl Iterator<Item = Result<SourceFile, WalkProblem>>, CorpusError> {
    let metadata = fs::metadata(root).map_err(|_| CorpusError::Missing(root.to_path_buf()))?;
    if !metadata.is_dir() {
        return Err(CorpusError::NotAFolder(root.to_path_buf()));
    }
    let root = root.to_path_buf();
    let walker = WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    Ok(walker.filter_map(move |entry| classify(&root, entry)))
}

/// What one step of the walk found: an article file, a problem to report,
/// or nothing of interest (a folder, a file of another kind).
fn classify(
    root: &Path,
    entry: walkdir::Result<walkdir::DirEntry>,
) -> Option<Result<SourceFile, WalkProblem>> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(error) => {
            let place = error
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| root.display().to_string());
            let is_symlink = error
                .path()
                .and_then(|p| fs::symlink_metadata(p).ok())
                .is_some_and(|m| m.file_type().is_symlink());
            let io_kind = error.io_error().map(std::io::Error::kind);
            let other_kind_of_file = error
                .path()
                .is_some_and(|p| p.extension().is_some() && !has_article_extension(p));
            if is_symlink && error.loop_ancestor().is_none() && other_kind_of_file {
                // A broken link to a PDF or an image is none of our business.
                return None;
            }
            let reason = if error.loop_ancestor().is_some() {
                "symbolic link loop, not followed".to_string()
            } else if is_symlink && io_kind == Some(std::io::ErrorKind::NotFound) {
                "broken symbolic link (its target does not exist)".to_string()
            } else if is_symlink && fs::metadata(error.path().unwrap_or(root)).is_err() {
                let cause = error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string);
                format!("symbolic link that cannot be followed ({cause})")
            } else {
                error
                    .io_error()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| error.to_string())
            };
            return Some(Err((place, SkipReason::Walk(reason))));
        }
    };
    if !has_article_extension(entry.path()) {
        return None;
    }
    if let Some(kind) = special_file_kind(&entry.file_type()) {
        return Some(Err((
            entry.path().display().to_string(),
            SkipReason::NotAFile(kind),
        )));
    }
    if !entry.file_type().is_file() {
        return None;
    }
    let relative = entry.path().strip_prefix(root).ok()?;
    let id = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let (size, modified_ns) = match entry.metadata() {
        Ok(m) => (
            m.len(),
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64),
        ),
        Err(_) => (0, 0),
    };
    Some(Ok(SourceFile {
        id,
        path: entry.into_path(),
        size,
        modified_ns,
    }))
}

/// What a file that is neither a regular file nor a folder is, if it is one.
fn special_file_kind(file_type: &fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() || file_type.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

fn has_article_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARTICLE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Reads and parses one article file. `today` bounds plausible dates.
///
/// The file may have changed since the walk (deleted, truncated, grown): the
/// size is checked on the open handle and the read is capped at
/// [`MAX_ARTICLE_BYTES`], so memory stays bounded whatever happens on disk.
pub fn read_article(file: &SourceFile, today: NaiveDate) -> Result<Article, SkipReason> {
    let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string());
    let handle = fs::File::open(&file.path).map_err(unreadable)?;
    let size = handle.metadata().map_err(unreadable)?.len();
    let too_large = |size| SkipReason::TooLarge {
        size,
        limit: MAX_ARTICLE_BYTES,
    };
    if size > MAX_ARTICLE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    handle
        .take(MAX_ARTICLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    parse_article(&file.id, &bytes, today)
}

/// Decodes bytes as text: UTF-8 (a BOM is dropped), otherwise Windows-1252
/// with a warning. Binary data is refused.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<Warning>), SkipReason> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SkipReason::Empty);
    }
    if looks_binary(bytes) {
        return Err(SkipReason::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok((
                text.into_owned(),
                Some(Warning(
                    "not valid UTF-8; decoded as Windows-1252 (Latin-1)".to_string(),
                )),
            ))
        }
    }
}

/// NUL bytes, or many control characters in the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) || bytes.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    control * 20 > head.len()
}

/// Parses a decoded article: optional whitespace, `date YYYY-MM-DD`, body.
pub fn parse_article(id: &str, bytes: &[u8], today: NaiveDate) -> Result<Article, SkipReason> {
    let (text, decode_warning) = decode(bytes)?;
    let mut warnings: Vec<Warning> = decode_warning.into_iter().collect();
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    let (date, body) = split_date_header(&text, today, &mut warnings);
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(SkipReason::Empty);
    }
    let title = title_of(&body);
    Ok(Article {
        id: id.to_string(),
        date,
        title,
        body,
        warnings,
    })
}

/// The earliest date accepted in a `date` header. Older dates are typos (or
/// not cyber-espionage reporting), and Tantivy cannot store dates before 1677.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The latest date accepted: a little slack for time zones and embargoes.
fn latest_plausible(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(2)).unwrap_or(today)
}

fn split_date_header<'t>(
    text: &'t str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> (Option<NaiveDate>, &'t str) {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix("date") else {
        warnings.push(Warning(
            "no `date YYYY-MM-DD` header; indexed without a date".to_string(),
        ));
        return (None, trimmed);
    };
    if !rest.starts_with(char::is_whitespace) {
        warnings.push(Warning(
            "no `date YYYY-MM-DD` header; indexed without a date".to_string(),
        ));
        return (None, trimmed);
    }
    let rest = rest.trim_start();
    let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let token = &rest[..token_end];
    let body = &rest[token_end..];
    match NaiveDate::parse_from_str(token, "%Y-%m-%d") {
        Ok(date) if token.len() == 10 && date < EARLIEST_DATE => {
            warnings.push(Warning(format!(
                "date {date} is before {EARLIEST_DATE}; indexed without a date"
            )));
            (None, body)
        }
        Ok(date) if token.len() == 10 && date <= latest_plausible(today) => (Some(date), body),
        Ok(date) if token.len() == 10 => {
            warnings.push(Warning(format!(
                "date {date} is in the future; indexed without a date"
            )));
            (None, body)
        }
        _ if token.len() == 10 && token.as_bytes()[4] == b'-' => {
            warnings.push(Warning(format!(
                "invalid date {token:?} (no such day); indexed without a date"
            )));
            (None, body)
        }
        _ => {
            warnings.push(Warning(format!(
                "the date header holds {token:?}, not YYYY-MM-DD; indexed without a date"
            )));
            (None, rest)
        }
    }
}

/// The first sentence of the body, cut at a word boundary if it is long.
pub fn title_of(body: &str) -> String {
    let first_line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let sentence = first_sentence(first_line);
    let chars = sentence.chars().count();
    if chars <= MAX_TITLE_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(MAX_TITLE_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > MAX_TITLE_CHARS / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn first_sentence(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = bytes.get(i + 1).copied();
        if next.is_some_and(|b| b != b' ') {
            continue;
        }
        // "U.S." and "Dr." do not end a sentence.
        let word_start = line[..i].rfind(' ').map_or(0, |s| s + 1);
        let word = &line[word_start..i];
        let abbreviation = word.contains('.')
            || (word.len() <= 2 && word.chars().next().is_some_and(char::is_uppercase))
            || [
                "Mr", "Mrs", "Ms", "Dr", "St", "Inc", "Ltd", "Co", "Corp", "vs", "No",
            ]
            .contains(&word);
        if c == '.' && abbreviation {
            continue;
        }
        return &line[..=i];
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn parses_the_sample_format() {
        let a = parse_article(
            "a.txt",
            b" date 2024-03-28 In a significant revelation, the U.S. and the UK accused China. More text.\n\nSecond.",
            today(),
        )
        .unwrap();
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 3, 28));
        assert_eq!(
            a.title,
            "In a significant revelation, the U.S. and the UK accused China."
        );
        assert!(a.body.starts_with("In a significant"));
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn missing_impossible_and_future_dates_warn_and_keep_the_article() {
        for (input, fragment) in [
            (&b"No header here."[..], "no `date"),
            (b"date 2024-02-30 Body.", "no such day"),
            (b"date 2099-01-01 Body.", "future"),
            (b"date yesterday Body.", "not YYYY-MM-DD"),
        ] {
            let a = parse_article("a.txt", input, today()).unwrap();
            assert_eq!(a.date, None);
            assert!(a.warnings[0].0.contains(fragment), "{:?}", a.warnings);
        }
    }

    #[test]
    fn bom_crlf_and_latin1_are_decoded() {
        let a = parse_article(
            "a.txt",
            b"\xEF\xBB\xBF date 2020-01-02 Caf\xC3\xA9.\r\nNext.",
            today(),
        )
        .unwrap();
        assert_eq!(a.body, "Café.\nNext.");
        let a = parse_article(
            "a.txt",
            b" date 2020-01-02 Caf\xE9 \x93quoted\x94.",
            today(),
        )
        .unwrap();
        assert_eq!(a.body, "Café \u{201c}quoted\u{201d}.");
        assert!(a.warnings[0].0.contains("Windows-1252"));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(parse_article("a", b"  \n", today()), Err(SkipReason::Empty));
        assert_eq!(
            parse_article("a", b"date 2020-01-01   ", today()),
            Err(SkipReason::Empty)
        );
        assert_eq!(
            parse_article("a", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", today()),
            Err(SkipReason::Binary)
        );
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let body = format!("{} end.", "word ".repeat(60));
        let title = title_of(&body);
        assert!(title.ends_with('…'));
        assert!(title.chars().count() <= MAX_TITLE_CHARS + 1);
    }
}
