//! Step 5: the superadministrator's e-mail and console access, and their assignment to the
//! Administration profile of each schedule.

use std::collections::HashMap;

use hosting_api::validate;
use hosting_api::{Profile, Schedule, User, UserUpdate};

use super::Step;
use super::superadmin::SuperadminForm;
use crate::app::Cx;
use crate::request::Request;
use crate::widgets;

use hosting_api::ADMINISTRATION;

/// The form of step 5.
#[derive(Default)]
pub struct ProfilesForm {
    user_id: Option<i64>,
    email: String,
    console_access: bool,
    assign: HashMap<i64, bool>,
    requested: bool,
    /// The e-mail, console access and assignments being saved, in this order.
    save: Request<(User, Vec<(i64, Profile)>)>,
}

impl ProfilesForm {
    /// Draws step 5; returns step 6 once the assignment is saved.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        superadmin: &SuperadminForm,
    ) -> Option<Step> {
        let t = cx.t;
        let schedules: Vec<Schedule> = cx.data.schedules.value().cloned().unwrap_or_default();
        self.request_profiles(cx, &schedules);
        let Some(user) = self.choose_user(cx, superadmin) else {
            ui.spinner();
            return None;
        };
        ui.label(t.with(
            "step5-intro",
            &[("name", &format!("{} {}", user.first_name, user.surname))],
        ));
        ui.add_space(crate::theme::GROUP_SPACE);
        let (email_field, email_ok) = widgets::checked_field(
            ui,
            t,
            &t.get("email"),
            &mut self.email,
            false,
            &t.get("email-hint"),
            validate::email,
        );
        ui.horizontal(|ui| {
            ui.add_space(crate::theme::FIELD_INDENT);
            ui.checkbox(&mut self.console_access, t.get("console-access"));
        });
        ui.add_space(crate::theme::GROUP_SPACE);
        self.assignments(ui, cx, &schedules, &user);
        let access_ok = !self.console_access || email_ok.is_ok();
        let busy = self.save.is_pending();
        let clicked = widgets::action_button(ui, &t.get("validate"), access_ok && !busy, busy);
        widgets::failure(ui, t, self.save.failure());
        let submitted = widgets::submitted(&email_field) && access_ok;
        if (clicked || submitted) && !busy {
            self.start_save(cx, &schedules, &user, email_ok.ok());
        }
        let done = cx
            .data
            .account
            .value()
            .is_some_and(|a| a.onboarding.profiles);
        (self.save.is_done() && done).then_some(Step::Transmission)
    }

    /// Loads the profiles of every schedule, once the schedules are known.
    fn request_profiles(&mut self, cx: &mut Cx<'_>, schedules: &[Schedule]) {
        if !self.requested && !schedules.is_empty() {
            for schedule in schedules {
                cx.data.load_profiles(schedule.id);
            }
            self.requested = true;
        }
    }

    /// The superadministrator the step is about: the one created at step 4, else the first;
    /// the form starts from their e-mail. `None` while the users load.
    fn choose_user(&mut self, cx: &Cx<'_>, superadmin: &SuperadminForm) -> Option<User> {
        let superadmins: Vec<User> = cx
            .data
            .users
            .value()
            .map(|users| users.iter().filter(|u| u.superadmin).cloned().collect())
            .unwrap_or_default();
        if self.user_id.is_none() {
            let chosen = superadmin
                .created
                .as_ref()
                .map(|u| u.id)
                .or(superadmins.first().map(|u| u.id));
            if let Some(user) = chosen.and_then(|id| superadmins.iter().find(|u| u.id == id)) {
                self.user_id = Some(user.id);
                self.email = user.email.clone().unwrap_or_default();
                // Optional and unticked, as the seed has it: the manager ticks it for a
                // superadministrator who also uses the console.
                self.console_access = user.console_access;
            }
        }
        self.user_id
            .and_then(|id| superadmins.iter().find(|u| u.id == id))
            .cloned()
    }

    /// One checkbox per schedule: assign the user to its Administration profile.
    fn assignments(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>, schedules: &[Schedule], user: &User) {
        let t = cx.t;
        ui.label(t.get("assign-administration"));
        for schedule in schedules {
            let member = cx
                .data
                .members(schedule.id, ADMINISTRATION)
                .contains(&user.id);
            // The only superadministrator of a profile stays in it (the service keeps them).
            let locked = member && user.sole_administrator_of.contains(&schedule.name);
            let ticked = self.assign.entry(schedule.id).or_insert(true);
            if locked {
                *ticked = true;
            }
            ui.horizontal(|ui| {
                ui.add_space(crate::theme::FIELD_INDENT);
                ui.add_enabled(
                    !locked,
                    egui::Checkbox::new(
                        ticked,
                        t.with("administration-of", &[("name", &schedule.name)]),
                    ),
                );
                if member {
                    widgets::success(ui, &t.get("assigned"));
                }
            });
            if locked {
                widgets::note(
                    ui,
                    &t.with(
                        "member-locked",
                        &[("username", &user.username), ("schedule", &schedule.name)],
                    ),
                );
            }
        }
    }

    /// Saves the e-mail and console access, then the Administration members of each schedule.
    fn start_save(
        &mut self,
        cx: &mut Cx<'_>,
        schedules: &[Schedule],
        user: &User,
        email: Option<String>,
    ) {
        let update = UserUpdate {
            email,
            console_access: Some(self.console_access),
            ..Default::default()
        };
        let assignments: Vec<(i64, Vec<i64>)> = schedules
            .iter()
            .map(|schedule| {
                let mut members = cx.data.members(schedule.id, ADMINISTRATION);
                let wanted = self.assign.get(&schedule.id).copied().unwrap_or(true);
                members.retain(|id| *id != user.id);
                if wanted {
                    members.push(user.id);
                }
                (schedule.id, members)
            })
            .collect();
        let user_id = user.id;
        let call = cx
            .backend
            .call(move |c| async move {
                let user = c.update_user(user_id, &update).await?;
                let mut profiles = Vec::new();
                for (schedule, members) in assignments {
                    let profile = c
                        .set_profile_members(schedule, ADMINISTRATION, &members)
                        .await?;
                    profiles.push((schedule, profile));
                }
                Ok((user, profiles))
            })
            .then(|data, (user, profiles)| {
                data.replace_user(user.clone());
                for (schedule, profile) in profiles {
                    data.replace_profile(*schedule, profile.clone());
                }
                data.load_account();
                // Who is the only administrator where has changed.
                data.load_users();
            });
        self.save.start(call);
    }
}
