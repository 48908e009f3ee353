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
