//! The endpoint CA: it signs the certificates of the schedules' endpoints (what PRONOTE clients
//! connect to), and nothing else. It is not the service CA that consoles trust for the API, and
//! its certificate carries X.509 name constraints: it may only sign names under the public zone
//! and under the domains the operator verified (`hostingd verify-domain`), never an IP address.
//! A stolen endpoint CA key therefore cannot impersonate the API, nor any other site.
//!
//! Its key is made once and kept (`tls/endpoint-ca.key`, 0600). When the list of permitted names
//! changes (a domain is verified, the zone changes), the CA certificate is issued again with the
//! same key and subject: clients that trust the previous certificate keep reaching every name
//! they could reach before, and need the new certificate only for the new names.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use hosting_api::tls::{certificates_from_pem, crypto_provider, private_key_from_pem};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};

/// File name of the endpoint CA certificate in the TLS directory.
pub const CERT_FILE: &str = "endpoint-ca.pem";
/// File name of the endpoint CA key in the TLS directory.
pub const KEY_FILE: &str = "endpoint-ca.key";

struct Current {
    pem: String,
    permitted: Vec<String>,
}

/// The endpoint CA of a running service.
pub struct EndpointCa {
    dir: PathBuf,
    zone: String,
    key_pem: String,
    current: Mutex<Current>,
}

impl std::fmt::Debug for EndpointCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointCa")
            .field("dir", &self.dir)
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

