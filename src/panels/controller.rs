//! The Controller panel: the list of users (drawn lazily, so that a long list stays fast), adding
//! a user, e-mail and console access, and the assignment to profiles as a grid of users ×
//! schedules.

use egui_extras::{Column, TableBuilder};
use hosting_api::validate;
use hosting_api::{Profile, Schedule, User, UserUpdate};

use super::people::People;
use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::i18n::Texts;
use crate::request::Request;
use crate::user_form::NewUserForm;
use crate::{theme, widgets};

/// A tab of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Users,
    AddUser,
    Profiles,
}

/// The user whose e-mail and console access are being edited.
struct Editing {
    id: i64,
    username: String,
    email: String,
    console_access: bool,
    /// Only a superadministrator can have console access.
    superadmin: bool,
    /// The user as listed: what the people's buttons need.
    user: User,
}

/// The Controller panel's id.
pub const ID: PanelId = PanelId::new("panel-controller");

/// The Controller panel.
#[derive(Default)]
pub struct ControllerPanel {
    tab: Tab,
    filter: String,
    editing: Option<Editing>,
    new_user: NewUserForm,
    profile: String,
    profiles_requested: bool,
    /// The caller is the hosting manager, who alone changes the Administration profile.
    manager: bool,
    update_user: Request<User>,
    /// The one-time code of a superadministrator's password reset, e-mailed to them.
    reset_password: Request<()>,
    add: Request<User>,
    /// Deactivate, reactivate, remove rights, delete.
    people: People,
    /// A change of the grid: each schedule's changes run apart.
    grid: std::collections::HashMap<i64, Request<Profile>>,
}

/// "Reset the password" of a superadministrator: the hosting manager's, for a user with an
/// e-mail address (the one-time code goes there); otherwise disabled, with why.
fn password_reset(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    editing: &Editing,
    request: &mut Request<()>,
    manager: bool,
) {
    let t = cx.t;
    let saved_email = cx
        .data
        .users
        .value()
        .and_then(|users| users.iter().find(|u| u.id == editing.id))
        .and_then(|u| u.email.clone())
        .filter(|e| !e.is_empty());
    ui.add_space(crate::theme::SMALL_SPACE);
    ui.horizontal(|ui| {
        let enabled = manager && saved_email.is_some() && !request.is_pending();
        if ui
            .add_enabled(enabled, egui::Button::new(t.get("reset-password")))
            .clicked()
        {
            let id = editing.id;
            request.start(
                cx.backend
                    .call(move |c| async move { c.reset_user_password(id).await }),
            );
        }
        widgets::request_state(ui, t, request);
    });
    if !manager {
        widgets::note(ui, &t.get("reset-password-manager-only"));
    } else if let Some(email) = &saved_email {
        if request.is_done() {
            widgets::success(ui, &t.with("reset-password-sent", &[("email", email)]));
        } else {
            widgets::note(ui, &t.with("reset-password-hint", &[("email", email)]));
        }
    } else {
        widgets::note(ui, &t.get("reset-password-needs-email"));
    }
}

impl Panel for ControllerPanel {
    fn id(&self) -> PanelId {
        ID
    }

    fn reset(&mut self, cx: &mut Cx<'_>) {
        cx.data.load_users();
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        self.draw(ui, cx);
        None
    }
}

impl ControllerPanel {
    fn draw(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.horizontal(|ui| {
            for (tab, key) in [
                (Tab::Users, "tab-users"),
                (Tab::AddUser, "tab-add-user"),
                (Tab::Profiles, "tab-profiles"),
            ] {
                if ui.selectable_label(self.tab == tab, t.get(key)).clicked() {
                    self.tab = tab;
                }
            }
        });
        ui.separator();
        match self.tab {
            Tab::Users => self.users(ui, cx),
            Tab::AddUser => self.add_user(ui, cx),
            Tab::Profiles => self.profiles(ui, cx),
        }
    }

