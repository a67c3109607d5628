//! Date histogram: how many of a request's matches fall in each year or
//! month, read from the date column, for a timeline a reader can brush.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::field;

/// The width of a histogram's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Calendar years.
    #[default]
    Year,
    /// Calendar months.
    Month,
}

impl Interval {
    /// Every interval, by name.
    pub const NAMES: [&'static str; 2] = ["year", "month"];
}

impl FromStr for Interval {
    type Err = ();

    fn from_str(name: &str) -> Result<Interval, ()> {
        match name.trim().to_ascii_lowercase().as_str() {
            "year" => Ok(Interval::Year),
            "month" => Ok(Interval::Month),
            _ => Err(()),
        }
    }
}

/// One bucket: its span and how many matches are dated in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// `2024` or `2024-03`.
    pub key: String,
    /// First day of the bucket.
    pub since: NaiveDate,
    /// Last day of the bucket.
    pub until: NaiveDate,
    /// Matching articles dated in it.
    pub count: u64,
}

/// Matches per bucket, in time order, from the first non-empty bucket to
/// the last with every bucket between them, empty ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Histogram {
    /// The buckets' width.
    pub interval: Interval,
    /// The buckets.
    pub buckets: Vec<Bucket>,
    /// Matching articles without a date.
    pub undated: u64,
}

/// Counts a segment's matches per month (`year * 12 + month0`).
pub(super) struct MonthCounts;

/// The per-segment part of [`MonthCounts`].
pub(super) struct SegmentMonthCounts {
    dates: Column<DateTime>,
    months: BTreeMap<i32, u64>,
    undated: u64,
}

type Fruit = (BTreeMap<i32, u64>, u64);

impl Collector for MonthCounts {
    type Fruit = Fruit;
    type Child = SegmentMonthCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMonthCounts> {
        Ok(SegmentMonthCounts {
            dates: reader.fast_fields().date(field::DATE)?,
            months: BTreeMap::new(),
            undated: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut months = BTreeMap::new();
        let mut undated = 0;
        for (segment_months, segment_undated) in segments {
            for (month, count) in segment_months {
                *months.entry(month).or_default() += count;
            }
            undated += segment_undated;
        }
        Ok((months, undated))
    }
}

impl SegmentCollector for SegmentMonthCounts {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        match self.dates.first(doc).and_then(month_of) {
            Some(month) => *self.months.entry(month).or_default() += 1,
            None => self.undated += 1,
        }
    }

    fn harvest(self) -> Fruit {
        (self.months, self.undated)
    }
}

/// The month index (`year * 12 + month0`) of a stored date.
fn month_of(date: DateTime) -> Option<i32> {
    let day = chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0)?.date_naive();
    Some(day.year() * 12 + day.month0() as i32)
}

/// The first day of a month index.
fn first_day(month: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
}

/// Buckets of `interval` from counts per month.
pub(super) fn buckets(interval: Interval, (months, undated): Fruit) -> Histogram {
    let mut grouped: BTreeMap<i32, u64> = BTreeMap::new();
    for (month, count) in months {
        let key = match interval {
            Interval::Year => month.div_euclid(12) * 12,
            Interval::Month => month,
        };
        *grouped.entry(key).or_default() += count;
    }
    let step = match interval {
        Interval::Year => 12,
        Interval::Month => 1,
    };
    let mut buckets = Vec::new();
    if let (Some(&first), Some(&last)) = (grouped.keys().next(), grouped.keys().next_back()) {
        let mut at = first;
        while at <= last {
            let (Some(since), count) = (first_day(at), grouped.get(&at).copied().unwrap_or(0))
            else {
                at += step;
                continue;
            };
            let until = since
                .checked_add_months(Months::new(step as u32))
                .and_then(|next| next.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            let key = match interval {
                Interval::Year => format!("{:04}", since.year()),
                Interval::Month => format!("{:04}-{:02}", since.year(), since.month()),
            };
            buckets.push(Bucket {
                key,
                since,
                until,
                count,
            });
            at += step;
        }
    }
    Histogram {
        interval,
        buckets,
        undated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(year: i32, month: u32) -> i32 {
        year * 12 + month as i32 - 1
    }

    #[test]
    fn buckets_fill_the_gaps_between_the_first_and_last_month() {
        let months = BTreeMap::from([(month(2023, 11), 2), (month(2024, 2), 1)]);
        let histogram = buckets(Interval::Month, (months, 4));
        let keys: Vec<(&str, u64)> = histogram
            .buckets
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect();
        assert_eq!(
            keys,
            [
                ("2023-11", 2),
                ("2023-12", 0),
                ("2024-01", 0),
                ("2024-02", 1)
            ]
        );
        assert_eq!(histogram.undated, 4);
        let february = &histogram.buckets[3];
        assert_eq!(february.since, NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
        assert_eq!(
            february.until,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn years_sum_their_months_and_span_the_whole_year() {
        let months = BTreeMap::from([
            (month(2021, 1), 1),
            (month(2021, 12), 2),
            (month(2023, 6), 5),
        ]);
        let histogram = buckets(Interval::Year, (months, 0));
        let keys: Vec<(&str, u64)> = histogram
            .buckets
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect();
        assert_eq!(keys, [("2021", 3), ("2022", 0), ("2023", 5)]);
        assert_eq!(
            histogram.buckets[0].until,
            NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()
        );
    }

    #[test]
    fn no_dated_match_gives_no_bucket() {
        let histogram = buckets(Interval::Year, (BTreeMap::new(), 7));
        assert!(histogram.buckets.is_empty());
        assert_eq!(histogram.undated, 7);
        assert_eq!("Month".parse(), Ok(Interval::Month));
        assert!("week".parse::<Interval>().is_err());
    }
}
