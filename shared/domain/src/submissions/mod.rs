//! Residents' readings on their way back to 1C: what is submitted and stored (this module),
//! the request an app sends (`request`), the rules that accept, refuse or flag one (`rules`),
//! and 1C's answer about it (`acknowledgement`). No I/O: the store reads what the rules need,
//! the handler asks. The office's time zone and window are `crate::settings`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Guid, LocalDateTime, Reading, Text};

mod acknowledgement;
mod request;
mod rules;

pub use acknowledgement::{Acknowledgement, Answer, MAX_ACKNOWLEDGED};
pub use request::{DEFAULT_SOURCE, SubmissionRequest};
pub use rules::{Assessment, MeterState, Refusal, SUSPICIOUS_FACTOR, USUAL_READINGS, assess};

/// The longest `source` a submission may name.
pub const MAX_SOURCE_CHARS: usize = 32;

/// The longest reason 1C may give for a rejection: a page of 1000 submissions, each with the
/// longest reason, stays far under Lambda's 6 MB answer (`api`'s submissions handler's test).
pub const MAX_REASON_CHARS: usize = 500;

/// A submitted figure is below this: twelve digits before the decimal point, more than any
/// meter shows.
pub const MAX_FIGURE: Decimal = rust_decimal_macros::dec!(1_000_000_000_000);

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
    pub(crate) fn same_tariffs(&self, other: &Figures) -> bool {
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

#[cfg(test)]
mod tests;