/// The permitted DNS names: the zone and the verified domains, sorted, without duplicates.
fn permitted_names(zone: &str, verified: &[String]) -> Vec<String> {
    let mut names: Vec<String> = std::iter::once(zone.to_string())
        .chain(verified.iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Writes `contents` to `path` with owner-only permissions, through a temporary file in the same
/// directory and a rename, so that a crash never leaves a half-written file.
fn write_atomically(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("a file path without a name")?;
    let temp = path.with_file_name(format!(
        ".{name}.{}.tmp",
        hex::encode(rand::random::<[u8; 8]>())
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    if let Err(error) = renamed {
        let _ = std::fs::remove_file(&temp);
        return Err(error).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The CA parameters for `permitted` names: a fixed subject, so that every issue chains to the
/// same key under the same name.
fn ca_params(permitted: &[String]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "Hosting service endpoint CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Hosting console");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted
            .iter()
            .map(|name| GeneralSubtree::DnsName(name.clone()))
            .collect(),
        excluded_subtrees: vec![
            GeneralSubtree::IpAddress(CidrSubnet::V4([0; 4], [0; 4])),
            GeneralSubtree::IpAddress(CidrSubnet::V6([0; 16], [0; 16])),
        ],
    });
    params
}

fn issue_ca(key_pem: &str, permitted: &[String]) -> anyhow::Result<String> {
    let key = KeyPair::from_pem(key_pem).context("the endpoint CA key cannot be read")?;
    let mut params = ca_params(permitted);
    params.serial_number = Some(SerialNumber::from_slice(&rand::random::<[u8; 16]>()));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    Ok(params.self_signed(&key)?.pem())
}

/// The DNS names a CA certificate permits, or `None` when it cannot be read or expires within a
/// year (then it is issued again).
fn permitted_in(pem: &str) -> Option<Vec<String>> {
    let der = certificates_from_pem(pem).ok()?.into_iter().next()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    if cert
        .validity()
        .time_to_expiration()
        .is_none_or(|left| left < time::Duration::days(365))
    {
        return None;
    }
    let constraints = cert.name_constraints().ok()??;
    let mut names: Vec<String> = constraints
        .value
        .permitted_subtrees
        .as_ref()?
        .iter()
        .filter_map(|subtree| match subtree.base {
            x509_parser::extensions::GeneralName::DNSName(name) => Some(name.to_string()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

impl EndpointCa {
    /// Loads the endpoint CA from `dir` (the service's TLS directory), making its key on first
    /// start, and issues its certificate again when the permitted names changed. A certificate
    /// without its key is refused: making a new key silently would break every PRONOTE client
    /// that trusts the old one.
    pub fn load_or_create(dir: &Path, zone: &str, verified: &[String]) -> anyhow::Result<Self> {
        let key_path = dir.join(KEY_FILE);
        let cert_path = dir.join(CERT_FILE);
        let key_pem = if key_path.exists() {
            read(&key_path)?
        } else if cert_path.exists() {
            anyhow::bail!(
                "{} exists without {}: restore the key from a backup, or remove both files to make a new endpoint CA (PRONOTE clients must then trust the new one)",
                cert_path.display(),
                key_path.display()
            );
        } else {
            let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
            let pem = key.serialize_pem();
            write_atomically(&key_path, &pem)?;
            pem
        };
        let ca = EndpointCa {
            dir: dir.to_path_buf(),
            zone: zone.to_string(),
            key_pem,
            current: Mutex::new(Current {
                pem: if cert_path.exists() {
                    read(&cert_path)?
                } else {
                    String::new()
                },
                permitted: Vec::new(),
            }),
        };
        ca.certificate(verified)?;
        Ok(ca)
    }

    /// The CA certificate (PEM) permitting the zone and `verified`, issued again (same key) and
    /// saved when the current one permits other names.
    pub fn certificate(&self, verified: &[String]) -> anyhow::Result<String> {
        let wanted = permitted_names(&self.zone, verified);
        let mut current = self
            .current
            .lock()
            .map_err(|_| anyhow::anyhow!("the endpoint CA lock is poisoned"))?;
        if current.permitted != wanted {
            if permitted_in(&current.pem).as_ref() != Some(&wanted) {
                let pem = issue_ca(&self.key_pem, &wanted)?;
                write_atomically(&self.dir.join(CERT_FILE), &pem)?;
                current.pem = pem;
            }
            current.permitted = wanted;
        }
        Ok(current.pem.clone())
    }

    /// A TLS configuration for an endpoint at `host`: a certificate for that name alone, signed
    /// by the endpoint CA, sent with the CA certificate, without client certificates.
    pub fn server_config(
        &self,
        host: &str,
        verified: &[String],
    ) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let ca_pem = self.certificate(verified)?;
        let ca_key = KeyPair::from_pem(&self.key_pem)?;
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key)?;
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![SanType::DnsName(host.try_into()?)];
        params.distinguished_name.push(DnType::CommonName, host);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.serial_number = Some(SerialNumber::from_slice(&rand::random::<[u8; 16]>()));
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(397);
        let cert = params.signed_by(&key, &issuer)?;
        let mut chain = certificates_from_pem(&cert.pem())?;
        chain.extend(certificates_from_pem(&ca_pem)?);
        let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, private_key_from_pem(&key.serialize_pem())?)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_certificate_is_issued_again_only_when_the_names_change() {
        let dir = tempfile::tempdir().unwrap();
        let zone = "hosting.example.org";
        let ca = EndpointCa::load_or_create(dir.path(), zone, &[]).unwrap();
        let first = ca.certificate(&[]).unwrap();
        assert_eq!(permitted_in(&first).unwrap(), vec![zone.to_string()]);
        let again = EndpointCa::load_or_create(dir.path(), zone, &[]).unwrap();
        assert_eq!(again.certificate(&[]).unwrap(), first, "kept across starts");
        let verified = vec!["school.fr".to_string()];
        let second = again.certificate(&verified).unwrap();
        assert_ne!(second, first);
        assert_eq!(
            permitted_in(&second).unwrap(),
            vec!["hosting.example.org".to_string(), "school.fr".to_string()]
        );
        assert_eq!(read(&dir.path().join(CERT_FILE)).unwrap(), second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_certificate_without_its_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        EndpointCa::load_or_create(dir.path(), "zone.test", &[]).unwrap();
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let error = EndpointCa::load_or_create(dir.path(), "zone.test", &[]).unwrap_err();
        assert!(error.to_string().contains("without"), "{error}");
    }
}
