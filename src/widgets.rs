//! Small widgets shared by the screens: labelled fields that screen readers and tests find by
//! their label, inline errors, and busy buttons.

use egui::{Response, RichText, Ui};
use hosting_api::validate::ValidationError;

use crate::i18n::Texts;

use crate::model::Failure;
use crate::request::Request;
use crate::theme;

/// A labelled single-line field; `hint` explains where the value comes from. The field carries
/// the label for AccessKit, so a screen reader (and a test) finds it by that label, and the hint
/// as its placeholder, so that it is read out too.
pub fn field(ui: &mut Ui, label: &str, value: &mut String, secret: bool, hint: &str) -> Response {
    ui.horizontal(|ui| {
        let label_response = ui.add_sized([theme::LABEL_WIDTH, 20.0], egui::Label::new(label));
        let edit = egui::TextEdit::singleline(value)
            .password(secret)
            .desired_width(theme::FIELD_WIDTH)
            .hint_text(hint);
        let response = ui.add(edit).labelled_by(label_response.id);
        if value.is_empty() && take_focus_request(ui.ctx()) {
            response.request_focus();
        }
        if !hint.is_empty() {
            ui.ctx().accesskit_node_builder(response.id, |node| {
                node.set_placeholder(hint.to_string());
            });
        }
        response
    })
    .inner
}

/// A labelled field checked by `rule` as the person types, with the rule's verdict under it.
pub fn checked_field<T>(
    ui: &mut Ui,
    t: &Texts,
    label: &str,
    value: &mut String,
    secret: bool,
    hint: &str,
    rule: impl FnOnce(&str) -> Result<T, ValidationError>,
) -> (Response, Result<T, ValidationError>) {
    let response = field(ui, label, value, secret, hint);
    let result = rule(value);
    verdict(ui, t, value, &result);
    (response, result)
}

/// A rule's verdict under a field, as the person types: nothing while empty.
pub fn verdict<T>(ui: &mut Ui, t: &Texts, value: &str, result: &Result<T, ValidationError>) {
    if value.trim().is_empty() {
        return;
    }
    if let Err(error) = result {
        ui.horizontal(|ui| {
            ui.add_space(theme::FIELD_INDENT);
            ui.colored_label(ui.visuals().error_fg_color, t.rule(error));
        });
    }
}

/// A failure next to the action that caused it.
/// The one place a failure becomes a sentence: the locale's for its code, else the service's.
pub fn failure(ui: &mut Ui, t: &Texts, failure: Option<&Failure>) {
    if let Some(failure) = failure {
        ui.colored_label(ui.visuals().error_fg_color, t.failure(failure).message);
    }
}

/// A request's state beside its action: a spinner while it runs, its failure when it failed.
pub fn request_state<T>(ui: &mut Ui, t: &Texts, request: &Request<T>) {
    if request.is_pending() {
        ui.spinner();
    }
    failure(ui, t, request.failure());
}

/// A quiet sentence under a field or an action: why it cannot be used, what comes next.
pub fn note(ui: &mut Ui, text: &str) {
    ui.horizontal(|ui| {
        ui.add_space(theme::FIELD_INDENT);
        // Wrapped within the width left, so that a long reason never widens a modal past the
        // window's edges.
        ui.add(egui::Label::new(RichText::new(text).weak()).wrap());
    });
}

/// A confirmation next to the action.
pub fn success(ui: &mut Ui, text: &str) {
    let colour = theme::success(ui);
    ui.colored_label(colour, text);
}

/// A primary button that is disabled (with a spinner beside it) while `busy`, and also when
/// `enabled` is false.
pub fn action_button(ui: &mut Ui, text: &str, enabled: bool, busy: bool) -> bool {
    ui.horizontal(|ui| {
        let button = egui::Button::new(RichText::new(text).strong());
        let clicked = ui.add_enabled(enabled && !busy, button).clicked();
        if busy {
            ui.spinner();
        }
        clicked
    })
    .inner
}

