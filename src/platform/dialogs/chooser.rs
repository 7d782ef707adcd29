//! The console's own file dialog, in a modal: the folders and files of a folder (hidden ones
//! left out, files outside the filter hidden unless asked), Parent and Home buttons, a Folder
//! field, a File name field to save, several files to open when the dialog allows it. Enter
//! chooses (or opens the folder under the keyboard focus), Escape cancels.
//!
//! A folder is read on the UI thread when the person moves to it, once, as native file choosers
//! do: a listing is small and local, and the dialog has nothing else to draw meanwhile.

use std::path::{Path, PathBuf};

use egui::{Key, RichText};

use super::in_app::{Asked, DialogRequest, InAppDialogs, home_folder};
use crate::i18n::Texts;
use crate::{theme, widgets};

/// The window's part of the in-app dialogs: the dialog shown, if any.
#[derive(Debug, Default)]
pub struct FileChooser {
    showing: Option<Showing>,
}

impl FileChooser {
    /// Draws the dialog asked for, if any, and answers the backend once the person chooses.
    pub fn ui(&mut self, ctx: &egui::Context, t: &Texts, dialogs: Option<&InAppDialogs>) {
        let Some(dialogs) = dialogs else {
            return;
        };
        if self.showing.is_none() {
            self.showing = dialogs.next_request().map(Showing::new);
        }
        let Some(showing) = &mut self.showing else {
            return;
        };
        let Some(chosen) = showing.ui(ctx, t) else {
            return;
        };
        if let Some(showing) = self.showing.take() {
            if chosen.is_some() {
                dialogs.remember_folder(showing.folder.clone());
            }
            showing.answer(chosen);
        }
        // The next dialog in the queue, if any, shows at once.
        ctx.request_repaint();
    }
}

#[derive(Debug)]
struct Entry {
    name: String,
    path: PathBuf,
    folder: bool,
}

#[derive(Debug)]
struct Showing {
    request: DialogRequest,
    folder: PathBuf,
    folder_field: String,
    /// The folder's entries, `None` when it cannot be read.
    entries: Option<Vec<Entry>>,
    selected: Vec<PathBuf>,
    file_name: String,
    show_all: bool,
    /// The file that exists where the person asked to save: chosen again, it is replaced.
    replace: Option<PathBuf>,
    /// The first frame gives the keyboard focus to the name field or the list.
    first_frame: bool,
}

/// What the person did: the paths chosen, or `None` when they cancelled.
type Chosen = Option<Vec<PathBuf>>;

impl Showing {
    fn new(request: DialogRequest) -> Showing {
        let file_name = match &request.asked {
            Asked::Save(dialog, _) => dialog.file_name.clone(),
            Asked::Open(..) => String::new(),
        };
        let folder = request.folder.clone();
        let mut showing = Showing {
            request,
            folder: folder.clone(),
            folder_field: String::new(),
            entries: None,
            selected: Vec::new(),
            file_name,
            show_all: false,
            replace: None,
            first_frame: true,
        };
        showing.go_to(folder);
        showing
    }

    fn saving(&self) -> bool {
        matches!(self.request.asked, Asked::Save(..))
    }

    fn many(&self) -> bool {
        matches!(&self.request.asked, Asked::Open(dialog, _) if dialog.many)
    }

    fn title(&self) -> &str {
        match &self.request.asked {
            Asked::Save(dialog, _) => &dialog.title,
            Asked::Open(dialog, _) => &dialog.title,
        }
    }

    fn filter(&self) -> Option<&(String, Vec<String>)> {
        match &self.request.asked {
            Asked::Save(dialog, _) => dialog.filter.as_ref(),
            Asked::Open(dialog, _) => dialog.filter.as_ref(),
        }
    }

    /// Whether a file's name passes the filter (or every file is shown).
    fn shown(&self, name: &str) -> bool {
        self.show_all
            || self
                .filter()
                .is_none_or(|(_, extensions)| has_extension(name, extensions))
    }

    fn go_to(&mut self, folder: PathBuf) {
        self.entries = read_folder(&folder).ok();
        self.folder_field = folder.display().to_string();
        self.folder = folder;
        self.selected.clear();
        self.replace = None;
    }

