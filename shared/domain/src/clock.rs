//! Where "now" comes from. Functions read the system's clock; tests hold a clock they move by
//! hand, so that what depends on time (which writes a period import may remove) is decided by
//! the test, not by how fast the machine is.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// The system's clock, or a test's hand-moved one; cheap to clone (clones share the hand).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system's clock: what every deployed function uses.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that shows `at` until it is moved with [`Clock::advance`].
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now(),
        }
    }

    /// Sets a manual clock (and its clones) to `at`, as a test of a time of day needs; the
    /// system's clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(now) = &self.manual {
            *now.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    /// Moves a manual clock (and its clones) forward; the system's clock cannot be moved and
    /// ignores it.
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.manual {
            let mut at = at.lock().unwrap_or_else(|e| e.into_inner());
            *at += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_by_hand_and_its_clones_with_it() {
        let start = DateTime::from_timestamp(1_543_622_400, 0).unwrap();
        let clock = Clock::manual(start);
        let clone = clock.clone();
        assert_eq!(clock.now(), start);
        clone.advance(Duration::seconds(61));
        assert_eq!(clock.now(), start + Duration::seconds(61));
        let system = Clock::system();
        let before = Utc::now();
        system.advance(Duration::days(1));
        assert!(system.now() < before + Duration::hours(1));
    }
}
