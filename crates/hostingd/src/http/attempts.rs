//! One counted attempt at a password (a login, an enrollment), written once for both: begun
//! before anything is read, so that guesses made at the same time are all counted; cancelled
//! when the check itself cannot be made (a guess that was not made is not a failure); failed,
//! with the keys it also counts against and its audit entry, or succeeded.

use std::future::Future;

use crate::auth::FAILURE_WINDOW_SECONDS;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::store::{AttemptKey, AttemptSource};

/// What is counted, and for whom.
pub(super) struct Attempt {
    /// Who tries, from where, for the audit log.
    pub source: AttemptSource,
    /// The keys the attempt counts against (the principal, the source address).
    pub keys: Vec<AttemptKey>,
    /// The principal whose failures a success forgets.
    pub principal: String,
}

/// What a wrong attempt also writes.
pub(super) struct Wrong {
    /// Other keys it counts against.
    pub also: Vec<String>,
    /// Its audit action.
    pub action: &'static str,
    /// Its audit detail.
    pub detail: serde_json::Value,
}

/// Runs `check` as one counted attempt: `Ok(Ok(value))` succeeds, `Ok(Err(wrong))` fails and
/// answers `401 invalid_credentials` (the same answer for every wrong case), `Err` cancels the
/// attempt and answers the error.
pub(super) async fn counted<T>(
    state: &AppState,
    attempt: Attempt,
    check: impl Future<Output = ApiResult<Result<T, Wrong>>>,
) -> ApiResult<T> {
    let begun = state
        .store
        .begin_attempt(&attempt.source, &attempt.keys, FAILURE_WINDOW_SECONDS)
        .await?;
    match check.await {
        Ok(Ok(value)) => {
            state
                .store
                .succeed_attempt(begun, &attempt.principal)
                .await?;
            Ok(value)
        }
        Ok(Err(wrong)) => {
            state
                .store
                .fail_attempt(
                    begun,
                    &attempt.source,
                    &wrong.also,
                    wrong.action,
                    wrong.detail,
                )
                .await?;
            Err(ApiError::invalid_credentials())
        }
        Err(error) => {
            state.store.cancel_attempt(begun).await?;
            Err(error)
        }
    }
}
