//! The service's PKI: its own CA (made on first start, or the provider's), the server certificate,
//! the signing of workstation CSRs, and the rustls server configuration that asks for (but does not
//! require) a client certificate of that CA.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use hosting_api::tls::{certificates_from_pem, crypto_provider, fingerprint, private_key_from_pem};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;

use crate::config::ServeConfig;
use crate::fault::{Fault, FaultResult};

/// The CA, the server identity and the TLS configuration of a running service.
pub struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
    server_config: Arc<rustls::ServerConfig>,
    /// True when this start made a new CA.
    pub created_ca: bool,
}

/// Who a workstation certificate is issued to.
#[derive(Debug, Clone)]
pub struct WorkstationSubject {
    /// 12-digit hosting number.
    pub hosting_number: String,
    /// `manager` or `superadmin`.
    pub role: &'static str,
    /// Username of a superadministrator.
    pub username: Option<String>,
    /// Name of the workstation.
    pub workstation_name: String,
}

/// A parsed certificate signing request whose signature was checked.
pub struct Csr(CertificateSigningRequestParams);

impl Csr {
    /// Parses a PEM CSR and checks its signature; `400 invalid_csr` otherwise.
    pub fn parse(pem: &str) -> FaultResult<Csr> {
        if pem.len() > 16 * 1024 {
            return Err(invalid_csr());
        }
        CertificateSigningRequestParams::from_pem(pem)
            .map(Csr)
            .map_err(|_| invalid_csr())
    }

    /// Whether the CSR's key is the key of the certificate `der` (a renewal must bring a new
    /// key).
    pub fn same_key_as(&self, der: &[u8]) -> bool {
        use rcgen::PublicKeyData as _;
        x509_parser::parse_x509_certificate(der).is_ok_and(|(_, cert)| {
            cert.tbs_certificate
                .subject_pki
                .subject_public_key
                .data
                .as_ref()
                == self.0.public_key.der_bytes()
        })
    }
}

/// A signed workstation certificate.
#[derive(Debug, Clone)]
pub struct SignedCertificate {
    /// PEM.
    pub pem: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
}

fn write_secret(path: &Path, contents: &str) -> anyhow::Result<()> {
    crate::private_files::write_private_atomic(path, contents.as_bytes())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn new_ca() -> anyhow::Result<(String, String)> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "Hosting service CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Hosting console");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn new_server_certificate(
    issuer: &Issuer<'static, KeyPair>,
    names: &[String],
) -> anyhow::Result<(String, String)> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut all_names = vec!["localhost".to_string()];
    all_names.extend(names.iter().cloned());
    let mut params = CertificateParams::new(all_names)?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    params
        .distinguished_name
        .push(DnType::CommonName, "Hosting service");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(825);
    let cert = params.signed_by(&key, issuer)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The CA kept in `tls_dir` (`ca.pem`, `ca.key`), made on first start: (certificate, key,
/// whether it was just made).
fn ca_in(tls_dir: &std::path::Path) -> anyhow::Result<(String, String, bool)> {
    let cert_path = tls_dir.join("ca.pem");
    let key_path = tls_dir.join("ca.key");
    match (cert_path.exists(), key_path.exists()) {
        (true, true) => Ok((read(&cert_path)?, read(&key_path)?, false)),
        // Making a new CA over the half that is left would cut off every installed workstation
        // without a word.
        (true, false) | (false, true) => {
            let (present, missing) = if cert_path.exists() {
                (&cert_path, &key_path)
            } else {
                (&key_path, &cert_path)
            };
            anyhow::bail!(
                "{} exists but {} does not: restore the missing file from the backup of the data directory (the installed workstations trust this CA), or, to start over with a new CA that every workstation must be installed again with, move {} away",
                present.display(),
                missing.display(),
                present.display()
            );
        }
        (false, false) => {
            let (cert, key) = new_ca()?;
            write_secret(&key_path, &key)?;
            write_secret(&cert_path, &cert)?;
            Ok((cert, key, true))
        }
    }
}

/// The server certificate kept in `tls_dir`, made again when the CA is new, the names changed
/// or it is no longer valid: (certificate, key).
fn server_certificate_in(
    tls_dir: &std::path::Path,
    issuer: &Issuer<'static, KeyPair>,
    server_names: &[String],
    created_ca: bool,
) -> anyhow::Result<(String, String)> {
    let cert_path = tls_dir.join("server.pem");
    let key_path = tls_dir.join("server.key");
    let names_path = tls_dir.join("server.names");
    let names = server_names.join(",");
    let reuse = !created_ca
        && cert_path.exists()
        && key_path.exists()
        && std::fs::read_to_string(&names_path).ok().as_deref() == Some(&names)
        && server_certificate_valid(&read(&cert_path)?);
    if reuse {
        return Ok((read(&cert_path)?, read(&key_path)?));
    }
    let (cert, key) = new_server_certificate(issuer, server_names)?;
    write_secret(&key_path, &key)?;
    write_secret(&cert_path, &cert)?;
    write_secret(&names_path, &names)?;
    Ok((cert, key))
}

/// The TLS configuration: `chain` and its key, client certificates verified against the CA
/// (optional at the TLS layer: the routes decide), HTTP/2 and HTTP/1.1.
fn server_config(
    ca_pem: &str,
    chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    key_pem: &str,
) -> anyhow::Result<rustls::ServerConfig> {
    let mut roots = RootCertStore::empty();
    for cert in certificates_from_pem(ca_pem)? {
        roots.add(cert)?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), crypto_provider())
        .allow_unauthenticated()
        .build()?;
    let mut server_config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, private_key_from_pem(key_pem)?)?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(server_config)
}

