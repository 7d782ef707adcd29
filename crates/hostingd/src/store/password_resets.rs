//! Lost passwords: a one-time code e-mailed to the hosting manager (asked on the login screen)
//! or to a superadministrator (asked by them, or by the hosting manager), valid 30 minutes,
//! used once. Only its use changes anything: the hosting manager's new password goes by SMS,
//! a superadministrator sets theirs; the old sessions end. Asking is limited to one code in 10
//! minutes a person; wrong codes lock the confirmation out for 30 minutes after 5.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::db::{Tx, query, query_scalar};
use super::{AccountRow, Actor, Store, StoreError, StoreResult, UserRow, audit, outbox};
use crate::rules::Refusal;

/// Minutes a code is valid.
pub const CODE_MINUTES: i64 = 30;
/// One code in this many seconds a person.
const ASK_EVERY_SECONDS: i64 = 600;
/// Wrong codes an account may type in [`CODE_MINUTES`].
const WRONG_CODES: i64 = 5;

/// Whose password a code resets.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// The hosting manager's console password.
    Manager,
    /// A superadministrator's password.
    User(&'a UserRow),
}

impl Owner<'_> {
    fn user_id(self) -> Option<i64> {
        match self {
            Owner::Manager => None,
            Owner::User(user) => Some(user.id),
        }
    }
}

/// The new password once the code is used, and whose it is.
pub enum NewPassword<'a> {
    /// The hosting manager's, made by the service and sent by SMS: the password and its hash.
    Manager {
        /// The password, for the SMS.
        password: &'a str,
        /// Its hash.
        hash: &'a str,
    },
    /// A superadministrator's, chosen by them: its hash.
    User {
        /// The superadministrator.
        user: &'a UserRow,
        /// The hash of the password they chose.
        hash: &'a str,
    },
}

impl NewPassword<'_> {
    fn owner(&self) -> Owner<'_> {
        match self {
            NewPassword::Manager { .. } => Owner::Manager,
            NewPassword::User { user, .. } => Owner::User(user),
        }
    }
}

/// A code as people type it: upper case, without spaces or dashes.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A new code, `XXXX-XXXX`, of letters and digits that cannot be mistaken for each other.
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let chars: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

fn digest(account_id: i64, owner: Owner<'_>, code: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(
        format!(
            "{account_id}:{}:{}",
            owner.user_id().unwrap_or(0),
            normalize(code)
        )
        .as_bytes(),
    );
    hex::encode(hash.finalize())
}

