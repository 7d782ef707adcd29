//! The remote data of a logged-in session and the state of the action in flight.

use std::collections::{HashMap, VecDeque};

use std::path::PathBuf;

use hosting_api::{
    Account, Base, Controller, EndpointStatus, Licence, Monitoring, Profile, Safeguard, Schedule,
    User, Workstation,
};

use crate::backend::{Action, Backend, Command, Event, Output, Resource};
use crate::model::{Failure, Remote};
use crate::transfers::TransferList;

/// A safeguard download.
#[derive(Debug, Clone)]
pub enum Download {
    /// Bytes received and total (0 when unknown).
    Running {
        /// Bytes received.
        received: u64,
        /// Size of the safeguard.
        total: u64,
    },
    /// Ended: the file and its verified hash, or why it failed.
    Done(Result<(PathBuf, String), Failure>),
}

/// What the screens show of the account, and the action in flight.
#[derive(Debug, Default)]
pub struct SessionData {
    /// The account and its onboarding progress.
    pub account: Remote<Account>,
    /// The licence.
    pub licence: Remote<Licence>,
    /// The controller.
    pub controller: Remote<Controller>,
    /// The schedules.
    pub schedules: Remote<Vec<Schedule>>,
    /// The users.
    pub users: Remote<Vec<User>>,
    /// Profiles by schedule id.
    pub profiles: HashMap<i64, Remote<Vec<Profile>>>,
    /// The workstations.
    pub workstations: Remote<Vec<Workstation>>,
    /// Bases by schedule id.
    pub bases: HashMap<i64, Remote<Vec<Base>>>,
    /// Safeguards by schedule id, newest first.
    pub safeguards: HashMap<i64, Remote<Vec<Safeguard>>>,
    /// Monitoring of connections by schedule id.
    pub monitoring: HashMap<i64, Remote<Monitoring>>,
    /// The last test of each schedule's endpoint.
    pub endpoints: HashMap<i64, Remote<EndpointStatus>>,
    /// Safeguard downloads: bytes received and total while running, then the file and its hash.
    pub downloads: HashMap<i64, Download>,
    /// The transfers of PRONOTE files.
    pub transfers: TransferList,
    action_tag: Option<String>,
    queue: VecDeque<Action>,
    /// The last action that failed, with what the screen tagged it.
    pub action_failure: Option<(String, Failure)>,
    /// The last action that succeeded.
    pub action_done: Option<String>,
}

impl SessionData {
    /// Loads everything a session shows first.
    pub fn refresh_all(&mut self, backend: &Backend) {
        for resource in [
            Resource::Account,
            Resource::Licence,
            Resource::Controller,
            Resource::Schedules,
            Resource::Users,
            Resource::Workstations,
        ] {
            self.refresh(resource, backend);
        }
    }

    /// Reloads `resource`, keeping the value on screen meanwhile.
    pub fn refresh(&mut self, resource: Resource, backend: &Backend) {
        self.mark_pending(resource);
        backend.send(Command::Refresh(resource));
    }

    /// Marks `resource` as being reloaded.
    fn mark_pending(&mut self, resource: Resource) {
        match resource {
            Resource::Account => self.account.start(),
            Resource::Licence => self.licence.start(),
            Resource::Controller => self.controller.start(),
            Resource::Schedules => self.schedules.start(),
            Resource::Users => self.users.start(),
            Resource::Profiles(id) => self.profiles.entry(id).or_default().start(),
            Resource::Workstations => self.workstations.start(),
            Resource::Bases(id) => self.bases.entry(id).or_default().start(),
            Resource::Safeguards(id) => self.safeguards.entry(id).or_default().start(),
            Resource::Monitoring(id) => self.monitoring.entry(id).or_default().start(),
        }
    }

