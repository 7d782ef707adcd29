//! What "Copy diagnostics" puts on the clipboard for the provider's support: the versions, the
//! service's address and CA, the school and its hosting number, who is logged in, the version
//! the servers run, this workstation's certificate, each schedule's state, the log folder and
//! the last failures. Never a secret: no password, no invoice number, no token, no key.

use crate::model::Failure;

/// What the report is made of.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The console's version.
    pub console_version: String,
    /// The operating system and architecture.
    pub system: String,
    /// The provider's name, or that this is a demonstration.
    pub provider: String,
    /// The hosting service's address.
    pub service_address: String,
    /// The SHA-256 fingerprint of the service's CA.
    pub ca_fingerprint: String,
    /// The service's version, once asked.
    pub service_version: Option<String>,
    /// The school.
    pub school: Option<String>,
    /// Its hosting number (on every invoice: support asks for it).
    pub hosting_number: Option<String>,
    /// Who is logged in: role, and username for a superadministrator.
    pub logged_in: Option<String>,
    /// The version the servers run and the coming upgrade.
    pub version: Option<String>,
    /// This workstation's certificate: until when it is valid.
    pub certificate_until: Option<String>,
    /// One line per schedule: name, address, state.
    pub schedules: Vec<String>,
    /// Where the console's log is.
    pub log_folder: String,
    /// The last failures, newest first, with when (UTC).
    pub failures: Vec<(String, Failure)>,
}

/// The report, in plain text, one fact per line (in English, for the provider's support).
pub fn report(inputs: &Inputs) -> String {
    let unknown = || "unknown".to_string();
    let mut lines = vec![
        "Hosting console diagnostics".to_string(),
        format!("Console version: {}", inputs.console_version),
        format!("System: {}", inputs.system),
        format!("Provider: {}", inputs.provider),
        format!("Hosting service: {}", inputs.service_address),
        format!(
            "Service CA fingerprint (SHA-256): {}",
            inputs.ca_fingerprint
        ),
        format!(
            "Service version: {}",
            inputs.service_version.clone().unwrap_or_else(unknown)
        ),
        format!("School: {}", inputs.school.clone().unwrap_or_else(unknown)),
        format!(
            "Hosting number: {}",
            inputs.hosting_number.clone().unwrap_or_else(unknown)
        ),
        format!(
            "Logged in as: {}",
            inputs.logged_in.clone().unwrap_or_else(unknown)
        ),
        format!(
            "PRONOTE version: {}",
            inputs.version.clone().unwrap_or_else(unknown)
        ),
        format!(
            "This workstation's certificate valid until: {}",
            inputs.certificate_until.clone().unwrap_or_else(unknown)
        ),
        format!("Log folder: {}", inputs.log_folder),
    ];
    lines.push(format!("Schedules ({}):", inputs.schedules.len()));
    lines.extend(inputs.schedules.iter().map(|s| format!("  {s}")));
    if inputs.failures.is_empty() {
        lines.push("Last errors: none".to_string());
    } else {
        lines.push(format!(
            "Last errors ({}, newest first):",
            inputs.failures.len()
        ));
        lines.extend(inputs.failures.iter().map(|(when, failure)| {
            format!(
                "  {when} UTC [{}] {}",
                failure.code.as_str(),
                failure.message.replace('\n', " ")
            )
        }));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use hosting_api::ErrorCode;

    #[test]
    fn the_report_holds_what_support_needs_and_no_secret() {
        let inputs = Inputs {
            console_version: "0.1.0".into(),
            system: "linux x86_64".into(),
            provider: "Demonstration".into(),
            service_address: "https://127.0.0.1:8443".into(),
            ca_fingerprint: "ab12".into(),
            service_version: Some("0.1.0".into()),
            school: Some("Lycée Hugo".into()),
            hosting_number: Some("123456789012".into()),
            logged_in: Some("superadministrator jdupont".into()),
            version: None,
            certificate_until: Some("2031-08-01".into()),
            schedules: vec!["planning01 — p1.example:20001 — running, published".into()],
            log_folder: "/home/x/.local/share/console".into(),
            failures: vec![(
                "2030-08-01 09:00:00".into(),
                Failure::new(ErrorCode::CasUnreachable, "The CAS server does not answer"),
            )],
        };
        let text = report(&inputs);
        for expected in [
            "Console version: 0.1.0",
            "Hosting number: 123456789012",
            "PRONOTE version: unknown",
            "  planning01 — p1.example:20001 — running, published",
            "[cas_unreachable] The CAS server does not answer",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        // Nothing in the inputs can carry a password, an invoice number or a token.
        assert!(!text.to_lowercase().contains("password"), "{text}");
        assert!(!text.to_lowercase().contains("invoice"), "{text}");
    }
}
