//! Billing acts (акты) of the JCat API.
//!
//! - `model`: the act the billing side imports, and how 1C's JSON becomes one.
//! - `printed`: the figures printed on it (sums, VAT line, amount in words).
//! - `query`: the act list's filters, sort and paging.

mod model;
mod printed;
mod query;

pub use model::{
    Act, ActNumber, ActStatus, Date, MAX_LINE_AMOUNT, Party, PartyRole, ServiceLine, VatRate,
};
pub use printed::Totals;
pub use query::{ActFilter, ActQuery, ActSort, Direction};
