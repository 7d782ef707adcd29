//! Enrolled workstations: their certificates' fingerprints, listing and revocation.

use hosting_api::About;
use hosting_api::types::Role;
use serde_json::json;

use super::db::{query, query_as, query_scalar};
use super::notifications::{Audience, Notice, notify};
use super::{Actor, Store, audit, outbox};
use super::{StoreError, StoreResult};
use crate::clock::rfc3339;
use crate::messages::{self, Installer};

/// A workstation row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkstationRow {
    /// Identifier.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// The role the certificate was issued to; an unknown string in the database is a decoding
    /// error, never a default.
    pub role: Role,
    /// The superadministrator, for a superadmin workstation.
    pub user_id: Option<i64>,
    /// Username of that user.
    pub username: Option<String>,
    /// Name.
    pub name: String,
    /// SHA-256 of the certificate.
    pub fingerprint: String,
    /// Unix seconds.
    pub enrolled_at: i64,
    /// Unix seconds.
    pub not_after: i64,
    /// Unix seconds.
    pub revoked_at: Option<i64>,
}

/// A workstation to record at enrollment.
#[derive(Debug, Clone)]
pub struct NewWorkstation {
    /// The role of the certificate.
    pub role: Role,
    /// The superadministrator.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// SHA-256 of the certificate.
    pub fingerprint: String,
    /// Unix seconds.
    pub not_after: i64,
}

