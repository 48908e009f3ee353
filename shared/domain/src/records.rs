//! The six things 1C imports, each parsed whole from one item of its import body.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::auth::PersonalData;
use crate::json::{Fields, Value};
use crate::values::{Guid, LocalDateTime, Rejection, Text, parse_decimal, parse_flag, parse_share};

fn is_false(flag: &bool) -> bool {
    !flag
}

/// A rejected field of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `None` when the item as a whole is wrong (not an object); nested fields are written
    /// `services[2].amount`.
    pub field: Option<Cow<'static, str>>,
    pub message: Rejection,
}

/// A directory entry that another record points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Directory {
    Service,
    Account,
    Counter,
}

impl Directory {
    /// "услуга … не найдена" reads naturally in Russian; so do the others.
    pub fn not_found(self) -> Rejection {
        match self {
            Directory::Service => "услуга с таким идентификатором не загружена",
            Directory::Account => "лицевой счёт с таким идентификатором не загружен",
            Directory::Counter => "счётчик с таким идентификатором не загружен",
        }
    }
}

/// A reference from a record's field to a directory entry, which must already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    pub field: &'static str,
    pub directory: Directory,
    pub id: Guid,
}

/// Something 1C imports: one item of `{"<COLLECTION>": [...]}`.
pub trait Record: Sized + Serialize + Send + Sync + 'static {
    /// The body's top-level key.
    const COLLECTION: &'static str;

    /// The import endpoint's name in logs and metrics.
    const KIND: &'static str;

    /// Parses one item, reporting every bad field at once.
    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>>;

    /// The directory entries this record points at.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// Applies the deployment's personal-data policy to whatever personal data the record has.
    fn protect(&mut self, _policy: &PersonalData) {}

    /// The date that places the record in a period (readings, balances, transactions); `None`
    /// for directory entries, which have none.
    fn dated(&self) -> Option<LocalDateTime> {
        None
    }
}

/// Parses the fields of one item, collecting every rejection instead of stopping at the first.
pub(crate) struct ItemParser<'i, 'a> {
    item: &'i Fields<'a>,
    pub(crate) errors: Vec<FieldError>,
}

impl<'i, 'a> ItemParser<'i, 'a> {
    pub(crate) fn new(item: &'i Fields<'a>) -> Self {
        Self {
            item,
            errors: Vec::new(),
        }
    }

    pub(crate) fn optional<T>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&Value<'a>) -> Result<Option<T>, Rejection>,
    ) -> Option<T> {
        match parse(&self.item.get(field)) {
            Ok(v) => v,
            Err(message) => {
                self.errors.push(FieldError {
                    field: Some(field.into()),
                    message,
                });
                None
            }
        }
    }

    /// `None` means an error was recorded; [`ItemParser::finish`] then returns it.
    pub(crate) fn required<T>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&Value<'a>) -> Result<Option<T>, Rejection>,
    ) -> Option<T> {
        match parse(&self.item.get(field)) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.errors.push(FieldError {
                    field: Some(field.into()),
                    message: "обязательное поле не заполнено",
                });
                None
            }
            Err(message) => {
                self.errors.push(FieldError {
                    field: Some(field.into()),
                    message,
                });
                None
            }
        }
    }

    /// `build` runs only when no field was rejected, so every required value is `Some` then.
    pub(crate) fn finish<R>(self, build: impl FnOnce() -> Option<R>) -> Result<R, Vec<FieldError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(build().expect("every required field parsed without error"))
    }
}

/// `услуга`: a line of the bill (membership fee, cold water, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: Guid,
    pub organization: Option<Text>,
    pub short_name: Option<Text>,
    pub full_name: Option<Text>,
    /// Deleted in 1C: no read serves it, and new data may not refer to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl Record for Service {
    const COLLECTION: &'static str = "services";
    const KIND: &'static str = "services";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let id = p.required("id", Guid::parse);
        let organization = p.optional("organization", Text::parse);
        let short_name = p.optional("short_name", Text::parse);
        let full_name = p.optional("full_name", Text::parse);
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        p.finish(|| {
            Some(Self {
                id: id?,
                organization,
                short_name,
                full_name,
                deleted,
            })
        })
    }
}

