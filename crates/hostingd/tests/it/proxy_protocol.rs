//! Behind the documented TCP balancer (issue 23): with `--proxy-protocol-from`, the connections
//! of the balancer start with a PROXY header, and the client it names is the address the rate
//! limits count (the lock-outs and the audit read the same `SourceAddr`); the balancer without a header is refused,
//! and so is a header from a peer outside those networks. A real TLS connection carries each
//! request, after a header written by hand as HAProxy writes it.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::TestService;

/// HAProxy's `send-proxy-v2` header for a TCP connection from `client` to `server`.
fn v2_header(client: &str, server: SocketAddr) -> Vec<u8> {
    ppp::v2::Builder::with_addresses(
        ppp::v2::Version::Two | ppp::v2::Command::Proxy,
        ppp::v2::Protocol::Stream,
        (client.parse::<SocketAddr>().unwrap(), server),
    )
    .build()
    .unwrap()
}

/// One request over a new connection to the service, after `header` when given: the status
/// code, or the error that ended the connection.
async fn request(
    t: &TestService,
    header: Option<&[u8]>,
    method: &str,
    path: &str,
    body: &str,
) -> Result<u16, String> {
    let mut tcp = tokio::net::TcpStream::connect(t.service.addr)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(header) = header {
        tcp.write_all(header).await.map_err(|e| e.to_string())?;
    }
    let config = hosting_api::tls::client_config(&t.service.ca_pem(), None).unwrap();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no HTTP answer: {text:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_balancers_clients_are_counted_by_their_own_address() {
    let t = TestService::start_with(|config| {
        config.proxy_protocol_from =
            Some(hostingd::proxy_protocol::TrustedProxies::parse("127.0.0.0/8").unwrap());
        config.limits.public_rate_burst = 2;
        config.limits.public_rate_per_minute = 2;
    })
    .await;
    let logins = t.provision("Lycee Equilibre").await;
    let body = format!("{{\"hosting_number\":\"{}\"}}", logins.hosting_number);
    let server = t.service.addr;
    let resend = |client: &'static str| {
        let body = body.clone();
        let header = v2_header(client, server);
        let t = &t;
        async move { request(t, Some(&header), "POST", "/v1/logins/resend", &body).await }
    };
    // The first client of the balancer is limited after its burst…
    assert_eq!(resend("203.0.113.7:5555").await, Ok(202));
    assert_eq!(resend("203.0.113.7:5556").await, Ok(202));
    assert_eq!(resend("203.0.113.7:5557").await, Ok(429));
    // …and another client behind the same balancer is not.
    assert_eq!(resend("198.51.100.9:4000").await, Ok(202));
    // v1 headers (`send-proxy`) are read too.
    let v1 = format!(
        "PROXY TCP4 198.51.100.9 127.0.0.1 4001 {}\r\n",
        server.port()
    );
    assert_eq!(
        request(&t, Some(v1.as_bytes()), "POST", "/v1/logins/resend", &body).await,
        Ok(202)
    );
    assert_eq!(
        request(&t, Some(v1.as_bytes()), "POST", "/v1/logins/resend", &body).await,
        Ok(429),
        "the same client, by v1"
    );
    // The balancer's connection without a header is refused: it would count as everyone.
    assert!(request(&t, None, "GET", "/v1/health", "").await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_header_from_outside_the_balancers_networks_is_refused() {
    let t = TestService::start_with(|config| {
        config.proxy_protocol_from =
            Some(hostingd::proxy_protocol::TrustedProxies::parse("10.0.0.0/8").unwrap());
    })
    .await;
    // A peer that is not a balancer cannot choose its address…
    let forged = v2_header("203.0.113.7:5555", t.service.addr);
    assert!(
        request(&t, Some(&forged), "GET", "/v1/health", "")
            .await
            .is_err()
    );
    // …and connects as itself, without a header.
    assert_eq!(request(&t, None, "GET", "/v1/health", "").await, Ok(200));
}