impl Pki {
    /// Loads the CA and server certificate from the configuration or the data directory, making
    /// them on first start.
    pub fn load_or_create(config: &ServeConfig) -> anyhow::Result<Pki> {
        let tls_dir = config.data_dir.join("tls");
        crate::private_files::create_private_dir(&tls_dir)?;
        let (ca_pem, ca_key_pem, created_ca) = match (&config.ca_cert, &config.ca_key) {
            (Some(cert), Some(key)) => (read(cert)?, read(key)?, false),
            _ => ca_in(&tls_dir)?,
        };
        let ca_key = KeyPair::from_pem(&ca_key_pem).context("the CA key cannot be read")?;
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key)
            .context("the CA certificate cannot be read")?;
        let (server_pem, server_key_pem) = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => (read(cert)?, read(key)?),
            _ => server_certificate_in(&tls_dir, &issuer, &config.server_names, created_ca)?,
        };
        // The chain ends with the service CA when the service made its own server certificate,
        // so that a console can trust the CA by its pinned fingerprint alone.
        let mut chain = certificates_from_pem(&server_pem)?;
        if config.tls_cert.is_none() {
            chain.extend(certificates_from_pem(&ca_pem)?);
        }
        let server_config = server_config(&ca_pem, chain, &server_key_pem)?;
        Ok(Pki {
            ca_pem,
            issuer,
            server_config: Arc::new(server_config),
            created_ca,
        })
    }

    /// The CA certificate, PEM: what a console trusts.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// SHA-256 fingerprint of the CA certificate, hex: what a provider publishes for pinning.
    pub fn ca_fingerprint(&self) -> String {
        hosting_api::tls::pem_fingerprint(&self.ca_pem).unwrap_or_default()
    }

    /// The rustls server configuration.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.server_config.clone()
    }

    /// Signs a workstation CSR for `subject`, valid from `not_before` to `not_after` (Unix seconds).
    /// Only the public key of the CSR is used: the subject and usages are the service's.
    pub fn sign_workstation(
        &self,
        csr: &Csr,
        subject: &WorkstationSubject,
        not_before: i64,
        not_after: i64,
    ) -> FaultResult<SignedCertificate> {
        let mut params = CertificateParams::default();
        let common_name = match &subject.username {
            Some(username) => format!("{} {} {}", subject.hosting_number, subject.role, username),
            None => format!("{} {}", subject.hosting_number, subject.role),
        };
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Hosting console workstation");
        params.distinguished_name.push(
            DnType::OrganizationalUnitName,
            subject.workstation_name.clone(),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.serial_number = Some(SerialNumber::from_slice(&rand::random::<[u8; 16]>()));
        params.not_before =
            time::OffsetDateTime::from_unix_timestamp(not_before).map_err(Fault::internal)?;
        params.not_after =
            time::OffsetDateTime::from_unix_timestamp(not_after).map_err(Fault::internal)?;
        let cert = params
            .signed_by(&csr.0.public_key, &self.issuer)
            .map_err(Fault::internal)?;
        Ok(SignedCertificate {
            pem: cert.pem(),
            fingerprint: fingerprint(cert.der()),
        })
    }
}

fn server_certificate_valid(pem: &str) -> bool {
    let Ok(certs) = certificates_from_pem(pem) else {
        return false;
    };
    let Ok((_, parsed)) = x509_parser::parse_x509_certificate(&certs[0]) else {
        return false;
    };
    let remaining = parsed.validity().time_to_expiration();
    remaining.is_some_and(|d| d > time::Duration::days(30))
}

fn invalid_csr() -> Fault {
    Fault::from(crate::rules::Refusal::InvalidCsr)
}
