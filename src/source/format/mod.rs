//! Formats: a [`Reader`] per kind of file turns a source file into zero or
//! more [`Article`]s, and [`Formats`] picks the reader for a file, by its
//! extension and then, where several readers share one, by its first bytes.
//! The pipeline after this point never knows which format an article came
//! from.

pub mod dates;
pub mod html;
pub mod isolated;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod pdf;
pub mod stix;
pub mod text;

use std::fs;
use std::io::Read;
use std::path::Path;

use chrono::{Days, NaiveDate};

use super::SkipReason;
use crate::model::{Article, Warning};

/// The names of the formats dossier reads, as documents and the `format`
/// filter call them.
pub const FORMAT_NAMES: &[&str] = &["text", "markdown", "html", "json", "stix", "pdf"];

/// Articles larger than this are refused rather than read into memory.
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// How many bytes of a file are shown to [`Reader::accepts`].
pub const HEAD_BYTES: usize = 8 * 1024;

/// A problem with one article of a source file that holds several (a bad
/// line of a feed): that article is skipped, the others are indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleProblem {
    /// Where in the file (`line 12`).
    pub location: String,
    /// What is wrong.
    pub reason: String,
}

/// What a reader hands on for each article it finds.
pub type Emit<'a> = dyn FnMut(Result<Article, ArticleProblem>) + 'a;

/// Reads one format.
pub trait Reader: Send + Sync {
    /// The format's name: a document's `format`, and the value of the
    /// `format` filter (`"pdf"`); one of [`FORMAT_NAMES`].
    fn name(&self) -> &'static str;

    /// The file extensions it reads, lower case, without the dot.
    fn extensions(&self) -> &'static [&'static str];

    /// Bumped whenever what it reads from a file changes, so indexes read
    /// every such file again.
    fn version(&self) -> u32;

    /// Whether it reads a file with one of its extensions that starts with
    /// `head` (at most [`HEAD_BYTES`]): lets formats share an extension. A
    /// file no reader accepts is read by the first reader of its extension.
    fn accepts(&self, _head: &[u8]) -> bool {
        true
    }

    /// Whether its parser is not to be trusted with hostile files (it may
    /// hang, abort or exhaust memory): such readers run in worker processes
    /// once [`Formats::isolate_untrusted`] is asked for.
    fn untrusted(&self) -> bool {
        false
    }

    /// Reads the articles of `input`, handing each to `emit` as soon as it
    /// is read. An error means the whole file is unusable; a problem with
    /// one article of several is emitted instead.
    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason>;
}

/// A source file as a reader sees it.
pub struct Input<'a> {
    /// Its path on disk.
    pub path: &'a Path,
    /// Today, which bounds plausible dates.
    pub today: NaiveDate,
}

impl Input<'_> {
    /// The whole file, refused when it is larger than `limit` bytes. The
    /// file may have changed since the walk (deleted, truncated, grown): the
    /// size is checked on the open handle and the read is capped, so memory
    /// stays bounded whatever happens on disk.
    pub fn read_all(&self, limit: u64) -> Result<Vec<u8>, SkipReason> {
        let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string());
        let handle = fs::File::open(self.path).map_err(unreadable)?;
        let size = handle.metadata().map_err(unreadable)?.len();
        let too_large = |size| SkipReason::TooLarge { size, limit };
        if size > limit {
            return Err(too_large(size));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        handle
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

/// The readers dossier knows, and the choice among them.
pub struct Formats {
    readers: Vec<Box<dyn Reader>>,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats::standard()
    }
}

impl Formats {
    /// Every format dossier reads.
    pub fn standard() -> Formats {
        Formats {
            readers: vec![
                Box::new(text::PlainText),
                Box::new(markdown::Markdown),
                Box::new(html::Html),
                // Before JSON, which shares `.json` and takes what STIX does not.
                Box::new(stix::Stix),
                Box::new(json::Json),
                Box::new(pdf::Pdf),
            ],
        }
    }

