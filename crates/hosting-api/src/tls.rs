//! TLS material of a workstation: key pair and CSR made on the workstation, PEM parsing,
//! fingerprints, and the rustls client configuration (service CA only, optional client identity).

use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// A problem with certificates or keys given to the client.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// No certificate found in a PEM text.
    #[error("the PEM text holds no certificate")]
    NoCertificate,
    /// No private key found in a PEM text.
    #[error("the PEM text holds no private key")]
    NoPrivateKey,
    /// A PEM text could not be read.
    #[error("the PEM text could not be read: {0}")]
    Pem(String),
    /// rustls refused the configuration.
    #[error("the TLS configuration was refused: {0}")]
    Config(String),
    /// The key pair or CSR could not be made.
    #[error("the workstation key could not be made: {0}")]
    KeyGeneration(String),
}

/// The crypto provider of the whole workspace (aws-lc-rs).
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Every certificate of a PEM text, in order.
pub fn certificates_from_pem(pem: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(certs)
}

/// The first private key of a PEM text (PKCS#8, PKCS#1 or SEC1).
pub fn private_key_from_pem(pem: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|error| match error {
        pem::Error::NoItemsFound => TlsError::NoPrivateKey,
        error => pem_error(error),
    })
}

/// A PEM parsing error said in words: the parser's own message shows the markers as byte lists.
fn pem_error(error: pem::Error) -> TlsError {
    TlsError::Pem(match error {
        // `end_marker` is the section's label ("CERTIFICATE").
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "the line -----END {}----- is missing",
            String::from_utf8_lossy(&end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => format!(
            "the line {} does not start a section",
            String::from_utf8_lossy(&line).trim()
        ),
        pem::Error::Base64Decode(detail) => format!("a section is not valid base64 ({detail})"),
        error => error.to_string(),
    })
}

/// SHA-256 of a DER certificate, lowercase hex: how the service identifies a workstation and how
/// a person pins the service CA.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// SHA-256 fingerprint of the first certificate of a PEM text.
pub fn pem_fingerprint(pem: &str) -> Result<String, TlsError> {
    let certs = certificates_from_pem(pem)?;
    Ok(fingerprint(&certs[0]))
}

/// A key pair made on the workstation and the CSR that carries its public key.
pub struct WorkstationKey {
    /// PKCS#8 private key, PEM. Secret: it goes to the OS keyring, never to the network.
    pub key_pem: String,
    /// PKCS#10 certificate signing request, PEM: the only part that travels.
    pub csr_pem: String,
}

impl std::fmt::Debug for WorkstationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkstationKey")
            .field("key_pem", &"<secret>")
            .field("csr_pem", &self.csr_pem)
            .finish()
    }
}

impl WorkstationKey {
    /// Makes an ECDSA P-256 key pair and a CSR for it. The subject is set by the service.
    pub fn generate(workstation_name: &str) -> Result<WorkstationKey, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| TlsError::KeyGeneration(e.to_string()))?;
        let mut params = rcgen::CertificateParams::default();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, workstation_name);
        let csr = params
            .serialize_request(&key)
            .map_err(|e| TlsError::KeyGeneration(e.to_string()))?;
        Ok(WorkstationKey {
            key_pem: key.serialize_pem(),
            csr_pem: csr
                .pem()
                .map_err(|e| TlsError::KeyGeneration(e.to_string()))?,
        })
    }
}

/// A client certificate chain with its private key, both PEM.
#[derive(Clone)]
pub struct ClientIdentity {
    /// Certificate chain, PEM.
    pub certificate_pem: String,
    /// Private key, PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificate_pem", &self.certificate_pem)
            .field("key_pem", &"<secret>")
            .finish()
    }
}

