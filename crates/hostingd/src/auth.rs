//! Credentials: argon2id password hashes (a bounded number at once), session tokens, generated
//! numbers and passwords, and the lock-out after repeated failures.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};
use crate::store::Store;

/// Failed attempts that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// The window in which failures count, and the lock-out duration, in seconds.
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;
/// A session ends after this much idle time.
pub const SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session ends this long after login, used or not.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;

/// Hashes and verifies passwords with argon2id (m = 19 MiB, t = 2, p = 1), at most `permits` at
/// once so that a burst of logins cannot exhaust memory.
pub struct Passwords {
    permits: Arc<Semaphore>,
    dummy_hash: String,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &[u8]) -> ApiResult<String> {
    argon2()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
}

impl Passwords {
    /// A hasher that runs at most `permits` hashes at once.
    pub fn new(permits: usize) -> ApiResult<Passwords> {
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            dummy_hash: hash_now(b"no account has this password")?,
        })
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &str) -> ApiResult<String> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let password = password.as_bytes().to_vec();
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(ApiError::internal)?
    }

    /// Whether `password` matches `hash`. Without a hash (unknown account or user) a dummy hash
    /// is checked, so that the answer takes the same time either way.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> ApiResult<bool> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_string();
        let password = password.as_bytes().to_vec();
        let matches = tokio::task::spawn_blocking(move || {
            argon2().verify_password(&password, hash.as_str()).is_ok()
        })
        .await
        .map_err(ApiError::internal)?;
        Ok(known && matches)
    }
}

/// A new session token and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `count` random digits (the first one not zero).
pub fn random_digits(count: usize) -> String {
    let mut rng = rand::rng();
    (0..count)
        .map(|i| {
            let low = if i == 0 { 1 } else { 0 };
            char::from(b'0' + rng.random_range(low..10u8))
        })
        .collect()
}

/// A 14-character console password from an alphabet without look-alike characters, with at
/// least one lowercase letter, one uppercase letter and one digit.
pub fn new_console_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rng();
    loop {
        let password: String = (0..hosting_api::validate::CONSOLE_PASSWORD_CHARS)
            .map(|_| {
                let set = match rng.random_range(0..3) {
                    0 => LOWER,
                    1 => UPPER,
                    _ => DIGITS,
                };
                char::from(set[rng.random_range(0..set.len())])
            })
            .collect();
        let has = |set: &[u8]| password.bytes().any(|b| set.contains(&b));
        if has(LOWER) && has(UPPER) && has(DIGITS) {
            return password;
        }
    }
}

/// Refuses with `429 locked_out` when `hosting_number` had too many recent failures.
pub async fn ensure_not_locked_out(store: &Store, hosting_number: &str) -> ApiResult<()> {
    let now = store.now();
    let (failures, oldest) = store
        .login_failures(hosting_number, now - FAILURE_WINDOW_SECONDS)
        .await?;
    if failures >= MAX_FAILURES {
        let unlock_at = oldest.unwrap_or(now) + FAILURE_WINDOW_SECONDS;
        let wait = u64::try_from((unlock_at - now).max(1)).unwrap_or(1);
        return Err(ApiError::locked_out(wait));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_follow_the_formats() {
        let password = new_console_password();
        assert!(hosting_api::validate::console_password(&password).is_ok());
        assert!(hosting_api::validate::hosting_number(&random_digits(12)).is_ok());
        assert!(hosting_api::validate::invoice_number(&random_digits(10)).is_ok());
        let (token, hash) = new_token();
        assert_eq!(token_hash(&token), hash);
        assert_ne!(token, hash);
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_never_matches() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("Correct1Horse").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            passwords
                .verify("Correct1Horse", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!passwords.verify("Wrong1Horse", Some(&hash)).await.unwrap());
        assert!(
            !passwords
                .verify("no account has this password", None)
                .await
                .unwrap()
        );
    }
}
