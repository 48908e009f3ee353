//! The office's settings: its time zone, in which every date of a submission is judged, and
//! the days of the month it takes residents' readings. No I/O.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::value::RawValue;

use crate::LocalDateTime;
use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::records::parser::REQUIRED;
use crate::values::Rejection;

/// The office's time zone when it set none: most offices this serves keep Moscow time.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Moscow;

/// What an office has set: its time zone, and the days of the month it takes readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub time_zone: Tz,
    /// `None`: readings are taken every day.
    pub readings_window: Option<Window>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_zone: DEFAULT_TIME_ZONE,
            readings_window: None,
        }
    }
}

/// The days of the month, both included, on which an office takes readings; `from_day` after
/// `to_day` wraps the month's end (25 to 5). A day past a month's end means its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_day: u8,
    pub to_day: u8,
}

impl Window {
    pub fn new(from_day: u8, to_day: u8) -> Option<Self> {
        let day = 1..=31;
        (day.contains(&from_day) && day.contains(&to_day)).then_some(Self { from_day, to_day })
    }

    /// Whether `date` (the office's own calendar) is one of the window's days.
    pub fn contains(&self, date: NaiveDate) -> bool {
        let last = last_day_of_month(date);
        let from = u32::from(self.from_day).min(last);
        let to = u32::from(self.to_day).min(last);
        let day = date.day();
        // Whether it wraps is the office's days' to say, not the month's: 31 to 30 wraps,
        // though both are the 30th in April.
        if self.from_day <= self.to_day {
            (from..=to).contains(&day)
        } else {
            day >= from || day <= to
        }
    }

    /// The window in words, as the refusal names it.
    pub fn describe(&self, time_zone: Tz) -> String {
        format!(
            "показания принимаются с {} по {} число месяца по времени {}",
            self.from_day,
            self.to_day,
            time_zone.name()
        )
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    let (year, month) = (date.year(), date.month());
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    first_of_next
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

impl Settings {
    /// The office's wall-clock time at `at`, to the second, as the imports write dates.
    pub fn local_time(&self, at: DateTime<Utc>) -> LocalDateTime {
        let local: NaiveDateTime = at.with_timezone(&self.time_zone).naive_local();
        LocalDateTime::from_naive(local.with_nanosecond_zero())
    }

    /// The body of `PUT /api/settings`: `{"time_zone": "Europe/Moscow", "readings_window":
    /// {"from_day": 20, "to_day": 25}}`. A missing field keeps its default; `readings_window:
    /// null` opens the window.
    pub fn parse(text: &str) -> Result<Self, Vec<Problem>> {
        const OBJECT: Rejection = "ожидается JSON-объект";
        let Some(fields) = serde_json::from_str::<&RawValue>(text)
            .ok()
            .and_then(Fields::parse)
        else {
            return Err(vec![Problem::new("body", OBJECT)]);
        };
        let mut p = Problems::new();
        let time_zone = p.check("time_zone", parse_time_zone(&fields.get("time_zone")));
        let window = match fields.get("readings_window") {
            Value::Missing | Value::Null => Some(None),
            Value::Object(raw) => parse_window(raw, &mut p).map(Some),
            _ => {
                p.push(Problem::new(
                    "readings_window",
                    "ожидается {\"from_day\": 1..31, \"to_day\": 1..31} или null",
                ));
                None
            }
        };
        p.finish(|| Self {
            time_zone: time_zone.flatten().unwrap_or(DEFAULT_TIME_ZONE),
            readings_window: window.flatten(),
        })
    }
}

fn parse_time_zone(value: &Value<'_>) -> Result<Option<Tz>, Rejection> {
    const UNKNOWN: Rejection = "ожидается часовой пояс IANA, например Europe/Moscow";
    match value {
        Value::Missing | Value::Null => Ok(None),
        // Exactly as the time zone database writes it, as the document's enum lists them.
        Value::String(name) => Tz::from_str(name).map(Some).map_err(|_| UNKNOWN),
        _ => Err(UNKNOWN),
    }
}

fn parse_window(raw: &str, p: &mut Problems) -> Option<Window> {
    const DAY: Rejection = "ожидается день месяца: целое число от 1 до 31";
    let fields = serde_json::from_str::<&RawValue>(raw)
        .ok()
        .and_then(Fields::parse)?;
    // A JSON integer, as JSON Schema reads one (`20`, `20.0`).
    let day = |value: Value<'_>| -> Result<Option<u8>, Rejection> {
        match value {
            Value::Missing | Value::Null => Err(REQUIRED),
            Value::Number(text) => match crate::values::whole_number(text) {
                Some(day @ 1..=31) => Ok(Some(day as u8)),
                _ => Err(DAY),
            },
            _ => Err(DAY),
        }
    };
    let from = p.check("readings_window.from_day", day(fields.get("from_day")));
    let to = p.check("readings_window.to_day", day(fields.get("to_day")));
    Window::new(from.flatten()?, to.flatten()?)
}

trait NanosecondZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanosecondZero for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_may_wrap_the_months_end_and_a_late_day_means_the_last() {
        let wrap = Window::new(25, 5).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for open in ["2026-01-25", "2026-01-31", "2026-02-01", "2026-02-05"] {
            assert!(wrap.contains(day(open)), "{open}");
        }
        for shut in ["2026-01-24", "2026-02-06", "2026-02-15"] {
            assert!(!wrap.contains(day(shut)), "{shut}");
        }
        let month_end = Window::new(29, 31).unwrap();
        assert!(month_end.contains(day("2026-02-28")));
        assert!(!month_end.contains(day("2026-02-27")));
        assert!(month_end.contains(day("2026-04-30")));
        // Wrapping is the office's days' to say: 31 to 30 is every day, also in April, where both
        // are the 30th; 30 to 28 is every day of a February of 28.
        let all_but_one = Window::new(31, 30).unwrap();
        for open in [
            "2026-04-01",
            "2026-04-15",
            "2026-04-30",
            "2026-05-30",
            "2026-05-31",
        ] {
            assert!(all_but_one.contains(day(open)), "{open}");
        }
        assert!(!Window::new(31, 29).unwrap().contains(day("2026-05-30")));
        let february = Window::new(30, 28).unwrap();
        assert!(february.contains(day("2026-02-01")) && february.contains(day("2026-02-14")));
        assert!(Window::new(0, 5).is_none());
        assert!(Window::new(1, 32).is_none());
    }

    #[test]
    fn settings_parse_names_and_days() {
        let settings = Settings::parse(
            r#"{"time_zone": "Asia/Yekaterinburg", "readings_window": {"from_day": 25, "to_day": 5}}"#,
        )
        .unwrap();
        assert_eq!(settings.time_zone, chrono_tz::Asia::Yekaterinburg);
        assert_eq!(settings.readings_window, Window::new(25, 5));
        let open = Settings::parse(r#"{"time_zone": "Europe/Moscow", "readings_window": null}"#);
        assert_eq!(open.unwrap().readings_window, None);
        for bad in [
            r#"{"time_zone": "Mars/Olympus"}"#,
            r#"{"readings_window": {"from_day": 0, "to_day": 5}}"#,
            r#"{"readings_window": {"from_day": 1, "to_day": 32}}"#,
            r#"{"readings_window": {"from_day": 1.5, "to_day": 3}}"#,
            r#"{"readings_window": {"from_day": 1}}"#,
            r#"{"readings_window": 5}"#,
            "[]",
        ] {
            assert!(Settings::parse(bad).is_err(), "{bad}");
        }
    }
}
