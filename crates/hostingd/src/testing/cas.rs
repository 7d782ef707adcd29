//! A small CAS 2.0 server for the tests of delegated authentication, over TLS with a CA of its
//! own: `/cas/login` sends its visitor back to the `service` with a one-use ticket (it asks for
//! no password: the person is the one given at start), and `/cas/serviceValidate` answers the
//! protocol's XML. The service under test trusts it through `--cas-ca-file` and
//! `--cas-allow-private-addresses` ([`TestCas::configure`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use hosting_api::tls::{certificates_from_pem, crypto_provider, private_key_from_pem};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    SanType,
};

use crate::ServeConfig;
use crate::endpoints::webspaces::escape;

/// The person the test CAS server logs in.
#[derive(Debug, Clone)]
pub struct CasPerson {
    /// Their identifier at the ENT.
    pub user: String,
    /// Their name, sent as the `displayName` attribute.
    pub display_name: String,
}

#[derive(Default)]
struct Shared {
    /// Tickets not used yet, with the service each was issued for.
    tickets: Mutex<HashMap<String, String>>,
    issued: AtomicUsize,
    /// `/cas/serviceValidate` requests received.
    validations: AtomicUsize,
    /// Milliseconds each validation waits before it answers.
    delay_ms: std::sync::atomic::AtomicU64,
}

/// A running test CAS server.
pub struct TestCas {
    /// Its address, e.g. `https://127.0.0.1:40123/cas`.
    pub url: String,
    /// Its CA certificate (PEM).
    pub ca_pem: String,
    /// Requests `/cas/login` received (the service's checks and the visitors).
    pub logins_seen: Arc<AtomicUsize>,
    shared: Arc<Shared>,
    handle: Handle<SocketAddr>,
}

#[derive(serde::Deserialize)]
struct LoginQuery {
    service: Option<String>,
}

#[derive(serde::Deserialize)]
struct ValidateQuery {
    service: Option<String>,
    ticket: Option<String>,
}

#[derive(Clone)]
struct Cx {
    person: CasPerson,
    shared: Arc<Shared>,
    logins: Arc<AtomicUsize>,
}

async fn login(State(cx): State<Cx>, Query(query): Query<LoginQuery>) -> Response {
    cx.logins.fetch_add(1, Ordering::SeqCst);
    let Some(service) = query.service else {
        return (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><title>ENT</title><p>Log in to the ENT</p>",
        )
            .into_response();
    };
    let n = cx.shared.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let ticket = format!("ST-{n}-{}", hex::encode(rand::random::<[u8; 8]>()));
    cx.shared
        .tickets
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(ticket.clone(), service.clone());
    let separator = if service.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            format!("{service}{separator}ticket={ticket}"),
        )],
    )
        .into_response()
}

