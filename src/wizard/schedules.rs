//! Step 3, and the Configuration panel: the controller's domain name and, for each schedule, its
//! name, Campus.net licence, domain name and time zone. Each domain is confirmed (as in the
//! provider's console) and comes back with its port.

use std::collections::HashMap;

use hosting_api::validate;
use hosting_api::{Controller, Publication, Schedule, ScheduleUpdate};

use super::Step;
use crate::app::Cx;
use crate::request::Request;
use crate::widgets;

/// Edits of one schedule.
#[derive(Debug, Clone, Default)]
struct ScheduleEdit {
    name: String,
    domain: String,
    campus_net_licence: bool,
    time_zone: String,
    loaded: bool,
}

/// What waits for "Yes" in the confirmation dialog.
#[derive(Debug, Clone)]
enum Pending {
    Controller(String),
    Schedule(i64, ScheduleUpdate, String),
    /// The Campus.net licence unticked: the schedule's publication is read, and when it is
    /// published the question names who loses access (the service stops it).
    Licence(i64, ScheduleUpdate),
}

/// The form of step 3 and of the Configuration panel.
#[derive(Debug, Default)]
pub struct SchedulesForm {
    controller_domain: String,
    controller_loaded: bool,
    edits: HashMap<i64, ScheduleEdit>,
    confirm: Option<Pending>,
    save_controller: Request<Controller>,
    save_schedule: HashMap<i64, Request<Schedule>>,
    /// The publication of the schedule whose licence is unticked.
    publication: Request<Publication>,
}

