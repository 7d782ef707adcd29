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
