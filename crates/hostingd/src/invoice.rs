//! The invoice number at rest: a keyed digest (HMAC-SHA256) that enrollment is checked against,
//! and a sealed copy (AES-256-GCM) that only the hosting manager's `GET /v1/account` and the
//! e-mails that send the number open. The key is 32 random bytes in `<data-dir>/invoice.key`
//! (0600), made on first start; a copy of the database without that file holds no invoice
//! number.

use std::path::{Path, PathBuf};

use anyhow::Context;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::private_files;

/// File name of the key in the data directory.
pub const KEY_FILE: &str = "invoice.key";

/// The keys that protect invoice numbers.
pub struct InvoiceKeys {
    digest: hmac::Key,
    seal: LessSafeKey,
    /// True when this start made the key file.
    pub created: bool,
    /// Where the key is kept, for error messages.
    pub path: PathBuf,
}

impl std::fmt::Debug for InvoiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvoiceKeys")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A sealed invoice number could not be opened: the key file is not the one it was sealed with.
#[derive(Debug, thiserror::Error)]
#[error(
    "an invoice number cannot be opened with the key in {0}: restore the key file of this database from its backup"
)]
pub struct SealError(pub String);

impl InvoiceKeys {
    /// Reads `<data_dir>/invoice.key`, or makes it (owner-only, atomically) when it is missing.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<InvoiceKeys> {
        let path = data_dir.join(KEY_FILE);
        let (master, created) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let master = hex::decode(text.trim())
                    .ok()
                    .filter(|bytes| bytes.len() == 32)
                    .with_context(|| {
                        format!(
                            "{} is damaged (64 hexadecimal digits are expected): restore it from the backup of the data directory",
                            path.display()
                        )
                    })?;
                private_files::restrict_file(&path)?;
                (master, false)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut master = vec![0u8; 32];
                aws_lc_rs::rand::fill(&mut master)
                    .map_err(|_| anyhow::anyhow!("no randomness for the invoice key"))?;
                private_files::write_private_atomic(
                    &path,
                    format!("{}\n", hex::encode(&master)).as_bytes(),
                )?;
                (master, true)
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        Ok(InvoiceKeys::from_master(&master, created, path))
    }

    /// Keys derived from 32 secret bytes: one for the digest, one for the sealed copy.
    fn from_master(master: &[u8], created: bool, path: PathBuf) -> InvoiceKeys {
        let derive = |label: &[u8]| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, master), label);
        let digest_key = derive(b"hostingd invoice-number digest v1");
        let seal_key = derive(b"hostingd invoice-number seal v1");
        let seal = LessSafeKey::new(
            // A 32-byte key always fits AES-256.
            UnboundKey::new(&AES_256_GCM, seal_key.as_ref())
                .unwrap_or_else(|_| unreachable!("AES-256 takes 32-byte keys")),
        );
        InvoiceKeys {
            digest: hmac::Key::new(hmac::HMAC_SHA256, digest_key.as_ref()),
            seal,
            created,
            path,
        }
    }

    fn message(hosting_number: &str, invoice_number: &str) -> Vec<u8> {
        format!("{hosting_number}:{invoice_number}").into_bytes()
    }

    /// The digest of the invoice number of account `hosting_number`, hex.
    pub fn digest(&self, hosting_number: &str, invoice_number: &str) -> String {
        hex::encode(hmac::sign(
            &self.digest,
            &Self::message(hosting_number, invoice_number),
        ))
    }

    /// True when `candidate` is the invoice number whose digest is `digest`; constant time.
    pub fn matches(&self, hosting_number: &str, digest: &str, candidate: &str) -> bool {
        let Ok(tag) = hex::decode(digest) else {
            return false;
        };
        hmac::verify(
            &self.digest,
            &Self::message(hosting_number, candidate),
            &tag,
        )
        .is_ok()
    }

    /// The invoice number sealed for account `hosting_number`: base64 of nonce and ciphertext.
    pub fn seal(&self, hosting_number: &str, invoice_number: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| anyhow::anyhow!("no randomness"))?;
        let mut in_out = invoice_number.as_bytes().to_vec();
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(hosting_number.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| anyhow::anyhow!("the invoice number could not be sealed"))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&in_out);
        Ok(BASE64.encode(sealed))
    }

    /// Opens what [`InvoiceKeys::seal`] made for account `hosting_number`.
    pub fn open(&self, hosting_number: &str, sealed: &str) -> Result<String, SealError> {
        let error = || SealError(self.path.display().to_string());
        let bytes = BASE64.decode(sealed).map_err(|_| error())?;
        if bytes.len() < NONCE_LEN {
            return Err(error());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| error())?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .seal
            .open_in_place(nonce, Aad::from(hosting_number.as_bytes()), &mut in_out)
            .map_err(|_| error())?;
        String::from_utf8(plain.to_vec()).map_err(|_| error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_and_seal_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let keys = InvoiceKeys::load_or_create(dir.path()).unwrap();
        assert!(keys.created);
        let digest = keys.digest("123456789012", "0123456789");
        assert!(keys.matches("123456789012", &digest, "0123456789"));
        assert!(!keys.matches("123456789012", &digest, "0123456788"));
        assert!(!keys.matches("123456789013", &digest, "0123456789"));
        let sealed = keys.seal("123456789012", "0123456789").unwrap();
        assert!(!sealed.contains("0123456789"));
        assert_eq!(keys.open("123456789012", &sealed).unwrap(), "0123456789");
        assert!(keys.open("123456789013", &sealed).is_err());
        // The same key is read back on the next start.
        let again = InvoiceKeys::load_or_create(dir.path()).unwrap();
        assert!(!again.created);
        assert!(again.matches("123456789012", &digest, "0123456789"));
        assert!(!format!("{again:?}").contains(&std::fs::read_to_string(&again.path).unwrap()));
    }
}