    fn users(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        // Borrowed, not cloned: with 100,000 users a copy per frame would cost more than drawing.
        let users: &[User] = cx.data.users.value().map_or(&[], Vec::as_slice);
        ui.horizontal(|ui| {
            widgets::field(
                ui,
                &t.get("filter"),
                &mut self.filter,
                false,
                &t.get("filter-hint"),
            );
            ui.label(t.with("user-count", &[("count", &users.len().to_string())]));
            if cx.data.users.is_pending() {
                ui.spinner();
            }
        });
        widgets::failure(ui, t, self.update_user.failure());
        if users.is_empty() && !cx.data.users.is_pending() {
            ui.label(t.get("no-users"));
        }
        let filter = self.filter.trim().to_lowercase();
        // Without a filter the rows index the list directly; with one, only matches are kept.
        let matches = filter_matches(users, &filter);
        if let Some(user) = users_table(ui, t, users, matches.as_deref()) {
            self.reset_password.clear();
            self.editing = Some(Editing {
                id: user.id,
                username: user.username.clone(),
                email: user.email.clone().unwrap_or_default(),
                console_access: user.console_access,
                superadmin: user.superadmin,
                user,
            });
        }
        self.access_editor(ui, cx);
        self.people.ui(ui, cx);
    }

    fn access_editor(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        let manager = cx.data.is_manager();
        let Some(editing) = self.editing.as_mut() else {
            return;
        };
        let name = editing.username.clone();
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("edit-access")).show(ui.ctx(), |ui| {
            // Long notes wrap inside the window instead of widening the modal past its edges.
            ui.set_max_width(theme::EDITOR_WIDTH);
            ui.heading(t.with("edit-access-of", &[("username", &name)]));
            // Console access, and the e-mail of who has it, are the hosting manager's; only a
            // superadministrator can have console access. What cannot be changed says why.
            let email_editable = manager || !editing.console_access;
            let (_, email_ok) = ui
                .add_enabled_ui(email_editable, |ui| {
                    widgets::checked_field(
                        ui,
                        t,
                        &t.get("email"),
                        &mut editing.email,
                        false,
                        "",
                        validate::email,
                    )
                })
                .inner;
            let access_editable = manager && editing.superadmin;
            ui.add_enabled(
                access_editable,
                egui::Checkbox::new(&mut editing.console_access, t.get("console-access")),
            );
            if !editing.superadmin {
                widgets::note(ui, &t.get("console-access-superadmins-only"));
            } else if !manager {
                widgets::note(ui, &t.get("console-access-manager-only"));
            }
            if editing.superadmin {
                password_reset(ui, cx, editing, &mut self.reset_password, manager);
            }
            if self.people.buttons(ui, t, &editing.user, manager) {
                close = true;
            }
            ui.horizontal(|ui| {
                let ready = !editing.console_access || email_ok.is_ok();
                let busy = self.update_user.is_pending();
                if ui
                    .add_enabled(ready && !busy, egui::Button::new(t.get("save")))
                    .clicked()
                {
                    let update = UserUpdate {
                        email: email_ok.ok().filter(|_| email_editable),
                        console_access: access_editable.then_some(editing.console_access),
                        ..Default::default()
                    };
                    let id = editing.id;
                    let call = cx
                        .backend
                        .call(move |c| async move { c.update_user(id, &update).await })
                        .then(|data, user| data.replace_user(user.clone()));
                    self.update_user.start(call);
                    close = true;
                }
                if ui.button(t.get("cancel")).clicked() {
                    close = true;
                }
            });
        });
        if close || modal.should_close() {
            self.editing = None;
        }
    }

    fn add_user(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        // Once, when the user is added: the form is emptied for the next one (not at every
        // frame after, which emptied the next user's fields as they were typed).
        if let Some(Ok(_)) = self.add.arrived() {
            self.new_user = NewUserForm::default();
        }
        let role = if cx.data.is_manager() {
            crate::user_form::RoleBox::Free
        } else {
            crate::user_form::RoleBox::ManagerOnly
        };
        let filled = self.new_user.ui(ui, t, role);
        let busy = self.add.is_pending();
        let ready = filled.user.is_some();
        if (widgets::action_button(ui, &t.get("add-user"), ready && !busy, busy)
            || (filled.submitted && !busy))
            && let Some(user) = filled.user
        {
            self.add.start(crate::user_form::create(cx.backend, user));
        }
        widgets::failure(ui, t, self.add.failure());
        if self.add.value().is_some() && !busy {
            widgets::success(ui, &t.get("user-added"));
        }
    }

    fn profiles(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        if !self.profiles_requested {
            for schedule in &schedules {
                cx.data.load_profiles(schedule.id);
            }
            self.profiles_requested = !schedules.is_empty();
        }
        if self.profile.is_empty() {
            self.profile = hosting_api::ADMINISTRATION.to_string();
        }
        self.profile_choice(ui, cx, &schedules);
        // The Administration profile is a boundary (its members see the audit log and the
        // previous years): a superadministrator sees its members, and the hosting manager alone
        // changes them.
        self.manager = cx.data.is_manager();
        if self.profile == hosting_api::ADMINISTRATION && !self.manager {
            widgets::note(ui, &t.get("administration-manager-only"));
        }
        for request in self.grid.values() {
            widgets::failure(ui, t, request.failure());
        }
        let users: &[User] = cx.data.users.value().map_or(&[], Vec::as_slice);
        // The members of each schedule's profile, once per frame.
        let members: Vec<Vec<i64>> = schedules
            .iter()
            .map(|schedule| cx.data.members(schedule.id, &self.profile))
            .collect();
        grid_header(ui, t, &schedules);
        let change = self.grid_rows(ui, t, users, &schedules, &members);
        if let Some((schedule, members)) = change {
            self.start_change(cx, schedule, members);
        }
    }

    /// The profile the grid shows, chosen among the first schedule's profiles.
    fn profile_choice(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>, schedules: &[Schedule]) {
        let t = cx.t;
        let names: Vec<String> = schedules
            .first()
            .and_then(|s| cx.data.profiles.get(&s.id))
            .and_then(|p| p.value())
            .map(|list| list.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default();
        ui.horizontal(|ui| {
            ui.label(t.get("profile"));
            for name in &names {
                ui.selectable_value(&mut self.profile, name.clone(), name);
            }
        });
    }

    /// One row per user, one checkbox per schedule: whether the user is a member of the profile
    /// there. Returns the schedule whose checkbox changed and its new members.
    fn grid_rows(
        &self,
        ui: &mut egui::Ui,
        t: &Texts,
        users: &[User],
        schedules: &[Schedule],
        members: &[Vec<i64>],
    ) -> Option<(i64, Vec<i64>)> {
        let mut change = None;
        let row_height = ui.spacing().interact_size.y + 4.0;
        // Only the visible rows are laid out, so a long list of users stays fast.
        egui::ScrollArea::vertical()
            .id_salt("profile-grid")
            .show_rows(ui, row_height, users.len(), |ui, rows| {
                for user in &users[rows] {
                    ui.horizontal(|ui| {
                        ui.add_sized(
                            [theme::NAME_COLUMN, row_height],
                            egui::Label::new(&user.username),
                        );
                        for (schedule, members) in schedules.iter().zip(members) {
                            if let Some(next) =
                                self.member_box(ui, t, user, schedule, members, row_height)
                            {
                                change = Some((schedule.id, next));
                            }
                        }
                    });
                }
            });
        change
    }

    /// The checkbox of `user` in `schedule`'s profile; the schedule's new members when it
    /// changed.
    fn member_box(
        &self,
        ui: &mut egui::Ui,
        t: &Texts,
        user: &User,
        schedule: &Schedule,
        members: &[i64],
        row_height: f32,
    ) -> Option<Vec<i64>> {
        let administration = self.profile == hosting_api::ADMINISTRATION;
        let busy = self.grid.get(&schedule.id).is_some_and(Request::is_pending);
        let mut member = members.contains(&user.id);
        // The only superadministrator of an Administration profile stays (the service says who,
        // in the list of users).
        let locked =
            administration && member && user.sole_administrator_of.contains(&schedule.name);
        let manager_only = administration && !self.manager;
        let label = t.with(
            "member-of",
            &[
                ("username", &user.username),
                ("schedule", &schedule.name),
                ("profile", &self.profile),
            ],
        );
        let response = ui
            .add_sized([theme::USERNAME_COLUMN, row_height], |ui: &mut egui::Ui| {
                let enabled = !busy && !locked && !manager_only;
                ui.add_enabled(enabled, egui::Checkbox::without_text(&mut member))
            })
            .on_hover_text(&label)
            .on_disabled_hover_text(if manager_only {
                t.get("administration-manager-only")
            } else if locked {
                t.with(
                    "member-locked",
                    &[("username", &user.username), ("schedule", &schedule.name)],
                )
            } else {
                label.clone()
            });
        response.widget_info(|| {
            egui::WidgetInfo::selected(egui::accesskit::Role::CheckBox, true, member, &label)
        });
        if !response.changed() {
            return None;
        }
        let mut next = members.to_vec();
        next.retain(|id| *id != user.id);
        if member {
            next.push(user.id);
        }
        Some(next)
    }

    /// Saves the new members of the profile in one schedule.
    fn start_change(&mut self, cx: &mut Cx<'_>, schedule: i64, members: Vec<i64>) {
        let profile = self.profile.clone();
        let call = cx
            .backend
            .call(move |c| async move { c.set_profile_members(schedule, &profile, &members).await })
            .then(move |data, profile| {
                let administration = profile.name == hosting_api::ADMINISTRATION;
                data.replace_profile(schedule, profile.clone());
                data.load_account();
                // Who is the only administrator where may have changed.
                if administration {
                    data.load_users();
                }
            });
        self.grid.entry(schedule).or_default().start(call);
    }
}

