//! Plain text: dossier's own format (optional whitespace, `date
//! YYYY-MM-DD`, then the body) and any `.txt` file, one article a file
//! whose id is the file's path. The title is the body's first sentence. A
//! file without the header gets the date written near its top, if any
//! ([`dates::guess_date`]), with a warning that says it was guessed.

use chrono::NaiveDate;

use super::{
    dates, decode_lines, latest_plausible, refuse_misnamed, Emit, Input, Reader, EARLIEST_DATE,
    MAX_ARTICLE_BYTES,
};
use crate::model::{Article, Warning};
use crate::source::SkipReason;

/// Longest title kept, in characters, before it is cut at a word boundary.
const MAX_TITLE_CHARS: usize = 120;

/// The plain-text reader.
pub struct PlainText;

impl Reader for PlainText {
    fn name(&self) -> &'static str {
        "text"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["txt", "text"]
    }

    fn version(&self) -> u32 {
        2
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let bytes = input.read_all(MAX_ARTICLE_BYTES)?;
        refuse_misnamed(&bytes, input.path, "text")?;
        emit(Ok(parse_article(&bytes, input.today)?));
        Ok(())
    }
}

/// Parses an article in dossier's text format: optional whitespace,
/// `date YYYY-MM-DD`, then the body, whose first sentence is the title (a
/// first line that is only a dateline, `Published: June 17, 2016`, is
/// passed over). Without the header, the date is guessed from the top of
/// the text.
pub fn parse_article(bytes: &[u8], today: NaiveDate) -> Result<Article, SkipReason> {
    let (text, mut warnings) = decode_lines(bytes)?;
    let (date, body) = split_date_header(&text, today, &mut warnings);
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(SkipReason::Empty);
    }
    let title = title_of(after_dateline(&body));
    Ok(Article {
        date,
        title,
        body,
        warnings,
        ..Article::default()
    })
}

fn split_date_header<'t>(
    text: &'t str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> (Option<NaiveDate>, &'t str) {
    let trimmed = text.trim_start();
    let rest = trimmed
        .strip_prefix("date")
        .filter(|rest| rest.starts_with(char::is_whitespace));
    let Some(rest) = rest else {
        return (
            guessed("no `date YYYY-MM-DD` header", trimmed, today, warnings),
            trimmed,
        );
    };
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
            let what = format!("the date header holds {token:?}, not YYYY-MM-DD");
            (guessed(&what, rest, today, warnings), rest)
        }
    }
}

/// The date written near the top of `text`, if any, with a warning that
/// starts with `problem` and says what became of the date.
fn guessed(
    problem: &str,
    text: &str,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    let date = dates::guess_date(text, today);
    warnings.push(Warning(match date {
        Some(date) => format!("{problem}; date {date} guessed from the text"),
        None => format!("{problem}; indexed without a date"),
    }));
    date
}

/// `body` after its first line if that line is a dateline (`June 17,
/// 2016`, `Published: 2016-06-17`) and more text follows, else `body`.
pub fn after_dateline(body: &str) -> &str {
    let body = body.trim_start();
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    if rest.trim().is_empty() || !dates::is_dateline(first) {
        return body;
    }
    rest
}

/// The first sentence of the body, cut at a word boundary if it is long.
pub fn title_of(body: &str) -> String {
    let first_line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    shorten_title(first_sentence(first_line))
}

/// A title as given (a front matter's, a page's `<title>`) on one line, cut
/// at a word boundary if it is long.
pub fn shorten_title(title: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = title.chars().count();
    if chars <= MAX_TITLE_CHARS {
        return title;
    }
    let cut: String = title.chars().take(MAX_TITLE_CHARS).collect();
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
            let a = parse_article(input, today()).unwrap();
            assert_eq!(a.date, None);
            assert!(a.warnings[0].0.contains(fragment), "{:?}", a.warnings);
        }
    }

    #[test]
    fn bom_crlf_and_latin1_are_decoded() {
        let a = parse_article(
            b"\xEF\xBB\xBF date 2020-01-02 Caf\xC3\xA9.\r\nNext.",
            today(),
        )
        .unwrap();
        assert_eq!(a.body, "Café.\nNext.");
        let a = parse_article(b" date 2020-01-02 Caf\xE9 \x93quoted\x94.", today()).unwrap();
        assert_eq!(a.body, "Café \u{201c}quoted\u{201d}.");
        assert!(a.warnings[0].0.contains("Windows-1252"));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(parse_article(b"  \n", today()), Err(SkipReason::Empty));
        assert_eq!(
            parse_article(b"date 2020-01-01   ", today()),
            Err(SkipReason::Empty)
        );
        assert_eq!(
            parse_article(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", today()),
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
