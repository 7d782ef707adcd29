//! The form of a new user, one widget for step 4 (the first superadministrator) and the
//! Controller panel's "Add a user": names, username, password with its rules shown as the person
//! types, and its confirmation.

use hosting_api::{NewUser, User, validate};

use crate::backend::Backend;
use crate::i18n::Texts;
use crate::request::Call;
use crate::{theme, widgets};

/// What a person typed for a new user.
#[derive(Debug, Default)]
pub struct NewUserForm {
    first_name: String,
    surname: String,
    username: String,
    password: String,
    confirmation: String,
    superadmin: bool,
}

/// What the form gives back in a frame.
#[derive(Debug)]
pub struct Filled {
    /// The user to create, when every field is right.
    pub user: Option<NewUser>,
    /// Enter was pressed in a field.
    pub submitted: bool,
}

/// Creates `user`; when done, the user is in the list and the account's onboarding progress is
/// reloaded.
pub fn create(backend: &Backend, user: NewUser) -> Call<User> {
    backend
        .call(move |c| async move { c.create_user(&user).await })
        .then(|data, user| {
            data.replace_user(user.clone());
            data.load_account();
        })
}

/// The "superadministrator" box of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleBox {
    /// No box: the role is the form's (step 4 makes a superadministrator).
    Fixed,
    /// The box, to tick or not (the hosting manager).
    Free,
    /// The box, unticked and disabled with the reason (a superadministrator adds other
    /// users, not superadministrators: that is the hosting manager's).
    ManagerOnly,
}

impl NewUserForm {
    /// A form for a superadministrator (step 4: no role to choose).
    pub fn superadministrator() -> NewUserForm {
        NewUserForm {
            superadmin: true,
            ..NewUserForm::default()
        }
    }

    /// The password typed.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Draws the fields, with the "superadministrator" box as `role` says.
    pub fn ui(&mut self, ui: &mut egui::Ui, t: &Texts, role: RoleBox) -> Filled {
        let (first, first_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("first-name"),
            &mut self.first_name,
            false,
            "",
            |v| validate::person_name(v, "first_name"),
        );
        let (surname, surname_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("surname"),
            &mut self.surname,
            false,
            "",
            |v| validate::person_name(v, "surname"),
        );
        let (username, username_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("username"),
            &mut self.username,
            false,
            &t.get("new-username-hint"),
            validate::username,
        );
        let password = widgets::field(ui, &t.get("password"), &mut self.password, true, "");
        let confirm = widgets::field(
            ui,
            &t.get("password-confirmation"),
            &mut self.confirmation,
            true,
            "",
        );
        let password_ok = validate::user_password(&self.password, &self.username).is_ok();
        self.rules(ui, t);
        let same = !self.confirmation.is_empty() && self.confirmation == self.password;
        if !self.confirmation.is_empty() && !same {
            ui.horizontal(|ui| {
                ui.add_space(theme::FIELD_INDENT);
                ui.colored_label(ui.visuals().error_fg_color, t.get("passwords-differ"));
            });
        }
        if role == RoleBox::ManagerOnly {
            self.superadmin = false;
        }
        if role != RoleBox::Fixed {
            ui.horizontal(|ui| {
                ui.add_space(theme::FIELD_INDENT);
                ui.add_enabled(
                    role == RoleBox::Free,
                    egui::Checkbox::new(&mut self.superadmin, t.get("superadmin")),
                );
            });
        }
        if role == RoleBox::ManagerOnly {
            widgets::note(ui, &t.get("superadmin-manager-only"));
        }
        let submitted = [&first, &surname, &username, &password, &confirm]
            .into_iter()
            .any(widgets::submitted);
        let user = match (first_ok, surname_ok, username_ok) {
            (Ok(first_name), Ok(surname), Ok(username)) if password_ok && same => Some(NewUser {
                first_name,
                surname,
                username,
                password: self.password.clone(),
                superadmin: self.superadmin,
            }),
            _ => None,
        };
        Filled { user, submitted }
    }

    /// The password rules, ticked as they are met.
    fn rules(&self, ui: &mut egui::Ui, t: &Texts) {
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
            ui.add_space(theme::FIELD_INDENT);
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
