//! PDF: the text layer of a `.pdf` file, one article a file, read with
//! `pdf_oxide` (pure Rust; it orders multi-column pages). Pages are joined
//! by a blank line with their lines kept, and words hyphenated at a line's
//! end are joined again. The title is the document information's `Title`
//! when it is a real title, else the first large line of page 1; the date
//! is the information's `CreationDate`, else a date written near the top
//! of page 1 (with a warning that it was guessed).
//!
//! A PDF without text (a scan), one encrypted with a password, or one the
//! parser cannot read is skipped with that reason. The parser is not
//! trusted: its panics are caught here, and [`Reader::untrusted`] lets the
//! pipeline run it in a worker process for hangs and aborts.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use chrono::NaiveDate;
use pdf_oxide::PdfDocument;
use regex::Regex;

use super::text::{after_dateline, shorten_title, title_of};
use super::{
    dates, decode, latest_plausible, Emit, Input, Reader, EARLIEST_DATE, MAX_ARTICLE_BYTES,
};
use crate::model::{Article, Warning};
use crate::source::SkipReason;

/// PDFs larger than this are refused: reports run to a few MB, mostly
/// images, and the parser holds the file twice over.
pub const MAX_PDF_BYTES: u64 = 128 * 1024 * 1024;

/// Where a PDF's `%PDF-` header may be: the specification allows junk
/// before it, and readers look in the first kilobyte.
const HEADER_WINDOW: usize = 1024;

/// The deepest nesting of arrays and dictionaries let through to the
/// parser, which recurses on it and would overflow its stack (an abort no
/// `catch_unwind` stops) on a crafted file; real PDFs nest a few levels.
const MAX_NESTING: usize = 256;

/// The PDF reader.
pub struct Pdf;

impl Reader for Pdf {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["pdf"]
    }

    fn version(&self) -> u32 {
        1
    }

    fn untrusted(&self) -> bool {
        true
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let bytes = input.read_all(MAX_PDF_BYTES)?;
        emit(Ok(parse_pdf(bytes, input.today)?));
        Ok(())
    }
}

/// Reads the article in the PDF `bytes`.
pub fn parse_pdf(bytes: Vec<u8>, today: NaiveDate) -> Result<Article, SkipReason> {
    check_header(&bytes)?;
    if nesting_exceeds(&bytes, MAX_NESTING) {
        return Err(SkipReason::Unusable(format!(
            "unreadable PDF: arrays or dictionaries nested over {MAX_NESTING} deep, \
             a crafted file that would overflow the parser's stack"
        )));
    }
    let extracted = catch_unwind(AssertUnwindSafe(|| extract(bytes))).map_err(|panic| {
        SkipReason::Unusable(format!(
            "unreadable PDF: the parser failed ({})",
            panic_text(&panic)
        ))
    })??;
    assemble(extracted, today)
}

/// Refuses a file that is not a PDF at all, saying what it looks like.
fn check_header(bytes: &[u8]) -> Result<(), SkipReason> {
    let head = &bytes[..bytes.len().min(HEADER_WINDOW)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(());
    }
    match decode(bytes) {
        Err(SkipReason::Empty) => Err(SkipReason::Empty),
        Ok(_) => Err(SkipReason::Unusable(
            "not a PDF (no %PDF- header): the file holds text, so its .pdf extension is wrong"
                .to_string(),
        )),
        Err(_) => Err(SkipReason::Unusable(
            "not a PDF (no %PDF- header) but some other binary file".to_string(),
        )),
    }
}

