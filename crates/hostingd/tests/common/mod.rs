//! Helpers of the integration tests: a real service over TLS on loopback in a temporary
//! directory, accounts provisioned like the provider's staff do, and workstations enrolled with
//! CSRs made here.
#![allow(dead_code, clippy::unwrap_used)]

pub mod files;
pub mod flood;
pub mod gateways;
pub mod process;
pub mod relay;
pub mod roles;

use hosting_api::{Client, ClientError, ClientIdentity, Role};
use hostingd::testing;
use hostingd::{Clock, RunningService, ServeConfig};

#[allow(unused_imports)] // Not every test binary reads an SMS.
pub use hostingd::testing::{Logins, SUPERADMIN_PASSWORD, password_in_sms};

/// A service with its data directory and clock.
pub struct TestService {
    pub service: RunningService,
    pub clock: Clock,
    pub dir: tempfile::TempDir,
}

impl TestService {
    /// A TLS connection to the service with ALPN `protocol` and no client certificate, for the
    /// tests that write HTTP by hand.
    pub async fn tls_connection(
        &self,
        protocol: &[u8],
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let mut config = hosting_api::tls::client_config(&self.service.ca_pem(), None).unwrap();
        config.alpn_protocols = vec![protocol.to_vec()];
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(self.service.addr)
            .await
            .unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        connector.connect(name, tcp).await.unwrap()
    }

    pub async fn start() -> TestService {
        TestService::start_with(|_| {}).await
    }

    /// A service whose configuration `change` adjusts, with its own window of ports for
    /// schedules ([`testing::port_window`]), since activating a schedule binds its port.
    pub async fn start_with(change: impl FnOnce(&mut ServeConfig)) -> TestService {
        let dir = tempfile::tempdir().unwrap();
        let mut config = testing::local_config(dir.path().to_path_buf());
        config.max_concurrent_hashes = Some(2);
        change(&mut config);
        let clock = Clock::default();
        let service = hostingd::start(config, clock.clone()).await.unwrap();
        TestService {
            service,
            clock,
            dir,
        }
    }

    pub fn store(&self) -> &hostingd::store::Store {
        &self.service.state.store
    }

    /// A client without a certificate.
    pub fn anonymous(&self) -> Client {
        testing::anonymous(&self.service)
    }

    /// A client presenting `identity`.
    pub fn with_identity(&self, identity: &ClientIdentity) -> Client {
        testing::with_identity(&self.service, identity)
    }

    /// Provisions an account and reads its logins from the outbox, as the manager would.
    pub async fn provision(&self, school: &str) -> Logins {
        testing::provision(&self.service, school).await
    }

    /// Enrolls a workstation with a CSR made here.
    pub async fn enroll(
        &self,
        role: Role,
        logins: &Logins,
        username: Option<&str>,
        password: &str,
    ) -> Result<ClientIdentity, ClientError> {
        testing::enroll(&self.service, role, logins, username, password).await
    }

    /// The hosting manager's workstation, logged in.
    pub async fn manager(&self, logins: &Logins) -> (Client, ClientIdentity) {
        testing::manager(&self.service, logins).await
    }

    /// Creates a superadministrator with console access through `manager`, then enrolls and
    /// logs in their own workstation.
    pub async fn superadmin(&self, manager: &Client, logins: &Logins, username: &str) -> Client {
        testing::superadmin(&self.service, manager, logins, username).await
    }

    /// Number of audit records of an account: a change that should not happen adds one.
    pub async fn audit_count(&self, account_id: i64) -> usize {
        self.store().audit_log(account_id).await.unwrap().len()
    }
}

/// A client certificate signed by a CA that the service does not know.
pub fn foreign_identity() -> ClientIdentity {
    use rcgen::{
        BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();
    ClientIdentity {
        certificate_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Asserts an API error with `status` and `code`, and a sentence.
pub fn assert_api_error<T: std::fmt::Debug>(
    result: Result<T, ClientError>,
    status: u16,
    code: &str,
) -> String {
    match result {
        Err(ClientError::Api {
            status: s,
            code: c,
            message,
            ..
        }) => {
            assert_eq!((s, c.as_str()), (status, code), "message: {message}");
            assert!(
                message.len() > 10,
                "a sentence is expected, got {message:?}"
            );
            message
        }
        other => panic!("expected {status} {code}, got {other:?}"),
    }
}

/// An account made in-process whose data directory is handed to a real `hostingd` process: the
/// manager's workstation, session and first schedule (with `domain`, when given).
pub struct HandedOver {
    pub dir: tempfile::TempDir,
    pub identity: ClientIdentity,
    pub token: String,
    pub schedule_id: i64,
    /// The manager's console password.
    pub password: String,
}

impl HandedOver {
    pub fn new(runtime: &tokio::runtime::Runtime, school: &str, domain: Option<&str>) -> Self {
        runtime.block_on(async {
            let service = TestService::start().await;
            let logins = service.provision(school).await;
            let (manager, identity) = service.manager(&logins).await;
            let schedule_id = manager.schedules().await.unwrap()[0].id;
            if let Some(domain) = domain {
                manager
                    .update_schedule(
                        schedule_id,
                        &hosting_api::ScheduleUpdate {
                            domain: Some(domain.into()),
                            ..hosting_api::ScheduleUpdate::default()
                        },
                    )
                    .await
                    .unwrap();
            }
            let token = manager.token().unwrap();
            let TestService { service, dir, .. } = service;
            service.shutdown().await.unwrap();
            HandedOver {
                dir,
                identity,
                token,
                schedule_id,
                password: logins.password.clone(),
            }
        })
    }

    /// The manager's client of the process listening on `port`.
    pub fn client(&self, port: u16) -> Client {
        let ca_pem = std::fs::read_to_string(self.dir.path().join("tls/ca.pem")).unwrap();
        let client = Client::new(
            &format!("https://127.0.0.1:{port}"),
            &ca_pem,
            Some(&self.identity),
        )
        .unwrap();
        client.set_token(Some(self.token.clone()));
        client
    }
}
