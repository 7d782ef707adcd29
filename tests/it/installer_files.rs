//! The installers' definitions agree with `Cargo.toml` and with the program: version, names,
//! the window's app id, the icon's paths. The Windows and macOS ones cannot be built on these
//! machines; this is what checks them here (with their XML read by a real parser).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const BINARY: &str = "hosting-console";
const APP_ID: &str = "fr.hosting.console";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `text` as XML (DTDs allowed: a plist has one); a malformed file fails here.
fn xml<'a>(path: &str, text: &'a str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}"))
}

fn elements<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    doc.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The window's app id, as `src/main.rs` gives it to eframe.
fn window_app_id() -> String {
    let main = read("src/main.rs");
    let start = main.find(".with_app_id(\"").unwrap() + ".with_app_id(\"".len();
    main[start..].split('"').next().unwrap().to_string()
}

fn desktop_entry() -> Vec<(String, String)> {
    read("installer/linux/hosting-console.desktop")
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn entry<'a>(entries: &'a [(String, String)], key: &str) -> &'a str {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key}= in the launcher"))
}

#[test]
fn the_linux_launcher_starts_the_binary_and_matches_the_window() {
    let entries = desktop_entry();
    assert_eq!(entry(&entries, "Exec"), BINARY);
    assert_eq!(entry(&entries, "Icon"), BINARY);
    assert_eq!(entry(&entries, "StartupWMClass"), window_app_id());
    assert_eq!(
        format!("{}.desktop", window_app_id()),
        hosting_console::shortcut::LAUNCHER,
        "the launcher's file name is the app id, so desktops match the window to it"
    );
    assert_eq!(entry(&entries, "Name[fr]"), "Console d'hébergement");
    assert!(!entry(&entries, "Comment[fr]").is_empty());
    assert!(entry(&entries, "Categories").ends_with(';'));
}

#[test]
fn the_appstream_metainfo_names_this_version_and_the_launcher() {
    let path = "installer/linux/fr.hosting.console.metainfo.xml";
    let text = read(path);
    let doc = xml(path, &text);
    let text_of = |name: &'static str| elements(&doc, name).next().and_then(|n| n.text());
    assert_eq!(text_of("id"), Some(APP_ID));
    assert_eq!(text_of("project_license"), Some(env!("CARGO_PKG_LICENSE")));
    assert_eq!(
        text_of("launchable"),
        Some(hosting_console::shortcut::LAUNCHER)
    );
    assert_eq!(text_of("binary"), Some(BINARY));
    let newest = elements(&doc, "release").next().unwrap();
    assert_eq!(newest.attribute("version"), Some(VERSION));
    assert!(
        elements(&doc, "name")
            .any(|n| n.attribute(("http://www.w3.org/XML/1998/namespace", "lang")) == Some("fr")),
        "a French name"
    );
    // The screenshot is made from a snapshot of the tests by build-deb.
    let image = text_of("image").unwrap();
    let file = image.rsplit('/').next().unwrap();
    assert!(read("installer/build-deb").contains(file), "{file}");
    let build = read("installer/build-deb");
    let snapshot = build
        .split_whitespace()
        .find(|word| word.starts_with("tests/snapshots/"))
        .unwrap();
    assert!(repo(snapshot).is_file(), "{snapshot}");
}

