//! A flood of anonymous enrollments against a service, from many loopback source addresses over
//! HTTP/2, some of them reset mid-request; the peak memory of a `hostingd` process. Shared by
//! `tests/it/hardening_auth.rs` and `benches/flood.rs` (which includes this file).
#![allow(dead_code, clippy::unwrap_used)]

use std::net::IpAddr;
use std::time::Duration;

use hosting_api::{ClientIdentity, EnrollmentRequest, Role};

/// A reqwest client that trusts `ca_pem`, presents `identity`, speaks HTTP/2 (`h2`) or HTTP/1.1,
/// and connects from `local` (any 127.0.0.0/8 address works on Linux loopback).
pub fn http_client(
    ca_pem: &str,
    identity: Option<&ClientIdentity>,
    local: Option<IpAddr>,
    h2: bool,
) -> reqwest::Client {
    let mut tls = hosting_api::tls::client_config(ca_pem, identity).unwrap();
    tls.alpn_protocols = if h2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .local_address(local)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Peak resident memory (VmHWM) of process `pid`, in bytes.
pub fn peak_rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        * 1024
}

/// `count` loopback source addresses: 127.0.1.1, 127.0.1.2, …
pub fn loopback_sources(count: usize) -> Vec<IpAddr> {
    (0..count)
        .map(|i| IpAddr::from([127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8]))
        .collect()
}

/// How the flood's requests ended.
#[derive(Debug, Default, Clone)]
pub struct FloodReport {
    /// Reset by the client before an answer.
    pub reset: usize,
    /// `401 invalid_credentials`: the password was checked.
    pub refused: usize,
    /// `429 rate_limited`.
    pub rate_limited: usize,
    /// `429 locked_out`.
    pub locked_out: usize,
    /// `503 busy`.
    pub busy: usize,
    /// Anything else (status and code).
    pub other: Vec<String>,
}

/// A manager enrollment with a random hosting number and wrong logins.
pub fn random_enrollment(csr_pem: &str) -> EnrollmentRequest {
    let digits = |n: usize| -> String {
        (0..n)
            .map(|i| {
                let low = if i == 0 { 1 } else { 0 };
                char::from(b'0' + rand::random_range(low..10u8))
            })
            .collect()
    };
    EnrollmentRequest {
        role: Role::Manager,
        hosting_number: digits(12),
        password: "Flood1Password".to_string(),
        username: None,
        invoice_number: digits(10),
        csr_pem: csr_pem.to_string(),
        workstation_name: "Flood".to_string(),
    }
}

/// Sends `count` enrollments with random hosting numbers to `base_url`, all at once, spread
/// over the clients (one HTTP/2 connection each, from their own source address); every second
/// one is reset (its task aborted) 2 to 20 ms after it starts.
pub async fn flood_enrollments(
    base_url: &str,
    clients: &[reqwest::Client],
    csr_pem: &str,
    count: usize,
) -> FloodReport {
    let url = format!("{base_url}/v1/enrollments");
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let client = clients[i % clients.len()].clone();
        let request = random_enrollment(csr_pem);
        let url = url.clone();
        let task = tokio::spawn(async move {
            let response = match client.post(&url).json(&request).send().await {
                Ok(response) => response,
                Err(error) => return (0, format!("transport: {error}")),
            };
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            (
                status,
                body["error"]["code"].as_str().unwrap_or("").to_string(),
            )
        });
        if i % 2 == 1 {
            let abort = task.abort_handle();
            let after = Duration::from_millis(rand::random_range(2..20));
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                abort.abort();
            });
        }
        tasks.push(task);
    }
    let mut report = FloodReport::default();
    for task in tasks {
        match task.await {
            Err(error) if error.is_cancelled() => report.reset += 1,
            Err(error) => report.other.push(format!("panic: {error}")),
            Ok((status, code)) => match (status, code.as_str()) {
                (401, "invalid_credentials") => report.refused += 1,
                (429, "rate_limited") => report.rate_limited += 1,
                (429, "locked_out") => report.locked_out += 1,
                (503, "busy") => report.busy += 1,
                _ => report.other.push(format!("{status} {code}")),
            },
        }
    }
    report
}
