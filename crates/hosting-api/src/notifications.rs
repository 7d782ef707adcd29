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

/// What a notification says, by kind: the arguments of its sentence. The service writes a
/// notification's `kind` and `detail` from one of these, and the console reads them back into
/// one ([`Notification::about`]), so neither side reads the detail by string keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum About {
    /// The yearly upgrade happens within 7 days.
    UpgradeComing {
        /// The version it brings.
        version: String,
        /// The school's version now.
        from_version: String,
        /// Its day, YYYY-MM-DD.
        day: String,
    },
    /// A workstation's certificate expires within 30 days.
    CertificateExpiring {
        /// The workstation's name.
        name: String,
        /// When it expires (RFC 3339).
        not_after: String,
        /// Days left.
        days_left: i64,
    },
    /// A schedule's safeguard could not be taken on a day.
    SafeguardFailed {
        /// The day, YYYY-MM-DD.
        day: String,
        /// Why (the service's words, for the log).
        reason: String,
    },
    /// A schedule's server is stopped: the service could not start it again.
    ServerStopped {
        /// `listener_failed` at the service's start, `upgrade` or `september_base` in a job.
        cause: String,
        /// Why (the service's words, for the log).
        reason: String,
    },
    /// The hosting contract ends soon.
    ContractEnding {
        /// Its last day, YYYY-MM-DD.
        ends_on: String,
        /// Days left (absent when the end date could not be read).
        #[serde(default)]
        days_left: Option<i64>,
    },
    /// A workstation was enrolled in the account.
    WorkstationEnrolled {
        /// Its name.
        name: String,
        /// Who enrolled it.
        role: crate::types::Role,
        /// A superadministrator's username.
        #[serde(default)]
        username: Option<String>,
    },
    /// A kind this console does not know, or a detail it cannot read.
    Unknown,
}

impl About {
    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        match self {
            About::UpgradeComing { .. } => NotificationKind::UpgradeComing,
            About::CertificateExpiring { .. } => NotificationKind::CertificateExpiring,
            About::SafeguardFailed { .. } => NotificationKind::SafeguardFailed,
            About::ServerStopped { .. } => NotificationKind::ServerStopped,
            About::ContractEnding { .. } => NotificationKind::ContractEnding,
            About::WorkstationEnrolled { .. } => NotificationKind::WorkstationEnrolled,
            About::Unknown => NotificationKind::Unknown,
        }
    }

    /// Its detail, as it travels and is stored (a JSON object).
    pub fn detail(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map
                .remove("detail")
                .unwrap_or(serde_json::Value::Object(Default::default())),
            _ => serde_json::Value::Object(Default::default()),
        }
    }

    /// What a kind and its detail say; `Unknown` for a kind or a detail this side cannot read.
    pub fn of(kind: NotificationKind, detail: &serde_json::Value) -> About {
        if kind == NotificationKind::Unknown {
            return About::Unknown;
        }
        serde_json::from_value(serde_json::json!({"kind": kind.as_str(), "detail": detail}))
            .unwrap_or(About::Unknown)
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

impl Notification {
    /// What it says, typed.
    pub fn about(&self) -> About {
        About::of(self.kind, &self.detail)
    }
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

    #[test]
    fn the_detail_is_read_back_into_what_was_written() {
        let written = [
            About::UpgradeComing {
                version: "2031".into(),
                from_version: "2030".into(),
                day: "2030-08-21".into(),
            },
            About::CertificateExpiring {
                name: "PC".into(),
                not_after: "2030-08-30T00:00:00Z".into(),
                days_left: 29,
            },
            About::SafeguardFailed {
                day: "2030-08-01".into(),
                reason: "storage".into(),
            },
            About::ServerStopped {
                cause: "upgrade".into(),
                reason: "port".into(),
            },
            About::ContractEnding {
                ends_on: "2030-10-31".into(),
                days_left: None,
            },
            About::WorkstationEnrolled {
                name: "Laptop".into(),
                role: crate::types::Role::Superadmin,
                username: Some("jdupont".into()),
            },
        ];
        assert_eq!(written.len(), NotificationKind::ALL.len());
        for about in written {
            let detail = about.detail();
            assert!(detail.is_object(), "{detail}");
            assert!(detail.get("kind").is_none(), "{detail}");
            assert_eq!(About::of(about.kind(), &detail), about);
        }
        assert_eq!(
            About::ContractEnding {
                ends_on: "2030-10-31".into(),
                days_left: Some(3)
            }
            .detail(),
            serde_json::json!({"ends_on": "2030-10-31", "days_left": 3})
        );
        // A detail that lacks what its kind needs, or a kind this side does not know.
        let broken = serde_json::json!({"day": "2030-08-01"});
        assert_eq!(
            About::of(NotificationKind::SafeguardFailed, &broken),
            About::Unknown
        );
        assert_eq!(
            About::of(NotificationKind::Unknown, &broken),
            About::Unknown
        );
    }
}
