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
        let at = parse_date_time(text).ok_or(BAD)?;
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

/// Whether the date's year is written with four digits: `05.12.18` is no date, however chrono
/// would read it (as the year 18).
pub(crate) fn has_four_digit_year(date: &str) -> bool {
    let mut groups = date.split(|c: char| !c.is_ascii_digit());
    let year = if date
        .find('.')
        .is_some_and(|dot| date.find('-').is_none_or(|dash| dot < dash))
    {
        groups.nth(2) // DD.MM.YYYY
    } else {
        groups.next() // YYYY-MM-DD
    };
    year.is_some_and(|y| y.len() == 4)
}

fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    // Drop an offset or `Z`: see the type's documentation.
    let wall = match text.find('T').or_else(|| text.find(' ')) {
        Some(t) => {
            let time = &text[t + 1..];
            let cut = time
                .find(['Z', 'z', '+'])
                .or_else(|| time.find('-'))
                .map_or(text.len(), |i| t + 1 + i);
            &text[..cut]
        }
        None => text,
    };
    const DATE_TIMES: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
    ];
    const DATES: [&str; 2] = ["%Y-%m-%d", "%d.%m.%Y"];
    if !has_four_digit_year(wall) {
        return None;
    }
    DATE_TIMES
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(wall, f).ok())
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(wall, f).ok())
                .map(|d| d.and_time(NaiveTime::MIN))
        })
        // Storage keys have whole seconds, so a reading sent as .000 and as :46 is the same one.
        .map(|at| at.with_nanosecond(0).unwrap_or(at))
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
