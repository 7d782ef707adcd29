//! Steps 1 and 2: who logs in and with what, the certificate of this workstation (asked once,
//! with the invoice number), and the licence.

use hosting_api::validate;
use hosting_api::{EnrollmentRequest, ErrorCode, Role, Secret, SessionResponse};

use super::Step;
use crate::app::{ConsoleOptions, Cx};
use crate::backend::principal;
use crate::i18n::Texts;
use crate::model::Failure;
use crate::platform::keystore::IdentityKey;
use crate::request::Request;
use crate::settings::{LoginRole, Preferences};
use crate::widgets;

/// The forms of steps 1 and 2.
pub struct ConnectForm {
    role: LoginRole,
    hosting_number: String,
    password: String,
    username: String,
    invoice_number: String,
    workstation_name: String,
    licence_ticked: bool,
    /// The login or the installation in flight, and how the last one ended.
    sign_in: Request<SessionResponse>,
    failure: Option<Failure>,
    /// Why the certificate step opened (revoked, expired).
    certificate_reason: Option<Failure>,
    resent: Request<()>,
    accept: Request<()>,
    /// A lost password: the code asked for, typed, and the new password of a superadministrator.
    code_sent: Request<()>,
    reset_code: String,
    new_password: String,
    code_used: Request<()>,
}

impl ConnectForm {
    /// The form with the remembered role, hosting number and username.
    pub fn new(prefs: &Preferences, options: &ConsoleOptions) -> ConnectForm {
        ConnectForm {
            role: prefs.role,
            hosting_number: prefs.hosting_number.clone(),
            password: String::new(),
            username: prefs.username.clone(),
            invoice_number: String::new(),
            workstation_name: options.workstation_name.clone(),
            licence_ticked: false,
            sign_in: Request::default(),
            failure: None,
            certificate_reason: None,
            resent: Request::default(),
            accept: Request::default(),
            code_sent: Request::default(),
            reset_code: String::new(),
            new_password: String::new(),
            code_used: Request::default(),
        }
    }

    /// Forgets what must not outlive a session.
    pub fn reset_secrets(&mut self) {
        self.password.clear();
        self.invoice_number.clear();
        self.reset_code.clear();
        self.new_password.clear();
        self.sign_in.clear();
        self.accept.clear();
        self.licence_ticked = false;
    }

    fn role(&self) -> Role {
        match self.role {
            LoginRole::Manager => Role::Manager,
            LoginRole::Superadmin => Role::Superadmin,
        }
    }

    fn key(&self, cx: &Cx<'_>) -> IdentityKey {
        let username = (self.role() == Role::Superadmin).then_some(self.username.as_str());
        IdentityKey {
            ca_fingerprint: cx.ca_fingerprint.to_string(),
            address: cx.server.to_string(),
            hosting_number: validate::hosting_number(&self.hosting_number).unwrap_or_default(),
            principal: principal(self.role(), username),
        }
    }

    /// The answer of a login, if it arrived: the step to open, if it changes.
    pub fn login_answered(&mut self) -> Option<Step> {
        match self.sign_in.arrived()? {
            Ok(_) => {
                self.failure = None;
                self.certificate_reason = None;
                self.invoice_number.clear();
                // The account's onboarding state decides the next step when it arrives.
                None
            }
            Err(failure) => match failure.code {
                ErrorCode::CertificateMissing => {
                    self.failure = None;
                    self.certificate_reason = None;
                    Some(Step::Certificate)
                }
                ErrorCode::CertificateRevoked | ErrorCode::CertificateExpired => {
                    self.failure = None;
                    self.certificate_reason = Some(failure.clone());
                    Some(Step::Certificate)
                }
                _ => {
                    self.failure = Some(failure.clone());
                    None
                }
            },
        }
    }

    /// The session ended under the person: the step to open.
    pub fn session_lost(&mut self, failure: Failure) -> Step {
        self.password.clear();
        self.sign_in.clear();
        if matches!(
            failure.code,
            ErrorCode::CertificateRevoked | ErrorCode::CertificateExpired
        ) {
            self.certificate_reason = Some(failure);
            Step::Certificate
        } else {
            self.failure = Some(failure);
            Step::Connection
        }
    }

