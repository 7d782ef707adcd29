//! Renewing the contract, in My account: a superadministrator makes the pro-forma invoice of a
//! period, saves its PDF, and finds the earlier ones listed.

use std::path::PathBuf;

use hosting_api::{Account, Proforma, ProformaRequest};

use super::superadmin;
use crate::app::Cx;
use crate::format;
use crate::platform::dialogs::SaveDialog;
use crate::request::Request;
use crate::widgets;

/// The renewal section of My account: the period's form and the pro-formas made.
#[derive(Default)]
pub(super) struct Renewal {
    /// The renewal form: first day of the period (YYYY-MM-DD) and years.
    period_start: Option<String>,
    years: u8,
    /// The pro-formas made so far (superadministrators).
    proformas: Request<Vec<Proforma>>,
    /// A pro-forma being made or fetched, with its document.
    document: Request<(Proforma, Vec<u8>)>,
    /// Where the last document was saved.
    saved: Request<Option<PathBuf>>,
}

impl Renewal {
    /// Loads the pro-formas made so far, for a superadministrator.
    pub(super) fn open(&mut self, cx: &Cx<'_>) {
        if superadmin(cx) {
            self.proformas
                .start(cx.backend.call(|c| async move { c.proformas().await }));
        }
    }

    /// Renew the contract: a superadministrator makes the pro-forma invoice of a period, saves
    /// its PDF, and finds the earlier ones listed.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.strong(t.get("renewal"));
        self.save_document(cx);
        if !superadmin(cx) {
            ui.label(t.get("renewal-superadmin-only"));
            return;
        }
        let Some(account) = cx.data.account.value().cloned() else {
            return;
        };
        let busy = self.renewal_form(ui, cx, &account);
        self.proforma_list(ui, cx, busy);
    }

    /// A pro-forma's document that arrived: saved where the person says, and the pro-forma
    /// listed.
    fn save_document(&mut self, cx: &Cx<'_>) {
        let t = cx.t;
        if let Some(Ok((proforma, pdf))) = self.document.arrived() {
            let (proforma, pdf) = (proforma.clone(), pdf.clone());
            let dialog = SaveDialog {
                title: t.get("renewal-save"),
                file_name: format!("{}.pdf", proforma.number),
                filter: Some(("PDF".to_string(), vec!["pdf".to_string()])),
            };
            self.saved
                .start(cx.backend.save_file(dialog, move || Ok(pdf)));
            let mut list = self.proformas.value().cloned().unwrap_or_default();
            if !list.iter().any(|p| p.id == proforma.id) {
                list.insert(0, proforma);
            }
            self.proformas.set(list);
        }
    }

    /// The period of the renewal and the button that makes its pro-forma; whether a document
    /// is being made or saved.
    fn renewal_form(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>, account: &Account) -> bool {
        let t = cx.t;
        let start = self.period_start.get_or_insert_with(|| {
            format::parse_day(&account.contract.ends_on)
                .and_then(|end| end.next_day())
                .map(|day| {
                    format!(
                        "{:04}-{:02}-{:02}",
                        day.year(),
                        u8::from(day.month()),
                        day.day()
                    )
                })
                .unwrap_or_default()
        });
        if self.years == 0 {
            self.years = 1;
        }
        widgets::field(
            ui,
            &t.get("renewal-start"),
            start,
            false,
            &t.get("renewal-start-hint"),
        );
        let start = start.clone();
        let valid = format::parse_day(&start).is_some();
        if !valid && !start.is_empty() {
            ui.colored_label(ui.visuals().error_fg_color, t.get("renewal-start-invalid"));
        }
        ui.horizontal(|ui| {
            egui::ComboBox::from_label(t.get("renewal-years"))
                .selected_text(t.with("renewal-years-value", &[("years", &self.years.to_string())]))
                .show_ui(ui, |ui| {
                    for years in 1..=3u8 {
                        ui.selectable_value(
                            &mut self.years,
                            years,
                            t.with("renewal-years-value", &[("years", &years.to_string())]),
                        );
                    }
                });
        });
        let busy = self.document.is_pending() || self.saved.is_pending();
        if widgets::action_button(ui, &t.get("renewal-make"), valid, busy) {
            let request = ProformaRequest {
                period_start: start,
                years: self.years,
                language: Some(
                    match t.language() {
                        crate::i18n::Language::Fr => "fr",
                        crate::i18n::Language::En => "en",
                    }
                    .to_string(),
                ),
            };
            self.document.start(cx.backend.call(move |c| async move {
                let proforma = c.make_proforma(&request).await?;
                let pdf = c.proforma_pdf(proforma.id).await?;
                Ok((proforma, pdf))
            }));
        }
        widgets::failure(ui, t, self.document.failure());
        widgets::failure(ui, t, self.saved.failure());
        if let Some(Some(path)) = self.saved.value().filter(|_| self.saved.is_done()) {
            widgets::success(
                ui,
                &t.with("renewal-saved", &[("path", &path.display().to_string())]),
            );
        }
        busy
    }

    /// The pro-formas made so far, each with a button that saves its document again.
    fn proforma_list(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>, busy: bool) {
        let t = cx.t;
        let list = self.proformas.value().cloned().unwrap_or_default();
        if list.is_empty() {
            return;
        }
        ui.label(t.get("renewal-earlier"));
        let mut fetch = None;
        egui::Grid::new("proformas")
            .striped(true)
            .num_columns(4)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                for proforma in &list {
                    ui.label(&proforma.number);
                    ui.label(t.with(
                        "renewal-period",
                        &[
                            ("start", &format::day(t, &proforma.period_start)),
                            ("end", &format::day(t, &proforma.period_end)),
                        ],
                    ));
                    ui.label(format::money(
                        t,
                        proforma.total_incl_cents,
                        &proforma.currency,
                    ));
                    if ui
                        .add_enabled(
                            !busy,
                            egui::Button::new(
                                t.with("renewal-save-number", &[("number", &proforma.number)]),
                            ),
                        )
                        .clicked()
                    {
                        fetch = Some(proforma.clone());
                    }
                    ui.end_row();
                }
            });
        if let Some(proforma) = fetch {
            self.document.start(cx.backend.call(move |c| async move {
                let pdf = c.proforma_pdf(proforma.id).await?;
                Ok((proforma, pdf))
            }));
        }
    }
}