    /// These formats plus `reader`, which is preferred for the extensions
    /// it shares with them.
    pub fn with(mut self, reader: impl Reader + 'static) -> Formats {
        self.readers.insert(0, Box::new(reader));
        self
    }

    /// These formats with the parsing of every untrusted one (PDF, HTML)
    /// moved into worker processes started as `isolation` says.
    pub fn isolate_untrusted(self, isolation: isolated::Isolation) -> Formats {
        let isolation = std::sync::Arc::new(isolation);
        Formats {
            readers: self
                .readers
                .into_iter()
                .map(|reader| -> Box<dyn Reader> {
                    if reader.untrusted() {
                        Box::new(isolated::Isolated::new(reader, isolation.clone()))
                    } else {
                        reader
                    }
                })
                .collect(),
        }
    }

    /// The reader named `name` (`"pdf"`).
    pub fn named(&self, name: &str) -> Option<&dyn Reader> {
        self.readers
            .iter()
            .map(|r| r.as_ref())
            .find(|r| r.name() == name)
    }

    /// The readers for a file's extension, in order of preference.
    fn for_extension<'s>(&'s self, path: &Path) -> impl Iterator<Item = &'s dyn Reader> + 's {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        self.readers.iter().map(|r| r.as_ref()).filter(move |r| {
            extension
                .as_deref()
                .is_some_and(|e| r.extensions().contains(&e))
        })
    }

    /// Whether some reader takes files named like `path`.
    pub fn claims(&self, path: &Path) -> bool {
        self.for_extension(path).next().is_some()
    }

    /// The reader for the file at `path`: the one of its extension, or,
    /// where several share it, the first that accepts the file's first
    /// bytes (read only then).
    pub fn reader_for(&self, path: &Path) -> Result<&dyn Reader, SkipReason> {
        let mut candidates = self.for_extension(path).peekable();
        let first = candidates.next().ok_or_else(|| {
            SkipReason::Unreadable("no reader takes files of this kind".to_string())
        })?;
        if candidates.peek().is_none() {
            return Ok(first);
        }
        let head = read_head(path)?;
        Ok(std::iter::once(first)
            .chain(candidates)
            .find(|r| r.accepts(&head))
            .unwrap_or(first))
    }

    /// Identifies the readers and their versions, so that changing how a
    /// format is read makes indexes read those files again.
    pub fn fingerprint(&self) -> String {
        self.readers
            .iter()
            .map(|r| format!("{}:{}", r.name(), r.version()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn read_head(path: &Path) -> Result<Vec<u8>, SkipReason> {
    let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string());
    let mut head = Vec::with_capacity(HEAD_BYTES);
    fs::File::open(path)
        .map_err(unreadable)?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    Ok(head)
}

/// The earliest publication date accepted. Older dates are typos (or not
/// cyber-espionage reporting), and Tantivy cannot store dates before 1677.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The latest date accepted: a little slack for time zones and embargoes.
pub fn latest_plausible(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(2)).unwrap_or(today)
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

/// Refuses a file whose content is some other kind of file than its name
/// says (a PDF or an image named `.md` or `.txt`), naming what it is, so it
/// is skipped with that reason rather than read as `format` (`"Markdown"`).
pub fn refuse_misnamed(bytes: &[u8], path: &Path, format: &str) -> Result<(), SkipReason> {
    let Some((kind, hint)) = sniff(bytes) else {
        return Ok(());
    };
    let named = path
        .extension()
        .map(|e| format!(" named .{}", e.to_string_lossy()))
        .unwrap_or_default();
    Err(SkipReason::Unusable(format!(
        "misnamed file: {kind}{named}, not {format}{hint}"
    )))
}

/// What kind of file `bytes` starts like, if a kind that is never an
/// article's text, with a hint for a kind dossier reads under its own name.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (b"%PDF-", "a PDF document", " (rename it .pdf)"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image", ""),
        (b"\xFF\xD8\xFF", "a JPEG image", ""),
        (b"GIF87a", "a GIF image", ""),
        (b"GIF89a", "a GIF image", ""),
        (
            b"PK\x03\x04",
            "a ZIP archive (a Word or other Office document, an EPUB...)",
            "",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "a Microsoft Office (OLE) document",
            "",
        ),
        (b"\x1F\x8B", "a gzip archive", ""),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive", ""),
        (b"Rar!\x1A\x07", "a RAR archive", ""),
        (b"\x7FELF", "an executable", ""),
        (b"{\\rtf", "an RTF document", ""),
        (b"%!PS", "a PostScript document", ""),
        (b"SQLite format 3\0", "an SQLite database", ""),
        (b"wOFF", "a web font", ""),
        (b"wOF2", "a web font", ""),
        (
            b"MIME-Version:",
            "an MHTML web archive",
            " (save the page as HTML instead)",
        ),
    ];
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bytes = bytes.trim_ascii_start();
    if let Some(&(_, kind, hint)) = MAGIC.iter().find(|(magic, ..)| bytes.starts_with(magic)) {
        return Some((kind, hint));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("a WebP image", ""));
    }
    // PDF readers accept up to 1 KiB of junk before the header.
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") && head.starts_with(b"%") {
        return Some(("a PDF document", " (rename it .pdf)"));
    }
    None
}

