//! Users of the controller: creation, list, e-mail and console access, and what the hosting
//! manager does with the people: deactivate, remove superadministrator rights, delete. The last
//! active superadministrator of a schedule's Administration profile is kept.

use std::collections::HashMap;

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{ADMINISTRATION, Actor, Store, audit, unique_or};
use super::{StoreError, StoreResult};
use crate::rules::Refusal;

/// A user row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Identifier.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// First name.
    pub first_name: String,
    /// Surname.
    pub surname: String,
    /// Username.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Superadministrator.
    pub superadmin: bool,
    /// E-mail.
    pub email: Option<String>,
    /// Console access.
    pub console_access: bool,
    /// False once the hosting manager deactivated the user: no login, no session.
    pub active: bool,
}

/// A query that reads [`UserRow`]s: its columns, then `$rest` (a literal, so that the SQL stays
/// static).
macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT id, account_id, first_name, surname, username, password_hash, superadmin, email, console_access, active FROM users ",
            $rest
        )
    };
}

/// A change of a user, each field `None` when unchanged (validated by the caller).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    /// E-mail.
    pub email: Option<String>,
    /// Console access.
    pub console_access: Option<bool>,
    /// Active (false: deactivated).
    pub active: Option<bool>,
    /// Superadministrator rights.
    pub superadmin: Option<bool>,
}

/// A new user, already validated, with its password hash.
#[derive(Debug, Clone)]
pub struct NewUserRow {
    /// First name.
    pub first_name: String,
    /// Surname.
    pub surname: String,
    /// Username (lowercase).
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Superadministrator.
    pub superadmin: bool,
}

impl Store {
    /// Creates a user in the caller's account.
    pub async fn create_user(&self, actor: &Actor, user: &NewUserRow) -> StoreResult<UserRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let id: i64 = query_scalar(
            "INSERT INTO users (account_id, first_name, surname, username, password_hash, superadmin, console_access, created_at) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(&user.first_name)
        .bind(&user.surname)
        .bind(&user.username)
        .bind(&user.password_hash)
        .bind(user.superadmin)
        .bind(now)
        .fetch_one(&mut tx)
        .await
        .map_err(|e| {
            unique_or(e, || {
                Refusal::UsernameTaken {
                    username: user.username.clone(),
                }
            })
        })?;
        audit::record(
            &mut tx,
            actor,
            now,
            "user.created",
            json!({"user_id": id, "username": user.username, "superadmin": user.superadmin}),
        )
        .await?;
        tx.commit().await?;
        self.user(actor.account_id, id).await
    }

