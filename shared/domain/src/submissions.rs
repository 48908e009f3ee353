//! Residents' readings on their way back to 1C: the office's settings (its time zone and the
//! days of the month it takes readings), a submission as an app sends it, and the rules that
//! accept, refuse or flag one. No I/O: the store reads what the rules need, the handler asks.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::records::parser::REQUIRED;
use crate::values::{Rejection, parse_decimal, trim};
use crate::{Counter, Guid, LocalDateTime, Reading, Text};

/// The office's time zone when it set none: most offices this serves keep Moscow time.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Moscow;

/// The longest `source` a submission may name.
pub const MAX_SOURCE_CHARS: usize = 32;

/// The longest reason 1C may give for a rejection: a page of 1000 submissions, each with the
/// longest reason, stays far under Lambda's 6 MB answer (`api::submissions`' test).
pub const MAX_REASON_CHARS: usize = 500;

/// A submitted figure is below this: twelve digits before the decimal point, more than any
/// meter shows.
pub const MAX_FIGURE: Decimal = rust_decimal_macros::dec!(1_000_000_000_000);

/// How many times the meter's usual monthly consumption a submission may show before it is
/// flagged `suspicious`.
pub const SUSPICIOUS_FACTOR: f64 = 3.0;

/// How many of the meter's newest imported readings the usual consumption is judged from (a
/// year of monthly readings and one more).
pub const USUAL_READINGS: usize = 13;

const DAYS_PER_MONTH: f64 = 30.436_875;

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

/// A meter's figures: one per tariff (day, night, peak), the first always there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    #[serde(with = "rust_decimal::serde::str")]
    pub current_data1: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub current_data2: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub current_data3: Option<Decimal>,
}

/// The wire names of the tariffs, in order.
pub const TARIFF_FIELDS: [&str; 3] = ["current_data1", "current_data2", "current_data3"];

impl Figures {
    pub fn tariffs(&self) -> [Option<Decimal>; 3] {
        [
            Some(self.current_data1),
            self.current_data2,
            self.current_data3,
        ]
    }

    /// Whether the same tariffs carry a figure (the values aside).
    fn same_tariffs(&self, other: &Figures) -> bool {
        let present = |f: &Figures| f.tariffs().map(|t| t.is_some());
        present(self) == present(other)
    }

    /// The same figures, whatever their scale (`150.5` and `150.50` are one reading).
    pub fn same_values(&self, other: &Figures) -> bool {
        self.tariffs() == other.tariffs()
    }
}

impl From<&Reading> for Figures {
    fn from(r: &Reading) -> Self {
        Self {
            current_data1: r.current_data1,
            current_data2: r.current_data2,
            current_data3: r.current_data3,
        }
    }
}

/// What a resident's app sends: `POST /api/counters/{id}/readings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRequest {
    pub id: Option<Guid>,
    pub figures: Figures,
    /// `app` when the request names none.
    pub source: Text,
}

/// The source of a submission that names none: a residents' app's.
pub const DEFAULT_SOURCE: &str = "app";

impl SubmissionRequest {
    pub fn parse(text: &str) -> Result<Self, Vec<Problem>> {
        let Some(fields) = serde_json::from_str::<&RawValue>(text)
            .ok()
            .and_then(Fields::parse)
        else {
            return Err(vec![Problem::new("body", "ожидается JSON-объект")]);
        };
        let mut p = Problems::new();
        let id = p.check("id", Guid::parse(&fields.get("id"))).flatten();
        let mut figure =
            |name: &'static str| p.check(name, parse_figure(&fields.get(name))).flatten();
        let current_data1 = figure("current_data1");
        let current_data2 = figure("current_data2");
        let current_data3 = figure("current_data3");
        if current_data1.is_none() && p.is_empty() {
            p.push(Problem::new("current_data1", REQUIRED));
        }
        let source = p
            .check("source", parse_source(&fields.get("source")))
            .flatten();
        p.finish(|| Self {
            id,
            figures: Figures {
                current_data1: current_data1.unwrap_or_default(),
                current_data2,
                current_data3,
            },
            source: source.unwrap_or_else(|| Text::from_trusted(DEFAULT_SOURCE.to_owned())),
        })
    }
}

