//! The outbox: e-mails and SMS stored in the database, in the transaction of the change that sends
//! them, and delivered later by SMTP and an SMS gateway when those are configured. A failed
//! delivery is tried again after an exponential back-off with jitter, up to a longest interval,
//! and given up by age (the operator re-queues with `hostingd outbox --retry`); a message that
//! holds a secret loses its body once delivered or given up.

use serde::Serialize;

use super::Store;
use super::StoreResult;
use super::db::{Tx, query, query_as, query_scalar};
use crate::messages::Message;
use crate::texts::Language;

/// A message in the outbox, as `hostingd outbox --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OutboxMessage {
    /// Identifier.
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or phone number.
    pub recipient: String,
    /// Subject (e-mail) or a short title (SMS).
    pub subject: String,
    /// Text; empty once delivered (only the metadata of a delivered message is kept, since
    /// its text may hold a password or an invoice number).
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, once delivered.
    pub delivered_at: Option<i64>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Unix seconds: no attempt before.
    pub next_attempt_at: i64,
    /// Unix seconds, once given up.
    pub abandoned_at: Option<i64>,
    /// It holds a secret: its body goes once delivered or given up.
    pub secret: bool,
}

/// How failed deliveries are tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Seconds before the second attempt; each failure doubles it.
    pub first_interval: i64,
    /// The longest wait between two attempts, in seconds.
    pub max_interval: i64,
    /// A message still undelivered this many seconds after it was queued (or re-queued) is
    /// given up.
    pub give_up_after: i64,
}

impl Default for RetryPolicy {
    /// 5 s, doubling up to 15 minutes, given up after 3 days: a gateway down for a weekend
    /// loses nothing.
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_interval: 5,
            max_interval: 15 * 60,
            give_up_after: 3 * 86_400,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failure of message `id`: the doubled interval, capped,
    /// then scaled by a jitter between 1/2 and 1 that differs from message to message (so
    /// that a backlog does not retry all at once when a gateway comes back).
    pub fn delay(&self, id: i64, failures: i64) -> i64 {
        let doubled = self
            .first_interval
            .saturating_mul(1_i64 << failures.clamp(1, 40).saturating_sub(1));
        let capped = doubled.min(self.max_interval).max(1);
        let spread = id
            .wrapping_mul(2_654_435_761)
            .wrapping_add(failures.wrapping_mul(40_503))
            .rem_euclid(1000);
        (capped * (1000 + spread) / 2000).max(1)
    }
}

/// What became of a delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryAttempt {
    /// Delivered.
    Delivered,
    /// Failed; tried again from this time (Unix seconds).
    Retry(i64),
    /// Failed, and given up (too old).
    Abandoned,
}

/// What `hostingd outbox --retry` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requeued {
    /// Re-queued for an attempt now.
    pub requeued: Vec<i64>,
    /// Given up with a secret, whose body is gone: a new message is needed (a new password, a
    /// new code, the logins sent again).
    pub emptied: Vec<i64>,
}

/// A message waiting for delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingMessage {
    /// Identifier.
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or phone number.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
}

/// The query of [`OutboxMessage`]s, with `$rest` after its `FROM` (sqlx takes a literal).
macro_rules! messages {
    ($rest:literal) => {
        concat!(
            "SELECT id, channel, recipient, subject, body, created_at, delivered_at, attempts, last_error, next_attempt_at, abandoned_at, secret FROM outbox ",
            $rest
        )
    };
}

