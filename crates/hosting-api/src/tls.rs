//! TLS material of a workstation: key pair and CSR made on the workstation, PEM parsing,
//! fingerprints, and the rustls client configuration (service CA only, optional client identity).

use std::sync::Arc;

use rustls::RootCertStore;
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
    let certs = rustls_pemfile::certs(&mut pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(certs)
}

/// The first private key of a PEM text.
pub fn private_key_from_pem(pem: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    rustls_pemfile::private_key(&mut pem.as_bytes())
        .map_err(|e| TlsError::Pem(e.to_string()))?
        .ok_or(TlsError::NoPrivateKey)
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

/// rustls client configuration that trusts only the given CA and presents `identity` if given.
pub fn client_config(
    ca_pem: &str,
    identity: Option<&ClientIdentity>,
) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates_from_pem(ca_pem)? {
        roots
            .add(cert)
            .map_err(|e| TlsError::Config(e.to_string()))?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(roots);
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
    fn pem_without_certificate_is_refused() {
        assert!(matches!(
            certificates_from_pem("nothing here"),
            Err(TlsError::NoCertificate)
        ));
    }
}
