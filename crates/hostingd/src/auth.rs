//! Credentials: argon2id password hashes (a bounded number at once), session tokens, generated
//! numbers and passwords, and the lock-out after repeated failures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::fault::{Fault, FaultResult};
use crate::limits::SourceAddr;
use crate::store::AttemptKey;

/// Failed (or in-flight) attempts on one principal that lock it.
pub const MAX_FAILURES: i64 = 5;
/// Failed (or in-flight) attempts from one source address that lock it (enrollments and logins
/// counted apart): several people of a school behind one address may mistype, an attacker
/// trying many hosting numbers from one address is stopped.
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// The window in which failures count, and the lock-out duration, in seconds.
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;
/// A session ends after this much idle time.
pub const SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session ends this long after login, used or not.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;

/// Hashes and verifies passwords with argon2id (m = 19 MiB, t = 2, p = 1), at most `permits` at
/// once so that a burst of logins cannot exhaust memory.
///
/// The permit moves into the blocking task and is released when the hash really ends, even if
/// the request that asked for it is gone (a client resetting its HTTP/2 streams). At most
/// `max_queued` checks wait for a permit, each at most `max_wait`; the others are answered
/// `503 busy` with `Retry-After` at once, so that a flood costs neither memory nor a long queue.
/// Anonymous checks (enrollments) wait in a queue of their own: a flood of them cannot take the
/// places of the logins of enrolled workstations, which wait at most behind that queue.
pub struct Passwords {
    threads: HashThreads,
    permits: Arc<Semaphore>,
    queue: Semaphore,
    anonymous_queue: Semaphore,
    max_wait: Duration,
    verifications: Arc<AtomicU64>,
    /// Hashing slots in all.
    slots: usize,
    /// Checks that may wait for a slot, per queue.
    max_queued: usize,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The hash checked when there is no account or user to check against, so that the answer takes
/// as long as for a known one: argon2id with the parameters of [`argon2`] (a unit test holds them
/// equal) of "no account has this password". A constant rather than hashed at start-up, which
/// cost every start of the service 19 MiB at its peak (the console's local service starts with
/// the window) and tens of milliseconds of CPU.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$vWBJTZmgwLJNjepfG5jH7g$qLtYEaoA73DCRpsnKQP5ReNXLpfXBelQQa+jrEQXBvk";

thread_local! {
    /// The argon2 memory of this hashing thread, allocated once and reused: freeing and
    /// allocating 19 MiB per check leaves the allocator holding freed blocks in several arenas.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `password` matches the PHC string `phc`, computed in this thread's reused memory.
fn verify_now(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let (Ok(algorithm), Ok(version)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Version::try_from(parsed.version.unwrap_or(0x13)),
    ) else {
        return false;
    };
    let blocks = params.block_count();
    let mut out = vec![0u8; expected.len()];
    let computed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password,
            salt.as_ref(),
            &mut out,
            &mut memory[..blocks],
        )
    });
    computed.is_ok() && same_secret(&out, expected.as_bytes())
}

/// Whether two secrets are equal, in a time that does not depend on where they first differ
/// (`subtle`; the lengths, which are not secret, are compared first).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

fn hash_now(password: &[u8]) -> FaultResult<String> {
    argon2()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| Fault::internal(format!("argon2: {e}")))
}

impl Passwords {
    /// A hasher that runs at most `permits` hashes at once, with 8 waiting per permit for at
    /// most 2 seconds.
    pub fn new(permits: usize) -> FaultResult<Passwords> {
        let permits = permits.max(1);
        Passwords::with_queue(permits, permits * 8, Duration::from_secs(2))
    }

    /// A hasher that runs at most `permits` hashes at once, lets at most `max_queued` checks wait
    /// for one, each at most `max_wait`.
    pub fn with_queue(
        permits: usize,
        max_queued: usize,
        max_wait: Duration,
    ) -> FaultResult<Passwords> {
        let permits = permits.max(1);
        Ok(Passwords {
            threads: HashThreads::start(permits)?,
            permits: Arc::new(Semaphore::new(permits)),
            queue: Semaphore::new(max_queued),
            anonymous_queue: Semaphore::new(max_queued),
            max_wait,
            verifications: Arc::default(),
            slots: permits,
            max_queued,
        })
    }

