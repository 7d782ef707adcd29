//! The licence agreement, versioned: each version is a file of `assets/licence/`; the last one
//! listed is in force.

/// Every version, oldest first.
const VERSIONS: &[(&str, &str)] = &[("2026.1", include_str!("../../../assets/licence/2026.1.txt"))];

/// The version in force and its text.
pub fn current() -> (&'static str, &'static str) {
    VERSIONS[VERSIONS.len() - 1]
}

#[cfg(test)]
mod tests {
    #[test]
    fn current_licence_has_text() {
        let (version, text) = super::current();
        assert!(text.contains(version));
    }
}
