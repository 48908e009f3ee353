//! `квитанция` (ЕПД): what 1C printed for one personal account, one payee and one month: the
//! figures 1C computed, line by line. The cloud never computes what is due; it keeps what 1C
//! sent, marks a receipt whose lines do not add up to its totals, and prints it payable by QR.

use chrono::{Datelike, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Directory, ItemParser, Organization, Record, Reference, is_false};
use crate::json::{Fields, Value};
use crate::payment_qr::{self, Payment, PaymentText};
use crate::problems::{Problem, Problems};
use crate::values::{
    Guid, LocalDateTime, Rejection, Text, parse_decimal, parse_flag, parse_kopecks, text_of,
};

/// The most lines of a receipt: a real one has a dozen or two; a page of receipts stays far
/// under Lambda's answer limit (the test beside the receipts' handler computes it).
pub const MAX_LINES: usize = 100;

/// The most characters of a receipt's texts (its number, a line's unit).
pub const MAX_RECEIPT_TEXT: usize = 100;

const TEXT_TOO_LONG: Rejection = "не длиннее 100 символов";

/// One line of a receipt: a service and what 1C charged for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub service: Guid,
    pub unit: Option<Text>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub volume: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub tariff: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub charged: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub recalculation: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub to_pay: Option<Decimal>,
}

/// A receipt: identified by its account, period and payee. Sent again, it replaces the one
/// stored; sent with `deleted`, it is withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub account: Guid,
    pub organization: Guid,
    /// The first second of the receipt's month: what places it in a period import's days.
    pub date: LocalDateTime,
    pub number: Option<Text>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub debt_start: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub charged: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub recalculation: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub penalty: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub paid: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    pub to_pay: Decimal,
    #[serde(default)]
    pub lines: Vec<ReceiptLine>,
    /// ГИС ЖКХ's identifiers: the single personal account, the housing-services id and the
    /// payment document's id.
    pub els: Option<Text>,
    pub igku: Option<Text>,
    pub ipd: Option<Text>,
    /// The lines do not add up to the totals 1C sent (see [`Receipt::adds_up`]): printed as
    /// sent, and said so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub inconsistent: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl Receipt {
    /// `YYYY-MM`.
    pub fn period(&self) -> String {
        self.date.to_string()[..7].to_owned()
    }

    pub fn year(&self) -> i32 {
        self.date.naive().year()
    }

    pub fn month(&self) -> u32 {
        self.date.naive().month()
    }

    /// The payment text of its QR code (ГОСТ Р 56042-2014) to `payee`, for the personal
    /// account numbered `account_number` (1C's `name`): the sum due in kopecks when something
    /// is, the period, and a purpose a bank shows the payer. Never a name, address or phone.
    pub fn payment_text(
        &self,
        payee: &Organization,
        account_number: &str,
    ) -> Result<PaymentText, Rejection> {
        if account_number.chars().count() > MAX_ACCOUNT_NUMBER {
            return Err("номер лицевого счёта длиннее 50 символов");
        }
        let period = format!("{:02}.{}", self.month(), self.year());
        let mut purpose = match &self.number {
            Some(number) => format!("Оплата по квитанции № {number} за {period}"),
            None => format!("Оплата жилищно-коммунальных услуг за {period}"),
        };
        purpose.push_str(&format!(", лицевой счёт {account_number}"));
        let mut purpose: String = purpose.chars().take(MAX_PURPOSE).collect();
        // The purpose is free text: when only its characters would make the code UTF-8 (a
        // number written with `‑`), they become `?`, so that the code keeps windows-1251 and a
        // payee whose names fit its 300 bytes there still fits.
        let rest = [
            payee.name.as_str(),
            payee.bank_name.as_str(),
            account_number,
        ];
        if rest.iter().all(|text| in_windows_1251(text)) {
            purpose = purpose
                .chars()
                .map(|c| {
                    if in_windows_1251(c.encode_utf8(&mut [0; 4])) {
                        c
                    } else {
                        '?'
                    }
                })
                .collect();
        }
        let kopecks = (self.to_pay * Decimal::ONE_HUNDRED).trunc().to_i64();
        let payment = Payment {
            personal_account: account_number,
            year: self.year(),
            month: self.month(),
            kopecks,
            purpose: &purpose,
        };
        payment_qr::payment_text(&payee.payee(), &payment)
    }

    /// Whether the figures agree: the lines' charges and recalculations sum to the receipt's
    /// (where the receipt gives the total and a line gives its part), and, when all five are given, the debt
    /// at the start, plus charged, recalculation and penalty, less paid, is what is to pay.
    pub fn adds_up(&self) -> bool {
        let lines_sum = |field: fn(&ReceiptLine) -> Option<Decimal>| {
            let given: Vec<Decimal> = self.lines.iter().filter_map(field).collect();
            (!given.is_empty()).then(|| given.into_iter().sum::<Decimal>())
        };
        let agrees = |total: Option<Decimal>, lines: Option<Decimal>| match (total, lines) {
            (Some(total), Some(lines)) => total == lines,
            _ => true,
        };
        let lines_agree = agrees(self.charged, lines_sum(|l| l.charged))
            && agrees(self.recalculation, lines_sum(|l| l.recalculation));
        let parts = [
            self.debt_start,
            self.charged,
            self.recalculation,
            self.penalty,
        ];
        let balance_agrees = match (parts.iter().copied().sum::<Option<Decimal>>(), self.paid) {
            (Some(owed), Some(paid)) => owed - paid == self.to_pay,
            _ => true,
        };
        lines_agree && balance_agrees
    }
}

