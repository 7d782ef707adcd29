//! The PRONOTE.net panel: for a schedule chosen at the top, whether its webspaces are published
//! (publish, or stop after a confirmation that says who loses access), which of the four spaces
//! are on, the inactivity time, how people log in (their PRONOTE logins, or the school's ENT
//! through CAS: changed only while the publication is stopped), and each space's address to
//! open in the browser or copy.
//!
//! The service enforces every rule (the Campus.net licence to publish, a stopped publication to
//! change the delegation, a CAS server that answers); the panel mirrors them and shows the
//! service's sentence where an action failed.

use hosting_api::{
    Delegation, DelegationMode, DelegationUpdate, Publication, PublicationUpdate, Schedule,
    Webspace, WebspacesUpdate,
};

use super::per_schedule::PerSchedule;
use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::format;
use crate::i18n::Texts;
use crate::request::Request;
use crate::widgets;

/// What the panel loads and does for one schedule.
#[derive(Default)]
struct SpaceState {
    publication: Request<Publication>,
    save: Request<Publication>,
    delegation: Request<Delegation>,
    save_delegation: Request<Delegation>,
    /// The inactivity time being edited.
    inactivity: Option<u32>,
    /// The delegation being edited.
    mode: Option<DelegationMode>,
    cas_url: Option<String>,
    /// The space whose address was copied last.
    copied: Option<Webspace>,
}

impl SpaceState {
    fn load(&mut self, cx: &Cx<'_>, schedule: i64) {
        // What the service says now replaces what was being edited.
        self.inactivity = None;
        self.mode = None;
        self.cas_url = None;
        self.publication.start(
            cx.backend
                .call(move |c| async move { c.publication(schedule).await }),
        );
        self.delegation.start(
            cx.backend
                .call(move |c| async move { c.delegation(schedule).await }),
        );
    }

    /// A saved publication or delegation replaces what was loaded and edited.
    fn take_saved(&mut self) {
        if let Some(Ok(saved)) = self.save.arrived() {
            let saved = saved.clone();
            self.inactivity = None;
            self.publication.set(saved);
        }
        if let Some(Ok(saved)) = self.save_delegation.arrived() {
            let saved = saved.clone();
            self.mode = None;
            self.cas_url = None;
            self.delegation.set(saved);
        }
    }

    fn save(&mut self, cx: &Cx<'_>, schedule: i64, update: PublicationUpdate) {
        self.save.start(
            cx.backend
                .call(move |c| async move { c.set_publication(schedule, &update).await }),
        );
    }

    /// The question before the publication stops, who loses access in it; the stop is saved on
    /// yes. Whether the question was answered.
    fn confirm_stop(
        &mut self,
        ui: &egui::Ui,
        cx: &Cx<'_>,
        schedule: &Schedule,
        publication: &Publication,
    ) -> bool {
        let t = cx.t;
        let delegated = self
            .delegation
            .value()
            .is_some_and(|d| d.mode == DelegationMode::Cas);
        let question = stop_question(t, schedule, publication, delegated);
        let answer = widgets::confirm_modal(
            ui.ctx(),
            t,
            "pronote-stop",
            &question,
            &t.get("pronote-stop-yes"),
        );
        let stop = PublicationUpdate {
            published: Some(false),
            ..PublicationUpdate::default()
        };
        self.save_on_yes(cx, schedule.id, answer, stop)
    }

    /// The question before `space` of a published schedule is switched off, who loses access
    /// in it; the change is saved on yes. Whether the question was answered.
    fn confirm_off(
        &mut self,
        ui: &egui::Ui,
        cx: &Cx<'_>,
        schedule: &Schedule,
        publication: &Publication,
        space: Webspace,
    ) -> bool {
        let t = cx.t;
        let mut lines = vec![t.with(
            "pronote-space-off-confirm",
            &[
                ("space", &space_name(t, space)),
                ("schedule", &schedule.name),
            ],
        )];
        lines.extend(access_lines(t, publication, Some(space)));
        let answer = widgets::confirm_modal(
            ui.ctx(),
            t,
            "pronote-space-off",
            &lines.join("\n"),
            &t.get("pronote-space-off-yes"),
        );
        let off = PublicationUpdate {
            webspaces: Some(WebspacesUpdate::one(space, false)),
            ..PublicationUpdate::default()
        };
        self.save_on_yes(cx, schedule.id, answer, off)
    }

    /// Saves `update` when a confirmation's `answer` is yes. Whether it was answered.
    fn save_on_yes(
        &mut self,
        cx: &Cx<'_>,
        schedule: i64,
        answer: Option<bool>,
        update: PublicationUpdate,
    ) -> bool {
        if answer == Some(true) {
            self.save(cx, schedule, update);
        }
        answer.is_some()
    }
}

/// The PRONOTE.net panel's id.
pub const ID: PanelId = PanelId::new("panel-pronote-net");

