//! My account: the school, its contract, the version it runs and the yearly upgrade (the day
//! the school chooses inside the provider's window, with a countdown, or the pre-release at
//! once), and the certificate of this workstation. Days come from the service's clock (`today`
//! in the upgrade's state), so that the countdown is the service's, not the workstation's.
//! The contract's renewal (its pro-forma invoices) is in [`renewal`].

use hosting_api::types::Language;
use hosting_api::{Account, Role, UpgradeChoice, UpgradeState, UpgradeStatus};

use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::format;
use crate::i18n::Texts;
use crate::request::Request;
use crate::widgets;

mod renewal;

use renewal::Renewal;

/// The My account panel's id.
pub const ID: PanelId = PanelId::new("panel-account");

/// The My account panel.
#[derive(Default)]
pub struct AccountPanel {
    /// The day picked in the list, before it is saved.
    picked: Option<String>,
    save: Request<UpgradeState>,
    prerelease: Request<UpgradeState>,
    /// Renewing the contract: its pro-formas.
    renewal: Renewal,
    /// The renewal of this workstation's certificate: its new expiry.
    renew: Request<String>,
    /// The language of the account's e-mails and SMS being saved.
    language: Request<Language>,
}

/// A contract end or an upgrade this many days away, or fewer, is shown as coming.
const SOON_DAYS: i64 = 60;

impl Panel for AccountPanel {
    fn id(&self) -> PanelId {
        ID
    }

