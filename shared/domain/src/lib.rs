//! The 1C exchange's domain: what 1C sends, parsed once into types that are valid by
//! construction. No I/O lives here.

pub mod acts;
pub mod auth;
pub mod clock;
pub mod exchanges;
pub mod history;
pub mod json;
pub mod payees;
pub mod payment_qr;
pub mod period;
pub mod personal_data;
pub mod problems;
pub mod records;
pub mod secrets;
pub mod settings;
pub mod submissions;
pub mod tenant;
pub mod values;
pub mod words;

pub use acts::{Act, ActNumber, ActQuery, ActStatus, Party, PartyRole};
pub use auth::{ApiKey, KeyHash, MAX_RESIDENT_KEY_DAYS, RESIDENT_KEY_DAYS, Scope};
pub use clock::Clock;
pub use exchanges::{ExchangeKind, ExchangeOpening};
pub use period::{DateRange, Declared, ExchangePart, Opening, PeriodImport};
pub use personal_data::{PersonalData, TenantPolicy};
pub use problems::{Problem, Problems};
pub use records::{
    Account, Balance, Counter, Directory, MAX_ACCOUNT_NUMBER, MAX_BANK_NAME, MAX_PAYEE_NAME,
    MAX_RECEIPT_TEXT, Organization, Reading, Receipt, ReceiptLine, Record, Reference, Service,
    Transaction, TransactionKind, parse_month,
};
pub use secrets::{Secret, SigningKey};
pub use tenant::Tenant;
pub use values::{Guid, LocalDateTime, Text};
