//! The last failures of the calls to the service, newest first, for the diagnostics that the
//! Assistance panel copies (sentences and codes: a failure never holds a secret).

use crate::model::Failure;

/// How many failures the diagnostics keep.
const RECENT_FAILURES: usize = 20;

/// The last failures, with when they happened.
#[derive(Debug, Default)]
pub struct RecentFailures {
    kept: std::sync::Mutex<std::collections::VecDeque<(String, Failure)>>,
}

impl RecentFailures {
    /// Keeps `failure`, now, dropping the oldest beyond the bound.
    pub fn push(&self, failure: Failure) {
        self.push_at(now_utc_text(), failure);
    }

    /// Keeps `failure`, at `when` (UTC), dropping the oldest beyond the bound.
    fn push_at(&self, when: String, failure: Failure) {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.push_front((when, failure));
        kept.truncate(RECENT_FAILURES);
    }

    /// The failures kept, newest first, with when they happened.
    pub fn list(&self) -> Vec<(String, Failure)> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// Now in UTC, to the second.
fn now_utc_text() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use hosting_api::ErrorCode;

    #[test]
    fn failures_are_kept_newest_first_and_bounded() {
        let recent = RecentFailures::default();
        for n in 0..25 {
            recent.push_at(
                format!("t{n}"),
                Failure::new(ErrorCode::Unreachable, format!("failure {n}")),
            );
        }
        let list = recent.list();
        assert_eq!(list.len(), RECENT_FAILURES);
        assert_eq!(list[0].0, "t24");
        assert_eq!(list[0].1.message, "failure 24");
        assert_eq!(list.last().unwrap().1.message, "failure 5");
    }
}
