//! The Clients' connections to a schedule's server (the session protocol of its endpoint):
//! opened within the contract's Administrative licences and the seats reserved for the
//! Administration groups (`rules::reservation::admit`), checked in the transaction that records
//! them; kept while the Client says it is alive; closed by the Client, by a superadministrator
//! (Disconnect), or by silence.

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{Actor, Store, StoreError, StoreResult, UserRow, audit};
use crate::rules::reservation::{Seats, admit};

/// How often a Client says it is alive.
pub const KEEP_ALIVE_SECONDS: i64 = 30;
/// Silence after which a connection counts as closed (three keep-alives missed).
pub const SILENCE_SECONDS: i64 = 3 * KEEP_ALIVE_SECONDS;
/// How long closed connections stay, for the 24-hour chart.
const KEPT_SECONDS: i64 = 2 * 24 * 3600;

/// A connection of a Client.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// The user the Client logged in as.
    pub user_id: i64,
    /// Their username.
    pub username: String,
    /// A member of the schedule's Administration profile when it connected.
    pub administration: bool,
    /// The name the Client gave.
    pub workstation: String,
    /// Unix seconds.
    pub opened_at: i64,
    /// Unix seconds.
    pub last_seen_at: i64,
    /// Unix seconds; `None` while open.
    pub closed_at: Option<i64>,
}

impl ConnectionRow {
    /// When it ended, or ends by silence if it stays silent: `None` while open.
    pub fn ended_at(&self, now: i64) -> Option<i64> {
        self.closed_at.or_else(|| {
            let silent = self.last_seen_at + SILENCE_SECONDS;
            (silent <= now).then_some(silent)
        })
    }
}

/// What a Client asks to open.
#[derive(Debug)]
pub struct NewConnection<'a> {
    /// The schedule whose server it connects to.
    pub schedule_id: i64,
    /// The user whose password it gave.
    pub user: &'a UserRow,
    /// The name the Client gives.
    pub workstation: &'a str,
    /// Digest of the session token handed to the Client.
    pub token_digest: &'a str,
}

