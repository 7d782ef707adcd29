//! PRONOTE files chosen in a dialog or dropped on the window: checked as the service checks
//! them, then sent as transfers (a new base, a base's companions, a year's base).

use std::path::PathBuf;

use hosting_api::{FileKind, Schedule};

use super::stopped;
use crate::app::Cx;
use crate::i18n::Texts;
use crate::platform::dialogs::OpenDialog;
use crate::transfers::{self, Target, TransferCommand};

/// The extensions of a base and its companions.
pub(super) const BASE_FILES: [&str; 4] = ["HNOT", "HCOURRIERS", "HDOCJOINTS", "HPHOTOS"];

/// The extensions of a base's companions.
const COMPANION_FILES: [&str; 3] = ["HCOURRIERS", "HDOCJOINTS", "HPHOTOS"];

/// The dialog that asks for PRONOTE files: `title`, with files of these extensions (in upper
/// and lower case).
pub(super) fn dialog(t: &Texts, title: String, extensions: &[&str]) -> OpenDialog {
    let extensions = extensions
        .iter()
        .flat_map(|e| [e.to_string(), e.to_lowercase()])
        .collect();
    OpenDialog {
        title,
        filter: Some((t.get("pronote-files"), extensions)),
        many: true,
    }
}

/// The "load a base" dialog, or the "complete the base" one.
pub(super) fn base_dialog(t: &Texts, companions: bool) -> OpenDialog {
    if companions {
        dialog(t, t.get("complete-base"), &COMPANION_FILES)
    } else {
        dialog(t, t.get("load-base"), &BASE_FILES)
    }
}

/// Whether every file is a companion (no base among them).
pub(super) fn companions_only(paths: &[PathBuf]) -> bool {
    paths.iter().all(|p| {
        FileKind::of_filename(&transfers::file_name(p)).is_some_and(|k| k != FileKind::Base)
    })
}

/// Starts loading a new base from `paths` (after the same checks as the service); a problem
/// goes to `notice`.
pub(super) fn load(
    cx: &mut Cx<'_>,
    schedule: &Schedule,
    paths: Vec<PathBuf>,
    notice: &mut Option<String>,
) {
    let t = cx.t;
    *notice = None;
    if !stopped(schedule) {
        *notice = Some(t.get("needs-stopped"));
        return;
    }
    let paths = transfers::with_companions_beside(paths);
    match transfers::check_new_base(&paths) {
        Ok(files) => start(cx, schedule.id, Target::NewBase, files),
        Err((key, name)) => *notice = Some(t.with(&key, &[("name", &name)])),
    }
}

/// Starts completing a base with companion files, one transfer per file; a problem goes to
/// `notice`.
pub(super) fn complete(
    cx: &mut Cx<'_>,
    schedule: &Schedule,
    base: i64,
    paths: Vec<PathBuf>,
    notice: &mut Option<String>,
) {
    let t = cx.t;
    *notice = None;
    match transfers::check_companions(&paths) {
        Ok(files) => {
            for file in files {
                start(
                    cx,
                    schedule.id,
                    Target::Companion { base_id: base },
                    vec![file],
                );
            }
        }
        Err((key, name)) => *notice = Some(t.with(&key, &[("name", &name)])),
    }
}

/// Sends checked files to the transfers, as the account's.
pub(super) fn start(
    cx: &mut Cx<'_>,
    schedule_id: i64,
    target: Target,
    files: Vec<(PathBuf, FileKind)>,
) {
    let Some(owner) = cx.owner() else {
        return;
    };
    cx.backend.transfers().send(TransferCommand::Start {
        owner,
        schedule_id,
        target,
        paths: files.into_iter().map(|(path, _)| path).collect(),
    });
}
