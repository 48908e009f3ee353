//! How often a resident's key may submit: a key taken off a phone must not flood 1C's export.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A key bound to an account submits at most this many readings in any hour.
pub const SUBMISSIONS_PER_HOUR: usize = 30;

const HOUR: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// When a key's latest submissions were stored (at most [`SUBMISSIONS_PER_HOUR`], oldest
/// first): a sliding hour, exact, in one small item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    pub at: Vec<DateTime<Utc>>,
}

/// The hour is full: the next submission is taken after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Recent {
    /// What the key's record becomes with one more submission at `now`, or how long until
    /// one is taken. Instants an hour old or older are forgotten; later ones (another request
    /// of the key, whose clock read a moment after this one's) count.
    pub fn admit(&self, now: DateTime<Utc>) -> Result<Recent, Limited> {
        let mut at: Vec<DateTime<Utc>> = self
            .at
            .iter()
            .copied()
            .filter(|t| *t > now - HOUR)
            .collect();
        at.sort_unstable();
        if at.len() >= SUBMISSIONS_PER_HOUR {
            // The hour's oldest leaves it first: whole seconds, at least one.
            let wait = (at[at.len() - SUBMISSIONS_PER_HOUR] + HOUR - now).num_milliseconds();
            let seconds = u64::try_from(wait.max(1)).unwrap_or(1).div_ceil(1000);
            return Err(Limited {
                retry_after: Duration::from_secs(seconds),
            });
        }
        at.push(now);
        Ok(Recent { at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_thirty_first_in_an_hour_waits_for_the_first_to_leave_it() {
        let mut recent = Recent::default();
        for i in 0..30 {
            recent = recent.admit(at(i * 60)).expect("thirty in an hour");
        }
        let limited = recent.admit(at(30 * 60)).unwrap_err();
        assert_eq!(limited.retry_after, Duration::from_secs(30 * 60));
        // Positive control: an hour after the first, one more is taken.
        assert!(recent.admit(at(3600)).is_ok());
    }

    proptest! {
        /// Whatever the times of the attempts, no hour holds more than thirty taken ones, and
        /// an attempt is refused only when the hour before it holds thirty.
        #[test]
        fn no_hour_holds_more_than_thirty(gaps in proptest::collection::vec(0i64..400, 1..200)) {
            let mut recent = Recent::default();
            let mut taken: Vec<i64> = Vec::new();
            let mut now = 0;
            for gap in gaps {
                now += gap;
                let in_hour = taken.iter().filter(|t| **t > now - 3600).count();
                match recent.admit(at(now)) {
                    Ok(next) => {
                        prop_assert!(in_hour < SUBMISSIONS_PER_HOUR);
                        recent = next;
                        taken.push(now);
                    }
                    Err(limited) => {
                        prop_assert_eq!(in_hour, SUBMISSIONS_PER_HOUR);
                        let oldest = taken[taken.len() - SUBMISSIONS_PER_HOUR];
                        prop_assert_eq!(limited.retry_after.as_secs() as i64, oldest + 3600 - now);
                    }
                }
                prop_assert!(recent.at.len() <= SUBMISSIONS_PER_HOUR);
            }
        }

        /// Requests whose clocks were read in any order (each retried after the others
        /// stored): never more than thirty in an hour.
        #[test]
        fn clocks_read_out_of_order_never_pass_thirty(
            offsets in proptest::collection::vec(0i64..120, 1..80)
        ) {
            let mut recent = Recent::default();
            let mut taken = 0;
            for offset in offsets {
                if let Ok(next) = recent.admit(at(offset)) {
                    recent = next;
                    taken += 1;
                }
            }
            prop_assert!(taken <= SUBMISSIONS_PER_HOUR);
        }
    }
}