    /// The users of an account, in creation order.
    pub async fn users(&self, account_id: i64) -> StoreResult<Vec<UserRow>> {
        Ok(
            query_as::<UserRow>(select_users!("WHERE account_id = $1 ORDER BY id"))
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// One user of the account; `not_found` otherwise.
    pub async fn user(&self, account_id: i64, user_id: i64) -> StoreResult<UserRow> {
        query_as::<UserRow>(select_users!("WHERE account_id = $1 AND id = $2"))
            .bind(account_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound("user"))
    }

    /// A user of the account by username.
    pub async fn user_by_username(
        &self,
        account_id: i64,
        username: &str,
    ) -> StoreResult<Option<UserRow>> {
        Ok(
            query_as::<UserRow>(select_users!("WHERE account_id = $1 AND username = $2"))
                .bind(account_id)
                .bind(username)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Changes a user (validated by the caller). Console access needs an e-mail and a
    /// superadministrator: checked here, on the values after the change. Deactivating a user or
    /// removing their superadministrator rights (which removes console access too) ends their
    /// sessions, and is refused for the last active superadministrator of an Administration
    /// profile.
    pub async fn update_user(
        &self,
        actor: &Actor,
        user_id: i64,
        change: UserChange,
    ) -> StoreResult<UserRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let before = user_in(&mut tx, actor.account_id, user_id).await?;
        let superadmin = change.superadmin.unwrap_or(before.superadmin);
        let active = change.active.unwrap_or(before.active);
        let email = change.email.or(before.email.clone());
        let console_access = superadmin && change.console_access.unwrap_or(before.console_access);
        if change.console_access == Some(true) && !superadmin {
            return Err(Refusal::ConsoleAccessSuperadminOnly {
                username: before.username.clone(),
            }
            .into());
        }
        if console_access && email.is_none() {
            return Err(Refusal::EmailRequired.into());
        }
        let after = (email.as_ref(), console_access, superadmin, active);
        if after
            == (
                before.email.as_ref(),
                before.console_access,
                before.superadmin,
                before.active,
            )
        {
            return Ok(before);
        }
        let losing_rights = (before.superadmin && !superadmin) || (before.active && !active);
        if losing_rights {
            keep_an_administrator(&mut tx, &before).await?;
        }
        query(
            "UPDATE users SET email = $1, console_access = $2, superadmin = $3, active = $4 WHERE id = $5",
        )
        .bind(&email)
        .bind(console_access)
        .bind(superadmin)
        .bind(active)
        .bind(user_id)
        .execute(&mut tx)
        .await?;
        // Console access removed alone keeps the sessions: their next request says why.
        let sessions_ended = if losing_rights {
            end_user_sessions(&mut tx, actor.account_id, user_id, now).await?
        } else {
            0
        };
        audit::record(
            &mut tx,
            actor,
            now,
            "user.updated",
            json!({"user_id": user_id, "username": before.username,
                   "before": {"email": before.email, "console_access": before.console_access,
                              "superadmin": before.superadmin, "active": before.active},
                   "after": {"email": email, "console_access": console_access,
                             "superadmin": superadmin, "active": active},
                   "sessions_ended": sessions_ended}),
        )
        .await?;
        tx.commit().await?;
        self.user(actor.account_id, user_id).await
    }

    /// Deletes a user: out of every profile, their workstations revoked and their sessions
    /// ended, their pending password codes gone. The audit keeps what they did. Refused for the
    /// last active superadministrator of an Administration profile.
    pub async fn delete_user(&self, actor: &Actor, user_id: i64) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let user = user_in(&mut tx, actor.account_id, user_id).await?;
        keep_an_administrator(&mut tx, &user).await?;
        let sessions_ended = end_user_sessions(&mut tx, actor.account_id, user_id, now).await?;
        query(
            "UPDATE workstations SET revoked_at = $1 WHERE account_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(actor.account_id)
        .bind(user_id)
        .execute(&mut tx)
        .await?;
        query("UPDATE workstations SET user_id = NULL WHERE account_id = $1 AND user_id = $2")
            .bind(actor.account_id)
            .bind(user_id)
            .execute(&mut tx)
            .await?;
        for statement in [
            "DELETE FROM profile_members WHERE user_id = $1",
            "DELETE FROM password_resets WHERE user_id = $1",
        ] {
            query(statement).bind(user_id).execute(&mut tx).await?;
        }
        query("DELETE FROM users WHERE id = $1 AND account_id = $2")
            .bind(user_id)
            .bind(actor.account_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "user.deleted",
            json!({"user_id": user_id, "username": user.username,
                   "superadmin": user.superadmin, "sessions_ended": sessions_ended}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// For each user who is the only active superadministrator of the Administration profile of
    /// one or more schedules, those schedules' names (sorted): what the console says before
    /// offering to deactivate, delete or demote them.
    pub async fn sole_administrators(
        &self,
        account_id: i64,
    ) -> StoreResult<HashMap<i64, Vec<String>>> {
        let rows = query_as::<(String, i64)>(
            "SELECT s.name, m.user_id FROM schedules s JOIN profiles p ON p.schedule_id = s.id JOIN profile_members m ON m.profile_id = p.id JOIN users u ON u.id = m.user_id WHERE s.account_id = $1 AND p.name = $2 AND u.superadmin = TRUE AND u.active = TRUE ORDER BY s.name, m.user_id",
        )
        .bind(account_id)
        .bind(ADMINISTRATION)
        .fetch_all(&self.pool)
        .await?;
        let mut per_schedule: Vec<(String, Vec<i64>)> = Vec::new();
        for (schedule, user_id) in rows {
            match per_schedule.last_mut() {
                Some((name, users)) if *name == schedule => users.push(user_id),
                _ => per_schedule.push((schedule, vec![user_id])),
            }
        }
        let mut sole: HashMap<i64, Vec<String>> = HashMap::new();
        for (schedule, users) in per_schedule {
            if let [only] = users[..] {
                sole.entry(only).or_default().push(schedule);
            }
        }
        Ok(sole)
    }
}

/// A user of the account, read inside `tx`.
async fn user_in(tx: &mut Tx, account_id: i64, user_id: i64) -> StoreResult<UserRow> {
    query_as::<UserRow>(select_users!("WHERE id = $1 AND account_id = $2"))
        .bind(user_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("user"))
}

/// Refuses to take `user` (an active superadministrator) away from a schedule's Administration
/// profile where no other active superadministrator is: nobody could run that schedule.
pub(crate) async fn keep_an_administrator(tx: &mut Tx, user: &UserRow) -> StoreResult<()> {
    if !(user.superadmin && user.active) {
        return Ok(());
    }
    let alone: Option<String> = query_scalar(
        "SELECT s.name FROM schedules s JOIN profiles p ON p.schedule_id = s.id JOIN profile_members m ON m.profile_id = p.id WHERE s.account_id = $1 AND p.name = $2 AND m.user_id = $3 AND NOT EXISTS (SELECT 1 FROM profile_members o JOIN users u ON u.id = o.user_id WHERE o.profile_id = p.id AND o.user_id <> $3 AND u.superadmin = TRUE AND u.active = TRUE) ORDER BY s.name LIMIT 1",
    )
    .bind(user.account_id)
    .bind(ADMINISTRATION)
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?;
    match alone {
        Some(schedule) => Err(Refusal::LastAdministrator {
            username: user.username.clone(),
            schedule,
        }
        .into()),
        None => Ok(()),
    }
}

/// Ends the sessions of a user's workstations; returns how many.
pub(crate) async fn end_user_sessions(
    tx: &mut Tx,
    account_id: i64,
    user_id: i64,
    now: i64,
) -> StoreResult<u64> {
    Ok(query(
        "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND workstation_id IN (SELECT id FROM workstations WHERE account_id = $2 AND user_id = $3)",
    )
    .bind(now)
    .bind(account_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}