/// `лицевой счёт`: a resident's personal account. `address`, `full_name`, `cadastral`, `phone`
/// and `email` are personal data: they never reach logs or error messages.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Guid,
    /// The account number people see on the bill (`М30400НЖ003`).
    pub name: Text,
    pub address: Option<Text>,
    pub full_name: Option<Text>,
    /// Percent of the property owned.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub ownership: Option<Decimal>,
    /// Square metres.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub square: Option<Decimal>,
    pub cadastral: Option<Text>,
    pub phone: Option<Text>,
    pub email: Option<Text>,
    /// Deleted in 1C: no read serves it, and new data may not refer to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

/// Only what is safe to log.
impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Record for Account {
    const COLLECTION: &'static str = "accounts";
    const KIND: &'static str = "accounts";

    fn protect(&mut self, policy: &PersonalData) {
        for value in [
            &mut self.address,
            &mut self.full_name,
            &mut self.cadastral,
            &mut self.phone,
            &mut self.email,
        ] {
            policy.protect(value);
        }
    }

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let id = p.required("id", Guid::parse);
        let name = p.required("name", Text::parse);
        let address = p.optional("address", Text::parse);
        let full_name = p.optional("full_name", Text::parse);
        let ownership = p.optional("ownership", parse_share);
        let square = p.optional("square", parse_decimal);
        let cadastral = p.optional("cadastral", Text::parse);
        let phone = p.optional("phone", Text::parse);
        let email = p.optional("email", Text::parse);
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        p.finish(|| {
            Some(Self {
                id: id?,
                name: name?,
                address,
                full_name,
                ownership,
                square,
                cadastral,
                phone,
                email,
                deleted,
            })
        })
    }
}

/// `счётчик`: a meter. A common-property meter has no account; the empty GUID says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub id: Guid,
    pub name: Option<Text>,
    /// `ХВС`, `ГВС`, `Электроэнергия`, … as the office names them.
    #[serde(rename = "type")]
    pub kind: Option<Text>,
    pub account: Option<Guid>,
    pub service: Option<Guid>,
    pub date_installation: Option<LocalDateTime>,
    pub date_removal: Option<LocalDateTime>,
    pub date_verification: Option<LocalDateTime>,
    /// Deleted in 1C: no read serves it, and new readings may not refer to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl Record for Counter {
    const COLLECTION: &'static str = "counters";
    const KIND: &'static str = "counters";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let id = p.required("id", Guid::parse);
        let name = p.optional("name", Text::parse);
        let kind = p.optional("type", Text::parse);
        let account = p.optional("account", Guid::parse);
        let service = p.optional("service", Guid::parse);
        let date_installation = p.optional("date_installation", LocalDateTime::parse);
        let date_removal = p.optional("date_removal", LocalDateTime::parse);
        let date_verification = p.optional("date_verification", LocalDateTime::parse);
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        p.finish(|| {
            Some(Self {
                id: id?,
                name,
                kind,
                account,
                service,
                date_installation,
                date_removal,
                date_verification,
                deleted,
            })
        })
    }

    fn references(&self) -> Vec<Reference> {
        let account = self.account.map(|id| Reference {
            field: "account",
            directory: Directory::Account,
            id,
        });
        let service = self.service.map(|id| Reference {
            field: "service",
            directory: Directory::Service,
            id,
        });
        account.into_iter().chain(service).collect()
    }
}

/// `показание`: a meter reading for up to three tariff zones (day, night, peak).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub counter: Guid,
    pub date: LocalDateTime,
    #[serde(with = "rust_decimal::serde::str")]
    pub current_data1: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub current_data2: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub current_data3: Option<Decimal>,
}

