//! What Server PRONOTE and PRONOTE.net share: the row at the top that chooses a schedule, and
//! the state each panel keeps per schedule (its requests, its edits), loaded when a schedule is
//! shown first, shown again after another, or refreshed.

use std::collections::HashMap;

use hosting_api::Schedule;

use crate::i18n::Texts;

/// A schedule chosen in a row, and a `S` for each schedule shown so far.
pub(crate) struct PerSchedule<S> {
    chosen: Option<i64>,
    states: HashMap<i64, S>,
    /// The schedule whose state was loaded last: another one shown loads its own.
    loaded_for: Option<i64>,
}

impl<S> Default for PerSchedule<S> {
    fn default() -> Self {
        PerSchedule {
            chosen: None,
            states: HashMap::new(),
            loaded_for: None,
        }
    }
}

impl<S: Default> PerSchedule<S> {
    /// Draws the row that chooses a schedule (the first, by default), with Refresh and a spinner
    /// while `busy`; the schedule clicked when it is another one.
    pub(crate) fn row(
        &mut self,
        ui: &mut egui::Ui,
        t: &Texts,
        schedules: &[Schedule],
        busy: bool,
    ) -> Option<i64> {
        if !schedules.iter().any(|s| Some(s.id) == self.chosen) {
            self.chosen = schedules.first().map(|s| s.id);
        }
        let mut clicked = None;
        ui.horizontal(|ui| {
            ui.label(t.get("server-schedule"));
            for schedule in schedules {
                if ui
                    .selectable_label(self.chosen == Some(schedule.id), &schedule.name)
                    .clicked()
                {
                    clicked = Some(schedule.id);
                }
            }
            if ui.button(t.get("refresh")).clicked() {
                self.reload();
            }
            if busy {
                ui.spinner();
            }
        });
        clicked.filter(|&id| self.choose(id))
    }

    /// Chooses `id` (clicked, or named by a notification); whether it is another schedule.
    pub(crate) fn choose(&mut self, id: i64) -> bool {
        let other = self.chosen != Some(id);
        self.chosen = Some(id);
        other
    }

    /// The schedule chosen.
    pub(crate) fn chosen_id(&self) -> Option<i64> {
        self.chosen
    }

    /// The schedule chosen, as last loaded.
    pub(crate) fn chosen<'a>(&self, schedules: &'a [Schedule]) -> Option<&'a Schedule> {
        let id = self.chosen?;
        schedules.iter().find(|s| s.id == id)
    }

    /// What the schedule shown needs: loaded with `load` when it is shown first, shown again
    /// after another, or refreshed.
    pub(crate) fn shown(&mut self, id: i64, load: impl FnOnce(&mut S)) -> &mut S {
        let state = self.states.entry(id).or_default();
        if self.loaded_for != Some(id) {
            self.loaded_for = Some(id);
            load(state);
        }
        state
    }

    /// The next frame loads the schedule shown afresh.
    pub(crate) fn reload(&mut self) {
        self.loaded_for = None;
    }

    /// The state of a schedule.
    pub(crate) fn state(&mut self, id: i64) -> &mut S {
        self.states.entry(id).or_default()
    }

    /// Every schedule's state, to act on the answers that came for any of them.
    pub(crate) fn all(&mut self) -> impl Iterator<Item = (i64, &mut S)> {
        self.states.iter_mut().map(|(id, state)| (*id, state))
    }
}
