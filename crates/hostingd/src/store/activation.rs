//! The server of each schedule: put into service with its open base, shut down, stopped when its
//! endpoint could not start; the rule "shut the server down first" for the changes that need it.

use hosting_api::ServerState;
use serde_json::json;

use super::db::{Tx, query, query_as};
use super::schedules::SCHEDULE_SELECT;
use super::{Actor, ScheduleRow, Store, audit};
use super::{StoreError, StoreResult};
use crate::rules::{Change, activation};

/// A schedule whose server runs, for the jobs and the endpoints.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunningSchedule {
    /// Schedule.
    pub schedule_id: i64,
    /// Account.
    pub account_id: i64,
    /// School.
    pub school_name: String,
    /// Schedule name.
    pub name: String,
    /// Active base.
    pub active_base_id: i64,
    /// Its name.
    pub base_name: String,
    /// Its version (the school's, for a base made before versions were kept).
    pub version: String,
    /// Domain.
    pub domain: Option<String>,
    /// Port.
    pub port: Option<i64>,
}

pub(super) async fn schedule_in(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
) -> StoreResult<(String, ServerState, Option<i64>)> {
    query_as::<(String, ServerState, Option<i64>)>(
        "SELECT name, server_state, open_base_id FROM schedules WHERE id = $1 AND account_id = $2",
    )
    .bind(schedule_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound("schedule"))
}

pub(super) async fn ensure_stopped(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
    change: Change,
) -> StoreResult<String> {
    let (name, state, _) = schedule_in(tx, account_id, schedule_id).await?;
    activation::ensure_stopped(&name, state, change)?;
    Ok(name)
}

/// The running servers' query, with `$rest` after its `WHERE` (sqlx takes a literal).
macro_rules! running {
    ($rest:literal) => {
        concat!(
            "SELECT s.id AS schedule_id, s.account_id, a.school_name, s.name, s.active_base_id, b.name AS base_name, COALESCE(b.version, a.current_version) AS version, e.domain, e.port FROM schedules s JOIN accounts a ON a.id = s.account_id JOIN bases b ON b.id = s.active_base_id LEFT JOIN endpoints e ON e.owner_kind = 'schedule' AND e.owner_id = s.id WHERE s.server_state = 'running' ",
            $rest
        )
    };
}

impl Store {
    /// A schedule of the account whose server is shut down, before `action` starts work outside
    /// the database (writing or copying objects); the transaction that records it checks again.
    pub async fn stopped_schedule(
        &self,
        account_id: i64,
        schedule_id: i64,
        change: Change,
    ) -> StoreResult<ScheduleRow> {
        let schedule = self.schedule(account_id, schedule_id).await?;
        activation::ensure_stopped(&schedule.name, schedule.server_state, change)?;
        Ok(schedule)
    }

    /// Checks that a schedule can be activated; returns it.
    pub async fn check_activation(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> StoreResult<ScheduleRow> {
        let schedule = self.schedule(account_id, schedule_id).await?;
        activation::base_to_activate(&schedule)?;
        Ok(schedule)
    }

    /// Puts the open base into service: the server runs.
    pub async fn activate(&self, actor: &Actor, schedule_id: i64) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let schedule = query_as::<ScheduleRow>(sqlx::AssertSqlSafe(format!(
            "{SCHEDULE_SELECT} WHERE s.account_id = $1 AND s.id = $2"
        )))
        .bind(actor.account_id)
        .bind(schedule_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("schedule"))?;
        let base_id = activation::base_to_activate(&schedule)?;
        query("UPDATE schedules SET server_state = 'running', active_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        query("UPDATE bases SET activated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(base_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "server.activated",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        // "The base is published by default" (with the Campus.net licence).
        super::publications::publish_on_activation(
            &mut tx,
            actor,
            schedule_id,
            schedule.campus_net_licence,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shuts a running server down.
    pub async fn shutdown(&self, actor: &Actor, schedule_id: i64) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (name, state, _) = schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        activation::ensure_running(&name, state)?;
        query("UPDATE schedules SET server_state = 'stopped' WHERE id = $1")
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "server.shut_down",
            json!({"schedule_id": schedule_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that the endpoint of a running schedule could not start (at service start): the
    /// server is shut down, so that the database says what the school sees, and the school is
    /// notified (with an e-mail to the hosting manager).
    pub async fn listener_failed(
        &self,
        account_id: i64,
        schedule_id: i64,
        reason: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query("UPDATE schedules SET server_state = 'stopped' WHERE id = $1 AND account_id = $2")
            .bind(schedule_id)
            .bind(account_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            &Actor::service(account_id),
            now,
            "server.listener_failed",
            json!({"schedule_id": schedule_id, "reason": reason}),
        )
        .await?;
        super::notices::server_stopped(
            &mut tx,
            account_id,
            schedule_id,
            "listener_failed",
            reason,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every running server of the service.
    pub async fn running_schedules(&self) -> StoreResult<Vec<RunningSchedule>> {
        Ok(query_as::<RunningSchedule>(running!("ORDER BY s.id"))
            .fetch_all(&self.pool)
            .await?)
    }

    /// The server of one schedule, if it runs (a schedule's endpoint reads its own row at
    /// each request, not those of every school).
    pub async fn running_schedule(&self, schedule_id: i64) -> StoreResult<Option<RunningSchedule>> {
        Ok(query_as::<RunningSchedule>(running!("AND s.id = $1"))
            .bind(schedule_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
