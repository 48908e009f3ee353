//! The act as the billing side imports it: its number, status, parties, VAT, service lines and
//! printed texts, parsed from 1C's JSON into valid values.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::{Fields, Value};
use crate::records::{FieldError, ItemParser, Record};
use crate::values::{LocalDateTime, Rejection, Text, parse_decimal, parse_flag};

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
        let text = text.trim();
        if !crate::values::has_four_digit_year(text) {
            return Err(BAD);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
            .map(Self)
            .map_err(|_| BAD)
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
            Value::Number(n) => Self::parse_param(n).map(Some),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => Self::parse_param(s).map(Some),
            _ => Err(Self::BAD),
        }
    }

    pub fn parse_param(text: &str) -> Result<Self, Rejection> {
        match text.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Self(n)),
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
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or(Self::BAD)
    }

    fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
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

    fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        let raw = match value {
            Value::Missing | Value::Null => return Ok(None),
            Value::Object(raw) => *raw,
            _ => return Err(Self::BAD),
        };
        let raw: &RawValue = serde_json::from_str(raw).map_err(|_| Self::BAD)?;
        let fields = Fields::parse(raw).ok_or(Self::BAD)?;
        let id = match fields.get("id") {
            Value::Number(n) => n.parse::<u64>().ok(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        let name = Text::parse(&fields.get("name")).ok().flatten();
        match (id, name) {
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

    fn parse(value: &Value<'_>) -> Result<Self, Rejection> {
        let text = match value {
            Value::Missing | Value::Null => return Ok(Self(None)),
            Value::Number(n) => *n,
            Value::String(s) => s.trim().trim_end_matches('%').trim(),
            _ => return Err(Self::BAD),
        };
        if text.is_empty() || text.to_lowercase().starts_with("без") {
            return Ok(Self(None));
        }
        match text.parse::<u8>() {
            Ok(rate) if Self::RATES.contains(&rate) => Ok(Self(Some(rate))),
            _ => Err(Self::BAD),
        }
    }

    pub fn percent(self) -> Option<u8> {
        self.0
    }
}

/// The largest amount of a service line, in rubles: far above any real act, and small enough
/// that no sum of lines a request can carry, nor its VAT, can overflow.
pub const MAX_LINE_AMOUNT: Decimal = rust_decimal_macros::dec!(999_999_999_999_999.99);

/// A service line's amount: rubles and kopecks (at most two decimal places, so that every printed
/// figure is exact), at most [`MAX_LINE_AMOUNT`] either way.
fn parse_line_amount(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    let Some(amount) = parse_decimal(value)? else {
        return Ok(None);
    };
    if amount.normalize().scale() > 2 {
        return Err("сумма: рубли и копейки, не больше двух знаков после запятой");
    }
    if amount.abs() > MAX_LINE_AMOUNT {
        return Err("сумма: не больше 999 999 999 999 999,99 по модулю");
    }
    Ok(Some(amount))
}

/// One line of the act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLine {
    pub title: Text,
    /// Net of VAT.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub quantity: Option<Decimal>,
    #[serde(default)]
    pub unit: Option<Text>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub price: Option<Decimal>,
}

/// An act as the billing side imports it: its list figures and everything printed on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Act {
    pub act_number: ActNumber,
    pub count_number: Option<Text>,
    pub created_at: Date,
    pub payer: Party,
    pub recipient: Party,
    pub act_status: ActStatus,
    pub send_date: Option<Date>,
    pub send_method: Option<Text>,
    pub send_address: Option<Text>,
    pub vat_rate: VatRate,
    /// The service amounts include the VAT (`в т.ч. НДС`); otherwise it is added on top.
    #[serde(default)]
    pub vat_included: bool,
    pub services: Vec<ServiceLine>,
    pub act_description: Option<Text>,
    pub act_text: Option<Text>,
    pub contacts: Option<Text>,
    pub warranty_text: Option<Text>,
    pub payment_text: Option<Text>,
    pub general_manager_position: Option<Text>,
    pub general_manager: Option<Text>,
    pub general_manager_procuratory: Option<Text>,
    pub postal_address: Option<Text>,
    pub customer_general_manager: Option<Text>,
    pub logo: Option<Text>,
}

