//! The hosting service the console talks to: starting it, what it answered, the window that
//! changes it, and what the window says while it starts.

use crate::backend::{Backend, ServiceInUse};
use crate::i18n::Texts;
use crate::model::Failure;
use crate::provider::ProviderSetting;
use crate::request::Request;
use crate::service_form::ServiceForm;
use crate::settings::{Preferences, ServerChoice};
use crate::widgets;

/// The hosting service in use, or on its way.
pub(super) struct ServiceLink {
    ready: Request<ServiceInUse>,
    in_use: Option<ServiceInUse>,
    failure: Option<Failure>,
    /// The "Hosting service" window is open.
    show_form: bool,
    form: ServiceForm,
    /// No service was started: the provider's file is broken and nothing else was given.
    blocked: bool,
}

impl ServiceLink {
    /// Starts the service of `prefs`, unless a broken provider's file blocks it.
    pub(super) fn start(
        prefs: &Preferences,
        provider: &ProviderSetting,
        given: bool,
        backend: &Backend,
    ) -> ServiceLink {
        let blocked = matches!(provider, ProviderSetting::Broken(_)) && !given;
        let mut ready = Request::default();
        // With a broken provider.toml, never the demonstration instead of the provider: the
        // window says what to fix, and no service starts.
        if !blocked {
            ready.start(backend.use_server(prefs.server.clone()));
        }
        ServiceLink {
            ready,
            in_use: None,
            failure: None,
            show_form: false,
            form: ServiceForm::new(&prefs.server),
            blocked,
        }
    }

    /// Whether the service just became ready (the session starts over on it); a failure opens
    /// the window that changes it.
    pub(super) fn became_ready(&mut self, demonstration: bool) -> bool {
        match self.ready.arrived() {
            Some(Ok(in_use)) => {
                self.in_use = Some(in_use.clone());
                self.failure = None;
                // Read by the installed package's check, which must see the provider's service.
                tracing::info!(
                    address = %in_use.address,
                    demonstration,
                    "hosting service ready"
                );
                true
            }
            Some(Err(failure)) => {
                tracing::warn!(code = %failure.code, "hosting service not ready");
                self.failure = Some(failure.clone());
                self.show_form = true;
                false
            }
            None => false,
        }
    }

    /// The service's address, once ready.
    pub(super) fn address(&self) -> &str {
        self.in_use.as_ref().map_or("", |s| s.address.as_str())
    }

    /// The SHA-256 fingerprint of the service's CA, once ready.
    pub(super) fn ca_fingerprint(&self) -> &str {
        self.in_use
            .as_ref()
            .map_or("", |s| s.ca_fingerprint.as_str())
    }

    /// What the top bar's button says of the service.
    pub(super) fn name(&self, t: &Texts, prefs: &Preferences) -> String {
        match prefs.server.address() {
            _ if self.blocked => t.get("service-none"),
            None => t.get("service-local"),
            Some(url) => url.to_string(),
        }
    }

    /// Opens or closes the "Hosting service" window.
    pub(super) fn toggle_form(&mut self) {
        self.show_form = !self.show_form;
    }

    /// Draws the "Hosting service" window while open; the service chosen there, started.
    pub(super) fn window(
        &mut self,
        ctx: &egui::Context,
        t: &Texts,
        backend: &Backend,
        provider: &ProviderSetting,
    ) -> Option<ServerChoice> {
        if !self.show_form {
            return None;
        }
        let choice = self.form.window(
            ctx,
            t,
            backend,
            self.failure.as_ref(),
            provider.allows_demonstration(),
            &mut self.show_form,
        )?;
        self.blocked = false;
        self.ready.start(backend.use_server(choice.clone()));
        Some(choice)
    }

    /// What the window says while the service starts: what to fix, why it failed, or a spinner.
    pub(super) fn starting_ui(&self, ui: &mut egui::Ui, t: &Texts, provider: &ProviderSetting) {
        ui.horizontal_wrapped(|ui| {
            if let (true, ProviderSetting::Broken(error)) = (self.blocked, provider) {
                ui.colored_label(ui.visuals().error_fg_color, error.message(t));
            } else if let Some(failure) = &self.failure {
                widgets::failure(ui, t, Some(failure));
            } else {
                ui.spinner();
                ui.label(t.get("starting"));
            }
        });
    }

    /// Whether the local demonstration service is in use.
    pub(super) fn demonstration(&self, prefs: &Preferences) -> bool {
        prefs.server == ServerChoice::Local && !self.blocked
    }
}
