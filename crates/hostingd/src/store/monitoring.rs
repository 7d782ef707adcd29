//! Monitoring of connections: the licences of the contract a schedule reserves for its
//! Administration group, within the contract (`rules::reservation`).

use serde_json::json;

use super::activation::schedule_in;
use super::db::{Exec, query, query_scalar};
use super::{ADMINISTRATION, Actor, Store, StoreResult, audit};
use crate::rules::reservation;

/// A schedule's licences: what the contract allows, what the schedule reserves, and the
/// members of its Administration profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licences {
    /// Simultaneous Administrative-mode connections of the contract.
    pub contract: i64,
    /// Reserved for the schedule's Administration group.
    pub reserved: i64,
    /// Members of the schedule's Administration profile.
    pub members: i64,
    /// Reserved by the account's other schedules.
    pub elsewhere: i64,
}

/// The licences the other schedules of the account reserve: what the tab shows, and what a
/// reservation is checked against inside its transaction.
async fn reserved_elsewhere<'c>(
    exec: impl Into<Exec<'c>>,
    account_id: i64,
    schedule_id: i64,
) -> StoreResult<i64> {
    Ok(query_scalar(
        "SELECT CAST(COALESCE(SUM(administration_reserved), 0) AS BIGINT) FROM schedules WHERE account_id = $1 AND id <> $2",
    )
    .bind(account_id)
    .bind(schedule_id)
    .fetch_one(exec)
    .await?)
}

impl Store {
    /// The licences of a schedule of the account.
    pub async fn licences(&self, account_id: i64, schedule_id: i64) -> StoreResult<Licences> {
        let schedule = self.schedule(account_id, schedule_id).await?;
        let account = self.account_by_id(account_id).await?;
        let members = self
            .profiles(schedule_id)
            .await?
            .into_iter()
            .find(|(name, _)| name == ADMINISTRATION)
            .map_or(0, |(_, members)| members.len());
        let elsewhere = reserved_elsewhere(&self.pool, account_id, schedule_id).await?;
        Ok(Licences {
            contract: account.administration_licences,
            reserved: schedule.administration_reserved,
            members: i64::try_from(members).unwrap_or(i64::MAX),
            elsewhere,
        })
    }

    /// Reserves licences of the contract for a schedule's Administration group.
    pub async fn set_administration_reserved(
        &self,
        actor: &Actor,
        schedule_id: i64,
        reserved: i64,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        let licences: i64 =
            query_scalar("SELECT administration_licences FROM accounts WHERE id = $1")
                .bind(actor.account_id)
                .fetch_one(&mut tx)
                .await?;
        let elsewhere = reserved_elsewhere(&mut tx, actor.account_id, schedule_id).await?;
        reservation::check(reserved, elsewhere, licences)?;
        query("UPDATE schedules SET administration_reserved = $1 WHERE id = $2")
            .bind(reserved)
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "licences.reserved",
            json!({"schedule_id": schedule_id, "administration_reserved": reserved}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