/// The PRONOTE.net panel.
#[derive(Default)]
pub struct PronoteNetPanel {
    schedules: PerSchedule<SpaceState>,
    /// The stop of this schedule's publication waits for a confirmation.
    confirm_stop: Option<i64>,
    /// Switching off a space of a published schedule waits for a confirmation.
    confirm_off: Option<(i64, Webspace)>,
}

/// The name of a space, as people know it.
pub fn space_name(t: &Texts, space: Webspace) -> String {
    t.get(&format!("webspace-{}", space.as_str()))
}

impl Panel for PronoteNetPanel {
    fn id(&self) -> PanelId {
        ID
    }

    /// Reloads the chosen schedule's publication.
    fn open(&mut self, _cx: &mut Cx<'_>) {
        self.schedules.reload();
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        self.draw(ui, cx);
        None
    }
}

impl PronoteNetPanel {
    fn draw(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        for (_, state) in self.schedules.all() {
            state.take_saved();
        }
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        ui.heading(t.get("pronote-title"));
        ui.label(t.get("pronote-intro"));
        self.schedules.row(ui, t, &schedules, false);
        let Some(schedule) = self.schedules.chosen(&schedules).cloned() else {
            ui.label(t.get("no-schedule"));
            return;
        };
        let state = self
            .schedules
            .shown(schedule.id, |state| state.load(cx, schedule.id));
        ui.separator();
        widgets::failure(ui, t, state.publication.failure());
        let Some(publication) = state.publication.value().cloned() else {
            if state.publication.is_pending() {
                ui.spinner();
            }
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("pronote-net-panel")
            .show(ui, |ui| {
                if publish_section(ui, cx, state, &schedule, &publication) {
                    self.confirm_stop = Some(schedule.id);
                }
                ui.add_space(crate::theme::SECTION_SPACE);
                if let Some(space) = spaces_section(ui, cx, state, &schedule, &publication) {
                    self.confirm_off = Some((schedule.id, space));
                }
                ui.add_space(crate::theme::SECTION_SPACE);
                delegation_section(ui, cx, state, &schedule, &publication);
                ui.add_space(crate::theme::SECTION_SPACE);
                addresses_section(ui, cx, state, &schedule, &publication);
            });
        if self.confirm_stop == Some(schedule.id)
            && state.confirm_stop(ui, cx, &schedule, &publication)
        {
            self.confirm_stop = None;
        }
        if let Some((_, space)) = self.confirm_off.filter(|(id, _)| *id == schedule.id)
            && state.confirm_off(ui, cx, &schedule, &publication, space)
        {
            self.confirm_off = None;
        }
    }
}

/// Who loses access when the publication (or only the space `only`) stops: a line per space
/// that is on, with its address.
pub fn access_lines(t: &Texts, publication: &Publication, only: Option<Webspace>) -> Vec<String> {
    publication
        .webspaces
        .on()
        .into_iter()
        .filter(|space| only.is_none_or(|only| only == *space))
        .map(|space| {
            let address = publication
                .addresses
                .as_ref()
                .map(|a| a.get(space).to_string())
                .unwrap_or_default();
            format!("– {}: {address}", space_name(t, space))
        })
        .collect()
}

/// The question before a stop: who loses access, space by space.
fn stop_question(t: &Texts, schedule: &Schedule, publication: &Publication, cas: bool) -> String {
    let mut lines = vec![t.with("pronote-stop-confirm", &[("schedule", &schedule.name)])];
    lines.extend(access_lines(t, publication, None));
    if cas {
        lines.push(t.get("pronote-stop-confirm-cas"));
    }
    lines.join("\n")
}

/// Published or not, and the button that changes it; true when the person asked to stop.
fn publish_section(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    state: &mut SpaceState,
    schedule: &Schedule,
    publication: &Publication,
) -> bool {
    let t = cx.t;
    let mut stop = false;
    ui.horizontal(|ui| {
        if publication.published {
            widgets::success(ui, &t.get("pronote-published"));
        } else {
            ui.strong(t.get("pronote-not-published"));
        }
        if publication.published {
            stop =
                widgets::action_button(ui, &t.get("pronote-stop"), true, state.save.is_pending());
        } else if widgets::action_button(
            ui,
            &t.get("pronote-publish"),
            publication.campus_net_licence,
            state.save.is_pending(),
        ) {
            state.save(
                cx,
                schedule.id,
                PublicationUpdate {
                    published: Some(true),
                    ..PublicationUpdate::default()
                },
            );
        }
    });
    if !publication.campus_net_licence {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            t.get("error-campus_net_licence_required"),
        );
    }
    if publication.published && !publication.server_running {
        ui.label(t.with("pronote-server-stopped", &[("schedule", &schedule.name)]));
    }
    widgets::failure(ui, t, state.save.failure());
    stop
}

