//! The choice of hosting service: the built-in local one, or a provider's address with its CA
//! certificate (a PEM file).

use std::path::PathBuf;

use crate::backend::Backend;
use crate::i18n::Texts;
use crate::model::Failure;
use crate::platform::dialogs::OpenDialog;
use crate::request::Request;
use crate::settings::ServerChoice;
use crate::widgets;

/// The form of the "Hosting service" window.
#[derive(Debug, Default)]
pub struct ServiceForm {
    local: bool,
    url: String,
    ca_path: String,
    error: Option<String>,
    /// The CA file being chosen in a dialog (`None` when the person cancels).
    ca_chosen: Request<Option<Vec<PathBuf>>>,
}

impl ServiceForm {
    /// The form showing `choice`.
    pub fn new(choice: &ServerChoice) -> ServiceForm {
        match choice {
            ServerChoice::Local => ServiceForm {
                local: true,
                ..Default::default()
            },
            ServerChoice::Remote { url, .. } => ServiceForm {
                local: false,
                url: url.clone(),
                ..Default::default()
            },
            ServerChoice::RemotePinned { url, fingerprint } => ServiceForm {
                local: false,
                url: url.clone(),
                ca_path: fingerprint.clone(),
                ..Default::default()
            },
        }
    }

    /// Draws the window; returns the new choice when the person applies it.
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        t: &Texts,
        backend: &Backend,
        failure: Option<&Failure>,
        allow_local: bool,
        open: &mut bool,
    ) -> Option<ServerChoice> {
        let mut chosen = None;
        if let Some(Ok(Some(paths))) = self.ca_chosen.arrived()
            && let Some(path) = paths.first()
        {
            self.ca_path = path.display().to_string();
        }
        egui::Window::new(t.get("service-title"))
            .open(open)
            .show(ctx, |ui| {
                if let Some(failure) = failure {
                    widgets::failure(ui, t, Some(failure));
                }
                // A provider's console offers only a provider's service, never the demonstration.
                if allow_local {
                    ui.radio_value(&mut self.local, true, t.get("service-local"));
                    ui.radio_value(&mut self.local, false, t.get("service-remote"));
                } else {
                    self.local = false;
                }
                if !self.local {
                    self.remote_fields(ui, t, backend);
                }
                if let Some(error) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                if ui.button(t.get("service-apply")).clicked() {
                    chosen = self.apply(t);
                }
            });
        chosen
    }

    /// The provider's address and CA certificate (a file, or its fingerprint), with Browse.
    fn remote_fields(&mut self, ui: &mut egui::Ui, t: &Texts, backend: &Backend) {
        widgets::field(
            ui,
            &t.get("service-url"),
            &mut self.url,
            false,
            "https://hosting.example.org:8443",
        );
        widgets::field(
            ui,
            &t.get("service-ca"),
            &mut self.ca_path,
            false,
            "/path/to/ca.pem",
        );
        let choosing = self.ca_chosen.is_pending();
        if ui
            .add_enabled(!choosing, egui::Button::new(t.get("browse")))
            .clicked()
        {
            let dialog = OpenDialog {
                title: t.get("service-ca"),
                filter: Some((
                    "PEM".to_string(),
                    vec!["pem".to_string(), "crt".to_string()],
                )),
                many: false,
            };
            self.ca_chosen.start(backend.pick_files(dialog));
        }
    }

    /// The choice the form shows, or `None` with the error shown in the form.
    fn apply(&mut self, t: &Texts) -> Option<ServerChoice> {
        let mut chosen = None;
        self.error = None;
        if self.local {
            chosen = Some(ServerChoice::Local);
        } else if !self.url.starts_with("https://") {
            self.error = Some(t.get("service-url-invalid"));
        } else if let Some(fingerprint) = hosting_api::tls::normalise_fingerprint(&self.ca_path) {
            chosen = Some(ServerChoice::RemotePinned {
                url: self.url.trim().to_string(),
                fingerprint,
            });
        } else {
            // A CA file is a few kilobytes, read once when the person applies the choice.
            match std::fs::read_to_string(self.ca_path.trim()) {
                Ok(ca_pem) if hosting_api::tls::certificates_from_pem(&ca_pem).is_ok() => {
                    chosen = Some(ServerChoice::Remote {
                        url: self.url.trim().to_string(),
                        ca_pem,
                    });
                }
                _ => self.error = Some(t.get("service-ca-invalid")),
            }
        }
        chosen
    }
}
