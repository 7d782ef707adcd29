//! One counted attempt at a password (a login, an enrollment, a Client's session on a schedule's
//! endpoint), written once for all: begun
//! before anything is read, so that guesses made at the same time are all counted; cancelled
//! when the check itself cannot be made (a guess that was not made is not a failure); failed,
//! with the keys it also counts against and its audit entry, or succeeded.

use std::future::Future;

use crate::auth::FAILURE_WINDOW_SECONDS;
use crate::http::error::{ApiError, ApiResult};
use crate::store::{AttemptKey, AttemptSource, Store};

/// What is counted, and for whom.
pub(crate) struct Attempt {
    /// Who tries, from where, for the audit log.
    pub source: AttemptSource,
    /// The keys the attempt counts against (the principal, the source address).
    pub keys: Vec<AttemptKey>,
    /// The principal whose failures a success forgets.
    pub principal: String,
}

/// What a wrong attempt also writes.
pub(crate) struct Wrong {
    /// Other keys it counts against.
    pub also: Vec<String>,
    /// Its audit action.
    pub action: &'static str,
    /// Its audit detail.
    pub detail: serde_json::Value,
    /// The answer: the same for every wrong case of one kind of attempt
    /// (`ApiError::invalid_credentials` for the console's logins and enrollments).
    pub answer: fn() -> ApiError,
}

/// Runs `check` as one counted attempt in `store`: `Ok(Ok(value))` succeeds, `Ok(Err(wrong))`
/// fails and answers `wrong.answer`, `Err` cancels the attempt and answers the error.
pub(crate) async fn counted<T>(
    store: &Store,
    attempt: Attempt,
    check: impl Future<Output = ApiResult<Result<T, Wrong>>>,
) -> ApiResult<T> {
    let begun = store
        .begin_attempt(&attempt.source, &attempt.keys, FAILURE_WINDOW_SECONDS)
        .await?;
    match check.await {
        Ok(Ok(value)) => {
            store.succeed_attempt(begun, &attempt.principal).await?;
            Ok(value)
        }
        Ok(Err(wrong)) => {
            store
                .fail_attempt(
                    begun,
                    &attempt.source,
                    &wrong.also,
                    wrong.action,
                    wrong.detail,
                )
                .await?;
            Err((wrong.answer)())
        }
        Err(error) => {
            store.cancel_attempt(begun).await?;
            Err(error)
        }
    }
}
