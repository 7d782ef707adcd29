//! Every path of the API, written once: the service registers each route under its path here
//! (`#[utoipa::path(path = paths::…)]`), the client calls it from here. A parameter is written
//! `{name}` and filled by [`fill`].

/// `/console`: the service's own page of the console's download (a web page, not the API).
pub const CONSOLE_PAGE: &str = "/console";
/// `/v1/health`.
pub const HEALTH: &str = "/v1/health";
/// Readiness: the database, the blob store and the other instances' commits answer.
pub const READY: &str = "/v1/ready";
/// `/v1/openapi.json`.
pub const OPENAPI: &str = "/v1/openapi.json";
/// `/v1/enrollments`.
pub const ENROLLMENTS: &str = "/v1/enrollments";
/// `/v1/password-resets`.
pub const PASSWORD_RESETS: &str = "/v1/password-resets";
/// `/v1/password-resets/confirm`.
pub const PASSWORD_RESET_CONFIRM: &str = "/v1/password-resets/confirm";
/// `/v1/users/{id}/password-reset`.
pub const USER_PASSWORD_RESET: &str = "/v1/users/{id}/password-reset";
/// `/v1/logins/resend`.
pub const LOGINS_RESEND: &str = "/v1/logins/resend";
/// `/v1/sessions`.
pub const SESSIONS: &str = "/v1/sessions";
/// `/v1/sessions/current`.
pub const SESSION_CURRENT: &str = "/v1/sessions/current";
/// `/v1/account`.
pub const ACCOUNT: &str = "/v1/account";
/// `/v1/account/language`.
pub const ACCOUNT_LANGUAGE: &str = "/v1/account/language";
/// `/v1/licence`.
pub const LICENCE: &str = "/v1/licence";
/// `/v1/licence/acceptance`.
pub const LICENCE_ACCEPTANCE: &str = "/v1/licence/acceptance";
/// `/v1/controller`.
pub const CONTROLLER: &str = "/v1/controller";
/// `/v1/endpoint-ca`.
pub const ENDPOINT_CA: &str = "/v1/endpoint-ca";
/// `/v1/schedules`.
pub const SCHEDULES: &str = "/v1/schedules";
/// `/v1/schedules/{id}`.
pub const SCHEDULE: &str = "/v1/schedules/{id}";
/// `/v1/schedules/{id}/profiles`.
pub const SCHEDULE_PROFILES: &str = "/v1/schedules/{id}/profiles";
/// `/v1/schedules/{id}/profiles/{name}/members`.
pub const SCHEDULE_PROFILE_MEMBERS: &str = "/v1/schedules/{id}/profiles/{name}/members";
/// `/v1/users`.
pub const USERS: &str = "/v1/users";
/// `/v1/users/{id}`.
pub const USER: &str = "/v1/users/{id}";
/// `/v1/workstations`.
pub const WORKSTATIONS: &str = "/v1/workstations";
/// `/v1/workstations/{id}`.
pub const WORKSTATION: &str = "/v1/workstations/{id}";
/// `/v1/workstations/current/renewal`.
pub const WORKSTATION_RENEWAL: &str = "/v1/workstations/current/renewal";
/// `/v1/uploads`.
pub const UPLOADS: &str = "/v1/uploads";
/// `/v1/uploads/{id}`.
pub const UPLOAD: &str = "/v1/uploads/{id}";
/// `/v1/storage`.
pub const STORAGE: &str = "/v1/storage";
/// `/v1/schedules/{id}/bases`.
pub const SCHEDULE_BASES: &str = "/v1/schedules/{id}/bases";
/// `/v1/schedules/{id}/bases/empty`.
pub const SCHEDULE_EMPTY_BASE: &str = "/v1/schedules/{id}/bases/empty";
/// `/v1/bases/{id}/companions`.
pub const BASE_COMPANIONS: &str = "/v1/bases/{id}/companions";
/// `/v1/bases/{id}/open`.
pub const BASE_OPEN: &str = "/v1/bases/{id}/open";
/// `/v1/schedules/{id}/activate`.
pub const SCHEDULE_ACTIVATE: &str = "/v1/schedules/{id}/activate";
/// `/v1/schedules/{id}/shutdown`.
pub const SCHEDULE_SHUTDOWN: &str = "/v1/schedules/{id}/shutdown";
/// `/v1/schedules/{id}/safeguards`.
pub const SCHEDULE_SAFEGUARDS: &str = "/v1/schedules/{id}/safeguards";
/// `/v1/safeguards/{id}/open`.
pub const SAFEGUARD_OPEN: &str = "/v1/safeguards/{id}/open";
/// `/v1/safeguards/{id}/content`.
pub const SAFEGUARD_CONTENT: &str = "/v1/safeguards/{id}/content";
/// `/v1/schedules/{id}/monitoring`.
pub const SCHEDULE_MONITORING: &str = "/v1/schedules/{id}/monitoring";
/// `/v1/schedules/{id}/connections/{connection}`: a Client's connection (Disconnect).
pub const SCHEDULE_CONNECTION: &str = "/v1/schedules/{id}/connections/{connection}";
/// `/v1/upgrade`.
pub const UPGRADE: &str = "/v1/upgrade";
/// `/v1/schedules/{id}/publication`.
pub const SCHEDULE_PUBLICATION: &str = "/v1/schedules/{id}/publication";
/// `/v1/schedules/{id}/delegation`.
pub const SCHEDULE_DELEGATION: &str = "/v1/schedules/{id}/delegation";
/// `/v1/schedules/{id}/years`.
pub const SCHEDULE_YEARS: &str = "/v1/schedules/{id}/years";
/// `/v1/schedules/{id}/years/{year}`.
pub const SCHEDULE_YEAR: &str = "/v1/schedules/{id}/years/{year}";
/// `/v1/schedules/{id}/years/{year}/content`.
pub const SCHEDULE_YEAR_CONTENT: &str = "/v1/schedules/{id}/years/{year}/content";
/// `/v1/contract/proformas`.
pub const PROFORMAS: &str = "/v1/contract/proformas";
/// `/v1/contract/proformas/{id}/pdf`.
pub const PROFORMA_PDF: &str = "/v1/contract/proformas/{id}/pdf";
/// `/v1/audit`.
pub const AUDIT: &str = "/v1/audit";
/// `/v1/notifications`.
pub const NOTIFICATIONS: &str = "/v1/notifications";
/// `/v1/notifications/read`.
pub const NOTIFICATIONS_READ: &str = "/v1/notifications/read";
/// `/v1/notifications/{id}/read`.
pub const NOTIFICATION_READ: &str = "/v1/notifications/{id}/read";

/// `template` with its `{…}` parameters replaced, in order, by `values`.
pub fn fill(template: &str, values: &[&(dyn std::fmt::Display + Sync)]) -> String {
    let mut path = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        match values.next() {
            Some(value) => path.push_str(&value.to_string()),
            None => path.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    path.push_str(rest);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_filled_in_order() {
        assert_eq!(fill(SCHEDULES, &[]), "/v1/schedules");
        assert_eq!(
            fill(SCHEDULE_PROFILE_MEMBERS, &[&7, &"Administration"]),
            "/v1/schedules/7/profiles/Administration/members"
        );
        assert_eq!(
            fill(SCHEDULE_YEAR_CONTENT, &[&3, &"2025-2026"]),
            "/v1/schedules/3/years/2025-2026/content"
        );
    }
}