/// Closes the account's silent connections (at the end of their silence) and forgets those
/// closed more than two days ago.
async fn close_silent(tx: &mut Tx, account_id: i64, now: i64) -> StoreResult<()> {
    query(
        "UPDATE connections SET closed_at = last_seen_at + $1, closed_by = 'expired' WHERE account_id = $2 AND closed_at IS NULL AND last_seen_at + $1 <= $3",
    )
    .bind(SILENCE_SECONDS)
    .bind(account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    query("DELETE FROM connections WHERE account_id = $1 AND closed_at < $2")
        .bind(account_id)
        .bind(now - KEPT_SECONDS)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Checks, in the transaction that records it, that the contract's Administrative licences and
/// the seats reserved for the Administration groups admit `new`: whether it counts as an
/// Administration connection.
async fn admitted(tx: &mut Tx, new: &NewConnection<'_>) -> StoreResult<bool> {
    let account_id = new.user.account_id;
    let (contract, schedule_name): (i64, String) = query_as(
        "SELECT a.administration_licences, s.name FROM accounts a JOIN schedules s ON s.account_id = a.id WHERE a.id = $1 AND s.id = $2",
    )
    .bind(account_id)
    .bind(new.schedule_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("schedule"))?;
    let schedules: Vec<(i64, i64, i64)> = query_as(
        "SELECT s.id, s.administration_reserved, CAST((SELECT COUNT(*) FROM connections c WHERE c.schedule_id = s.id AND c.closed_at IS NULL AND c.administration = TRUE) AS BIGINT) FROM schedules s WHERE s.account_id = $1 ORDER BY s.id",
    )
    .bind(account_id)
    .fetch_all(&mut *tx)
    .await?;
    let in_use: i64 = query_scalar(
        "SELECT COUNT(*) FROM connections WHERE account_id = $1 AND closed_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    let administration =
        super::years::administration_member(tx, new.schedule_id, Some(new.user.id)).await?;
    let seats: Vec<Seats> = schedules
        .iter()
        .map(|(_, reserved, administration_in_use)| Seats {
            reserved: *reserved,
            administration_in_use: *administration_in_use,
        })
        .collect();
    let here = schedules
        .iter()
        .position(|(id, _, _)| *id == new.schedule_id)
        .unwrap_or(usize::MAX);
    admit(
        contract,
        in_use,
        &seats,
        here,
        administration,
        &schedule_name,
    )?;
    Ok(administration)
}

impl Store {
    /// Opens a connection if the licences admit it; its row.
    pub async fn open_connection(&self, new: &NewConnection<'_>) -> StoreResult<ConnectionRow> {
        let now = self.now();
        let account_id = new.user.account_id;
        let mut tx = self.write().await?;
        close_silent(&mut tx, account_id, now).await?;
        let administration = admitted(&mut tx, new).await?;
        let id: i64 = query_scalar(
            "INSERT INTO connections (account_id, schedule_id, user_id, username, administration, workstation, token_digest, opened_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(account_id)
        .bind(new.schedule_id)
        .bind(new.user.id)
        .bind(&new.user.username)
        .bind(administration)
        .bind(new.workstation)
        .bind(new.token_digest)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        let actor = Actor::client(account_id, &new.user.username);
        audit::record(
            &mut tx,
            &actor,
            now,
            "connection.opened",
            json!({"schedule_id": new.schedule_id, "connection_id": id,
                   "workstation": new.workstation, "administration": administration}),
        )
        .await?;
        tx.commit().await?;
        Ok(ConnectionRow {
            id,
            schedule_id: new.schedule_id,
            user_id: new.user.id,
            username: new.user.username.clone(),
            administration,
            workstation: new.workstation.to_string(),
            opened_at: now,
            last_seen_at: now,
            closed_at: None,
        })
    }

    /// A Client says it is alive: false once its connection is closed (disconnected, or silent
    /// too long), so that it knows.
    pub async fn keep_connection(&self, schedule_id: i64, token_digest: &str) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let kept = query(
            "UPDATE connections SET last_seen_at = $1 WHERE schedule_id = $2 AND token_digest = $3 AND closed_at IS NULL AND last_seen_at + $4 > $1",
        )
        .bind(now)
        .bind(schedule_id)
        .bind(token_digest)
        .bind(SILENCE_SECONDS)
        .execute(&mut tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(kept == 1)
    }

    /// A Client closes its connection; false if it was closed already.
    pub async fn close_connection(
        &self,
        schedule_id: i64,
        token_digest: &str,
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let closed = query(
            "UPDATE connections SET closed_at = $1, closed_by = 'client' WHERE schedule_id = $2 AND token_digest = $3 AND closed_at IS NULL",
        )
        .bind(now)
        .bind(schedule_id)
        .bind(token_digest)
        .execute(&mut tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(closed == 1)
    }

    /// A superadministrator (or the hosting manager) disconnects a Client: its next keep-alive
    /// learns it. `not_found` unless it is open.
    pub async fn disconnect(
        &self,
        actor: &Actor,
        schedule_id: i64,
        connection_id: i64,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        close_silent(&mut tx, actor.account_id, now).await?;
        let username: String = query_scalar(
            "UPDATE connections SET closed_at = $1, closed_by = 'disconnected' WHERE id = $2 AND schedule_id = $3 AND account_id = $4 AND closed_at IS NULL RETURNING username",
        )
        .bind(now)
        .bind(connection_id)
        .bind(schedule_id)
        .bind(actor.account_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or(StoreError::NotFound("connection"))?;
        audit::record(
            &mut tx,
            actor,
            now,
            "connection.disconnected",
            json!({"schedule_id": schedule_id, "connection_id": connection_id, "username": username}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's connections open at `since` or after, oldest first: the Monitoring tab
    /// counts, charts and lists them.
    pub async fn connections(
        &self,
        account_id: i64,
        since: i64,
    ) -> StoreResult<Vec<ConnectionRow>> {
        Ok(query_as::<ConnectionRow>(
            "SELECT id, schedule_id, user_id, username, administration, workstation, opened_at, last_seen_at, closed_at FROM connections WHERE account_id = $1 AND (closed_at IS NULL OR closed_at >= $2) ORDER BY opened_at, id",
        )
        .bind(account_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }
}
