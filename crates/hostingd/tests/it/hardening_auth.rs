//! Issue 8, denial of service and lock-out: the hashing queue answers `503 busy`, the routes that
//! hash or send are rate-limited per source address, slow requests and stalled uploads end,
//! connections are kept alive or closed, a flood of enrollments does not stop the manager, the
//! lock-out counts per principal and per address before verifying, and failures are audited
//! with the source address.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::flood::{
    flood_enrollments, http_client, loopback_sources, peak_rss_of, random_enrollment,
};
use common::process::{free_port, serve};
use common::{Logins, TestService};
use futures::StreamExt;
use hosting_api::uploads::{TUS_CONTENT_TYPE, TUS_VERSION};
use hosting_api::{Client, ClientError, FileKind, Role, UploadMetadata, WorkstationKey};

const WRONG_PASSWORD: &str = "WrongPassw0rd!";

fn localhost() -> IpAddr {
    IpAddr::from([127, 0, 0, 1])
}

/// `(status, Retry-After header, body)` of a response.
async fn answer(response: reqwest::Response) -> (u16, Option<u64>, serde_json::Value) {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = response.json().await.unwrap_or_default();
    (status, retry_after, body)
}

fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn expect_api_error<T: std::fmt::Debug>(result: Result<T, ClientError>, status: u16, code: &str) {
    match result {
        Err(ClientError::Api {
            status: got,
            code: got_code,
            ..
        }) if got == status && got_code == code => {}
        other => panic!("expected {status} {code}, got {other:?}"),
    }
}

