//! The values an act is made of: its date, number, status, parties and VAT rate, each parsed
//! from 1C's JSON into a valid value.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::{Fields, Value};
use rust_decimal::Decimal;

use crate::values::{
    LocalDateTime, Rejection, Text, parse_date, parse_digits, parse_exact_decimal, trim,
    whole_number,
};

/// A calendar date, written `YYYY-MM-DD` as in the spec's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(NaiveDate);

impl Date {
    /// Takes whatever date forms 1C writes; a time of day is dropped.
    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const BAD: Rejection = "ожидается дата вида ГГГГ-ММ-ДД";
        LocalDateTime::parse(value)
            .map(|d| d.map(|d| Self(d.naive().date())))
            .map_err(|_| BAD)
    }

    /// A query parameter: `YYYY-MM-DD` (or `DD.MM.YYYY`), nothing looser.
    pub fn parse_param(text: &str) -> Result<Self, Rejection> {
        const BAD: Rejection = "ожидается дата вида ГГГГ-ММ-ДД";
        parse_date(trim(text)).map(Self).ok_or(BAD)
    }

    /// `31.10.2018`, as printed on the act.
    pub fn printed(&self) -> impl fmt::Display + use<> {
        self.0.format("%d.%m.%Y")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format("%Y-%m-%d").fmt(f)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_param(&s).map_err(serde::de::Error::custom)
    }
}

/// An act's number: "Номер акта", its identity within the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActNumber(u64);

impl ActNumber {
    pub const BAD: Rejection = "ожидается номер акта: целое положительное число";

    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        match value {
            Value::Missing | Value::Null => Ok(None),
            Value::Number(n) => match whole_number(n) {
                Some(n) if n > 0 => Ok(Some(Self(n))),
                _ => Err(Self::BAD),
            },
            Value::String(s) if trim(s).is_empty() => Ok(None),
            Value::String(s) => Self::parse_param(s).map(Some),
            _ => Err(Self::BAD),
        }
    }

    /// 1 to 18 446 744 073 709 551 615, in digits.
    pub fn parse_param(text: &str) -> Result<Self, Rejection> {
        match parse_digits::<u64>(text) {
            Some(n) if n > 0 => Ok(Self(n)),
            _ => Err(Self::BAD),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ActNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether the act was sent to the customer (the spec's own spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActStatus {
    Sended,
    NotSended,
}

impl ActStatus {
    pub const ALL: [ActStatus; 2] = [ActStatus::Sended, ActStatus::NotSended];
    const BAD: Rejection = "ожидается статус sended или not_sended";

    pub fn as_str(self) -> &'static str {
        match self {
            ActStatus::Sended => "sended",
            ActStatus::NotSended => "not_sended",
        }
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            ActStatus::Sended => "Отправлен",
            ActStatus::NotSended => "Не отправлен",
        }
    }

    /// As the spec writes it, in any case.
    pub fn parse_param(text: &str) -> Result<Self, Rejection> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(trim(text)))
            .ok_or(Self::BAD)
    }

    pub(crate) fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        match value {
            Value::Missing | Value::Null => Ok(None),
            Value::String(s) => Self::parse_param(s).map(Some),
            _ => Err(Self::BAD),
        }
    }
}

/// A payer or a recipient of acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: u64,
    pub name: Text,
}

/// Which side of an act a party is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyRole {
    Payer,
    Recipient,
}

impl Party {
    const BAD: Rejection = "ожидается объект {\"id\": целое число, \"name\": строка}";

    pub(crate) fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        let raw = match value {
            Value::Missing | Value::Null => return Ok(None),
            Value::Object(raw) => *raw,
            _ => return Err(Self::BAD),
        };
        let raw: &RawValue = serde_json::from_str(raw).map_err(|_| Self::BAD)?;
        let fields = Fields::parse(raw).ok_or(Self::BAD)?;
        let id = match fields.get("id") {
            Value::Number(n) => whole_number(n),
            Value::String(s) => parse_digits::<u64>(&s),
            _ => None,
        };
        let name = Text::parse(&fields.get("name")).ok().flatten();
        match (id, name) {
            (Some(_), Some(name)) if name.as_str().chars().count() > super::MAX_LISTED_TEXT => {
                Err("наименование стороны не длиннее 1000 символов: его показывает список актов")
            }
            (Some(id), Some(name)) => Ok(Some(Self { id, name })),
            _ => Err(Self::BAD),
        }
    }
}

/// The act's VAT rate: none (`null`, `"без НДС"`), or a rate in force now or on the dates of
/// older acts: 0, 10, 20 and 22 % (general, from 2026), 18 % (until 2018), 5 and 7 % (УСН).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(Option<u8>);

impl VatRate {
    pub const RATES: [u8; 7] = [0, 5, 7, 10, 18, 20, 22];
    const BAD: Rejection = "ставка НДС: null или \"без НДС\", 0, 5, 7, 10, 18, 20 или 22";

    /// A number, or a string: the rate with an optional `%`, or anything that starts with
    /// "без" (in any case); a blank string is none.
    pub(crate) fn parse(value: &Value<'_>) -> Result<Self, Rejection> {
        let rate = match value {
            Value::Missing | Value::Null => return Ok(Self(None)),
            Value::Number(_) => parse_exact_decimal(value).ok().flatten(),
            Value::String(s) => {
                let text = trim(s);
                if text.to_lowercase().starts_with("без") {
                    return Ok(Self(None));
                }
                let text = trim(text.strip_suffix('%').map_or(text, trim));
                if text.is_empty() {
                    return Ok(Self(None));
                }
                Self::RATES
                    .iter()
                    .find(|r| r.to_string() == text)
                    .map(|r| Decimal::from(*r))
            }
            _ => None,
        };
        let rate =
            rate.and_then(|rate| Self::RATES.into_iter().find(|r| Decimal::from(*r) == rate));
        rate.map(|r| Self(Some(r))).ok_or(Self::BAD)
    }

    pub fn percent(self) -> Option<u8> {
        self.0
    }
}
