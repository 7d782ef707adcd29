//! The name a workstation gets by default when it is enrolled: the computer's own name, which
//! the person may change in the wizard before the key is made.

use hosting_api::validate::NAME_MAX;

/// What a workstation is called when the system gives no usable name.
pub const FALLBACK: &str = "Workstation";

/// This computer's name: on macOS the Computer Name of the Sharing settings ("Marie's MacBook
/// Air"; a Mac has no `/etc/hostname` and a graphical app gets no `HOSTNAME`); elsewhere, and
/// then, `HOSTNAME`, `COMPUTERNAME` (Windows) and `/etc/hostname` (Linux).
pub fn name() -> String {
    let environment = ["HOSTNAME", "COMPUTERNAME"]
        .into_iter()
        .filter_map(|variable| std::env::var(variable).ok());
    let file = || std::fs::read_to_string("/etc/hostname").ok();
    usable_name(
        platform_name()
            .into_iter()
            .chain(environment)
            .chain(std::iter::once_with(file).flatten()),
    )
}

/// The name the platform itself shows for the computer, where it has one the others miss.
#[cfg(target_os = "macos")]
fn platform_name() -> Option<String> {
    whoami::devicename().ok()
}

/// The name the platform itself shows for the computer, where it has one the others miss.
#[cfg(not(target_os = "macos"))]
fn platform_name() -> Option<String> {
    None
}

/// The first candidate that makes a valid workstation name, trimmed and cut to [`NAME_MAX`]
/// characters; [`FALLBACK`] when none does.
fn usable_name(candidates: impl IntoIterator<Item = String>) -> String {
    candidates
        .into_iter()
        .map(|candidate| {
            let cut: String = candidate.trim().chars().take(NAME_MAX).collect();
            cut.trim_end().to_string()
        })
        .find(|name| !name.is_empty() && !name.chars().any(char::is_control))
        .unwrap_or_else(|| FALLBACK.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(candidates: &[&str]) -> String {
        usable_name(candidates.iter().map(|c| c.to_string()))
    }

    #[test]
    fn the_first_usable_name_is_taken_trimmed() {
        assert_eq!(
            names(&["Marie’s MacBook Air", "marie-mba"]),
            "Marie’s MacBook Air"
        );
        assert_eq!(names(&["", "  \n", "pc-secretariat\n"]), "pc-secretariat");
    }

    #[test]
    fn a_name_the_service_would_refuse_is_skipped_or_cut() {
        assert_eq!(names(&["bad\u{7}name", "office"]), "office");
        let long = format!("{} end", "x".repeat(NAME_MAX - 1));
        let cut = names(&[&long]);
        assert_eq!(cut, "x".repeat(NAME_MAX - 1));
        assert_eq!(
            hosting_api::validate::workstation_name(&cut),
            Ok(cut.clone())
        );
    }

    #[test]
    fn without_a_usable_name_the_workstation_is_called_workstation() {
        assert_eq!(names(&[]), FALLBACK);
        assert_eq!(names(&["", " "]), FALLBACK);
    }
}
