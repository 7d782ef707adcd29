//! What the service's parts outside `http/` (blobs, endpoints, auth, pki, domains, jobs, the
//! operator's commands) answer when they do not do what was asked: domain facts, no status and
//! no sentence. `http/refusals.rs` is the one place that turns them into an answer.
//!
//! One enum for all of them rather than one per module: they fail in the same few ways (a rule
//! refuses, the store fails, the hashing slots are full, something broke), and the store's own
//! error already carries the refusals and the database's failures.
//!
//! [`FaultPoints`] is the other side: where the fault suite makes a job fail or wait between two
//! of its steps.

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
    /// The blob storage does not answer (an outage or a restart): the caller should come back.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A broken invariant (TLS configuration, a thread that stopped, an answer that makes no
    /// sense).
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
            Fault::Unavailable(_) => ErrorCode::Unavailable,
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

/// A point between two steps of a job where the fault suite makes something go wrong, to see
/// what the service does about it (nothing arms one in a running service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// The new base of September: its ledger row is claimed, the server not yet shut down.
    SeptemberBeforeShutdown,
    /// The new base of September: the server was shut down, the new base not yet made.
    SeptemberAfterShutdown,
    /// The new base of September failed: the old base is about to be put back online.
    SeptemberPutBack,
}

/// What a test armed at a point.
#[derive(Debug)]
enum Armed {
    /// Every pass fails, until cleared.
    Fail,
    /// The next pass waits: `reached` is sent, then it goes on when `resume` is.
    Pause {
        reached: tokio::sync::oneshot::Sender<()>,
        resume: tokio::sync::oneshot::Receiver<()>,
    },
}

/// The fault points of one service, armed by the fault suite ([`FaultPoints::fail_at`],
/// [`FaultPoints::pause_at`]); the jobs pass them with [`FaultPoints::pass`].
#[derive(Debug, Default)]
pub struct FaultPoints {
    armed: std::sync::Mutex<Vec<(FaultPoint, Armed)>>,
}

/// A pause armed at a point: the job waiting there goes on when this is resumed or dropped.
#[derive(Debug)]
pub struct Paused {
    reached: tokio::sync::oneshot::Receiver<()>,
    resume: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Paused {
    /// Waits until a job stands at the point.
    pub async fn reached(&mut self) {
        let _ = (&mut self.reached).await;
    }

    /// Lets the job go on.
    pub fn resume(mut self) {
        if let Some(resume) = self.resume.take() {
            let _ = resume.send(());
        }
    }
}

impl FaultPoints {
    /// Every pass at `point` fails from now on, until [`FaultPoints::clear`].
    pub fn fail_at(&self, point: FaultPoint) {
        self.lock().push((point, Armed::Fail));
    }

    /// The next pass at `point` waits until the answer is resumed.
    pub fn pause_at(&self, point: FaultPoint) -> Paused {
        let (reached_tx, reached) = tokio::sync::oneshot::channel();
        let (resume_tx, resume) = tokio::sync::oneshot::channel();
        self.lock().push((
            point,
            Armed::Pause {
                reached: reached_tx,
                resume,
            },
        ));
        Paused {
            reached,
            resume: Some(resume_tx),
        }
    }

    /// Disarms `point`.
    pub fn clear(&self, point: FaultPoint) {
        self.lock().retain(|(armed, _)| *armed != point);
    }

    /// A job passes `point`: it waits there if a pause is armed, and fails if a failure is.
    pub async fn pass(&self, point: FaultPoint) -> FaultResult<()> {
        let pause = {
            let mut armed = self.lock();
            let paused = armed
                .iter()
                .position(|(p, a)| *p == point && matches!(a, Armed::Pause { .. }));
            paused.map(|index| armed.remove(index).1)
        };
        if let Some(Armed::Pause { reached, resume }) = pause {
            let _ = reached.send(());
            let _ = resume.await;
        }
        let fails = self
            .lock()
            .iter()
            .any(|(p, a)| *p == point && matches!(a, Armed::Fail));
        if fails {
            return Err(Fault::internal(format!("a failure armed at {point:?}")));
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(FaultPoint, Armed)>> {
        // A test that panicked while arming leaves the list as it was: still usable.
        self.armed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