/// Queues a message in `tx`, written in the account's language.
pub(super) async fn enqueue(
    tx: &mut Tx,
    account_id: i64,
    at: i64,
    channel: &str,
    recipient: &str,
    message: &Message,
) -> StoreResult<()> {
    let language: Language = query_scalar("SELECT language FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
    let written = message.write(language);
    query(
        "INSERT INTO outbox (account_id, created_at, channel, recipient, subject, body, next_attempt_at, secret) VALUES ($1, $2, $3, $4, $5, $6, $2, $7)",
    )
    .bind(account_id)
    .bind(at)
    .bind(channel)
    .bind(recipient)
    .bind(&written.subject)
    .bind(&written.body)
    .bind(message.is_secret())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every message, oldest first; only those of `account_id` when given.
    pub async fn outbox(&self, account_id: Option<i64>) -> StoreResult<Vec<OutboxMessage>> {
        Ok(
            query_as::<OutboxMessage>(messages!("WHERE $1 IS NULL OR account_id = $1 ORDER BY id"))
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The messages not delivered that failed at least once (waiting for their next attempt,
    /// or given up), oldest first.
    pub async fn failed_messages(&self) -> StoreResult<Vec<OutboxMessage>> {
        Ok(query_as::<OutboxMessage>(messages!(
            "WHERE delivered_at IS NULL AND attempts > 0 ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The undelivered messages and the age of the oldest, in seconds (for the operator).
    pub async fn outbox_backlog(&self) -> StoreResult<(i64, i64)> {
        let (count, oldest): (i64, Option<i64>) = query_as(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((count, oldest.map_or(0, |at| (self.now() - at).max(0))))
    }

    /// Re-queues undelivered messages for an attempt now (`id`, or every one that failed): the
    /// give-up age counts again from now. A message given up with a secret has no body left and
    /// is not re-queued (see [`Requeued::emptied`]).
    pub async fn requeue_messages(&self, id: Option<i64>) -> StoreResult<Requeued> {
        let now = self.now();
        let mut tx = self.write().await?;
        let rows: Vec<(i64, bool, Option<i64>)> = query_as(
            "SELECT id, secret, abandoned_at FROM outbox WHERE delivered_at IS NULL AND attempts > 0 AND ($1 IS NULL OR id = $1) ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut tx)
        .await?;
        let mut done = Requeued::default();
        for (id, secret, abandoned_at) in rows {
            if secret && abandoned_at.is_some() {
                done.emptied.push(id);
                continue;
            }
            query(
                "UPDATE outbox SET abandoned_at = NULL, requeued_at = $2, next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut tx)
            .await?;
            done.requeued.push(id);
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Claims for `claimant` (an instance) the oldest undelivered messages of `channel` that are
    /// due (not waiting for a retry, not given up) and that no other instance has claimed (or
    /// whose claim ran out), at most `limit`, for `claim_seconds`: no two instances send one
    /// message. Oldest first.
    pub async fn claim_messages(
        &self,
        channel: &str,
        limit: i64,
        claimant: &str,
        claim_seconds: i64,
    ) -> StoreResult<Vec<PendingMessage>> {
        let now = self.now();
        // Writers run one at a time on both databases (see `write`), so two instances
        // claiming at once get disjoint messages without `FOR UPDATE SKIP LOCKED`.
        let mut tx = self.write().await?;
        let mut claimed = query_as::<PendingMessage>(
            "UPDATE outbox SET claimed_by = $3, claimed_until = $4 WHERE id IN (\
             SELECT id FROM outbox WHERE channel = $1 AND delivered_at IS NULL AND abandoned_at IS NULL \
             AND next_attempt_at <= $5 AND (claimed_until IS NULL OR claimed_until <= $5) ORDER BY id LIMIT $2) \
             RETURNING id, channel, recipient, subject, body",
        )
        .bind(channel)
        .bind(limit)
        .bind(claimant)
        .bind(now + claim_seconds)
        .bind(now)
        .fetch_all(&mut tx)
        .await?;
        tx.commit().await?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Records a delivery attempt: delivered (the body is dropped in the same statement, only
    /// the metadata stays), or the error that stopped it, with the next attempt's time from
    /// `policy`, or given up when the message is older than the policy keeps trying (a secret's
    /// body is dropped then too).
    pub async fn mark_delivery(
        &self,
        id: i64,
        error: Option<&str>,
        policy: &RetryPolicy,
    ) -> StoreResult<DeliveryAttempt> {
        let now = self.now();
        let mut tx = self.write().await?;
        let Some(error) = error else {
            query(
                "UPDATE outbox SET delivered_at = $2, body = '', last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut tx)
            .await?;
            tx.commit().await?;
            return Ok(DeliveryAttempt::Delivered);
        };
        let (attempts, since): (i64, i64) = query_as(
            "SELECT attempts, CASE WHEN requeued_at IS NULL THEN created_at ELSE requeued_at END FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut tx)
        .await?;
        let failures = attempts + 1;
        let next = now + policy.delay(id, failures);
        let attempt = if next - since > policy.give_up_after {
            DeliveryAttempt::Abandoned
        } else {
            DeliveryAttempt::Retry(next)
        };
        let abandoned = attempt == DeliveryAttempt::Abandoned;
        query(
            "UPDATE outbox SET attempts = $2, last_error = $3, next_attempt_at = $4, abandoned_at = CASE WHEN $5 THEN $6 ELSE NULL END, body = CASE WHEN $5 AND secret THEN '' ELSE body END, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(failures)
        .bind(error)
        .bind(next)
        .bind(abandoned)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;

    #[test]
    fn the_wait_doubles_with_jitter_up_to_the_longest_interval() {
        let policy = RetryPolicy::default();
        for id in 1..200 {
            let first = policy.delay(id, 1);
            assert!((2..=5).contains(&first), "{first}");
            let fourth = policy.delay(id, 4);
            assert!((20..=40).contains(&fourth), "{fourth}");
            let late = policy.delay(id, 30);
            assert!((450..=900).contains(&late), "{late}");
        }
        // The jitter spreads a backlog: not every message waits the same.
        let waits: std::collections::BTreeSet<i64> =
            (1..50).map(|id| policy.delay(id, 8)).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
