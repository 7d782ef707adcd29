//! What the service's parts outside `http/` (blobs, endpoints, auth, pki, domains, jobs, the
//! operator's commands) answer when they do not do what was asked: domain facts, no status and
//! no sentence. `http/refusals.rs` is the one place that turns them into an answer.
//!
//! One enum for all of them rather than one per module: they fail in the same few ways (a rule
//! refuses, the store fails, the hashing slots are full, something broke), and the store's own
//! error already carries the refusals and the database's failures.

use hosting_api::ErrorCode;
use hosting_api::validate::ValidationError;

use crate::rules::Refusal;
use crate::store::StoreError;

/// Why a part of the service did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// A store call failed: not found, a refusal, a lock-out or the database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A typed value breaks its rule (the same rules as the console's, `hosting_api::validate`).
    #[error("{}", .0.message)]
    Invalid(ValidationError),
    /// Every password-hashing slot is taken and the queue is full: a deliberate back-pressure
    /// answer, not a fault of the caller's.
    #[error("busy: come back in {retry_after_seconds} s")]
    Busy {
        /// Seconds to wait.
        retry_after_seconds: u64,
    },
    /// A broken invariant or an outage (blob storage, TLS configuration, a thread that stopped).
    #[error("{0}")]
    Internal(String),
}

impl From<Refusal> for Fault {
    fn from(refusal: Refusal) -> Fault {
        Fault::Store(StoreError::Refused(refusal))
    }
}

impl From<ValidationError> for Fault {
    fn from(error: ValidationError) -> Fault {
        Fault::Invalid(error)
    }
}

impl Fault {
    /// An internal failure, described (logged once, where it becomes an answer).
    pub fn internal(error: impl std::fmt::Display) -> Fault {
        Fault::Internal(error.to_string())
    }

    /// Not found in the caller's account (`what`: `account`, `workstation`…).
    pub fn not_found(what: &'static str) -> Fault {
        Fault::Store(StoreError::NotFound(what))
    }

    /// Why, as a stable code for the audit log and the jobs' notices: the refusal's code, or
    /// the kind of failure (never the internal detail, which goes to the service's log).
    pub fn reason(&self) -> ErrorCode {
        match self {
            Fault::Store(StoreError::Refused(refusal)) => refusal.code(),
            Fault::Store(StoreError::NotFound(_)) => ErrorCode::NotFound,
            Fault::Store(StoreError::LockedOut { .. }) => ErrorCode::LockedOut,
            Fault::Invalid(error) => ErrorCode::from(error.code),
            Fault::Busy { .. } => ErrorCode::Busy,
            Fault::Store(StoreError::Database(_) | StoreError::Internal(_))
            | Fault::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// The refusal behind this fault, if a rule refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Fault::Store(StoreError::Refused(refusal)) => Some(refusal),
            _ => None,
        }
    }
}

/// Result of a call to a part of the service.
pub type FaultResult<T> = Result<T, Fault>;
