//! File dialogs, off the UI thread: the native ones through `rfd`'s asynchronous dialogs, the
//! console's own when the system has none, or a folder chosen in advance (tests and unattended
//! runs), behind one small trait.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub mod chooser;
pub mod detect;
pub mod in_app;

pub use in_app::InAppDialogs;

/// A dialog's answer, awaited on the backend's runtime.
pub type DialogFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A "save as" dialog.
#[derive(Debug, Clone)]
pub struct SaveDialog {
    /// The window's title.
    pub title: String,
    /// The file name offered.
    pub file_name: String,
    /// The filter's name and extensions (`("PDF", ["pdf"])`).
    pub filter: Option<(String, Vec<String>)>,
}

/// An "open" dialog.
#[derive(Debug, Clone)]
pub struct OpenDialog {
    /// The window's title.
    pub title: String,
    /// The filter's name and extensions.
    pub filter: Option<(String, Vec<String>)>,
    /// Several files may be chosen.
    pub many: bool,
}

/// Where the console asks for files.
pub trait Dialogs: Send + Sync {
    /// Where to save: `None` when the person cancels.
    fn save(&self, dialog: SaveDialog) -> DialogFuture<Option<PathBuf>>;
    /// What to open: `None` when the person cancels.
    fn open(&self, dialog: OpenDialog) -> DialogFuture<Option<Vec<PathBuf>>>;
    /// The dialogs the window draws, if these dialogs may ask for some.
    fn in_app(&self) -> Option<&InAppDialogs> {
        None
    }
}

/// The platform's dialogs when they can open, else the console's own: what the console uses.
/// Whether they can open is found once, when the first dialog is asked for.
#[derive(Clone)]
pub struct SystemDialogs {
    shared: Arc<SystemShared>,
}

struct SystemShared {
    environment: detect::Environment,
    native_available: tokio::sync::OnceCell<bool>,
    in_app: InAppDialogs,
}

impl SystemDialogs {
    /// The dialogs of this process's desktop.
    pub fn new() -> SystemDialogs {
        SystemDialogs::in_environment(detect::Environment::current())
    }

    /// The dialogs of a desktop described by `environment` (tests).
    pub fn in_environment(environment: detect::Environment) -> SystemDialogs {
        SystemDialogs {
            shared: Arc::new(SystemShared {
                environment,
                native_available: tokio::sync::OnceCell::new(),
                in_app: InAppDialogs::instead_of_native(),
            }),
        }
    }
}

impl Default for SystemDialogs {
    fn default() -> Self {
        SystemDialogs::new()
    }
}

impl SystemShared {
    async fn native(&self) -> bool {
        *self
            .native_available
            .get_or_init(|| async {
                let available = detect::native_chooser(&self.environment).await;
                if !available {
                    tracing::warn!(
                        "no file chooser on this desktop (neither the XDG portal's FileChooser \
                         nor zenity): the console draws its own"
                    );
                }
                available
            })
            .await
    }
}

impl Dialogs for SystemDialogs {
    fn save(&self, dialog: SaveDialog) -> DialogFuture<Option<PathBuf>> {
        let shared = self.shared.clone();
        Box::pin(async move {
            if shared.native().await {
                NativeDialogs.save(dialog).await
            } else {
                shared.in_app.save(dialog).await
            }
        })
    }

    fn open(&self, dialog: OpenDialog) -> DialogFuture<Option<Vec<PathBuf>>> {
        let shared = self.shared.clone();
        Box::pin(async move {
            if shared.native().await {
                NativeDialogs.open(dialog).await
            } else {
                shared.in_app.open(dialog).await
            }
        })
    }

    fn in_app(&self) -> Option<&InAppDialogs> {
        Some(&self.shared.in_app)
    }
}

/// The platform's dialogs (the desktop portal on Linux), whether they can open or not.
#[derive(Debug, Default, Clone, Copy)]
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn save(&self, dialog: SaveDialog) -> DialogFuture<Option<PathBuf>> {
        let mut native = rfd::AsyncFileDialog::new()
            .set_title(&dialog.title)
            .set_file_name(&dialog.file_name);
        if let Some((name, extensions)) = &dialog.filter {
            native = native.add_filter(name, extensions);
        }
        Box::pin(async move { native.save_file().await.map(|f| f.path().to_path_buf()) })
    }

    fn open(&self, dialog: OpenDialog) -> DialogFuture<Option<Vec<PathBuf>>> {
        let mut native = rfd::AsyncFileDialog::new().set_title(&dialog.title);
        if let Some((name, extensions)) = &dialog.filter {
            native = native.add_filter(name, extensions);
        }
        Box::pin(async move {
            if dialog.many {
                native
                    .pick_files()
                    .await
                    .map(|files| files.iter().map(|f| f.path().to_path_buf()).collect())
            } else {
                native
                    .pick_file()
                    .await
                    .map(|f| vec![f.path().to_path_buf()])
            }
        })
    }
}

/// Saves into a folder chosen in advance, under the name the dialog offers, and opens what was
/// queued (tests drive the console with it; the person sees no dialog).
#[derive(Debug, Default)]
pub struct FolderDialogs {
    folder: PathBuf,
    to_open: std::sync::Mutex<std::collections::VecDeque<Vec<PathBuf>>>,
}

impl FolderDialogs {
    /// Dialogs that save into `folder`.
    pub fn new(folder: impl Into<PathBuf>) -> FolderDialogs {
        FolderDialogs {
            folder: folder.into(),
            to_open: Default::default(),
        }
    }

    /// The next "open" dialog answers `paths`.
    pub fn queue_open(&self, paths: Vec<PathBuf>) {
        if let Ok(mut queue) = self.to_open.lock() {
            queue.push_back(paths);
        }
    }

    /// The answers queued and not yet asked for.
    pub fn queued(&self) -> usize {
        self.to_open.lock().map_or(0, |queue| queue.len())
    }
}

impl Dialogs for FolderDialogs {
    fn save(&self, dialog: SaveDialog) -> DialogFuture<Option<PathBuf>> {
        let path = self.folder.join(dialog.file_name);
        Box::pin(async move { Some(path) })
    }

    fn open(&self, _dialog: OpenDialog) -> DialogFuture<Option<Vec<PathBuf>>> {
        let next = self.to_open.lock().ok().and_then(|mut q| q.pop_front());
        Box::pin(async move { next })
    }
}
