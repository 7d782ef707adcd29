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

    /// A user through a PRONOTE Client connected to a schedule's server.
    pub fn client(account_id: i64, username: &str) -> Actor {
        Actor {
            account_id,
            label: format!("client:{username}"),
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
    // The schedule the record is about, for the audit view's filters and scopes.
    let schedule_id = detail
        .get("schedule_id")
        .and_then(serde_json::Value::as_i64);
    query(
        "INSERT INTO audit_log (account_id, at, actor, workstation_id, action, detail, source_addr, instance_id, schedule_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(account_id)
    .bind(at)
    .bind(actor)
    .bind(workstation_id)
    .bind(action)
    .bind(detail.to_string())
    .bind(source_addr)
    .bind(crate::instance::id())
    .bind(schedule_id)
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

/// A record of the audit view, with the names it refers to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    /// Identifier.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who (`manager`, `superadmin:<username>`, `service`, `operator`, `public`).
    pub actor: String,
    /// From which workstation.
    pub workstation_id: Option<i64>,
    /// Its name.
    pub workstation_name: Option<String>,
    /// What.
    pub action: String,
    /// The schedule it is about.
    pub schedule_id: Option<i64>,
    /// Its name.
    pub schedule_name: Option<String>,
    /// Details, JSON.
    pub detail: String,
    /// The caller's address.
    pub source_addr: Option<String>,
}

/// The filters of the audit view; `None` leaves a filter out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// From this time on (Unix seconds, included).
    pub since: Option<i64>,
    /// Before this time (Unix seconds, excluded).
    pub until: Option<i64>,
    /// This actor exactly.
    pub actor: Option<String>,
    /// This action, or every action that starts with it when it ends with a dot.
    pub action: Option<String>,
    /// Records older than this id (the next page).
    pub before_id: Option<i64>,
}

/// What a caller may see of an account's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Everything (the hosting manager).
    All,
    /// A superadministrator: their own actions, and every action on these schedules.
    Own {
        /// Their actor label.
        actor: String,
        /// The schedules of their Administration profile.
        schedules: Vec<i64>,
    },
}

impl Store {
    /// A page of an account's audit log, newest first, at most `limit` records.
    pub async fn audit_page(
        &self,
        account_id: i64,
        filter: &AuditFilter,
        scope: &AuditScope,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        use super::db::Arg;
        let mut clauses = vec!["a.account_id = $1".to_string()];
        let mut args: Vec<Arg> = vec![account_id.into()];
        let mut push = |clause: &str, value: Arg, args: &mut Vec<Arg>| {
            args.push(value);
            clauses.push(clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(since) = filter.since {
            push("a.at >= ?", since.into(), &mut args);
        }
        if let Some(until) = filter.until {
            push("a.at < ?", until.into(), &mut args);
        }
        if let Some(actor) = &filter.actor {
            push("a.actor = ?", actor.clone().into(), &mut args);
        }
        if let Some(action) = &filter.action {
            if action.ends_with('.') {
                // A prefix: the characters LIKE treats specially are escaped.
                let pattern = format!(
                    "{}%",
                    action
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                push("a.action LIKE ? ESCAPE '\\'", pattern.into(), &mut args);
            } else {
                push("a.action = ?", action.clone().into(), &mut args);
            }
        }
        if let Some(before) = filter.before_id {
            push("a.id < ?", before.into(), &mut args);
        }
        if let AuditScope::Own { actor, schedules } = scope {
            args.push(actor.clone().into());
            let actor_arg = args.len();
            let listed: Vec<String> = schedules.iter().map(i64::to_string).collect();
            clauses.push(if listed.is_empty() {
                format!("a.actor = ${actor_arg}")
            } else {
                // Ids of the database, not input: written in the statement.
                format!(
                    "(a.actor = ${actor_arg} OR a.schedule_id IN ({}))",
                    listed.join(", ")
                )
            });
        }
        args.push(limit.into());
        let sql = format!(
            "SELECT a.id, a.at, a.actor, a.workstation_id, w.name AS workstation_name, a.action, a.schedule_id, s.name AS schedule_name, a.detail, a.source_addr FROM audit_log a LEFT JOIN workstations w ON w.id = a.workstation_id LEFT JOIN schedules s ON s.id = a.schedule_id WHERE {} ORDER BY a.id DESC LIMIT ${}",
            clauses.join(" AND "),
            args.len()
        );
        let mut statement = query_as::<AuditRow>(sqlx::AssertSqlSafe(sql));
        for arg in args {
            statement = statement.bind(arg);
        }
        Ok(statement.fetch_all(&self.pool).await?)
    }

    /// The schedules of the account whose Administration profile has `user_id`.
    pub async fn administration_schedules(
        &self,
        account_id: i64,
        user_id: i64,
    ) -> StoreResult<Vec<i64>> {
        Ok(super::db::query_scalar::<i64>(
            "SELECT p.schedule_id FROM profiles p JOIN profile_members m ON m.profile_id = p.id JOIN schedules s ON s.id = p.schedule_id WHERE s.account_id = $1 AND p.name = $2 AND m.user_id = $3 ORDER BY p.schedule_id",
        )
        .bind(account_id)
        .bind(super::ADMINISTRATION)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