fn focus_request_id() -> egui::Id {
    egui::Id::unique("focus-first-empty-field")
}

/// How long a step's focus request waits for its first empty field (which may appear only once
/// the step's data has arrived).
const FOCUS_REQUEST_SECONDS: f64 = 5.0;

/// The next empty field drawn takes the keyboard focus (a step of the wizard just opened).
pub fn focus_first_empty(ctx: &egui::Context) {
    let until = ctx.input(|i| i.time) + FOCUS_REQUEST_SECONDS;
    ctx.data_mut(|d| d.insert_temp(focus_request_id(), until));
}

/// Whether a field should take the focus now: the request is used once, and only for a few
/// seconds after it was made (a step without empty fields leaves nothing behind for later).
pub fn take_focus_request(ctx: &egui::Context) -> bool {
    let now = ctx.input(|i| i.time);
    ctx.data_mut(|d| d.remove_temp::<f64>(focus_request_id()))
        .is_some_and(|until| now <= until)
}

/// Whether Enter was pressed in this field: forms submit on Enter in their fields.
pub fn submitted(response: &Response) -> bool {
    response.lost_focus() && response.ctx.input(|i| i.key_pressed(egui::Key::Enter))
}

/// A step title: "Step n: title".
pub fn step_title(ui: &mut Ui, title: &str) {
    ui.heading(title);
    ui.add_space(theme::SECTION_SPACE / 2.0);
}

/// A button showing `text` whose accessible name is `name`: rows of a list repeat the same
/// short text ("Pause"), and the name tells a screen reader (and a test) which row it acts on.
pub fn named_button(ui: &mut Ui, text: &str, name: &str, enabled: bool) -> bool {
    let response = ui.add_enabled(enabled, egui::Button::new(text));
    response
        .widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, enabled, name));
    response.clicked()
}

/// A confirmation in a modal: `question`, a button `confirm` and Cancel. `Some(true)` when
/// confirmed, `Some(false)` when dismissed, `None` while open. Enter confirms and Escape
/// cancels ([`choice_modal`]).
pub fn confirm_modal(
    ctx: &egui::Context,
    t: &Texts,
    id: &str,
    question: &str,
    confirm: &str,
) -> Option<bool> {
    choice_modal(ctx, id, question, confirm, &t.get("cancel"))
}

/// A question in a modal with a button `confirm` and a button `cancel`. The confirm button has
/// the keyboard focus when the modal opens, so that Enter confirms (Tab reaches `cancel`);
/// Escape or a click outside cancels (from the pass after it opens: it may open on the pass of
/// the click that asks it). `Some(true)` when confirmed, `Some(false)` when
/// dismissed, `None` while open.
pub fn choice_modal(
    ctx: &egui::Context,
    id: &str,
    question: &str,
    confirm: &str,
    cancel: &str,
) -> Option<bool> {
    let modal_id = egui::Id::unique(id);
    // Shown in the previous pass: still open. Otherwise it opens now and takes the focus.
    let shown_key = modal_id.with("shown-at-pass");
    let pass = ctx.cumulative_pass_nr();
    let opening = ctx
        .data(|d| d.get_temp::<u64>(shown_key))
        .is_none_or(|last| last + 1 < pass);
    ctx.data_mut(|d| d.insert_temp(shown_key, pass));
    let modal = egui::Modal::new(modal_id).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.label(question);
        ui.add_space(theme::SECTION_SPACE / 2.0);
        ui.horizontal(|ui| {
            let yes = ui.button(RichText::new(confirm).strong());
            if opening {
                yes.request_focus();
            }
            if yes.clicked() {
                return Some(true);
            }
            if ui.button(cancel).clicked() {
                return Some(false);
            }
            None
        })
        .inner
    });
    // Not on the pass it opens in: the click that asked the question would count as a click
    // outside it.
    let answer = modal
        .inner
        .or_else(|| (!opening && modal.should_close()).then_some(false));
    if answer.is_some() {
        ctx.data_mut(|d| d.remove_temp::<u64>(shown_key));
    }
    answer
}
