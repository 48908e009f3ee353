//! DynamoDB storage, by job. [`Dynamo`] is the one implementation of each access pattern's
//! trait; tests run it against DynamoDB Local. Only this crate knows what a key looks like.
//!
//! | module | job |
//! |---|---|
//! | [`client`] | the client and the tables' names, built once per cold start |
//! | [`tables`] | the tables `template.yaml` declares |
//! | `keys` | where each record lives: its table, partition and sort key |
//! | `items` | building and reading items, their size as DynamoDB counts it, their keys' limits |
//! | `batch` | batch writes and reads with retries, conditional transactions, paged Queries |
//! | `partition_bound` | no request puts more than 1,000 writes on one partition |
//! | `records` | writing 1C's directories and figures: plans, id pointers, latest balances |
//! | [`periods`] | a period import's removal, and the period calendar it reads |
//! | `exchanges` | the state of multi-part exchanges |
//! | `directories` | which referenced directory entries were never imported |
//! | `reads` | the read API's questions |
//! | `listing` | a tenant's services, page by page |
//! | [`acts`] | billing acts: rows, writes, reads, page walks |
//! | [`api_keys`] | API keys, stored as their hash |
//! | [`submissions`] | residents' submitted readings, 1C's answers, the office's settings |
//! | [`secrets`] | the deployment's secrets, read at cold start |
//! | `error` | what can go wrong, as [`StoreError`] |
//! | `https` | the TLS client that trusts Amazon's roots only |

pub mod acts;
pub mod api_keys;
mod batch;
pub mod client;
mod directories;
mod error;
mod exchanges;
mod https;
mod items;
pub mod journal;
mod keys;
mod listing;
mod partition_bound;
pub mod periods;
mod reads;
pub mod reconciliation;
mod records;
pub mod secrets;
pub mod settings;
pub mod submissions;
pub mod tables;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod parsed;

pub use acts::{ActCounts, ActPage, ActReader, ActsPlan};
pub use api_keys::{KeyReader, KeyRecord, Verified};
pub use batch::{Backoff, IN_FLIGHT};
pub use client::Dynamo;
pub use directories::DirectoryLookup;
pub use error::StoreError;
pub use exchanges::{ExchangeLog, ExchangeRecord, ExchangeState};
pub use items::MAX_ITEM_BYTES;
pub use journal::{Journal, JournalEntry};
pub use keys::Stored;
pub use partition_bound::MAX_WRITES_PER_PARTITION;
pub use periods::PeriodRemoval;
pub use reads::{Page, Reader};
pub use reconciliation::{Reconciliation, Tally};
pub use records::{Plan, RecordWriter, Stamp, Written};
pub use settings::SettingsStore;
pub use submissions::{Acknowledged, SubmissionContext, SubmissionStore, Submitted};
pub use tables::{Table, Tables};