    /// Where to save: the name in the folder, with the filter's extension when it has none.
    fn save_path(&self) -> Option<PathBuf> {
        let name = self.file_name.trim();
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return None;
        }
        let mut path = self.folder.join(name);
        if path.extension().is_none()
            && let Some(extension) = self.filter().and_then(|(_, e)| e.first())
        {
            path.set_extension(extension);
        }
        Some(path)
    }

    fn can_choose(&self) -> bool {
        if self.saving() {
            self.save_path().is_some()
        } else {
            !self.selected.is_empty()
        }
    }

    /// The person chose: the paths, or nothing yet when a file would be replaced unasked.
    fn choose(&mut self) -> Option<Chosen> {
        if !self.saving() {
            return (!self.selected.is_empty()).then(|| Some(self.selected.clone()));
        }
        let path = self.save_path()?;
        if path.is_dir() {
            self.go_to(path);
            self.file_name.clear();
            return None;
        }
        if path.exists() && self.replace.as_ref() != Some(&path) {
            self.replace = Some(path);
            return None;
        }
        Some(Some(vec![path]))
    }

    fn answer(self, chosen: Chosen) {
        // A backend that stopped waiting (the window closes) has dropped its receiver.
        match self.request.asked {
            Asked::Save(_, answer) => {
                let _ = answer.send(chosen.and_then(|paths| paths.into_iter().next()));
            }
            Asked::Open(_, answer) => {
                let _ = answer.send(chosen);
            }
        }
    }

    /// Draws the dialog: `Some` once the person chose (`Some(Some(paths))`) or cancelled
    /// (`Some(None)`).
    fn ui(&mut self, ctx: &egui::Context, t: &Texts) -> Option<Chosen> {
        let enter = ctx.input(|i| i.key_pressed(Key::Enter));
        let mut handled = false;
        let mut choose = false;
        let mut cancel = ctx.input(|i| i.key_pressed(Key::Escape));
        let mut go: Option<PathBuf> = None;
        let first_frame = std::mem::take(&mut self.first_frame);

        egui::Modal::new(egui::Id::unique("in-app-file-dialog")).show(ctx, |ui| {
            ui.set_width(600.0);
            self.heading(ui, t);
            ui.add_space(theme::SECTION_SPACE / 2.0);
            go = self.parent_and_home(ui, t);
            let folder_field = widgets::field(
                ui,
                &t.get("file-dialog-folder"),
                &mut self.folder_field,
                false,
                "",
            );
            if widgets::submitted(&folder_field) {
                handled = true;
                go = Some(PathBuf::from(self.folder_field.trim()));
            }
            self.list(
                ui,
                t,
                first_frame,
                enter,
                &mut go,
                &mut choose,
                &mut handled,
            );
            if let Some((name, _)) = self.filter() {
                let label = t.with("file-dialog-show-all", &[("filter", name)]);
                if ui.checkbox(&mut self.show_all, label).clicked() {
                    handled = true;
                }
            }
            if self.saving() {
                let submitted = self.name_field(ui, t, first_frame);
                if submitted {
                    handled = true;
                    choose = true;
                }
            }
            self.replace_warning(ui, t);
            ui.add_space(theme::SECTION_SPACE / 2.0);
            let (confirmed, cancelled) = self.buttons(ui, t);
            if confirmed {
                handled = true;
                choose = true;
            }
            if cancelled {
                handled = true;
                cancel = true;
            }
        });

        if cancel {
            return Some(None);
        }
        if let Some(folder) = go {
            self.go_to(folder);
            return None;
        }
        // Enter chooses, unless a field or a button under the focus already acted on it.
        if choose || (enter && !handled) {
            return self.choose();
        }
        None
    }

    /// The title, and why the console draws its own dialog when the system has none.
    fn heading(&self, ui: &mut egui::Ui, t: &Texts) {
        ui.heading(self.title());
        if self.request.notice {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                t.get("file-dialog-no-system-chooser"),
            );
        }
    }

    /// The Parent and Home buttons: the folder to go to when one was clicked.
    fn parent_and_home(&self, ui: &mut egui::Ui, t: &Texts) -> Option<PathBuf> {
        let mut go = None;
        ui.horizontal(|ui| {
            let parent = self.folder.parent().map(Path::to_path_buf);
            if ui
                .add_enabled(
                    parent.is_some(),
                    egui::Button::new(t.get("file-dialog-parent")),
                )
                .clicked()
            {
                go = parent;
            }
            if ui.button(t.get("file-dialog-home")).clicked() {
                go = Some(home_folder());
            }
        });
        go
    }

    /// The warning that the file chosen to save exists and would be replaced.
    fn replace_warning(&self, ui: &mut egui::Ui, t: &Texts) {
        if let Some(existing) = &self.replace {
            let name = existing
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            ui.colored_label(
                ui.visuals().warn_fg_color,
                t.with("file-dialog-replace", &[("name", &name)]),
            );
        }
    }

    /// The Open (Save, Replace) and Cancel buttons: whether each was clicked.
    fn buttons(&self, ui: &mut egui::Ui, t: &Texts) -> (bool, bool) {
        let (mut confirmed, mut cancelled) = (false, false);
        ui.horizontal(|ui| {
            let confirm = match (&self.replace, self.saving()) {
                (Some(_), _) => t.get("file-dialog-replace-button"),
                (None, true) => t.get("file-dialog-save"),
                (None, false) => t.get("file-dialog-open"),
            };
            let button = egui::Button::new(RichText::new(confirm).strong());
            if ui.add_enabled(self.can_choose(), button).clicked() {
                confirmed = true;
            }
            if ui.button(t.get("cancel")).clicked() {
                cancelled = true;
            }
        });
        (confirmed, cancelled)
    }

    /// The folder's entries: a folder opens on a click (or Enter, Space); a file is selected,
    /// and chosen when picked with Enter or a double click.
    #[allow(clippy::too_many_arguments)]
    fn list(
        &mut self,
        ui: &mut egui::Ui,
        t: &Texts,
        first_frame: bool,
        enter: bool,
        go: &mut Option<PathBuf>,
        choose: &mut bool,
        handled: &mut bool,
    ) {
        let saving = self.saving();
        let many = self.many();
        let mut picked: Option<(PathBuf, String, bool)> = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(crate::theme::FILE_LIST_HEIGHT)
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let Some(entries) = &self.entries else {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            t.get("file-dialog-unreadable"),
                        );
                        return;
                    };
                    let mut first = first_frame && !saving;
                    let mut any = false;
                    for entry in entries {
                        if !entry.folder && !self.shown(&entry.name) {
                            continue;
                        }
                        any = true;
                        let text = if entry.folder {
                            format!("{}/", entry.name)
                        } else {
                            entry.name.clone()
                        };
                        let selected = self.selected.contains(&entry.path);
                        let response = ui.selectable_label(selected, text);
                        if std::mem::take(&mut first) {
                            response.request_focus();
                        }
                        let double = response.double_clicked();
                        if response.clicked() || double {
                            *handled = true;
                            picked = Some((entry.path.clone(), entry.name.clone(), entry.folder));
                            // Enter on a file, or a double click, chooses it.
                            if !entry.folder && (enter || double) {
                                *choose = true;
                            }
                        }
                    }
                    if !any {
                        ui.weak(t.get("file-dialog-empty"));
                    }
                });
        });
        let Some((path, name, folder)) = picked else {
            return;
        };
        if folder {
            *choose = false;
            *go = Some(path);
        } else if saving {
            self.file_name = name;
            self.replace = None;
        } else if many && !*choose {
            if let Some(at) = self.selected.iter().position(|p| *p == path) {
                self.selected.remove(at);
            } else {
                self.selected.push(path);
            }
        } else if !self.selected.contains(&path) {
            if !many {
                self.selected.clear();
            }
            self.selected.push(path);
        }
    }

    /// The File name field; its name, without the extension, is selected when the dialog opens,
    /// so that typing replaces it. `true` when Enter was pressed in it.
    fn name_field(&mut self, ui: &mut egui::Ui, t: &Texts, first_frame: bool) -> bool {
        ui.horizontal(|ui| {
            let label = ui.add_sized(
                [theme::LABEL_WIDTH, 20.0],
                egui::Label::new(t.get("file-dialog-file-name")),
            );
            let mut output = egui::TextEdit::singleline(&mut self.file_name)
                .desired_width(theme::FIELD_WIDTH)
                .show(ui);
            let response = output.response.response.clone().labelled_by(label.id);
            if response.changed() {
                self.replace = None;
            }
            if first_frame {
                response.request_focus();
                let stem = Path::new(&self.file_name)
                    .file_stem()
                    .map_or(0, |stem| stem.to_string_lossy().chars().count());
                let range = egui::text::CCursorRange::two(
                    egui::text::CCursor::new(0),
                    egui::text::CCursor::new(stem),
                );
                output.state.cursor.set_char_range(Some(range));
                output.state.store(ui.ctx(), response.id);
            }
            widgets::submitted(&response)
        })
        .inner
    }
}

