//! The notifications of dates that come near, looked for once an hour: the yearly upgrade
//! within [`UPGRADE_NOTICE_DAYS`], a workstation's certificate ending within
//! [`CERTIFICATE_NOTICE_DAYS`]. Each is written once (its dedupe key), so a run that finds it
//! again changes nothing. Also what the other jobs call when they could not start a server
//! again.

use super::JobReport;
use super::Services;
use crate::fault::Fault;
use crate::store::Actor;

/// Days before the upgrade's day that the school is told (a last chance to move the day).
pub const UPGRADE_NOTICE_DAYS: i64 = 7;
/// Days before a certificate's end that its workstation is told.
pub const CERTIFICATE_NOTICE_DAYS: i64 = 30;

/// Writes the notifications of the dates that come near. One that cannot be written is logged
/// and the others are still written (the next run, an hour later, tries it again).
pub(super) async fn run(state: &Services, report: &mut JobReport) {
    let today = state.store.clock().today();
    let until = today + time::Duration::days(UPGRADE_NOTICE_DAYS);
    match state.store.upcoming_upgrades(today, until).await {
        Ok(coming) => {
            for coming in coming {
                match state.store.notify_upgrade_coming(&coming).await {
                    Ok(true) => report.notifications += 1,
                    Ok(false) => {}
                    Err(error) => {
                        tracing::error!(%error, "an upgrade's notice could not be written");
                    }
                }
            }
        }
        Err(error) => tracing::error!(%error, "the coming upgrades could not be read"),
    }
    let now = state.store.now();
    match state
        .store
        .expiring_certificates(now, now + CERTIFICATE_NOTICE_DAYS * 86_400)
        .await
    {
        Ok(certificates) => {
            for certificate in certificates {
                match state.store.notify_certificate_expiring(&certificate).await {
                    Ok(true) => report.notifications += 1,
                    Ok(false) => {}
                    Err(error) => {
                        tracing::error!(%error, "a certificate's notice could not be written");
                    }
                }
            }
        }
        Err(error) => tracing::error!(%error, "the expiring certificates could not be read"),
    }
}

/// Records (audit, notification, e-mail to the hosting manager) that a server the job stopped
/// could not start again; a failure to record it is logged.
pub(super) async fn server_stopped(
    state: &Services,
    actor: &Actor,
    schedule_id: i64,
    cause: &str,
    error: &Fault,
) {
    // The code of a refusal; nothing of an internal error (it goes to the log).
    let reason = error.reason();
    let reason = reason.as_str();
    if let Err(error) = state
        .store
        .record_server_stopped(actor.account_id, schedule_id, cause, reason)
        .await
    {
        tracing::error!(schedule = schedule_id, %error, "could not record a server the jobs could not start again");
    }
}
