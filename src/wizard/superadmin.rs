//! Step 4: the first superadministrator, with the password rules shown as the person types.

use hosting_api::validate;
use hosting_api::{NewUser, User};

use super::Step;
use crate::app::Cx;
use crate::request::Request;
use crate::widgets;

/// The form of step 4. The password stays in memory only, for the connection sheet of step 6.
#[derive(Default)]
pub struct SuperadminForm {
    first_name: String,
    surname: String,
    username: String,
    password: String,
    confirmation: String,
    /// The creation in flight, then the superadministrator created in this session.
    create: Request<User>,
    /// The superadministrator created in this session.
    pub created: Option<User>,
}

impl SuperadminForm {
    /// The password typed in step 4, when the superadministrator was created in this session.
    pub fn password(&self) -> Option<&str> {
        self.created.as_ref().map(|_| self.password.as_str())
    }

    /// Draws step 4; returns step 5 once the superadministrator exists.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        let t = cx.t;
        ui.label(t.get("step4-intro"));
        ui.add_space(crate::theme::GROUP_SPACE);
        let (_, first_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("first-name"),
            &mut self.first_name,
            false,
            "",
            |v| validate::person_name(v, "first_name"),
        );
        let (_, surname_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("surname"),
            &mut self.surname,
            false,
            "",
            |v| validate::person_name(v, "surname"),
        );
        let (_, username_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("username"),
            &mut self.username,
            false,
            &t.get("new-username-hint"),
            validate::username,
        );
        widgets::field(ui, &t.get("password"), &mut self.password, true, "");
        let confirm = widgets::field(
            ui,
            &t.get("password-confirmation"),
            &mut self.confirmation,
            true,
            "",
        );
        let password_ok = validate::user_password(&self.password, &self.username);
        self.rules(ui, cx);
        let same = !self.confirmation.is_empty() && self.confirmation == self.password;
        if !self.confirmation.is_empty() && !same {
            ui.colored_label(ui.visuals().error_fg_color, t.get("passwords-differ"));
        }
        let ready = first_ok.is_ok()
            && surname_ok.is_ok()
            && username_ok.is_ok()
            && password_ok.is_ok()
            && same;
        ui.add_space(crate::theme::GROUP_SPACE);
        if let Some(Ok(user)) = self.create.poll() {
            self.created = Some(user.clone());
        }
        let busy = self.create.is_pending();
        let clicked = widgets::action_button(ui, &t.get("create-superadmin"), ready, busy);
        widgets::failure(ui, t, self.create.failure());
        if (clicked || (widgets::submitted(&confirm) && ready))
            && !busy
            && let (Ok(first_name), Ok(surname), Ok(username)) = (first_ok, surname_ok, username_ok)
        {
            let user = NewUser {
                first_name,
                surname,
                username,
                password: self.password.clone(),
                superadmin: true,
            };
            let call = cx
                .backend
                .call(move |c| async move { c.create_user(&user).await })
                .then(|data, user| {
                    data.replace_user(user.clone());
                    data.load_account();
                });
            self.create.start(call);
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

    fn rules(&self, ui: &mut egui::Ui, cx: &Cx<'_>) {
        let t = cx.t;
        let count = self.password.chars().count();
        let lower = self.password.chars().any(char::is_lowercase);
        let upper = self.password.chars().any(char::is_uppercase);
        let digit = self.password.chars().any(|c| c.is_ascii_digit());
        let username = self.username.trim().to_lowercase();
        let no_username = username.len() < 3 || !self.password.to_lowercase().contains(&username);
        let checks = [
            (
                (validate::USER_PASSWORD_MIN..=validate::USER_PASSWORD_MAX).contains(&count),
                "rule-length",
            ),
            (lower && upper, "rule-cases"),
            (digit, "rule-digit"),
            (no_username && !self.password.is_empty(), "rule-username"),
        ];
        ui.horizontal_wrapped(|ui| {
            ui.add_space(crate::theme::FIELD_INDENT);
            for (ok, key) in checks {
                let text = format!("• {}", t.get(key));
                if ok {
                    widgets::success(ui, &text);
                } else {
                    ui.weak(text);
                }
            }
        });
    }
}