async fn service_validate(State(cx): State<Cx>, Query(query): Query<ValidateQuery>) -> Response {
    cx.shared.validations.fetch_add(1, Ordering::SeqCst);
    let delay = cx.shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let issued_for = query.ticket.as_ref().and_then(|ticket| {
        cx.shared
            .tickets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(ticket)
    });
    let body = match (issued_for, query.service) {
        (Some(issued_for), Some(service)) if issued_for == service => format!(
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n  <cas:authenticationSuccess>\n    <cas:user>{}</cas:user>\n    <cas:attributes>\n      <cas:displayName>{}</cas:displayName>\n    </cas:attributes>\n  </cas:authenticationSuccess>\n</cas:serviceResponse>\n",
            escape(&cx.person.user),
            escape(&cx.person.display_name)
        ),
        (Some(_), _) => failure(
            "INVALID_SERVICE",
            "the ticket was issued for another service",
        ),
        (None, _) => failure("INVALID_TICKET", "the ticket is not recognized"),
    };
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn failure(code: &str, text: &str) -> String {
    format!(
        "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n  <cas:authenticationFailure code=\"{code}\">{text}</cas:authenticationFailure>\n</cas:serviceResponse>\n"
    )
}

/// A CA and a server certificate for 127.0.0.1 and localhost, signed by it: (CA PEM, chain,
/// key PEM).
fn certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Test ENT CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("the CA certificate");
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("a server key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("parameters");
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params
        .signed_by(&key, &issuer)
        .expect("the server certificate");
    (
        ca_pem.clone(),
        format!("{}{ca_pem}", cert.pem()),
        key.serialize_pem(),
    )
}

impl TestCas {
    /// Starts a CAS server on a free loopback port that logs `person` in (inside a Tokio
    /// runtime).
    pub async fn start(person: CasPerson) -> TestCas {
        let (ca_pem, chain, key) = certificates();
        let mut tls = rustls::ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                certificates_from_pem(&chain).expect("the chain"),
                private_key_from_pem(&key).expect("the key"),
            )
            .expect("a TLS configuration");
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("its address").port();
        let shared = Arc::new(Shared::default());
        let logins = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route("/cas/login", get(login))
            .route("/cas/serviceValidate", get(service_validate))
            .with_state(Cx {
                person,
                shared: shared.clone(),
                logins: logins.clone(),
            });
        let handle = Handle::new();
        let server =
            axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(Arc::new(tls)))
                .expect("a TLS server")
                .handle(handle.clone());
        tokio::spawn(async move { server.serve(app.into_make_service()).await });
        TestCas {
            url: format!("https://127.0.0.1:{port}/cas"),
            ca_pem,
            logins_seen: logins,
            shared,
            handle,
        }
    }

    /// Makes `config` trust this server: its CA written to `dir`, and loopback addresses
    /// allowed.
    pub fn configure(&self, config: &mut ServeConfig, dir: &Path) {
        let path = dir.join("cas-ca.pem");
        std::fs::write(&path, &self.ca_pem).expect("writing the CAS CA");
        config.cas_ca_file = Some(path);
        config.cas_allow_private_addresses = true;
    }

    /// Tickets issued so far.
    pub fn tickets_issued(&self) -> usize {
        self.shared.issued.load(Ordering::SeqCst)
    }

    /// How many `/cas/serviceValidate` requests arrived.
    pub fn validations(&self) -> usize {
        self.shared.validations.load(Ordering::SeqCst)
    }

    /// Makes each validation answer after `delay` (a slow ENT).
    pub fn answer_after(&self, delay: std::time::Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// How many `/cas/login` requests arrived.
    pub fn logins(&self) -> usize {
        self.logins_seen.load(Ordering::SeqCst)
    }
}

impl Drop for TestCas {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

/// What a page answered: status, `Location` and body.
#[derive(Debug, Clone)]
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// Where a redirect goes.
    pub location: Option<String>,
    /// The page.
    pub body: String,
}

/// Fetches `url` (a webspace page of a schedule's endpoint, or a CAS address) as a browser
/// would on this machine, following no redirect: the endpoint's host resolves to 127.0.0.1, and
/// both the endpoint CA (`endpoint_ca_pem`) and `extra_ca_pem` are trusted.
pub async fn fetch_page(
    url: &str,
    endpoint_ca_pem: &str,
    extra_ca_pem: Option<&str>,
    language: &str,
) -> Page {
    let parsed = reqwest::Url::parse(url).expect("a page address");
    let host = parsed.host_str().expect("a host").to_string();
    let port = parsed.port_or_known_default().expect("a port");
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only(
            reqwest::Certificate::from_pem_bundle(
                format!("{endpoint_ca_pem}{}", extra_ca_pem.unwrap_or_default()).as_bytes(),
            )
            .expect("CA certificates"),
        )
        .timeout(std::time::Duration::from_secs(20));
    if host.parse::<std::net::IpAddr>().is_err() {
        builder = builder.resolve(&host, SocketAddr::from(([127, 0, 0, 1], port)));
    }
    let response = builder
        .build()
        .expect("a client")
        .get(parsed)
        .header(header::ACCEPT_LANGUAGE.as_str(), language)
        .send()
        .await
        .unwrap_or_else(|e| panic!("fetching {url}: {e}"));
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(header::LOCATION.as_str())
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.text().await.unwrap_or_default();
    Page {
        status,
        location,
        body,
    }
}