/// An exact decimal (`150,5` too), from 0 up to [`MAX_FIGURE`]: as a string, unsigned (or
/// `+`) with at most twelve digits before the decimal point.
fn parse_figure(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    const NEGATIVE: Rejection = "показание не может быть отрицательным";
    const TOO_LARGE: Rejection = "показание: не больше 12 цифр до запятой";
    // A JSON number below zero, however small (its decimal may round to zero): only `-0` is
    // not.
    if let Value::Number(text) = value
        && let Some(magnitude) = text.strip_prefix('-')
        && magnitude
            .split(['e', 'E'])
            .next()
            .is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b)))
    {
        return Err(NEGATIVE);
    }
    if let Value::String(text) = value {
        let text = trim(text);
        if text.starts_with(['-', '\u{2212}']) {
            return Err(NEGATIVE);
        }
        let whole = text.split(['.', ',']).next().unwrap_or_default();
        if whole.bytes().filter(u8::is_ascii_digit).count() > 12 {
            return Err(TOO_LARGE);
        }
    }
    match parse_decimal(value)? {
        Some(d) if d.is_sign_negative() && !d.is_zero() => Err(NEGATIVE),
        Some(d) if d >= MAX_FIGURE => Err(TOO_LARGE),
        figure => Ok(figure),
    }
}

/// Where the reading came from (`app`, `call`, `office`, …): a word of up to 32 Latin letters,
/// digits, `_` and `-`; blank is none.
fn parse_source(value: &Value<'_>) -> Result<Option<Text>, Rejection> {
    const SOURCE: Rejection = "источник: до 32 латинских букв, цифр, _ или -";
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::String(text) => match trim(text) {
            "" => Ok(None),
            text if text.len() <= MAX_SOURCE_CHARS && text.chars().all(word) => {
                Ok(Some(Text::from_trusted(text.to_owned())))
            }
            _ => Err(SOURCE),
        },
        _ => Err(SOURCE),
    }
}

/// 1C's reason for a rejection: a string of at most [`MAX_REASON_CHARS`] characters, kept as
/// sent but for control characters other than tab and line breaks, which become spaces (what
/// 1C's notes may carry, and what would take six bytes each in an answer); blank is none.
fn parse_reason(value: &Value<'_>) -> Result<Option<Text>, Rejection> {
    const REASON: Rejection = "причина: строка до 500 символов";
    let control = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::String(text) if text.chars().count() > MAX_REASON_CHARS => Err(REASON),
        Value::String(text) if trim(text).is_empty() => Ok(None),
        Value::String(text) => {
            let shown: String = text
                .chars()
                .map(|c| if control(c) { ' ' } else { c })
                .collect();
            Ok(Some(Text::from_trusted(shown)))
        }
        _ => Err(REASON),
    }
}

/// Where a submission stands with the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    /// Not yet acknowledged by 1C: the export serves it.
    Pending,
    Applied,
    Rejected,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Applied => "applied",
            SubmissionStatus::Rejected => "rejected",
        }
    }
}

/// A reading a resident submitted, as stored: what the app sent, when and for which account,
/// what the rules found, and what 1C answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub id: Guid,
    pub counter: Guid,
    pub account: Option<Guid>,
    /// The office's wall-clock time of the submission.
    pub date: LocalDateTime,
    pub figures: Figures,
    pub source: Text,
    pub submitted_at: DateTime<Utc>,
    #[serde(default)]
    pub suspicious: bool,
    pub status: SubmissionStatus,
    #[serde(default)]
    pub reason: Option<Text>,
}

impl Submission {
    /// Whether it counts as a known value of the meter: pending or applied, not rejected.
    pub fn counts(&self) -> bool {
        self.status != SubmissionStatus::Rejected
    }
}

