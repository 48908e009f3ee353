//! 1C's answer about the submissions it pulled: `POST /api/counter/export/ack`, parsed once.

use serde_json::value::RawValue;

use super::SubmissionStatus;
use super::request::parse_reason;
use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::records::parser::REQUIRED;
use crate::values::Rejection;
use crate::{Guid, Text};

/// 1C's answer about one submission: `POST /api/counter/export/ack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub id: Guid,
    pub answer: Answer,
    /// Shown to the resident with a rejection; kept with an application; a postponement has
    /// nothing to show (the resident still sees the reading pending).
    pub reason: Option<Text>,
}

/// What 1C did with a reading: applied or rejected it (its one final answer), or put it off
/// for some hours (out of the export until then, still pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Final(SubmissionStatus),
    Postponed { hours: u32 },
}

impl Answer {
    /// The hours of a postponement unless 1C names them: a day.
    pub const DEFAULT_HOURS: u32 = 24;
    /// The longest postponement: a week.
    pub const MAX_HOURS: u32 = 168;
}

/// How many submissions one acknowledgement may answer: one export page.
pub const MAX_ACKNOWLEDGED: usize = 1000;

impl Acknowledgement {
    /// `{"readings": [{"id", "status": "applied" | "rejected" | "postponed", "hours", "reason"}]}`
    /// (`hours`, 1 to 168, for a postponement; default 24); problems carry the item's index.
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
        const STATUS: Rejection = "ожидается \"applied\", \"rejected\" или \"postponed\"";
        let Some(fields) = Fields::parse(raw) else {
            return Err(vec![Problem::whole("ожидается JSON-объект")]);
        };
        let mut p = Problems::new();
        let id = p.check(
            "id",
            Guid::parse(&fields.get("id")).and_then(|id| id.ok_or(REQUIRED)),
        );
        let hours = p.check("hours", parse_hours(&fields.get("hours")));
        let status = p.check(
            "status",
            match fields.get("status") {
                Value::String(s) if s == "applied" => Ok(Some(SubmissionStatus::Applied)),
                Value::String(s) if s == "rejected" => Ok(Some(SubmissionStatus::Rejected)),
                Value::String(s) if s == "postponed" => Ok(None),
                _ => Err(STATUS),
            },
        );
        let reason = p.check("reason", parse_reason(&fields.get("reason")));
        p.finish(|| Self {
            id: id.expect("checked"),
            answer: match status.expect("checked") {
                Some(status) => Answer::Final(status),
                None => Answer::Postponed {
                    hours: hours.flatten().unwrap_or(Answer::DEFAULT_HOURS),
                },
            },
            reason: reason.flatten(),
        })
    }
}

/// `hours`: a whole number of hours from 1 to 168, or none.
fn parse_hours(value: &Value<'_>) -> Result<Option<u32>, Rejection> {
    const HOURS: Rejection = "ожидается целое число часов от 1 до 168";
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::Number(text) => match crate::values::whole_number(text) {
            Some(hours @ 1..=168) => Ok(Some(hours as u32)),
            _ => Err(HOURS),
        },
        _ => Err(HOURS),
    }
}