    fn open(&mut self, cx: &mut Cx<'_>) {
        cx.data.load_account();
        cx.data.load_upgrade();
        cx.data.load_workstations();
        self.renewal.open(cx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        self.draw(ui, cx);
        None
    }
}

impl AccountPanel {
    fn draw(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        for request in [&mut self.save, &mut self.prerelease] {
            if let Some(Ok(state)) = request.arrived() {
                let state = state.clone();
                cx.data.upgrade.set(state);
                self.picked = None;
            }
        }
        ui.horizontal(|ui| {
            ui.heading(t.get("account-title"));
            if ui.button(t.get("refresh")).clicked() {
                cx.data.load_account();
                cx.data.load_upgrade();
                cx.data.load_workstations();
                cx.data.load_schedules();
            }
            if cx.data.account.is_pending() || cx.data.upgrade.is_pending() {
                ui.spinner();
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("account-panel")
            .show(ui, |ui| {
                self.school(ui, cx);
                ui.separator();
                self.versions(ui, cx);
                ui.separator();
                self.certificate(ui, cx);
                ui.separator();
                self.renewal.ui(ui, cx);
            });
    }

    /// The school and its contract.
    fn school(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        let Some(account) = cx.data.account.value().cloned() else {
            widgets::failure(ui, t, cx.data.account.failure());
            return;
        };
        let today = cx.data.upgrade.value().map(|u| u.today.clone());
        ui.strong(t.get("account-school"));
        egui::Grid::new("account-school")
            .num_columns(2)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                ui.label(t.get("account-school-name"));
                ui.label(&account.school_name);
                ui.end_row();
                ui.label(t.get("account-hosting-number"));
                ui.label(&account.hosting_number);
                ui.end_row();
                ui.label(t.get("account-contract-kind"));
                let kind = format!("contract-kind-{}", account.contract.kind);
                ui.label(if t.has(&kind) {
                    t.get(&kind)
                } else {
                    account.contract.kind.clone()
                });
                ui.end_row();
                if let Some(start) = &account.contract.starts_on {
                    ui.label(t.get("account-contract-start"));
                    ui.label(format::day(t, start));
                    ui.end_row();
                }
                ui.label(t.get("account-contract-end"));
                let left = today
                    .as_deref()
                    .and_then(|today| format::days_between(today, &account.contract.ends_on));
                let end = format::day(t, &account.contract.ends_on);
                match left {
                    Some(days) if (0..=SOON_DAYS).contains(&days) => ui.colored_label(
                        ui.visuals().warn_fg_color,
                        t.with(
                            if days == 0 {
                                "account-contract-ends-today"
                            } else {
                                "account-contract-ends-in"
                            },
                            &[("date", &end), ("days", &days.to_string())],
                        ),
                    ),
                    _ => ui.label(end),
                };
                ui.end_row();
                ui.label(t.get("account-administration-licences"));
                ui.label(account.contract.administration_licences.to_string());
                ui.end_row();
                for schedule in cx.data.schedules.value().cloned().unwrap_or_default() {
                    ui.label(t.with("account-campus-net", &[("schedule", &schedule.name)]));
                    ui.label(t.get(if schedule.campus_net_licence {
                        "yes"
                    } else {
                        "no"
                    }));
                    ui.end_row();
                }
                if !account.console_download_url.is_empty() {
                    ui.label(t.get("account-console-download"));
                    ui.hyperlink(&account.console_download_url);
                    ui.end_row();
                }
            });
        self.language(ui, cx, &account);
    }

    /// The language of the account's e-mails and SMS: the hosting manager chooses it, the
    /// superadministrators see it.
    fn language(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, account: &Account) {
        let t = cx.t;
        if let Some(Ok(_)) = self.language.arrived() {
            cx.data.load_account();
        }
        let manager = account.role == Role::Manager;
        let shown = match self.language.value() {
            // Until the account is read again, what was chosen.
            Some(chosen) if self.language.is_pending() || cx.data.account.is_pending() => *chosen,
            _ => account.language,
        };
        let mut picked = shown;
        ui.add_space(crate::theme::SMALL_SPACE);
        ui.horizontal(|ui| {
            ui.label(t.get("account-language"));
            ui.add_enabled_ui(manager && !self.language.is_pending(), |ui| {
                for (language, key) in [
                    (Language::Fr, "account-language-fr"),
                    (Language::En, "account-language-en"),
                ] {
                    ui.radio_value(&mut picked, language, t.get(key));
                }
            });
            if self.language.is_pending() {
                ui.spinner();
            }
        });
        widgets::note(
            ui,
            &t.get(if manager {
                "account-language-hint"
            } else {
                "account-language-manager-only"
            }),
        );
        widgets::failure(ui, t, self.language.failure());
        if manager && picked != shown {
            self.language.start(
                cx.backend
                    .call(move |c| async move { c.set_language(picked).await.map(|()| picked) }),
            );
        }
    }

    /// The version and the yearly upgrade.
    fn versions(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.strong(t.get("account-versions"));
        widgets::failure(ui, t, cx.data.upgrade.failure());
        let Some(upgrade) = cx.data.upgrade.value().cloned() else {
            return;
        };
        ui.label(t.with(
            "account-current-version",
            &[("version", &upgrade.current_version)],
        ));
        ui.label(upgrade_line(t, &upgrade));
        let (Some(next), Some(window)) = (upgrade.next_version.clone(), upgrade.window.clone())
        else {
            return;
        };
        if upgrade.state != UpgradeStatus::Pending {
            return;
        }
        // The days the school may still choose: from today (or the window's first day) on.
        let days: Vec<String> = window_days(&window.start, &window.end, &upgrade.today);
        let current = upgrade
            .effective_date
            .clone()
            .unwrap_or_else(|| window.start.clone());
        let picked = self.picked.get_or_insert_with(|| current.clone());
        ui.horizontal(|ui| {
            egui::ComboBox::from_label(t.get("upgrade-day"))
                .selected_text(format::day(t, picked))
                .show_ui(ui, |ui| {
                    for day in &days {
                        ui.selectable_value(picked, day.clone(), format::day(t, day));
                    }
                });
            let changed = *picked != current;
            if widgets::action_button(
                ui,
                &t.get("upgrade-save"),
                changed && !days.is_empty(),
                self.save.is_pending(),
            ) {
                let choice = UpgradeChoice {
                    chosen_date: Some(picked.clone()),
                    prerelease: None,
                };
                self.save.start(
                    cx.backend
                        .call(move |c| async move { c.choose_upgrade(&choice).await }),
                );
            }
        });
        widgets::failure(ui, t, self.save.failure());
        if self.save.is_done() {
            widgets::success(ui, &t.get("upgrade-saved"));
        }
        self.prerelease_row(ui, cx, &upgrade, &next);
    }

    /// Moving to the pre-release of `next` now, once the service offers it.
    fn prerelease_row(
        &mut self,
        ui: &mut egui::Ui,
        cx: &Cx<'_>,
        upgrade: &UpgradeState,
        next: &str,
    ) {
        let t = cx.t;
        let from = upgrade.prerelease_from.clone().unwrap_or_default();
        let open = format::days_between(&from, &upgrade.today).is_some_and(|d| d >= 0);
        ui.horizontal(|ui| {
            if widgets::action_button(
                ui,
                &t.with("upgrade-prerelease", &[("version", next)]),
                open && !upgrade.prerelease_requested,
                self.prerelease.is_pending(),
            ) {
                let choice = UpgradeChoice {
                    chosen_date: None,
                    prerelease: Some(true),
                };
                self.prerelease.start(
                    cx.backend
                        .call(move |c| async move { c.choose_upgrade(&choice).await }),
                );
            }
            if !open {
                ui.label(t.with(
                    "upgrade-prerelease-from",
                    &[("version", next), ("date", &format::day(t, &from))],
                ));
            }
        });
        widgets::failure(ui, t, self.prerelease.failure());
    }
}

/// Whether the person logged in is a superadministrator.
fn superadmin(cx: &Cx<'_>) -> bool {
    cx.data.role() == Some(Role::Superadmin)
}

/// The days of the window from `today` on.
fn window_days(start: &str, end: &str, today: &str) -> Vec<String> {
    let (Some(start), Some(end), Some(today)) = (
        format::parse_day(start),
        format::parse_day(end),
        format::parse_day(today),
    ) else {
        return Vec::new();
    };
    let mut day = start.max(today);
    let mut days = Vec::new();
    while day <= end {
        days.push(format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        ));
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    days
}

/// Where the upgrade stands, in one sentence with its countdown.
pub fn upgrade_line(t: &Texts, upgrade: &UpgradeState) -> String {
    let next = upgrade.next_version.clone().unwrap_or_default();
    match upgrade.state {
        UpgradeStatus::None => t.get("upgrade-none"),
        UpgradeStatus::Done => t.with("upgrade-done", &[("version", &upgrade.current_version)]),
        UpgradeStatus::Running => t.with("upgrade-running", &[("version", &next)]),
        UpgradeStatus::Failed => t.with("upgrade-failed", &[("version", &next)]),
        UpgradeStatus::Pending if upgrade.prerelease_requested => {
            t.with("upgrade-prerelease-requested", &[("version", &next)])
        }
        UpgradeStatus::Pending => {
            let date = upgrade.effective_date.clone().unwrap_or_default();
            let days = format::days_between(&upgrade.today, &date).unwrap_or(0);
            let mut line = t.with(
                if days == 0 {
                    "upgrade-planned-today"
                } else {
                    "upgrade-planned"
                },
                &[
                    ("version", &next),
                    ("date", &format::day(t, &date)),
                    ("days", &days.to_string()),
                ],
            );
            if let Some(error) = &upgrade.last_error {
                line.push(' ');
                line.push_str(&t.with("upgrade-last-error", &[("error", error)]));
            }
            line
        }
    }
}

impl AccountPanel {
    /// This workstation's certificate: until when it is valid, and its renewal.
    fn certificate(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        if let Some(Ok(_)) = self.renew.arrived() {
            cx.data.load_workstations();
        }
        ui.strong(t.get("account-certificate"));
        let current = cx
            .data
            .workstations
            .value()
            .and_then(|list| list.iter().find(|w| w.current).cloned());
        let Some(workstation) = current else {
            widgets::failure(ui, t, cx.data.workstations.failure());
            return;
        };
        let today = cx.data.upgrade.value().map(|u| u.today.clone());
        let until = format::day(t, &workstation.not_after);
        let left = today
            .as_deref()
            .and_then(|today| format::days_between(today, &workstation.not_after));
        ui.label(t.with("account-certificate-of", &[("name", &workstation.name)]));
        match left {
            Some(days) if days <= 30 => ui.colored_label(
                ui.visuals().warn_fg_color,
                t.with(
                    if days == 0 {
                        "account-certificate-ends-today"
                    } else {
                        "account-certificate-until-soon"
                    },
                    &[("date", &until), ("days", &days.to_string())],
                ),
            ),
            _ => ui.label(t.with("account-certificate-until", &[("date", &until)])),
        };
        let key =
            cx.data
                .account
                .value()
                .zip(cx.data.principal.as_ref())
                .map(
                    |(account, principal)| crate::platform::keystore::IdentityKey {
                        ca_fingerprint: cx.ca_fingerprint.to_string(),
                        address: cx.server.to_string(),
                        hosting_number: account.hosting_number.clone(),
                        principal: crate::backend::principal(
                            principal.role,
                            principal.username.as_deref(),
                        ),
                    },
                );
        if widgets::action_button(
            ui,
            &t.get("account-certificate-renew"),
            key.is_some(),
            self.renew.is_pending(),
        ) && let Some(key) = key
        {
            self.renew
                .start(cx.backend.renew_certificate(key, workstation.name.clone()));
        }
        ui.label(t.get("account-certificate-renew-hint"));
        widgets::failure(ui, t, self.renew.failure());
        if let Some(not_after) = self.renew.value().filter(|_| self.renew.is_done()) {
            widgets::success(
                ui,
                &t.with(
                    "account-certificate-renewed",
                    &[("date", &format::day(t, not_after))],
                ),
            );
        }
    }
}
