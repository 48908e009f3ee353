//! The act as the billing side imports it: its values (`fields`), service lines and printed
//! texts, parsed from 1C's JSON; every problem of an act is collected.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::fields::{ActNumber, ActStatus, Date, Party, VatRate};
use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::records::{ItemParser, Record};
use crate::values::{Guid, Rejection, Text, parse_decimal, parse_flag, parse_kopecks};

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
    /// 1C's document (its reference's GUID): an act number already stored with another
    /// document is refused, and a print link opens only the document it was made for.
    #[serde(default, rename = "document", skip_serializing_if = "Option::is_none")]
    pub id: Option<Guid>,
    /// Withdrawn by 1C: kept, but in no list, filter or total, and its pages are `404`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
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

fn parse_services(value: &Value<'_>, problems: &mut Problems) -> Vec<ServiceLine> {
    const NONE: Rejection = "нужна хотя бы одна строка услуг";
    let raw = match value {
        Value::Array(raw) => *raw,
        Value::Missing | Value::Null => {
            problems.push(Problem::new("services", NONE));
            return Vec::new();
        }
        _ => {
            problems.push(Problem::new("services", "ожидается массив строк услуг"));
            return Vec::new();
        }
    };
    let items: Vec<&RawValue> = serde_json::from_str(raw).unwrap_or_default();
    if items.is_empty() {
        problems.push(Problem::new("services", NONE));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Some(fields) = Fields::parse(item) else {
            problems.push(Problem::new(format!("services[{i}]"), "ожидается объект"));
            continue;
        };
        let mut p = ItemParser::new(&fields);
        let title = p.required("title", Text::parse);
        let amount = p.required("amount", parse_kopecks);
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
            Err(line_problems) => problems.extend(line_problems.into_iter().map(|p| Problem {
                field: p.field.map(|f| format!("services[{i}].{f}").into()),
                ..p
            })),
        }
    }
    lines
}

/// An act's total may be neither negative nor too large to sum.
fn check_total(services: &[ServiceLine], problems: &mut Problems) {
    let total = services
        .iter()
        .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount));
    match total {
        Some(total) if total < Decimal::ZERO => problems.push(Problem::new(
            "services",
            "сумма акта не может быть отрицательной",
        )),
        Some(_) => {}
        None => problems.push(Problem::new("services", "сумма акта слишком велика")),
    }
}

/// The most characters of a text the acts list shows (parties' names, `send_method`,
/// `send_address`): a list page of 100 acts then stays far under Lambda's 6 MB answer
/// (the test beside the acts list's handler in `api` computes it).
pub const MAX_LISTED_TEXT: usize = 1000;

const LISTED_TOO_LONG: Rejection = "не длиннее 1000 символов: это поле показывает список актов";

fn listed_text(value: &Value<'_>) -> Result<Option<Text>, Rejection> {
    Text::parse_short(value, MAX_LISTED_TEXT, LISTED_TOO_LONG)
}

impl Record for Act {
    const COLLECTION: &'static str = "acts";
    const KIND: &'static str = "acts";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
        let mut p = ItemParser::new(item);
        let id = p.optional("id", Guid::parse);
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        let act_number = p.required("act_number", ActNumber::parse);
        let count_number = p.optional("count_number", Text::parse);
        let created_at = p.required("created_at", Date::parse);
        let payer = p.required("payer", Party::parse);
        let recipient = p.required("recipient", Party::parse);
        let act_status = p.required("act_status", ActStatus::parse);
        let send_date = p.optional("send_date", Date::parse);
        let send_method = p.optional("send_method", listed_text);
        let send_address = p.optional("send_address", listed_text);
        let vat_rate = p.optional("vat_rate", |v| VatRate::parse(v).map(Some));
        let vat_included = p.optional("vat_included", parse_flag).unwrap_or(false);
        let services = parse_services(&item.get("services"), &mut p.problems);
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
        check_total(&services, &mut p.problems);
        p.finish(|| {
            Some(Self {
                id,
                deleted,
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

    pub(in crate::acts) fn act(json: &str) -> Result<Act, Vec<Problem>> {
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

    pub(in crate::acts) fn with(replacements: &[(&str, &str)]) -> Result<Act, Vec<Problem>> {
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