    /// Hashing slots free right now.
    pub fn available_permits(&self) -> usize {
        self.permits.available_permits()
    }

    /// Hashes running now and checks waiting for a slot (for the metrics).
    pub fn load(&self) -> (usize, usize) {
        let running = self.slots.saturating_sub(self.permits.available_permits());
        let waiting = (self
            .max_queued
            .saturating_sub(self.queue.available_permits()))
            + (self
                .max_queued
                .saturating_sub(self.anonymous_queue.available_permits()));
        (running, waiting)
    }

    /// Password verifications run since start (argon2 computations, not requests).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// A permit, at once or after a bounded wait in a bounded queue; else `503 busy`.
    async fn permit(&self, queue: &Semaphore) -> FaultResult<OwnedSemaphorePermit> {
        match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(Fault::internal("hash permits closed")),
            Err(TryAcquireError::NoPermits) => {}
        }
        let busy = || Fault::Busy {
            retry_after_seconds: self.max_wait.as_secs() + 1,
        };
        let Ok(_place) = queue.try_acquire() else {
            return Err(busy());
        };
        match tokio::time::timeout(self.max_wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(permit) => permit.map_err(Fault::internal),
            Err(_) => Err(busy()),
        }
    }

    /// Runs `work` on a hashing thread under a permit that the thread keeps until `work` ends.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> FaultResult<T> {
        self.run_in(&self.queue, work).await
    }

    async fn run_in<T: Send + 'static>(
        &self,
        queue: &Semaphore,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> FaultResult<T> {
        let permit = self.permit(queue).await?;
        self.run_with(permit, work).await
    }

    /// Runs `work` on a hashing thread under `permit`, which the thread keeps until `work` ends.
    async fn run_with<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> FaultResult<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.threads.run(Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            drop(permit);
            if let Ok(value) = outcome {
                let _ = done.send(value);
            }
        }))?;
        result
            .await
            .map_err(|_| Fault::internal("a password hash failed"))
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &str) -> FaultResult<String> {
        let password = password.as_bytes().to_vec();
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`. Without a hash (unknown account or user) a dummy hash
    /// is checked, so that the answer takes the same time either way.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> FaultResult<bool> {
        self.verify_in(&self.queue, password, hash).await
    }

    /// A hashing slot for an anonymous caller (an enrollment, a Client's login), at once or
    /// after the bounded wait in the anonymous queue, else `503 busy`: taken before the attempt
    /// is recorded, so that a flood is refused here, before it takes the service's write lock
    /// or writes a row.
    pub async fn anonymous_slot(&self) -> FaultResult<HashSlot> {
        Ok(HashSlot(self.permit(&self.anonymous_queue).await?))
    }

    /// [`Passwords::verify`] in a slot taken before ([`Passwords::anonymous_slot`]).
    pub async fn verify_in_slot(
        &self,
        slot: HashSlot,
        password: &str,
        hash: Option<&str>,
    ) -> FaultResult<bool> {
        let known = hash.is_some();
        let hash = hash.unwrap_or(DUMMY_HASH).to_string();
        let password = password.as_bytes().to_vec();
        let verifications = Arc::clone(&self.verifications);
        let matches = self
            .run_with(slot.0, move || {
                verifications.fetch_add(1, Ordering::Relaxed);
                verify_now(&password, &hash)
            })
            .await?;
        Ok(known && matches)
    }

    async fn verify_in(
        &self,
        queue: &Semaphore,
        password: &str,
        hash: Option<&str>,
    ) -> FaultResult<bool> {
        let slot = HashSlot(self.permit(queue).await?);
        self.verify_in_slot(slot, password, hash).await
    }

    /// Takes every hashing slot and every waiting place until the answer is dropped: the fault
    /// suite's flood, without sending it.
    #[cfg(feature = "testing")]
    pub fn saturate(&self) -> Saturated<'_> {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Saturated {
            _slots: Arc::clone(&self.permits)
                .try_acquire_many_owned(count(self.slots))
                .ok(),
            _queues: [&self.queue, &self.anonymous_queue]
                .into_iter()
                .filter_map(|queue| queue.try_acquire_many(count(self.max_queued)).ok())
                .collect(),
        }
    }
}

/// A hashing slot taken for one password check ([`Passwords::anonymous_slot`]); given back
/// when the check ends or when it is dropped unused.
#[derive(Debug)]
#[must_use = "a slot is held until it is used or dropped"]
pub struct HashSlot(OwnedSemaphorePermit);

/// Every hashing slot and waiting place, held ([`Passwords::saturate`]).
#[cfg(feature = "testing")]
pub struct Saturated<'a> {
    _slots: Option<OwnedSemaphorePermit>,
    _queues: Vec<tokio::sync::SemaphorePermit<'a>>,
}

type HashJob = Box<dyn FnOnce() + Send>;

/// The threads that compute hashes, one per permit. Not tokio's blocking pool: the allocator
/// keeps a freed 19 MiB argon2 block in the arena of the thread that used it, so hashes spread
/// over the pool's many threads would pin 19 MiB on each of them. The threads end when the
/// hasher is dropped.
struct HashThreads {
    jobs: std::sync::mpsc::Sender<HashJob>,
}

impl HashThreads {
    fn start(count: usize) -> FaultResult<HashThreads> {
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for index in 0..count {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("hostingd-hash-{index}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(Fault::internal)?;
        }
        Ok(HashThreads { jobs })
    }

    fn run(&self, job: HashJob) -> FaultResult<()> {
        self.jobs
            .send(job)
            .map_err(|_| Fault::internal("the hashing threads stopped"))
    }
}

/// A new session token and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `count` random digits (the first one not zero).
pub fn random_digits(count: usize) -> String {
    let mut rng = rand::rng();
    (0..count)
        .map(|i| {
            let low = if i == 0 { 1 } else { 0 };
            char::from(b'0' + rng.random_range(low..10u8))
        })
        .collect()
}

/// A 14-character console password from an alphabet without look-alike characters, with at
/// least one lowercase letter, one uppercase letter and one digit.
pub fn new_console_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rng();
    loop {
        let password: String = (0..hosting_api::validate::CONSOLE_PASSWORD_CHARS)
            .map(|_| {
                let set = match rng.random_range(0..3) {
                    0 => LOWER,
                    1 => UPPER,
                    _ => DIGITS,
                };
                char::from(set[rng.random_range(0..set.len())])
            })
            .collect();
        let has = |set: &[u8]| password.bytes().any(|b| set.contains(&b));
        if has(LOWER) && has(UPPER) && has(DIGITS) {
            return password;
        }
    }
}

/// The counter of enrollments claiming a principal: the typed hosting number (so that an
/// unknown number locks out exactly like a known one and the answer leaks nothing) and the role
/// or username.
pub fn enrollment_key(hosting_number: &str, username: Option<&str>) -> String {
    match username {
        Some(username) => format!("enroll:{hosting_number}:superadmin:{username}"),
        None => format!("enroll:{hosting_number}:manager"),
    }
}

/// The counter of certificate logins of a principal: the account's manager, or a user.
pub fn login_key(account_id: i64, user_id: Option<i64>) -> String {
    match user_id {
        Some(user_id) => format!("login:{account_id}:superadmin:{user_id}"),
        None => format!("login:{account_id}:manager"),
    }
}

/// The counters of one password attempt: the principal (at most [`MAX_FAILURES`]) and the
/// source address within one account (at most [`MAX_ADDRESS_FAILURES`]). `kind` (`enroll`,
/// `login` or `client`) keeps the anonymous enrollments and the certificate logins of one address
/// apart, so that anonymous failures never lock out a workstation that holds a certificate.
/// `account` (the account's id, or for an enrollment the hosting number typed) keeps the schools
/// apart: behind a NAT or a balancer many schools share an address, and one school's typos
/// must not lock the others out.
pub fn attempt_keys(
    principal: String,
    kind: &str,
    account: &str,
    source: &SourceAddr,
) -> [AttemptKey; 2] {
    [
        AttemptKey {
            key: principal,
            limit: MAX_FAILURES,
            counter: "principal",
        },
        AttemptKey {
            key: format!("{kind}-from:{account}:{}", source.key()),
            limit: MAX_ADDRESS_FAILURES,
            counter: "address",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_the_dummy_hash_costs_what_checking_a_real_one_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        let (params, reference) = (Params::try_from(&dummy).unwrap(), argon2().params().clone());
        let costs = |p: &Params| (p.m_cost(), p.t_cost(), p.p_cost());
        assert_eq!(costs(&params), costs(&reference));
        assert!(verify_now(b"no account has this password", DUMMY_HASH));
        assert!(!verify_now(b"another password", DUMMY_HASH));
    }

    #[test]
    fn secrets_are_equal_only_when_every_byte_and_the_length_are() {
        let secret = b"0123456789abcdef0123456789abcdef";
        // Another copy of the same bytes (equal by value, not by address).
        let copy = *secret;
        assert!(same_secret(secret, &copy));
        let mut last_differs = *secret;
        last_differs[31] ^= 1;
        assert!(!same_secret(secret, &last_differs));
        let mut first_differs = *secret;
        first_differs[0] ^= 0x80;
        assert!(!same_secret(secret, &first_differs));
        // A prefix, or the secret with more after it, is not the secret.
        assert!(!same_secret(secret, &secret[..31]));
        assert!(!same_secret(&secret[..31], secret));
        assert!(!same_secret(secret, b""));
        assert!(same_secret(b"", b""));
    }

    #[test]
    fn generated_values_follow_the_formats() {
        let password = new_console_password();
        assert!(hosting_api::validate::console_password(&password).is_ok());
        assert!(hosting_api::validate::hosting_number(&random_digits(12)).is_ok());
        assert!(hosting_api::validate::invoice_number(&random_digits(10)).is_ok());
        let (token, hash) = new_token();
        assert_eq!(token_hash(&token), hash);
        assert_ne!(token, hash);
    }

    /// The permit stays taken while the blocking work runs, even after the request future that
    /// asked for it is dropped (a client that resets its stream).
    #[tokio::test]
    async fn hash_permit_is_held_until_the_hash_ends() {
        let passwords = Arc::new(Passwords::new(1).unwrap());
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let request = {
            let passwords = Arc::clone(&passwords);
            tokio::spawn(async move {
                passwords
                    .run(move || {
                        started_tx.send(()).unwrap();
                        finish_rx.recv().unwrap();
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        // The request is gone, the work is not: its permit is still taken.
        assert_eq!(passwords.available_permits(), 0);
        finish_tx.send(()).unwrap();
        for _ in 0..500 {
            if passwords.available_permits() == 1 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the permit never came back");
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once_and_a_short_wait_succeeds() {
        let passwords = Arc::new(Passwords::with_queue(1, 1, Duration::from_millis(300)).unwrap());
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let holder = {
            let passwords = Arc::clone(&passwords);
            tokio::spawn(async move { passwords.run(move || finish_rx.recv().unwrap()).await })
        };
        while passwords.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // One waits (the queue has one place); the next is refused at once.
        let waiter = {
            let passwords = Arc::clone(&passwords);
            tokio::spawn(async move { passwords.run(|| ()).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        match passwords.run(|| ()).await {
            Err(Fault::Busy {
                retry_after_seconds,
            }) => {
                assert!(retry_after_seconds >= 1);
            }
            other => panic!("expected busy, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_millis(100));
        // The waiter gives up after its 300 ms.
        assert!(matches!(waiter.await.unwrap(), Err(Fault::Busy { .. })));
        finish_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        passwords.run(|| ()).await.unwrap();
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_never_matches() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("Correct1Horse").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            passwords
                .verify("Correct1Horse", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!passwords.verify("Wrong1Horse", Some(&hash)).await.unwrap());
        assert!(
            !passwords
                .verify("no account has this password", None)
                .await
                .unwrap()
        );
    }
}
