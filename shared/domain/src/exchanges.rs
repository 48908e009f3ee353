//! An exchange that 1C opens before it reads its books (`POST /api/exchanges`): its kind, its
//! period and how many parts will carry it. What the period rule removes at its completion is
//! counted from the opening, so nothing written after 1C began reading is removed, however long
//! 1C takes to send the parts.

use serde_json::value::RawValue;

use crate::json::{Fields, Value};
use crate::period::{Opening, PeriodImport, parse_day};
use crate::problems::{Problem, Problems};
use crate::records::parser::REQUIRED;
use crate::values::Rejection;

/// What an exchange carries: the records of one period import endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExchangeKind {
    Transactions,
    Balances,
    Readings,
    Receipts,
}

impl ExchangeKind {
    pub const ALL: [ExchangeKind; 4] = [
        ExchangeKind::Transactions,
        ExchangeKind::Balances,
        ExchangeKind::Readings,
        ExchangeKind::Receipts,
    ];

    /// As the API names it, and as the records' kind (`Record::KIND`) is named.
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeKind::Transactions => "transactions",
            ExchangeKind::Balances => "balances",
            ExchangeKind::Readings => "readings",
            ExchangeKind::Receipts => "receipts",
        }
    }

    /// The kind of records named `kind` (`Record::KIND`), if an exchange carries them.
    pub fn of(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// The body of `POST /api/exchanges`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeOpening {
    pub kind: ExchangeKind,
    pub opening: Opening,
}

impl ExchangeOpening {
    /// `{"kind": "transactions" | "balances" | "readings" | "receipts", "from": "YYYY-MM-DD", "to":
    /// "YYYY-MM-DD", "parts": N}`, every field required, `parts` 1 to 1000.
    pub fn parse(text: &str) -> Result<Self, Vec<Problem>> {
        const KIND: Rejection =
            "ожидается \"transactions\", \"balances\", \"readings\" или \"receipts\"";
        const DAY: Rejection = "ожидается дата ГГГГ-ММ-ДД";
        const PARTS: Rejection = "число частей: целое от 1 до 1000";
        let Some(fields) = serde_json::from_str::<&RawValue>(text)
            .ok()
            .and_then(Fields::parse)
        else {
            return Err(vec![Problem::new("body", "ожидается JSON-объект")]);
        };
        let mut p = Problems::new();
        let kind = p.check(
            "kind",
            match fields.get("kind") {
                Value::Missing | Value::Null => Err(REQUIRED),
                Value::String(kind) => ExchangeKind::of(&kind).ok_or(KIND),
                _ => Err(KIND),
            },
        );
        let day = |value: Value<'_>| match value {
            Value::Missing | Value::Null => Err(REQUIRED),
            Value::String(text) => parse_day(&text).ok_or(DAY),
            _ => Err(DAY),
        };
        let from = p.check("from", day(fields.get("from")));
        let to = p.check("to", day(fields.get("to")));
        p.in_order("from", from, to);
        let parts = p.check(
            "parts",
            match fields.get("parts") {
                Value::Missing | Value::Null => Err(REQUIRED),
                Value::Number(text) => match crate::values::whole_number(text) {
                    Some(n @ 1..) if n <= u64::from(PeriodImport::MAX_PARTS) => Ok(n as u32),
                    _ => Err(PARTS),
                },
                _ => Err(PARTS),
            },
        );
        p.finish(|| Self {
            kind: kind.expect("checked"),
            opening: Opening {
                from: from.expect("checked"),
                to: to.expect("checked"),
                parts: parts.expect("checked"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<String> {
        ExchangeOpening::parse(text)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field.unwrap().into_owned())
            .collect()
    }

    #[test]
    fn an_opening_names_its_kind_period_and_parts() {
        let opening = ExchangeOpening::parse(
            r#"{"kind": "transactions", "from": "2026-11-01", "to": "2026-11-30", "parts": 3}"#,
        )
        .unwrap();
        assert_eq!(opening.kind, ExchangeKind::Transactions);
        assert_eq!(opening.opening.parts, 3);
        assert_eq!(opening.opening.from.to_string(), "2026-11-01");
        assert_eq!(fields("{}"), ["kind", "from", "to", "parts"]);
        assert_eq!(fields("[]"), ["body"]);
        assert_eq!(
            fields(r#"{"kind": "acts", "from": "2026-11-30", "to": "2026-11-01", "parts": 0}"#),
            ["kind", "from", "parts"]
        );
        assert_eq!(
            fields(
                r#"{"kind": "readings", "from": "01.11.2026", "to": "2026-11-30", "parts": 1001}"#
            ),
            ["from", "parts"]
        );
        for kind in ExchangeKind::ALL {
            assert_eq!(ExchangeKind::of(kind.as_str()), Some(kind));
        }
    }
}