/// Why a submission is refused (`422`): a stable code, the field, and a message that names no
/// submitted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    ReadingDecreases { field: &'static str },
    TariffsMismatch { field: &'static str },
    CounterRemoved,
    OutsideWindow { window: String },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::ReadingDecreases { .. } => "reading_decreases",
            Refusal::TariffsMismatch { .. } => "tariffs_mismatch",
            Refusal::CounterRemoved => "counter_removed",
            Refusal::OutsideWindow { .. } => "outside_window",
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            Refusal::ReadingDecreases { field } | Refusal::TariffsMismatch { field } => field,
            Refusal::CounterRemoved => "counter",
            Refusal::OutsideWindow { .. } => "date",
        }
    }

    /// The refusal in words without the window's days: what the answer's details say.
    pub fn rejection(&self) -> Rejection {
        match self {
            Refusal::ReadingDecreases { .. } => "меньше последнего известного показания",
            Refusal::TariffsMismatch { .. } => "тарифы не совпадают с тарифами счётчика",
            Refusal::CounterRemoved => "счётчик снят",
            Refusal::OutsideWindow { .. } => "вне дней приёма показаний",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::ReadingDecreases { .. } => {
                "показание меньше последнего известного показания этого тарифа".to_owned()
            }
            Refusal::TariffsMismatch { .. } => {
                "тарифы показания не совпадают с тарифами последнего показания счётчика".to_owned()
            }
            Refusal::CounterRemoved => "счётчик снят: показания по нему не принимаются".to_owned(),
            Refusal::OutsideWindow { window } => window.clone(),
        }
    }
}

/// What the rules found of an accepted submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The office's wall-clock time of the submission.
    pub date: LocalDateTime,
    pub suspicious: bool,
}

/// What the rules read of a meter: its newest imported readings and its newest submissions,
/// each newest first.
#[derive(Debug, Clone, Copy)]
pub struct MeterState<'a> {
    pub counter: &'a Counter,
    pub readings: &'a [Reading],
    pub submissions: &'a [Submission],
}

/// Judges `figures` submitted at `now` for a meter: refused when the meter is removed, the
/// office's window is shut, the tariffs differ from the meter's latest reading's, or a figure
/// falls below the latest known value of its tariff; otherwise accepted, and flagged when the
/// consumption since the latest known value is far above the meter's usual.
pub fn assess(
    figures: &Figures,
    meter: MeterState<'_>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Assessment, Refusal> {
    let date = settings.local_time(now);
    if meter
        .counter
        .date_removal
        .is_some_and(|removal| removal <= date)
    {
        return Err(Refusal::CounterRemoved);
    }
    if let Some(window) = settings.readings_window
        && !window.contains(date.naive().date())
    {
        return Err(Refusal::OutsideWindow {
            window: window.describe(settings.time_zone),
        });
    }
    let latest_reading = meter.readings.first();
    let latest_submission = meter.submissions.iter().find(|s| s.counts());
    let reference = latest_reading
        .map(Figures::from)
        .or(latest_submission.map(|s| s.figures));
    if let Some(reference) = reference
        && !figures.same_tariffs(&reference)
    {
        let field = TARIFF_FIELDS
            .into_iter()
            .zip(figures.tariffs().into_iter().zip(reference.tariffs()))
            .find(|(_, (a, b))| a.is_some() != b.is_some())
            .map_or("current_data1", |(field, _)| field);
        return Err(Refusal::TariffsMismatch { field });
    }
    let known = [
        latest_reading.map(|r| (Figures::from(r), r.date)),
        latest_submission.map(|s| (s.figures, s.date)),
    ];
    for (field, (sent, index)) in TARIFF_FIELDS
        .into_iter()
        .zip(figures.tariffs().into_iter().zip(0..))
    {
        let below = known
            .iter()
            .flatten()
            .filter_map(|(f, _)| f.tariffs()[index])
            .any(|latest| sent.is_some_and(|sent| sent < latest));
        if below {
            return Err(Refusal::ReadingDecreases { field });
        }
    }
    Ok(Assessment {
        suspicious: suspicious(figures, meter.readings, &known, date),
        date,
    })
}