/// The most characters of a personal account's number a code carries (`PersAcc`): a longer
/// `name` is no number a bank's app shows, and such an account's receipts have no code.
pub const MAX_ACCOUNT_NUMBER: usize = 50;

/// Whether every character of `text` has a form in windows-1251.
fn in_windows_1251(text: &str) -> bool {
    !encoding_rs::WINDOWS_1251.encode(text).2
}

/// The most characters of `Purpose` (ГОСТ Р 56042-2014).
const MAX_PURPOSE: usize = 210;

/// `YYYY-MM`: the first day of that month.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if b.len() != 7 || b[4] != b'-' || !digits(0..4) || !digits(5..7) {
        return None;
    }
    let month = NaiveDate::from_ymd_opt(text[..4].parse().ok()?, text[5..].parse().ok()?, 1)?;
    (month.year() >= 1900).then_some(month)
}

/// `YYYY-MM`: the first second of that month.
fn parse_period(value: &Value<'_>) -> Result<Option<LocalDateTime>, Rejection> {
    const BAD: Rejection = "расчётный период: ожидается ГГГГ-ММ, год не раньше 1900";
    let Some(text) = text_of(value, BAD)? else {
        return Ok(None);
    };
    let month = parse_month(text).ok_or(BAD)?;
    Ok(Some(LocalDateTime::from_naive(
        month.and_time(NaiveTime::MIN),
    )))
}

/// ГИС ЖКХ's single personal account: 10 characters, two digits, two letters, six digits
/// (`75АБ533315`), the letters Latin or Cyrillic.
fn els_form(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.len() == 10
        && chars[..2].iter().all(char::is_ascii_digit)
        && chars[2..4].iter().all(|c| letter(*c))
        && chars[4..].iter().all(char::is_ascii_digit)
}

/// A Latin or Cyrillic letter, in either case.
fn letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('А'..='я').contains(&c) || c == 'Ё' || c == 'ё'
}