/// The four spaces as switches, and the inactivity time; the space to switch off after a
/// confirmation (a published one: its users lose access).
fn spaces_section(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    state: &mut SpaceState,
    schedule: &Schedule,
    publication: &Publication,
) -> Option<Webspace> {
    let t = cx.t;
    ui.strong(t.get("pronote-spaces"));
    let busy = state.save.is_pending();
    let mut ask = None;
    for space in Webspace::ALL {
        let mut on = publication.webspaces.get(space);
        if ui
            .add_enabled(!busy, egui::Checkbox::new(&mut on, space_name(t, space)))
            .changed()
        {
            if !on && publication.published {
                ask = Some(space);
                continue;
            }
            state.save(
                cx,
                schedule.id,
                PublicationUpdate {
                    webspaces: Some(WebspacesUpdate::one(space, on)),
                    ..PublicationUpdate::default()
                },
            );
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label(t.get("pronote-inactivity"));
        let minutes = state
            .inactivity
            .get_or_insert(publication.inactivity_minutes);
        ui.add(egui::DragValue::new(minutes).range(5..=240).suffix(" min"))
            .labelled_by(label.id);
        let changed = *minutes != publication.inactivity_minutes;
        if widgets::action_button(ui, &t.get("pronote-inactivity-save"), changed, busy) {
            let minutes = *minutes;
            state.save(
                cx,
                schedule.id,
                PublicationUpdate {
                    inactivity_minutes: Some(minutes),
                    ..PublicationUpdate::default()
                },
            );
        }
    });
    ask
}

/// How people log in: disabled, with why, while published.
fn delegation_section(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    state: &mut SpaceState,
    schedule: &Schedule,
    publication: &Publication,
) {
    let t = cx.t;
    ui.strong(t.get("pronote-delegation"));
    widgets::failure(ui, t, state.delegation.failure());
    let Some(current) = state.delegation.value().cloned() else {
        return;
    };
    if publication.published {
        ui.label(t.get("pronote-delegation-locked"));
    }
    ui.add_enabled_ui(!publication.published, |ui| {
        let mode = state.mode.get_or_insert(current.mode);
        ui.radio_value(mode, DelegationMode::None, t.get("pronote-delegation-none"));
        ui.radio_value(mode, DelegationMode::Cas, t.get("pronote-delegation-cas"));
        let mode = *mode;
        let url = state
            .cas_url
            .get_or_insert_with(|| current.cas_url.clone().unwrap_or_default());
        ui.add_enabled_ui(mode == DelegationMode::Cas, |ui| {
            widgets::field(
                ui,
                &t.get("pronote-cas-url"),
                url,
                false,
                "https://cas.example.org/cas",
            );
        });
        let update = DelegationUpdate {
            mode,
            cas_url: (mode == DelegationMode::Cas).then(|| url.trim().to_string()),
        };
        let changed = update.mode != current.mode
            || (mode == DelegationMode::Cas && update.cas_url != current.cas_url);
        if widgets::action_button(
            ui,
            &t.get("pronote-delegation-save"),
            changed,
            state.save_delegation.is_pending(),
        ) {
            let id = schedule.id;
            state.save_delegation.start(
                cx.backend
                    .call(move |c| async move { c.set_delegation(id, &update).await }),
            );
        }
    });
    widgets::failure(ui, t, state.save_delegation.failure());
    if let (DelegationMode::Cas, Some(checked)) = (current.mode, &current.checked_at) {
        ui.label(t.with(
            "pronote-cas-checked",
            &[("date", &format::date_time(checked))],
        ));
    }
}

/// Each space's address, to open in the browser or copy.
fn addresses_section(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    state: &mut SpaceState,
    schedule: &Schedule,
    publication: &Publication,
) {
    let t = cx.t;
    ui.strong(t.get("pronote-addresses"));
    let Some(addresses) = &publication.addresses else {
        ui.label(t.with("pronote-no-address", &[("schedule", &schedule.name)]));
        return;
    };
    egui::Grid::new("pronote-addresses")
        .num_columns(4)
        .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
        .show(ui, |ui| {
            for space in Webspace::ALL {
                let name = space_name(t, space);
                let address = addresses.get(space);
                ui.label(&name);
                ui.monospace(address);
                if widgets::named_button(
                    ui,
                    &t.get("pronote-open"),
                    &t.with("pronote-open-named", &[("space", &name)]),
                    true,
                ) {
                    cx.options.links.open(ui.ctx(), address);
                }
                ui.horizontal(|ui| {
                    if widgets::named_button(
                        ui,
                        &t.get("pronote-copy"),
                        &t.with("pronote-copy-named", &[("space", &name)]),
                        true,
                    ) {
                        cx.options.links.copy(ui.ctx(), address);
                        state.copied = Some(space);
                    }
                    if state.copied == Some(space) {
                        widgets::success(ui, &t.get("pronote-copied"));
                    }
                });
                ui.end_row();
            }
        });
}
