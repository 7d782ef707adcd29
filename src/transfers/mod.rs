//! Transfers of PRONOTE files to the hosting service: loading a base (a `*.HNOT` with its
//! companions) or completing one. Each transfer is a *group* of files sent one after the other
//! with the tus client, then loaded (`POST /v1/schedules/{id}/bases`) or attached
//! (`POST /v1/bases/{id}/companions`).
//!
//! The groups are run by an actor on the backend's runtime ([`runner`]); the screens see them as
//! [`GroupView`]s in a [`TransferList`] and draw them with [`view`]. Unfinished groups are kept
//! in `transfers.json` in the console's data directory, so that they can be resumed after a
//! restart (upload ids, paths, sizes, modification times and the running hash of the bytes sent;
//! no secret).

pub mod runner;
mod task;
pub mod view;

use std::path::PathBuf;

use hosting_api::FileKind;
use serde::{Deserialize, Serialize};

use crate::model::Failure;

/// What a group of files becomes once sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    /// A new base of the schedule: one `*.HNOT` and its companions.
    NewBase,
    /// Companion files added to an existing base.
    Companion {
        /// The base completed.
        base_id: i64,
    },
    /// The base of a finished school year of the schedule (one `*.HNOT` and its companions),
    /// replacing the one it had.
    Year {
        /// The year the school year starts, e.g. 2026 for 2026-2027.
        start_year: i32,
    },
}

impl Target {
    /// Whether the files make a whole base (a `*.HNOT` and its companions).
    pub fn whole_base(self) -> bool {
        matches!(self, Target::NewBase | Target::Year { .. })
    }
}

/// The school year starting in `start_year`, e.g. `2026-2027`.
pub fn school_year(start_year: i32) -> String {
    format!("{start_year}-{}", start_year + 1)
}

/// A file of a group, as kept on disk between starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    /// Where it is on this workstation.
    pub path: PathBuf,
    /// Its name, without folders.
    pub filename: String,
    /// What it is (by its extension).
    pub kind: FileKind,
    /// Its size when its upload was created.
    #[serde(default)]
    pub size: u64,
    /// Its modification time when its upload was created (nanoseconds since the Unix epoch): a
    /// file written to since then is not resumed but sent again.
    #[serde(default)]
    pub modified: Option<u64>,
    /// The running SHA-256 of the bytes the service has ([`hosting_api::FileHash`], base64),
    /// saved after each stored chunk: resuming reads none of them again.
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// The tus upload, once created.
    #[serde(default)]
    pub upload_id: Option<String>,
    /// Every byte is on the service.
    #[serde(default)]
    pub uploaded: bool,
}

/// A group of files sent together, as kept on disk between starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedGroup {
    /// Local identifier.
    pub id: u64,
    /// Whose uploads these are: the service address and the hosting number.
    pub owner: String,
    /// The schedule.
    pub schedule_id: i64,
    /// What the files become.
    pub target: Target,
    /// The files, the base first.
    pub files: Vec<SavedFile>,
}

/// Where a file of a running group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStage {
    /// Not started.
    Waiting,
    /// Its bytes are being sent.
    Uploading,
    /// Every byte is on the service.
    Uploaded,
}

/// A file of a group, as the screens show it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileView {
    /// File name.
    pub filename: String,
    /// What it is.
    pub kind: FileKind,
    /// Its size (0 while unknown).
    pub size: u64,
    /// Where it stands.
    pub stage: FileStage,
    /// Bytes stored by the service.
    pub done: u64,
    /// Recent speed in bytes per second (0 while unknown).
    pub bytes_per_second: f64,
}

/// Where a group stands.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupState {
    /// Files are being checked and sent.
    Running,
    /// Stopped by the person; the service keeps the bytes.
    Paused,
    /// Every file is sent; the base is being loaded or completed.
    Loading,
    /// Loaded: the base's name.
    Finished(String),
    /// Stopped by an error; resuming tries again from where it stopped.
    Failed(Failure),
    /// Cancelled; its uploads were deleted.
    Cancelled,
}

