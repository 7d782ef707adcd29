//! The notifications of events the jobs meet (a server they could not start again) and of dates
//! that come near (the yearly upgrade, a workstation's certificate), which the hourly job
//! `jobs::notices` looks for.

use hosting_api::About;
use serde_json::json;
use time::Date;

use super::db::{Tx, query_as};
use super::notifications::{Audience, Notice, notify, school_and_email};
use super::{Actor, Store, StoreError, StoreResult, audit};
use crate::clock::rfc3339;
use crate::rules::school_year::{date_of, iso, parse_date, version_order};

/// Notifies, in `tx`, that a schedule's server is stopped because the service could not start
/// it (`cause`: `listener_failed`, `upgrade`, `september_base`; `reason`: why, in the service's
/// words), and e-mails the hosting manager; once a day a schedule.
pub(super) async fn server_stopped(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
    cause: &str,
    reason: &str,
    now: i64,
) -> StoreResult<bool> {
    let (school, email) = school_and_email(&mut *tx, account_id).await?;
    let schedule: String =
        query_as::<(String,)>("SELECT name FROM schedules WHERE id = $1 AND account_id = $2")
            .bind(schedule_id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("schedule"))?
            .0;
    let notice = Notice {
        about: About::ServerStopped {
            cause: cause.to_string(),
            reason: reason.to_string(),
        },
        dedupe_key: format!("stopped:{schedule_id}:{}", iso(date_of(now))),
        audience: Audience::All,
        schedule_id: Some(schedule_id),
        workstation_id: None,
    };
    let message = crate::messages::server_stopped_email(&school, &schedule, reason);
    notify(tx, account_id, now, &notice, Some((&email, &message))).await
}

/// An upgrade whose day comes within the notice's days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComingUpgrade {
    /// Account.
    pub account_id: i64,
    /// The version it runs.
    pub from_version: String,
    /// The release.
    pub version: String,
    /// The day it runs: the one the school chose, or the window's first.
    pub day: Date,
}

/// A workstation whose certificate ends soon.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExpiringCertificate {
    /// Workstation.
    pub workstation_id: i64,
    /// Account.
    pub account_id: i64,
    /// Its name.
    pub name: String,
    /// End of its certificate (Unix seconds).
    pub not_after: i64,
    /// Who is told: its superadministrator's e-mail, else the hosting manager's.
    pub email: String,
}

impl Store {
    /// Records that the job could not start a schedule's server again (`cause`: `upgrade`,
    /// `september_base`): audited as `server.restart_failed`, and notified (with an e-mail to
    /// the hosting manager) once a day a schedule.
    pub async fn record_server_stopped(
        &self,
        account_id: i64,
        schedule_id: i64,
        cause: &str,
        reason: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        audit::record(
            &mut tx,
            &Actor::service(account_id),
            now,
            "server.restart_failed",
            json!({"schedule_id": schedule_id, "cause": cause, "reason": reason}),
        )
        .await?;
        server_stopped(&mut tx, account_id, schedule_id, cause, reason, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upgrades still to run whose day is between `from` and `to` (both included): for
    /// each account behind a release, the nearest release, unless the school asked for its
    /// pre-release (that one runs at once).
    pub async fn upcoming_upgrades(&self, from: Date, to: Date) -> StoreResult<Vec<ComingUpgrade>> {
        let rows = query_as::<(i64, String, String, String, Option<i64>)>(
            "SELECT a.id, a.current_version, r.version, COALESCE(u.chosen_date, r.window_start), u.prerelease_requested_at FROM accounts a JOIN releases r ON r.version <> a.current_version LEFT JOIN upgrades u ON u.account_id = a.id AND u.to_version = r.version WHERE u.state IS NULL OR u.state = 'pending' ORDER BY a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut nearest: Vec<(ComingUpgrade, bool)> = Vec::new();
        for (account_id, from_version, version, day, prerelease) in rows {
            if !version_order(&version, &from_version).is_gt() {
                continue;
            }
            let Some(day) = parse_date(&day) else {
                continue;
            };
            let coming = ComingUpgrade {
                account_id,
                from_version,
                version,
                day,
            };
            match nearest.last_mut() {
                Some((last, asked)) if last.account_id == account_id => {
                    if version_order(&coming.version, &last.version).is_lt() {
                        *last = coming;
                        *asked = prerelease.is_some();
                    }
                }
                _ => nearest.push((coming, prerelease.is_some())),
            }
        }
        Ok(nearest
            .into_iter()
            .filter(|(coming, asked)| !asked && coming.day >= from && coming.day <= to)
            .map(|(coming, _)| coming)
            .collect())
    }

    /// Notifies the school that its upgrade comes, with an e-mail to the hosting manager; once
    /// per release and day (a new day chosen is told again). True when it was written.
    pub async fn notify_upgrade_coming(&self, coming: &ComingUpgrade) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (school, email) = school_and_email(&mut tx, coming.account_id).await?;
        let notice = Notice {
            about: About::UpgradeComing {
                version: coming.version.clone(),
                from_version: coming.from_version.clone(),
                day: iso(coming.day),
            },
            dedupe_key: format!("upgrade:{}:{}", coming.version, iso(coming.day)),
            audience: Audience::All,
            schedule_id: None,
            workstation_id: None,
        };
        let message = crate::messages::upgrade_coming_email(&school, &coming.version, coming.day);
        let written = notify(
            &mut tx,
            coming.account_id,
            now,
            &notice,
            Some((&email, &message)),
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The workstations whose certificate ends after `now` and by `until`: not revoked, not
    /// renewed, and (for a superadministrator's) whose user still has console access.
    pub async fn expiring_certificates(
        &self,
        now: i64,
        until: i64,
    ) -> StoreResult<Vec<ExpiringCertificate>> {
        Ok(query_as::<ExpiringCertificate>(
            "SELECT w.id AS workstation_id, w.account_id, w.name, w.not_after, COALESCE(u.email, a.email) AS email FROM workstations w JOIN accounts a ON a.id = w.account_id LEFT JOIN users u ON u.id = w.user_id WHERE w.revoked_at IS NULL AND w.not_after > $1 AND w.not_after <= $2 AND (w.user_id IS NULL OR u.console_access) AND NOT EXISTS (SELECT 1 FROM workstations n WHERE n.replaces_id = w.id) ORDER BY w.id",
        )
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Notifies the workstation that its certificate ends soon, with an e-mail to its
    /// superadministrator (or the hosting manager); once per workstation. True when written.
    pub async fn notify_certificate_expiring(
        &self,
        certificate: &ExpiringCertificate,
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (school, _) = school_and_email(&mut tx, certificate.account_id).await?;
        let ends_on = date_of(certificate.not_after);
        let days_left = (ends_on - date_of(now)).whole_days();
        let notice = Notice {
            about: About::CertificateExpiring {
                name: certificate.name.clone(),
                not_after: rfc3339(certificate.not_after),
                days_left,
            },
            dedupe_key: format!("cert:{}", certificate.workstation_id),
            audience: Audience::Workstation,
            schedule_id: None,
            workstation_id: Some(certificate.workstation_id),
        };
        let message = crate::messages::certificate_expiring_email(
            &school,
            &certificate.name,
            ends_on,
            days_left,
        );
        let written = notify(
            &mut tx,
            certificate.account_id,
            now,
            &notice,
            Some((&certificate.email, &message)),
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }
}
