//! The Audit log panel: who did what and when, from which workstation and address, on which
//! schedule; filtered by period, person and kind, paged, and exported as CSV. The hosting
//! manager sees the whole account, a superadministrator their own actions and those on the
//! schedules of their Administration profile (the service decides).

use std::path::PathBuf;

use hosting_api::{AuditPage, AuditQuery, AuditRecord};

use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::format;
use crate::i18n::Texts;
use crate::platform::dialogs::SaveDialog;
use crate::request::Request;
use crate::widgets;

/// The kinds of actions offered in the filter: the action's prefix and its text key.
const KINDS: [(&str, &str); 11] = [
    ("server.", "audit-kind-server"),
    ("pronote_net.", "audit-kind-pronote-net"),
    ("base.", "audit-kind-bases"),
    ("safeguard.", "audit-kind-safeguards"),
    ("schedule.", "audit-kind-schedules"),
    ("user.", "audit-kind-users"),
    ("workstation.", "audit-kind-workstations"),
    ("session.", "audit-kind-sessions"),
    ("upgrade.", "audit-kind-upgrade"),
    ("year.", "audit-kind-years"),
    ("contract.", "audit-kind-contract"),
];

/// The Audit log panel's id.
pub const ID: PanelId = PanelId::new("panel-audit");

/// The Audit log panel.
#[derive(Default)]
pub struct AuditPanel {
    since: String,
    until: String,
    actor: String,
    kind: Option<&'static str>,
    /// The filters of the records shown.
    shown: AuditQuery,
    records: Vec<AuditRecord>,
    next_before_id: Option<i64>,
    page: Request<AuditPage>,
    /// More records of the same filters.
    more: Request<AuditPage>,
    export: Request<Vec<u8>>,
    saved: Request<Option<PathBuf>>,
}

impl Panel for AuditPanel {
    fn id(&self) -> PanelId {
        ID
    }

    fn open(&mut self, cx: &mut Cx<'_>) {
        self.search(cx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        self.draw(ui, cx);
        None
    }
}

impl AuditPanel {
    /// Loads the first page with the filters of the form.
    fn search(&mut self, cx: &mut Cx<'_>) {
        let query = AuditQuery {
            since: Some(self.since.trim().to_string()).filter(|s| !s.is_empty()),
            until: Some(self.until.trim().to_string()).filter(|s| !s.is_empty()),
            actor: Some(self.actor.trim().to_string()).filter(|s| !s.is_empty()),
            action: self.kind.map(str::to_string),
            ..AuditQuery::default()
        };
        self.shown = query.clone();
        self.page.start(
            cx.backend
                .call(move |c| async move { c.audit(&query).await }),
        );
    }

    fn draw(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        if let Some(Ok(page)) = self.page.arrived() {
            self.records = page.records.clone();
            self.next_before_id = page.next_before_id;
        }
        if let Some(Ok(page)) = self.more.arrived() {
            self.records.extend(page.records.iter().cloned());
            self.next_before_id = page.next_before_id;
        }
        if let Some(Ok(bytes)) = self.export.arrived() {
            let bytes = bytes.clone();
            let dialog = SaveDialog {
                title: t.get("audit-export"),
                file_name: "audit.csv".to_string(),
                filter: Some(("CSV".to_string(), vec!["csv".to_string()])),
            };
            self.saved
                .start(cx.backend.save_file(dialog, move || Ok(bytes)));
        }
        ui.heading(t.get("audit-title"));
        ui.label(t.get("audit-intro"));
        self.filters(ui, cx);
        widgets::failure(ui, t, self.page.failure());
        widgets::failure(ui, t, self.export.failure());
        widgets::failure(ui, t, self.saved.failure());
        if let Some(Some(path)) = self.saved.value().filter(|_| self.saved.is_done()) {
            widgets::success(
                ui,
                &t.with("audit-saved", &[("path", &path.display().to_string())]),
            );
        }
        if self.records.is_empty() && self.page.is_done() {
            ui.label(t.get("audit-none"));
        }
        egui::ScrollArea::vertical()
            .id_salt("audit-records")
            .show(ui, |ui| {
                table(ui, t, &self.records);
                if let Some(before) = self.next_before_id
                    && widgets::action_button(
                        ui,
                        &t.get("audit-more"),
                        true,
                        self.more.is_pending(),
                    )
                {
                    let query = AuditQuery {
                        before_id: Some(before),
                        ..self.shown.clone()
                    };
                    self.more.start(
                        cx.backend
                            .call(move |c| async move { c.audit(&query).await }),
                    );
                }
            });
    }

