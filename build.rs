//! On Windows, `hosting-console.exe` carries its icon (Explorer, the taskbar, the shortcuts)
//! and its version information (the file's properties, the installer) as resources: an `.rc`
//! made here from Cargo.toml's version, compiled by MinGW's `windres` (cross-compiling from
//! Linux: `x86_64-w64-mingw32-windres`) or by the Windows SDK's `rc.exe` (MSVC).
//! Other systems: nothing.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let number = |name: &str| std::env::var(name).expect(name);
    let (major, minor, patch) = (
        number("CARGO_PKG_VERSION_MAJOR"),
        number("CARGO_PKG_VERSION_MINOR"),
        number("CARGO_PKG_VERSION_PATCH"),
    );
    let version = number("CARGO_PKG_VERSION");
    let icon = manifest.join("assets").join("icon.ico");
    let rc = format!(
        r#"#pragma code_page(65001)
1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEFLAGSMASK 0x3f
FILEFLAGS 0x0
FILEOS 0x40004
FILETYPE 0x1
FILESUBTYPE 0x0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Hosting console"
      VALUE "FileDescription", "Hosting console"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "hosting-console"
      VALUE "LegalCopyright", "MIT licence"
      VALUE "OriginalFilename", "hosting-console.exe"
      VALUE "ProductName", "Hosting console"
      VALUE "ProductVersion", "{version}"
    END
    BLOCK "040c04b0"
    BEGIN
      VALUE "CompanyName", "Hosting console"
      VALUE "FileDescription", "Console d'hébergement"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "hosting-console"
      VALUE "LegalCopyright", "Licence MIT"
      VALUE "OriginalFilename", "hosting-console.exe"
      VALUE "ProductName", "Console d'hébergement"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200, 0x40c, 1200
  END
END
"#,
        icon = icon.display().to_string().replace('\\', "\\\\"),
    );
    let rc_path = out.join("hosting-console.rc");
    std::fs::write(&rc_path, rc).expect("write the .rc");

    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let compiled = if target_env == "msvc" {
        let res = out.join("hosting-console.res");
        let rc_exe = std::env::var("RC")
            .ok()
            .or_else(windows_kits_rc)
            .unwrap_or_else(|| "rc.exe".to_string());
        run(
            Command::new(&rc_exe)
                .arg("/nologo")
                .arg("/fo")
                .arg(&res)
                .arg(&rc_path),
            &rc_exe,
        );
        res
    } else {
        let object = out.join("hosting-console-resources.o");
        let windres = std::env::var("WINDRES").unwrap_or_else(|_| {
            if cfg!(windows) {
                "windres".to_string()
            } else {
                "x86_64-w64-mingw32-windres".to_string()
            }
        });
        run(
            Command::new(&windres)
                .args(["--input-format=rc", "--output-format=coff", "-c", "65001"])
                .arg("-i")
                .arg(&rc_path)
                .arg("-o")
                .arg(&object),
            &windres,
        );
        object
    };
    // Only the program: the library and the tests have no icon.
    println!(
        "cargo:rustc-link-arg-bin=hosting-console={}",
        compiled.display()
    );
}

/// The newest x64 `rc.exe` of the Windows 10/11 SDK, which a build outside a developer prompt
/// (a CI runner) has not on its PATH.
fn windows_kits_rc() -> Option<String> {
    let bin = PathBuf::from(r"C:\Program Files (x86)\Windows Kits\10\bin");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(bin)
        .ok()?
        .filter_map(|entry| {
            entry
                .ok()
                .map(|entry| entry.path().join("x64").join("rc.exe"))
        })
        .filter(|rc| rc.is_file())
        .collect();
    versions.sort();
    versions.pop().map(|rc| rc.display().to_string())
}

fn run(command: &mut Command, name: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => panic!("{name} failed ({status}) on the console's resources"),
        Err(error) => panic!(
            "cannot run {name} for the console's resources ({error}): install MinGW-w64's binutils \
             (Debian: gcc-mingw-w64-x86-64) or the Windows SDK, or set WINDRES / RC"
        ),
    }
}