impl GroupState {
    /// Whether the group is over (finished or cancelled).
    pub fn is_over(&self) -> bool {
        matches!(self, GroupState::Finished(_) | GroupState::Cancelled)
    }
}

/// A group as the screens show it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// Local identifier.
    pub id: u64,
    /// The schedule.
    pub schedule_id: i64,
    /// What the files become.
    pub target: Target,
    /// Where it stands.
    pub state: GroupState,
    /// Its files.
    pub files: Vec<FileView>,
}

/// What the screens ask of the transfers.
#[derive(Debug, Clone)]
pub enum TransferCommand {
    /// Send `paths` (already checked by the screen: known kinds, one base for a new base).
    Start {
        /// Service address and hosting number.
        owner: String,
        /// The schedule.
        schedule_id: i64,
        /// What the files become.
        target: Target,
        /// The files.
        paths: Vec<PathBuf>,
    },
    /// Stop a group (abort its task; the service keeps the bytes).
    Pause(u64),
    /// Go on with a paused or failed group.
    Resume(u64),
    /// Cancel a whole group (`None`, or its base file) or one companion file of it, and delete
    /// the uploads.
    Cancel {
        /// The group.
        group: u64,
        /// One file of it, by name.
        file: Option<String>,
    },
    /// Report the unfinished groups of `owner` kept from an earlier start.
    Offers(String),
    /// Resume every unfinished group of `owner` kept from an earlier start.
    ResumeSaved(String),
    /// Forget them (and delete their uploads on the service).
    Forget(String),
    /// The session ends: stop every group and keep it for the next login.
    SuspendAll,
}

/// What the transfers report to the screens.
#[derive(Debug, Clone)]
pub enum TransferEvent {
    /// A group changed.
    Group(GroupView),
    /// Unfinished groups of the owner kept from an earlier start.
    Offers(Vec<SavedGroup>),
}

/// The transfers as the screens know them.
#[derive(Debug, Default)]
pub struct TransferList {
    /// The groups of this session, oldest first (finished ones stay until cleared).
    pub groups: Vec<GroupView>,
    /// Unfinished groups of an earlier start, to resume or forget.
    pub offers: Vec<SavedGroup>,
    /// A cancellation waiting for confirmation: group, file (none: the whole group), name.
    pub confirm_cancel: Option<(u64, Option<String>, String)>,
    /// The person folded the list away.
    pub hidden: bool,
}

impl TransferList {
    /// Records an event of the transfers.
    pub fn apply(&mut self, event: TransferEvent) {
        match event {
            TransferEvent::Group(view) => match self.groups.iter_mut().find(|g| g.id == view.id) {
                Some(slot) => *slot = view,
                None => self.groups.push(view),
            },
            TransferEvent::Offers(offers) => self.offers = offers,
        }
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.offers.is_empty()
    }

    /// Whether a group of `schedule_id` is still sending or loading.
    pub fn busy_for(&self, schedule_id: i64) -> bool {
        self.groups.iter().any(|g| {
            g.schedule_id == schedule_id
                && matches!(g.state, GroupState::Running | GroupState::Loading)
        })
    }

    /// Forgets the groups that are over.
    pub fn clear_over(&mut self) {
        self.groups.retain(|g| !g.state.is_over());
    }
}

/// The files of a new base as PRONOTE generates them: when only a `*.HNOT` is designated (as the
/// provider's pages say), its companions beside it (`<same name>.HCOURRIERS`, `.HDOCJOINTS`,
/// `.HPHOTOS`, in any case) come with it; any other choice is kept as it is.
pub fn with_companions_beside(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let [base] = paths.as_slice() else {
        return paths;
    };
    if FileKind::of_filename(&file_name(base)) != Some(FileKind::Base) {
        return paths;
    }
    let (Some(folder), Some(stem)) = (base.parent(), base.file_stem()) else {
        return paths;
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return paths;
    };
    let mut companions: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_stem() == Some(stem)
                && path.is_file()
                && FileKind::of_filename(&file_name(path))
                    .is_some_and(|kind| kind != FileKind::Base)
        })
        .collect();
    companions.sort();
    let mut files = paths;
    files.extend(companions);
    files
}

