//! The service's clock. Tests move it forward to check expiries without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Wall-clock time in Unix seconds, plus an offset that tests can move.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
            + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `seconds` (tests).
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }

    /// Moves the clock forward to `unix_seconds` (tests); a time already past leaves it where it
    /// is, since certificates and sessions only make sense with time going forward.
    pub fn advance_to(&self, unix_seconds: i64) {
        let now = self.now();
        if unix_seconds > now {
            self.advance(unix_seconds - now);
        }
    }

    /// Moves the clock forward to `hour`:00 UTC of `date` (tests).
    pub fn advance_to_day(&self, date: time::Date, hour: u8) {
        self.advance_to(crate::rules::school_year::start_of(date) + i64::from(hour) * 3600);
    }

    /// Today, the UTC day of [`Clock::now`].
    pub fn today(&self) -> time::Date {
        crate::rules::school_year::date_of(self.now())
    }
}

/// RFC 3339 text of a Unix time.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix_seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(3600);
        assert!(clock.now() >= before + 3600);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
