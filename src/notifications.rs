//! The bell in the header: the notifications of the account that the person has not read
//! (upgrade coming, this workstation's certificate expiring, a safeguard that failed, a server
//! the service had to stop, the contract's end coming, a new workstation), each with the panel
//! where to act, marked read one by one or all at once. Read marks are the person's own.

use hosting_api::{About, Notification, NotificationKind, Notifications, Role};

use crate::backend::Backend;
use crate::format;
use crate::i18n::Texts;
use crate::panels::{ServerTab, Target, account, server, workstations};
use crate::request::Request;
use crate::{theme, widgets};

/// How often the bell asks the service, in seconds.
const EVERY_SECONDS: f64 = 60.0;

/// The bell and its window.
#[derive(Default)]
pub struct Bell {
    list: Request<Notifications>,
    mark: Request<()>,
    /// When the list was last asked (egui's clock).
    asked_at: Option<f64>,
    /// The window is open.
    pub open: bool,
}

/// The sentence of a notification, from what it says.
pub fn sentence(t: &Texts, item: &Notification) -> String {
    let schedule = item.schedule_name.clone().unwrap_or_default();
    match item.about() {
        About::UpgradeComing { version, day, .. } => t.with(
            "notification-upgrade_coming",
            &[("version", &version), ("day", &format::day(t, &day))],
        ),
        About::CertificateExpiring {
            name, not_after, ..
        } => t.with(
            "notification-certificate_expiring",
            &[
                ("name", &name),
                (
                    "date",
                    &format::day(t, &not_after.chars().take(10).collect::<String>()),
                ),
            ],
        ),
        About::SafeguardFailed { day, .. } => t.with(
            "notification-safeguard_failed",
            &[("schedule", &schedule), ("day", &format::day(t, &day))],
        ),
        About::ServerStopped { .. } => {
            t.with("notification-server_stopped", &[("schedule", &schedule)])
        }
        About::ContractEnding { ends_on, .. } => t.with(
            "notification-contract_ending",
            &[("date", &format::day(t, &ends_on))],
        ),
        About::WorkstationEnrolled {
            name,
            role,
            username,
        } => {
            let who = match role {
                Role::Manager => t.get("role-manager"),
                Role::Superadmin => username.unwrap_or_default(),
            };
            t.with(
                "notification-workstation_enrolled",
                &[("name", &name), ("who", &who)],
            )
        }
        About::Unknown => t.get("notification-unknown"),
    }
}

/// Where to act on a notification (its schedule's tab, for one about a schedule).
pub fn target(item: &Notification) -> Option<Target> {
    let at = |panel, tab| {
        Some(Target {
            panel,
            tab,
            schedule: item.schedule_id,
        })
    };
    match item.kind {
        NotificationKind::UpgradeComing
        | NotificationKind::CertificateExpiring
        | NotificationKind::ContractEnding => at(account::ID, None),
        NotificationKind::SafeguardFailed => at(server::ID, Some(ServerTab::Safeguards)),
        NotificationKind::ServerStopped => at(server::ID, Some(ServerTab::ActiveBase)),
        NotificationKind::WorkstationEnrolled => at(workstations::ID, None),
        NotificationKind::Unknown => None,
    }
}

impl Bell {
    /// Forgets everything (a new session).
    pub fn reset(&mut self) {
        *self = Bell::default();
    }

    fn load(&mut self, backend: &Backend, now: f64) {
        self.asked_at = Some(now);
        self.list
            .start(backend.call(|c| async move { c.notifications().await }));
    }

    /// Asks the service again when it is time (and at once the first time), then keeps the
    /// window repainted to ask again.
    pub fn refresh_when_due(&mut self, ctx: &egui::Context, backend: &Backend) {
        let now = ctx.input(|i| i.time);
        if self.mark.arrived().is_some_and(|r| r.is_ok()) {
            self.load(backend, now);
        }
        let due = self.asked_at.is_none_or(|at| now - at >= EVERY_SECONDS);
        if due && !self.list.is_pending() {
            self.load(backend, now);
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(EVERY_SECONDS));
    }

    /// The unread count, once known.
    pub fn unread(&self) -> Option<u32> {
        self.list.value().map(|list| list.unread)
    }

    /// The bell's button in the header; a click opens or closes the window.
    pub fn button(&mut self, ui: &mut egui::Ui, t: &Texts) {
        let count = self.unread().unwrap_or(0);
        let text = t.with("notifications-button", &[("count", &count.to_string())]);
        let text = if count > 0 {
            egui::RichText::new(text).strong()
        } else {
            egui::RichText::new(text)
        };
        if ui.button(text).clicked() {
            self.open = !self.open;
            if self.open {
                // Opened: the list as it is now.
                self.asked_at = None;
            }
        }
    }

