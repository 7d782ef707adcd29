//! Delegated authentication: the client of a school's CAS server (the ENT). The service checks
//! that a CAS address answers before it is saved, and validates the tickets the webspaces
//! receive (CAS 2.0, `serviceValidate`). The school chooses the address, so the service refuses
//! one that names its own network (loopback, private, link-local) unless the provider allows it,
//! follows no redirect, reads at most 64 KiB, and gives up after 10 seconds. A ticket is a
//! one-use credential: it is never logged.
//!
//! The webspaces are anonymous pages, so every bad ticket a visitor sends would be an outbound
//! call: the calls to one CAS server (its host and port) are bounded ([`CALLS_PER_HOST`] at
//! once; one more is refused at once, without a call), a ticket refused is remembered for
//! [`REFUSAL_KEPT`] (by its hash: the same ticket is answered without asking again), and a CAS
//! server that could not answer is not asked again for [`DOWN_KEPT`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use anyhow::Context;
use reqwest::{StatusCode, Url};

use crate::rules::Refusal;

/// How long the service waits for a CAS server.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from a CAS server.
const MAX_ANSWER: usize = 64 * 1024;
/// What a refused address is, in the sentence that says why.
const PRIVATE: &str = "is an address of a private network, which the hosting service does not call";
/// A name that does not resolve.
const UNKNOWN_NAME: &str = "its name is not known";

