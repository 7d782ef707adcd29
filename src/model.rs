//! Remote data as the screens see it: the previous value stays on screen while a refresh runs.

use hosting_api::{ClientError, ErrorCode};

/// Why a backend call failed, in words for the person and a code for the screen's logic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The service's error code (`invalid_credentials`, `locked_out`…), or one the console
    /// raises (`unreachable`, `keyring`…); a code from a newer service is `Unknown`, and its
    /// sentence is then the service's own.
    pub code: ErrorCode,
    /// A sentence to show next to the action.
    pub message: String,
    /// The field the error is about.
    pub field: Option<String>,
    /// Seconds to wait (`locked_out`).
    pub retry_after_seconds: Option<u64>,
}

impl Failure {
    /// A failure with a console code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            field: None,
            retry_after_seconds: None,
        }
    }
}

impl Failure {
    /// Whether the session is over: revoked or expired certificate, access withdrawn, session
    /// ended on the service.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::SessionRequired
                | ErrorCode::CertificateRevoked
                | ErrorCode::CertificateExpired
                | ErrorCode::ConsoleAccessNotGranted
        )
    }
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        match error {
            ClientError::Api {
                code,
                message,
                field,
                retry_after_seconds,
                ..
            } => Failure {
                code,
                message,
                field,
                retry_after_seconds,
            },
            ClientError::Transport(detail) => {
                tracing::warn!(%detail, "hosting service unreachable");
                Failure::new(ErrorCode::Unreachable, detail)
            }
            other => Failure::new(ErrorCode::Client, other.to_string()),
        }
    }
}

/// A piece of remote data.
#[derive(Debug, Clone, Default)]
pub enum Remote<T> {
    /// Never asked for.
    #[default]
    NotRequested,
    /// Asked for; the previous value, if any, stays on screen.
    Pending(Option<T>),
    /// Here.
    Ready(T),
    /// The last request failed; the previous value, if any, stays on screen.
    Failed(Failure, Option<T>),
}

impl<T> Remote<T> {
    /// The value to show, fresh or previous.
    pub fn value(&self) -> Option<&T> {
        match self {
            Remote::Ready(value) => Some(value),
            Remote::Pending(previous) | Remote::Failed(_, previous) => previous.as_ref(),
            Remote::NotRequested => None,
        }
    }

    /// Whether a request is in flight.
    pub fn is_pending(&self) -> bool {
        matches!(self, Remote::Pending(_))
    }

    /// The failure of the last request.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Remote::Failed(failure, _) => Some(failure),
            _ => None,
        }
    }
}

impl<T: Clone> Remote<T> {
    /// Marks a request as sent, keeping the value.
    pub fn start(&mut self) {
        *self = Remote::Pending(self.value().cloned());
    }

    /// Records the answer of a request.
    pub fn finish(&mut self, result: Result<T, Failure>) {
        *self = match result {
            Ok(value) => Remote::Ready(value),
            Err(failure) => Remote::Failed(failure, self.value().cloned()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_value_stays_while_pending_and_after_failure() {
        let mut remote = Remote::Ready(1);
        remote.start();
        assert_eq!(remote.value(), Some(&1));
        assert!(remote.is_pending());
        remote.finish(Err(Failure::new(ErrorCode::Unreachable, "failed")));
        assert_eq!(remote.value(), Some(&1));
        assert_eq!(
            remote.failure().map(|f| f.code.clone()),
            Some(ErrorCode::Unreachable)
        );
        remote.finish(Ok(2));
        assert_eq!(remote.value(), Some(&2));
    }
}
