//! Billing acts in DynamoDB. One table, keyed by tenant:
//!
//! | item          | sk                         | what for                                    |
//! |---------------|----------------------------|---------------------------------------------|
//! | act           | `act#<number, 20 digits>`  | act_info: one GetItem                        |
//! | payer         | `payer#<id>#<slot>`        | the payers filter: one Query                 |
//! | recipient     | `recipient#<id>#<slot>`    | the recipients filter: one Query             |
//! | counts        | `counts#<slot>`            | the unfiltered and per-status totals         |
//!
//! An act with 1C's document (`document`) refuses its number to another document while it is
//! stored and not deleted; a deleted act (`deleted`) keeps its item but no sort key, so it is
//! in no index, and leaves the counts and parties.
//!
//! Ids take 20 digits. An import's transactions run side by side, each on one of 16 slots, so
//! they never update the same counts or party item; reads sum the slots.
//!
//! Each act also carries one sort key per list order (`by_created`, `by_number`, `by_count`,
//! `by_amount`), each the range key of a global secondary index whose entries hold only the keys
//! and the filtered attributes (a few dozen bytes). A page walks such an index to its offset and
//! then reads just its own acts with one BatchGetItem: a deep page skips index entries, never
//! whole acts.
//!
//! - `rows`: what an act, a party and the counts are stored as, and their keys.
//! - `documents`: which act of a request a number is written with, by 1C's documents.
//! - `write`: how an import writes acts, with their counts and parties, in transactions.
//! - `read`: one act, the parties, the counts.
//! - `page`: how a page of the list is read.

mod documents;
mod page;
mod read;
pub(crate) mod rows;
mod write;

pub use write::ActsPlan;

use domain::{Act, ActNumber, ActQuery, ActStatus, Party, PartyRole, Tenant};

use crate::StoreError;

/// The tenant's act totals, kept exact on import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActCounts {
    pub total: u64,
    pub sended: u64,
    pub not_sended: u64,
}

impl ActCounts {
    pub fn of(&self, status: Option<ActStatus>) -> u64 {
        match status {
            None => self.total,
            Some(ActStatus::Sended) => self.sended,
            Some(ActStatus::NotSended) => self.not_sended,
        }
    }
}

/// A page of the act list, with what it cost to read.
#[derive(Debug, Clone)]
pub struct ActPage {
    pub acts: Vec<Act>,
    pub total: u64,
    /// Index entries evaluated (DynamoDB's ScannedCount) while walking to the page.
    pub index_entries_read: usize,
    /// Whole acts read.
    pub acts_read: usize,
}

/// The act queries of the JCat API.
pub trait ActReader {
    fn act(
        &self,
        tenant: &Tenant,
        number: ActNumber,
    ) -> impl Future<Output = Result<Option<Act>, StoreError>> + Send;

    fn act_page(
        &self,
        tenant: &Tenant,
        query: &ActQuery,
    ) -> impl Future<Output = Result<ActPage, StoreError>> + Send;

    /// The payers or recipients that at least one of the tenant's acts names.
    fn parties(
        &self,
        tenant: &Tenant,
        role: PartyRole,
    ) -> impl Future<Output = Result<Vec<Party>, StoreError>> + Send;
}