impl SchedulesForm {
    /// Step 3 of the wizard; returns the next step once everything has a domain.
    pub fn wizard_ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        ui.label(cx.t.get("step3-intro"));
        ui.add_space(crate::theme::GROUP_SPACE);
        self.ui(ui, cx);
        let done = cx
            .data
            .account
            .value()
            .is_some_and(|a| a.onboarding.controller && a.onboarding.schedules);
        ui.add_space(crate::theme::SECTION_SPACE);
        if !done {
            ui.weak(cx.t.get("step3-todo"));
        }
        let next = widgets::action_button(ui, &cx.t.get("next"), done, false);
        next.then_some(Step::Superadmin)
    }

    /// The controller and schedules editor.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        if let Some(controller) = cx.data.controller.value()
            && !self.controller_loaded
        {
            self.controller_domain = controller.domain.clone().unwrap_or_default();
            self.controller_loaded = true;
        }
        // The connection details are the hosting manager's: a superadministrator sees them, and
        // reads why once, above them.
        let manager = cx.data.is_manager();
        if !manager {
            widgets::note(ui, &t.get("domain-manager-only"));
        }
        ui.heading(t.get("controller"));
        let (field, domain_ok) = ui
            .add_enabled_ui(manager, |ui| {
                widgets::checked_field(
                    ui,
                    t,
                    &t.get("controller-domain"),
                    &mut self.controller_domain,
                    false,
                    &t.get("domain-hint"),
                    validate::domain,
                )
            })
            .inner;
        if let Some(controller) = cx.data.controller.value()
            && let (Some(host), Some(port)) = (&controller.host, controller.port)
        {
            widgets::success(
                ui,
                &t.with("endpoint", &[("host", host), ("port", &port.to_string())]),
            );
        }
        if manager {
            let clicked = widgets::action_button(
                ui,
                &t.get("confirm-controller"),
                domain_ok.is_ok() && !self.save_controller.is_pending(),
                self.save_controller.is_pending(),
            );
            if (clicked || (widgets::submitted(&field) && domain_ok.is_ok()))
                && let Ok(domain) = domain_ok
            {
                self.confirm = Some(Pending::Controller(domain));
            }
        }
        widgets::failure(ui, t, self.save_controller.failure());

        let schedules: Vec<Schedule> = cx.data.schedules.value().cloned().unwrap_or_default();
        if schedules.is_empty() {
            ui.spinner();
        }
        for schedule in &schedules {
            ui.add_space(crate::theme::SECTION_SPACE);
            self.schedule_ui(ui, cx, schedule);
        }
        self.confirmation(ui, cx);
    }

    fn schedule_ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let edit = self.edits.entry(schedule.id).or_default();
        if !edit.loaded {
            *edit = ScheduleEdit {
                name: schedule.name.clone(),
                domain: schedule.domain.clone().unwrap_or_default(),
                campus_net_licence: schedule.campus_net_licence,
                time_zone: schedule.time_zone.clone(),
                loaded: true,
            };
        }
        ui.heading(t.with("schedule-heading", &[("name", &schedule.name)]));
        let name_label = t.with("schedule-name", &[("name", &schedule.name)]);
        let (name_field, name_ok) = widgets::checked_field(
            ui,
            t,
            &name_label,
            &mut edit.name,
            false,
            "planning01",
            validate::schedule_name,
        );
        ui.horizontal(|ui| {
            ui.add_space(crate::theme::FIELD_INDENT);
            ui.checkbox(
                &mut edit.campus_net_licence,
                t.with("campus-net", &[("name", &schedule.name)]),
            );
        });
        let domain_label = t.with("schedule-domain", &[("name", &schedule.name)]);
        let manager = cx.data.is_manager();
        let (domain_field, domain_ok) = ui
            .add_enabled_ui(manager, |ui| {
                widgets::checked_field(
                    ui,
                    t,
                    &domain_label,
                    &mut edit.domain,
                    false,
                    &t.get("domain-hint"),
                    validate::domain,
                )
            })
            .inner;
        time_zone_ui(ui, t, schedule, &mut edit.time_zone);
        if let (Some(host), Some(port)) = (&schedule.host, schedule.port) {
            widgets::success(
                ui,
                &t.with("endpoint", &[("host", host), ("port", &port.to_string())]),
            );
        }
        let update = changes(schedule, edit, &name_ok, &domain_ok, manager);
        let saving = self.save_schedule.entry(schedule.id).or_default();
        let busy = saving.is_pending();
        let ready = update.is_some() && !busy;
        let button = t.with("confirm-schedule", &[("name", &schedule.name)]);
        let submitted =
            (widgets::submitted(&name_field) || widgets::submitted(&domain_field)) && ready;
        if (widgets::action_button(ui, &button, ready, busy) || submitted)
            && let Some(update) = update
        {
            match update.domain.clone() {
                // A domain is confirmed first, as in the provider's console.
                Some(domain) => self.confirm = Some(Pending::Schedule(schedule.id, update, domain)),
                None => self.after_domain(cx, schedule.id, update),
            }
        }
        let saving = self.save_schedule.entry(schedule.id).or_default();
        widgets::failure(ui, t, saving.failure());
    }

    fn confirmation(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let Some(pending) = self.confirm.clone() else {
            return;
        };
        let t = cx.t;
        let question = match &pending {
            // Its own question, once the publication is read.
            Pending::Licence(id, update) => {
                self.licence_confirmation(ui, cx, *id, update.clone());
                return;
            }
            Pending::Controller(domain) => {
                t.with("confirm-controller-question", &[("domain", domain)])
            }
            Pending::Schedule(_, update, domain) => t.with(
                "confirm-schedule-question",
                &[
                    ("domain", domain),
                    ("name", update.name.as_deref().unwrap_or_default()),
                ],
            ),
        };
        let answer = widgets::choice_modal(
            ui.ctx(),
            "confirm-domain",
            &question,
            &t.get("yes"),
            &t.get("no"),
        );
        match answer {
            Some(true) => {
                // Answered; a licence unticked in the same change asks its own question next.
                self.confirm = None;
                match pending {
                    Pending::Controller(domain) => {
                        let call = cx
                            .backend
                            .call(move |c| async move { c.set_controller_domain(&domain).await })
                            .then(|data, controller| {
                                data.controller.set(controller.clone());
                                data.load_account();
                            });
                        self.save_controller.start(call);
                    }
                    Pending::Schedule(id, update, _) => self.after_domain(cx, id, update),
                    // Returned above.
                    Pending::Licence(..) => {}
                }
                // The next field to fill takes the keyboard.
                widgets::focus_first_empty(ui.ctx());
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }

    /// Once the domain is confirmed (or unchanged): a licence unticked waits for the question
    /// about its publication, anything else is sent.
    fn after_domain(&mut self, cx: &mut Cx<'_>, id: i64, update: ScheduleUpdate) {
        if update.campus_net_licence == Some(false) {
            self.publication.start(
                cx.backend
                    .call(move |c| async move { c.publication(id).await }),
            );
            self.confirm = Some(Pending::Licence(id, update));
        } else {
            self.save(cx, id, update);
        }
    }

    /// The question before a licence is unticked on a published schedule; none when nobody
    /// loses access.
    fn licence_confirmation(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        id: i64,
        update: ScheduleUpdate,
    ) {
        let t = cx.t;
        if self.publication.is_pending() {
            return;
        }
        let publication = self.publication.value().cloned();
        // People lose access only where the webspaces answer: published, on a running server.
        let published = publication
            .as_ref()
            .is_none_or(|p| p.published && p.server_running);
        if !published {
            self.confirm = None;
            self.save(cx, id, update);
            return;
        }
        let name = cx
            .data
            .schedules
            .value()
            .and_then(|all| all.iter().find(|s| s.id == id).map(|s| s.name.clone()))
            .unwrap_or_default();
        let mut lines = vec![t.with("licence-off-confirm", &[("schedule", &name)])];
        if let Some(publication) = &publication {
            lines.extend(crate::panels::pronote_net::access_lines(
                t,
                publication,
                None,
            ));
        }
        match widgets::choice_modal(
            ui.ctx(),
            "confirm-licence-off",
            &lines.join("\n"),
            &t.get("licence-off-yes"),
            &t.get("cancel"),
        ) {
            Some(true) => {
                self.confirm = None;
                self.save(cx, id, update);
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }

    /// Sends the changes of a schedule.
    fn save(&mut self, cx: &mut Cx<'_>, id: i64, update: ScheduleUpdate) {
        let call = cx
            .backend
            .call(move |c| async move { c.update_schedule(id, &update).await })
            .then(|data, schedule| {
                data.replace_schedule(schedule.clone());
                data.load_account();
            });
        self.save_schedule.entry(id).or_default().start(call);
    }

    /// Forgets the edits so that the next draw shows the service's values.
    pub fn reload(&mut self) {
        self.controller_loaded = false;
        self.edits.clear();
    }
}

/// The time zone of a schedule, chosen in a list.
fn time_zone_ui(
    ui: &mut egui::Ui,
    t: &crate::i18n::Texts,
    schedule: &Schedule,
    time_zone: &mut String,
) {
    ui.horizontal(|ui| {
        let label = ui.add_sized(
            [crate::theme::LABEL_WIDTH, 20.0],
            egui::Label::new(t.with("time-zone", &[("name", &schedule.name)])),
        );
        egui::ComboBox::from_id_salt(("time-zone", schedule.id))
            .selected_text(time_zone.clone())
            .show_ui(ui, |ui| {
                for zone in validate::TIME_ZONES {
                    ui.selectable_value(time_zone, zone.to_string(), zone);
                }
            })
            .response
            .labelled_by(label.id);
    });
}

/// What the form changes of `schedule`, `None` when nothing or when a field is wrong. Only what
/// changed is sent; the domain only by the hosting manager, who must give one.
fn changes(
    schedule: &Schedule,
    edit: &ScheduleEdit,
    name_ok: &Result<String, validate::ValidationError>,
    domain_ok: &Result<String, validate::ValidationError>,
    manager: bool,
) -> Option<ScheduleUpdate> {
    let domain = match (&domain_ok, manager) {
        (Ok(domain), true) => {
            Ok((schedule.domain.as_deref() != Some(domain.as_str())).then(|| domain.clone()))
        }
        (Err(_), true) => Err(()),
        (_, false) => Ok(None),
    };
    match (&name_ok, domain) {
        (Ok(name), Ok(domain)) => Some(ScheduleUpdate {
            name: (*name != schedule.name).then(|| name.clone()),
            domain,
            campus_net_licence: (edit.campus_net_licence != schedule.campus_net_licence)
                .then_some(edit.campus_net_licence),
            time_zone: (edit.time_zone != schedule.time_zone).then(|| edit.time_zone.clone()),
        }),
        _ => None,
    }
    .filter(|update| *update != ScheduleUpdate::default())
}
