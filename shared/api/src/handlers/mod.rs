//! The handlers: each takes the app, the request and its own endpoint (from
//! `Endpoint::route`: the access it checks and the name its cursors are sealed with) and
//! returns [`crate::Handled`]'s result, the response or an [`crate::ApiError`] that
//! `Endpoint::handle` turns into one. They speak in
//! tenants, accounts, periods and cursors; the store knows the keys.

pub(crate) mod account;
pub mod act_page;
mod act_view;
pub(crate) mod acts;
pub(crate) mod exchanges;
pub mod import;
pub(crate) mod journal;
pub(crate) mod keys;
pub(crate) mod periods;
pub mod print_link;
pub(crate) mod reads;
pub(crate) mod receipt_page;
pub(crate) mod receipts;
pub(crate) mod reconciliation;
pub(crate) mod settings;
pub(crate) mod submissions;
