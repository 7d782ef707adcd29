//! Helpers of the role tests (issue 8): superadministrators with their certificate, and THE
//! ROLE MATRIX as a table of requests per route and principal, which `role_matrix_route_by_route`
//! walks over every route of the OpenAPI document the router is built from.

use hosting_api::{Client, ClientIdentity, NewUser, Role, UserUpdate, WorkstationKey};
use reqwest::Method;

use super::{Logins, SUPERADMIN_PASSWORD, TestService};

/// A superadministrator: their logged-in client, certificate and user id.
pub struct Superadmin {
    pub client: Client,
    pub identity: ClientIdentity,
    pub user_id: i64,
}

/// Creates a superadministrator with console access through `manager`, enrolls and logs in.
pub async fn superadmin(
    t: &TestService,
    manager: &Client,
    logins: &Logins,
    name: &str,
) -> Superadmin {
    let user = manager
        .create_user(&NewUser {
            first_name: "Jeanne".to_string(),
            surname: "Dupont".to_string(),
            username: name.to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    let grant = UserUpdate {
        email: Some(format!("{name}@school.fr")),
        console_access: Some(true),
        ..Default::default()
    };
    manager.update_user(user.id, &grant).await.unwrap();
    let identity = t
        .enroll(Role::Superadmin, logins, Some(name), SUPERADMIN_PASSWORD)
        .await
        .unwrap();
    let client = t.with_identity(&identity);
    client.login(SUPERADMIN_PASSWORD).await.unwrap();
    Superadmin {
        client,
        identity,
        user_id: user.id,
    }
}

/// The id of the workstation `client` calls from.
pub async fn current_workstation(client: &Client) -> i64 {
    client
        .workstations()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.current)
        .unwrap()
        .id
}

/// An enrollment body for `role` as a JSON string.
pub fn enrollment(logins: &Logins, role: &str, username: Option<&str>, password: &str) -> String {
    let key = WorkstationKey::generate("Matrix PC").unwrap();
    serde_json::json!({
        "role": role, "hosting_number": logins.hosting_number, "password": password,
        "username": username, "invoice_number": logins.invoice_number, "csr_pem": key.csr_pem,
        "workstation_name": "Matrix PC"
    })
    .to_string()
}

/// Who sends a request of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Manager,
    Superadmin,
    /// A superadministrator whose console access the manager removed.
    WithoutAccess,
}

/// What a request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Authorized: anything but 401, 403 or 5xx (a 404 for an unknown id, a 422 for a body, a 409
    /// for a state are answers about the resource, not about the role).
    Allowed,
    /// This exact status and error code.
    Refused(u16, &'static str),
}

pub const MANAGER_ONLY: Expect = Expect::Refused(403, "manager_only");
pub const NO_ACCESS: Expect = Expect::Refused(403, "console_access_not_granted");

/// One request of the matrix.
pub struct Probe {
    pub who: Who,
    pub path: String,
    pub body: String,
    pub expect: Expect,
}

/// The rows of one route: its requests for each principal.
pub struct Row {
    pub method: &'static str,
    pub template: &'static str,
    pub probes: Vec<Probe>,
}

/// The same request for the three principals: the manager is allowed, the superadministrator
/// gets `superadmin`, the one without console access gets `without_access`.
pub fn same(path: &str, body: &str, superadmin: Expect, without_access: Expect) -> Vec<Probe> {
    [
        (Who::Manager, Expect::Allowed),
        (Who::Superadmin, superadmin),
        (Who::WithoutAccess, without_access),
    ]
    .into_iter()
    .map(|(who, expect)| Probe {
        who,
        path: path.to_string(),
        body: body.to_string(),
        expect,
    })
    .collect()
}

pub fn probe(who: Who, path: &str, body: &str, expect: Expect) -> Probe {
    Probe {
        who,
        path: path.to_string(),
        body: body.to_string(),
        expect,
    }
}