impl Store {
    /// Records an enrolled workstation and, in the same transaction, its audit record and the
    /// e-mail that tells the hosting manager (a stolen password and invoice number show up there).
    pub async fn insert_workstation(
        &self,
        actor: &Actor,
        workstation: &NewWorkstation,
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let id: i64 = query_scalar(
            "INSERT INTO workstations (account_id, role, user_id, name, fingerprint, enrolled_at, not_after) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(workstation.role)
        .bind(workstation.user_id)
        .bind(&workstation.name)
        .bind(&workstation.fingerprint)
        .bind(now)
        .bind(workstation.not_after)
        .fetch_one(&mut tx)
        .await?;
        let actor = Actor {
            workstation_id: Some(id),
            ..actor.clone()
        };
        audit::record(
            &mut tx,
            &actor,
            now,
            "workstation.enrolled",
            json!({"workstation_id": id, "name": workstation.name, "role": workstation.role.as_str(), "fingerprint": workstation.fingerprint}),
        )
        .await?;
        let (school, email): (String, String) =
            query_as("SELECT school_name, email FROM accounts WHERE id = $1")
                .bind(actor.account_id)
                .fetch_one(&mut tx)
                .await?;
        let installer = match workstation.role {
            Role::Superadmin => Installer::Superadmin(
                actor
                    .label
                    .strip_prefix("superadmin:")
                    .unwrap_or(&actor.label),
            ),
            Role::Manager => Installer::Manager,
        };
        let username = match installer {
            Installer::Superadmin(username) => Some(username.to_string()),
            Installer::Manager => None,
        };
        let message = messages::workstation_installed_email(
            installer,
            &school,
            &workstation.name,
            &rfc3339(now),
            &workstation.fingerprint,
        );
        outbox::enqueue(&mut tx, actor.account_id, now, "email", &email, &message).await?;
        // The bell says it too; the e-mail above is its e-mail.
        let notice = Notice {
            about: About::WorkstationEnrolled {
                name: workstation.name.clone(),
                role: workstation.role,
                username: username.clone(),
            },
            dedupe_key: format!("enrolled:{id}"),
            audience: Audience::Manager,
            schedule_id: None,
            workstation_id: Some(id),
        };
        notify(&mut tx, actor.account_id, now, &notice, None).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renews `old`'s certificate: a new workstation row that replaces it (same role, user and
    /// name), the old one and its sessions revoked, and a session of the new certificate, in
    /// one transaction. Returns the new workstation's id.
    pub async fn renew_workstation(
        &self,
        actor: &Actor,
        old: &WorkstationRow,
        fingerprint: &str,
        not_after: i64,
        token_hash: &str,
        session_expires_at: i64,
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let revoked = query(
            "UPDATE workstations SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(old.id)
        .bind(old.account_id)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if revoked == 0 {
            return Err(StoreError::NotFound("workstation"));
        }
        query(
            "UPDATE sessions SET revoked_at = $1 WHERE workstation_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(old.id)
        .execute(&mut tx)
        .await?;
        let id: i64 = query_scalar(
            "INSERT INTO workstations (account_id, role, user_id, name, fingerprint, enrolled_at, not_after, replaces_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(old.account_id)
        .bind(old.role)
        .bind(old.user_id)
        .bind(&old.name)
        .bind(fingerprint)
        .bind(now)
        .bind(not_after)
        .bind(old.id)
        .fetch_one(&mut tx)
        .await?;
        query(
            "INSERT INTO sessions (token_hash, workstation_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(id)
        .bind(now)
        .bind(session_expires_at)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "workstation.renewed",
            json!({"workstation_id": id, "replaces": old.id, "name": old.name, "fingerprint": fingerprint, "old_fingerprint": old.fingerprint}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The workstation whose certificate has this fingerprint.
    pub async fn workstation_by_fingerprint(
        &self,
        fingerprint: &str,
    ) -> StoreResult<Option<WorkstationRow>> {
        Ok(query_as::<WorkstationRow>(
            "SELECT w.id, w.account_id, w.role, w.user_id, u.username, w.name, w.fingerprint, w.enrolled_at, w.not_after, w.revoked_at FROM workstations w LEFT JOIN users u ON u.id = w.user_id WHERE w.fingerprint = $1",
        )
        .bind(fingerprint)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The workstations of an account.
    pub async fn workstations(&self, account_id: i64) -> StoreResult<Vec<WorkstationRow>> {
        Ok(query_as::<WorkstationRow>(
            "SELECT w.id, w.account_id, w.role, w.user_id, u.username, w.name, w.fingerprint, w.enrolled_at, w.not_after, w.revoked_at FROM workstations w LEFT JOIN users u ON u.id = w.user_id WHERE w.account_id = $1 ORDER BY w.id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One workstation of the account, or `not_found`.
    pub async fn workstation(
        &self,
        account_id: i64,
        workstation_id: i64,
    ) -> StoreResult<WorkstationRow> {
        query_as::<WorkstationRow>(
            "SELECT w.id, w.account_id, w.role, w.user_id, u.username, w.name, w.fingerprint, w.enrolled_at, w.not_after, w.revoked_at FROM workstations w LEFT JOIN users u ON u.id = w.user_id WHERE w.account_id = $1 AND w.id = $2",
        )
        .bind(account_id)
        .bind(workstation_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("workstation"))
    }

    /// Revokes a workstation and ends its sessions; its certificate is refused from now on. The
    /// audit record names the revoked workstation (id, role, name, fingerprint, username) and,
    /// through the actor, the workstation the revocation came from. Revoking an already revoked
    /// workstation changes nothing.
    pub async fn revoke_workstation(&self, actor: &Actor, workstation_id: i64) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let target = query_as::<(Role, String, String, Option<String>)>(
            "SELECT w.role, w.name, w.fingerprint, u.username FROM workstations w LEFT JOIN users u ON u.id = w.user_id WHERE w.id = $1 AND w.account_id = $2",
        )
        .bind(workstation_id)
        .bind(actor.account_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("workstation"))?;
        let changed = query(
            "UPDATE workstations SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(workstation_id)
        .bind(actor.account_id)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(());
        }
        query(
            "UPDATE sessions SET revoked_at = $1 WHERE workstation_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(workstation_id)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "workstation.revoked",
            json!({"workstation_id": workstation_id, "role": target.0.as_str(), "name": target.1,
                   "fingerprint": target.2, "username": target.3}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account of a workstation (operator commands).
    pub async fn workstation_account(&self, workstation_id: i64) -> StoreResult<Option<i64>> {
        Ok(
            query_scalar("SELECT account_id FROM workstations WHERE id = $1")
                .bind(workstation_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
