//! The transfers' actor: one task on the backend's runtime owns every group, runs one task per
//! group (check, create, send each file in turn, then load), pauses by aborting that task (the
//! service keeps the bytes; resuming asks it for the offset), and keeps the unfinished groups in
//! `transfers.json`.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use hosting_api::{Client, FileKind};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

use super::task::run_group;
use super::{
    FileStage, FileView, GroupState, GroupView, SavedFile, SavedGroup, Target, TransferCommand,
    TransferEvent, file_name,
};
use crate::model::Failure;
use crate::request::Patch;

/// Gives the session's client when a group starts (an error when nobody is logged in).
pub type ClientSource =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Client, Failure>> + Send>> + Send + Sync>;

/// Sends commands to the transfers' actor.
#[derive(Clone)]
pub struct TransferHandle {
    tx: UnboundedSender<Msg>,
}

impl TransferHandle {
    /// Queues `command` (commands run in the order they were sent).
    pub fn send(&self, command: TransferCommand) {
        // The actor lives as long as the runtime; nothing to do if it is gone.
        let _ = self.tx.send(Msg::Command(command));
    }
}

/// Starts the actor on `runtime`; unfinished groups are kept in `file`.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    file: PathBuf,
    client: ClientSource,
    events: std::sync::mpsc::Sender<Patch>,
    ctx: egui::Context,
) -> TransferHandle {
    let (tx, rx) = unbounded_channel();
    let actor = Actor {
        file,
        active: BTreeMap::new(),
        dormant: Vec::new(),
        next_run: 1,
        next_id: 1,
        tx: tx.clone(),
        client,
        events,
        ctx,
    };
    runtime.spawn(actor.run(rx));
    TransferHandle { tx }
}

/// What the actor receives: the screens' commands and the reports of the groups' tasks.
pub(super) enum Msg {
    Command(TransferCommand),
    Report {
        group: u64,
        run: u64,
        report: Report,
    },
}

/// What a group's task reports.
pub(super) enum Report {
    Created {
        file: usize,
        upload_id: String,
        size: u64,
        modified: Option<u64>,
    },
    /// A chunk is stored: the running hash of the bytes stored, to save.
    Checkpoint {
        file: usize,
        offset: u64,
        hash: String,
    },
    Progress {
        file: usize,
        offset: u64,
        speed: f64,
    },
    Uploaded {
        file: usize,
    },
    Loading,
    Finished(String),
    Failed {
        failure: Failure,
        forget_upload: Option<usize>,
    },
}

struct Live {
    stage: FileStage,
    done: u64,
    speed: f64,
}

struct Entry {
    group: SavedGroup,
    live: Vec<Live>,
    state: GroupState,
    task: Option<AbortHandle>,
    run: u64,
}

impl Entry {
    fn new(group: SavedGroup) -> Entry {
        let live = group.files.iter().map(live_of).collect();
        Entry {
            group,
            live,
            state: GroupState::Paused,
            task: None,
            run: 0,
        }
    }

    fn view(&self) -> GroupView {
        GroupView {
            id: self.group.id,
            schedule_id: self.group.schedule_id,
            target: self.group.target,
            state: self.state.clone(),
            files: self
                .group
                .files
                .iter()
                .zip(&self.live)
                .map(|(file, live)| FileView {
                    filename: file.filename.clone(),
                    kind: file.kind,
                    size: file.size,
                    stage: live.stage,
                    done: live.done,
                    bytes_per_second: live.speed,
                })
                .collect(),
        }
    }

    fn stop(&mut self) -> bool {
        for live in &mut self.live {
            live.speed = 0.0;
        }
        match self.task.take() {
            Some(task) => {
                task.abort();
                true
            }
            None => false,
        }
    }
}

fn live_of(file: &SavedFile) -> Live {
    Live {
        stage: if file.uploaded {
            FileStage::Uploaded
        } else {
            FileStage::Waiting
        },
        done: if file.uploaded { file.size } else { 0 },
        speed: 0.0,
    }
}