/// Resolves names for the CAS client and refuses those that lead to the service's own networks
/// (any of their addresses), within the client's timeout.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host.as_str(), 0)))
                .await
                .map_err(|_| UNKNOWN_NAME)?
                .map_err(|_| UNKNOWN_NAME)?;
            let addresses: Vec<std::net::SocketAddr> = found.collect();
            if addresses.is_empty() {
                return Err(UNKNOWN_NAME.into());
            }
            if addresses.iter().any(|a| is_internal(a.ip())) {
                return Err(PRIVATE.into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Validations sent to one CAS server at once; one more is refused without a call.
pub const CALLS_PER_HOST: usize = 16;
/// How long a refused ticket is answered without asking the CAS server again (a ticket is used
/// once: refused, it stays refused).
pub const REFUSAL_KEPT: Duration = Duration::from_secs(300);
/// How long a CAS server that could not answer is not asked again.
pub const DOWN_KEPT: Duration = Duration::from_secs(15);
/// The most refused tickets remembered (all forgotten when full).
const MOST_KEPT: usize = 10_000;

/// A CAS server as the client knows it: its calls at once, and until when it is taken as down
/// (and why).
struct CasHost {
    calls: Arc<Semaphore>,
    down: Option<(Instant, String)>,
}

/// What the client remembers of the CAS servers it called.
#[derive(Default)]
struct Memory {
    /// By CAS host (`host:port`).
    hosts: HashMap<String, CasHost>,
    /// The refused tickets, by the hash of (CAS address, service, ticket), until when.
    refused: HashMap<[u8; 32], (Instant, CasAnswer)>,
}

/// The namespace of CAS 2.0 answers.
const CAS_NS: &str = "http://www.yale.edu/tp/cas";

/// What a CAS server answered about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasAnswer {
    /// The ticket is good: who logged in.
    User {
        /// The user's identifier at the ENT.
        user: String,
        /// A name to show, when the ENT gives one (`displayName` or `cn`).
        display_name: Option<String>,
    },
    /// The ticket is refused.
    Refused {
        /// The CAS code, e.g. `INVALID_TICKET`.
        code: String,
        /// The CAS server's text.
        message: String,
    },
}

/// The client of the schools' CAS servers.
pub struct CasClient {
    http: reqwest::Client,
    allow_private: bool,
    memory: Mutex<Memory>,
}

impl CasClient {
    /// A client trusting the system's roots plus the PEM certificates of `ca_file`;
    /// `allow_private` lets CAS addresses name the service's own networks. Without it, every
    /// name is resolved by [`PublicOnly`], so that the addresses checked are the ones connected
    /// to (a name cannot answer a public address to a check and a private one to the call).
    pub fn new(ca_file: Option<&Path>, allow_private: bool) -> anyhow::Result<CasClient> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .user_agent(concat!("hostingd/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(PublicOnly);
        }
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the CAS CA file {}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("the CAS CA file {} is not PEM", path.display()))?;
            anyhow::ensure!(
                !certs.is_empty(),
                "the CAS CA file {} holds no certificate",
                path.display()
            );
            builder = builder.tls_certs_merge(certs);
        }
        Ok(CasClient {
            http: builder.build().context("building the CAS client")?,
            allow_private,
            memory: Mutex::default(),
        })
    }

    /// Refuses an address written as an IP of the service's own networks (unless allowed), and
    /// a port other than HTTPS's (443, or 8443): a school's address must not make the service
    /// knock on other services' ports. Names are checked when they are resolved, by
    /// [`PublicOnly`].
    fn check_host(&self, url: &Url) -> Result<(), String> {
        let host = url.host_str().ok_or("the address has no server name")?;
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !self.allow_private
            && is_internal(ip)
        {
            return Err(format!("{host} {PRIVATE}"));
        }
        if let Some(port) = url.port()
            && !self.allow_private
            && !matches!(port, 443 | 8443)
        {
            return Err(format!(
                "the port {port} is not one a CAS server answers on: give its https address on the usual port (443, or 8443)"
            ));
        }
        Ok(())
    }

    /// Checks that a CAS server answers at `<cas_url>/login` (any answer below 400: a login
    /// form, or a redirect to one); `422 cas_unreachable` with what happened otherwise.
    pub async fn check(&self, cas_url: &str) -> Result<(), Refusal> {
        let unreachable = |why: String| Refusal::CasUnreachable {
            url: cas_url.to_string(),
            why,
        };
        let url =
            Url::parse(&format!("{cas_url}/login")).map_err(|e| unreachable(e.to_string()))?;
        self.check_host(&url).map_err(unreachable)?;
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| unreachable(why(&e)))?;
        let status = response.status();
        if status.as_u16() >= 400 {
            return Err(unreachable(format!("it answered {}", status_text(status))));
        }
        Ok(())
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the CAS server whether `ticket` was issued for `service` (CAS 2.0
    /// `serviceValidate`), within the bounds of this module: a ticket refused earlier is
    /// answered from memory, a CAS server down or busy with [`CALLS_PER_HOST`] calls is not
    /// asked. An error says why the CAS server could not answer.
    pub async fn validate(
        &self,
        cas_url: &str,
        service: &str,
        ticket: &str,
    ) -> Result<CasAnswer, String> {
        let mut url =
            Url::parse(&format!("{cas_url}/serviceValidate")).map_err(|e| e.to_string())?;
        url.query_pairs_mut()
            .append_pair("service", service)
            .append_pair("ticket", ticket);
        self.check_host(&url)?;
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(443)
        );
        let key: [u8; 32] = Sha256::new()
            .chain_update(cas_url)
            .chain_update([0])
            .chain_update(service)
            .chain_update([0])
            .chain_update(ticket)
            .finalize()
            .into();
        let slot = {
            let now = Instant::now();
            let mut memory = self.memory();
            if let Some((until, answer)) = memory.refused.get(&key)
                && *until > now
            {
                return Ok(answer.clone());
            }
            let CasHost { calls, down } =
                memory.hosts.entry(host.clone()).or_insert_with(|| CasHost {
                    calls: Arc::new(Semaphore::new(CALLS_PER_HOST)),
                    down: None,
                });
            if let Some((until, why)) = down
                && *until > now
            {
                return Err(why.clone());
            }
            calls.clone().try_acquire_owned().map_err(|_| {
                "it is already checking as many tickets as it may at once: try again in a moment"
                    .to_string()
            })?
        };
        let answer = self.call(url).await;
        drop(slot);
        let now = Instant::now();
        let mut memory = self.memory();
        match &answer {
            Ok(refused @ CasAnswer::Refused { .. }) => {
                if memory.refused.len() >= MOST_KEPT {
                    memory.refused.retain(|_, (until, _)| *until > now);
                    if memory.refused.len() >= MOST_KEPT {
                        memory.refused.clear();
                    }
                }
                memory
                    .refused
                    .insert(key, (now + REFUSAL_KEPT, refused.clone()));
            }
            Ok(CasAnswer::User { .. }) => {}
            Err(why) => {
                if let Some(known) = memory.hosts.get_mut(&host) {
                    known.down = Some((now + DOWN_KEPT, why.clone()));
                }
            }
        }
        answer
    }

    /// One `serviceValidate` call.
    async fn call(&self, url: Url) -> Result<CasAnswer, String> {
        let mut response = self.http.get(url).send().await.map_err(|e| why(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("it answered {}", status_text(status)));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| why(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err("its answer is too long".to_string());
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| "its answer is not text".to_string())?;
        parse_service_response(&text)
    }
}

/// What a failed call to a CAS server means for a person.
fn why(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("no answer in {} seconds", TIMEOUT.as_secs());
    }
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        chain.push_str(&e.to_string());
        chain.push(' ');
        source = e.source();
    }
    let chain = chain.to_lowercase();
    if chain.contains(PRIVATE) {
        format!("its name {PRIVATE}")
    } else if chain.contains(UNKNOWN_NAME) {
        UNKNOWN_NAME.to_string()
    } else if chain.contains("certificate") || chain.contains("unknownissuer") {
        "its certificate is not trusted by the hosting service".to_string()
    } else if error.is_connect() {
        "nothing answers at this address".to_string()
    } else {
        "the connection failed".to_string()
    }
}

fn status_text(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim()
    .to_string()
}

