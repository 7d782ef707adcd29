//! The Assistance panel: the guide (one page per task, searchable, each with a button to the
//! panel where the task is done), the provider's support contacts, and the diagnostics to send
//! them ("Copy diagnostics", with the exact text shown).

use hosting_api::{Health, Role, ServerState};

use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::diagnostics::{self, Inputs};
use crate::guide::{self, PAGES};
use crate::i18n::{Language, Texts};
use crate::request::Request;
use crate::{help, theme, widgets};

/// The Assistance panel's id.
pub const ID: PanelId = PanelId::new("panel-assistance");

/// The Assistance panel.
#[derive(Default)]
pub struct AssistancePanel {
    search: String,
    /// The page shown.
    page: Option<&'static str>,
    health: Request<Health>,
    copied: bool,
}

impl Panel for AssistancePanel {
    fn id(&self) -> PanelId {
        ID
    }

    /// Asks the service's version for the diagnostics.
    fn open(&mut self, cx: &mut Cx<'_>) {
        self.copied = false;
        self.health
            .start(cx.backend.call(|c| async move { c.health().await }));
    }

    /// Draws the panel; the target of a page's button when it was clicked.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        let t = cx.t;
        let guide = Texts::guide(t.language());
        let mut open = None;
        ui.heading(t.get("assistance-title"));
        ui.label(t.get("assistance-intro"));
        ui.add_space(theme::SMALL_SPACE);
        let text = diagnostics::report(&self.inputs(cx));
        ui.horizontal_top(|ui| {
            // The guide's pages, searched.
            ui.vertical(|ui| self.pages(ui, t, &guide));
            ui.separator();
            // The page shown, with the button to its task.
            let side = 300.0;
            ui.vertical(|ui| {
                ui.set_width((ui.available_width() - side - theme::SECTION_SPACE).max(200.0));
                egui::ScrollArea::vertical()
                    .id_salt("assistance-page")
                    .show(ui, |ui| {
                        if let Some(target) = self.page_ui(ui, t, &guide) {
                            open = Some(target);
                        }
                    });
            });
            ui.separator();
            // The provider's support and the diagnostics.
            ui.vertical(|ui| {
                ui.set_width(side);
                egui::ScrollArea::vertical()
                    .id_salt("assistance-support")
                    .show(ui, |ui| {
                        ui.strong(t.get("assistance-support"));
                        help::support_contacts(ui, t, &cx.options.provider);
                        ui.add_space(theme::SECTION_SPACE);
                        ui.strong(t.get("assistance-diagnostics"));
                        ui.label(t.get("assistance-diagnostics-intro"));
                        if ui.button(t.get("assistance-copy-diagnostics")).clicked() {
                            cx.options.links.copy(ui.ctx(), &text);
                            self.copied = true;
                        }
                        if self.copied {
                            widgets::success(ui, &t.get("assistance-copied"));
                        }
                        egui::CollapsingHeader::new(t.get("assistance-what-is-copied"))
                            .id_salt("assistance-diagnostics-text")
                            .show(ui, |ui| {
                                ui.monospace(&text);
                            });
                    });
            });
        });
        open
    }
}

impl AssistancePanel {
    /// The search field and the pages found; one of them is chosen.
    fn pages(&mut self, ui: &mut egui::Ui, t: &Texts, guide: &Texts) {
        ui.set_width(250.0);
        widgets::field(
            ui,
            &t.get("assistance-search"),
            &mut self.search,
            false,
            &t.get("assistance-search-hint"),
        );
        let found = guide::search(guide, &self.search);
        if found.is_empty() {
            ui.label(t.get("assistance-no-page"));
        }
        if !found.iter().any(|p| Some(p.id) == self.page) {
            self.page = found.first().map(|p| p.id);
        }
        egui::ScrollArea::vertical()
            .id_salt("assistance-pages")
            .show(ui, |ui| {
                for page in &found {
                    if ui
                        .selectable_label(self.page == Some(page.id), page.title(guide))
                        .clicked()
                    {
                        self.page = Some(page.id);
                    }
                }
            });
    }

    /// The page chosen; the target of its button when it was clicked.
    fn page_ui(&self, ui: &mut egui::Ui, t: &Texts, guide: &Texts) -> Option<Target> {
        let page = PAGES.iter().find(|p| Some(p.id) == self.page)?;
        ui.strong(page.title(guide));
        ui.add_space(theme::SMALL_SPACE);
        ui.label(page.body(guide));
        let target = page.target?;
        ui.add_space(theme::SMALL_SPACE);
        let panel = t.get(target.panel.key());
        let label = match target.tab {
            Some(tab) => t.with(
                "assistance-open-tab",
                &[("panel", &panel), ("tab", &t.get(tab.key()))],
            ),
            None => t.with("assistance-open", &[("panel", &panel)]),
        };
        widgets::action_button(ui, &label, true, false).then_some(target)
    }

    /// What the diagnostics say now.
    fn inputs(&self, cx: &Cx<'_>) -> Inputs {
        // For the provider's support: in English, whatever the window's language.
        let en = Texts::new(Language::En);
        let data = &*cx.data;
        let account = data.account.value();
        Inputs {
            console_version: env!("CARGO_PKG_VERSION").to_string(),
            system: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            provider: if cx.options.provider.allows_demonstration() {
                "demonstration (no provider)".to_string()
            } else {
                help::provider_name(&en, &cx.options.provider)
            },
            service_address: cx.server.to_string(),
            ca_fingerprint: cx.ca_fingerprint.to_string(),
            service_version: self.health.value().map(|h| h.version.clone()),
            school: account.map(|a| a.school_name.clone()),
            hosting_number: account.map(|a| a.hosting_number.clone()),
            logged_in: data.principal.as_ref().map(|p| match p.role {
                Role::Manager => "hosting manager".to_string(),
                Role::Superadmin => format!(
                    "superadministrator {}",
                    p.username.clone().unwrap_or_default()
                ),
            }),
            version: data.upgrade.value().map(|u| {
                format!(
                    "{} ({})",
                    u.current_version,
                    super::account::upgrade_line(&en, u)
                )
            }),
            certificate_until: data
                .workstations
                .value()
                .and_then(|list| list.iter().find(|w| w.current))
                .map(|w| w.not_after.clone()),
            schedules: data
                .schedules
                .value()
                .map(|list| {
                    list.iter()
                        .map(|s| {
                            let address = match (&s.host, s.port) {
                                (Some(host), Some(port)) => format!("{host}:{port}"),
                                _ => "no domain name".to_string(),
                            };
                            let state = match s.server.state {
                                ServerState::Running => "running",
                                ServerState::Stopped => "shut down",
                            };
                            format!("{} — {address} — {state}", s.name)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            log_folder: cx.options.data_dir.display().to_string(),
            failures: cx.backend.recent_failures(),
        }
    }
}
