//! One partition key takes at most 1,000 write units a second in AWS. The keys spread a request
//! over shards so that one of the largest accepted size stays far below that; this bound refuses,
//! before anything is written, the request that would still put more than
//! [`MAX_WRITES_PER_PARTITION`] items on one partition of a table or index (one account's long
//! history, or ids crafted to share a shard), so that no import can outlast API Gateway's 30 s
//! in throttling retries.

use std::collections::HashMap;

use domain::Problem;
use domain::values::Rejection;

use crate::StoreError;

pub const MAX_WRITES_PER_PARTITION: usize = 1_000;

const CROWDED: Rejection = "с этой записи предел в 1000 записей на раздел превышен";

/// Items a request puts on each partition, counted as they are planned.
#[derive(Default)]
pub(crate) struct PartitionLoad {
    writes: HashMap<(&'static str, String), usize>,
    crowded: Vec<Problem>,
}

impl PartitionLoad {
    /// The record at `index` writes an item to partition `pk` of `place` (a table or an index),
    /// which its `field` decides.
    pub(crate) fn add(&mut self, index: usize, place: &'static str, pk: &str, field: &'static str) {
        let writes = self.writes.entry((place, pk.to_owned())).or_default();
        *writes += 1;
        // Reported once per partition: at the first record over the bound.
        if *writes == MAX_WRITES_PER_PARTITION + 1 {
            self.crowded.push(Problem::new(field, CROWDED).at(index));
        }
    }

    pub(crate) fn check(self) -> Result<(), StoreError> {
        if self.crowded.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Crowded(self.crowded))
        }
    }
}
