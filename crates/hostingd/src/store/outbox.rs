//! The outbox: e-mails and SMS stored in the database, in the transaction of the change that sends
//! them, and delivered later by SMTP and an SMS gateway when those are configured.

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
        "INSERT INTO outbox (account_id, created_at, channel, recipient, subject, body) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(account_id)
    .bind(at)
    .bind(channel)
    .bind(recipient)
    .bind(&written.subject)
    .bind(&written.body)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every message, oldest first; only those of `account_id` when given.
    pub async fn outbox(&self, account_id: Option<i64>) -> StoreResult<Vec<OutboxMessage>> {
        Ok(query_as::<OutboxMessage>(
            "SELECT id, channel, recipient, subject, body, created_at, delivered_at FROM outbox WHERE $1 IS NULL OR account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Claims for `claimant` (an instance) the oldest undelivered messages of `channel` that no
    /// other instance has claimed (or whose claim ran out), at most `limit`, for `claim_seconds`:
    /// no two instances send one message. Oldest first.
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
             SELECT id FROM outbox WHERE channel = $1 AND delivered_at IS NULL AND attempts < 10 \
             AND (claimed_until IS NULL OR claimed_until <= $5) ORDER BY id LIMIT $2) \
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
    /// the metadata stays), or the error that stopped it.
    pub async fn mark_delivery(&self, id: i64, error: Option<&str>) -> StoreResult<()> {
        let now = self.now();
        query(
            "UPDATE outbox SET attempts = attempts + 1, delivered_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END, body = CASE WHEN $2 IS NULL THEN '' ELSE body END, last_error = $2, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