/// Whether the consumption since the latest known value exceeds [`SUSPICIOUS_FACTOR`] times the
/// meter's usual monthly consumption for the months since that value (at least one), on any
/// tariff. The usual consumption is the average over the newest imported readings (up to
/// [`USUAL_READINGS`], at least two that span 20 days or more); without such a history, or
/// with no consumption in it, nothing is flagged.
fn suspicious(
    figures: &Figures,
    readings: &[Reading],
    known: &[Option<(Figures, LocalDateTime)>; 2],
    now: LocalDateTime,
) -> bool {
    let (Some(newest), Some(oldest)) = (
        readings.first(),
        readings[..readings.len().min(USUAL_READINGS)].last(),
    ) else {
        return false;
    };
    let span_days = days_between(oldest.date, newest.date);
    if span_days < 20.0 {
        return false;
    }
    (0..3).any(|tariff| {
        let value = |f: &Figures| f.tariffs()[tariff].and_then(|d| d.to_f64());
        let (Some(sent), Some(first), Some(last)) = (
            value(figures),
            value(&Figures::from(oldest)),
            value(&Figures::from(newest)),
        ) else {
            return false;
        };
        let monthly = (last - first) / (span_days / DAYS_PER_MONTH);
        // The latest known value of this tariff and its date: the higher of the reading's and
        // the submission's.
        let Some((since, at)) = known
            .iter()
            .flatten()
            .filter_map(|(f, at)| value(f).map(|v| (v, *at)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
        else {
            return false;
        };
        let months = (days_between(at, now) / DAYS_PER_MONTH).max(1.0);
        monthly > 0.0 && sent - since > SUSPICIOUS_FACTOR * monthly * months
    })
}

fn days_between(from: LocalDateTime, to: LocalDateTime) -> f64 {
    (to.naive() - from.naive()).num_seconds() as f64 / 86_400.0
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

/// 1C's answer about one submission: `POST /api/counter/export/ack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub id: Guid,
    pub status: SubmissionStatus,
    pub reason: Option<Text>,
}

/// How many submissions one acknowledgement may answer: one export page.
pub const MAX_ACKNOWLEDGED: usize = 1000;

impl Acknowledgement {
    /// `{"readings": [{"id", "status": "applied" | "rejected", "reason"}]}`; problems carry the
    /// item's index.
    pub fn parse_all(text: &str) -> Result<Vec<Self>, Vec<Problem>> {
        const BODY: Rejection = "ожидается {\"readings\": [{\"id\": …, \"status\": …}]}";
        let fields = serde_json::from_str::<&RawValue>(text)
            .ok()
            .and_then(Fields::parse);
        let Some(Value::Array(raw)) = fields.map(|f| f.get("readings")) else {
            return Err(vec![Problem::new("readings", BODY)]);
        };
        let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw) else {
            return Err(vec![Problem::new("readings", BODY)]);
        };
        if items.len() > MAX_ACKNOWLEDGED {
            return Err(vec![Problem::new(
                "readings",
                "не больше 1000 показаний в одном подтверждении",
            )]);
        }
        let mut problems = Vec::new();
        let mut acks = Vec::with_capacity(items.len());
        for (index, raw) in items.into_iter().enumerate() {
            match Self::parse_one(raw) {
                Ok(ack) => acks.push(ack),
                Err(found) => problems.extend(found.into_iter().map(|p| p.at(index))),
            }
        }
        if problems.is_empty() {
            Ok(acks)
        } else {
            Err(problems)
        }
    }

    fn parse_one(raw: &RawValue) -> Result<Self, Vec<Problem>> {
        const STATUS: Rejection = "ожидается \"applied\" или \"rejected\"";
        let Some(fields) = Fields::parse(raw) else {
            return Err(vec![Problem::whole("ожидается JSON-объект")]);
        };
        let mut p = Problems::new();
        let id = p.check(
            "id",
            Guid::parse(&fields.get("id")).and_then(|id| id.ok_or(REQUIRED)),
        );
        let status = p.check(
            "status",
            match fields.get("status") {
                Value::String(s) if s == "applied" => Ok(SubmissionStatus::Applied),
                Value::String(s) if s == "rejected" => Ok(SubmissionStatus::Rejected),
                _ => Err(STATUS),
            },
        );
        let reason = p.check("reason", parse_reason(&fields.get("reason")));
        p.finish(|| Self {
            id: id.expect("checked"),
            status: status.expect("checked"),
            reason: reason.flatten(),
        })
    }
}

#[cfg(test)]
mod tests;
