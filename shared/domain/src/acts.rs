//! Billing acts (акты) of the JCat API: the act the billing side imports, its print figures,
//! and the list query with its filters and sort.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::{Fields, Value};
use crate::records::{FieldError, ItemParser, Record};
use crate::values::{LocalDateTime, Rejection, Text, parse_decimal};
use crate::words::rubles_in_words;

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

    pub fn parse_param(text: &str) -> Result<Self, Rejection> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The act's VAT: none, or 0, 10 or 20 % on top of the (net) service amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(Option<u8>);

impl VatRate {
    const BAD: Rejection = "ставка НДС: null (без НДС), 0, 10 или 20";

    fn parse(value: &Value<'_>) -> Result<Self, Rejection> {
        let text = match value {
            Value::Missing | Value::Null => return Ok(Self(None)),
            Value::Number(n) => *n,
            Value::String(s) if s.trim().is_empty() => return Ok(Self(None)),
            Value::String(s) => s.trim().trim_end_matches('%').trim(),
            _ => return Err(Self::BAD),
        };
        match text.parse::<u8>() {
            Ok(rate @ (0 | 10 | 20)) => Ok(Self(Some(rate))),
            _ => Err(Self::BAD),
        }
    }

    pub fn percent(self) -> Option<u8> {
        self.0
    }
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

/// The sums printed on an act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the service lines (net).
    pub total: Decimal,
    pub vat: Decimal,
    /// What the customer pays; the list's `amount`.
    pub with_vat: Decimal,
}