/// The housing-services id: the ЕЛС, `-`, two digits (`75АБ533315-01`).
fn igku_form(text: &str) -> bool {
    match text.split_once('-') {
        Some((els, n)) => els_form(els) && n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// The payment document's id: the ЕЛС, `-`, two digits, `-`, four digits
/// (`75АБ533315-01-6011`).
fn ipd_form(text: &str) -> bool {
    match text.rsplit_once('-') {
        Some((igku, n)) => igku_form(igku) && n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn identifier(
    form: fn(&str) -> bool,
    bad: Rejection,
) -> impl Fn(&Value<'_>) -> Result<Option<Text>, Rejection> {
    move |value| match Text::parse(value).map_err(|_| bad)? {
        Some(text) if !form(text.as_str()) => Err(bad),
        text => Ok(text),
    }
}

/// At most [`MAX_RECEIPT_TEXT`] characters, none of them a control character (printed and
/// answered as they are).
fn short_text(value: &Value<'_>) -> Result<Option<Text>, Rejection> {
    match Text::parse_short(value, MAX_RECEIPT_TEXT, TEXT_TOO_LONG)? {
        Some(text) if text.as_str().chars().any(char::is_control) => {
            Err("без управляющих символов (переводов строки, табуляций)")
        }
        text => Ok(text),
    }
}

fn parse_lines(value: &Value<'_>, problems: &mut Problems) -> Vec<ReceiptLine> {
    let raw = match value {
        Value::Array(raw) => *raw,
        Value::Missing | Value::Null => return Vec::new(),
        _ => {
            problems.push(Problem::new("lines", "ожидается массив строк квитанции"));
            return Vec::new();
        }
    };
    let items: Vec<&RawValue> = serde_json::from_str(raw).unwrap_or_default();
    if items.len() > MAX_LINES {
        problems.push(Problem::new("lines", "не больше 100 строк в квитанции"));
        return Vec::new();
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Some(fields) = Fields::parse(item) else {
            problems.push(Problem::new(format!("lines[{i}]"), "ожидается объект"));
            continue;
        };
        match parse_line(&fields) {
            Ok(line) => lines.push(line),
            Err(line_problems) => problems.extend(line_problems.into_iter().map(|p| Problem {
                field: p.field.map(|f| format!("lines[{i}].{f}").into()),
                ..p
            })),
        }
    }
    lines
}

fn parse_line(fields: &Fields<'_>) -> Result<ReceiptLine, Vec<Problem>> {
    let mut p = ItemParser::new(fields);
    let service = p.required("service", Guid::parse);
    let unit = p.optional("unit", short_text);
    let volume = p.optional("volume", parse_decimal);
    let tariff = p.optional("tariff", parse_decimal);
    let charged = p.optional("charged", parse_kopecks);
    let recalculation = p.optional("recalculation", parse_kopecks);
    let to_pay = p.optional("to_pay", parse_kopecks);
    p.finish(|| {
        Some(ReceiptLine {
            service: service?,
            unit,
            volume,
            tariff,
            charged,
            recalculation,
            to_pay,
        })
    })
}

impl Record for Receipt {
    const COLLECTION: &'static str = "receipts";
    const KIND: &'static str = "receipts";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
        const ELS: Rejection = "ЕЛС: 10 знаков, две цифры, две буквы, шесть цифр";
        const IGKU: Rejection = "ИЖКУ: ЕЛС, дефис и две цифры";
        const IPD: Rejection = "ИПД: ЕЛС, дефис, две цифры, дефис, четыре цифры";
        let mut p = ItemParser::new(item);
        let account = p.required("account", Guid::parse);
        let organization = p.required("organization", Guid::parse);
        let date = p.required("period", parse_period);
        let number = p.optional("number", short_text);
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        let mut amount = |field| p.optional(field, parse_kopecks);
        let debt_start = amount("debt_start");
        let charged = amount("charged");
        let recalculation = amount("recalculation");
        let penalty = amount("penalty");
        let paid = amount("paid");
        let to_pay = p.required("to_pay", parse_kopecks);
        let els = p.optional("els", identifier(els_form, ELS));
        let igku = p.optional("igku", identifier(igku_form, IGKU));
        let ipd = p.optional("ipd", identifier(ipd_form, IPD));
        let lines = parse_lines(&item.get("lines"), &mut p.problems);
        let mut receipt = p.finish(|| {
            Some(Self {
                account: account?,
                organization: organization?,
                date: date?,
                number,
                debt_start,
                charged,
                recalculation,
                penalty,
                paid,
                to_pay: to_pay?,
                lines,
                els,
                igku,
                ipd,
                inconsistent: false,
                deleted,
            })
        })?;
        receipt.inconsistent = !receipt.adds_up();
        Ok(receipt)
    }

    fn references(&self) -> Vec<Reference> {
        let account = Reference {
            field: "account",
            directory: Directory::Account,
            id: self.account,
        };
        let organization = Reference {
            field: "organization",
            directory: Directory::Organization,
            id: self.organization,
        };
        let services = self.lines.iter().map(|line| Reference {
            field: "lines.service",
            directory: Directory::Service,
            id: line.service,
        });
        [account, organization]
            .into_iter()
            .chain(services)
            .collect()
    }

    fn dated(&self) -> Option<LocalDateTime> {
        Some(self.date)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::json::collection;

    fn parsed<R: Record>(
        collection_key: &'static str,
        item: serde_json::Value,
    ) -> Result<R, Vec<Problem>> {
        let body = serde_json::json!({ collection_key: [item] }).to_string();
        let raw = collection(&body, collection_key).unwrap()[0];
        R::parse(&Fields::parse(raw).unwrap())
    }

    fn payee(name: &str, bank: &str) -> Option<Organization> {
        parsed(
            "organizations",
            serde_json::json!({
            "id": "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e", "name": name, "inn": "7723012346",
            "kpp": "772301001", "bank_account": "40703810303800000123", "bic": "044525225",
            "bank_name": bank, "correspondent_account": "30101810400000000225"}),
        )
        .ok()
    }

    fn receipt(number: &str, to_pay: &str) -> Option<Receipt> {
        parsed(
            "receipts",
            serde_json::json!({
            "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "period": "2026-11",
            "organization": "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e", "number": number,
            "to_pay": to_pay}),
        )
        .ok()
    }

    #[test]
    fn a_number_windows_1251_lacks_keeps_the_code_in_windows_1251() {
        let name = format!("ТСЖ «{}»", "Щ".repeat(147));
        let payee = payee(&name, &"Ж".repeat(45)).unwrap();
        let receipt = receipt("11\u{2011}001", "1").unwrap();
        let text = receipt.payment_text(&payee, "ЛС1").unwrap();
        assert_eq!(text.encoding, payment_qr::Encoding::Windows1251);
        assert!(text.text.contains("№ 11?001"), "{}", text.text);
    }

    proptest! {
        /// Whatever the names and numbers: a code is refused or well formed, its requisites
        /// in order, each value free of separators, the mandatory ones within 300 bytes in the
        /// code's encoding, and the sum the kopecks due.
        #[test]
        fn every_code_is_well_formed(
            name in "[ -ӿ|=\\n\\t₽ә]{1,160}",
            bank in "[ -ӿ|=₽]{1,45}",
            number in "[ -ӿ|=\\u{2011}]{1,100}",
            account in "[0-9А-Яa-z|=ә]{1,50}",
            kopecks in -100_000_000i64..100_000_000,
        ) {
            let Some(payee) = payee(&name, &bank) else { return Ok(()) };
            let to_pay = Decimal::new(kopecks, 2).to_string();
            // A number with a control character is refused at import (a test of its own).
            let Some(receipt) = receipt(&number, &to_pay) else { return Ok(()) };
            let Ok(code) = receipt.payment_text(&payee, &account) else {
                return Ok(());
            };
            let (header, body) = code.text.split_at(7);
            prop_assert!(header == "ST00011" || header == "ST00012");
            let pairs: Vec<(&str, &str)> = body[1..]
                .split('|')
                .map(|pair| pair.split_once('=').unwrap())
                .collect();
            let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
            let mut expected = vec!["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc",
                                    "PayeeINN", "KPP", "PersAcc", "PaymPeriod"];
            if kopecks > 0 {
                expected.push("Sum");
            }
            expected.push("Purpose");
            prop_assert_eq!(keys, expected);
            for (_, value) in &pairs {
                prop_assert!(!value.contains('=') && !value.chars().any(char::is_control));
            }
            let sum = pairs.iter().find(|(k, _)| *k == "Sum").map(|(_, v)| v.parse::<i64>().unwrap());
            prop_assert_eq!(sum, (kopecks > 0).then_some(kopecks));
            let mandatory = code.text.split("|PayeeINN=").next().unwrap();
            let bytes = match code.encoding {
                payment_qr::Encoding::Windows1251 => encoding_rs::WINDOWS_1251.encode(mandatory).0.len(),
                payment_qr::Encoding::Utf8 => mandatory.len(),
            };
            prop_assert!(bytes <= payment_qr::MANDATORY_BYTES);
        }
    }
}