fn parse_services(value: &Value<'_>, errors: &mut Vec<FieldError>) -> Vec<ServiceLine> {
    let error = |field: String, message| FieldError {
        field: Some(Cow::Owned(field)),
        message,
    };
    let raw = match value {
        Value::Array(raw) => *raw,
        Value::Missing | Value::Null => {
            errors.push(error("services".into(), "нужна хотя бы одна строка услуг"));
            return Vec::new();
        }
        _ => {
            errors.push(error("services".into(), "ожидается массив строк услуг"));
            return Vec::new();
        }
    };
    let items: Vec<&RawValue> = serde_json::from_str(raw).unwrap_or_default();
    if items.is_empty() {
        errors.push(error("services".into(), "нужна хотя бы одна строка услуг"));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Some(fields) = Fields::parse(item) else {
            errors.push(error(format!("services[{i}]"), "ожидается объект"));
            continue;
        };
        let mut p = ItemParser::new(&fields);
        let title = p.required("title", Text::parse);
        let amount = p.required("amount", parse_line_amount);
        let quantity = p.optional("quantity", parse_decimal);
        let unit = p.optional("unit", Text::parse);
        let price = p.optional("price", parse_decimal);
        match p.finish(|| {
            Some(ServiceLine {
                title: title?,
                amount: amount?,
                quantity,
                unit,
                price,
            })
        }) {
            Ok(line) => lines.push(line),
            Err(line_errors) => errors.extend(line_errors.into_iter().map(|e| FieldError {
                field: e.field.map(|f| Cow::Owned(format!("services[{i}].{f}"))),
                message: e.message,
            })),
        }
    }
    lines
}

impl Record for Act {
    const COLLECTION: &'static str = "acts";
    const KIND: &'static str = "acts";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let act_number = p.required("act_number", ActNumber::parse);
        let count_number = p.optional("count_number", Text::parse);
        let created_at = p.required("created_at", Date::parse);
        let payer = p.required("payer", Party::parse);
        let recipient = p.required("recipient", Party::parse);
        let act_status = p.required("act_status", ActStatus::parse);
        let send_date = p.optional("send_date", Date::parse);
        let send_method = p.optional("send_method", Text::parse);
        let send_address = p.optional("send_address", Text::parse);
        let vat_rate = p.optional("vat_rate", |v| VatRate::parse(v).map(Some));
        let vat_included = p.optional("vat_included", parse_flag).unwrap_or(false);
        let services = parse_services(&item.get("services"), &mut p.errors);
        let mut text = |field| p.optional(field, Text::parse);
        let act_description = text("act_description");
        let act_text = text("act_text");
        let contacts = text("contacts");
        let warranty_text = text("warranty_text");
        let payment_text = text("payment_text");
        let general_manager_position = text("general_manager_position");
        let general_manager = text("general_manager");
        let general_manager_procuratory = text("general_manager_procuratory");
        let postal_address = text("postal_address");
        let customer_general_manager = text("customer_general_manager");
        let logo = text("logo");
        let total = services
            .iter()
            .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount));
        match total {
            Some(total) if total < Decimal::ZERO => p.errors.push(FieldError {
                field: Some("services".into()),
                message: "сумма акта не может быть отрицательной",
            }),
            Some(_) => {}
            None => p.errors.push(FieldError {
                field: Some("services".into()),
                message: "сумма акта слишком велика",
            }),
        }
        p.finish(|| {
            Some(Self {
                act_number: act_number?,
                count_number,
                created_at: created_at?,
                payer: payer?,
                recipient: recipient?,
                act_status: act_status?,
                send_date,
                send_method,
                send_address,
                vat_rate: vat_rate?,
                vat_included,
                services,
                act_description,
                act_text,
                contacts,
                warranty_text,
                payment_text,
                general_manager_position,
                general_manager,
                general_manager_procuratory,
                postal_address,
                customer_general_manager,
                logo,
            })
        })
    }
}

#[cfg(test)]
pub(super) mod examples {
    use super::*;
    use crate::json::collection;

