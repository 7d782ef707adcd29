//! The schedules' endpoints and the API under connections that say nothing (issue 23): each
//! listener caps its connections, in all and per source address, closing one over a cap at once;
//! an endpoint answers a bounded number of requests at once and sheds one more with `503` and
//! `Retry-After` at once; 2,000 idle connections held on an endpoint leave the API answering as
//! fast as before. Real TLS connections on loopback, from several source addresses of 127/8.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hosting_api::{Client, NewEmptyBase, ScheduleUpdate};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use crate::common::TestService;

type Tls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

/// A running schedule's endpoint: (manager, host, port, the endpoint CA's PEM).
async fn running_endpoint(t: &TestService) -> (Client, String, u16, String) {
    let logins = t.provision("Lycee Affluence").await;
    let (manager, _) = t.manager(&logins).await;
    let schedule = manager.schedules().await.unwrap()[0].id;
    let domain = ScheduleUpdate {
        domain: Some("lycee-affluence".to_string()),
        ..Default::default()
    };
    manager.update_schedule(schedule, &domain).await.unwrap();
    manager
        .create_empty_base(schedule, &NewEmptyBase::default())
        .await
        .unwrap();
    let running = manager.activate(schedule).await.unwrap();
    let ca = manager.endpoint_ca().await.unwrap().certificate_pem;
    (manager, running.host.unwrap(), running.port.unwrap(), ca)
}

/// A TCP connection to `port` on 127.0.0.1 from the source address `from`.
async fn tcp_from(from: [u8; 4], port: u16) -> std::io::Result<tokio::net::TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((from, 0)))?;
    socket
        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
}

/// A TLS connection to the endpoint from `from`, its handshake done; the error that ended it
/// otherwise (a connection over a cap is closed before its handshake).
async fn endpoint_tls(ca: &str, host: &str, port: u16, from: [u8; 4]) -> std::io::Result<Tls> {
    let mut config = hosting_api::tls::client_config(ca, None).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tcp_from(from, port).await?;
    let name = rustls_pki_types::ServerName::try_from(host.to_string()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), connector.connect(name, tcp))
        .await
        .map_err(|_| std::io::Error::other("no handshake in 10 s"))?
}