/// Checks files chosen or dropped for a new base: every file is a PRONOTE file and exactly one
/// is a `*.HNOT`. Returns the files with their kinds, or the locale key of the problem and the
/// file name it is about.
pub fn check_new_base(paths: &[PathBuf]) -> Result<Vec<(PathBuf, FileKind)>, (String, String)> {
    let files = kinds(paths)?;
    match files.iter().filter(|(_, k)| *k == FileKind::Base).count() {
        1 => Ok(files),
        0 => Err(("drop-no-base".to_string(), String::new())),
        _ => Err(("drop-several-bases".to_string(), String::new())),
    }
}

/// Checks companion files (no `*.HNOT`).
pub fn check_companions(paths: &[PathBuf]) -> Result<Vec<(PathBuf, FileKind)>, (String, String)> {
    let files = kinds(paths)?;
    if let Some((path, _)) = files.iter().find(|(_, k)| *k == FileKind::Base) {
        return Err(("companion-not-base".to_string(), file_name(path)));
    }
    Ok(files)
}

fn kinds(paths: &[PathBuf]) -> Result<Vec<(PathBuf, FileKind)>, (String, String)> {
    paths
        .iter()
        .map(|path| {
            let name = file_name(path);
            FileKind::of_filename(&name)
                .map(|kind| (path.clone(), kind))
                .ok_or(("drop-unknown".to_string(), name))
        })
        .collect()
}

/// Whose uploads a group holds: the service (its address; the built-in local service, whose
/// port changes from start to start, by name) and the account's hosting number.
pub fn owner(service: &crate::settings::ServerChoice, hosting_number: &str) -> String {
    format!("{} {hosting_number}", service.address().unwrap_or("local"))
}

/// The name of a file, without folders.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_base_needs_exactly_one_hnot_and_known_kinds() {
        let p = |s: &str| PathBuf::from(format!("/data/{s}"));
        let ok = check_new_base(&[p("a.HPHOTOS"), p("a.hnot")]).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(
            check_new_base(&[p("a.HPHOTOS")]).unwrap_err().0,
            "drop-no-base"
        );
        assert_eq!(
            check_new_base(&[p("a.HNOT"), p("b.HNOT")]).unwrap_err().0,
            "drop-several-bases"
        );
        assert_eq!(
            check_new_base(&[p("a.HNOT"), p("notes.txt")]).unwrap_err(),
            ("drop-unknown".to_string(), "notes.txt".to_string())
        );
        assert_eq!(
            check_companions(&[p("a.HNOT")]).unwrap_err().0,
            "companion-not-base"
        );
        assert!(check_companions(&[p("a.HDOCJOINTS")]).is_ok());
    }

    #[test]
    fn a_base_designated_alone_brings_its_companions_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, name).unwrap();
            path
        };
        let base = at("Verne 2026.HNOT");
        let mail = at("Verne 2026.HCOURRIERS");
        let photos = at("Verne 2026.hphotos");
        at("Verne 2025.HDOCJOINTS");
        at("Verne 2026.txt");
        assert_eq!(
            with_companions_beside(vec![base.clone()]),
            vec![base.clone(), mail.clone(), photos]
        );
        // A choice of several files is the person's: nothing is added.
        assert_eq!(
            with_companions_beside(vec![base.clone(), mail.clone()]),
            vec![base, mail.clone()]
        );
        assert_eq!(with_companions_beside(vec![mail.clone()]), vec![mail]);
    }

    #[test]
    fn list_keeps_groups_until_cleared() {
        let mut list = TransferList::default();
        let mut view = GroupView {
            id: 1,
            schedule_id: 7,
            target: Target::NewBase,
            state: GroupState::Running,
            files: Vec::new(),
        };
        list.apply(TransferEvent::Group(view.clone()));
        assert!(list.busy_for(7));
        view.state = GroupState::Finished("Base".to_string());
        list.apply(TransferEvent::Group(view));
        assert_eq!(list.groups.len(), 1);
        assert!(!list.busy_for(7));
        list.clear_over();
        assert!(list.is_empty());
    }
}
