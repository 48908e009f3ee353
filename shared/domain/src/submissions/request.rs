//! What a resident's app sends: `POST /api/counters/{id}/readings`, parsed once.

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::{Figures, MAX_FIGURE, MAX_REASON_CHARS, MAX_SOURCE_CHARS};
use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::records::parser::REQUIRED;
use crate::values::{Rejection, parse_decimal, trim};
use crate::{Guid, Text};

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
    /// The source recorded: a resident's key (bound to an account) may be taken off a phone,
    /// so its readings are the app's whatever it says; the office's own keys (a call centre's)
    /// name their source.
    pub fn source_for(&self, residents_key: bool) -> Text {
        if residents_key {
            Text::from_trusted(DEFAULT_SOURCE.to_owned())
        } else {
            self.source.clone()
        }
    }

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
pub(super) fn parse_reason(value: &Value<'_>) -> Result<Option<Text>, Rejection> {
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
