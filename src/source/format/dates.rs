//! Publication dates as feeds and STIX write them (RFC 3339, RFC 2822,
//! bare dates, epoch seconds or milliseconds), kept only when plausible.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::{latest_plausible, EARLIEST_DATE};
use crate::model::Warning;

/// Epoch numbers at least this large are milliseconds: as seconds they
/// would be past the year 5000.
const MILLISECONDS_FROM: i64 = 100_000_000_000;

/// Smaller numbers (before March 1973) are no timestamps of reporting but
/// years, counts or typos.
const SMALLEST_EPOCH: i64 = 100_000_000;

/// The calendar date `text` writes, in its own time zone: RFC 3339
/// (`2024-03-28T09:15:00Z`, with or without fractions), RFC 2822 (`Thu, 28
/// Mar 2024 09:15:00 GMT`), ISO dates and date-times without a zone,
/// `28 March 2024`, `March 28, 2024`, or epoch seconds or milliseconds.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.len() > 8 {
        return text.parse().ok().and_then(date_of_epoch);
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.date_naive());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(moment) = DateTime::parse_from_str(text, format) {
            return Some(moment.date_naive());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(moment) = NaiveDateTime::parse_from_str(text, format) {
            return Some(moment.date());
        }
    }
    if let Ok(moment) = DateTime::parse_from_rfc2822(text) {
        return Some(moment.date_naive());
    }
    for format in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d %B %Y",
        "%B %d, %Y",
        "%d %b %Y",
        "%b %d, %Y",
    ] {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Some(date);
        }
    }
    None
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
pub fn plausible(date: NaiveDate, what: &str, today: NaiveDate) -> Result<NaiveDate, Warning> {
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
        assert!(plausible(old, "the field date", today)
            .unwrap_err()
            .0
            .contains("before 1900"));
        assert!(plausible(future, "the field date", today)
            .unwrap_err()
            .0
            .contains("future"));
        assert_eq!(plausible(today, "x", today), Ok(today));
    }
}
