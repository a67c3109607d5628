//! Dates in text: [`parse_date`] reads a date a source declares (a front
//! matter's `date`, a feed's `published`), [`guess_date`] finds the
//! publication date written near the top of a text that does not declare
//! one. Shared by every reader.
//!
//! Only unambiguous forms are read:
//!
//! | form | example |
//! |---|---|
//! | year first | `2016-06-17`, `2016/6/17`, `2016.06.17` |
//! | month name, then day | `Jun 17, 2016`, `June 17th 2016`, `Sept. 7, 2016` |
//! | day, then month name | `17 June 2016`, `17th of June, 2016`, `17-Jun-2016` |
//! | day first with dots | `17.06.2016` (the European convention) |
//! | day and month with slashes or dashes | only when one reading is a date: `17/06/2016` |
//!
//! `06/07/2016` is 6 July in Europe and June 7 in the United States: such
//! dates are refused rather than guessed wrong. Two-digit years, a month
//! without a day (`June 2016`) and month names in other languages are not
//! dates here.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use regex::{Captures, Regex};

use super::{latest_plausible, EARLIEST_DATE};
use crate::model::Warning;

/// Epoch numbers at least this large are milliseconds: as seconds they
/// would be past the year 5000.
const MILLISECONDS_FROM: i64 = 100_000_000_000;

/// Smaller numbers (before March 1973) are no timestamps of reporting but
/// years, counts or typos.
const SMALLEST_EPOCH: i64 = 100_000_000;

/// How many characters from the top of a text [`guess_date`] looks at:
/// a publication date is written by the title or the byline, and a date
/// further down is more likely one the article talks about.
pub const GUESS_WINDOW_CHARS: usize = 1000;

const MONTH: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const WEEKDAY: &str = r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?";

/// Every written form of a date: the alternatives are told apart by their
/// group names' prefixes (`ymd_`, `mdy_`, `dmy_`, `num_`).
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)\b(?:
            (?P<ymd_y>\d{{4}})(?P<ymd_s1>[-/.])(?P<ymd_m>\d{{1,2}})(?P<ymd_s2>[-/.])(?P<ymd_d>\d{{1,2}})
          | (?P<mdy_m>{MONTH})\.?\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{{4}})
          | (?P<dmy_d>\d{{1,2}})(?:st|nd|rd|th)?\.?(?:\s+of)?[\s-]+(?P<dmy_m>{MONTH})\.?,?[\s-]+(?P<dmy_y>\d{{4}})
          | (?P<num_a>\d{{1,2}})(?P<num_s1>[-/.])(?P<num_b>\d{{1,2}})(?P<num_s2>[-/.])(?P<num_y>\d{{4}})
        )\b"
    ))
    .expect("the date pattern compiles")
});

/// A whole declared value that is a date in words, with an optional
/// weekday before it and an optional time after it.
static WORDS_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)^(?:(?:{WEEKDAY})\.?,?\s+)?
            (?P<date>.+?)
            (?:(?:,?\s+|T)(?:at\s+)?\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?
               \s*(?:Z|UTC|GMT|[A-Z]{{2,4}}|[+-]\d{{1,2}}(?::?\d{{2}})?)?)?$"
    ))
    .expect("the declared-date pattern compiles")
});

/// An ISO 8601 / RFC 3339 / YAML timestamp: a year-first date, then
/// optionally a time (`T` or spaces) and a zone.
static ISO_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
            (?:(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?
               (?:\s*(?:Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?))?)?$",
    )
    .expect("the timestamp pattern compiles")
});

/// Reads a date a source declares: `2016-06-17`, an RFC 3339 or YAML
/// timestamp (`2016-06-17T10:00:00Z`, `2016-06-17 10:00`, `2016-06-17
/// 21:59:43.10 -5`), an RFC 2822 date (`Fri, 17 Jun 2016 10:00:00 +0000`),
/// or a date in words or digits in one of the forms the module lists, with
/// an optional weekday and time. A timestamp gives the day as written, in
/// the publisher's own time zone, not converted to UTC. The value must be
/// the date and nothing else; whether the date is plausible is the
/// caller's to check (see [`plausible`]).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() || value.len() > 80 {
        return None;
    }
    if value.len() > 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().and_then(date_of_epoch);
    }
    if let Some(c) = ISO_TIMESTAMP.captures(value) {
        return ymd(&c["y"], &c["m"], &c["d"]);
    }
    if let Ok(moment) = DateTime::parse_from_rfc2822(value) {
        return Some(moment.date_naive());
    }
    let words = WORDS_DATE.captures(value)?;
    let date = words.name("date")?;
    let found = DATE.captures(date.as_str())?;
    let whole = found.get(0)?;
    if whole.start() != 0 || whole.end() != date.as_str().len() {
        return None;
    }
    date_of(&found)
}

