//! Dates and times as 1C writes them, on the office's wall clock.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Rejection, text_of};
use crate::json::Value;

/// A date and time on the office's wall clock, as 1C keeps it (1C dates carry no time zone).
///
/// An offset or `Z`, when a serializer adds one, is dropped rather than converted: converting
/// would move a balance dated `2018-06-30T23:59:59` into another month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime(NaiveDateTime);

impl LocalDateTime {
    /// The one text form used in storage keys and answers; it sorts chronologically.
    pub const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";

    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const BAD: Rejection = "ожидается дата вида ГГГГ-ММ-ДДTчч:мм:сс";
        let Some(text) = text_of(value, BAD)? else {
            return Ok(None);
        };
        let (at, _) = parse_date_time(text).ok_or(BAD)?;
        Ok((at.date() != EMPTY_1C_DATE).then_some(Self(at)))
    }

    pub fn naive(&self) -> NaiveDateTime {
        self.0
    }

    /// Whole seconds, as storage keys have them.
    pub(crate) fn from_naive(at: NaiveDateTime) -> Self {
        Self(at.with_nanosecond(0).unwrap_or(at))
    }
}

/// 1C's empty date is `0001-01-01T00:00:00`; no real document is dated in year 1.
const EMPTY_1C_DATE: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();

/// A wall-clock date and time in the forms 1C and its serializers write, and nothing looser
/// (`docs/openapi.yaml` states the same grammar as the pattern of `DateTime1C`):
///
/// - `YYYY-MM-DD`, optionally followed by `T` or a space and `hh:mm`, `hh:mm:ss` or
///   `hh:mm:ss.fff…`, then optionally `Z` or an offset (`+03:00`, `-0500`, `+03`), dropped;
/// - `DD.MM.YYYY`, optionally followed by a space and `hh:mm` or `hh:mm:ss`;
///
/// a day, month or hour in one digit or two (1C's `Строка(Дата)` writes `05.12.2018 9:05:00`).
///
/// The second is `true` when a time of day was written. Fractions of a second are dropped:
/// storage keys have whole seconds, so a reading sent as `.000` and as `:46` is the same one.
pub(crate) fn parse_date_time(text: &str) -> Option<(NaiveDateTime, bool)> {
    let mut s = Scanner(text.as_bytes());
    let iso = text.bytes().find(|b| !b.is_ascii_digit()) != Some(b'.');
    let (y, m, d) = if iso {
        (
            s.number(4)?,
            s.then(b'-')?.one_or_two()?,
            s.then(b'-')?.one_or_two()?,
        )
    } else {
        let (d, m) = (s.one_or_two()?, s.then(b'.')?.one_or_two()?);
        (s.then(b'.')?.number(4)?, m, d)
    };
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let time = match s.0.first() {
        None => return Some((date.and_time(NaiveTime::MIN), false)),
        Some(b'T') if iso => s.then(b'T')?.time(true)?,
        Some(b' ') => s.then(b' ')?.time(iso)?,
        _ => return None,
    };
    (s.0.is_empty() || (iso && s.offset())).then_some((date.and_time(time), true))
}

/// `YYYY-MM-DD` or `DD.MM.YYYY`, a date alone.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    match parse_date_time(text)? {
        (at, false) => Some(at.date()),
        (_, true) => None,
    }
}

/// What is left of the text being read, byte by byte (every accepted byte is ASCII).
struct Scanner<'t>(&'t [u8]);

impl Scanner<'_> {
    /// Exactly `digits` ASCII digits.
    fn number(&mut self, digits: usize) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(digits)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = rest;
        Some(head.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
    }

    /// One or two ASCII digits, as a day, a month or an hour may be written (`5.12.2018 9:05`).
    fn one_or_two(&mut self) -> Option<u32> {
        match self.0 {
            [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => self.number(2),
            _ => self.number(1),
        }
    }

    fn then(&mut self, byte: u8) -> Option<&mut Self> {
        let rest = self.0.strip_prefix(&[byte])?;
        self.0 = rest;
        Some(self)
    }

    /// `hh:mm`, `hh:mm:ss`, or (with `fraction`) `hh:mm:ss.fff…`.
    fn time(&mut self, fraction: bool) -> Option<NaiveTime> {
        let (h, m) = (self.one_or_two()?, self.then(b':')?.number(2)?);
        let s = match self.0.first() {
            Some(b':') => self.then(b':')?.number(2)?,
            _ => return NaiveTime::from_hms_opt(h, m, 0),
        };
        if fraction && self.0.first() == Some(&b'.') {
            let digits = self.0[1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                return None;
            }
            self.0 = &self.0[1 + digits..];
        }
        NaiveTime::from_hms_opt(h, m, s)
    }

    /// The rest is exactly `Z`, `z`, or `+hh`, `+hhmm`, `+hh:mm` (or with `-`).
    fn offset(&mut self) -> bool {
        match self.0 {
            [b'Z' | b'z'] => true,
            [b'+' | b'-', rest @ ..] => {
                let mut s = Scanner(rest);
                s.number(2).is_some()
                    && match s.0 {
                        [] => true,
                        [b':', ..] => {
                            s.then(b':').and_then(|s| s.number(2)).is_some() && s.0.is_empty()
                        }
                        _ => s.number(2).is_some() && s.0.is_empty(),
                    }
            }
            _ => false,
        }
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format(Self::FORMAT).fmt(f)
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&s, Self::FORMAT)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}
