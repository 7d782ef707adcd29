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
    read("installer/linux/fr.hosting.console.desktop")
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
    // One application id everywhere: the window (Wayland's app id, X11's class), the launcher,
    // AppStream and the macOS bundle.
    assert_eq!(window_app_id(), APP_ID);
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
    let build = read("installer/build-msi");
    // WiX 3 syntax, which wixl (msitools) builds on Linux and WiX 3 on Windows.
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://schemas.microsoft.com/wix/2006/wi")
    );
    let product = elements(&doc, "Product").next().unwrap();
    let package = elements(&doc, "Package").next().unwrap();
    assert_eq!(package.attribute("InstallScope"), Some("perUser"));
    // The version is written once, in Cargo.toml: build-msi gives it, read from [package] as
    // here (the first `version = "…"` line after `[package]`), to the definition.
    assert_eq!(product.attribute("Version"), Some("$(var.Version)"));
    let cargo = read("Cargo.toml");
    let package_version = cargo
        .lines()
        .skip_while(|line| *line != "[package]")
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'));
    assert_eq!(
        package_version,
        Some(VERSION),
        "Cargo.toml's [package] version"
    );
    assert!(build.contains("/^\\[package\\]/,/^\\[/ s/^version = "));
    let exe = format!("{BINARY}.exe");
    let file = elements(&doc, "File")
        .find(|f| f.attribute("Id") == Some("HostingConsoleExe"))
        .unwrap();
    assert!(file.attribute("Source").unwrap().ends_with(&exe));
    let directory = |id: &str| {
        elements(&doc, "Directory")
            .find(|d| d.attribute("Id") == Some(id))
            .unwrap_or_else(|| panic!("no directory {id}"))
    };
    let install = directory("INSTALLFOLDER");
    assert_eq!(install.attribute("Name"), Some("Hosting console"));
    assert!(
        install
            .ancestors()
            .any(|d| d.attribute("Id") == Some("LocalAppDataFolder"))
    );
    let icon = elements(&doc, "Icon").next().unwrap();
    assert_eq!(icon.attribute("SourceFile"), Some("$(var.IconFile)"));
    for dir in ["ProgramMenuFolder", "DesktopFolder"] {
        let shortcut = directory(dir)
            .descendants()
            .find(|n| n.tag_name().name() == "Shortcut")
            .unwrap_or_else(|| panic!("no shortcut in {dir}"));
        assert_eq!(
            shortcut.attribute("Target"),
            Some(format!("[INSTALLFOLDER]{exe}").as_str())
        );
        assert_eq!(shortcut.attribute("Icon"), icon.attribute("Id"));
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
    // wixl knows a variable in <?ifdef?> only by its full name (var.X).
    for line in text
        .lines()
        .filter(|l| l.contains("<?ifdef") || l.contains("<?ifndef"))
    {
        assert!(line.contains("def var."), "{line}");
    }
    // Every variable the definition uses is given by build-msi or is a text of both languages:
    // build-msi reads the .wxl files line by line (wixl has no localization files).
    let mut texts: Vec<Vec<String>> = Vec::new();
    for wxl in ["installer/windows/en-us.wxl", "installer/windows/fr-fr.wxl"] {
        let wxl_text = read(wxl);
        let wxl_doc = xml(wxl, &wxl_text);
        let root = wxl_doc.root_element();
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://schemas.microsoft.com/wix/2006/localization")
        );
        let start_tag = wxl_text
            .lines()
            .find(|l| l.starts_with("<WixLocalization "))
            .unwrap_or_else(|| panic!("{wxl}: no line starting <WixLocalization"));
        for attribute in ["Culture", "Codepage", "Language"] {
            assert!(root.attribute(attribute).is_some(), "{wxl}: {attribute}");
            assert!(
                start_tag.contains(&format!(" {attribute}=\"")),
                "{wxl}: {attribute}"
            );
        }
        for line in wxl_text.lines().filter(|l| l.contains("<String ")) {
            assert!(
                line.trim_end().ends_with("</String>"),
                "{wxl}: one string a line: {line}"
            );
        }
        let mut ids: Vec<String> = elements(&wxl_doc, "String")
            .map(|s| {
                assert!(
                    s.text().is_some_and(|t| !t.is_empty()),
                    "{wxl}: empty string"
                );
                s.attribute("Id").unwrap().to_string()
            })
            .collect();
        ids.sort();
        texts.push(ids);
    }
    assert_eq!(
        texts[0], texts[1],
        "the same texts in English and in French"
    );
    let used: Vec<&str> = text
        .split("$(var.")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap())
        .collect();
    assert!(used.contains(&"Version") && used.contains(&"ProductName"));
    for name in used {
        assert!(
            texts[0].iter().any(|id| id == name) || build.contains(&format!("\"{name}=")),
            "$(var.{name}) is neither a text of the .wxl files nor given by build-msi"
        );
    }
    // The icon is made from the asset.
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

/// The Windows icon (in the program by build.rs, in the MSI by build-msi) holds the sizes that
/// Explorer, the taskbar and the shortcuts use, 16 to 256 pixels.
#[test]
fn the_windows_icon_has_every_size() {
    let bytes = std::fs::read(repo("assets/icon.ico")).unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let count = usize::from(u16::from_le_bytes([bytes[4], bytes[5]]));
    let mut sizes: Vec<u32> = (0..count)
        .map(|i| {
            let width = bytes[6 + 16 * i];
            if width == 0 { 256 } else { u32::from(width) }
        })
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [16, 24, 32, 48, 64, 128, 256]);
    let build = read("build.rs");
    assert!(build.contains("\"icon.ico\""));
    assert!(read("installer/build-msi").contains("assets/icon.ico"));
}
