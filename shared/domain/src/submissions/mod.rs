//! Residents' readings on their way back to 1C: what is submitted and stored (this module),
//! the request an app sends (`request`), the rules that accept, refuse or flag one (`rules`),
//! 1C's answer about it (`acknowledgement`), and how often a resident's key may submit
//! (`limit`). No I/O: the store reads what the rules need,
//! the handler asks. The office's time zone and window are `crate::settings`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Guid, LocalDateTime, Reading, Text};

mod acknowledgement;
mod limit;
mod request;
mod rules;

pub use acknowledgement::{Acknowledgement, Answer, MAX_ACKNOWLEDGED};
pub use limit::{Limited, Recent, SUBMISSIONS_PER_HOUR};
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
    /// A newer submission for the same meter and account came while it was pending: that one
    /// waits for 1C instead. 1C may still answer it (it may have pulled it before).
    Replaced,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Applied => "applied",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::Replaced => "replaced",
        }
    }
}

/// A reading a resident submitted, as stored: what the app sent, when and for which account,
/// what the rules found, and what 1C answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Its id in the office: what 1C pulls and answers ([`Submission::office_id`]).
    pub id: Guid,
    /// The id the caller gave it (or was given): what the app sees. `None` in submissions
    /// stored before ids were per account: the same as `id`.
    #[serde(default)]
    pub sent_id: Option<Guid>,
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
    /// Whether it counts as a known value of the meter: pending or applied, not rejected nor
    /// replaced (a resident corrects a typo by submitting again).
    pub fn counts(&self) -> bool {
        matches!(
            self.status,
            SubmissionStatus::Pending | SubmissionStatus::Applied
        )
    }

    /// Whether 1C has yet to answer it.
    pub fn is_pending(&self) -> bool {
        self.status == SubmissionStatus::Pending
    }

    /// The id the caller gave it.
    pub fn sent_id(&self) -> Guid {
        self.sent_id.unwrap_or(self.id)
    }

    /// The id in the office of the submission a caller names `sent`. A resident's key (bound
    /// to `account`) names its own submissions: its ids are its account's, and no resident can
    /// take, or learn of, an id another account's app uses; the office's id is derived from
    /// both (a SHA-256, as a version-8 GUID). The office's own keys share one namespace, the
    /// office's, and their ids are kept as sent.
    pub fn office_id(account: Option<Guid>, sent: Guid) -> Guid {
        use sha2::{Digest, Sha256};
        let Some(account) = account else {
            return sent;
        };
        let mut hash = Sha256::new();
        hash.update(b"submission\0");
        hash.update(account.to_string().as_bytes());
        hash.update(b"\0");
        hash.update(sent.to_string().as_bytes());
        let digest = hash.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Guid::from_custom_bytes(bytes)
    }
}

#[cfg(test)]
mod tests;