impl Record for Reading {
    /// The spec's reading import reuses the key `counters`.
    const COLLECTION: &'static str = "counters";
    const KIND: &'static str = "readings";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let counter = p.required("counter", Guid::parse);
        let date = p.required("date", LocalDateTime::parse);
        let current_data1 = p.required("current_data1", parse_decimal);
        let current_data2 = p.optional("current_data2", parse_decimal);
        let current_data3 = p.optional("current_data3", parse_decimal);
        p.finish(|| {
            Some(Self {
                counter: counter?,
                date: date?,
                current_data1: current_data1?,
                current_data2,
                current_data3,
            })
        })
    }

    fn references(&self) -> Vec<Reference> {
        vec![Reference {
            field: "counter",
            directory: Directory::Counter,
            id: self.counter,
        }]
    }

    fn dated(&self) -> Option<LocalDateTime> {
        Some(self.date)
    }
}

/// `сальдо`: what an account owes (+) or has prepaid (−) for a service at a date. A balance of
/// the whole account (1C keeps one when services are not split) carries the empty GUID as its
/// service, as transactions do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub account: Guid,
    pub service: Option<Guid>,
    pub date: LocalDateTime,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

impl Record for Balance {
    const COLLECTION: &'static str = "balances";
    const KIND: &'static str = "balances";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let account = p.required("account", Guid::parse);
        let service = p.optional("service", Guid::parse);
        let date = p.required("date", LocalDateTime::parse);
        let amount = p.required("amount", parse_decimal);
        p.finish(|| {
            Some(Self {
                account: account?,
                service,
                date: date?,
                amount: amount?,
            })
        })
    }

    fn references(&self) -> Vec<Reference> {
        account_and_service(self.account, self.service)
    }

    fn dated(&self) -> Option<LocalDateTime> {
        Some(self.date)
    }
}

/// `транзакция`: a charge (+) or a payment (−) on an account. A payment not split by service
/// carries the empty GUID as its service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub account: Guid,
    pub date: LocalDateTime,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub service: Option<Guid>,
    /// 1C's reference of the document or register record, when sent: the transaction's
    /// identity. Without it, the transaction is identified by its content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Guid>,
}

impl Record for Transaction {
    const COLLECTION: &'static str = "transactions";
    const KIND: &'static str = "transactions";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut p = ItemParser::new(item);
        let account = p.required("account", Guid::parse);
        let date = p.required("date", LocalDateTime::parse);
        let amount = p.required("amount", parse_decimal);
        let service = p.optional("service", Guid::parse);
        let id = p.optional("id", Guid::parse);
        p.finish(|| {
            Some(Self {
                account: account?,
                date: date?,
                amount: amount?,
                service,
                id,
            })
        })
    }

    fn references(&self) -> Vec<Reference> {
        account_and_service(self.account, self.service)
    }

    fn dated(&self) -> Option<LocalDateTime> {
        Some(self.date)
    }
}