/// Writes `head` and reads the answer to its end: the status and the whole answer.
async fn exchange(tls: &mut Tls, head: &str) -> (u16, String) {
    tls.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn get_status(host: &str) -> String {
    format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_caps_its_connections_and_sheds_requests_at_once() {
    let t = TestService::start_with(|config| {
        config.limits.endpoint_max_connections = 6;
        config.limits.endpoint_max_connections_per_source = 3;
        config.limits.endpoint_requests_at_once = 2;
    })
    .await;
    let (_manager, host, port, ca) = running_endpoint(&t).await;
    let metrics = || async { t.service.state.metrics.scrape(&t.service.state).await };

    // One source holds 3 connections; its fourth is closed before the handshake, another
    // source's is not.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(
            endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
                .await
                .unwrap(),
        );
    }
    assert!(
        endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
            .await
            .is_err()
    );
    for _ in 0..3 {
        held.push(
            endpoint_tls(&ca, &host, port, [127, 0, 0, 2])
                .await
                .unwrap(),
        );
    }
    // The endpoint holds its 6: a seventh, from a third source, is closed too.
    assert!(
        endpoint_tls(&ca, &host, port, [127, 0, 0, 3])
            .await
            .is_err()
    );
    let text = metrics().await;
    assert!(
        text.contains("hostingd_connections_open{listener=\"endpoint\"} 6"),
        "{text}"
    );
    assert!(
        text.contains(
            "hostingd_connections_refused_total{listener=\"endpoint\",reason=\"source\"} 1"
        ) && text.contains(
            "hostingd_connections_refused_total{listener=\"endpoint\",reason=\"full\"} 1"
        ),
        "{text}"
    );

    // Two requests whose bodies do not come hold the endpoint's two slots; a third request is
    // answered 503 with Retry-After at once, not queued behind them.
    for tls in held.iter_mut().take(2) {
        let head = format!(
            "POST /sessions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
        );
        tls.write_all(head.as_bytes()).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let (status, answer) = exchange(&mut held[2], &get_status(&host)).await;
    assert_eq!(status, 503, "{answer}");
    assert!(answer.to_lowercase().contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("\"busy\""), "{answer}");
    assert!(asked.elapsed() < Duration::from_secs(2));
    // A browser is told in a page.
    let page = format!(
        "GET /professeur.html HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\nAccept-Language: fr\r\nConnection: close\r\n\r\n"
    );
    let (status, answer) = exchange(&mut held[3], &page).await;
    assert_eq!(status, 503, "{answer}");
    assert!(answer.contains("Réessayez dans une minute"), "{answer}");
    assert!(
        metrics()
            .await
            .contains("hostingd_endpoint_requests_shed_total 2")
    );

    // The slow requests gone, the endpoint answers again, and its connections are given back.
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut tls = endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
        .await
        .unwrap();
    let (status, answer) = exchange(&mut tls, &get_status(&host)).await;
    assert_eq!(status, 200, "{answer}");
    drop(tls);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        metrics()
            .await
            .contains("hostingd_connections_open{listener=\"endpoint\"} 0")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_on_an_endpoint_ends_with_the_request_timeout() {
    let t = TestService::start_with(|config| {
        config.limits.request_timeout_seconds = 1;
        config.limits.endpoint_requests_at_once = 1;
    })
    .await;
    let (_manager, host, port, ca) = running_endpoint(&t).await;
    let mut slow = endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
        .await
        .unwrap();
    let head = format!(
        "POST /sessions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    let (status, answer) = exchange(&mut slow, &head).await;
    assert_eq!(status, 408, "{answer}");
    // Its slot is free again.
    let mut tls = endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
        .await
        .unwrap();
    assert_eq!(exchange(&mut tls, &get_status(&host)).await.0, 200);
}

/// The 99th percentile of `n` API calls made one after the other, in milliseconds.
async fn api_p99(client: &Client, n: usize) -> f64 {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        client.schedules().await.unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[(n * 99).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread")]
async fn two_thousand_idle_connections_on_an_endpoint_leave_the_api_answering() {
    let t = TestService::start().await;
    let (manager, host, port, ca) = running_endpoint(&t).await;
    let before = api_p99(&manager, 200).await;

    // 2,000 connections from 8 source addresses (250 each, under the per-source cap), each
    // doing its TLS handshake and then saying nothing: the endpoint keeps its cap of them.
    let attempts = (0..2000u32).map(|i| {
        let (ca, host) = (ca.clone(), host.clone());
        let from = [127, 0, 0, 10 + u8::try_from(i % 8).unwrap()];
        async move { endpoint_tls(&ca, &host, port, from).await.ok() }
    });
    let opened = Instant::now();
    let held: Vec<Tls> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .flatten()
        .collect();
    let opening = opened.elapsed();
    let cap = hostingd::limits::LimitsConfig::default().endpoint_max_connections as usize;
    assert_eq!(held.len(), cap, "the endpoint keeps its cap of connections");

    let during = api_p99(&manager, 200).await;
    let text = t.service.state.metrics.scrape(&t.service.state).await;
    println!(
        "2,000 idle connections on an endpoint: {} held (opened in {:.1} s), {} closed at once; API p99 {before:.1} ms before, {during:.1} ms with them held",
        held.len(),
        opening.as_secs_f64(),
        2000 - held.len()
    );
    assert!(
        text.contains(&format!(
            "hostingd_connections_refused_total{{listener=\"endpoint\",reason=\"full\"}} {}",
            2000 - cap
        )),
        "{text}"
    );
    // The API answers as usual: every call answered, its p99 within a few times the one before
    // (measured in the same run; the margin absorbs the other tests running beside it on a
    // 2-core machine, while the endpoint's 2,000 connections unbounded would hold 2,000 tasks
    // and handshakes).
    assert!(
        during <= (before * 5.0).max(before + 250.0),
        "API p99 {during:.1} ms with the idle connections, {before:.1} ms before"
    );
    // The endpoint itself still answers another source, once one of the idle ones goes.
    drop(held);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut tls = endpoint_tls(&ca, &host, port, [127, 0, 0, 1])
        .await
        .unwrap();
    assert_eq!(exchange(&mut tls, &get_status(&host)).await.0, 200);
}