/// The ids the matrix's requests use.
pub struct Fixture {
    pub logins: Logins,
    pub schedule: i64,
    pub licence_version: String,
    pub manager_station: i64,
    pub spare_manager_station: i64,
    pub spare_alice_station: i64,
    pub alice_user: i64,
    pub bob_user: i64,
    /// A user without console access.
    pub plain_user: i64,
    /// A user whom the hosting manager deletes.
    pub doomed_user: i64,
}

/// THE ROLE MATRIX, route by route (README "Roles"). Every route of the OpenAPI document (`hostingd::http::openapi_document`)
/// has a row; a new route without one fails `role_matrix_route_by_route`.
pub fn matrix(f: &Fixture) -> Vec<Row> {
    use Expect::Allowed;
    use Who::*;
    let s = |suffix: &str| format!("/schedules/{}{suffix}", f.schedule);
    let all = |path: &str, body: &str| same(path, body, Allowed, NO_ACCESS);
    let manager_only = |path: &str, body: &str| same(path, body, MANAGER_ONLY, NO_ACCESS);
    let public = |path: &str, body: &str| same(path, body, Allowed, Allowed);
    let row = |method, template, probes| Row {
        method,
        template,
        probes,
    };
    let l = &f.logins;
    vec![
        row("get", "/v1/health", public("/health", "")),
        row("get", "/v1/ready", public("/ready", "")),
        row("get", "/v1/openapi.json", public("/openapi.json", "")),
        row(
            "post",
            "/v1/enrollments",
            vec![
                probe(
                    Manager,
                    "/enrollments",
                    &enrollment(l, "manager", None, &l.password),
                    Allowed,
                ),
                probe(
                    Superadmin,
                    "/enrollments",
                    &enrollment(l, "superadmin", Some("alice"), SUPERADMIN_PASSWORD),
                    Allowed,
                ),
                probe(
                    WithoutAccess,
                    "/enrollments",
                    &enrollment(l, "superadmin", Some("bob"), SUPERADMIN_PASSWORD),
                    NO_ACCESS,
                ),
            ],
        ),
        row(
            "post",
            "/v1/logins/resend",
            public(
                "/logins/resend",
                &format!(r#"{{"hosting_number":"{}"}}"#, l.hosting_number),
            ),
        ),
        row(
            "post",
            "/v1/password-resets",
            public(
                "/password-resets",
                &format!(r#"{{"hosting_number":"{}"}}"#, l.hosting_number),
            ),
        ),
        row(
            "post",
            "/v1/password-resets/confirm",
            public(
                "/password-resets/confirm",
                &format!(
                    r#"{{"hosting_number":"{}","code":"AAAA-AAAA"}}"#,
                    l.hosting_number
                ),
            ),
        ),
        row(
            "post",
            "/v1/users/{id}/password-reset",
            manager_only(&format!("/users/{}/password-reset", f.alice_user), ""),
        ),
        row(
            "post",
            "/v1/sessions",
            vec![
                probe(
                    Manager,
                    "/sessions",
                    &format!(r#"{{"password":"{}"}}"#, l.password),
                    Allowed,
                ),
                probe(
                    Superadmin,
                    "/sessions",
                    &format!(r#"{{"password":"{SUPERADMIN_PASSWORD}"}}"#),
                    Allowed,
                ),
                probe(
                    WithoutAccess,
                    "/sessions",
                    &format!(r#"{{"password":"{SUPERADMIN_PASSWORD}"}}"#),
                    NO_ACCESS,
                ),
            ],
        ),
        // Logging out is probed on fresh sessions (see the test), so that the matrix goes on.
        row(
            "delete",
            "/v1/sessions/current",
            all("/sessions/current", ""),
        ),
        row("get", "/v1/account", all("/account", "")),
        row(
            "put",
            "/v1/account/language",
            manager_only("/account/language", r#"{"language":"fr"}"#),
        ),
        row("get", "/v1/licence", all("/licence", "")),
        row(
            "post",
            "/v1/licence/acceptance",
            all(
                "/licence/acceptance",
                &format!(r#"{{"version":"{}"}}"#, f.licence_version),
            ),
        ),
        row("get", "/v1/controller", all("/controller", "")),
        row(
            "put",
            "/v1/controller",
            manager_only("/controller", r#"{"domain":"matrix-lycee"}"#),
        ),
        row("get", "/v1/endpoint-ca", all("/endpoint-ca", "")),
        row("get", "/v1/schedules", all("/schedules", "")),
        row(
            "patch",
            "/v1/schedules/{id}",
            vec![
                probe(Manager, &s(""), r#"{"domain":"matrix-edt"}"#, Allowed),
                // Both roles configure a schedule; its domain is the manager's.
                probe(
                    Superadmin,
                    &s(""),
                    r#"{"time_zone":"Europe/Paris"}"#,
                    Allowed,
                ),
                probe(
                    Superadmin,
                    &s(""),
                    r#"{"domain":"alice-edt"}"#,
                    MANAGER_ONLY,
                ),
                probe(
                    WithoutAccess,
                    &s(""),
                    r#"{"time_zone":"Europe/Paris"}"#,
                    NO_ACCESS,
                ),
            ],
        ),
        row(
            "get",
            "/v1/schedules/{id}/profiles",
            all(&s("/profiles"), ""),
        ),
        row("put", "/v1/schedules/{id}/profiles/{name}/members", {
            // The Administration profile is the manager's (its members see the schedule's audit
            // log and previous years); both roles set the other profiles.
            let administration = s("/profiles/Administration/members");
            let mut probes = same(&administration, "[]", MANAGER_ONLY, NO_ACCESS);
            let other = s("/profiles/Vie%20scolaire/members");
            probes.push(probe(Superadmin, &other, "[]", Allowed));
            probes
        }),
        row("get", "/v1/users", all("/users", "")),
        row(
            "post",
            "/v1/users",
            vec![
                probe(Manager, "/users", &new_user("carol", true), Allowed),
                // Only the manager creates superadministrators; other users, both roles.
                probe(Superadmin, "/users", &new_user("dave", true), MANAGER_ONLY),
                probe(Superadmin, "/users", &new_user("erin", false), Allowed),
                probe(WithoutAccess, "/users", &new_user("fred", false), NO_ACCESS),
            ],
        ),
        row(
            "patch",
            "/v1/users/{id}",
            vec![
                probe(
                    Manager,
                    &format!("/users/{}", f.alice_user),
                    r#"{"email":"alice.dupont@school.fr"}"#,
                    Allowed,
                ),
                // Granting console access back to bob, or taking alice's own away.
                probe(
                    Superadmin,
                    &format!("/users/{}", f.bob_user),
                    r#"{"console_access":true}"#,
                    MANAGER_ONLY,
                ),
                probe(
                    Superadmin,
                    &format!("/users/{}", f.alice_user),
                    r#"{"email":"alice@elsewhere.fr"}"#,
                    MANAGER_ONLY,
                ),
                // The e-mail of a user without console access: both roles.
                probe(
                    Superadmin,
                    &format!("/users/{}", f.plain_user),
                    r#"{"email":"gina@school.fr"}"#,
                    Allowed,
                ),
                probe(
                    WithoutAccess,
                    &format!("/users/{}", f.bob_user),
                    r#"{"console_access":true}"#,
                    NO_ACCESS,
                ),
                // Deactivating and removing rights: the hosting manager's.
                probe(
                    Manager,
                    &format!("/users/{}", f.plain_user),
                    r#"{"active":true}"#,
                    Allowed,
                ),
                probe(
                    Superadmin,
                    &format!("/users/{}", f.plain_user),
                    r#"{"active":false}"#,
                    MANAGER_ONLY,
                ),
                probe(
                    Superadmin,
                    &format!("/users/{}", f.bob_user),
                    r#"{"superadmin":false}"#,
                    MANAGER_ONLY,
                ),
            ],
        ),
        row(
            "delete",
            "/v1/users/{id}",
            vec![
                probe(
                    Superadmin,
                    &format!("/users/{}", f.doomed_user),
                    "",
                    MANAGER_ONLY,
                ),
                probe(
                    WithoutAccess,
                    &format!("/users/{}", f.doomed_user),
                    "",
                    NO_ACCESS,
                ),
                probe(Manager, &format!("/users/{}", f.doomed_user), "", Allowed),
            ],
        ),
        // Superadministrators see only their own workstations (checked in the test).
        row("get", "/v1/workstations", all("/workstations", "")),
        row(
            "delete",
            "/v1/workstations/{id}",
            vec![
                probe(
                    Manager,
                    &format!("/workstations/{}", f.spare_manager_station),
                    "",
                    Allowed,
                ),
                probe(
                    Superadmin,
                    &format!("/workstations/{}", f.manager_station),
                    "",
                    MANAGER_ONLY,
                ),
                probe(
                    Superadmin,
                    &format!("/workstations/{}", f.spare_alice_station),
                    "",
                    Allowed,
                ),
                probe(
                    WithoutAccess,
                    &format!("/workstations/{}", f.manager_station),
                    "",
                    NO_ACCESS,
                ),
            ],
        ),
        row("options", "/v1/uploads", all("/uploads", "")),
        row("post", "/v1/uploads", all("/uploads", "")),
        row("get", "/v1/uploads", all("/uploads", "")),
        row(
            "head",
            "/v1/uploads/{id}",
            all("/uploads/0123456789abcdef", ""),
        ),
        row(
            "patch",
            "/v1/uploads/{id}",
            all("/uploads/0123456789abcdef", ""),
        ),
        row(
            "delete",
            "/v1/uploads/{id}",
            all("/uploads/0123456789abcdef", ""),
        ),
        row("get", "/v1/storage", all("/storage", "")),
        row("get", "/v1/schedules/{id}/bases", all(&s("/bases"), "")),
        row("post", "/v1/schedules/{id}/bases", all(&s("/bases"), "{}")),
        row(
            "post",
            "/v1/schedules/{id}/bases/empty",
            all(&s("/bases/empty"), r#"{"name":5}"#),
        ),
        row(
            "post",
            "/v1/bases/{id}/companions",
            all("/bases/999999/companions", r#"{"upload_id":"x"}"#),
        ),
        row("post", "/v1/bases/{id}/open", all("/bases/999999/open", "")),
        row(
            "post",
            "/v1/schedules/{id}/activate",
            all(&s("/activate"), ""),
        ),
        row(
            "post",
            "/v1/schedules/{id}/shutdown",
            all(&s("/shutdown"), ""),
        ),
        row(
            "get",
            "/v1/schedules/{id}/safeguards",
            all(&s("/safeguards"), ""),
        ),
        row(
            "post",
            "/v1/safeguards/{id}/open",
            all("/safeguards/999999/open", ""),
        ),
        row(
            "get",
            "/v1/safeguards/{id}/content",
            all("/safeguards/999999/content", ""),
        ),
        row(
            "get",
            "/v1/schedules/{id}/monitoring",
            all(&s("/monitoring"), ""),
        ),
        row(
            "put",
            "/v1/schedules/{id}/monitoring",
            all(&s("/monitoring"), r#"{"administration_reserved":0}"#),
        ),
        row(
            "delete",
            "/v1/schedules/{id}/connections/{connection}",
            all(&s("/connections/999999"), ""),
        ),
        row("get", "/v1/upgrade", all("/upgrade", "")),
        row("put", "/v1/upgrade", all("/upgrade", "{}")),
        row("get", "/v1/schedules/{id}/years", all(&s("/years"), "")),
        // Neither the manager nor a superadministrator outside the schedule's Administration
        // profile may change or download the bases of previous years.
        row(
            "put",
            "/v1/schedules/{id}/years/{year}",
            same_refused(
                &s(&format!("/years/{}", last_finished_year())),
                r#"{"upload_id":"0000"}"#,
                ADMINISTRATION_ONLY,
            ),
        ),
        row(
            "get",
            "/v1/schedules/{id}/years/{year}/content",
            same_refused(
                &s(&format!("/years/{}/content", last_finished_year())),
                "",
                ADMINISTRATION_ONLY,
            ),
        ),
        // A broken CSR: the renewal is refused as bad input, after the role was let through
        // (a real one would end the matrix's own certificates).
        row(
            "post",
            "/v1/workstations/current/renewal",
            all(
                "/workstations/current/renewal",
                r#"{"csr_pem":"not a CSR"}"#,
            ),
        ),
        // Everyone sees the audit log; what each one sees is tested in `audit`.
        row("get", "/v1/audit", all("/audit?action=server.", "")),
        // PRONOTE.net: the manager and the superadministrators publish and delegate. The probes
        // change nothing (no field given, no delegation), so they call no CAS server.
        row(
            "get",
            "/v1/schedules/{id}/publication",
            all(&s("/publication"), ""),
        ),
        row(
            "put",
            "/v1/schedules/{id}/publication",
            all(&s("/publication"), "{}"),
        ),
        row(
            "get",
            "/v1/schedules/{id}/delegation",
            all(&s("/delegation"), ""),
        ),
        row(
            "put",
            "/v1/schedules/{id}/delegation",
            all(&s("/delegation"), r#"{"mode":"none"}"#),
        ),
        // The bell: everyone sees and marks their own notifications (what each one sees is
        // tested in `notifications`); an unknown id is a 404 about the resource.
        row("get", "/v1/notifications", all("/notifications", "")),
        row(
            "post",
            "/v1/notifications/read",
            all("/notifications/read", ""),
        ),
        row(
            "post",
            "/v1/notifications/{id}/read",
            all("/notifications/999999/read", ""),
        ),
        // The contract's pro-formas are the superadministrators'.
        row(
            "get",
            "/v1/contract/proformas",
            superadmin_only("/contract/proformas", ""),
        ),
        row(
            "post",
            "/v1/contract/proformas",
            superadmin_only(
                "/contract/proformas",
                r#"{"period_start":"1999-01-01","years":1}"#,
            ),
        ),
        row(
            "get",
            "/v1/contract/proformas/{id}/pdf",
            superadmin_only("/contract/proformas/999999/pdf", ""),
        ),
    ]
}

pub const SUPERADMIN_ONLY: Expect = Expect::Refused(403, "superadmin_only");

/// Refused to the manager, allowed to a superadministrator with console access.
fn superadmin_only(path: &str, body: &str) -> Vec<Probe> {
    let mut probes = same(path, body, Expect::Allowed, NO_ACCESS);
    probes[0].expect = SUPERADMIN_ONLY;
    probes
}

pub const ADMINISTRATION_ONLY: Expect = Expect::Refused(403, "administration_only");

/// The last finished school year today (real time: the matrix does not move the clock).
fn last_finished_year() -> String {
    use hostingd::rules::school_year::{MonthDay, last_finished_year, school_year};
    let archive: MonthDay = "07-31".parse().unwrap();
    school_year(last_finished_year(
        time::OffsetDateTime::now_utc().date(),
        archive,
    ))
}

/// The same request refused with `refused` for the manager and the superadministrator.
fn same_refused(path: &str, body: &str, refused: Expect) -> Vec<Probe> {
    let mut probes = same(path, body, refused, NO_ACCESS);
    probes[0].expect = refused;
    probes
}

pub fn new_user(username: &str, superadmin: bool) -> String {
    serde_json::json!({
        "first_name": "New", "surname": "User", "username": username,
        "password": SUPERADMIN_PASSWORD, "superadmin": superadmin
    })
    .to_string()
}

pub fn method(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).unwrap()
}