/// How a client trusts the hosting service.
#[derive(Debug, Clone, Copy)]
pub enum ServerTrust<'a> {
    /// The service CA's certificate, PEM.
    Ca(&'a str),
    /// The SHA-256 fingerprint of the service CA (hex, colons allowed), as a provider publishes
    /// it: the service sends its CA in the chain, and the CA whose fingerprint matches is used.
    Pinned(&'a str),
}

/// Normalises a fingerprint: 64 hex digits, lowercase, without colons or spaces.
pub fn normalise_fingerprint(value: &str) -> Option<String> {
    let hex: String = value
        .chars()
        .filter(|c| !matches!(c, ':' | ' '))
        .collect::<String>()
        .to_lowercase();
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// A verifier that trusts the CA, sent by the service in its chain, whose SHA-256 is pinned.
#[derive(Debug)]
struct PinnedCaVerifier {
    fingerprint: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for PinnedCaVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls_pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let ca = intermediates
            .iter()
            .find(|cert| fingerprint(cert) == self.fingerprint)
            .ok_or_else(|| {
                rustls::Error::General(
                    "the service's CA does not have the pinned fingerprint".to_string(),
                )
            })?;
        let mut roots = RootCertStore::empty();
        roots
            .add(ca.clone().into_owned())
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
        verifier.verify_server_cert(end_entity, &[], server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// rustls client configuration that trusts only the given CA and presents `identity` if given.
pub fn client_config(
    ca_pem: &str,
    identity: Option<&ClientIdentity>,
) -> Result<rustls::ClientConfig, TlsError> {
    client_config_with(ServerTrust::Ca(ca_pem), identity)
}

/// rustls client configuration for `trust`, presenting `identity` if given.
pub fn client_config_with(
    trust: ServerTrust<'_>,
    identity: Option<&ClientIdentity>,
) -> Result<rustls::ClientConfig, TlsError> {
    let provider = crypto_provider();
    let versions = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match trust {
        ServerTrust::Ca(ca_pem) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates_from_pem(ca_pem)? {
                roots
                    .add(cert)
                    .map_err(|e| TlsError::Config(e.to_string()))?;
            }
            versions.with_root_certificates(roots)
        }
        ServerTrust::Pinned(pin) => {
            let fingerprint = normalise_fingerprint(pin).ok_or_else(|| {
                TlsError::Config("a CA fingerprint has 64 hexadecimal digits (SHA-256)".to_string())
            })?;
            versions
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedCaVerifier {
                    fingerprint,
                    provider,
                }))
        }
    };
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(
                certificates_from_pem(&identity.certificate_pem)?,
                private_key_from_pem(&identity.key_pem)?,
            )
            .map_err(|e| TlsError::Config(e.to_string()))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_and_csr_are_pem() {
        let key = WorkstationKey::generate("Office PC").unwrap();
        assert!(key.key_pem.contains("PRIVATE KEY"));
        assert!(key.csr_pem.contains("CERTIFICATE REQUEST"));
        assert!(private_key_from_pem(&key.key_pem).is_ok());
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }

    #[test]
    fn fingerprints_are_normalised() {
        let hex = "AB:".repeat(31) + "AB";
        assert_eq!(normalise_fingerprint(&hex), Some("ab".repeat(32)));
        assert_eq!(normalise_fingerprint("abc"), None);
        assert!(client_config_with(ServerTrust::Pinned("nope"), None).is_err());
    }

    #[test]
    fn pem_without_certificate_is_refused() {
        assert!(matches!(
            certificates_from_pem("nothing here"),
            Err(TlsError::NoCertificate)
        ));
        assert!(matches!(
            private_key_from_pem("nothing here"),
            Err(TlsError::NoPrivateKey)
        ));
    }

    #[test]
    fn pem_certificates_are_read_in_order_and_a_cut_one_is_said_in_words() {
        let first = rcgen::generate_simple_self_signed(vec!["first.example".to_string()]).unwrap();
        let second =
            rcgen::generate_simple_self_signed(vec!["second.example".to_string()]).unwrap();
        let chain = format!("{}{}", first.cert.pem(), second.cert.pem());
        let certs = certificates_from_pem(&chain).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].as_ref(), first.cert.der().as_ref());
        assert_eq!(certs[1].as_ref(), second.cert.der().as_ref());
        assert!(private_key_from_pem(&first.signing_key.serialize_pem()).is_ok());

        let cut = first.cert.pem().replace("-----END CERTIFICATE-----", "");
        let error = certificates_from_pem(&cut).unwrap_err().to_string();
        assert_eq!(
            error,
            "the PEM text could not be read: the line -----END CERTIFICATE----- is missing"
        );
    }
}
