//! Users of the controller: creation, list, e-mail and console access.

use serde_json::json;

use super::db::{query, query_as, query_scalar};
use super::{Actor, Store, audit, unique_or};
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
        Ok(query_as::<UserRow>(
            "SELECT id, account_id, first_name, surname, username, password_hash, superadmin, email, console_access FROM users WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One user of the account; `not_found` otherwise.
    pub async fn user(&self, account_id: i64, user_id: i64) -> StoreResult<UserRow> {
        query_as::<UserRow>(
            "SELECT id, account_id, first_name, surname, username, password_hash, superadmin, email, console_access FROM users WHERE account_id = $1 AND id = $2",
        )
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
        Ok(query_as::<UserRow>(
            "SELECT id, account_id, first_name, surname, username, password_hash, superadmin, email, console_access FROM users WHERE account_id = $1 AND username = $2",
        )
        .bind(account_id)
        .bind(username)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Sets a user's e-mail and console access (validated by the caller). Console access needs an
    /// e-mail: checked here, on the values after the change.
    pub async fn update_user(
        &self,
        actor: &Actor,
        user_id: i64,
        email: Option<String>,
        console_access: Option<bool>,
    ) -> StoreResult<UserRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let before = query_as::<(Option<String>, bool, bool, String)>(
            "SELECT email, console_access, superadmin, username FROM users WHERE id = $1 AND account_id = $2",
        )
        .bind(user_id)
        .bind(actor.account_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("user"))?;
        let new_email = email.or(before.0.clone());
        let new_access = console_access.unwrap_or(before.1);
        if console_access == Some(true) && !before.2 {
            return Err(Refusal::ConsoleAccessSuperadminOnly {
                username: before.3.clone(),
            }
            .into());
        }
        if new_access && new_email.is_none() {
            return Err(Refusal::EmailRequired.into());
        }
        if (new_email.as_ref(), new_access) != (before.0.as_ref(), before.1) {
            query("UPDATE users SET email = $1, console_access = $2 WHERE id = $3")
                .bind(&new_email)
                .bind(new_access)
                .bind(user_id)
                .execute(&mut tx)
                .await?;
            audit::record(
                &mut tx,
                actor,
                now,
                "user.updated",
                json!({"user_id": user_id,
                       "before": {"email": before.0, "console_access": before.1},
                       "after": {"email": new_email, "console_access": new_access}}),
            )
            .await?;
        }
        tx.commit().await?;
        self.user(actor.account_id, user_id).await
    }
}
