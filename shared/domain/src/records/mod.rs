//! What 1C imports, each parsed whole from one item of its import body: the [`Record`] trait
//! and the references between records here, the directories (services, accounts, meters, and
//! the payees of receipts), the figures (readings, balances, transactions) and the receipts
//! beside, and the parser that collects every problem of an item.

mod directories;
mod figures;
mod organizations;
pub(crate) mod parser;
mod receipts;

use serde::Serialize;

pub use directories::{Account, Counter, Service};
pub use figures::{Balance, Reading, Transaction, TransactionKind};
pub use organizations::{MAX_BANK_NAME, MAX_PAYEE_NAME, Organization};
pub(crate) use parser::ItemParser;
pub use receipts::{
    MAX_ACCOUNT_NUMBER, MAX_LINES, MAX_RECEIPT_TEXT, Receipt, ReceiptLine, parse_month,
};

use crate::TenantPolicy;
use crate::json::Fields;
use crate::problems::Problem;
use crate::values::{Guid, LocalDateTime, Rejection};

pub(crate) fn is_false(flag: &bool) -> bool {
    !flag
}

/// A directory entry that another record points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Directory {
    Service,
    Account,
    Counter,
    Organization,
}

impl Directory {
    /// "услуга … не найдена" reads naturally in Russian; so do the others.
    pub fn not_found(self) -> Rejection {
        match self {
            Directory::Service => "услуга с таким идентификатором не загружена",
            Directory::Account => "лицевой счёт с таким идентификатором не загружен",
            Directory::Counter => "счётчик с таким идентификатором не загружен",
            Directory::Organization => {
                "организация-получатель платежей с таким идентификатором не загружена"
            }
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
    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>>;

    /// The directory entries this record points at.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// Applies the deployment's personal-data policy to whatever personal data the record has.
    fn protect(&mut self, _policy: &TenantPolicy) {}

    /// The date that places the record in a period (readings, balances, transactions); `None`
    /// for directory entries, which have none.
    fn dated(&self) -> Option<LocalDateTime> {
        None
    }
}

#[cfg(test)]
mod tests;
