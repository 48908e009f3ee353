//! Billing acts (акты) of the JCat API.
//!
//! - `fields`: the values an act is made of (date, number, status, parties, VAT rate).
//! - `model`: the act the billing side imports, and how 1C's JSON becomes one.
//! - `totals`: the figures computed from it (sums, VAT line, amount in words).
//! - `query`: the act list's filters, sort and paging.

mod fields;
mod model;
mod query;
mod totals;

pub use crate::values::MAX_LINE_AMOUNT;
pub use fields::{ActNumber, ActStatus, Date, Party, PartyRole, VatRate};
pub use model::{Act, MAX_LISTED_TEXT, ServiceLine};
pub use query::{ActFilter, ActQuery, ActSort, Direction};
pub use totals::Totals;