#[test]
fn the_windows_installer_is_per_user_with_both_shortcuts_and_this_version() {
    let path = "installer/windows/hosting-console.wxs";
    let text = read(path);
    let doc = xml(path, &text);
    let package = elements(&doc, "Package").next().unwrap();
    assert_eq!(package.attribute("Version"), Some(VERSION));
    assert_eq!(package.attribute("Scope"), Some("perUser"));
    let exe = format!("{BINARY}.exe");
    let file = elements(&doc, "File")
        .find(|f| f.attribute("Id") == Some("HostingConsoleExe"))
        .unwrap();
    assert!(file.attribute("Source").unwrap().ends_with(&exe));
    let shortcut_in = |dir: &str| {
        elements(&doc, "StandardDirectory")
            .find(|d| d.attribute("Id") == Some(dir))
            .and_then(|d| d.descendants().find(|n| n.tag_name().name() == "Shortcut"))
            .unwrap_or_else(|| panic!("no shortcut in {dir}"))
    };
    for dir in ["ProgramMenuFolder", "DesktopFolder"] {
        let shortcut = shortcut_in(dir);
        assert_eq!(
            shortcut.attribute("Target"),
            Some(format!("[INSTALLFOLDER]{exe}").as_str())
        );
        assert_eq!(shortcut.attribute("Icon"), Some("AppIcon"));
    }
    // Every component's key path is in HKCU, as a per-user install needs.
    for component in elements(&doc, "Component") {
        let key = component
            .children()
            .find(|n| n.attribute("KeyPath") == Some("yes"))
            .unwrap();
        assert_eq!(
            key.attribute("Root"),
            Some("HKCU"),
            "{:?}",
            component.attribute("Id")
        );
    }
    // Every text the definition uses is in both languages; the icon is made from the asset.
    let used: Vec<&str> = text
        .split("!(loc.")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap())
        .collect();
    assert!(!used.is_empty());
    for wxl in ["installer/windows/en-us.wxl", "installer/windows/fr-fr.wxl"] {
        let text = read(wxl);
        let doc = xml(wxl, &text);
        let ids: Vec<&str> = elements(&doc, "String")
            .filter_map(|s| s.attribute("Id"))
            .collect();
        for id in &used {
            assert!(ids.contains(id), "{wxl} lacks {id}");
        }
    }
    let build = read("installer/build-msi");
    assert!(build.contains("assets/icon.png") && build.contains("hosting-console.ico"));
    assert!(build.contains("IconFile=") && text.contains("$(var.IconFile)"));
}

#[test]
fn the_macos_bundle_names_the_binary_the_icon_and_this_version() {
    let path = "installer/macos/Info.plist";
    let text = read(path);
    let doc = xml(path, &text);
    assert!(text.contains("<!DOCTYPE plist"));
    let dict = elements(&doc, "dict").next().unwrap();
    let children: Vec<_> = dict.children().filter(|n| n.is_element()).collect();
    let value = |key: &str| {
        let at = children
            .iter()
            .position(|n| n.tag_name().name() == "key" && n.text() == Some(key))
            .unwrap_or_else(|| panic!("no {key} in Info.plist"));
        children[at + 1].text().unwrap_or_default().to_string()
    };
    assert_eq!(value("CFBundleShortVersionString"), VERSION);
    assert_eq!(value("CFBundleVersion"), VERSION);
    assert_eq!(value("CFBundleExecutable"), BINARY);
    assert_eq!(value("CFBundleIdentifier"), APP_ID);
    assert_eq!(value("CFBundlePackageType"), "APPL");
    let icon = value("CFBundleIconFile");
    let build = read("installer/build-macos");
    assert!(
        build.contains(&format!("Contents/Resources/{icon}")) && build.contains("assets/icon.png"),
        "build-macos makes {icon} from assets/icon.png"
    );
    assert!(build.contains(&format!("Contents/MacOS/{BINARY}")));
    for lproj in ["en", "fr"] {
        let strings = read(&format!("installer/macos/{lproj}.lproj/InfoPlist.strings"));
        assert!(strings.contains("CFBundleDisplayName"), "{lproj}");
    }
    assert!(repo("assets/icon.png").is_file());
}

#[test]
fn the_example_provider_file_is_valid() {
    let text = read("installer/provider.toml.example");
    let provider = hosting_console::provider::Provider::parse(&text).unwrap();
    assert!(provider.provider.name.is_some());
    assert!(!provider.support.is_empty());
}