    /// The window of the notifications; where to go when the person clicked Open.
    pub fn window(&mut self, ctx: &egui::Context, t: &Texts, backend: &Backend) -> Option<Target> {
        if !self.open {
            return None;
        }
        let mut go = None;
        let mut open = self.open;
        egui::Window::new(t.get("notifications-title"))
            .open(&mut open)
            .collapsible(false)
            .default_width(theme::NOTICE_WIDTH)
            .show(ctx, |ui| {
                widgets::failure(ui, t, self.list.failure());
                widgets::failure(ui, t, self.mark.failure());
                let Some(list) = self.list.value().cloned() else {
                    ui.spinner();
                    return;
                };
                if list.items.is_empty() {
                    ui.label(t.get("notifications-none"));
                    return;
                }
                if list.unread > 0
                    && widgets::action_button(
                        ui,
                        &t.get("notifications-read-all"),
                        true,
                        self.mark.is_pending(),
                    )
                {
                    self.mark.start(
                        backend.call(|c| async move { c.mark_all_notifications_read().await }),
                    );
                }
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        for item in &list.items {
                            ui.separator();
                            let text = sentence(t, item);
                            if item.read {
                                ui.label(&text);
                            } else {
                                ui.strong(&text);
                            }
                            ui.horizontal(|ui| {
                                ui.weak(format::date_time(&item.created_at));
                                if let Some(target) = target(item)
                                    && widgets::named_button(
                                        ui,
                                        &t.get("notifications-open"),
                                        &t.with("notifications-open-named", &[("what", &text)]),
                                        true,
                                    )
                                {
                                    go = Some(target);
                                }
                                if !item.read
                                    && widgets::named_button(
                                        ui,
                                        &t.get("notifications-read"),
                                        &t.with("notifications-read-named", &[("what", &text)]),
                                        !self.mark.is_pending(),
                                    )
                                {
                                    let id = item.id;
                                    self.mark.start(backend.call(move |c| async move {
                                        c.mark_notification_read(id).await
                                    }));
                                }
                            });
                        }
                    });
            });
        self.open = open && go.is_none();
        go
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn item(kind: NotificationKind, detail: serde_json::Value) -> Notification {
        Notification {
            id: 1,
            kind,
            created_at: "2030-08-01T09:00:00Z".to_string(),
            read: false,
            schedule_id: Some(7),
            schedule_name: Some("planning01".to_string()),
            workstation_id: None,
            detail,
        }
    }

    #[test]
    fn every_kind_has_a_sentence_and_a_place_to_act() {
        let details = [
            (
                NotificationKind::UpgradeComing,
                serde_json::json!({"version": "2031", "from_version": "2030", "day": "2030-08-21"}),
            ),
            (
                NotificationKind::CertificateExpiring,
                serde_json::json!({"name": "PC Secrétariat", "not_after": "2030-08-30T00:00:00Z", "days_left": 29}),
            ),
            (
                NotificationKind::SafeguardFailed,
                serde_json::json!({"day": "2030-08-01", "reason": "storage"}),
            ),
            (
                NotificationKind::ServerStopped,
                serde_json::json!({"cause": "upgrade", "reason": "port"}),
            ),
            (
                NotificationKind::ContractEnding,
                serde_json::json!({"ends_on": "2030-10-31", "days_left": 60}),
            ),
            (
                NotificationKind::WorkstationEnrolled,
                serde_json::json!({"name": "Laptop", "role": "superadmin", "username": "jdupont"}),
            ),
        ];
        assert_eq!(details.len(), NotificationKind::ALL.len());
        for language in Language::ALL {
            let t = Texts::new(language);
            for (kind, detail) in &details {
                let text = sentence(&t, &item(*kind, detail.clone()));
                assert!(
                    !text.contains('{') && !text.starts_with("notification-"),
                    "{text}"
                );
                let place = target(&item(*kind, detail.clone()));
                assert!(
                    place.is_some_and(|place| crate::panels::Panels::default().lists(place.panel)),
                    "{kind:?}"
                );
            }
            let upgrade = sentence(&t, &item(details[0].0, details[0].1.clone()));
            assert!(
                upgrade.contains("2031") && upgrade.contains("2030"),
                "{upgrade}"
            );
            let enrolled = sentence(&t, &item(details[5].0, details[5].1.clone()));
            assert!(
                enrolled.contains("Laptop") && enrolled.contains("jdupont"),
                "{enrolled}"
            );
        }
        let safeguard = target(&item(details[2].0, details[2].1.clone())).unwrap();
        assert_eq!(
            (safeguard.panel, safeguard.tab, safeguard.schedule),
            (server::ID, Some(ServerTab::Safeguards), Some(7))
        );
        let unknown = item(NotificationKind::Unknown, serde_json::json!({}));
        assert!(target(&unknown).is_none());
        assert!(!sentence(&Texts::new(Language::Fr), &unknown).is_empty());
    }
}