fn has_extension(name: &str, extensions: &[String]) -> bool {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| extensions.iter().any(|wanted| wanted.to_lowercase() == e))
}

/// A folder's entries, folders first then files, each by name; hidden ones left out.
fn read_folder(folder: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = std::fs::read_dir(folder)?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            // `is_dir` follows links: a link to a folder opens like a folder.
            (!name.starts_with('.')).then(|| Entry {
                folder: path.is_dir(),
                name,
                path,
            })
        })
        .collect();
    entries.sort_by(|a, b| {
        b.folder
            .cmp(&a.folder)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(entries)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn folders_come_first_and_hidden_entries_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.pdf"), b"").unwrap();
        std::fs::write(dir.path().join(".hidden"), b"").unwrap();
        std::fs::create_dir(dir.path().join("Z")).unwrap();
        std::fs::write(dir.path().join("a.txt"), b"").unwrap();
        let names: Vec<_> = read_folder(dir.path())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["Z", "a.txt", "b.pdf"]);
    }

    #[test]
    fn the_filter_ignores_case() {
        let pdf = ["pdf".to_string()];
        assert!(has_extension("Sheet.PDF", &pdf));
        assert!(!has_extension("sheet.pdf.txt", &pdf));
        assert!(!has_extension("pdf", &pdf));
    }
}
