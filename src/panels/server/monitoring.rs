//! The Monitoring of connections tab: the licences of the contract for the Administrative mode
//! and how many of them are reserved for the administrators (at most the contract's); the
//! Clients connected now (read again every few seconds while the tab shows), a chart of the last
//! 24 hours, and who is connected, with Disconnect.

use std::time::{Duration, Instant};

use hosting_api::{Connection, Monitoring, MonitoringUpdate, Schedule};

use crate::app::Cx;
use crate::request::Request;
use crate::{theme, widgets};

/// How often the tab reads the connections again while it shows.
const REFRESH: Duration = Duration::from_secs(5);

/// The Monitoring of connections tab of one schedule.
#[derive(Default)]
pub(super) struct MonitoringTab {
    monitoring: Request<Monitoring>,
    save: Request<Monitoring>,
    /// The reservation as typed; what the service says until the person types.
    reserved: Option<String>,
    /// When the connections were last asked for.
    loaded_at: Option<Instant>,
    /// Disconnect, once confirmed.
    disconnect: Request<()>,
    /// The Client whose Disconnect is being asked.
    asking: Option<Connection>,
    /// Who was disconnected last, for the success line.
    disconnected: Option<String>,
}

/// The reservation typed, checked against the contract: the number or the problem's sentence.
fn check_reserved(cx: &Cx<'_>, value: &str, monitoring: &Monitoring) -> Result<u32, String> {
    let t = cx.t;
    let reserved: u32 = value
        .trim()
        .parse()
        .map_err(|_| t.get("reserved-invalid"))?;
    let most = monitoring.reservable();
    if reserved > most {
        return Err(if monitoring.reserved_elsewhere == 0 {
            t.with("reserved-too-many", &[("count", &most.to_string())])
        } else {
            t.with(
                "reserved-too-many-elsewhere",
                &[
                    ("count", &most.to_string()),
                    ("elsewhere", &monitoring.reserved_elsewhere.to_string()),
                ],
            )
        });
    }
    Ok(reserved)
}

impl MonitoringTab {
    /// Reloads the monitoring of the schedule's connections.
    pub(super) fn load(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.loaded_at = Some(Instant::now());
        self.monitoring.start(
            cx.backend
                .call(move |c| async move { c.monitoring(schedule).await }),
        );
    }

    /// A saved reservation replaces what was loaded.
    pub(super) fn take_saved(&mut self) {
        if let Some(Ok(saved)) = self.save.arrived() {
            let saved = saved.clone();
            self.monitoring.set(saved);
        }
    }

    /// Another schedule is chosen: the field shows the service's number when this one is back.
    pub(super) fn forget_edits(&mut self) {
        self.reserved = None;
    }

    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        // Live: read again every few seconds while the tab shows.
        if !self.monitoring.is_pending() && self.loaded_at.is_none_or(|at| at.elapsed() >= REFRESH)
        {
            self.load(cx, schedule.id);
        }
        ui.ctx().request_repaint_after(REFRESH);
        // One row whatever the state, so that the field below keeps its id (and the focus)
        // when a refresh ends.
        ui.horizontal(|ui| widgets::request_state(ui, t, &self.monitoring));
        let Some(monitoring) = self.monitoring.value().cloned() else {
            return;
        };
        self.live(ui, cx, schedule, &monitoring);
        ui.add_space(theme::SECTION_SPACE);
        let saving = self.save.is_pending();
        ui.label(t.with(
            "contract-licences",
            &[("count", &monitoring.contract_licences.to_string())],
        ));
        if monitoring.reserved_elsewhere > 0 {
            ui.label(t.with(
                "reserved-elsewhere",
                &[("count", &monitoring.reserved_elsewhere.to_string())],
            ));
        }
        ui.label(t.with(
            "administration-members",
            &[("count", &monitoring.administration_members.to_string())],
        ));
        ui.add_space(theme::SECTION_SPACE / 2.0);
        let value = self
            .reserved
            .get_or_insert_with(|| monitoring.administration_reserved.to_string());
        let response = widgets::field(
            ui,
            &t.get("reserved-licences"),
            value,
            false,
            &t.get("reserved-hint"),
        );
        let checked = check_reserved(cx, value, &monitoring);
        if let Err(problem) = &checked {
            ui.horizontal(|ui| {
                ui.add_space(theme::FIELD_INDENT);
                ui.colored_label(ui.visuals().error_fg_color, problem);
            });
        }
        let changed = checked
            .as_ref()
            .is_ok_and(|n| *n != monitoring.administration_reserved);
        ui.horizontal(|ui| {
            let save = widgets::action_button(ui, &t.get("save"), changed && !saving, saving)
                || (widgets::submitted(&response) && changed && !saving);
            if save && let Ok(reserved) = checked {
                let update = MonitoringUpdate {
                    administration_reserved: reserved,
                };
                let id = schedule.id;
                let call = cx
                    .backend
                    .call(move |c| async move { c.set_monitoring(id, &update).await });
                self.save.start(call);
            }
            // Beside the button, so that nothing below moves when the saving ends.
            widgets::failure(ui, t, self.save.failure());
            if self.save.is_done() {
                widgets::success(ui, &t.get("monitoring-saved"));
            }
        });
    }
}

