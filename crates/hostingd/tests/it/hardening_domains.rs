//! Issue 8, domains and endpoint certificates: domains limited to the public zone and verified
//! domains with uniqueness on the host, the domain a schedule has sent back by a
//! superadministrator's whole form, and endpoint certificates signed by a name-constrained
//! endpoint CA.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;

use common::roles::superadmin;
use common::{TestService, assert_api_error};
use hosting_api::{NewEmptyBase, ScheduleUpdate};

const ZONE: &str = "hosting.localhost";

#[tokio::test(flavor = "multi_thread")]
async fn foreign_domains_are_refused() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    manager_b.set_controller_domain("school-b").await.unwrap();
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let audit = t.audit_count(a.account_id).await;

    for typed in [
        "lycee-hugo.fr",
        "www.example.org",
        "hosting.localhost",
        "evil.school-b.hosting.localhost",
    ] {
        let answer = manager_a.set_controller_domain(typed).await;
        match &answer {
            Err(hosting_api::ClientError::Api {
                status: 422,
                code,
                message,
                ..
            }) => {
                assert_eq!(code, "domain_not_allowed", "{typed}");
                assert!(
                    message.contains(ZONE) && message.contains("single name"),
                    "{typed}: the sentence says what to type: {message}"
                );
            }
            other => panic!("{typed}: expected 422 domain_not_allowed, got {other:?}"),
        }
        let update = ScheduleUpdate {
            domain: Some(typed.to_string()),
            ..Default::default()
        };
        assert_api_error(
            manager_a.update_schedule(schedule, &update).await,
            422,
            "domain_not_allowed",
        );
    }
    assert_eq!(manager_a.controller().await.unwrap().domain, None);
    assert_eq!(manager_a.schedules().await.unwrap()[0].domain, None);
    assert_eq!(t.audit_count(a.account_id).await, audit);
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_verified_domain_is_accepted() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    assert_api_error(
        manager_a.set_controller_domain("lycee-hugo.fr").await,
        422,
        "domain_not_allowed",
    );

    let verified =
        hostingd::operator::verify_domain(t.store(), &a.hosting_number, "Lycee-Hugo.FR", ZONE)
            .await
            .unwrap();
    assert_eq!(verified, "lycee-hugo.fr");
    let controller = manager_a
        .set_controller_domain("lycee-hugo.fr")
        .await
        .unwrap();
    assert_eq!(controller.host.as_deref(), Some("lycee-hugo.fr"));
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("edt.lycee-hugo.fr".to_string()),
        ..Default::default()
    };
    let updated = manager_a.update_schedule(schedule, &update).await.unwrap();
    assert_eq!(updated.host.as_deref(), Some("edt.lycee-hugo.fr"));

    // Another school cannot use it, nor have it verified, nor a name under it.
    assert_api_error(
        manager_b.set_controller_domain("www.lycee-hugo.fr").await,
        422,
        "domain_not_allowed",
    );
    for domain in ["lycee-hugo.fr", "b.lycee-hugo.fr"] {
        assert!(
            hostingd::operator::verify_domain(t.store(), &b.hosting_number, domain, ZONE)
                .await
                .is_err(),
            "{domain}"
        );
    }
    // Names in the zone need no verification.
    assert!(
        hostingd::operator::verify_domain(
            t.store(),
            &b.hosting_number,
            "x.hosting.localhost",
            ZONE
        )
        .await
        .is_err()
    );

    // The endpoint CA permits the verified domain from now on.
    let ca = manager_a.endpoint_ca().await.unwrap();
    let permitted = permitted_names(&ca.certificate_pem);
    assert_eq!(
        permitted,
        vec![ZONE.to_string(), "lycee-hugo.fr".to_string()]
    );

    // The command line does the same.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["verify-domain", &b.hosting_number, "lycee-b.fr"])
        .envs(hostingd::testing::data_env(t.dir.path()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    manager_b.set_controller_domain("lycee-b.fr").await.unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["verify-domain", &b.hosting_number, "lycee-hugo.fr"])
        .envs(hostingd::testing::data_env(t.dir.path()))
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn uniqueness_is_checked_on_the_host() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    let controller = manager_a.set_controller_domain("lycee-hugo").await.unwrap();
    assert_eq!(
        controller.host.as_deref(),
        Some("lycee-hugo.hosting.localhost")
    );

    // The same host typed another way is taken, for another school and for the same one.
    for typed in [
        "lycee-hugo.hosting.localhost",
        "LYCEE-HUGO.hosting.localhost.",
    ] {
        assert_api_error(
            manager_b.set_controller_domain(typed).await,
            409,
            "domain_taken",
        );
    }
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("lycee-hugo.hosting.localhost".to_string()),
        ..Default::default()
    };
    assert_api_error(
        manager_a.update_schedule(schedule, &update).await,
        409,
        "domain_taken",
    );
    // A full name inside the zone is the single name.
    let controller = manager_b
        .set_controller_domain("lycee-b.hosting.localhost")
        .await
        .unwrap();
    assert_eq!(
        (controller.domain.as_deref(), controller.host.as_deref()),
        (Some("lycee-b"), Some("lycee-b.hosting.localhost"))
    );
    assert_api_error(
        manager_a.set_controller_domain("lycee-b").await,
        409,
        "domain_taken",
    );
    // Setting the same host again is no change.
    assert_eq!(
        manager_a
            .set_controller_domain("lycee-hugo.hosting.localhost")
            .await
            .unwrap(),
        manager_a.controller().await.unwrap()
    );

    // The database itself refuses two endpoints with one host.
    let db = hostingd::testing::raw_database(t.dir.path()).await;
    let duplicate = sqlx::query("INSERT INTO endpoints (account_id, owner_kind, owner_id, domain, host, port) VALUES ($1, 'schedule', 424242, 'lycee-hugo.hosting.localhost', 'lycee-hugo.hosting.localhost', 1)")
        .bind(b.account_id)
        .execute(&db)
        .await;
    assert!(duplicate.is_err(), "{duplicate:?}");
}

