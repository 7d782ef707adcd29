//! The remote data that several screens of a logged-in session share, one [`Request`] per
//! resource. Data only one screen shows (safeguards, monitoring, an endpoint test) lives in that
//! screen.

use std::collections::HashMap;

use hosting_api::{
    Account, Base, Controller, Licence, Principal, Profile, Schedule, ScheduleYears, UpgradeState,
    User, Workstation,
};

use crate::backend::Backend;
use crate::model::Failure;
use crate::request::Request;
use crate::transfers::{GroupState, TransferEvent, TransferList};

/// What the screens show of the account.
pub struct SessionData {
    backend: Backend,
    /// Who is logged in.
    pub principal: Option<Principal>,
    /// The account and its onboarding progress.
    pub account: Request<Account>,
    /// The licence.
    pub licence: Request<Licence>,
    /// The controller.
    pub controller: Request<Controller>,
    /// The schedules.
    pub schedules: Request<Vec<Schedule>>,
    /// The users.
    pub users: Request<Vec<User>>,
    /// Profiles by schedule id.
    pub profiles: HashMap<i64, Request<Vec<Profile>>>,
    /// The workstations.
    pub workstations: Request<Vec<Workstation>>,
    /// Bases by schedule id.
    pub bases: HashMap<i64, Request<Vec<Base>>>,
    /// The finished school years by schedule id.
    pub years: HashMap<i64, Request<ScheduleYears>>,
    /// The yearly upgrade: My account and the Server PRONOTE panel's header.
    pub upgrade: Request<UpgradeState>,
    /// The transfers of PRONOTE files.
    pub transfers: TransferList,
    /// The session ended under the person (revoked, expired, access withdrawn): why.
    lost: Option<Failure>,
    /// The account arrived for the first time in this session.
    first_account: bool,
}

/// What changed in a frame that the window acts on.
#[derive(Debug, Default)]
pub struct Changes {
    /// The account arrived for the first time since the login.
    pub first_account: Option<Account>,
    /// The session ended under the person.
    pub lost: Option<Failure>,
}

impl SessionData {
    /// Who is logged in, when someone is.
    pub fn role(&self) -> Option<hosting_api::Role> {
        self.principal.as_ref().map(|p| p.role)
    }

    /// Whether the hosting manager is logged in: the connection details and the people are
    /// theirs.
    pub fn is_manager(&self) -> bool {
        self.role() == Some(hosting_api::Role::Manager)
    }

    /// Empty session data whose reloads run on `backend`.
    pub fn new(backend: Backend) -> SessionData {
        SessionData {
            backend,
            principal: None,
            account: Request::default(),
            licence: Request::default(),
            controller: Request::default(),
            schedules: Request::default(),
            users: Request::default(),
            profiles: HashMap::new(),
            workstations: Request::default(),
            bases: HashMap::new(),
            years: HashMap::new(),
            upgrade: Request::default(),
            transfers: TransferList::default(),
            lost: None,
            first_account: true,
        }
    }

    /// The backend the session's calls run on.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// What the window acts on, once: the first account of the session, the end of the
    /// session. The slots read their own answers; nothing else needs taking here.
    pub fn changes(&mut self) -> Changes {
        let mut changes = Changes::default();
        if let Some(Ok(account)) = self.account.arrived()
            && std::mem::take(&mut self.first_account)
        {
            changes.first_account = Some(account.clone());
        }
        changes.lost = self.lost.take();
        changes
    }

    /// A call ended because the session is over.
    pub fn session_lost(&mut self, failure: Failure) {
        self.lost = Some(failure);
    }

    /// Loads everything a session shows first.
    pub fn load_all(&mut self) {
        self.load_account();
        self.load_licence();
        self.load_controller();
        self.load_schedules();
        self.load_users();
        self.load_workstations();
        self.load_upgrade();
    }

    /// Reloads the yearly upgrade's state.
    pub fn load_upgrade(&mut self) {
        self.upgrade
            .start(self.backend.call(|c| async move { c.upgrade().await }));
    }

    /// Reloads the finished school years of a schedule.
    pub fn load_years(&mut self, schedule: i64) {
        let call = self
            .backend
            .call(move |c| async move { c.schedule_years(schedule).await });
        self.years.entry(schedule).or_default().start(call);
    }

