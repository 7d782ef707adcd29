//! The console's own file dialog, for desktops without a native one. The backend awaits the
//! answer while the window draws the dialog: a request goes into a queue that the window reads
//! each frame, and the window answers through a oneshot channel. A window that closes drops the
//! answer's sender, which the backend reads as a cancel.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::sync::oneshot;

use super::{DialogFuture, Dialogs, OpenDialog, SaveDialog};

/// What the backend asks the window for.
#[derive(Debug)]
pub enum Asked {
    /// Where to save.
    Save(SaveDialog, oneshot::Sender<Option<PathBuf>>),
    /// What to open.
    Open(OpenDialog, oneshot::Sender<Option<Vec<PathBuf>>>),
}

/// A dialog waiting to be drawn.
#[derive(Debug)]
pub struct DialogRequest {
    /// The dialog and where its answer goes.
    pub asked: Asked,
    /// The folder shown first: the last one used.
    pub folder: PathBuf,
    /// Say that the system's file chooser is missing (the first dialog only).
    pub notice: bool,
}

/// File dialogs drawn by the console's window.
#[derive(Debug, Default)]
pub struct InAppDialogs {
    queue: Mutex<VecDeque<DialogRequest>>,
    /// Wakes the window when a request arrives from the backend's threads.
    ctx: OnceLock<egui::Context>,
    last_folder: Mutex<Option<PathBuf>>,
    /// The next dialog says that the system's file chooser is missing.
    notice_due: AtomicBool,
}

impl InAppDialogs {
    /// Dialogs drawn by the window, without a notice (the person chose them).
    pub fn new() -> InAppDialogs {
        InAppDialogs::default()
    }

    /// Dialogs drawn by the window because the system has none: the first one says so.
    pub fn instead_of_native() -> InAppDialogs {
        InAppDialogs {
            notice_due: AtomicBool::new(true),
            ..InAppDialogs::default()
        }
    }

    /// The window that draws the dialogs: it is woken when one is asked for.
    pub fn attach(&self, ctx: &egui::Context) {
        // A second window keeps waking the first one: the console has one window.
        let _ = self.ctx.set(ctx.clone());
    }

    /// The next dialog to draw, if one was asked for.
    pub fn next_request(&self) -> Option<DialogRequest> {
        self.queue.lock().ok()?.pop_front()
    }

    /// The folder the person chose in, shown first by the next dialog.
    pub fn remember_folder(&self, folder: PathBuf) {
        if let Ok(mut last) = self.last_folder.lock() {
            *last = Some(folder);
        }
    }

    fn ask(&self, asked: Asked) {
        let folder = self
            .last_folder
            .lock()
            .ok()
            .and_then(|last| last.clone())
            .unwrap_or_else(start_folder);
        let request = DialogRequest {
            asked,
            folder,
            notice: self.notice_due.swap(false, Ordering::Relaxed),
        };
        if let Ok(mut queue) = self.queue.lock() {
            queue.push_back(request);
        }
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// Where a first dialog opens: the documents folder, else the home folder.
fn start_folder() -> PathBuf {
    let user = directories::UserDirs::new();
    user.as_ref()
        .and_then(|dirs| dirs.document_dir().filter(|dir| dir.is_dir()))
        .or_else(|| user.as_ref().map(|dirs| dirs.home_dir()))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// The person's home folder, for the dialog's Home button.
pub fn home_folder() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| dirs.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("/"))
}

impl Dialogs for InAppDialogs {
    fn save(&self, dialog: SaveDialog) -> DialogFuture<Option<PathBuf>> {
        let (answer, answered) = oneshot::channel();
        self.ask(Asked::Save(dialog, answer));
        Box::pin(async move { answered.await.ok().flatten() })
    }

    fn open(&self, dialog: OpenDialog) -> DialogFuture<Option<Vec<PathBuf>>> {
        let (answer, answered) = oneshot::channel();
        self.ask(Asked::Open(dialog, answer));
        Box::pin(async move { answered.await.ok().flatten() })
    }

    fn in_app(&self) -> Option<&InAppDialogs> {
        Some(self)
    }
}