impl Act {
    pub fn totals(&self) -> Totals {
        let total: Decimal = self.services.iter().map(|s| s.amount).sum();
        let vat = match self.vat_rate.percent() {
            None => Decimal::ZERO,
            Some(rate) => (total * Decimal::from(rate) / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        };
        Totals {
            total,
            vat,
            with_vat: total + vat,
        }
    }

    /// `Акт № 777 от 31.10.2018`
    pub fn title(&self) -> String {
        format!("Акт № {} от {}", self.act_number, self.created_at.printed())
    }

    pub fn vat_string(&self) -> String {
        match self.vat_rate.percent() {
            None => "Без налога (НДС)".to_owned(),
            Some(rate) => format!("НДС {rate}%"),
        }
    }

    /// `К оплате: Одна тысяча рублей 00 коп.`
    pub fn sum_string(&self) -> String {
        format!("К оплате: {}", rubles_in_words(self.totals().with_vat))
    }
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
        let amount = p.required("amount", parse_decimal);
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
        if services.iter().map(|s| s.amount).sum::<Decimal>() < Decimal::ZERO {
            p.errors.push(FieldError {
                field: Some("services".into()),
                message: "сумма акта не может быть отрицательной",
            });
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

/// The field the act list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActSort {
    ActNumber,
    CountNumber,
    CreatedAt,
    Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Filters of the act list; every one present must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActFilter {
    pub created_from: Option<Date>,
    pub created_to: Option<Date>,
    pub act_number: Option<ActNumber>,
    pub count_number: Option<String>,
    pub payer_id: Option<u64>,
    pub recipient_id: Option<u64>,
    pub status: Option<ActStatus>,
}

impl ActFilter {
    pub fn matches(&self, act: &Act) -> bool {
        self.created_from.is_none_or(|d| act.created_at >= d)
            && self.created_to.is_none_or(|d| act.created_at <= d)
            && self.act_number.is_none_or(|n| act.act_number == n)
            && self
                .count_number
                .as_deref()
                .is_none_or(|c| act.count_number.as_ref().is_some_and(|n| n.as_str() == c))
            && self.payer_id.is_none_or(|id| act.payer.id == id)
            && self.recipient_id.is_none_or(|id| act.recipient.id == id)
            && self.status.is_none_or(|s| act.act_status == s)
    }

    /// Only a status, or nothing: the totals kept on import answer these without reading.
    pub fn is_status_only(&self) -> bool {
        let status_only = ActFilter {
            status: self.status,
            ..ActFilter::default()
        };
        *self == status_only
    }
}

/// A page of the act list: `GET /v1/billing/acts/{page}/{limit}?filters&sort&direction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActQuery {
    pub filter: ActFilter,
    pub sort: ActSort,
    pub direction: Direction,
    /// From 1.
    pub page: u32,
    pub limit: u32,
}

impl ActQuery {
    pub const DEFAULT_LIMIT: u32 = 10;
    pub const MAX_LIMIT: u32 = 100;

    /// From the path's `page` and `limit` and the query string; every bad parameter is reported.
    pub fn parse<'a>(
        page: Option<&str>,
        limit: Option<&str>,
        query: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Self, Vec<(&'static str, Rejection)>> {
        let mut errors = Vec::new();
        let filter = ActFilter {
            created_from: param(
                &mut errors,
                "created_at_from",
                query("created_at_from"),
                Date::parse_param,
            ),
            created_to: param(
                &mut errors,
                "created_at_to",
                query("created_at_to"),
                Date::parse_param,
            ),
            act_number: param(
                &mut errors,
                "act_number",
                query("act_number"),
                ActNumber::parse_param,
            ),
            count_number: param(&mut errors, "count_number", query("count_number"), |v| {
                Ok(v.to_owned())
            }),
            payer_id: param(&mut errors, "payer_id", query("payer_id"), parse_id),
            recipient_id: param(&mut errors, "recipient_id", query("recipient_id"), parse_id),
            status: param(
                &mut errors,
                "act_status",
                query("act_status"),
                ActStatus::parse_param,
            ),
        };
        let sort = param(&mut errors, "sort", query("sort"), |v| match v {
            "act_number" => Ok(ActSort::ActNumber),
            "count_number" => Ok(ActSort::CountNumber),
            "created_at" => Ok(ActSort::CreatedAt),
            "amount" => Ok(ActSort::Amount),
            _ => Err("sort: act_number, count_number, created_at или amount"),
        });
        let direction = param(&mut errors, "direction", query("direction"), |v| match v {
            "asc" => Ok(Direction::Asc),
            "desc" => Ok(Direction::Desc),
            _ => Err("direction: asc или desc"),
        });
        let page = param(&mut errors, "page", page, |v| match v.parse::<u32>() {
            Ok(p) if p >= 1 => Ok(p),
            _ => Err("номер страницы: целое число от 1"),
        });
        let limit = param(&mut errors, "limit", limit, |v| match v.parse::<u32>() {
            Ok(l) if (1..=Self::MAX_LIMIT).contains(&l) => Ok(l),
            _ => Err("записей на странице: целое число от 1 до 100"),
        });
        if let (Some(from), Some(to)) = (filter.created_from, filter.created_to) {
            if from > to {
                errors.push(("created_at_from", "начало периода позже его конца"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            filter,
            sort: sort.unwrap_or(ActSort::CreatedAt),
            direction: direction.unwrap_or(Direction::Desc),
            page: page.unwrap_or(1),
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
        })
    }

    /// How many entries come before this page.
    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.limit as usize
    }

    /// `pages.total` for `total` matching acts.
    pub fn pages(&self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.limit))
    }
}

/// A present, non-blank parameter parsed; a rejection is recorded under the parameter's name.
fn param<T>(
    errors: &mut Vec<(&'static str, Rejection)>,
    name: &'static str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, Rejection>,
) -> Option<T> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    parse(value).map_err(|e| errors.push((name, e))).ok()
}

fn parse_id(text: &str) -> Result<u64, Rejection> {
    text.trim()
        .parse()
        .map_err(|_| "идентификатор: целое неотрицательное число")
}

/// A JSON number with exactly the decimal's digits (`960`, `1000.5`), never through f64;
/// trailing zeros dropped, as the spec's examples print amounts.
pub fn money_json(amount: Decimal) -> Box<RawValue> {
    decimal_json(amount.normalize())
}

/// A JSON number with exactly the decimal's digits and scale, as it was imported (`56.70`).
pub fn decimal_json(value: Decimal) -> Box<RawValue> {
    RawValue::from_string(value.to_string()).expect("a decimal is a JSON number")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::collection;
    use rust_decimal_macros::dec;

    fn act(json: &str) -> Result<Act, Vec<FieldError>> {
        let body = format!("{{\"acts\": [{json}]}}");
        let raw = collection(&body, "acts").unwrap()[0];
        Act::parse(&Fields::parse(raw).unwrap())
    }

    const ISSUE_EXAMPLE: &str = r#"{
      "act_number": 777, "count_number": "42800", "created_at": "2018-10-31",
      "payer": {"id": 777, "name": "ООО «Василек»"}, "recipient": {"id": 333, "name": "ООО «Ромашка»"},
      "act_status": "sended", "send_date": "2019-01-15", "send_method": null, "send_address": "г Москва",
      "vat_rate": null,
      "services": [{"title": "Лицензионное вознаграждение за использование Сервиса", "amount": 1000}],
      "logo": "https://www.somesite.ru/img/logo.jpg"}"#;