    fn filters(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.horizontal(|ui| {
            widgets::field(
                ui,
                &t.get("audit-since"),
                &mut self.since,
                false,
                "2027-09-01",
            );
            widgets::field(
                ui,
                &t.get("audit-until"),
                &mut self.until,
                false,
                "2027-09-30",
            );
        });
        ui.horizontal(|ui| {
            widgets::field(
                ui,
                &t.get("audit-actor"),
                &mut self.actor,
                false,
                "superadmin:jdupont",
            );
            let selected = match self.kind {
                Some(prefix) => KINDS
                    .iter()
                    .find(|k| k.0 == prefix)
                    .map_or_else(String::new, |k| t.get(k.1)),
                None => t.get("audit-kind-all"),
            };
            egui::ComboBox::from_label(t.get("audit-kind"))
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.kind, None, t.get("audit-kind-all"));
                    for (prefix, key) in KINDS {
                        ui.selectable_value(&mut self.kind, Some(prefix), t.get(key));
                    }
                });
        });
        ui.horizontal(|ui| {
            if widgets::action_button(ui, &t.get("audit-apply"), true, self.page.is_pending()) {
                self.search(cx);
            }
            if widgets::action_button(
                ui,
                &t.get("audit-export"),
                true,
                self.export.is_pending() || self.saved.is_pending(),
            ) {
                let query = self.shown.clone();
                self.export.start(
                    cx.backend
                        .call(move |c| async move { c.audit_csv(&query).await }),
                );
            }
        });
    }
}

/// The records: when, who, workstation, what, schedule, details, source.
fn table(ui: &mut egui::Ui, t: &Texts, records: &[AuditRecord]) {
    egui::Grid::new("audit")
        .striped(true)
        .num_columns(9)
        .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
        .show(ui, |ui| {
            if records.is_empty() {
                return;
            }
            for key in [
                "audit-col-at",
                "audit-col-who",
                "audit-col-workstation",
                "audit-col-what",
                "audit-col-schedule",
                "audit-col-before",
                "audit-col-after",
                "audit-col-detail",
                "audit-col-source",
            ] {
                ui.strong(t.get(key));
            }
            ui.end_row();
            for record in records {
                ui.label(format::date_time(&record.at));
                ui.label(who(t, &record.actor));
                ui.label(record.workstation_name.clone().unwrap_or_default());
                ui.label(action_text(t, &record.action))
                    .on_hover_text(&record.action);
                ui.label(record.schedule_name.clone().unwrap_or_default());
                ui.label(part(&record.detail, "before"));
                ui.label(part(&record.detail, "after"));
                ui.label(detail_text(&record.detail));
                ui.label(record.source_addr.clone().unwrap_or_default());
                ui.end_row();
            }
        });
}

/// An action as people say it (`pronote_net.stopped` → "Publication stopped"); the service's
/// name for an action this console has no words for.
pub fn action_text(t: &Texts, action: &str) -> String {
    let key = format!("audit-action-{}", action.replace(['.', '_'], "-"));
    if t.has(&key) {
        t.get(&key)
    } else {
        action.to_string()
    }
}

/// The person behind an actor label.
fn who(t: &Texts, actor: &str) -> String {
    match actor {
        "manager" => t.get("role-manager"),
        "service" => t.get("audit-actor-service"),
        "operator" => t.get("audit-actor-operator"),
        other => match (
            other.strip_prefix("superadmin:"),
            other.strip_prefix("client:"),
        ) {
            (Some(username), _) => username.to_string(),
            (_, Some(username)) => t.with("audit-actor-client", &[("username", username)]),
            _ => other.to_string(),
        },
    }
}

/// One side of a change (`before` or `after`), in one line, cut: when both sides are objects,
/// only the fields that changed (`published: true`), since the rest did not.
fn part(value: &serde_json::Value, key: &str) -> String {
    let other = if key == "before" { "after" } else { "before" };
    match (value.get(key), value.get(other)) {
        (Some(serde_json::Value::Object(side)), Some(serde_json::Value::Object(rest))) => {
            let changed: Vec<String> = side
                .iter()
                .filter(|(field, v)| rest.get(*field) != Some(*v))
                .map(|(field, v)| format!("{field}: {v}"))
                .collect();
            cut(&changed.join(", "))
        }
        (Some(side), _) => cut(&side.to_string()),
        (None, _) => String::new(),
    }
}

/// The other details in one line (ids, names), cut.
fn detail_text(value: &serde_json::Value) -> String {
    let mut rest = value.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("before");
        map.remove("after");
        if map.is_empty() {
            return String::new();
        }
    }
    cut(&rest.to_string())
}

fn cut(text: &str) -> String {
    let mut cut: String = text.chars().take(90).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_said_in_words_and_unknown_ones_as_they_are() {
        let fr = Texts::new(crate::i18n::Language::Fr);
        assert_eq!(
            action_text(&fr, "pronote_net.stopped"),
            "Publication arrêtée"
        );
        assert_eq!(
            action_text(&fr, "controller.domain_set"),
            "Domaine du contrôleur défini"
        );
        assert_eq!(action_text(&fr, "moon.rose"), "moon.rose");
    }

    #[test]
    fn a_change_shows_only_the_fields_that_changed() {
        let detail = serde_json::json!({
            "schedule_id": 3,
            "before": {"published": true, "inactivity_minutes": 20, "cas_url": null},
            "after": {"published": false, "inactivity_minutes": 20, "cas_url": null},
        });
        assert_eq!(part(&detail, "before"), "published: true");
        assert_eq!(part(&detail, "after"), "published: false");
        let plain = serde_json::json!({"before": "a", "after": "b"});
        assert_eq!(part(&plain, "after"), "\"b\"");
        assert_eq!(detail_text(&detail), "{\"schedule_id\":3}");
    }
}