/// The first date written in the first [`GUESS_WINDOW_CHARS`] characters of
/// `text` that is plausible on `today` (see [`plausible`]), in one of the
/// unambiguous forms the module lists. `None` when there is none: the
/// article then has no date, rather than a wrong one.
pub fn guess_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    dates_in(window(text)).find(|&date| plausible(date, today))
}

/// Whether a publication date can be right: not before
/// [`EARLIEST_DATE`](super::EARLIEST_DATE), not after
/// [`latest_plausible`](super::latest_plausible)`(today)`.
pub fn plausible(date: NaiveDate, today: NaiveDate) -> bool {
    date >= EARLIEST_DATE && date <= latest_plausible(today)
}

/// Whether `line` is a dateline rather than a sentence: it holds a date
/// and at most four other words, and does not end like a sentence
/// (`Published: June 17, 2016`, `By Kim Zetter | 17 June 2016`, but not
/// `APT28 struck on 2016-06-17.`). A title is not taken from such a line.
pub fn is_dateline(line: &str) -> bool {
    if line.trim_end().ends_with(['.', '!', '?']) {
        return false;
    }
    let Some(found) = DATE
        .captures_iter(line)
        .find(|c| bounded(line, c) && date_of(c).is_some())
    else {
        return false;
    };
    let whole = found.get(0).expect("a match");
    let rest = format!("{} {}", &line[..whole.start()], &line[whole.end()..]);
    rest.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
        <= 4
}

/// The top of `text`: [`GUESS_WINDOW_CHARS`] characters, and the rest of
/// the word the cut falls in, so no date is cut in two (`2016-06-1|7`).
fn window(text: &str) -> &str {
    let Some((cut, _)) = text.char_indices().nth(GUESS_WINDOW_CHARS) else {
        return text;
    };
    let rest = &text[cut..];
    let word_end = rest
        .char_indices()
        .take(40)
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len().min(40), |(i, _)| i);
    let mut end = cut + word_end;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Every well-formed date written in `text`, in order.
fn dates_in(text: &str) -> impl Iterator<Item = NaiveDate> + '_ {
    DATE.captures_iter(text)
        .filter(|c| bounded(text, c))
        .filter_map(|c| date_of(&c))
}

/// Whether a match stands on its own, not inside a longer number or an
/// identifier (`CVE-2016-06-17`, `1.2.2016.3`, `v2016-06-17`).
fn bounded(text: &str, found: &Captures<'_>) -> bool {
    let whole = found.get(0).expect("a match");
    let before = text[..whole.start()].chars().next_back();
    let mut after = text[whole.end()..].chars();
    let (next, then) = (after.next(), after.next());
    let glued_before = before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.'));
    let glued_after =
        matches!(next, Some('-' | '/' | '.')) && then.is_some_and(|c| c.is_ascii_digit());
    !glued_before && !glued_after
}