/// The DNS names a CA certificate's name constraints permit.
fn permitted_names(pem: &str) -> Vec<String> {
    let der = hosting_api::tls::certificates_from_pem(pem)
        .unwrap()
        .remove(0);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let constraints = cert.name_constraints().unwrap().expect("name constraints");
    constraints
        .value
        .permitted_subtrees
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|s| match s.base {
            x509_parser::extensions::GeneralName::DNSName(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Connects to `host` at `port` on loopback trusting only `ca_pem`; the server's chain, or the
/// handshake's error.
async fn endpoint_chain(
    ca_pem: &str,
    host: &str,
    port: u16,
) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, std::io::Error> {
    let config = hosting_api::tls::client_config(ca_pem, None).unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let name = rustls_pki_types::ServerName::try_from(host.to_string()).unwrap();
    let tls = connector.connect(name, tcp).await?;
    Ok(tls.get_ref().1.peer_certificates().unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_certificates_come_from_a_name_constrained_ca() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Endpoint").await;
    let (manager, _) = t.manager(&logins).await;
    let schedule = manager.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("lycee-endpoint".to_string()),
        ..Default::default()
    };
    manager.update_schedule(schedule, &update).await.unwrap();
    manager
        .create_empty_base(schedule, &NewEmptyBase::default())
        .await
        .unwrap();
    let running = manager.activate(schedule).await.unwrap();
    let (host, port) = (running.host.unwrap(), running.port.unwrap());
    assert_eq!(host, "lycee-endpoint.hosting.localhost");

    // The console's "Test the connection" works through the endpoint CA.
    let status = manager.endpoint_status(&host, port).await.unwrap();
    assert_eq!(status.school, "Lycee Endpoint");

    let service_ca = t.service.ca_pem();
    let endpoint_ca = manager.endpoint_ca().await.unwrap();
    assert_ne!(
        endpoint_ca.fingerprint,
        hosting_api::tls::pem_fingerprint(&service_ca).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(t.dir.path().join("tls/endpoint-ca.pem")).unwrap(),
        endpoint_ca.certificate_pem
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::metadata(t.dir.path().join("tls/endpoint-ca.key")).unwrap();
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(
        permitted_names(&endpoint_ca.certificate_pem),
        vec![ZONE.to_string()]
    );

    // The leaf names the host alone and is issued by the endpoint CA, not the console's CA.
    let chain = endpoint_chain(&endpoint_ca.certificate_pem, &host, port)
        .await
        .unwrap();
    let (_, leaf) = x509_parser::parse_x509_certificate(&chain[0]).unwrap();
    let service_der = hosting_api::tls::certificates_from_pem(&service_ca)
        .unwrap()
        .remove(0);
    let (_, service) = x509_parser::parse_x509_certificate(&service_der).unwrap();
    let endpoint_der = hosting_api::tls::certificates_from_pem(&endpoint_ca.certificate_pem)
        .unwrap()
        .remove(0);
    let (_, issuer) = x509_parser::parse_x509_certificate(&endpoint_der).unwrap();
    assert_ne!(leaf.issuer(), service.subject());
    assert_eq!(leaf.issuer(), issuer.subject());
    let names: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, vec![format!("DNSName({host})")]);

    // A console trusting only the service CA does not accept the endpoint.
    assert!(endpoint_chain(&service_ca, &host, port).await.is_err());

    // The constraints are enforced: the endpoint CA's key cannot vouch for another name.
    let key_pem = std::fs::read_to_string(t.dir.path().join("tls/endpoint-ca.key")).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(
        &endpoint_ca.certificate_pem,
        rcgen::KeyPair::from_pem(&key_pem).unwrap(),
    )
    .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(endpoint_der.clone()).unwrap();
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        hosting_api::tls::crypto_provider(),
    )
    .build()
    .unwrap();
    let verify = |name: &str| {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        use rustls::client::danger::ServerCertVerifier;
        verifier.verify_server_cert(
            cert.der(),
            &[],
            &rustls_pki_types::ServerName::try_from(name.to_string()).unwrap(),
            &[],
            rustls_pki_types::UnixTime::now(),
        )
    };
    assert!(verify("other.hosting.localhost").is_ok());
    for outside in ["www.bank.example", "localhost", "api.hosting.example.org"] {
        assert!(verify(outside).is_err(), "{outside}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superadministrator_may_send_back_the_domain_a_schedule_has() {
    // A form that sends every field (the Configuration panel's) works for a superadministrator:
    // the domain the schedule has already is not a change. Another domain stays the manager's.
    let t = TestService::start().await;
    let logins = t.provision("Lycee Forms").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let schedule = manager.schedules().await.unwrap()[0].clone();
    let set = ScheduleUpdate {
        domain: Some("forms-planning".to_string()),
        ..Default::default()
    };
    let before = manager.update_schedule(schedule.id, &set).await.unwrap();
    let port = before.port;
    let whole_form = ScheduleUpdate {
        name: Some("edt-college".to_string()),
        // Typed as it is shown, in capitals: the same name.
        domain: Some("FORMS-PLANNING".to_string()),
        campus_net_licence: Some(!schedule.campus_net_licence),
        time_zone: Some("Indian/Reunion".to_string()),
    };
    let saved = alice
        .client
        .update_schedule(schedule.id, &whole_form)
        .await
        .unwrap();
    assert_eq!(saved.name, "edt-college");
    assert_eq!(saved.time_zone, "Indian/Reunion");
    assert_eq!(
        (saved.domain.as_deref(), saved.port),
        (Some("forms-planning"), port)
    );
    let audit = t.audit_count(logins.account_id).await;
    let other = ScheduleUpdate {
        domain: Some("forms-other".to_string()),
        time_zone: Some("Europe/Paris".to_string()),
        ..Default::default()
    };
    assert_api_error(
        alice.client.update_schedule(schedule.id, &other).await,
        403,
        "manager_only",
    );
    let after = manager.schedules().await.unwrap();
    let after = after.iter().find(|s| s.id == schedule.id).unwrap();
    assert_eq!(
        (after.domain.as_deref(), after.time_zone.as_str()),
        (Some("forms-planning"), "Indian/Reunion")
    );
    assert_eq!(t.audit_count(logins.account_id).await, audit);
}