    /// Reloads the account (and its onboarding progress).
    pub fn load_account(&mut self) {
        self.account
            .start(self.backend.call(|c| async move { c.account().await }));
    }

    /// Reloads the licence.
    pub fn load_licence(&mut self) {
        self.licence
            .start(self.backend.call(|c| async move { c.licence().await }));
    }

    /// Reloads the controller.
    pub fn load_controller(&mut self) {
        self.controller
            .start(self.backend.call(|c| async move { c.controller().await }));
    }

    /// Reloads the schedules.
    pub fn load_schedules(&mut self) {
        self.schedules
            .start(self.backend.call(|c| async move { c.schedules().await }));
    }

    /// Reloads the users.
    pub fn load_users(&mut self) {
        self.users
            .start(self.backend.call(|c| async move { c.users().await }));
    }

    /// Reloads the workstations.
    pub fn load_workstations(&mut self) {
        self.workstations
            .start(self.backend.call(|c| async move { c.workstations().await }));
    }

    /// Reloads the profiles of a schedule.
    pub fn load_profiles(&mut self, schedule: i64) {
        let call = self
            .backend
            .call(move |c| async move { c.profiles(schedule).await });
        self.profiles.entry(schedule).or_default().start(call);
    }

    /// Reloads the bases of a schedule.
    pub fn load_bases(&mut self, schedule: i64) {
        let call = self
            .backend
            .call(move |c| async move { c.bases(schedule).await });
        self.bases.entry(schedule).or_default().start(call);
    }

    /// A change of the transfers; a finished load changes the schedule's bases.
    pub fn apply_transfer(&mut self, event: TransferEvent) {
        if let TransferEvent::Group(view) = &event
            && matches!(view.state, GroupState::Finished(_))
        {
            match view.target {
                crate::transfers::Target::Year { .. } => self.load_years(view.schedule_id),
                _ => self.load_bases(view.schedule_id),
            }
        }
        self.transfers.apply(event);
    }

    /// Puts a changed schedule in the list; opening, activating and shutting down also change
    /// the bases' marks and dates.
    pub fn replace_schedule(&mut self, schedule: Schedule) {
        let id = schedule.id;
        let mut list = self.schedules.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|s| s.id == schedule.id) {
            Some(slot) => *slot = schedule,
            None => list.push(schedule),
        }
        self.schedules.set(list);
        self.load_bases(id);
    }

    /// A schedule changed by an action (shut down, activated, opened): in the list, with its
    /// bases, and the account's onboarding progress reloaded.
    pub fn schedule_changed(&mut self, schedule: &Schedule) {
        self.replace_schedule(schedule.clone());
        self.load_account();
    }

    /// Puts a new or changed user in the list.
    pub fn replace_user(&mut self, user: User) {
        let mut list = self.users.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|u| u.id == user.id) {
            Some(slot) => *slot = user,
            None => list.push(user),
        }
        self.users.set(list);
    }

    /// Puts a changed profile in its schedule's list.
    pub fn replace_profile(&mut self, schedule: i64, profile: Profile) {
        let entry = self.profiles.entry(schedule).or_default();
        let mut list = entry.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|p| p.name == profile.name) {
            Some(slot) => *slot = profile,
            None => list.push(profile),
        }
        entry.set(list);
    }

    /// A schedule, as last loaded.
    pub fn schedule(&self, id: i64) -> Option<&Schedule> {
        self.schedules.value()?.iter().find(|s| s.id == id)
    }

    /// A base of a schedule, as last loaded.
    pub fn base(&self, schedule: i64, id: i64) -> Option<&Base> {
        self.bases
            .get(&schedule)?
            .value()?
            .iter()
            .find(|b| b.id == id)
    }

    /// The members of profile `name` of a schedule, as last loaded.
    pub fn members(&self, schedule: i64, name: &str) -> Vec<i64> {
        self.profiles
            .get(&schedule)
            .and_then(Request::value)
            .and_then(|list| list.iter().find(|p| p.name == name))
            .map(|p| p.members.clone())
            .unwrap_or_default()
    }
}
