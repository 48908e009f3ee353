//! The figures 1C sends against its directories: readings, balances and transactions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Directory, ItemParser, Record, Reference};
use crate::json::{Fields, Value};
use crate::problems::Problem;
use crate::values::{Guid, LocalDateTime, Rejection, parse_decimal};

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

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
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

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
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

/// `транзакция`: a movement on an account, signed as the resident's balance moves (the specs'
/// examples: a balance below zero is the resident's debt, a charge is negative, `-2600`, a
/// payment positive). A payment not split by service carries the empty GUID as its service.
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
    /// What the movement is, when 1C says: stored and served back, never inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransactionKind>,
}

/// What a transaction is: a charge (начисление), a payment (оплата), a recalculation
/// (перерасчёт), a penalty (пени), or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionKind {
    Charge,
    Payment,
    Recalculation,
    Penalty,
    Other,
}

impl TransactionKind {
    pub const ALL: [TransactionKind; 5] = [
        TransactionKind::Charge,
        TransactionKind::Payment,
        TransactionKind::Recalculation,
        TransactionKind::Penalty,
        TransactionKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Charge => "charge",
            TransactionKind::Payment => "payment",
            TransactionKind::Recalculation => "recalculation",
            TransactionKind::Penalty => "penalty",
            TransactionKind::Other => "other",
        }
    }

    /// `kind`: one of the five names exactly, or none (absent, null, or blank, as 1C writes
    /// an empty value).
    fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const KIND: Rejection =
            "ожидается \"charge\", \"payment\", \"recalculation\", \"penalty\" или \"other\"";
        match value {
            Value::Missing | Value::Null => Ok(None),
            Value::String(name) if crate::values::trim(name).is_empty() => Ok(None),
            Value::String(name) => Self::ALL
                .into_iter()
                .find(|k| k.as_str() == name.as_ref())
                .map(Some)
                .ok_or(KIND),
            _ => Err(KIND),
        }
    }
}

impl Record for Transaction {
    const COLLECTION: &'static str = "transactions";
    const KIND: &'static str = "transactions";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
        let mut p = ItemParser::new(item);
        let account = p.required("account", Guid::parse);
        let date = p.required("date", LocalDateTime::parse);
        let amount = p.required("amount", parse_decimal);
        let service = p.optional("service", Guid::parse);
        let id = p.optional("id", Guid::parse);
        let kind = p.optional("kind", TransactionKind::parse);
        p.finish(|| {
            Some(Self {
                account: account?,
                date: date?,
                amount: amount?,
                service,
                id,
                kind,
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
