//! The handlers: each takes the app and the request and returns [`crate::Handled`]'s result,
//! the response or an [`crate::ApiError`] that `Endpoint::handle` turns into one. They speak in
//! tenants, accounts, periods and cursors; the store knows the keys.

pub(crate) mod account;
pub mod act_page;
mod act_view;
pub(crate) mod acts;
pub mod import;
pub(crate) mod keys;
pub mod print_link;
pub(crate) mod reads;
pub(crate) mod settings;
pub(crate) mod submissions;
