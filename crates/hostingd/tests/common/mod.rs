//! Helpers of the integration tests: a real service over TLS on loopback in a temporary
//! directory, accounts provisioned like the provider's staff do, and workstations enrolled with
//! CSRs made here.
#![allow(dead_code, clippy::unwrap_used)]

pub mod files;
pub mod flood;
pub mod gateways;
pub mod process;
pub mod roles;

use hosting_api::{
    Client, ClientError, ClientIdentity, EnrollmentRequest, NewUser, Role, UserUpdate,
    WorkstationKey,
};
use hostingd::store::NewAccount;
use hostingd::{Clock, RunningService, ServeConfig};

/// A service with its data directory and clock.
pub struct TestService {
    pub service: RunningService,
    pub clock: Clock,
    pub dir: tempfile::TempDir,
}

/// The logins an account received by e-mail and SMS.
#[derive(Debug, Clone)]
pub struct Logins {
    pub account_id: i64,
    pub hosting_number: String,
    pub invoice_number: String,
    pub password: String,
}

/// A password that follows the user password rules.
pub const SUPERADMIN_PASSWORD: &str = "Correct1Horse2Battery";

impl TestService {
    pub async fn start() -> TestService {
        TestService::start_with(|_| {}).await
    }

    /// A service whose configuration `change` adjusts. Each service gets its own window of 100
    /// ports for schedules, since activating a schedule binds its port.
    pub async fn start_with(change: impl FnOnce(&mut ServeConfig)) -> TestService {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServeConfig::local(dir.path().to_path_buf());
        let window = 20000 + rand::random_range(0..100u16) * 100;
        config.port_range = window..=window + 99;
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
        Client::new(&self.service.base_url(), &self.service.ca_pem(), None).unwrap()
    }

    /// A client presenting `identity`.
    pub fn with_identity(&self, identity: &ClientIdentity) -> Client {
        Client::new(
            &self.service.base_url(),
            &self.service.ca_pem(),
            Some(identity),
        )
        .unwrap()
    }

    /// Provisions an account and reads its logins from the outbox, as the manager would.
    pub async fn provision(&self, school: &str) -> Logins {
        let account = NewAccount {
            school_name: school.to_string(),
            email: format!("manager@{}.fr", school.to_lowercase().replace(' ', "-")),
            phone: "+33611223344".to_string(),
            contract_ends_on: "2027-08-31".to_string(),
        };
        let provisioned =
            hostingd::operator::provision(self.store(), &self.service.state.passwords, &account)
                .await
                .unwrap();
        let outbox = self
            .store()
            .outbox(Some(provisioned.account_id))
            .await
            .unwrap();
        let email = outbox.iter().find(|m| m.channel == "email").unwrap();
        assert!(email.body.contains(&provisioned.hosting_number));
        assert!(email.body.contains(&provisioned.invoice_number));
        let sms = outbox.iter().rev().find(|m| m.channel == "sms").unwrap();
        let password = password_in_sms(&sms.body);
        Logins {
            account_id: provisioned.account_id,
            hosting_number: provisioned.hosting_number,
            invoice_number: provisioned.invoice_number,
            password,
        }
    }

    /// Enrolls a workstation with a CSR made here.
    pub async fn enroll(
        &self,
        role: Role,
        logins: &Logins,
        username: Option<&str>,
        password: &str,
    ) -> Result<ClientIdentity, ClientError> {
        let key = WorkstationKey::generate("Test workstation").unwrap();
        let response = self
            .anonymous()
            .enroll(&EnrollmentRequest {
                role,
                hosting_number: logins.hosting_number.clone(),
                password: password.to_string(),
                username: username.map(str::to_string),
                invoice_number: logins.invoice_number.clone(),
                csr_pem: key.csr_pem,
                workstation_name: "Test workstation".to_string(),
            })
            .await?;
        assert_eq!(response.ca_pem, self.service.ca_pem());
        Ok(ClientIdentity {
            certificate_pem: response.certificate_pem,
            key_pem: key.key_pem,
        })
    }

    /// The hosting manager's workstation, logged in.
    pub async fn manager(&self, logins: &Logins) -> (Client, ClientIdentity) {
        let identity = self
            .enroll(Role::Manager, logins, None, &logins.password)
            .await
            .unwrap();
        let client = self.with_identity(&identity);
        client.login(&logins.password).await.unwrap();
        (client, identity)
    }

    /// Creates a superadministrator with console access through `manager`, then enrolls and
    /// logs in their own workstation.
    pub async fn superadmin(&self, manager: &Client, logins: &Logins, username: &str) -> Client {
        let user = manager
            .create_user(&NewUser {
                first_name: "Jeanne".to_string(),
                surname: "Dupont".to_string(),
                username: username.to_string(),
                password: SUPERADMIN_PASSWORD.to_string(),
                superadmin: true,
            })
            .await
            .unwrap();
        manager
            .update_user(
                user.id,
                &UserUpdate {
                    email: Some(format!("{username}@school.fr")),
                    console_access: Some(true),
                },
            )
            .await
            .unwrap();
        let identity = self
            .enroll(
                Role::Superadmin,
                logins,
                Some(username),
                SUPERADMIN_PASSWORD,
            )
            .await
            .unwrap();
        let client = self.with_identity(&identity);
        client.login(SUPERADMIN_PASSWORD).await.unwrap();
        client
    }

    /// Number of audit records of an account: a change that should not happen adds one.
    pub async fn audit_count(&self, account_id: i64) -> usize {
        self.store().audit_log(account_id).await.unwrap().len()
    }
}

/// The password in an SMS of the outbox.
pub fn password_in_sms(body: &str) -> String {
    body.lines()
        .find_map(|line| {
            line.split_once("password: ")
                .map(|(_, p)| p.trim().to_string())
        })
        .unwrap()
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
) {
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
        }
        other => panic!("expected {status} {code}, got {other:?}"),
    }
}