/// The indexes of the users matching the filter (lowercase), `None` without a filter.
fn filter_matches(users: &[User], filter: &str) -> Option<Vec<usize>> {
    (!filter.is_empty()).then(|| {
        users
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.username.contains(filter)
                    || u.surname.to_lowercase().contains(filter)
                    || u.first_name.to_lowercase().contains(filter)
            })
            .map(|(index, _)| index)
            .collect()
    })
}

/// The table of users (only the visible rows are drawn); returns the user whose Edit was
/// clicked.
fn users_table(
    ui: &mut egui::Ui,
    t: &Texts,
    users: &[User],
    matches: Option<&[usize]>,
) -> Option<User> {
    let row_count = matches.map_or(users.len(), <[usize]>::len);
    let mut edit_request = None;
    let height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    TableBuilder::new(ui)
        .striped(true)
        .column(Column::auto().at_least(theme::USERNAME_COLUMN))
        .column(Column::auto().at_least(theme::NAME_COLUMN))
        .column(Column::auto().at_least(theme::FLAG_COLUMN))
        .column(Column::remainder().at_least(theme::EMAIL_COLUMN))
        .column(Column::auto().at_least(theme::ACCESS_COLUMN))
        .header(height, |mut header| {
            for key in [
                "username",
                "full-name",
                "superadmin",
                "email",
                "console-access",
            ] {
                header.col(|ui| {
                    ui.strong(t.get(key));
                });
            }
        })
        .body(|body| {
            body.rows(height, row_count, |mut row| {
                let index = matches.map_or(row.index(), |m| m[row.index()]);
                let user = &users[index];
                row.col(|ui| {
                    ui.label(&user.username);
                });
                row.col(|ui| {
                    let name = format!("{} {}", user.first_name, user.surname);
                    if user.active {
                        ui.label(name);
                    } else {
                        ui.label(t.with("user-deactivated", &[("name", &name)]));
                    }
                });
                row.col(|ui| {
                    ui.label(if user.superadmin {
                        t.get("yes")
                    } else {
                        String::new()
                    });
                });
                row.col(|ui| {
                    ui.label(user.email.clone().unwrap_or_default());
                });
                row.col(|ui| {
                    let text = if user.console_access {
                        t.get("yes")
                    } else {
                        t.get("no")
                    };
                    ui.label(text);
                    let edit = t.with("edit-user", &[("username", &user.username)]);
                    if ui
                        .small_button(edit)
                        .on_hover_text(t.get("edit-access"))
                        .clicked()
                    {
                        edit_request = Some(user.clone());
                    }
                });
            });
        });
    edit_request
}

/// The heads of the grid: Username, then each schedule's name.
fn grid_header(ui: &mut egui::Ui, t: &Texts, schedules: &[Schedule]) {
    ui.horizontal(|ui| {
        ui.add_sized(
            [theme::NAME_COLUMN, theme::HEADER_HEIGHT],
            egui::Label::new(egui::RichText::new(t.get("username")).strong()),
        );
        for schedule in schedules {
            ui.add_sized(
                [theme::USERNAME_COLUMN, theme::HEADER_HEIGHT],
                egui::Label::new(egui::RichText::new(&schedule.name).strong()),
            );
        }
    });
}