    #[test]
    fn the_issue_example_parses_and_prints_like_the_spec() {
        let a = act(ISSUE_EXAMPLE).unwrap();
        assert_eq!(a.title(), "Акт № 777 от 31.10.2018");
        assert_eq!(a.vat_string(), "Без налога (НДС)");
        assert_eq!(
            a.totals(),
            Totals {
                total: dec!(1000),
                vat: dec!(0),
                with_vat: dec!(1000)
            }
        );
        assert_eq!(a.sum_string(), "К оплате: Одна тысяча рублей 00 коп.");
        assert_eq!(a.send_date.unwrap().to_string(), "2019-01-15");
    }

    #[test]
    fn vat_is_added_to_net_amounts_and_rounded_half_up() {
        let a = act(&ISSUE_EXAMPLE
            .replace("\"vat_rate\": null", "\"vat_rate\": 20")
            .replace(
                "\"amount\": 1000",
                "\"amount\": \"0.125\"}, {\"title\": \"x\", \"amount\": 0.5",
            ))
        .unwrap();
        // 0.625 × 20 % = 0.125 → 0.13
        assert_eq!(a.totals().vat, dec!(0.13));
        assert_eq!(a.totals().with_vat, dec!(0.755));
        assert_eq!(a.vat_string(), "НДС 20%");
        for (rate, ok) in [
            ("0", true),
            ("10", true),
            ("\"20%\"", true),
            ("18", false),
            ("-1", false),
        ] {
            let json =
                ISSUE_EXAMPLE.replace("\"vat_rate\": null", &format!("\"vat_rate\": {rate}"));
            assert_eq!(act(&json).is_ok(), ok, "{rate}");
        }
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

    #[test]
    fn list_query_defaults_and_every_bad_parameter() {
        let q = ActQuery::parse(None, None, |_| None).unwrap();
        assert_eq!(
            (q.page, q.limit, q.sort, q.direction),
            (1, 10, ActSort::CreatedAt, Direction::Desc)
        );
        assert_eq!(q.offset(), 0);
        assert_eq!(q.pages(0), 0);
        assert_eq!(q.pages(21), 3);

        let params = [
            ("created_at_to", "2020-25-12"),
            ("sort", "payer"),
            ("act_status", "lost"),
            ("direction", "up"),
            ("payer_id", "x"),
        ];
        let errors = ActQuery::parse(Some("x"), Some("1000"), |k| {
            params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
        })
        .unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            names,
            [
                "created_at_to",
                "payer_id",
                "act_status",
                "sort",
                "direction",
                "page",
                "limit"
            ]
        );
        assert!(ActQuery::parse(None, Some("0"), |_| None).is_err());
        assert!(ActQuery::parse(Some("0"), None, |_| None).is_err());
    }

    #[test]
    fn status_only_filters_are_answered_from_counts() {
        let mut f = ActFilter::default();
        assert!(f.is_status_only());
        f.status = Some(ActStatus::Sended);
        assert!(f.is_status_only());
        f.payer_id = Some(1);
        assert!(!f.is_status_only());
    }

    #[test]
    fn money_is_a_plain_json_number() {
        assert_eq!(money_json(dec!(960.00)).get(), "960");
        assert_eq!(money_json(dec!(1000.50)).get(), "1000.5");
        assert_eq!(money_json(dec!(-0.01)).get(), "-0.01");
    }
}
