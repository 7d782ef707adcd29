//! The sessions that logged-in requests just checked, kept for at most a second so that a burst
//! of requests from one console reads the database once. Every write transaction committed
//! through this process empties it (its entries carry the count of commits they were read
//! after), so a logout, a revocation or a change of rights made through this instance counts at
//! once; one made through another instance or an operator command counts within the TTL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::SessionWithWorkstation;

/// Most sessions kept; beyond, the stale ones go, then all.
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    read_at: Instant,
    commits: u64,
    value: SessionWithWorkstation,
}

/// The cache, keyed by token hash.
pub(crate) struct AuthCache {
    ttl: Duration,
    commits: Arc<AtomicU64>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl AuthCache {
    pub(crate) fn new(ttl: Duration) -> AuthCache {
        AuthCache {
            ttl,
            commits: Arc::new(AtomicU64::new(0)),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The count of commits, which each write transaction moves when it commits.
    pub(crate) fn commits(&self) -> Arc<AtomicU64> {
        self.commits.clone()
    }

    /// What to pass to [`AuthCache::put`] with a value read from now on.
    pub(crate) fn before_read(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// The session of `token_hash`, if read less than the TTL ago and no commit since.
    pub(crate) fn get(&self, token_hash: &str) -> Option<SessionWithWorkstation> {
        let commits = self.commits.load(Ordering::SeqCst);
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(token_hash)
            .filter(|entry| entry.commits == commits && entry.read_at.elapsed() < self.ttl)
            .map(|entry| entry.value.clone())
    }

    /// Keeps `value`, read after `commits` commits (from [`AuthCache::before_read`]), unless a
    /// commit came since.
    pub(crate) fn put(&self, token_hash: &str, commits: u64, value: &SessionWithWorkstation) {
        if self.commits.load(Ordering::SeqCst) != commits {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            let current = self.commits.load(Ordering::SeqCst);
            entries
                .retain(|_, entry| entry.commits == current && entry.read_at.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            token_hash.to_string(),
            Entry {
                read_at: Instant::now(),
                commits,
                value: value.clone(),
            },
        );
    }

    /// Forgets everything (a change made outside a write transaction).
    pub(crate) fn invalidate(&self) {
        self.commits.fetch_add(1, Ordering::SeqCst);
    }
}
