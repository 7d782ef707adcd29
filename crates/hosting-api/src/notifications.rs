//! Notifications: what the console's bell shows. The service writes each one once, when its
//! event happens (a safeguard that failed, a server the service had to stop, a workstation
//! enrolled, a reminder of the contract's end) or when a date comes near (the yearly upgrade, a
//! workstation's certificate). Read marks are per person: the hosting manager reading one does
//! not mark it read for a superadministrator.

use crate::paths;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};

/// What a notification is about. The console writes its sentence from the kind and the
/// notification's `detail`; a kind this console does not know yet is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The yearly upgrade happens within 7 days. Detail: `version`, `from_version`, `day`
    /// (YYYY-MM-DD).
    UpgradeComing,
    /// This workstation's certificate expires within 30 days. Detail: `name` (the
    /// workstation's), `not_after` (RFC 3339), `days_left`.
    CertificateExpiring,
    /// A schedule's safeguard could not be taken today. Detail: `day` (YYYY-MM-DD), `reason`.
    SafeguardFailed,
    /// A schedule's server is stopped: the service could not start it again. Detail: `cause`
    /// (`listener_failed` at the service's start, `upgrade` or `september_base` in a job),
    /// `reason`.
    ServerStopped,
    /// The hosting contract ends soon. Detail: `ends_on` (YYYY-MM-DD), `days_left`.
    ContractEnding,
    /// A workstation was enrolled in the account. Detail: `name`, `role` (`manager` or
    /// `superadmin`), `username` (a superadministrator's).
    WorkstationEnrolled,
    /// A kind added to the service after this console was built.
    #[serde(other)]
    Unknown,
}

impl NotificationKind {
    /// Every kind the service writes.
    pub const ALL: [NotificationKind; 6] = [
        NotificationKind::UpgradeComing,
        NotificationKind::CertificateExpiring,
        NotificationKind::SafeguardFailed,
        NotificationKind::ServerStopped,
        NotificationKind::ContractEnding,
        NotificationKind::WorkstationEnrolled,
    ];

    /// The kind as it travels and is stored, e.g. `safeguard_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::UpgradeComing => "upgrade_coming",
            NotificationKind::CertificateExpiring => "certificate_expiring",
            NotificationKind::SafeguardFailed => "safeguard_failed",
            NotificationKind::ServerStopped => "server_stopped",
            NotificationKind::ContractEnding => "contract_ending",
            NotificationKind::WorkstationEnrolled => "workstation_enrolled",
            NotificationKind::Unknown => "unknown",
        }
    }

    /// The kind of a stored or received name; `Unknown` for any other.
    pub fn parse(name: &str) -> NotificationKind {
        NotificationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .unwrap_or(NotificationKind::Unknown)
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// Identifier (newer notifications have larger ones).
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// The caller has marked it read.
    pub read: bool,
    /// The schedule it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    /// Its name now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_name: Option<String>,
    /// The workstation it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation_id: Option<i64>,
    /// The arguments of its sentence, by kind (see [`NotificationKind`]); never a secret.
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// `GET /v1/notifications`: the caller's notifications of the last 90 days, newest first (at
/// most 100), and how many of them the caller has not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notifications {
    /// Not read by the caller (the bell's count).
    pub unread: u32,
    /// The notifications, newest first.
    pub items: Vec<Notification>,
}

impl Client {
    /// `GET /v1/notifications`.
    pub async fn notifications(&self) -> ClientResult<Notifications> {
        self.call::<(), _>(Method::GET, paths::NOTIFICATIONS, None, true)
            .await
    }

    /// `POST /v1/notifications/{id}/read`: marks one notification read for the caller.
    pub async fn mark_notification_read(&self, id: i64) -> ClientResult<()> {
        self.call_empty::<()>(
            Method::POST,
            &paths::fill(paths::NOTIFICATION_READ, &[&id]),
            None,
            true,
        )
        .await
    }

    /// `POST /v1/notifications/read`: marks every notification of the caller read.
    pub async fn mark_all_notifications_read(&self) -> ClientResult<()> {
        self.call_empty::<()>(Method::POST, paths::NOTIFICATIONS_READ, None, true)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_this_console_does_not_know_is_unknown() {
        for kind in NotificationKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(
                serde_json::from_str::<NotificationKind>(&json).unwrap(),
                kind
            );
            assert_eq!(NotificationKind::parse(kind.as_str()), kind);
        }
        let item: Notification = serde_json::from_str(
            r#"{"id":3,"kind":"moon_phase","created_at":"2027-01-01T00:00:00Z","read":false,"detail":{"x":1},"later_field":true}"#,
        )
        .unwrap();
        assert_eq!(item.kind, NotificationKind::Unknown);
        assert_eq!(
            NotificationKind::parse("moon_phase"),
            NotificationKind::Unknown
        );
    }
}
