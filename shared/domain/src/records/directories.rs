//! The directories 1C keeps: services, personal accounts and meters.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Directory, ItemParser, Record, Reference, is_false};
use crate::TenantPolicy;
use crate::json::Fields;
use crate::problems::Problem;
use crate::values::{Guid, LocalDateTime, Text, parse_decimal, parse_flag, parse_share};

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

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
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

    fn protect(&mut self, policy: &TenantPolicy) {
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

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
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

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
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