struct Actor {
    file: PathBuf,
    active: BTreeMap<u64, Entry>,
    dormant: Vec<SavedGroup>,
    next_run: u64,
    next_id: u64,
    tx: UnboundedSender<Msg>,
    client: ClientSource,
    events: std::sync::mpsc::Sender<Patch>,
    ctx: egui::Context,
}

impl Actor {
    async fn run(mut self, mut rx: UnboundedReceiver<Msg>) {
        self.load().await;
        while let Some(message) = rx.recv().await {
            match message {
                Msg::Command(command) => self.command(command).await,
                Msg::Report { group, run, report } => self.report(group, run, report).await,
            }
        }
    }

    async fn load(&mut self) {
        match tokio::fs::read(&self.file).await {
            Ok(bytes) => match serde_json::from_slice::<Vec<SavedGroup>>(&bytes) {
                Ok(groups) => self.dormant = groups,
                Err(error) => tracing::warn!(%error, "unreadable list of unfinished transfers"),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => tracing::warn!(%error, "list of unfinished transfers not read"),
        }
        // Ids stay unique across starts.
        let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        let max = self.dormant.iter().map(|g| g.id).max().unwrap_or(0);
        self.next_id = (now * 1000).max(max + 1);
    }

    /// Writes the unfinished groups (those running and those kept from an earlier start).
    async fn save(&self) {
        let groups: Vec<&SavedGroup> = self
            .active
            .values()
            .map(|e| &e.group)
            .chain(&self.dormant)
            .collect();
        let result = async {
            let json = serde_json::to_vec_pretty(&groups).map_err(std::io::Error::other)?;
            if let Some(dir) = self.file.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            let partial = self.file.with_extension("json.part");
            tokio::fs::write(&partial, json).await?;
            tokio::fs::rename(&partial, &self.file).await
        }
        .await;
        if let Err(error) = result {
            tracing::warn!(%error, "list of unfinished transfers not saved");
        }
    }

    fn emit(&self, event: TransferEvent) {
        let _ = self
            .events
            .send(Box::new(move |data| data.apply_transfer(event)));
        self.ctx.request_repaint();
    }

    fn emit_group(&self, id: u64) {
        if let Some(entry) = self.active.get(&id) {
            self.emit(TransferEvent::Group(entry.view()));
        }
    }

    /// Starts (or restarts) the task of group `id`.
    async fn start(&mut self, id: u64) {
        let client = (self.client)().await;
        let Some(entry) = self.active.get_mut(&id) else {
            return;
        };
        entry.stop();
        match client {
            Ok(client) => {
                let run = self.next_run;
                self.next_run += 1;
                entry.run = run;
                entry.state = GroupState::Running;
                for (file, live) in entry.group.files.iter().zip(&mut entry.live) {
                    if file.uploaded {
                        live.stage = FileStage::Uploaded;
                    }
                }
                let task =
                    tokio::spawn(run_group(client, entry.group.clone(), run, self.tx.clone()));
                entry.task = Some(task.abort_handle());
            }
            Err(failure) => entry.state = GroupState::Failed(failure),
        }
        self.emit_group(id);
    }

    async fn command(&mut self, command: TransferCommand) {
        match command {
            TransferCommand::Start {
                owner,
                schedule_id,
                target,
                paths,
            } => self.add_group(owner, schedule_id, target, paths).await,
            TransferCommand::Pause(id) => self.pause(id),
            TransferCommand::Resume(id) => self.resume(id).await,
            TransferCommand::Cancel { group, file } => self.cancel(group, file).await,
            TransferCommand::Offers(owner) => self.offers(owner),
            TransferCommand::ResumeSaved(owner) => self.resume_saved(owner).await,
            TransferCommand::Forget(owner) => self.forget(owner).await,
            TransferCommand::SuspendAll => self.suspend_all().await,
        }
    }

    /// A new group of files, saved then started.
    async fn add_group(
        &mut self,
        owner: String,
        schedule_id: i64,
        target: Target,
        mut paths: Vec<PathBuf>,
    ) {
        // The base first, then its companions in a stable order.
        paths.sort_by_key(|p| {
            let name = file_name(p);
            (FileKind::of_filename(&name) != Some(FileKind::Base), name)
        });
        let files = paths
            .into_iter()
            .filter_map(|path| {
                let filename = file_name(&path);
                FileKind::of_filename(&filename).map(|kind| SavedFile {
                    path,
                    filename,
                    kind,
                    size: 0,
                    modified: None,
                    checkpoint: None,
                    upload_id: None,
                    uploaded: false,
                })
            })
            .collect();
        let id = self.next_id;
        self.next_id += 1;
        let group = SavedGroup {
            id,
            owner,
            schedule_id,
            target,
            files,
        };
        self.active.insert(id, Entry::new(group));
        self.save().await;
        self.start(id).await;
    }

    fn pause(&mut self, id: u64) {
        if let Some(entry) = self.active.get_mut(&id)
            && entry.stop()
        {
            entry.run = 0;
            entry.state = GroupState::Paused;
            self.emit_group(id);
        }
    }

    async fn resume(&mut self, id: u64) {
        let resumable = self
            .active
            .get(&id)
            .is_some_and(|e| matches!(e.state, GroupState::Paused | GroupState::Failed(_)));
        if resumable {
            self.start(id).await;
        }
    }

    /// Reports the unfinished groups of `owner` kept from an earlier start.
    fn offers(&self, owner: String) {
        let offers = self
            .dormant
            .iter()
            .filter(|g| g.owner == owner)
            .cloned()
            .collect();
        self.emit(TransferEvent::Offers(offers));
    }

    /// Starts again the unfinished groups of `owner` kept from an earlier start.
    async fn resume_saved(&mut self, owner: String) {
        let (mine, others) = std::mem::take(&mut self.dormant)
            .into_iter()
            .partition(|g| g.owner == owner);
        self.dormant = others;
        let mine: Vec<SavedGroup> = mine;
        for group in mine {
            let id = group.id;
            self.active.insert(id, Entry::new(group));
            self.start(id).await;
        }
    }

    /// Forgets the unfinished groups of `owner` and deletes their uploads.
    async fn forget(&mut self, owner: String) {
        let (mine, others): (Vec<SavedGroup>, Vec<SavedGroup>) = std::mem::take(&mut self.dormant)
            .into_iter()
            .partition(|g| g.owner == owner);
        self.dormant = others;
        self.save().await;
        self.delete_uploads(mine.iter().flat_map(|g| &g.files))
            .await;
    }

    /// Stops every group and keeps it for the next login.
    async fn suspend_all(&mut self) {
        for (_, mut entry) in std::mem::take(&mut self.active) {
            entry.stop();
            self.dormant.push(entry.group);
        }
        self.save().await;
    }

    async fn cancel(&mut self, id: u64, file: Option<String>) {
        let Some(entry) = self.active.get_mut(&id) else {
            return;
        };
        let index = file
            .as_ref()
            .and_then(|name| entry.group.files.iter().position(|f| &f.filename == name));
        let whole = match index {
            None => true,
            Some(i) => {
                entry.group.files.len() == 1
                    || (entry.group.target.whole_base()
                        && entry.group.files[i].kind == FileKind::Base)
            }
        };
        let was_running = entry.stop();
        if whole {
            if let Some(mut entry) = self.active.remove(&id) {
                entry.state = GroupState::Cancelled;
                self.save().await;
                self.emit(TransferEvent::Group(entry.view()));
                self.delete_uploads(entry.group.files.iter()).await;
            }
            return;
        }
        let Some(index) = index else { return };
        let removed = entry.group.files.remove(index);
        entry.live.remove(index);
        self.save().await;
        self.delete_uploads(std::iter::once(&removed)).await;
        if was_running {
            self.start(id).await;
        } else {
            self.emit_group(id);
        }
    }

    async fn delete_uploads<'a>(&self, files: impl Iterator<Item = &'a SavedFile>) {
        let ids: Vec<String> = files.filter_map(|f| f.upload_id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let Ok(client) = (self.client)().await else {
            // They expire on the service.
            return;
        };
        tokio::spawn(async move {
            for id in ids {
                if let Err(error) = client.delete_upload(&id).await {
                    tracing::info!(%error, "upload not deleted; it expires on the service");
                }
            }
        });
    }

    async fn report(&mut self, id: u64, run: u64, report: Report) {
        let Some(entry) = self.active.get_mut(&id) else {
            return;
        };
        if entry.run != run {
            // From a task that was paused or restarted since.
            return;
        }
        let save = match report {
            Report::Loading => {
                entry.state = GroupState::Loading;
                false
            }
            Report::Finished(name) => {
                self.finish(id, name).await;
                return;
            }
            Report::Failed {
                failure,
                forget_upload,
            } => entry.fail(failure, forget_upload),
            report => entry.file_report(report),
        };
        if save {
            self.save().await;
        }
        self.emit_group(id);
    }

    /// Group `id` is loaded: it leaves the list.
    async fn finish(&mut self, id: u64, name: String) {
        if let Some(mut entry) = self.active.remove(&id) {
            entry.state = GroupState::Finished(name);
            entry.task = None;
            // Saved first: what the person sees as done is no longer on disk.
            self.save().await;
            self.emit(TransferEvent::Group(entry.view()));
        }
    }
}

impl Entry {
    /// Applies the report of one file's progress; returns whether the list must be saved.
    fn file_report(&mut self, report: Report) -> bool {
        let mut save = false;
        match report {
            Report::Created {
                file,
                upload_id,
                size,
                modified,
            } => {
                if let (Some(live), Some(saved)) =
                    (self.live.get_mut(file), self.group.files.get_mut(file))
                {
                    saved.upload_id = Some(upload_id);
                    saved.size = size;
                    saved.modified = modified;
                    saved.checkpoint = None;
                    live.stage = FileStage::Uploading;
                    live.done = 0;
                    save = true;
                }
            }
            Report::Checkpoint { file, offset, hash } => {
                if let (Some(live), Some(saved)) =
                    (self.live.get_mut(file), self.group.files.get_mut(file))
                {
                    saved.checkpoint = Some(hash);
                    live.stage = FileStage::Uploading;
                    live.done = offset;
                    save = true;
                }
            }
            Report::Progress {
                file,
                offset,
                speed,
            } => {
                if let Some(live) = self.live.get_mut(file) {
                    live.stage = FileStage::Uploading;
                    live.done = offset;
                    live.speed = speed;
                }
            }
            Report::Uploaded { file } => {
                if let (Some(live), Some(saved)) =
                    (self.live.get_mut(file), self.group.files.get_mut(file))
                {
                    saved.uploaded = true;
                    live.stage = FileStage::Uploaded;
                    live.done = saved.size;
                    live.speed = 0.0;
                    save = true;
                }
            }
            // The group's own reports are applied by `Actor::report`.
            Report::Loading | Report::Finished(_) | Report::Failed { .. } => {}
        }
        save
    }

    /// The group's task failed; returns whether the list must be saved.
    fn fail(&mut self, failure: Failure, forget_upload: Option<usize>) -> bool {
        let mut save = false;
        if let Some(saved) = forget_upload.and_then(|i| self.group.files.get_mut(i)) {
            saved.upload_id = None;
            saved.uploaded = false;
            saved.checkpoint = None;
            save = true;
        }
        self.task = None;
        self.run = 0;
        for live in &mut self.live {
            live.speed = 0.0;
        }
        self.state = GroupState::Failed(failure);
        save
    }
}
