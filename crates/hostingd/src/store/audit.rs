//! The audit record: who, from which workstation, when and what, written in the transaction of
//! the change it describes.

use serde::Serialize;

use super::Store;
use super::StoreResult;
use super::db::{Tx, query, query_as};

/// Who makes a change.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account the change belongs to.
    pub account_id: i64,
    /// `manager`, `superadmin:<username>`, `operator` or `public`.
    pub label: String,
    /// The workstation the request came from.
    pub workstation_id: Option<i64>,
    /// The TCP peer of the request (`ConnectInfo`), for changes made through the API.
    pub source_addr: Option<String>,
}

impl Actor {
    /// The provider's staff, through the `hostingd` command line.
    pub fn operator(account_id: i64) -> Actor {
        Actor {
            account_id,
            label: "operator".to_string(),
            workstation_id: None,
            source_addr: None,
        }
    }

    /// The service itself: the job runner, start-up checks.
    pub fn service(account_id: i64) -> Actor {
        Actor {
            account_id,
            label: "service".to_string(),
            workstation_id: None,
            source_addr: None,
        }
    }

    /// The same actor, for a request from `source`.
    pub fn from_source(self, source: std::net::IpAddr) -> Actor {
        Actor {
            source_addr: Some(source.to_string()),
            ..self
        }
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AuditEntry {
    /// Identifier.
    pub id: i64,
    /// Account.
    pub account_id: Option<i64>,
    /// Unix seconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// From which workstation.
    pub workstation_id: Option<i64>,
    /// What, e.g. `controller.domain_set`.
    pub action: String,
    /// Details as JSON (never a secret).
    pub detail: String,
    /// The caller's IP address, where the entry is about a request (every change made through
    /// the API, failed logins and enrollments, lock-outs); none for the operator and the jobs.
    pub source_addr: Option<String>,
    /// The `hostingd` instance that wrote it (`--instance-id`); none before instances were named.
    pub instance_id: Option<String>,
}

/// Writes an audit record in `tx`.
pub(super) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    at: i64,
    action: &str,
    detail: serde_json::Value,
) -> StoreResult<()> {
    record_from(
        tx,
        Some(actor.account_id),
        &actor.label,
        actor.workstation_id,
        actor.source_addr.as_deref(),
        at,
        action,
        detail,
    )
    .await
}

/// Writes an audit record in `tx` with the caller's address; `account_id` is `None` when the
/// request named no existing account (an enrollment on an unknown hosting number).
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_from(
    tx: &mut Tx,
    account_id: Option<i64>,
    actor: &str,
    workstation_id: Option<i64>,
    source_addr: Option<&str>,
    at: i64,
    action: &str,
    detail: serde_json::Value,
) -> StoreResult<()> {
    query(
        "INSERT INTO audit_log (account_id, at, actor, workstation_id, action, detail, source_addr, instance_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(account_id)
    .bind(at)
    .bind(actor)
    .bind(workstation_id)
    .bind(action)
    .bind(detail.to_string())
    .bind(source_addr)
    .bind(crate::instance::id())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// The audit records of an account, oldest first.
    pub async fn audit_log(&self, account_id: i64) -> StoreResult<Vec<AuditEntry>> {
        Ok(query_as::<AuditEntry>(
            "SELECT id, account_id, at, actor, workstation_id, action, detail, source_addr, instance_id FROM audit_log WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// The audit records about requests from `source_addr` (on any account or none), oldest
    /// first.
    pub async fn audit_log_from(&self, source_addr: &str) -> StoreResult<Vec<AuditEntry>> {
        Ok(query_as::<AuditEntry>(
            "SELECT id, account_id, at, actor, workstation_id, action, detail, source_addr, instance_id FROM audit_log WHERE source_addr = $1 ORDER BY id",
        )
        .bind(source_addr)
        .fetch_all(&self.pool)
        .await?)
    }
}