/// [`decode`]d text with its line endings made `\n`, and the decoding's
/// warning, if any, as the first of a list: the start of every reader of
/// a text format.
pub fn decode_lines(bytes: &[u8]) -> Result<(String, Vec<Warning>), SkipReason> {
    let (text, warning) = decode(bytes)?;
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok((text, warning.into_iter().collect()))
}

/// NUL bytes, or many control characters in the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    if head.contains(&0) || bytes.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    control * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sniffing;

    impl Reader for Sniffing {
        fn name(&self) -> &'static str {
            "sniffing"
        }
        fn extensions(&self) -> &'static [&'static str] {
            &["txt"]
        }
        fn version(&self) -> u32 {
            1
        }
        fn accepts(&self, head: &[u8]) -> bool {
            head.starts_with(b"MAGIC")
        }
        fn read(&self, _: &Input<'_>, _: &mut Emit<'_>) -> Result<(), SkipReason> {
            Ok(())
        }
    }

    #[test]
    fn a_reader_is_chosen_by_extension_then_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let formats = Formats::standard().with(Sniffing);
        let magic = dir.path().join("a.TXT");
        let plain = dir.path().join("b.txt");
        fs::write(&magic, "MAGIC and more").unwrap();
        fs::write(&plain, " date 2020-01-01 text").unwrap();
        assert_eq!(formats.reader_for(&magic).unwrap().name(), "sniffing");
        assert_eq!(formats.reader_for(&plain).unwrap().name(), "text");
        assert!(formats.claims(Path::new("x.text")));
        assert!(!formats.claims(Path::new("x.docx")));
        assert!(!formats.claims(Path::new("txt")));
        assert!(formats.reader_for(Path::new("x.docx")).is_err());
        assert_ne!(formats.fingerprint(), Formats::standard().fingerprint());
    }

    #[test]
    fn a_file_whose_content_is_another_kind_is_named_as_such() {
        let refused = |bytes: &[u8], name: &str| {
            refuse_misnamed(bytes, Path::new(name), "Markdown")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "notes/report.md"),
            "misnamed file: a PDF document named .md, not Markdown (rename it .pdf)"
        );
        assert_eq!(
            refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.MD"),
            "misnamed file: a PNG image named .MD, not Markdown"
        );
        assert!(refused(b"PK\x03\x04\x14\0", "x.md").contains("ZIP archive"));
        assert!(refuse_misnamed(
            b"# A note\n\nText about %PDF-1.7.",
            Path::new("x.md"),
            "Markdown"
        )
        .is_ok());
        assert!(refuse_misnamed(b"", Path::new("x.md"), "Markdown").is_ok());
    }
}
