//! What the hosting manager does with the people, from a user's editor in Controller:
//! deactivate or reactivate a user, remove a superadministrator's rights, delete a user. Each
//! asks first (the person is logged out at once), and what the service would refuse is disabled
//! with its reason before the click: a superadministrator does none of it, and the only
//! superadministrator of a schedule's Administration profile is kept.

use hosting_api::{User, UserUpdate};

use crate::app::Cx;
use crate::i18n::Texts;
use crate::request::{Call, Request};
use crate::widgets;

/// One of the hosting manager's actions on a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Logged out, and no login until reactivated.
    Deactivate,
    /// Back in.
    Reactivate,
    /// No longer a superadministrator (nor console access); logged out.
    RemoveRights,
    /// Out of every profile, workstations revoked; the audit keeps what they did.
    Delete,
}

impl Action {
    /// The text key of its button.
    fn key(self) -> &'static str {
        match self {
            Action::Deactivate => "people-deactivate",
            Action::Reactivate => "people-reactivate",
            Action::RemoveRights => "people-remove-rights",
            Action::Delete => "people-delete",
        }
    }

    /// Whether it takes a right away from the person (what the last administrator keeps).
    fn takes_away(self) -> bool {
        self != Action::Reactivate
    }

    /// The call that does it; the list of users is read again after (who is the last
    /// administrator where may have changed).
    fn call(self, cx: &Cx<'_>, id: i64) -> Call<()> {
        let update = match self {
            Action::Deactivate => Some(UserUpdate {
                active: Some(false),
                ..Default::default()
            }),
            Action::Reactivate => Some(UserUpdate {
                active: Some(true),
                ..Default::default()
            }),
            Action::RemoveRights => Some(UserUpdate {
                superadmin: Some(false),
                ..Default::default()
            }),
            Action::Delete => None,
        };
        let call = match update {
            Some(update) => cx
                .backend
                .call(move |c| async move { c.update_user(id, &update).await.map(|_| ()) }),
            None => cx
                .backend
                .call(move |c| async move { c.delete_user(id).await }),
        };
        call.then(|data, ()| {
            data.load_users();
            data.load_workstations();
            data.load_account();
        })
    }
}

/// A question being asked: the action and its user.
#[derive(Debug, Clone)]
pub struct Asking {
    action: Action,
    id: i64,
    username: String,
}

/// The people's part of the panel: the question being asked and the request it started.
#[derive(Default)]
pub struct People {
    asking: Option<Asking>,
    /// What the last request did, for its success line.
    done: Option<Asking>,
    request: Request<()>,
}

impl People {
    /// The buttons of a user's editor, each disabled with its reason when the service would
    /// refuse it. Returns true when an action was chosen (the editor closes; the question
    /// follows).
    pub fn buttons(&mut self, ui: &mut egui::Ui, t: &Texts, user: &User, manager: bool) -> bool {
        ui.separator();
        ui.label(egui::RichText::new(t.get("people-heading")).strong());
        let mut actions = Vec::new();
        actions.push(if user.active {
            Action::Deactivate
        } else {
            Action::Reactivate
        });
        if user.superadmin {
            actions.push(Action::RemoveRights);
        }
        actions.push(Action::Delete);
        let alone = user.superadmin && user.active && !user.sole_administrator_of.is_empty();
        let busy = self.request.is_pending();
        let mut chosen = None;
        ui.horizontal_wrapped(|ui| {
            for action in actions {
                let enabled = manager && !busy && !(alone && action.takes_away());
                let name = t.with(
                    &format!("{}-of", action.key()),
                    &[("username", &user.username)],
                );
                if widgets::named_button(ui, &t.get(action.key()), &name, enabled) {
                    chosen = Some(action);
                }
            }
        });
        if !manager {
            widgets::note(ui, &t.get("people-manager-only"));
        } else if alone {
            widgets::note(
                ui,
                &t.with(
                    "people-last-administrator",
                    &[
                        ("username", &user.username),
                        ("schedules", &user.sole_administrator_of.join(", ")),
                    ],
                ),
            );
        } else if !user.active {
            widgets::note(ui, &t.get("people-deactivated-note"));
        }
        match chosen {
            Some(action) => {
                self.asking = Some(Asking {
                    action,
                    id: user.id,
                    username: user.username.clone(),
                });
                true
            }
            None => false,
        }
    }

    /// The question of the chosen action (reactivating asks nothing), then the request's
    /// outcome under the list.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>) {
        let t = cx.t;
        if let Some(asking) = self.asking.clone() {
            let answer = if asking.action == Action::Reactivate {
                Some(true)
            } else {
                let key = asking.action.key();
                widgets::confirm_modal(
                    ui.ctx(),
                    t,
                    "people-confirm",
                    &t.with(
                        &format!("{key}-question"),
                        &[("username", &asking.username)],
                    ),
                    &t.get(key),
                )
            };
            match answer {
                Some(true) => {
                    self.asking = None;
                    self.request.start(asking.action.call(cx, asking.id));
                    self.done = Some(asking);
                }
                Some(false) => self.asking = None,
                None => {}
            }
        }
        widgets::failure(ui, t, self.request.failure());
        if self.request.is_done()
            && let Some(done) = &self.done
        {
            widgets::success(
                ui,
                &t.with(
                    &format!("{}-done", done.action.key()),
                    &[("username", &done.username)],
                ),
            );
        }
    }
}