/// An address of the service's own networks, or one no public server has: loopback, private,
/// link-local, shared (CGNAT), benchmarking, reserved, multicast, unspecified, "this network",
/// unique local and site-local IPv6, and the IPv4 inside IPv4-mapped, IPv4-compatible, NAT64
/// and 6to4 IPv6 addresses.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && c == 0)
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let embedded = |high: u16, low: u16| {
                let [h1, h2] = high.to_be_bytes();
                let [l1, l2] = low.to_be_bytes();
                IpAddr::V4(std::net::Ipv4Addr::new(h1, h2, l1, l2))
            };
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
            if (segments[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified())
                || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
            {
                return is_internal(embedded(segments[6], segments[7]));
            }
            // 6to4 (2002:a.b.c.d::).
            if segments[0] == 0x2002 {
                return is_internal(embedded(segments[1], segments[2]));
            }
            let first = segments[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
        }
    }
}

/// The first child element of `node` named `name` in the CAS namespace.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name((CAS_NS, name)))
}

/// Reads a CAS 2.0 `serviceResponse`: the user (and a display name from its attributes) on
/// success, the code and text on failure.
pub fn parse_service_response(xml: &str) -> Result<CasAnswer, String> {
    let document =
        roxmltree::Document::parse(xml).map_err(|_| "its answer is not CAS XML".to_string())?;
    let root = document.root_element();
    if !root.has_tag_name((CAS_NS, "serviceResponse")) {
        return Err("its answer is not a CAS serviceResponse".to_string());
    }
    let text = |node: roxmltree::Node<'_, '_>| -> String {
        node.descendants()
            .filter(roxmltree::Node::is_text)
            .filter_map(|t| t.text())
            .collect::<String>()
            .trim()
            .to_string()
    };
    if let Some(success) = child(root, "authenticationSuccess") {
        let user = child(success, "user")
            .map(text)
            .filter(|u| !u.is_empty())
            .ok_or("its answer names no user")?;
        let display_name = child(success, "attributes").and_then(|attributes| {
            ["displayName", "cn"]
                .iter()
                .find_map(|name| child(attributes, name).map(text))
                .filter(|n| !n.is_empty())
        });
        return Ok(CasAnswer::User { user, display_name });
    }
    if let Some(failure) = child(root, "authenticationFailure") {
        return Ok(CasAnswer::Refused {
            code: failure.attribute("code").unwrap_or("UNKNOWN").to_string(),
            message: text(failure),
        });
    }
    Err("its answer is neither a success nor a failure".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_of_the_services_own_network_is_refused_when_resolved() {
        let client = CasClient::new(None, false).unwrap();
        match client.check("https://localhost/cas").await {
            Err(Refusal::CasUnreachable { why, .. }) => {
                assert!(why.contains("private network"), "{why}");
            }
            other => panic!("expected cas_unreachable, got {other:?}"),
        }
        match client.check("https://[::1]:9/cas").await {
            Err(Refusal::CasUnreachable { why, .. }) => {
                assert!(why.contains("private network"), "{why}");
            }
            other => panic!("expected cas_unreachable, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_port_other_than_https_is_refused_before_any_call() {
        let client = CasClient::new(None, false).unwrap();
        for url in [
            "https://cas.example.org:25/cas",
            "https://cas.example.org:6379",
        ] {
            match client.check(url).await {
                Err(Refusal::CasUnreachable { why, .. }) => {
                    assert!(why.contains("is not one a CAS server answers on"), "{why}");
                }
                other => panic!("expected cas_unreachable, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_success_names_the_user_and_their_display_name() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
            <cas:authenticationSuccess>
                <cas:user>jdupont</cas:user>
                <cas:attributes>
                    <cas:displayName>Jeanne &amp; Dupont</cas:displayName>
                </cas:attributes>
            </cas:authenticationSuccess>
        </cas:serviceResponse>"#;
        assert_eq!(
            parse_service_response(xml),
            Ok(CasAnswer::User {
                user: "jdupont".into(),
                display_name: Some("Jeanne & Dupont".into())
            })
        );
        let bare = r#"<serviceResponse xmlns="http://www.yale.edu/tp/cas"><authenticationSuccess><user><![CDATA[m.martin]]></user></authenticationSuccess></serviceResponse>"#;
        assert_eq!(
            parse_service_response(bare),
            Ok(CasAnswer::User {
                user: "m.martin".into(),
                display_name: None
            })
        );
    }

    #[test]
    fn a_failure_keeps_its_code_and_anything_else_is_an_error() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
            <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1 not recognized</cas:authenticationFailure>
        </cas:serviceResponse>"#;
        assert_eq!(
            parse_service_response(xml),
            Ok(CasAnswer::Refused {
                code: "INVALID_TICKET".into(),
                message: "Ticket ST-1 not recognized".into()
            })
        );
        // Same names in another namespace are not CAS.
        let foreign = r#"<serviceResponse><authenticationSuccess><user>x</user></authenticationSuccess></serviceResponse>"#;
        assert!(parse_service_response(foreign).is_err());
        assert!(parse_service_response("yes\njdupont\n").is_err());
        let empty = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user> </cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
        assert!(parse_service_response(empty).is_err());
    }

    #[test]
    fn the_services_own_networks_are_internal() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
            "198.18.0.1",
            "192.0.0.8",
            "240.0.0.1",
            "224.0.0.1",
            "0.1.2.3",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "2606:4700::1111",
            "100.128.0.1",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }
}