impl Store {
    /// E-mails `code` to the owner (the account's address, or the superadministrator's), unless
    /// a code was sent to them in the last 10 minutes; audited. True when it was sent.
    pub async fn request_password_reset(
        &self,
        actor: &Actor,
        account: &AccountRow,
        owner: Owner<'_>,
        code: &str,
    ) -> StoreResult<bool> {
        let now = self.now();
        let recipient = match owner {
            Owner::Manager => account.email.clone(),
            Owner::User(user) => user
                .email
                .clone()
                .filter(|e| !e.is_empty())
                .ok_or(Refusal::EmailRequired)?,
        };
        let mut tx = self.write().await?;
        let recent: i64 = query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE account_id = $1 AND COALESCE(user_id, 0) = $2 AND created_at > $3",
        )
        .bind(account.id)
        .bind(owner.user_id().unwrap_or(0))
        .bind(now - ASK_EVERY_SECONDS)
        .fetch_one(&mut tx)
        .await?;
        if recent > 0 {
            return Ok(false);
        }
        query(
            "INSERT INTO password_resets (account_id, user_id, code_digest, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account.id)
        .bind(owner.user_id())
        .bind(digest(account.id, owner, code))
        .bind(now)
        .bind(now + CODE_MINUTES * 60)
        .execute(&mut tx)
        .await?;
        let message = crate::messages::password_reset_email(
            &account.school_name,
            match owner {
                Owner::Manager => None,
                Owner::User(user) => Some(user.username.as_str()),
            },
            code,
            CODE_MINUTES,
        );
        outbox::enqueue(&mut tx, account.id, now, "email", &recipient, &message).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "password.reset_requested",
            json!({"user_id": owner.user_id()}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Uses `code` of the new password's owner: sets the password, ends the owner's sessions,
    /// sends the hosting manager's new password by SMS; audited. A wrong, used or expired code
    /// changes nothing but is counted; after 5 in 30 minutes the account is locked out of this.
    pub async fn confirm_password_reset(
        &self,
        actor: &Actor,
        account: &AccountRow,
        code: &str,
        password: NewPassword<'_>,
    ) -> StoreResult<()> {
        let owner = password.owner();
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_not_locked_out(&mut tx, account.id, now).await?;
        let found: Option<i64> = query_scalar(
            "SELECT id FROM password_resets WHERE account_id = $1 AND COALESCE(user_id, 0) = $2 AND code_digest = $3 AND used_at IS NULL AND expires_at > $4",
        )
        .bind(account.id)
        .bind(owner.user_id().unwrap_or(0))
        .bind(digest(account.id, owner, code))
        .bind(now)
        .fetch_optional(&mut tx)
        .await?;
        let Some(reset_id) = found else {
            audit::record(
                &mut tx,
                actor,
                now,
                "password.reset_refused",
                json!({"user_id": owner.user_id()}),
            )
            .await?;
            tx.commit().await?;
            return Err(Refusal::InvalidResetCode.into());
        };
        // Every code of this person is used up by this one.
        query(
            "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND COALESCE(user_id, 0) = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(account.id)
        .bind(owner.user_id().unwrap_or(0))
        .execute(&mut tx)
        .await?;
        let sessions_ended = set_password(&mut tx, account, &password, now).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "password.reset",
            json!({"user_id": owner.user_id(), "reset_id": reset_id, "sessions_ended": sessions_ended}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a confirmation while the account is locked out of it: [`WRONG_CODES`] wrong codes in
/// the last [`CODE_MINUTES`] minutes (read in the transaction that uses the code).
async fn ensure_not_locked_out(tx: &mut Tx, account_id: i64, now: i64) -> StoreResult<()> {
    let window = now - CODE_MINUTES * 60;
    let wrong: Vec<i64> = query_scalar(
        "SELECT at FROM audit_log WHERE account_id = $1 AND action = 'password.reset_refused' AND at > $2 ORDER BY at",
    )
    .bind(account_id)
    .bind(window)
    .fetch_all(&mut *tx)
    .await?;
    if i64::try_from(wrong.len()).unwrap_or(i64::MAX) >= WRONG_CODES {
        let oldest = wrong.first().copied().unwrap_or(now);
        return Err(StoreError::LockedOut {
            retry_after_seconds: u64::try_from(oldest + CODE_MINUTES * 60 - now)
                .unwrap_or(60)
                .max(1),
        });
    }
    Ok(())
}

/// Sets the new password in the transaction that uses the code, the hosting manager's (sent by
/// SMS) or a superadministrator's: the account's failed attempts are cleared and the owner's
/// sessions end. The number of sessions ended.
async fn set_password(
    tx: &mut Tx,
    account: &AccountRow,
    password: &NewPassword<'_>,
    now: i64,
) -> StoreResult<u64> {
    match *password {
        NewPassword::Manager { password, hash } => {
            super::accounts::replace_manager_password(tx, account, password, hash, now).await
        }
        NewPassword::User { user, hash } => {
            query("UPDATE users SET password_hash = $1 WHERE id = $2 AND account_id = $3")
                .bind(hash)
                .bind(user.id)
                .bind(account.id)
                .execute(&mut *tx)
                .await?;
            super::attempts::clear_account(tx, &account.hosting_number, Some(account.id)).await?;
            super::users::end_user_sessions(tx, account.id, user.id, now).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_loosely_and_drawn_from_an_unambiguous_alphabet() {
        assert_eq!(normalize(" ab3d-ef9h "), "AB3DEF9H");
        let code = new_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(
            normalize(&code)
                .chars()
                .all(|c| !"O0I1".contains(c) && c.is_ascii_alphanumeric())
        );
        assert_ne!(new_code(), new_code());
    }
}
