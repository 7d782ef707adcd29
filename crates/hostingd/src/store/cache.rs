//! What this process read from the database a moment ago, kept for at most a second so that a
//! burst of requests from one console reads the database once: the sessions of logged-in
//! requests, and each account's schedules.
//!
//! Every entry carries the count of commits it was read after, and the count moves:
//! * when a write transaction of this process commits;
//! * on PostgreSQL, when another instance's write transaction commits: each one sends `NOTIFY
//!   hostingd_commits`, which every instance listens to (and while its listener is down, the
//!   caches are not used);
//! * when this process changes a row outside a write transaction.
//!
//! So a logout, a revocation or a change made through any instance counts at once on every
//! instance sharing a PostgreSQL database (as fast as the notification travels), and one made by
//! an operator command on a SQLite database within the TTL.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most entries kept per cache; beyond, the stale ones go, then all.
const MAX_ENTRIES: usize = 10_000;

/// The count of commits that the caches of one store follow.
#[derive(Debug, Default)]
pub(crate) struct Commits {
    count: AtomicU64,
    /// False while a PostgreSQL store cannot hear the other instances' commits.
    listening: AtomicBool,
}

impl Commits {
    /// A count that can be trusted from the start (SQLite: one instance) or not until its
    /// listener runs (PostgreSQL).
    pub(crate) fn new(listening: bool) -> Arc<Commits> {
        Arc::new(Commits {
            count: AtomicU64::new(0),
            listening: AtomicBool::new(listening),
        })
    }

    /// Counts a commit (or any change the caches must not hide).
    pub(crate) fn moved(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether the other instances' commits are heard.
    pub(crate) fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::SeqCst);
        self.moved();
    }

    /// Whether the other instances' commits are heard.
    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    fn now(&self) -> Option<u64> {
        self.listening
            .load(Ordering::SeqCst)
            .then(|| self.count.load(Ordering::SeqCst))
    }
}

struct Entry<V> {
    read_at: Instant,
    commits: u64,
    value: V,
}

/// Values read from the database, by key.
pub(crate) struct Cache<K, V> {
    ttl: Duration,
    commits: Arc<Commits>,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

/// What [`Cache::before_read`] returns, to give back to [`Cache::put`].
#[derive(Clone, Copy)]
pub(crate) struct ReadStart(Option<u64>);

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    pub(crate) fn new(ttl: Duration, commits: Arc<Commits>) -> Cache<K, V> {
        Cache {
            ttl,
            commits,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// To call before reading a value that will be [`Cache::put`].
    pub(crate) fn before_read(&self) -> ReadStart {
        ReadStart(self.commits.now())
    }

    /// The value of `key`, if read less than the TTL ago and no commit since.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let commits = self.commits.now()?;
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|entry| entry.commits == commits && entry.read_at.elapsed() < self.ttl)
            .map(|entry| entry.value.clone())
    }

    /// Keeps `value`, read since `start`, unless a commit came in between.
    pub(crate) fn put(&self, key: K, start: ReadStart, value: &V) {
        let (Some(read_after), Some(now)) = (start.0, self.commits.now()) else {
            return;
        };
        if read_after != now {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, entry| entry.commits == now && entry.read_at.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                read_at: Instant::now(),
                commits: read_after,
                value: value.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_or_the_ttl_ends_an_entry_and_a_read_across_a_commit_is_not_kept() {
        let commits = Commits::new(true);
        let cache: Cache<i64, &str> = Cache::new(Duration::from_millis(200), commits.clone());
        let start = cache.before_read();
        cache.put(1, start, &"one");
        assert_eq!(cache.get(&1), Some("one"));
        commits.moved();
        assert_eq!(cache.get(&1), None);

        let start = cache.before_read();
        commits.moved();
        cache.put(2, start, &"read before the commit");
        assert_eq!(cache.get(&2), None);

        let start = cache.before_read();
        cache.put(3, start, &"three");
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(cache.get(&3), None);
    }

    #[test]
    fn nothing_is_used_while_the_other_instances_are_not_heard() {
        let commits = Commits::new(false);
        let cache: Cache<i64, &str> = Cache::new(Duration::from_secs(60), commits.clone());
        let start = cache.before_read();
        cache.put(1, start, &"one");
        assert_eq!(cache.get(&1), None);
        commits.set_listening(true);
        let start = cache.before_read();
        cache.put(1, start, &"one");
        assert_eq!(cache.get(&1), Some("one"));
        commits.set_listening(false);
        assert_eq!(cache.get(&1), None);
    }
}
