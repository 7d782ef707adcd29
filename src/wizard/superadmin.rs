//! Step 4: the first superadministrator, with the password rules shown as the person types.

use hosting_api::User;

use super::Step;
use crate::app::Cx;
use crate::request::Request;
use crate::user_form::NewUserForm;
use crate::widgets;

/// The form of step 4. The password stays in memory only, for the connection sheet of step 6.
pub struct SuperadminForm {
    form: NewUserForm,
    /// The creation in flight, then the superadministrator created in this session.
    create: Request<User>,
    /// The superadministrator created in this session.
    pub created: Option<User>,
}

impl Default for SuperadminForm {
    fn default() -> Self {
        SuperadminForm {
            form: NewUserForm::superadministrator(),
            create: Request::default(),
            created: None,
        }
    }
}

impl SuperadminForm {
    /// The password typed in step 4, when the superadministrator was created in this session.
    pub fn password(&self) -> Option<&str> {
        self.created.as_ref().map(|_| self.form.password())
    }

    /// Draws step 4; returns step 5 once the superadministrator exists.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        let t = cx.t;
        ui.label(t.get("step4-intro"));
        ui.add_space(crate::theme::GROUP_SPACE);
        let filled = self.form.ui(ui, t, crate::user_form::RoleBox::Fixed);
        ui.add_space(crate::theme::GROUP_SPACE);
        if let Some(Ok(user)) = self.create.arrived() {
            self.created = Some(user.clone());
        }
        let busy = self.create.is_pending();
        let ready = filled.user.is_some();
        let clicked = widgets::action_button(ui, &t.get("create-superadmin"), ready, busy);
        widgets::failure(ui, t, self.create.failure());
        if (clicked || filled.submitted)
            && !busy
            && let Some(user) = filled.user
        {
            self.create
                .start(crate::user_form::create(cx.backend, user));
        }
        if let Some(user) = &self.created {
            widgets::success(
                ui,
                &t.with("superadmin-created", &[("username", &user.username)]),
            );
            return Some(Step::Profiles);
        }
        // A superadministrator made earlier (another session) also lets the wizard go on.
        let exists = cx
            .data
            .account
            .value()
            .is_some_and(|a| a.onboarding.superadmin);
        if exists && widgets::action_button(ui, &t.get("next"), true, false) {
            return Some(Step::Profiles);
        }
        None
    }
}
