//! What the store answers when it does not do what was asked: domain facts, no status and no
//! sentence (`http/` chooses those).

use crate::rules::Refusal;

/// Why a store call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such thing in the caller's account (`what`: `schedule`, `base`, `user`…).
    #[error("no {0} with this identifier in the account")]
    NotFound(&'static str),
    /// A rule of the domain refuses the change; the caller may correct it.
    #[error("{0}")]
    Refused(Refusal),
    /// Too many failed attempts on an account or from an address.
    #[error("locked out for {retry_after_seconds} s")]
    LockedOut {
        /// Seconds until the oldest counted failure leaves the window.
        retry_after_seconds: u64,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// An invariant broke (a vanished account, an invoice number that cannot be sealed).
    #[error("{0}")]
    Internal(String),
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> StoreError {
        StoreError::Refused(refusal)
    }
}

impl StoreError {
    /// An internal failure, described.
    pub fn internal(error: impl std::fmt::Display) -> StoreError {
        StoreError::Internal(error.to_string())
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;
