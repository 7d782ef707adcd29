//! Bad input on every route answers 4xx with a code and a sentence, and changes nothing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestService;
use reqwest::Method;

struct Case {
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

fn case(method: Method, path: &str, body: &str, status: u16, code: &'static str) -> Case {
    Case {
        method,
        path: path.to_string(),
        content_type: Some("application/json"),
        body: body.as_bytes().to_vec(),
        status,
        code,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_a_sentence_and_changes_nothing() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    manager.set_controller_domain("taken-domain").await.unwrap();
    let schedules = manager.schedules().await.unwrap();
    let schedule = schedules[0].id;
    manager
        .update_schedule(
            schedules[1].id,
            &hosting_api::ScheduleUpdate {
                domain: Some("second-domain".to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let user = manager
        .create_user(&hosting_api::NewUser {
            first_name: "Jeanne".to_string(),
            surname: "Dupont".to_string(),
            username: "jdupont".to_string(),
            password: common::SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    let huge = format!(r#"{{"domain":"{}"}}"#, "a".repeat(100_000));
    // Far over what the service reads before answering: the client, still sending, must read
    // the 413 and not a connection closed under it.
    let enormous = format!(r#"{{"domain":"{}"}}"#, "a".repeat(24 * 1024 * 1024));
    let s = |suffix: &str| format!("/schedules/{schedule}{suffix}");
    let u = format!("/users/{}", user.id);
    let csr_ok = hosting_api::WorkstationKey::generate("PC").unwrap().csr_pem;
    let enrollment = |field: &str, value: &str| {
        let mut body = serde_json::json!({
            "role": "manager", "hosting_number": logins.hosting_number, "password": logins.password,
            "invoice_number": logins.invoice_number, "csr_pem": csr_ok, "workstation_name": "PC"
        });
        body[field] = serde_json::Value::String(value.to_string());
        body.to_string()
    };
    let mut cases = vec![
        // Public routes.
        case(
            Method::POST,
            "/enrollments",
            &enrollment("hosting_number", "12345"),
            422,
            "invalid_hosting_number",
        ),
        case(
            Method::POST,
            "/enrollments",
            &enrollment("invoice_number", "12a4567890"),
            422,
            "invalid_invoice_number",
        ),
        case(
            Method::POST,
            "/enrollments",
            &enrollment("password", "short"),
            422,
            "invalid_password_format",
        ),
        case(
            Method::POST,
            "/enrollments",
            &enrollment("workstation_name", ""),
            422,
            "invalid_workstation_name",
        ),
        case(
            Method::POST,
            "/enrollments",
            &enrollment("role", "root"),
            422,
            "invalid_body",
        ),
        case(
            Method::POST,
            "/enrollments",
            &enrollment("csr_pem", "garbage"),
            400,
            "invalid_csr",
        ),
        case(
            Method::POST,
            "/enrollments",
            r#"{"role":"superadmin","hosting_number":"123456789012","password":"x","invoice_number":"1234567890","csr_pem":"x","workstation_name":"PC"}"#,
            422,
            "invalid_username",
        ),
        case(
            Method::POST,
            "/enrollments",
            "{not json",
            400,
            "malformed_json",
        ),
        case(
            Method::POST,
            "/enrollments",
            &huge,
            413,
            "payload_too_large",
        ),
        case(
            Method::POST,
            "/logins/resend",
            r#"{"hosting_number":"abc"}"#,
            422,
            "invalid_hosting_number",
        ),
        case(Method::POST, "/logins/resend", r#"{}"#, 422, "invalid_body"),
        // Sessions.
        case(Method::POST, "/sessions", "[", 400, "malformed_json"),
        case(
            Method::POST,
            "/sessions",
            r#"{"pass":"x"}"#,
            422,
            "invalid_body",
        ),
        // Licence.
        case(
            Method::POST,
            "/licence/acceptance",
            r#"{"version":"1999.1"}"#,
            409,
            "licence_outdated",
        ),
        case(
            Method::POST,
            "/licence/acceptance",
            r#"{"version":12}"#,
            422,
            "invalid_body",
        ),
        // Controller.
        case(
            Method::PUT,
            "/controller",
            r#"{"domain":"bad_domain!"}"#,
            422,
            "invalid_domain",
        ),
        case(
            Method::PUT,
            "/controller",
            r#"{"domain":""}"#,
            422,
            "invalid_domain",
        ),
        case(
            Method::PUT,
            "/controller",
            r#"{"domain":"second-domain"}"#,
            409,
            "domain_taken",
        ),
        case(Method::PUT, "/controller", &huge, 413, "payload_too_large"),
        case(
            Method::PUT,
            "/controller",
            &enormous,
            413,
            "payload_too_large",
        ),
        // Schedules.
        case(
            Method::PATCH,
            &s(""),
            r#"{"name":"bad name with spaces"}"#,
            422,
            "invalid_schedule_name",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"name":"planning02"}"#,
            409,
            "schedule_name_taken",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"domain":"-x-"}"#,
            422,
            "invalid_domain",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"domain":"taken-domain"}"#,
            409,
            "domain_taken",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"name":"renamed","domain":"taken-domain"}"#,
            409,
            "domain_taken",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"time_zone":"Mars/Olympus"}"#,
            422,
            "invalid_time_zone",
        ),
        case(
            Method::PATCH,
            &s(""),
            r#"{"campus_net_licence":"yes"}"#,
            422,
            "invalid_body",
        ),
        case(
            Method::PATCH,
            "/schedules/999999",
            r#"{"name":"x"}"#,
            404,
            "not_found",
        ),
        case(
            Method::PATCH,
            "/schedules/abc",
            r#"{"name":"x"}"#,
            400,
            "invalid_id",
        ),
        // Profiles.
        case(
            Method::GET,
            "/schedules/999999/profiles",
            "",
            404,
            "not_found",
        ),
        case(
            Method::PUT,
            &s("/profiles/Nope/members"),
            "[]",
            404,
            "not_found",
        ),
        case(
            Method::PUT,
            &s("/profiles/Administration/members"),
            "[999999]",
            422,
            "unknown_user",
        ),
        case(
            Method::PUT,
            &s("/profiles/Administration/members"),
            r#"{"members":[1]}"#,
            422,
            "invalid_body",
        ),
        // Users.
        case(
            Method::POST,
            "/users",
            r#"{"first_name":"A","surname":"B","username":"jdupont","password":"Correct1Horse","superadmin":true}"#,
            409,
            "username_taken",
        ),
        case(
            Method::POST,
            "/users",
            r#"{"first_name":"A","surname":"B","username":"x","password":"Correct1Horse","superadmin":true}"#,
            422,
            "invalid_username",
        ),
        case(
            Method::POST,
            "/users",
            r#"{"first_name":"A","surname":"B","username":"newuser","password":"weak","superadmin":true}"#,
            422,
            "weak_password",
        ),
        case(
            Method::POST,
            "/users",
            r#"{"first_name":"","surname":"B","username":"newuser","password":"Correct1Horse","superadmin":true}"#,
            422,
            "invalid_name",
        ),
        case(
            Method::POST,
            "/users",
            r#"{"first_name":"A"}"#,
            422,
            "invalid_body",
        ),
        case(
            Method::PATCH,
            &u,
            r#"{"email":"not-an-email"}"#,
            422,
            "invalid_email",
        ),
        case(
            Method::PATCH,
            &u,
            r#"{"console_access":true}"#,
            422,
            "email_required",
        ),
        case(
            Method::PATCH,
            "/users/999999",
            r#"{"console_access":false}"#,
            404,
            "not_found",
        ),
        // Workstations.
        case(Method::DELETE, "/workstations/999999", "", 404, "not_found"),
        case(Method::DELETE, "/workstations/x", "", 400, "invalid_id"),
        // Routes and methods that do not exist.
        case(Method::GET, "/nothing-here", "", 404, "route_not_found"),
        case(Method::DELETE, "/users", "", 405, "method_not_allowed"),
    ];
    cases.push(Case {
        method: Method::PUT,
        path: "/controller".to_string(),
        content_type: Some("text/plain"),
        body: br#"{"domain":"plain-text"}"#.to_vec(),
        status: 415,
        code: "unsupported_media_type",
    });

    let users_before = manager.users().await.unwrap();
    let schedules_before = manager.schedules().await.unwrap();
    let controller_before = manager.controller().await.unwrap();
    let audit_before = t.audit_count(logins.account_id).await;
    let workstations_before = t
        .store()
        .workstations(logins.account_id)
        .await
        .unwrap()
        .len();

    for case in cases {
        let (status, body) = manager
            .raw(
                case.method.clone(),
                &case.path,
                case.content_type,
                case.body.clone(),
            )
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert_eq!(
            status.as_u16(),
            case.status,
            "{} {}: {text}",
            case.method,
            case.path
        );
        let value: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("{} {}: not JSON: {text}", case.method, case.path));
        assert_eq!(
            value["error"]["code"], case.code,
            "{} {}: {text}",
            case.method, case.path
        );
        let message = value["error"]["message"].as_str().unwrap();
        assert!(
            message.ends_with('.') && message.len() > 15,
            "not a sentence: {message}"
        );
    }

    assert_eq!(manager.users().await.unwrap(), users_before);
    assert_eq!(manager.schedules().await.unwrap(), schedules_before);
    assert_eq!(manager.controller().await.unwrap(), controller_before);
    assert_eq!(t.audit_count(logins.account_id).await, audit_before);
    assert_eq!(
        t.store()
            .workstations(logins.account_id)
            .await
            .unwrap()
            .len(),
        workstations_before
    );
}

/// A client that sends its whole body before it reads (as Python's `requests` does) reads the
/// `413` of a body far over the limit, not a connection closed while it was still sending.
#[tokio::test(flavor = "multi_thread")]
async fn a_body_far_over_the_limit_is_read_away_before_its_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestService::start().await;
    let mut tls = t.tls_connection(b"http/1.1").await;
    let body = vec![b'a'; 24 * 1024 * 1024];
    let head = format!(
        "PUT /v1/controller HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(&body)
        .await
        .expect("the service closed the connection while the body was being sent");
    tls.flush().await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tls.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}

/// The same for a chunked body, whose size is known only once it is read: past the limit it is
/// read away and answered `413`; within it, it reaches its route as any other body.
#[tokio::test(flavor = "multi_thread")]
async fn a_chunked_body_over_the_limit_is_read_away_before_its_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestService::start().await;
    for (chunks, expected) in [(2_400usize, "HTTP/1.1 413"), (1, "HTTP/1.1 401")] {
        let mut tls = t.tls_connection(b"http/1.1").await;
        tls.write_all(
            b"PUT /v1/controller HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .await
        .unwrap();
        let chunk = vec![b' '; 10_000];
        for _ in 0..chunks {
            tls.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await
                .unwrap();
            tls.write_all(&chunk)
                .await
                .expect("the service closed the connection while the body was being sent");
            tls.write_all(b"\r\n").await.unwrap();
        }
        tls.write_all(b"2\r\n{}\r\n0\r\n\r\n").await.unwrap();
        tls.flush().await.unwrap();
        let mut answer = vec![0; 4096];
        let read = tls.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..read]);
        // A small body reaches the route, which asks for a certificate.
        assert!(answer.starts_with(expected), "{chunks} chunks: {answer}");
    }
}