    /// Draws step 1, 2 (certificate) or 2 (licence); returns the next step when it changes.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, step: Step) -> Option<Step> {
        match step {
            Step::Connection => self.connection(ui, cx),
            Step::Certificate => self.certificate(ui, cx),
            _ => self.licence(ui, cx),
        }
    }

    fn connection(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        let t = cx.t;
        ui.label(t.get("step1-intro"));
        ui.add_space(crate::theme::GROUP_SPACE);
        self.role_choice(ui, t);
        ui.add_space(crate::theme::GROUP_SPACE);
        let (number_ok, ready, submitted) = self.credentials(ui, t);
        ui.add_space(crate::theme::GROUP_SPACE);
        let busy = self.sign_in.is_pending();
        let clicked = widgets::action_button(ui, &t.get("connect"), ready, busy);
        widgets::failure(ui, cx.t, self.failure.as_ref());
        if (clicked || (submitted && ready)) && !busy {
            self.start_sign_in(cx, &number_ok);
        }
        self.lost_logins(ui, cx, &number_ok);
        None
    }

    /// Log in as the manager or as a superadministrator.
    fn role_choice(&mut self, ui: &mut egui::Ui, t: &Texts) {
        ui.horizontal(|ui| {
            ui.label(t.get("login-as"));
            ui.radio_value(&mut self.role, LoginRole::Manager, t.get("role-manager"));
            ui.radio_value(
                &mut self.role,
                LoginRole::Superadmin,
                t.get("role-superadmin"),
            );
        });
    }

    /// The hosting number, username (superadministrator) and password fields: the hosting
    /// number checked, whether all are ready, and whether Enter was pressed in one.
    fn credentials(
        &mut self,
        ui: &mut egui::Ui,
        t: &Texts,
    ) -> (Result<String, validate::ValidationError>, bool, bool) {
        let (number, number_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("hosting-number"),
            &mut self.hosting_number,
            false,
            &t.get("hosting-number-hint"),
            validate::hosting_number,
        );
        let mut submitted = widgets::submitted(&number);
        let username_ok = if self.role == LoginRole::Superadmin {
            let (field, result) = widgets::checked_field(
                ui,
                t,
                &t.get("username"),
                &mut self.username,
                false,
                &t.get("username-hint"),
                validate::username,
            );
            submitted |= widgets::submitted(&field);
            result.is_ok()
        } else {
            true
        };
        let (password_hint, password_ok) = match self.role {
            LoginRole::Manager => (
                t.get("console-password-hint"),
                validate::console_password(&self.password),
            ),
            LoginRole::Superadmin => (
                t.get("user-password-hint"),
                if self.password.is_empty() {
                    Err(validate::ValidationError {
                        field: "password",
                        code: "missing",
                        message: String::new(),
                    })
                } else {
                    Ok(())
                },
            ),
        };
        let field = widgets::field(
            ui,
            &t.get("password"),
            &mut self.password,
            true,
            &password_hint,
        );
        submitted |= widgets::submitted(&field);
        if self.role == LoginRole::Manager {
            widgets::verdict(ui, t, &self.password, &password_ok);
        }
        let ready = number_ok.is_ok() && username_ok && password_ok.is_ok();
        (number_ok, ready, submitted)
    }

    /// Remembers the role, hosting number and username, then logs in.
    fn start_sign_in(
        &mut self,
        cx: &mut Cx<'_>,
        number_ok: &Result<String, validate::ValidationError>,
    ) {
        self.failure = None;
        cx.prefs.role = self.role;
        cx.prefs.hosting_number = number_ok.clone().unwrap_or_default();
        cx.prefs.username = self.username.trim().to_lowercase();
        let call = cx
            .backend
            .sign_in(self.key(cx), Secret::new(self.password.clone()))
            .then(|data, session| {
                data.principal = Some(session.principal.clone());
                data.load_all();
            });
        self.sign_in.start(call);
    }

    /// Lost logins: sends the manager's logins again to the hosting's address.
    fn lost_logins(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        number_ok: &Result<String, validate::ValidationError>,
    ) {
        let t = cx.t;
        ui.add_space(crate::theme::PART_SPACE);
        ui.separator();
        ui.label(t.get("lost-logins-intro"));
        ui.horizontal(|ui| {
            let can_resend =
                number_ok.is_ok() && self.role == LoginRole::Manager && !self.resent.is_pending();
            if ui
                .add_enabled(can_resend, egui::Button::new(t.get("lost-logins")))
                .clicked()
            {
                let number = number_ok.clone().unwrap_or_default();
                self.resent.start(cx.backend.resend_logins(number));
            }
            widgets::request_state(ui, t, &self.resent);
            if self.resent.is_done() {
                widgets::success(ui, &t.get("lost-logins-sent"));
            }
        });
        self.lost_password(ui, cx, number_ok);
    }

    /// A lost password: a one-time code by e-mail (the account's address for the hosting
    /// manager, theirs for a superadministrator), then the code typed here; the hosting
    /// manager's new password comes by SMS, a superadministrator chooses theirs.
    fn lost_password(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        number_ok: &Result<String, validate::ValidationError>,
    ) {
        let t = cx.t;
        let manager = self.role == LoginRole::Manager;
        ui.add_space(crate::theme::GROUP_SPACE);
        ui.label(t.get(if manager {
            "lost-password-intro-manager"
        } else {
            "lost-password-intro-superadmin"
        }));
        let username = validate::username(&self.username).ok();
        let can_ask =
            number_ok.is_ok() && (manager || username.is_some()) && !self.code_sent.is_pending();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(can_ask, egui::Button::new(t.get("lost-password")))
                .clicked()
            {
                let number = number_ok.clone().unwrap_or_default();
                let username = (!manager).then(|| username.clone().unwrap_or_default());
                self.code_used.clear();
                self.code_sent
                    .start(cx.backend.request_password_reset(number, username));
            }
            widgets::request_state(ui, t, &self.code_sent);
            if self.code_sent.is_done() {
                widgets::success(ui, &t.get("lost-password-sent"));
            }
        });
        if self.code_sent.is_done() {
            self.use_reset_code(ui, cx, number_ok, username.as_deref());
        }
    }

    /// The one-time code of the e-mail, typed here with a superadministrator's new password,
    /// and its use.
    fn use_reset_code(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        number_ok: &Result<String, validate::ValidationError>,
        username: Option<&str>,
    ) {
        let t = cx.t;
        let manager = self.role == LoginRole::Manager;
        let code_field = widgets::field(
            ui,
            &t.get("reset-code"),
            &mut self.reset_code,
            false,
            &t.get("reset-code-hint"),
        );
        let mut submitted = widgets::submitted(&code_field);
        let password_ok = if manager {
            true
        } else {
            let field = widgets::field(
                ui,
                &t.get("new-password"),
                &mut self.new_password,
                true,
                &t.get("user-password-hint"),
            );
            submitted |= widgets::submitted(&field);
            let verdict = validate::user_password(&self.new_password, username.unwrap_or(""));
            widgets::verdict(ui, t, &self.new_password, &verdict);
            verdict.is_ok()
        };
        let ready =
            self.reset_code.trim().len() >= 8 && password_ok && !self.code_used.is_pending();
        let label = t.get(if manager {
            "reset-use-manager"
        } else {
            "reset-use-superadmin"
        });
        let clicked = widgets::action_button(ui, &label, ready, self.code_used.is_pending());
        if (clicked || (submitted && ready))
            && let Ok(number) = number_ok.clone()
        {
            let confirm = hosting_api::PasswordResetConfirm {
                hosting_number: number,
                username: (!manager).then(|| username.unwrap_or_default().to_string()),
                code: self.reset_code.trim().to_string(),
                password: (!manager).then(|| self.new_password.clone()),
            };
            self.code_used
                .start(cx.backend.confirm_password_reset(confirm));
        }
        widgets::failure(ui, t, self.code_used.failure());
        if self.code_used.is_done() {
            widgets::success(
                ui,
                &t.get(if manager {
                    "reset-done-manager"
                } else {
                    "reset-done-superadmin"
                }),
            );
        }
        if let Some(Ok(())) = self.code_used.arrived() {
            self.reset_code.clear();
            self.new_password.clear();
            self.password.clear();
        }
    }

    fn certificate(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        let t = cx.t;
        if let Some(reason) = &self.certificate_reason {
            widgets::failure(ui, t, Some(reason));
            ui.add_space(crate::theme::SMALL_SPACE);
        }
        ui.label(t.get("step2-intro"));
        ui.add_space(crate::theme::GROUP_SPACE);
        let (invoice, invoice_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("invoice-number"),
            &mut self.invoice_number,
            false,
            &t.get("invoice-number-hint"),
            validate::invoice_number,
        );
        let (name, name_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("workstation-name"),
            &mut self.workstation_name,
            false,
            "",
            validate::workstation_name,
        );
        ui.label(t.get("step2-keyring"));
        ui.add_space(crate::theme::GROUP_SPACE);
        let ready = invoice_ok.is_ok() && name_ok.is_ok();
        let busy = self.sign_in.is_pending();
        let clicked = widgets::action_button(ui, &t.get("install-certificate"), ready, busy);
        let submitted = (widgets::submitted(&invoice) || widgets::submitted(&name)) && ready;
        widgets::failure(ui, t, self.failure.as_ref());
        let mut next = None;
        ui.horizontal(|ui| {
            if ui.button(t.get("back")).clicked() {
                next = Some(Step::Connection);
            }
        });
        if (clicked || submitted) && !busy {
            self.failure = None;
            let request = EnrollmentRequest {
                role: self.role(),
                hosting_number: validate::hosting_number(&self.hosting_number).unwrap_or_default(),
                password: self.password.clone(),
                username: (self.role() == Role::Superadmin)
                    .then(|| self.username.trim().to_lowercase()),
                invoice_number: invoice_ok.unwrap_or_default(),
                csr_pem: String::new(),
                workstation_name: name_ok.unwrap_or_default(),
            };
            let call = cx
                .backend
                .install(self.key(cx), request)
                .then(|data, session| {
                    data.principal = Some(session.principal.clone());
                    data.load_all();
                });
            self.sign_in.start(call);
        }
        next
    }

    fn licence(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Step> {
        let t = cx.t;
        widgets::success(ui, &t.get("certificate-installed"));
        ui.label(t.get("licence-intro"));
        let Some(licence) = cx.data.licence.value().cloned() else {
            ui.spinner();
            return None;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(crate::theme::LICENCE_TEXT_HEIGHT)
                .id_salt("licence-text")
                .show(ui, |ui| {
                    ui.label(&licence.text);
                });
        });
        let tick = ui.checkbox(&mut self.licence_ticked, t.get("licence-accept-tick"));
        // The step has no field: the box to tick takes the focus (Space ticks, Tab goes on).
        if widgets::take_focus_request(ui.ctx()) {
            tick.request_focus();
        }
        let busy = self.accept.is_pending();
        if widgets::action_button(ui, &t.get("licence-accept"), self.licence_ticked, busy) {
            let version = licence.version.clone();
            let call = cx
                .backend
                .call(move |c| async move { c.accept_licence(&version).await })
                .then(|data, _| data.load_account());
            self.accept.start(call);
        }
        widgets::failure(ui, t, self.accept.failure());
        // The account's onboarding state moves the wizard on once the acceptance is recorded.
        let accepted = cx
            .data
            .account
            .value()
            .is_some_and(|a| a.onboarding.licence);
        (accepted && self.accept.is_done() && !cx.data.account.is_pending())
            .then_some(Step::Schedules)
    }
}