async fn resend(
    client: &reqwest::Client,
    base_url: &str,
    hosting_number: &str,
) -> reqwest::Response {
    client
        .post(format!("{base_url}/v1/logins/resend"))
        .json(&serde_json::json!({ "hosting_number": hosting_number }))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_hash_queue_answers_busy_with_retry_after() {
    let t = TestService::start_with(|config| {
        config.max_concurrent_hashes = Some(1);
        config.limits.max_queued_hashes = Some(1);
        config.limits.hash_wait_ms = 200;
        config.limits.public_rate_burst = 1000;
    })
    .await;
    let base_url = t.service.base_url();
    let csr = WorkstationKey::generate("PC").unwrap().csr_pem;
    // Each from its own address, so that no address lock-out answers first.
    let sources = loopback_sources(30);
    let mut tasks = Vec::new();
    for source in sources {
        let client = http_client(&t.service.ca_pem(), None, Some(source), true);
        let url = format!("{base_url}/v1/enrollments");
        let request = random_enrollment(&csr);
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let response = client.post(url).json(&request).send().await.unwrap();
            (answer(response).await, started.elapsed())
        }));
    }
    let mut busy = 0;
    for task in tasks {
        let ((status, retry_after, body), elapsed) = task.await.unwrap();
        match status {
            401 => assert_eq!(code(&body), "invalid_credentials"),
            503 => {
                busy += 1;
                assert_eq!(code(&body), "busy", "{body}");
                let seconds = retry_after.expect("a Retry-After header");
                assert!(seconds >= 1);
                assert_eq!(body["error"]["retry_after_seconds"], seconds);
                assert!(body["error"]["message"].as_str().unwrap().ends_with('.'));
                // Refused after at most the short wait, not after a long queue.
                assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(busy > 0, "one slot and one waiting place for 30 checks");
    // A busy answer does not count as a failed attempt: the school can enroll right after.
    let logins = t.provision("School").await;
    t.manager(&logins).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unauthenticated_routes_are_rate_limited_per_source_address() {
    let t = TestService::start_with(|config| {
        config.limits.public_rate_per_minute = 1;
        config.limits.public_rate_burst = 3;
        config.limits.login_rate_per_minute = 1;
        config.limits.login_rate_burst = 2;
    })
    .await;
    let base_url = t.service.base_url();
    let ca = t.service.ca_pem();
    let logins = t.provision("School").await;
    // One enrollment and one login.
    let (manager, _) = t.manager(&logins).await;
    let here = http_client(&ca, None, Some(localhost()), false);
    for _ in 0..2 {
        let (status, _, body) =
            answer(resend(&here, &base_url, &logins.hosting_number).await).await;
        assert_eq!(status, 202, "{body}");
    }
    // The bucket of 127.0.0.1 is empty: resend and enrollment answer 429 with the wait.
    let (status, retry_after, body) =
        answer(resend(&here, &base_url, &logins.hosting_number).await).await;
    assert_eq!((status, code(&body)), (429, "rate_limited"), "{body}");
    let seconds = retry_after.expect("a Retry-After header");
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert_eq!(body["error"]["retry_after_seconds"], seconds);
    expect_api_error(
        t.enroll(Role::Manager, &logins, None, &logins.password)
            .await,
        429,
        "rate_limited",
    );
    // A forged X-Forwarded-For changes nothing: the key is the TCP peer.
    let forged = here
        .post(format!("{base_url}/v1/logins/resend"))
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&serde_json::json!({ "hosting_number": logins.hosting_number }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 429);
    // Another address has its own bucket.
    let elsewhere = http_client(&ca, None, Some(IpAddr::from([127, 0, 0, 2])), false);
    let (status, _, body) =
        answer(resend(&elsewhere, &base_url, &logins.hosting_number).await).await;
    assert_eq!(status, 202, "{body}");
    // Logins have their own bucket per address: the enrolled workstation still logs in, once
    // more, then it is limited too.
    manager.login(&logins.password).await.unwrap();
    expect_api_error(manager.login(&logins.password).await, 429, "rate_limited");
    // Other routes are not limited.
    for _ in 0..5 {
        manager.account().await.unwrap();
    }
}

/// The test: 500 enrollments with random hosting numbers from 50 source addresses, every
/// second one reset mid-request, against a real `hostingd` process with its default flags,
/// while the manager logs in from an enrolled workstation (from 127.0.0.1, whose own buckets
/// the flood does not touch). The login succeeds and the service's peak RSS stays bounded: at
/// most the hashing slots (2 cores: 2 × 19 MiB) run at once, whatever the resets.
#[test]
fn flood_of_enrollments_does_not_stop_the_manager_login() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (dir, identity, logins) = runtime.block_on(async {
        let service = TestService::start().await;
        let logins = service.provision("Lycee Flood").await;
        let (_, identity) = service.manager(&logins).await;
        let TestService { service, dir, .. } = service;
        service.shutdown().await.unwrap();
        (dir, identity, logins)
    });
    let port = free_port();
    let mut child = serve(dir.path(), port, &["--max-concurrent-hashes", "2"]);
    let base_url = format!("https://127.0.0.1:{port}");
    let ca_pem = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    let result = runtime.block_on(async {
        let manager = Client::new(&base_url, &ca_pem, Some(&identity)).unwrap();
        manager.health().await.unwrap();
        let idle_rss = peak_rss_of(child.id());
        let clients: Vec<_> = loopback_sources(50)
            .into_iter()
            .map(|source| http_client(&ca_pem, None, Some(source), true))
            .collect();
        let csr = WorkstationKey::generate("Flood").unwrap().csr_pem;
        let flood = {
            let base_url = base_url.clone();
            tokio::spawn(async move { flood_enrollments(&base_url, &clients, &csr, 500).await })
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        let started = Instant::now();
        let login = manager.login(&logins.password).await;
        let latency = started.elapsed();
        let report = flood.await.unwrap();
        (login, latency, report, idle_rss, peak_rss_of(child.id()))
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let (login, latency, report, idle_rss, flood_rss) = result;
    let mib = |b: u64| b / (1 << 20);
    println!(
        "login in {latency:?}; peak RSS {} MiB idle, {} MiB after the flood; {report:?}",
        mib(idle_rss),
        mib(flood_rss)
    );
    login.unwrap();
    assert!(report.other.is_empty(), "{report:?}");
    assert!(report.reset > 0, "{report:?}");
    // Two 19 MiB hashes at once plus the connections of the flood: far from 250 × 19 MiB.
    assert!(
        flood_rss < idle_rss + (160 << 20),
        "peak RSS grew from {} to {} MiB",
        mib(idle_rss),
        mib(flood_rss)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_enrollments_do_not_lock_out_an_enrolled_manager() {
    let t = TestService::start_with(|config| config.limits.public_rate_burst = 100).await;
    let logins = t.provision("School").await;
    let (manager, identity) = t.manager(&logins).await;
    // Anyone who knows the hosting number (it is on every invoice) tries 20 passwords.
    let mut refused = 0;
    for _ in 0..20 {
        match t.enroll(Role::Manager, &logins, None, WRONG_PASSWORD).await {
            Err(ClientError::Api { status: 401, .. }) => refused += 1,
            Err(ClientError::Api {
                status: 429, code, ..
            }) => assert_eq!(code, "locked_out"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(refused, 5, "five checks, then the principal is locked");
    // Enrolling the manager's principal again is locked for a while…
    expect_api_error(
        t.enroll(Role::Manager, &logins, None, &logins.password)
            .await,
        429,
        "locked_out",
    );
    // …but the workstation that holds the manager's certificate logs in.
    manager.login(&logins.password).await.unwrap();
    t.with_identity(&identity)
        .login(&logins.password)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_wrong_passwords_get_at_most_five_verifications() {
    let t = TestService::start_with(|config| {
        config.max_concurrent_hashes = Some(2);
        config.limits.login_rate_burst = 100;
    })
    .await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let passwords = &t.service.state.passwords;
    let before = passwords.verifications();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let manager = manager.clone();
            tokio::spawn(async move { manager.login(WRONG_PASSWORD).await })
        })
        .collect();
    let mut refused = 0;
    let mut locked = 0;
    for task in tasks {
        match task.await.unwrap() {
            Err(ClientError::Api { status: 401, .. }) => refused += 1,
            Err(ClientError::Api {
                status: 429, code, ..
            }) if code == "locked_out" => locked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    let verified = passwords.verifications() - before;
    assert!(verified <= 5, "{verified} verifications");
    assert!(refused <= 5, "{refused} checked and refused");
    assert_eq!(refused + locked, 20);
    // The principal is locked now, even with the right password.
    expect_api_error(manager.login(&logins.password).await, 429, "locked_out");
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_enrollments_and_lockouts_are_audited_with_source_address() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let workstation_id = t.store().workstations(logins.account_id).await.unwrap()[0].id;
    // A wrong password through the certificate also counts against enrolling the manager:
    // four more wrong enrollments lock the principal.
    expect_api_error(
        manager.login(WRONG_PASSWORD).await,
        401,
        "invalid_credentials",
    );
    for _ in 0..4 {
        expect_api_error(
            t.enroll(Role::Manager, &logins, None, WRONG_PASSWORD).await,
            401,
            "invalid_credentials",
        );
    }
    for _ in 0..2 {
        expect_api_error(
            t.enroll(Role::Manager, &logins, None, WRONG_PASSWORD).await,
            429,
            "locked_out",
        );
    }
    let unknown = Logins {
        hosting_number: "999999999999".to_string(),
        ..logins.clone()
    };
    expect_api_error(
        t.enroll(Role::Manager, &unknown, None, WRONG_PASSWORD)
            .await,
        401,
        "invalid_credentials",
    );

    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let of = |action: &str| {
        audit
            .iter()
            .filter(|e| e.action == action)
            .collect::<Vec<_>>()
    };
    let login_failed = of("login.failed");
    assert_eq!(login_failed.len(), 1, "{audit:#?}");
    assert_eq!(login_failed[0].source_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(login_failed[0].workstation_id, Some(workstation_id));
    assert_eq!(login_failed[0].actor, "manager");
    let enrollment_failed = of("enrollment.failed");
    assert_eq!(enrollment_failed.len(), 4, "{audit:#?}");
    for entry in &enrollment_failed {
        assert_eq!(entry.source_addr.as_deref(), Some("127.0.0.1"));
        assert_eq!(entry.workstation_id, None);
        assert!(
            entry.detail.contains(&logins.hosting_number),
            "{}",
            entry.detail
        );
        assert!(
            !entry.detail.contains(WRONG_PASSWORD),
            "no password in the audit log"
        );
    }
    // One entry for the lock-out, not one per refused attempt.
    let locked = of("auth.locked_out");
    assert_eq!(locked.len(), 1, "{audit:#?}");
    assert_eq!(locked[0].source_addr.as_deref(), Some("127.0.0.1"));
    assert!(
        locked[0].detail.contains("\"principal\""),
        "{}",
        locked[0].detail
    );
    // An enrollment on a number that names no account is audited too, without an account.
    let from_here = t.store().audit_log_from("127.0.0.1").await.unwrap();
    assert!(
        from_here.iter().any(|e| e.action == "enrollment.failed"
            && e.account_id.is_none()
            && e.detail.contains("999999999999")),
        "{from_here:#?}"
    );
}

/// A body that sends `first` and then never ends.
fn stalling_body(first: &'static [u8]) -> reqwest::Body {
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) })
        .chain(futures::stream::pending());
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_json_requests_are_cut_by_the_request_timeout() {
    let t = TestService::start_with(|config| config.limits.request_timeout_seconds = 1).await;
    let client = http_client(&t.service.ca_pem(), None, None, true);
    let started = Instant::now();
    let response = client
        .post(format!("{}/v1/enrollments", t.service.base_url()))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(stalling_body(b"{\"role\":"))
        .send()
        .await
        .unwrap();
    let (status, _, body) = answer(response).await;
    assert_eq!((status, code(&body)), (408, "request_timeout"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A PATCH request of an upload with the manager's certificate and token.
fn patch(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    id: &str,
    offset: u64,
    body: reqwest::Body,
) -> reqwest::RequestBuilder {
    client
        .patch(format!("{base_url}/v1/uploads/{id}"))
        .bearer_auth(token)
        .header("Tus-Resumable", TUS_VERSION)
        .header(reqwest::header::CONTENT_TYPE, TUS_CONTENT_TYPE)
        .header("Upload-Offset", offset.to_string())
        .body(body)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_upload_patch_ends_with_408_and_keeps_the_durable_offset() {
    let t = TestService::start_with(|config| {
        config.limits.upload_chunk_timeout_seconds = 1;
        config.limits.request_timeout_seconds = 1;
    })
    .await;
    let logins = t.provision("School").await;
    let (manager, identity) = t.manager(&logins).await;
    let metadata = UploadMetadata {
        filename: "Stall.HNOT".to_string(),
        kind: FileKind::Base,
        sha256: Some("0".repeat(64)),
    };
    let id = manager.create_upload(&metadata, 10_000).await.unwrap();
    let token = manager.token().unwrap();
    let base_url = t.service.base_url();
    let client = http_client(&t.service.ca_pem(), Some(&identity), None, true);

    // 1000 bytes, then silence: the PATCH ends with 408 and what arrived is kept.
    let started = Instant::now();
    let response = patch(
        &client,
        &base_url,
        &token,
        &id,
        0,
        stalling_body(&[7u8; 1000]),
    )
    .send()
    .await
    .unwrap();
    let offset_header = response
        .headers()
        .get("Upload-Offset")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, _, body) = answer(response).await;
    assert_eq!((status, code(&body)), (408, "upload_stalled"), "{body}");
    assert_eq!(offset_header.as_deref(), Some("1000"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(manager.upload_offset(&id).await.unwrap().0, 1000);

    // Slow but steady for longer than the request timeout: not cut.
    let steady = futures::stream::iter(0..4).then(|_| async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        Ok::<_, std::io::Error>(Bytes::from(vec![7u8; 1000]))
    });
    let response = patch(
        &client,
        &base_url,
        &token,
        &id,
        1000,
        reqwest::Body::wrap_stream(steady),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(manager.upload_offset(&id).await.unwrap().0, 5000);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_an_upload_waits_for_the_patch_in_flight() {
    let t = TestService::start_with(|config| {
        config.limits.upload_chunk_timeout_seconds = 2;
    })
    .await;
    let logins = t.provision("School").await;
    let (manager, identity) = t.manager(&logins).await;
    let metadata = UploadMetadata {
        filename: "Cancel.HNOT".to_string(),
        kind: FileKind::Base,
        sha256: Some("0".repeat(64)),
    };
    let id = manager.create_upload(&metadata, 10_000).await.unwrap();
    let token = manager.token().unwrap();
    let base_url = t.service.base_url();
    let client = http_client(&t.service.ca_pem(), Some(&identity), None, true);

    // A PATCH still in flight (its client paused: some bytes, then silence) when the person
    // cancels: the cancellation waits for it to end, then deletes the upload and its bytes.
    let in_flight = {
        let id = id.clone();
        tokio::spawn(async move {
            patch(
                &client,
                &base_url,
                &token,
                &id,
                0,
                stalling_body(&[7u8; 1000]),
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    manager.delete_upload(&id).await.unwrap();
    assert_eq!(in_flight.await.unwrap(), 408);
    assert!(manager.uploads().await.unwrap().is_empty());
}

/// The server side of the connection from `client_port` to `server_port` in /proc/net/tcp has
/// its keep-alive timer armed (`tr` = 2).
#[cfg(target_os = "linux")]
fn keepalive_timer_armed(server_port: u16, client_port: u16) -> Option<bool> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let port = |field: &str| u16::from_str_radix(field.rsplit(':').next().unwrap(), 16).unwrap();
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (port(fields[1]) == server_port && port(fields[2]) == client_port)
            .then(|| fields[5].starts_with("02:"))
    })
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn accepted_connections_have_tcp_keepalive() {
    let t = TestService::start().await;
    let stream = std::net::TcpStream::connect(t.service.addr).unwrap();
    let client_port = stream.local_addr().unwrap().port();
    let mut armed = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        armed = keepalive_timer_armed(t.service.addr.port(), client_port);
        if armed == Some(true) {
            break;
        }
    }
    assert_eq!(
        armed,
        Some(true),
        "no keep-alive timer on the accepted socket"
    );
    drop(stream);
}

#[tokio::test(flavor = "multi_thread")]
async fn http1_headers_must_arrive_within_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestService::start_with(|config| config.limits.header_timeout_seconds = 1).await;
    let mut tls = t.tls_connection(b"http/1.1").await;
    // Headers that never end (slowloris).
    tls.write_all(b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let mut buffer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(6), tls.read_to_end(&mut buffer)).await;
    assert!(
        closed.is_ok(),
        "the service kept a connection without headers open"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_http2_connections_are_pinged() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestService::start_with(|config| config.limits.http2_keepalive_seconds = 1).await;
    let mut tls = t.tls_connection(b"h2").await;
    // The client preface and an empty SETTINGS frame, then nothing.
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let ping = tokio::time::timeout(Duration::from_secs(6), async {
        loop {
            let mut header = [0u8; 9];
            tls.read_exact(&mut header).await.unwrap();
            let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            let mut payload = vec![0u8; length];
            tls.read_exact(&mut payload).await.unwrap();
            // Type 6 without the ACK flag: a PING from the service.
            if header[3] == 6 && header[4] & 1 == 0 {
                return;
            }
        }
    })
    .await;
    assert!(ping.is_ok(), "no HTTP/2 ping on an idle connection");
}

/// Behind a NAT or the documented TCP balancer, every school comes from one address (issue 23):
/// 20 wrong passwords spread over five schools (four each, under each principal's lock) no longer
/// reach an address counter shared by all schools, so a sixth school enrolls and logs in.
#[tokio::test(flavor = "multi_thread")]
async fn one_schools_typos_do_not_lock_the_other_schools_out_of_a_shared_address() {
    let t = TestService::start_with(|config| {
        config.limits.public_rate_burst = 1000;
        config.limits.login_rate_burst = 1000;
    })
    .await;
    let mut schools = Vec::new();
    for n in 0..6 {
        schools.push(t.provision(&format!("School {n}")).await);
    }
    let sixth = schools.pop().unwrap();
    let mut managers = Vec::new();
    for logins in &schools {
        managers.push(t.manager(logins).await.0);
        for _ in 0..4 {
            expect_api_error(
                t.enroll(Role::Manager, logins, None, WRONG_PASSWORD).await,
                401,
                "invalid_credentials",
            );
        }
    }
    // 20 wrong enrollments from this address in all: the sixth school still enrolls.
    let (manager, _) = t.manager(&sixth).await;
    // The same with logins through certificates.
    for manager in &managers {
        for _ in 0..4 {
            expect_api_error(
                manager.login(WRONG_PASSWORD).await,
                401,
                "invalid_credentials",
            );
        }
    }
    manager.login(&sixth.password).await.unwrap();
    // One school's own principal and address counters still lock it (five wrong ones).
    for _ in 0..5 {
        let _ = managers[0].login(WRONG_PASSWORD).await;
    }
    expect_api_error(
        managers[0].login(&schools[0].password).await,
        429,
        "locked_out",
    );
}