    /// Records a reloaded resource.
    pub fn apply_event(&mut self, event: Event) {
        match event {
            Event::Account(result) => self.account.finish(result),
            Event::Licence(result) => self.licence.finish(result),
            Event::Controller(result) => self.controller.finish(result),
            Event::Schedules(result) => self.schedules.finish(result),
            Event::Users(result) => self.users.finish(result),
            Event::Profiles(id, result) => self.profiles.entry(id).or_default().finish(result),
            Event::Workstations(result) => self.workstations.finish(result),
            Event::Bases(id, result) => self.bases.entry(id).or_default().finish(result),
            Event::Safeguards(id, result) => self.safeguards.entry(id).or_default().finish(result),
            Event::Monitoring(id, result) => self.monitoring.entry(id).or_default().finish(result),
            Event::Endpoint(id, result) => self.endpoints.entry(id).or_default().finish(result),
            Event::Downloading(id, received, total) => {
                self.downloads
                    .insert(id, Download::Running { received, total });
            }
            Event::Downloaded(id, result) => {
                self.downloads.insert(id, Download::Done(result));
            }
            Event::Transfer(event) => self.transfers.apply(event),
            _ => {}
        }
    }

    /// The tag of the action in flight.
    pub fn action_tag(&self) -> Option<&str> {
        self.action_tag.as_deref()
    }

    /// Whether an action is in flight (screens disable their buttons meanwhile).
    pub fn busy(&self) -> bool {
        self.action_tag.is_some()
    }

    /// Whether the last action to succeed was `tag`.
    pub fn done(&self, tag: &str) -> bool {
        self.action_done.as_deref() == Some(tag)
    }

    /// Whether the action in flight is `tag`.
    pub fn busy_with(&self, tag: &str) -> bool {
        self.action_tag.as_deref() == Some(tag)
    }

    /// The failure of the last `tag` action.
    pub fn failure_of(&self, tag: &str) -> Option<&Failure> {
        self.action_failure
            .as_ref()
            .filter(|(t, _)| t == tag)
            .map(|(_, f)| f)
    }

    /// Starts a chain of actions tagged `tag`.
    pub fn start_actions(&mut self, tag: String, mut actions: VecDeque<Action>, backend: &Backend) {
        let Some(first) = actions.pop_front() else {
            return;
        };
        self.action_tag = Some(tag);
        self.action_failure = None;
        self.action_done = None;
        self.queue = actions;
        backend.send(Command::Act(first));
    }

    /// Records the end of an action and sends the next of its chain.
    pub fn action_finished(&mut self, result: Result<Output, Failure>, backend: &Backend) {
        let Some(tag) = self.action_tag.clone() else {
            return;
        };
        match result {
            Ok(_) => match self.queue.pop_front() {
                Some(next) => backend.send(Command::Act(next)),
                None => {
                    self.action_tag = None;
                    self.action_done = Some(tag);
                }
            },
            Err(failure) => {
                self.queue.clear();
                self.action_tag = None;
                self.action_failure = Some((tag, failure));
            }
        }
    }

    /// After an action without output (licence, revocation): reload what it changed.
    pub fn after_done(&mut self, backend: &Backend) {
        if self.action_tag.as_deref() == Some("revoke") {
            self.refresh(Resource::Workstations, backend);
        }
    }

    /// Puts a changed schedule in the list.
    pub fn replace_schedule(&mut self, schedule: Schedule) {
        let mut list = self.schedules.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|s| s.id == schedule.id) {
            Some(slot) => *slot = schedule,
            None => list.push(schedule),
        }
        self.schedules.finish(Ok(list));
    }

    /// Puts a new or changed user in the list.
    pub fn replace_user(&mut self, user: User) {
        let mut list = self.users.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|u| u.id == user.id) {
            Some(slot) => *slot = user,
            None => list.push(user),
        }
        self.users.finish(Ok(list));
    }

    /// Puts a changed profile in its schedule's list.
    pub fn replace_profile(&mut self, schedule: i64, profile: Profile) {
        let entry = self.profiles.entry(schedule).or_default();
        let mut list = entry.value().cloned().unwrap_or_default();
        match list.iter_mut().find(|p| p.name == profile.name) {
            Some(slot) => *slot = profile,
            None => list.push(profile),
        }
        entry.finish(Ok(list));
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
            .and_then(Remote::value)
            .and_then(|list| list.iter().find(|p| p.name == name))
            .map(|p| p.members.clone())
            .unwrap_or_default()
    }
}