/// Whether arrays and dictionaries nest deeper than `limit` in the
/// file's own syntax: strings, comments and stream data are passed over.
/// Nesting inside compressed object streams is not seen here; the worker
/// process that runs untrusted parsers contains what gets through.
fn nesting_exceeds(bytes: &[u8], limit: usize) -> bool {
    static END_STREAM: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(["endstream"]).expect("one literal pattern always builds")
    });
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        match byte {
            b'[' | b'<' if byte == b'[' || next == Some(b'<') => {
                depth += 1;
                if depth > limit {
                    return true;
                }
                i += if byte == b'[' { 1 } else { 2 };
                continue;
            }
            b']' => depth = depth.saturating_sub(1),
            b'>' if next == Some(b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
                continue;
            }
            // A hex string.
            b'<' => i = find_from(bytes, i, |b| b == b'>'),
            b'%' => i = find_from(bytes, i, |b| b == b'\n' || b == b'\r'),
            b'(' => i = literal_string_end(bytes, i),
            b's' if bytes[i..].starts_with(b"stream")
                && i.checked_sub(1)
                    .and_then(|p| bytes.get(p))
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
                && matches!(bytes.get(i + 6), Some(b'\r' | b'\n')) =>
            {
                match END_STREAM.find(&bytes[i + 6..]) {
                    Some(end) => i += 6 + end.end() - 1,
                    None => return false,
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The index of the first byte after `from` that `is_end`, or the end.
fn find_from(bytes: &[u8], from: usize, is_end: impl Fn(u8) -> bool) -> usize {
    bytes
        .iter()
        .skip(from + 1)
        .position(|&b| is_end(b))
        .map_or(bytes.len(), |p| from + 1 + p)
}

/// The index of the `)` that closes the literal string opening at `from`
/// (parentheses nest; a backslash escapes the next byte), or the end.
fn literal_string_end(bytes: &[u8], from: usize) -> usize {
    let mut open = 0usize;
    let mut i = from;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 1,
            b'(' => open += 1,
            b')' => {
                open -= 1;
                if open == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// What the parser found in a PDF, before it becomes an article.
#[derive(Debug, Default, Clone, PartialEq)]
struct Extracted {
    /// Each page's text, in reading order.
    pages: Vec<String>,
    /// The document information's `Title`, decoded.
    info_title: Option<String>,
    /// The document information's `CreationDate`, as written (`D:2024…`).
    info_created: Option<String>,
    /// The first line set larger than the body text on page 1.
    large_line: Option<String>,
}

/// Runs the parser. May panic (the caller catches it).
fn extract(bytes: Vec<u8>) -> Result<Extracted, SkipReason> {
    let document = PdfDocument::from_bytes(bytes).map_err(|e| unreadable(&e))?;
    // Opening tries the empty user password, which opens the many PDFs
    // encrypted only to restrict printing or copying.
    if document.is_encrypted() && !document.is_authenticated() {
        return Err(SkipReason::Unusable(
            "encrypted PDF: cannot be opened without its password".to_string(),
        ));
    }
    let count = document.page_count().map_err(|e| unreadable(&e))?;
    if count == 0 {
        return Err(SkipReason::Unusable(
            "unreadable PDF: it has no pages".to_string(),
        ));
    }
    let mut pages = Vec::with_capacity(count);
    for page in 0..count {
        pages.push(document.extract_text(page).map_err(|e| unreadable(&e))?);
    }
    Ok(Extracted {
        pages,
        info_title: info_string(&document, "Title"),
        info_created: info_string(&document, "CreationDate"),
        large_line: large_line(&document),
    })
}

fn unreadable(error: &pdf_oxide::Error) -> SkipReason {
    let message = error.to_string();
    let message = message.lines().next().unwrap_or("").trim();
    SkipReason::Unusable(format!("unreadable PDF: {message}"))
}

fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// A text string of the document information dictionary.
fn info_string(document: &PdfDocument, key: &str) -> Option<String> {
    let info = document.trailer().as_dict()?.get("Info")?;
    let info = document.resolve_object(info).ok()?;
    let value = document.resolve_object(info.as_dict()?.get(key)?).ok()?;
    let text = decode_text_string(value.as_string()?);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A PDF text string: UTF-16 with its byte-order mark, UTF-8 with its
/// mark (PDF 2.0), else PDFDocEncoding, read as Latin-1 (they differ only
/// in rarely used punctuation).
fn decode_text_string(bytes: &[u8]) -> String {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| from([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// The first line of page 1 when it is set clearly larger than the body
/// text and stands above it (a title may wrap: its lines of the same size
/// are joined). A large line lower down is a heading, not the title.
fn large_line(document: &PdfDocument) -> Option<String> {
    let spans = document.extract_spans(0).ok()?;
    let spans: Vec<_> = spans
        .into_iter()
        .filter(|s| !s.text.trim().is_empty() && s.font_size.is_finite() && s.font_size > 0.0)
        .collect();
    let body_size = most_common_size(spans.iter().map(|s| (s.font_size, s.text.len())))?;
    let large = |size: f32| size >= body_size * 1.25;
    // PDF space: y grows upwards, so the top line has the largest y.
    let body_top = spans
        .iter()
        .filter(|s| !large(s.font_size))
        .map(|s| s.bbox.y)
        .fold(f32::MIN, f32::max);
    let mut tops: Vec<_> = spans.iter().filter(|s| large(s.font_size)).collect();
    tops.sort_by(|a, b| {
        b.bbox
            .y
            .total_cmp(&a.bbox.y)
            .then(a.bbox.x.total_cmp(&b.bbox.x))
    });
    let first = tops.first()?;
    if first.bbox.y < body_top {
        return None;
    }
    let size = first.font_size;
    let mut previous_y = first.bbox.y;
    let mut words = Vec::new();
    for span in tops
        .iter()
        .filter(|s| (s.font_size - size).abs() <= size * 0.05)
    {
        // More than a line's gap: another block set in that size.
        if previous_y - span.bbox.y > size * 2.0 {
            break;
        }
        previous_y = span.bbox.y;
        words.push(span.text.trim());
    }
    let line = words.join(" ");
    (!line.is_empty()).then_some(line)
}

/// The font size most of the text is set in.
fn most_common_size(sizes: impl Iterator<Item = (f32, usize)>) -> Option<f32> {
    let mut weights: Vec<(f32, usize)> = Vec::new();
    for (size, chars) in sizes {
        match weights.iter_mut().find(|(s, _)| (s - size).abs() < 0.25) {
            Some(entry) => entry.1 += chars,
            None => weights.push((size, chars)),
        }
    }
    weights
        .into_iter()
        .max_by_key(|&(_, chars)| chars)
        .map(|(size, _)| size)
}

/// The article of what the parser found.
fn assemble(extracted: Extracted, today: NaiveDate) -> Result<Article, SkipReason> {
    let pages: Vec<String> = extracted.pages.iter().map(|p| clean_page(p)).collect();
    if pages.iter().all(|p| p.is_empty()) {
        return Err(SkipReason::Unusable(
            "no text layer (a scanned PDF?); dossier does not do OCR".to_string(),
        ));
    }
    let body = dehyphenate(
        &pages
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n"),
    );
    if body.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(SkipReason::TooLarge {
            size: body.len() as u64,
            limit: MAX_ARTICLE_BYTES,
        });
    }
    let mut warnings = Vec::new();
    let title = extracted
        .info_title
        .as_deref()
        .filter(|t| meaningful_title(t))
        .or(extracted.large_line.as_deref())
        .map(shorten_title)
        .unwrap_or_else(|| title_of(after_dateline(&body)));
    let first_page = pages
        .iter()
        .find(|p| !p.is_empty())
        .map_or("", String::as_str);
    let date = date_of(
        extracted.info_created.as_deref(),
        first_page,
        today,
        &mut warnings,
    );
    Ok(Article {
        title,
        date,
        body,
        warnings,
        ..Article::default()
    })
}

/// A page's text with control characters gone, each line's trailing
/// spaces trimmed and runs of blank lines made one.
fn clean_page(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut blank_run = 0;
    for line in page.split(['\n', '\r', '\u{c}']) {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// Joins words split by a hyphen at a line's end (`espi-` / `onage`): the
/// rest of the word moves up, so lines stay lines. A hyphen that the text
/// writes elsewhere within a line (`state-sponsored`) is kept.
fn dehyphenate(text: &str) -> String {
    static HYPHENATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\p{L}+-\p{L}+\b").expect("the hyphenated-word pattern compiles")
    });
    let compounds: HashSet<String> = HYPHENATED
        .find_iter(text)
        .map(|m| m.as_str().to_lowercase())
        .collect();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    // Lines whose only word moved up to the line before.
    let mut emptied = vec![false; lines.len()];
    for i in 0..lines.len().saturating_sub(1) {
        let Some(stem) = lines[i].strip_suffix('-') else {
            continue;
        };
        let head_start = stem
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(0, |(p, c)| p + c.len_utf8());
        let head = &stem[head_start..];
        let next = lines[i + 1].trim_start();
        let tail_end = next
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(next.len());
        let tail = &next[..tail_end];
        let (Some(first_tail), Some(last_head)) = (tail.chars().next(), head.chars().last()) else {
            continue;
        };
        // A lowercase continuation, or an all-capitals word split in two.
        let continues = first_tail.is_lowercase()
            || (first_tail.is_uppercase() && head.chars().all(char::is_uppercase));
        if !continues
            || !last_head.is_alphabetic()
            || compounds.contains(&format!("{head}-{tail}").to_lowercase())
        {
            continue;
        }
        let joined = format!("{stem}{tail}");
        let rest = next[tail_end..].trim_start().to_string();
        emptied[i + 1] = rest.is_empty();
        lines[i] = joined;
        lines[i + 1] = rest;
    }
    let kept: Vec<&str> = lines
        .iter()
        .zip(&emptied)
        .filter(|(_, emptied)| !**emptied)
        .map(|(line, _)| line.as_str())
        .collect();
    kept.join("\n")
}

/// Whether a document information `Title` names the document, rather
/// than being empty, a placeholder or the file it was made from
/// (`Microsoft Word - report.docx`).
fn meaningful_title(title: &str) -> bool {
    static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?ix)^(?:
                untitled.*|no\s+title|title|document\d*|doc\d*|presentation\d*|slide\s*\d*
                |(?:microsoft\s+)?powerpoint\s+presentation|microsoft\s+(?:word|powerpoint|excel)\b.*|.*\.(?:docx?|pptx?|xlsx?|odt|rtf|indd|pdf|txt|html?|tex|dvi)
                |[\d\W_]*
            )$",
        )
        .expect("the placeholder-title pattern compiles")
    });
    let title = title.trim();
    let one_word_file_name = !title.contains(' ') && title.contains(['_', '.']);
    title.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !one_word_file_name
        && !PLACEHOLDER.is_match(title)
}

/// The article's date: the document information's, else one written near
/// the top of page 1, with a warning that it was guessed.
fn date_of(
    created: Option<&str>,
    first_page: &str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    if let Some(written) = created {
        match pdf_date(written) {
            Some(date) if date < EARLIEST_DATE => warnings.push(Warning(format!(
                "the PDF's creation date {date} is before {EARLIEST_DATE}; not used"
            ))),
            Some(date) if date > latest_plausible(today) => warnings.push(Warning(format!(
                "the PDF's creation date {date} is in the future; not used"
            ))),
            Some(date) => return Some(date),
            None => warnings.push(Warning(format!(
                "the PDF's creation date {written:?} is not a date; not used"
            ))),
        }
    }
    match dates::guess_date(first_page, today) {
        Some(date) => {
            warnings.push(Warning(format!(
                "no usable creation date in the PDF; the date {date} was guessed from the top of page 1"
            )));
            Some(date)
        }
        None => {
            warnings.push(Warning(
                "no creation date in the PDF and none near the top of page 1; indexed without a date"
                    .to_string(),
            ));
            None
        }
    }
}

/// A PDF date (`D:20240328093000+01'00'`) to its day; the year, month and
/// day must all be there.
fn pdf_date(written: &str) -> Option<NaiveDate> {
    let digits = written.trim().strip_prefix("D:").unwrap_or(written.trim());
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = digits.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(4..6)?, number(6..8)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn extracted(pages: &[&str]) -> Extracted {
        Extracted {
            pages: pages.iter().map(|p| p.to_string()).collect(),
            ..Extracted::default()
        }
    }

    #[test]
    fn pages_are_joined_by_a_blank_line_with_their_lines_kept() {
        let mut e = extracted(&[
            "Page one line one\nline two  \n\n\n\nafter",
            "",
            "Page three\u{c}",
        ]);
        e.info_created = Some("D:20240328093000+01'00'".to_string());
        let a = assemble(e, today()).unwrap();
        assert_eq!(a.body, "Page one line one\nline two\n\nafter\n\nPage three");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 3, 28));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn a_pdf_without_text_is_a_scan() {
        let error = assemble(extracted(&["", " \n \u{c}"]), today()).unwrap_err();
        assert_eq!(
            error,
            SkipReason::Unusable(
                "no text layer (a scanned PDF?); dossier does not do OCR".to_string()
            )
        );
    }

    #[test]
    fn words_split_at_a_line_end_are_joined_and_real_hyphens_kept() {
        assert_eq!(
            dehyphenate("cyber espi-\nonage by a state-\nsponsored group, a state-sponsored one"),
            "cyber espionage\nby a state-\nsponsored group, a state-sponsored one"
        );
        assert_eq!(
            dehyphenate("the CADDY-\nWIPER wiper"),
            "the CADDYWIPER\nwiper"
        );
        // Not a word continuing: a dash, a capital, a number.
        assert_eq!(
            dehyphenate("pre-\n2016 and -\nnext"),
            "pre-\n2016 and -\nnext"
        );
        assert_eq!(dehyphenate("Euro-\nAtlantic"), "Euro-\nAtlantic");
        // The rest of the word was the whole next line.
        assert_eq!(dehyphenate("configura-\ntion\nnext"), "configuration\nnext");
        assert_eq!(dehyphenate("Ré-\nsumé écrit"), "Résumé\nécrit");
    }

    #[test]
    fn the_information_title_is_used_only_when_it_is_a_title() {
        for good in [
            "Glacier Lantern: APT29 phishing against European foreign ministries",
            "APT1",
        ] {
            assert!(meaningful_title(good), "{good}");
        }
        for bad in [
            "",
            "Untitled",
            "untitled document",
            "Microsoft Word - kimsuky_final_v3.docx",
            "report_final_v2",
            "Document1",
            "2024-03-28",
            "threat-report.pdf",
            "PowerPoint Presentation",
        ] {
            assert!(!meaningful_title(bad), "{bad}");
        }
        let mut e = extracted(&["A first line that is not the title\nbody"]);
        e.info_title = Some("Microsoft Word - draft.docx".to_string());
        e.large_line = Some("The large heading".to_string());
        assert_eq!(
            assemble(e.clone(), today()).unwrap().title,
            "The large heading"
        );
        e.large_line = None;
        assert_eq!(
            assemble(e, today()).unwrap().title,
            "A first line that is not the title"
        );
    }

    #[test]
    fn the_date_is_the_creation_date_else_guessed_from_the_top_with_a_warning() {
        let mut warnings = Vec::new();
        let page =
            "Report title\nPublished 14 March 2023 by a desk\nIn June 2021 and on 2 May 2020...";
        assert_eq!(
            date_of(Some("D:20240409083000Z'"), page, today(), &mut warnings),
            NaiveDate::from_ymd_opt(2024, 4, 9)
        );
        assert!(warnings.is_empty());
        assert_eq!(
            date_of(None, page, today(), &mut warnings),
            NaiveDate::from_ymd_opt(2023, 3, 14)
        );
        assert!(warnings[0].0.contains("guessed"), "{warnings:?}");

        let mut warnings = Vec::new();
        assert_eq!(
            date_of(
                Some("D:20990101"),
                "March 7, 2019: a note",
                today(),
                &mut warnings
            ),
            NaiveDate::from_ymd_opt(2019, 3, 7)
        );
        assert!(warnings[0].0.contains("future"), "{warnings:?}");
        assert!(warnings[1].0.contains("guessed"), "{warnings:?}");

        let mut warnings = Vec::new();
        let late = format!("{}\n2020-01-05", "words ".repeat(200));
        assert_eq!(date_of(Some("D:2024"), &late, today(), &mut warnings), None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn pdf_dates_need_a_day() {
        assert_eq!(pdf_date("D:20240328"), NaiveDate::from_ymd_opt(2024, 3, 28));
        assert_eq!(
            pdf_date("20240328120000"),
            NaiveDate::from_ymd_opt(2024, 3, 28)
        );
        assert_eq!(pdf_date("D:202403"), None);
        assert_eq!(pdf_date("D:20240230"), None);
        assert_eq!(pdf_date("D:2024-3-28"), None);
        assert_eq!(pdf_date("D:٢٠٢٤0328"), None);
    }

    #[test]
    fn text_strings_are_decoded() {
        assert_eq!(decode_text_string(b"\xFE\xFF\x00A\x00P\x00T"), "APT");
        assert_eq!(decode_text_string(b"Caf\xE9"), "Café");
        assert_eq!(decode_text_string(b"\xEF\xBB\xBFCaf\xC3\xA9"), "Café");
        assert_eq!(decode_text_string(b"\xFE\xFF\x00"), "");
    }

    #[test]
    fn files_that_are_not_pdfs_say_what_they_are() {
        let text = check_header(b"Just a note saved as .pdf\n").unwrap_err();
        assert!(text.to_string().contains("holds text"), "{text}");
        let binary = check_header(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert!(binary.to_string().contains("binary"), "{binary}");
        assert_eq!(check_header(b" \n"), Err(SkipReason::Empty));
        assert!(check_header(b"junk\n%PDF-1.7\n").is_ok());
    }

    /// A PDF whose trailer holds an array nested `depth` deep.
    fn nested(depth: usize) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
            2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R /Deep "
            .to_vec();
        pdf.extend("[".repeat(depth).bytes());
        pdf.extend("]".repeat(depth).bytes());
        pdf.extend(b" >>\nstartxref\n0\n%%EOF\n");
        pdf
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser_sees_it() {
        assert!(!nesting_exceeds(&nested(MAX_NESTING - 1), MAX_NESTING));
        assert!(nesting_exceeds(&nested(MAX_NESTING), MAX_NESTING));
        let error = parse_pdf(nested(40_000), today()).unwrap_err();
        assert!(
            error.to_string().contains("nested over 256 deep"),
            "{error}"
        );
        // The deepest nesting let through does not overflow the parser on a
        // test thread's stack (it has no pages: refused for that).
        let error = parse_pdf(nested(MAX_NESTING - 1), today()).unwrap_err();
        assert!(error.to_string().starts_with("unreadable PDF"), "{error}");
    }

    #[test]
    fn brackets_in_strings_comments_and_streams_are_not_nesting() {
        let noise = "[[[[<<<<(".repeat(100);
        let pdf = format!(
            "%PDF-1.7\n% {noise}\n1 0 obj\n<< /Length 900 >>\nstream\n{noise}\nendstream\nendobj\n\
             2 0 obj\n[(a string with [[[ \\( and ( nested ) parens {brackets})] <5B5B5B>\nendobj\n",
            brackets = "[[[[<<<<".repeat(100),
        );
        assert!(!nesting_exceeds(pdf.as_bytes(), 3));
        assert!(nesting_exceeds(b"<< /A [ [ [ 1 ] ] ] >>", 3));
        assert!(!nesting_exceeds(b"<< /A [ [ 1 ] ] >> ]]]]]] [", 3));
    }

    #[test]
    fn garbage_is_refused_without_a_panic() {
        for bytes in [
            &b"%PDF-1.7\n"[..],
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
            b"%PDF-\xff\xfe\x00\x01garbage garbage",
        ] {
            let error = parse_pdf(bytes.to_vec(), today()).unwrap_err();
            assert!(matches!(error, SkipReason::Unusable(_)), "{error:?}");
        }
    }
}