impl MonitoringTab {
    /// The connections now: the counts, the chart of the last 24 hours, who is connected.
    fn live(
        &mut self,
        ui: &mut egui::Ui,
        cx: &Cx<'_>,
        schedule: &Schedule,
        monitoring: &Monitoring,
    ) {
        let t = cx.t;
        ui.label(
            egui::RichText::new(t.with(
                "connections-now",
                &[
                    ("count", &monitoring.in_use.to_string()),
                    (
                        "administration",
                        &monitoring.administration_in_use.to_string(),
                    ),
                ],
            ))
            .strong(),
        );
        ui.label(t.with(
            "connections-account",
            &[
                ("count", &monitoring.account_in_use.to_string()),
                ("contract", &monitoring.contract_licences.to_string()),
                ("reserved", &monitoring.administration_reserved.to_string()),
            ],
        ));
        chart(ui, t, monitoring);
        if monitoring.connections.is_empty() {
            widgets::note(ui, &t.get("connections-none"));
        }
        for connection in &monitoring.connections {
            ui.horizontal(|ui| {
                let since = monitoring.at.saturating_sub(connection.opened_at);
                let mode = if connection.administration {
                    t.get("connection-administration")
                } else {
                    String::new()
                };
                ui.label(t.with(
                    "connection-line",
                    &[
                        ("username", &connection.username),
                        ("workstation", &connection.workstation),
                        (
                            "since",
                            &crate::format::duration(u64::try_from(since).unwrap_or(0)),
                        ),
                        ("mode", &mode),
                    ],
                ));
                let name = t.with(
                    "disconnect-of",
                    &[
                        ("username", &connection.username),
                        ("workstation", &connection.workstation),
                    ],
                );
                if widgets::named_button(
                    ui,
                    &t.get("disconnect"),
                    &name,
                    !self.disconnect.is_pending(),
                ) {
                    self.asking = Some(connection.clone());
                }
            });
        }
        self.ask_disconnect(ui, cx, schedule.id);
        widgets::failure(ui, t, self.disconnect.failure());
        if self.disconnect.is_done()
            && let Some(username) = &self.disconnected
        {
            widgets::success(ui, &t.with("disconnected", &[("username", username)]));
        }
    }

    /// The question of Disconnect, then the call.
    fn ask_disconnect(&mut self, ui: &egui::Ui, cx: &Cx<'_>, schedule: i64) {
        let t = cx.t;
        let Some(connection) = self.asking.clone() else {
            return;
        };
        let question = t.with(
            "disconnect-question",
            &[
                ("username", &connection.username),
                ("workstation", &connection.workstation),
            ],
        );
        match widgets::confirm_modal(
            ui.ctx(),
            t,
            "disconnect-confirm",
            &question,
            &t.get("disconnect"),
        ) {
            Some(true) => {
                self.asking = None;
                let id = connection.id;
                self.disconnected = Some(connection.username.clone());
                self.disconnect.start(
                    cx.backend
                        .call(move |c| async move { c.disconnect(schedule, id).await }),
                );
                // The list is read again as soon as the answer comes.
                self.loaded_at = None;
            }
            Some(false) => self.asking = None,
            None => {}
        }
    }
}

/// The connections of the last 24 hours as steps (hours before now on the x axis), named for
/// screen readers with its peak.
fn chart(ui: &mut egui::Ui, t: &crate::i18n::Texts, monitoring: &Monitoring) {
    let hours = |at: i64| (at - monitoring.at) as f64 / 3600.0;
    let mut points: Vec<[f64; 2]> = Vec::with_capacity(monitoring.history.len() * 2);
    for pair in monitoring.history.windows(2) {
        let y = f64::from(pair[0].in_use);
        points.push([hours(pair[0].at), y]);
        points.push([hours(pair[1].at), y]);
    }
    let peak = monitoring
        .history
        .iter()
        .map(|p| p.in_use)
        .max()
        .unwrap_or(0);
    let label = t.with("connections-chart", &[("peak", &peak.to_string())]);
    let top = f64::from(peak.max(monitoring.contract_licences).max(1));
    let line_name = t.get("connections-chart-line");
    let response = egui_plot::Plot::new("connections-24h")
        .height(theme::CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .default_x_bounds(-24.0, 0.0)
        .default_y_bounds(0.0, top + 0.5)
        .x_axis_label(t.get("connections-chart-hours"))
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new(line_name, points));
            plot.hline(egui_plot::HLine::new(
                t.get("connections-chart-contract"),
                f64::from(monitoring.contract_licences),
            ));
        })
        .response;
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Image, true, &label));
}
