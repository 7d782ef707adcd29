//! The Configuration panel: the controller and the schedules, edited with the form of wizard
//! step 3.

use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::wizard::SchedulesForm;

/// The Configuration panel's id.
pub const ID: PanelId = PanelId::new("panel-configuration");

/// The Configuration panel.
#[derive(Default)]
pub struct ConfigurationPanel {
    form: SchedulesForm,
}

impl Panel for ConfigurationPanel {
    fn id(&self) -> PanelId {
        ID
    }

    fn reset(&mut self, cx: &mut Cx<'_>) {
        self.form.reload();
        cx.data.load_controller();
        cx.data.load_schedules();
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        egui::ScrollArea::vertical().show(ui, |ui| self.form.ui(ui, cx));
        None
    }
}
