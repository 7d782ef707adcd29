//! `GET /v1/ready`, the readiness probe of a balancer (issue 23): 200 while the database and the
//! blob store answer (and, on PostgreSQL, the other instances' commits are heard); 503 with
//! `Retry-After` and the part that does not answer otherwise, while `/v1/health` (liveness) still
//! answers 200.
#![allow(clippy::unwrap_used)]

use crate::common::TestService;

async fn get(t: &TestService, path: &str) -> (u16, Option<String>, serde_json::Value) {
    let ca = reqwest::Certificate::from_pem(t.service.ca_pem().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let url = format!("https://localhost:{}{path}", t.service.addr.port());
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_while_the_database_answers_and_not_once_it_is_gone() {
    let t = TestService::start().await;
    let (status, _, body) = get(&t, "/v1/ready").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["blobs"], "ok");
    let expected = if hostingd::testing::on_postgres() {
        "ok"
    } else {
        "none"
    };
    assert_eq!(body["commits"], expected);

    // The database goes away: not ready, and says which part; still alive.
    t.store().close().await;
    let (status, retry, body) = get(&t, "/v1/ready").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["database"], "not_answering");
    let (status, _, _) = get(&t, "/v1/health").await;
    assert_eq!(status, 200);
}

/// `--metrics-listen` (issue 23): Prometheus' text on a plain-HTTP listener of its own, with the
/// requests by route template and status (a `401` counted apart), their latency, the outbox's
/// backlog and the gauges read at the scrape.
#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_and_read_the_backlog() {
    let t = TestService::start_with(|config| {
        config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    t.provision("Lycee Mesure").await;
    for _ in 0..3 {
        assert_eq!(get(&t, "/v1/health").await.0, 200);
    }
    assert_eq!(get(&t, "/v1/account").await.0, 401);
    let addr = t.service.metrics_addr.unwrap();
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"hostingd_requests_total{method="GET",route="/v1/health",status="200"} 3"#,
        r#"hostingd_requests_total{method="GET",route="/v1/account",status="401"} 1"#,
        r#"hostingd_request_duration_seconds_count{route="/v1/health"} 3"#,
        // The account's two e-mails and SMS wait: no gateway is configured here.
        "hostingd_outbox_backlog 3",
        "hostingd_endpoints_running 0",
        "hostingd_hashes_running 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }
    assert!(text.contains("hostingd_db_connections "), "{text}");
    assert!(text.contains("hostingd_leases_held "), "{text}");
    // Every metric the alert rules read is one the service serves.
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../installer/prometheus/hostingd-alerts.yml"
    ))
    .unwrap();
    let mut read = 0;
    for word in rules.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let Some(name) = word.strip_prefix("hostingd_") else {
            continue;
        };
        let base = name
            .strip_suffix("_total")
            .or_else(|| name.strip_suffix("_bucket"))
            .unwrap_or(name);
        assert!(
            text.contains(&format!("# TYPE hostingd_{base} ")),
            "the alert rules read hostingd_{name}, which /metrics does not serve"
        );
        read += 1;
    }
    assert!(read >= 7, "{read}");
}
