//! Password attempts, counted per principal and per source address, recorded *before* the
//! password is checked: one write transaction checks every counter and adds a pending row to
//! each, so that parallel guesses cannot all pass the check before any failure is recorded.
//! A pending row counts like a failure until the check ends: a success deletes it, a failure
//! turns it into a failed row, and a request that vanishes leaves it counted.

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{Store, audit};
use super::{StoreError, StoreResult};

/// One counter of attempts: its key and how many attempts in the window lock it.
#[derive(Debug, Clone)]
pub struct AttemptKey {
    /// `enroll:<hosting number>:…`, `login:<account id>:…`, `enroll-from:<address>`, …
    pub key: String,
    /// Attempts (failed or in flight) in the window that lock the counter.
    pub limit: i64,
    /// `principal` or `address`, for the audit log.
    pub counter: &'static str,
}

/// Who attempts, for the audit log.
#[derive(Debug, Clone)]
pub struct AttemptSource {
    /// The account concerned, when the typed hosting number exists.
    pub account_id: Option<i64>,
    /// `public` (enrollment), `manager` or `superadmin:<username>` (login).
    pub actor: String,
    /// The workstation whose certificate made the request (logins).
    pub workstation_id: Option<i64>,
    /// The caller's IP address.
    pub source_addr: String,
    /// `login` or `enrollment`.
    pub kind: &'static str,
}

impl AttemptSource {
    /// Writes `action` to the audit log in `tx`, with this caller's account, workstation and
    /// address.
    async fn audit(
        &self,
        tx: &mut Tx,
        at: i64,
        action: &str,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        audit::record_from(
            tx,
            self.account_id,
            &self.actor,
            self.workstation_id,
            Some(&self.source_addr),
            at,
            action,
            detail,
        )
        .await
    }
}

/// An attempt recorded before its password check; end it with [`Store::fail_attempt`],
/// [`Store::succeed_attempt`] or [`Store::cancel_attempt`].
#[derive(Debug)]
#[must_use = "an attempt stays counted until it is ended"]
pub struct Attempt {
    ids: Vec<i64>,
}

impl Store {
    /// Records an attempt on every counter of `keys` in one transaction, unless one of them had
    /// its limit of attempts in the last `window` seconds: then nothing is counted, the first
    /// refusal of the lock-out is audited, and the answer is `429 locked_out` with the wait.
    pub async fn begin_attempt(
        &self,
        source: &AttemptSource,
        keys: &[AttemptKey],
        window: i64,
    ) -> StoreResult<Attempt> {
        let now = self.now();
        let mut tx = self.write().await?;
        for key in keys {
            let (count, oldest) = query_as::<(i64, Option<i64>)>(
                "SELECT COUNT(*), MIN(at) FROM auth_attempts WHERE key = $1 AND at > $2 AND outcome IN ('pending', 'failed')",
            )
            .bind(&key.key)
            .bind(now - window)
            .fetch_one(&mut tx)
            .await?;
            if count < key.limit {
                continue;
            }
            let oldest = oldest.unwrap_or(now);
            let audited: bool = query_scalar(
                "SELECT EXISTS (SELECT 1 FROM auth_attempts WHERE key = $1 AND outcome = 'locked' AND at >= $2)",
            )
            .bind(&key.key)
            .bind(oldest)
            .fetch_one(&mut tx)
            .await?;
            if !audited {
                query("INSERT INTO auth_attempts (key, at, outcome) VALUES ($1, $2, 'locked')")
                    .bind(&key.key)
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
                source
                    .audit(
                        &mut tx,
                        now,
                        "auth.locked_out",
                        json!({"kind": source.kind, "counter": key.counter, "key": key.key, "attempts": count}),
                    )
                    .await?;
                tx.commit().await?;
            }
            let wait = u64::try_from((oldest + window - now).max(1)).unwrap_or(1);
            return Err(StoreError::LockedOut {
                retry_after_seconds: wait,
            });
        }
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            let id: i64 = query_scalar(
                "INSERT INTO auth_attempts (key, at, outcome) VALUES ($1, $2, 'pending') RETURNING id",
            )
            .bind(&key.key)
            .bind(now)
            .fetch_one(&mut tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Attempt { ids })
    }

    /// The password was wrong: the attempt stays counted as a failure (also on the counters of
    /// `also`), and `action` is audited with `detail`. Attempts older than a day are forgotten.
    pub async fn fail_attempt(
        &self,
        attempt: Attempt,
        source: &AttemptSource,
        also: &[String],
        action: &str,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        for id in &attempt.ids {
            query("UPDATE auth_attempts SET outcome = 'failed' WHERE id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        for key in also {
            query("INSERT INTO auth_attempts (key, at, outcome) VALUES ($1, $2, 'failed')")
                .bind(key)
                .bind(now)
                .execute(&mut tx)
                .await?;
        }
        query("DELETE FROM auth_attempts WHERE at < $1")
            .bind(now - 86_400)
            .execute(&mut tx)
            .await?;
        source.audit(&mut tx, now, action, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The password was right: the attempt is no longer counted, and the earlier failures on
    /// the principal's counter `principal` are forgotten.
    pub async fn succeed_attempt(&self, attempt: Attempt, principal: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for id in &attempt.ids {
            query("DELETE FROM auth_attempts WHERE id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        // Other attempts still in flight stay counted.
        query("DELETE FROM auth_attempts WHERE key = $1 AND outcome = 'failed'")
            .bind(principal)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The password could not be checked (the service was busy): the attempt is not counted.
    pub async fn cancel_attempt(&self, attempt: Attempt) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for id in &attempt.ids {
            query("DELETE FROM auth_attempts WHERE id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failed attempts on every principal of the account with `hosting_number`
    /// (its enrollments and its logins), as the operator does after a password reset.
    pub async fn clear_login_failures(&self, hosting_number: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let account_id: Option<i64> =
            query_scalar("SELECT id FROM accounts WHERE hosting_number = $1")
                .bind(hosting_number)
                .fetch_optional(&mut tx)
                .await?;
        clear_account(&mut tx, hosting_number, account_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attempts (failed or in flight) on `key` in the last `window` seconds.
    pub async fn attempts(&self, key: &str, window: i64) -> StoreResult<i64> {
        Ok(query_scalar(
            "SELECT COUNT(*) FROM auth_attempts WHERE key = $1 AND at > $2 AND outcome IN ('pending', 'failed')",
        )
        .bind(key)
        .bind(self.now() - window)
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Deletes the attempts on the principals of an account, in `tx`.
pub(super) async fn clear_account(
    tx: &mut Tx,
    hosting_number: &str,
    account_id: Option<i64>,
) -> StoreResult<()> {
    query("DELETE FROM auth_attempts WHERE key LIKE $1")
        .bind(format!("enroll:{hosting_number}:%"))
        .execute(&mut *tx)
        .await?;
    if let Some(account_id) = account_id {
        query("DELETE FROM auth_attempts WHERE key LIKE $1")
            .bind(format!("login:{account_id}:%"))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
