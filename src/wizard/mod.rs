//! The wizard, numbered and titled like the provider's onboarding page: 1 connection
//! information, 2 connection and certificate (then the licence), 3 schedules, 4 first
//! superadministrator, 5 Administration profile, 6 transmission.

mod connect;
mod profiles;
mod schedules;
mod superadmin;
mod transmission;

use hosting_api::Onboarding;

use crate::app::{ConsoleOptions, Cx};
use crate::model::Failure;
use crate::settings::Preferences;

pub use schedules::SchedulesForm;

/// A step of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 1. Your connection information.
    Connection,
    /// 2. Connection and certificate: the invoice number.
    Certificate,
    /// 2. The licence agreement.
    Licence,
    /// 3. Configuration of schedules.
    Schedules,
    /// 4. First superadministrator.
    Superadmin,
    /// 5. Administration profile.
    Profiles,
    /// 6. Transmission.
    Transmission,
}

impl Step {
    /// The number shown, as in the provider's page.
    pub fn number(self) -> u8 {
        match self {
            Step::Connection => 1,
            Step::Certificate | Step::Licence => 2,
            Step::Schedules => 3,
            Step::Superadmin => 4,
            Step::Profiles => 5,
            Step::Transmission => 6,
        }
    }

    fn title_key(self) -> &'static str {
        match self {
            Step::Connection => "step1-title",
            Step::Certificate | Step::Licence => "step2-title",
            Step::Schedules => "step3-title",
            Step::Superadmin => "step4-title",
            Step::Profiles => "step5-title",
            Step::Transmission => "step6-title",
        }
    }
}

/// The mark before a step in the step indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Done,
    Current,
    ToDo,
}

impl Mark {
    /// A filled dot in the confirmation colour (done), in the accent (current), or a ring.
    fn paint(self, ui: &mut egui::Ui) {
        let size = egui::Vec2::splat(crate::theme::STEP_MARK_SIZE);
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let centre = rect.center();
        let painter = ui.painter();
        match self {
            Mark::Done => {
                painter.circle_filled(centre, 5.0, crate::theme::success(ui));
            }
            Mark::Current => {
                painter.circle_filled(centre, 5.0, crate::theme::accent(ui.visuals().dark_mode));
            }
            Mark::ToDo => {
                let colour = ui.visuals().weak_text_color();
                painter.circle_stroke(centre, 4.5, egui::Stroke::new(1.0, colour));
            }
        }
    }
}

/// The first step the account has not finished; `None` when onboarding is done.
pub fn first_unfinished(onboarding: &Onboarding) -> Option<Step> {
    if !onboarding.licence {
        Some(Step::Licence)
    } else if !onboarding.controller || !onboarding.schedules {
        Some(Step::Schedules)
    } else if !onboarding.superadmin {
        Some(Step::Superadmin)
    } else if !onboarding.profiles {
        Some(Step::Profiles)
    } else {
        None
    }
}

/// The wizard and the state of its forms.
pub struct Wizard {
    step: Step,
    /// The step drawn last: a step that opens gives the focus to its first empty field.
    shown: Option<Step>,
    connect: connect::ConnectForm,
    schedules: SchedulesForm,
    superadmin: superadmin::SuperadminForm,
    profiles: profiles::ProfilesForm,
    transmission: transmission::TransmissionForm,
}

impl Wizard {
    /// A wizard at step 1, with what the preferences remember.
    pub fn new(prefs: &Preferences, options: &ConsoleOptions) -> Wizard {
        Wizard {
            step: Step::Connection,
            shown: None,
            connect: connect::ConnectForm::new(prefs, options),
            schedules: SchedulesForm::default(),
            superadmin: superadmin::SuperadminForm::default(),
            profiles: profiles::ProfilesForm::default(),
            transmission: transmission::TransmissionForm::default(),
        }
    }

    /// Back to step 1 (new service, logout).
    pub fn restart(&mut self) {
        self.step = Step::Connection;
        self.connect.reset_secrets();
    }

    /// Opens `step`.
    pub fn open(&mut self, step: Step) {
        self.step = step;
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The session ended under the person (revoked, expired, access withdrawn).
    pub fn session_lost(&mut self, failure: Failure) {
        self.step = self.connect.session_lost(failure);
    }

    /// The step indicator: steps done (ticked), the current one (in bold), those to do (dimmed),
    /// each with its state in words for screen readers.
    fn steps_panel(&self, ui: &mut egui::Ui, cx: &Cx<'_>) {
        let onboarding = cx.data.account.value().map(|a| a.onboarding.clone());
        let done = |step: Step| match (&onboarding, step) {
            (None, _) => false,
            (Some(_), Step::Connection | Step::Certificate) => true,
            (Some(o), Step::Licence) => o.licence,
            (Some(o), Step::Schedules) => o.controller && o.schedules,
            (Some(o), Step::Superadmin) => o.superadmin,
            (Some(o), Step::Profiles) => o.profiles,
            (Some(_), Step::Transmission) => false,
        };
        egui::Panel::left("wizard-steps")
            .resizable(false)
            .show(ui, |ui| {
                ui.add_space(crate::theme::GROUP_SPACE);
                for step in [
                    Step::Connection,
                    Step::Certificate,
                    Step::Schedules,
                    Step::Superadmin,
                    Step::Profiles,
                    Step::Transmission,
                ] {
                    let title = format!("{}. {}", step.number(), cx.t.get(step.title_key()));
                    let current = step.number() == self.step.number();
                    let (mark, text, state) = if current {
                        (
                            Mark::Current,
                            egui::RichText::new(&title).strong(),
                            "step-state-current",
                        )
                    } else if done(step) {
                        (Mark::Done, egui::RichText::new(&title), "step-state-done")
                    } else {
                        (
                            Mark::ToDo,
                            egui::RichText::new(&title).weak(),
                            "step-state-remaining",
                        )
                    };
                    let name = cx.t.with(state, &[("step", &title)]);
                    ui.horizontal(|ui| {
                        mark.paint(ui);
                        let response = ui.label(text);
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Label, true, &name)
                        });
                    });
                }
            });
    }

    /// Draws the current step.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        if let Some(step) = self.connect.login_answered() {
            self.step = step;
        }
        if self.shown != Some(self.step) {
            self.shown = Some(self.step);
            crate::widgets::focus_first_empty(ui.ctx());
        }
        self.steps_panel(ui, cx);
        egui::ScrollArea::vertical().show(ui, |ui| {
            let title = cx.t.with(
                "step-heading",
                &[
                    ("n", &self.step.number().to_string()),
                    ("title", &cx.t.get(self.step.title_key())),
                ],
            );
            crate::widgets::step_title(ui, &title);
            let next = match self.step {
                Step::Connection | Step::Certificate | Step::Licence => {
                    self.connect.ui(ui, cx, self.step)
                }
                Step::Schedules => self.schedules.wizard_ui(ui, cx),
                Step::Superadmin => self.superadmin.ui(ui, cx),
                Step::Profiles => self.profiles.ui(ui, cx, &self.superadmin),
                Step::Transmission => self.transmission.ui(ui, cx, &self.superadmin),
            };
            if let Some(next) = next {
                self.step = next;
            }
        });
    }
}