    pub(in crate::acts) fn act(json: &str) -> Result<Act, Vec<FieldError>> {
        let body = format!("{{\"acts\": [{json}]}}");
        let raw = collection(&body, "acts").unwrap()[0];
        Act::parse(&Fields::parse(raw).unwrap())
    }

    pub(in crate::acts) const ISSUE_EXAMPLE: &str = r#"{
      "act_number": 777, "count_number": "42800", "created_at": "2018-10-31",
      "payer": {"id": 777, "name": "ООО «Василек»"}, "recipient": {"id": 333, "name": "ООО «Ромашка»"},
      "act_status": "sended", "send_date": "2019-01-15", "send_method": null, "send_address": "г Москва",
      "vat_rate": null,
      "services": [{"title": "Лицензионное вознаграждение за использование Сервиса", "amount": 1000}],
      "logo": "https://www.somesite.ru/img/logo.jpg"}"#;

    pub(in crate::acts) fn with(replacements: &[(&str, &str)]) -> Result<Act, Vec<FieldError>> {
        let json = replacements
            .iter()
            .fold(ISSUE_EXAMPLE.to_owned(), |json, (from, to)| {
                json.replace(from, to)
            });
        act(&json)
    }

    pub(in crate::acts) const TWO_LINES: &str =
        "\"amount\": \"0.13\"}, {\"title\": \"x\", \"amount\": 0.5";
}

#[cfg(test)]
mod tests {
    use super::examples::{ISSUE_EXAMPLE, act, with};
    use rust_decimal_macros::dec;

    #[test]
    fn every_rate_in_force_is_accepted_and_no_other() {
        for rate in [
            "0",
            "5",
            "7",
            "10",
            "18",
            "20",
            "22",
            "\"20%\"",
            "\" 22 % \"",
        ] {
            let a = with(&[("\"vat_rate\": null", &format!("\"vat_rate\": {rate}"))]);
            assert!(a.unwrap().vat_rate.percent().is_some(), "{rate}");
        }
        for none in ["null", "\"\"", "\"без НДС\"", "\"Без налога (НДС)\""] {
            let a = with(&[("\"vat_rate\": null", &format!("\"vat_rate\": {none}"))]);
            assert_eq!(a.unwrap().vat_string(), "Без налога (НДС)", "{none}");
        }
        for bad in ["3", "-1", "21", "20.5", "\"много\"", "true"] {
            let a = with(&[("\"vat_rate\": null", &format!("\"vat_rate\": {bad}"))]);
            assert!(a.is_err(), "{bad}");
        }
    }

    #[test]
    fn line_amounts_are_kopecks_within_the_limit() {
        for (amount, ok) in [
            ("\"1000.500\"", true),
            ("0.125", false),
            ("999999999999999.99", true),
            ("1000000000000000", false),
            ("50000000000000000000000000000", false),
        ] {
            let a = with(&[("\"amount\": 1000", &format!("\"amount\": {amount}"))]);
            assert_eq!(a.is_ok(), ok, "{amount}");
        }
        // Many lines at the limit still sum exactly, VAT and all.
        let lines = vec![r#"{"title": "x", "amount": 999999999999999.99}"#; 1000].join(",");
        let a = with(&[
            ("\"vat_rate\": null", "\"vat_rate\": 22"),
            (r#"{"title": "Лицензионное вознаграждение за использование Сервиса", "amount": 1000}"#, &lines),
        ])
        .unwrap();
        assert_eq!(a.checked_totals().unwrap().total, dec!(999999999999999990));
    }

    #[test]
    fn nested_errors_name_their_path() {
        let json = ISSUE_EXAMPLE
            .replace("\"amount\": 1000", "\"amount\": \"много\"")
            .replace("\"act_status\": \"sended\"", "\"act_status\": \"lost\"")
            .replace("{\"id\": 777, \"name\": \"ООО «Василек»\"}", "\"Василек\"");
        let fields: Vec<String> = act(&json)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field.unwrap().into_owned())
            .collect();
        assert_eq!(fields, ["payer", "act_status", "services[0].amount"]);
    }
}
