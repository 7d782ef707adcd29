//! The one error type of the service: a stable code, a sentence a person can act on, and the HTTP
//! status. Client errors are not logged as errors; internal errors are logged once and answered
//! with a generic sentence.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hosting_api::ErrorCode;
use hosting_api::types::{ErrorBody, ErrorDetail};
use hosting_api::validate::ValidationError;

/// An error answered to the caller.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller sent something wrong, or is asked to come back later (`503 busy`); answered
    /// as is.
    #[error("{message}")]
    Client {
        /// HTTP status (4xx, or 503 for `busy`).
        status: StatusCode,
        /// Stable code.
        code: ErrorCode,
        /// Sentence.
        message: String,
        /// The field the error is about.
        field: Option<&'static str>,
        /// Seconds to wait, for `locked_out`, `rate_limited` and `busy`.
        retry_after_seconds: Option<u64>,
    },
    /// A bug or an outage: logged, answered with a generic sentence.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a handler or store call.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A client error.
    pub fn client(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_seconds: None,
        }
    }

    /// The same error, about `name`.
    pub fn with_field(self, name: &'static str) -> ApiError {
        match self {
            ApiError::Client {
                status,
                code,
                message,
                retry_after_seconds,
                ..
            } => ApiError::Client {
                status,
                code,
                message,
                field: Some(name),
                retry_after_seconds,
            },
            other => other,
        }
    }

    /// `400 bad_request`-like errors with a code.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::BAD_REQUEST, code, message)
    }

    /// `404 not_found`.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::client(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!(
                "No {what} with this identifier in your account. Refresh the list and try again."
            ),
        )
    }

    /// `409` with a code.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::CONFLICT, code, message)
    }

    /// `403` with a code.
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::FORBIDDEN, code, message)
    }

    /// The same answer for every wrong-credential case.
    pub fn invalid_credentials() -> ApiError {
        ApiError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "These logins are not right. Check the hosting number, the password and the invoice number, or use \"Receive my hosting logins\".",
        )
    }

    /// `429 locked_out`.
    pub fn locked_out(retry_after_seconds: u64) -> ApiError {
        let minutes = retry_after_seconds.div_ceil(60).max(1);
        ApiError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: ErrorCode::LockedOut,
            message: format!(
                "Too many failed attempts on this account. Wait {minutes} minute(s), then try again."
            ),
            field: None,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }

    /// `429 proforma_limit_reached`: the account made `per_day` pro-forma invoices today; the
    /// next one is made after `Retry-After` (the next day of the service's clock).
    pub fn proforma_limit_reached(per_day: i64, retry_after_seconds: u64) -> ApiError {
        ApiError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: ErrorCode::ProformaLimitReached,
            message: format!(
                "Your account has made {per_day} pro-forma invoices today, the most in a day. Make the next one tomorrow; the ones already made are in the list."
            ),
            field: None,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }

    /// `429 rate_limited`: too many requests from the caller's address.
    pub fn rate_limited(retry_after_seconds: u64) -> ApiError {
        ApiError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: ErrorCode::RateLimited,
            message: format!(
                "Too many requests from your network address. Wait {retry_after_seconds} second(s), then try again."
            ),
            field: None,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }

    /// `503 busy`: every password-hashing slot is taken and the queue is full. A deliberate
    /// back-pressure answer (the caller did nothing wrong and should come back), not a fault.
    pub fn busy(retry_after_seconds: u64) -> ApiError {
        ApiError::Client {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ErrorCode::Busy,
            message: format!(
                "The hosting service is checking many passwords right now. Wait {retry_after_seconds} second(s), then try again."
            ),
            field: None,
            retry_after_seconds: Some(retry_after_seconds),
        }
    }

    /// `503 unavailable`: the database or the blob storage does not answer (`what`, logged,
    /// never said); the caller comes back after `Retry-After`, and nothing it sent before is
    /// lost.
    pub fn unavailable(what: &str) -> ApiError {
        tracing::error!(error = %what, "storage unavailable");
        ApiError::Client {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ErrorCode::Unavailable,
            message: format!(
                "The hosting service cannot reach its storage right now. Wait {UNAVAILABLE_RETRY_SECONDS} seconds, then try again: nothing you sent before is lost."
            ),
            field: None,
            retry_after_seconds: Some(UNAVAILABLE_RETRY_SECONDS),
        }
    }

    /// `408 request_timeout`: the request took longer than the service allows.
    pub fn request_timeout(seconds: u64) -> ApiError {
        ApiError::client(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            format!(
                "The request took longer than {seconds} second(s) and was stopped. Check your connection, then try again."
            ),
        )
    }

    /// `413 payload_too_large`: a JSON body over [`crate::http::MAX_BODY_BYTES`].
    pub fn payload_too_large() -> ApiError {
        ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "The body is too large for this request (at most 64 KiB).",
        )
    }

    /// `401 certificate_required`.
    pub fn certificate_required() -> ApiError {
        ApiError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::CertificateRequired,
            "This workstation has no valid certificate for this service: install the certificate with the invoice number.",
        )
    }

    /// `401 session_required`.
    pub fn session_required() -> ApiError {
        ApiError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionRequired,
            "Your session has ended or is not valid on this workstation. Log in again.",
        )
    }

    /// An internal error, logged once here.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        let text = error.to_string();
        tracing::error!(error = %text, "internal error");
        ApiError::Internal(text)
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> ApiError {
        ApiError::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::from(error.code),
            message: error.message,
            field: Some(error.field),
            retry_after_seconds: None,
        }
    }
}

/// What a caller is asked to wait while the storage does not answer, in seconds.
pub const UNAVAILABLE_RETRY_SECONDS: u64 = 5;

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        if database_unreachable(&error) {
            ApiError::unavailable(&format!("database: {error}"))
        } else {
            ApiError::internal(format!("database: {error}"))
        }
    }
}

/// Whether a database error says the database cannot be reached now (the connection, the
/// pool, a server shutting down or starting), rather than a fault of the query.
fn database_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL's connection exceptions (08…) and operator intervention (57P01
        // admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
        sqlx::Error::Database(error) => error
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            ApiError::Client {
                status,
                code,
                message,
                field,
                retry_after_seconds,
            } => (
                status,
                ErrorDetail {
                    code,
                    message,
                    field: field.map(str::to_string),
                    retry_after_seconds,
                },
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorDetail {
                    code: ErrorCode::InternalError,
                    message: "The hosting service had a problem. Try again in a moment; if it persists, contact support.".to_string(),
                    field: None,
                    retry_after_seconds: None,
                },
            ),
        };
        let retry_after = detail.retry_after_seconds;
        let mut response = (status, axum::Json(ErrorBody { error: detail })).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
