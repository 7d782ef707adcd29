use super::*;

const PASSWORD: &str = "Correct1Horse2Battery";
const INVOICE: &str = "0123456789";
const TOKEN: &str = "c2VjcmV0LXRva2VuLXZhbHVl";

fn principal() -> Principal {
    Principal {
        role: Role::Manager,
        username: None,
        display_name: "Manager".to_string(),
    }
}

#[test]
fn debug_of_enrollment_request_redacts_password_and_invoice_number() {
    let request = EnrollmentRequest {
        role: Role::Superadmin,
        hosting_number: "123456789012".to_string(),
        password: PASSWORD.to_string(),
        username: Some("jdupont".to_string()),
        invoice_number: INVOICE.to_string(),
        csr_pem: "CSR".to_string(),
        workstation_name: "Office".to_string(),
    };
    let text = format!("{request:?} {request:#?}");
    assert!(
        !text.contains(PASSWORD) && !text.contains(INVOICE),
        "{text}"
    );
    assert!(text.contains("jdupont") && text.contains(REDACTED));
}

#[test]
fn debug_of_session_request_redacts_password() {
    let text = format!(
        "{:?}",
        SessionRequest {
            password: PASSWORD.to_string()
        }
    );
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn debug_of_session_response_redacts_token() {
    let response = SessionResponse {
        token: TOKEN.to_string(),
        expires_at: "2026-01-01T00:00:00Z".to_string(),
        principal: principal(),
    };
    let text = format!("{response:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("2026-01-01"));
}

#[test]
fn debug_of_new_user_redacts_password() {
    let user = NewUser {
        first_name: "Jeanne".to_string(),
        surname: "Dupont".to_string(),
        username: "jdupont".to_string(),
        password: PASSWORD.to_string(),
        superadmin: true,
    };
    let text = format!("{user:?}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(text.contains("jdupont"));
}

#[test]
fn debug_of_account_redacts_invoice_number() {
    let account = Account {
        hosting_number: "123456789012".to_string(),
        invoice_number: Some(INVOICE.to_string()),
        school_name: "Lycée".to_string(),
        role: Role::Manager,
        licence: LicenceState {
            accepted_version: None,
            current_version: "1".to_string(),
        },
        onboarding: Onboarding::default(),
        contract: Contract {
            ends_on: "2027-08-31".to_string(),
            administration_licences: 0,
            kind: "hosting".to_string(),
            starts_on: None,
        },
        language: Language::En,
        console_download_url: "https://provider.example/console".to_string(),
    };
    let text = format!("{account:?}");
    assert!(!text.contains(INVOICE), "{text}");
    assert!(text.contains("123456789012"));
    assert!(text.contains("En"), "{text}");
}

#[test]
fn languages_are_read_from_their_codes() {
    for language in Language::ALL {
        assert_eq!(Language::parse(language.code()), Some(language));
        let wire = serde_json::to_string(&language).unwrap();
        assert_eq!(wire, format!("\"{}\"", language.code()));
    }
    assert_eq!(Language::parse(" EN "), Some(Language::En));
    assert_eq!(Language::parse("de"), None);
}