fn account_and_service(account: Guid, service: Option<Guid>) -> Vec<Reference> {
    let account = Reference {
        field: "account",
        directory: Directory::Account,
        id: account,
    };
    let service = service.map(|id| Reference {
        field: "service",
        directory: Directory::Service,
        id,
    });
    std::iter::once(account).chain(service).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{collection, normalise};
    use rust_decimal_macros::dec;

    fn parse_all<R: Record>(body: &str) -> Vec<Result<R, Vec<FieldError>>> {
        let body = normalise(body);
        collection(&body, R::COLLECTION)
            .unwrap()
            .into_iter()
            .map(|raw| R::parse(&Fields::parse(raw).unwrap()))
            .collect()
    }

    fn parse_one<R: Record>(item: &str) -> Result<R, Vec<FieldError>> {
        let body = format!("{{\"{}\": [{item}]}}", R::COLLECTION);
        parse_all::<R>(&body).remove(0)
    }

    fn guid(s: &str) -> Guid {
        s.parse().unwrap()
    }

    #[test]
    fn account_from_spec_example_with_stray_spaces() {
        let a: Account = parse_one(
            r#"{"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "М30400НЖ003 ",
                "address": "ул. Молодежная, д. 3, пом. 003", "full_name": "Смирнова Юлия Валерьевна",
                "ownership": "50", "square": "56.7", "cadastral": "47:14:1203001:814",
                "phone": "+79332211223", "email ": "user@mail.ru"}"#,
        )
        .unwrap();
        assert_eq!(a.name.as_str(), "М30400НЖ003");
        assert_eq!(a.ownership, Some(dec!(50)));
        assert_eq!(a.square, Some(dec!(56.7)));
        assert_eq!(a.email.unwrap().as_str(), "user@mail.ru");
    }

    #[test]
    fn account_debug_hides_personal_data() {
        let a: Account = parse_one(
            r#"{"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1", "full_name": "Смирнова", "phone": "+7933"}"#,
        )
        .unwrap();
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("Смирнова") && !shown.contains("+7933"),
            "{shown}"
        );
    }

    #[test]
    fn counter_with_empty_dates_and_references() {
        let c: Counter = parse_one(
            r#"{"id": "67d00473-13c2-11e4-9dce-94de80eb2300", "name": "Название счетчика", "type": "ХВС",
                "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "service": "00000000-0000-0000-0000-000000000000",
                "date_installation": "2014-03-31T00:00:00", "date_removal": "0001-01-01T00:00:00",
                "date_verification ": ""}"#,
        )
        .unwrap();
        assert_eq!(
            c.date_installation.unwrap().to_string(),
            "2014-03-31T00:00:00"
        );
        assert_eq!(c.date_removal, None);
        assert_eq!(c.date_verification, None);
        assert_eq!(c.service, None);
        assert_eq!(
            c.references(),
            vec![Reference {
                field: "account",
                directory: Directory::Account,
                id: guid("358d67ad-d66e-11e3-bd79-94de80e97e9a")
            }]
        );
    }

    #[test]
    fn reading_from_spec_example_verbatim() {
        let body = "{ \n\"counters\": [ \n{ \n\n\"date\":\"2018-12-05T15:14:46\", \n\
            \"counter\":\" a7a747b2-24d8-11e7-ae76-0050569f0c67\", \n\"current_data1\":33, \n\
            \"current_data2\":10,  \n\"current_data3\":30, \n\n} \n] \n\n}";
        let r: Reading = parse_all(body).remove(0).unwrap();
        assert_eq!(
            r.counter.to_string(),
            "a7a747b2-24d8-11e7-ae76-0050569f0c67"
        );
        assert_eq!(r.date.to_string(), "2018-12-05T15:14:46");
        assert_eq!(
            (r.current_data1, r.current_data2, r.current_data3),
            (dec!(33), Some(dec!(10)), Some(dec!(30)))
        );
    }

    #[test]
    fn every_bad_field_of_an_item_is_reported() {
        let errors =
            parse_one::<Balance>(r#"{"service": "nope", "date": "2020-25-12"}"#).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, ["account", "service", "date", "amount"]);
        assert_eq!(errors[0].message, "обязательное поле не заполнено");
    }

    #[test]
    fn a_balance_of_the_whole_account_has_the_empty_service() {
        for service in ["\"00000000-0000-0000-0000-000000000000\"", "\"\"", "null"] {
            let b: Balance = parse_one(&format!(
                r#"{{"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "service": {service},
                    "date": "2018-12-01T00:00:00", "amount": -100}}"#
            ))
            .unwrap();
            assert_eq!(b.service, None, "{service}");
            assert_eq!(b.references().len(), 1);
        }
    }

    #[test]
    fn transaction_without_service_is_a_payment() {
        let t: Transaction = parse_one(
            r#"{"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "date": "2018-12-01T00:00:00",
                "amount": "-2 600,00", "service": "00000000-0000-0000-0000-000000000000"}"#,
        )
        .unwrap();
        assert_eq!(t.amount, dec!(-2600.00));
        assert_eq!(t.service, None);
        assert_eq!(t.references().len(), 1);
    }

    #[test]
    fn records_round_trip_through_serde() {
        let b: Balance = parse_one(
            r#"{"account":"ad96e8ab-476f-11e7-8518-0050569f0c67","service":"b712502b-005f-11e4-8679-d43d7e9efaeb",
                "date":"2018-06-30T23:59:59","amount":-20394.86}"#,
        )
        .unwrap();
        let json = serde_json::to_value(&b).unwrap();
        assert_eq!(json["amount"], "-20394.86");
        assert_eq!(json["date"], "2018-06-30T23:59:59");
        let back: Balance = serde_json::from_value(json).unwrap();
        assert_eq!(back, b);
    }
}
