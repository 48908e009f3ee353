//! The rules that accept, refuse or flag a submitted reading, judged in the office's time zone.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;

use super::{Figures, Submission, TARIFF_FIELDS};
use crate::settings::Settings;
use crate::values::Rejection;
use crate::{Counter, LocalDateTime, Reading};

/// How many times the meter's usual monthly consumption a submission may show before it is
/// flagged `suspicious`.
pub const SUSPICIOUS_FACTOR: f64 = 3.0;

/// How many of the meter's newest imported readings the usual consumption is judged from (a
/// year of monthly readings and one more).
pub const USUAL_READINGS: usize = 13;

const DAYS_PER_MONTH: f64 = 30.436_875;

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