/// The date a match of [`DATE`] stands for, if it is one.
fn date_of(c: &Captures<'_>) -> Option<NaiveDate> {
    if let Some(y) = c.name("ymd_y") {
        if c["ymd_s1"] != c["ymd_s2"] {
            return None;
        }
        return ymd(y.as_str(), &c["ymd_m"], &c["ymd_d"]);
    }
    if let Some(m) = c.name("mdy_m") {
        return NaiveDate::from_ymd_opt(
            c["mdy_y"].parse().ok()?,
            month(m.as_str())?,
            c["mdy_d"].parse().ok()?,
        );
    }
    if let Some(m) = c.name("dmy_m") {
        return NaiveDate::from_ymd_opt(
            c["dmy_y"].parse().ok()?,
            month(m.as_str())?,
            c["dmy_d"].parse().ok()?,
        );
    }
    let (a, b, y) = (c.name("num_a")?, &c["num_b"], &c["num_y"]);
    let separator = &c["num_s1"];
    if separator != &c["num_s2"] {
        return None;
    }
    let day_first = ymd(y, b, a.as_str());
    if separator == "." {
        return day_first;
    }
    let month_first = ymd(y, a.as_str(), b);
    match (day_first, month_first) {
        (Some(d), Some(m)) if d == m => Some(d),
        (Some(d), None) => Some(d),
        (None, Some(m)) => Some(m),
        // 06/07/2016: 6 July or June 7. Refused.
        _ => None,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The number of a month named in English, in full or abbreviated.
fn month(name: &str) -> Option<u32> {
    let prefix: String = name.chars().take(3).flat_map(char::to_lowercase).collect();
    let number = match prefix.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(number)
}

/// The UTC date of an epoch timestamp in seconds or milliseconds (from
/// 1973 on).
pub fn date_of_epoch(number: i64) -> Option<NaiveDate> {
    if number.abs() < SMALLEST_EPOCH {
        return None;
    }
    let seconds = if number.abs() >= MILLISECONDS_FROM {
        number.div_euclid(1000)
    } else {
        number
    };
    DateTime::from_timestamp(seconds, 0).map(|moment| moment.date_naive())
}

/// `date` if it lies between [`EARLIEST_DATE`] and a little after `today`;
/// otherwise the warning that says why it was dropped. `what` names where
/// it was read (`the field published`).
pub fn checked(date: NaiveDate, what: &str, today: NaiveDate) -> Result<NaiveDate, Warning> {
    if date < EARLIEST_DATE {
        Err(Warning(format!(
            "{what} holds {date}, before {EARLIEST_DATE}; indexed without a date"
        )))
    } else if date > latest_plausible(today) {
        Err(Warning(format!(
            "{what} holds {date}, in the future; indexed without a date"
        )))
    } else {
        Ok(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn written_dates_are_read_in_every_unambiguous_form() {
        for text in [
            "Jun 17, 2016",
            "June 17, 2016",
            "June 17th, 2016",
            "june 17 2016",
            "Jun. 17, 2016",
            "17 June 2016",
            "17th June 2016",
            "17th of June, 2016",
            "17 Jun. 2016",
            "17-Jun-2016",
            "2016-06-17",
            "2016/06/17",
            "2016-6-17",
            "17.06.2016",
            "17/06/2016",
            "06/17/2016",
            "Friday, June 17, 2016",
            "Tue, 17 Jun 2016 10:00:00 +0000",
        ] {
            assert_eq!(guess_date(text, today()), d(2016, 6, 17), "{text}");
        }
        assert_eq!(guess_date("Sept. 7, 2016", today()), d(2016, 9, 7));
        assert_eq!(guess_date("on 1st December 2023.", today()), d(2023, 12, 1));
    }

    #[test]
    fn ambiguous_and_incomplete_dates_are_refused() {
        for text in [
            "06/07/2016",
            "06-07-2016",
            "June 2016",
            "17 June",
            "17/06/16",
            "2016-06",
            "/2016-06-17/",
            "2016-13-01",
            "31 June 2016",
            "2016-06/17",
            "17.06-2016",
            "CVE-2016-06-17",
            "build 1.17.06.2016",
            "2016-06-17.4",
            "Maypole 17, 2016",
        ] {
            assert_eq!(guess_date(text, today()), None, "{text}");
        }
        // Both readings the same day: no ambiguity.
        assert_eq!(guess_date("07/07/2016", today()), d(2016, 7, 7));
        // Dots are day first.
        assert_eq!(guess_date("06.07.2016", today()), d(2016, 7, 6));
    }

    #[test]
    fn only_a_plausible_date_near_the_top_is_taken() {
        // The first plausible date wins; a future or ancient one is passed over.
        assert_eq!(
            guess_date(
                "Posted 2099-01-01 (embargo). Updated June 17, 2016.",
                today()
            ),
            d(2016, 6, 17)
        );
        assert_eq!(
            guess_date("Founded 12 March 1850, revised 2016-06-17", today()),
            d(2016, 6, 17)
        );
        assert_eq!(guess_date("Due 2026-11-24", today()), d(2026, 11, 24));
        assert_eq!(guess_date("Due 2026-11-25", today()), None);
        // Past the first thousand characters: not the publication date.
        let far = format!("{} 2016-06-17", "word ".repeat(250));
        assert_eq!(guess_date(&far, today()), None);
        let near = format!("{} 2016-06-17", "word ".repeat(150));
        assert_eq!(guess_date(&near, today()), d(2016, 6, 17));
        // A date the window's edge falls in is read whole, not as 2016-06-1.
        let edge = format!("{} 2016-06-17 more", "x".repeat(GUESS_WINDOW_CHARS - 9));
        assert_eq!(guess_date(&edge, today()), d(2016, 6, 17));
        // Multi-byte text before the date.
        assert_eq!(
            guess_date("Über Sicherheit — 17 June 2016", today()),
            d(2016, 6, 17)
        );
        assert_eq!(guess_date("", today()), None);
    }

    #[test]
    fn declared_dates_in_iso_rfc_and_written_forms_are_parsed() {
        for value in [
            "2024-03-28",
            " 2024-03-28 ",
            "2024-03-28T10:00:00Z",
            "2024-03-28T10:00:00.123+02:00",
            "2024-03-28t10:00:00-05:00",
            "2024-03-28 10:00",
            "2024-03-28 10:00:00",
            "2024-03-28 21:59:43.10 -5",
            "2024-03-28T23:30:00-08:00",
            "Thu, 28 Mar 2024 10:00:00 +0000",
            "Thu, 28 Mar 2024 10:00:00 GMT",
            "March 28, 2024",
            "28 March 2024",
            "Thursday, March 28, 2024 at 10:00 AM",
            "28.03.2024",
            "2024/03/28",
        ] {
            assert_eq!(parse_date(value), d(2024, 3, 28), "{value:?}");
        }
        for value in [
            "",
            "yesterday",
            "2024-02-30",
            "2024-03-28 garbage",
            "03/04/2024",
            "March 2024",
            "2024",
            "on March 28, 2024 we",
        ] {
            assert_eq!(parse_date(value), None, "{value:?}");
        }
    }

    #[test]
    fn datelines_are_told_from_sentences() {
        assert!(is_dateline("June 17, 2016"));
        assert!(is_dateline("Published: 2016-06-17"));
        assert!(is_dateline("By Kim Zetter | 17 June 2016 | 10:00 AM"));
        assert!(!is_dateline(
            "On June 17, 2016 hackers linked to Russia breached the committee."
        ));
        assert!(!is_dateline("No date on this line at all."));
        assert!(!is_dateline("APT28 struck on 2016-06-17."));
    }

    mod feeds {
        use super::super::*;

        fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
            NaiveDate::from_ymd_opt(y, m, d)
        }

        #[test]
        fn the_formats_feeds_and_stix_write_are_read_in_their_own_zone() {
            for (text, expected) in [
                ("2024-03-28T09:15:00Z", day(2024, 3, 28)),
                ("2024-03-28T09:15:00.123Z", day(2024, 3, 28)),
                ("2024-03-28T23:30:00-05:00", day(2024, 3, 28)),
                ("2024-03-28T23:30:00+0100", day(2024, 3, 28)),
                ("2024-03-28T09:15:00", day(2024, 3, 28)),
                ("2024-03-28 09:15", day(2024, 3, 28)),
                ("2024-03-28", day(2024, 3, 28)),
                ("2024/03/28", day(2024, 3, 28)),
                ("Thu, 28 Mar 2024 09:15:00 GMT", day(2024, 3, 28)),
                ("Thu, 28 Mar 2024 09:15:00 +0000", day(2024, 3, 28)),
                ("28 March 2024", day(2024, 3, 28)),
                ("March 28, 2024", day(2024, 3, 28)),
                ("1711617300", day(2024, 3, 28)),
                ("1711617300000", day(2024, 3, 28)),
                (" 2024-02-30 ", None),
                ("yesterday", None),
                ("", None),
                ("2024", None),
            ] {
                assert_eq!(parse_date(text), expected, "{text:?}");
            }
            assert_eq!(date_of_epoch(2024), None);
            assert_eq!(date_of_epoch(1_711_617_300_000), day(2024, 3, 28));
            assert_eq!(date_of_epoch(i64::MAX), None);
        }

        #[test]
        fn implausible_dates_are_dropped_with_a_reason() {
            let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
            let old = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
            let future = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
            assert!(checked(old, "the field date", today)
                .unwrap_err()
                .0
                .contains("before 1900"));
            assert!(checked(future, "the field date", today)
                .unwrap_err()
                .0
                .contains("future"));
            assert_eq!(checked(today, "x", today), Ok(today));
        }
    }
}
