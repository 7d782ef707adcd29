//! One request handle per call: a screen (or a slot of [`SessionData`](crate::session::SessionData))
//! starts a [`Call`] on the backend and keeps the [`Request`] it fills. The request keeps the
//! previous value while the next one is pending and the failure of the last answer; starting a
//! new call drops the previous one's answer, so a stale answer never overwrites a newer one.
//!
//! A follow-up that must happen whatever screen is shown ("after accepting the licence, reload
//! the account") is attached to the call with [`Call::then`]: it runs on the UI thread, on the
//! session data, when the answer arrives and the request still waits for it.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::oneshot;

use crate::model::{Failure, Remote};
use crate::session::SessionData;

/// A change to the session data, made on the UI thread when a call ends.
pub type Patch = Box<dyn FnOnce(&mut SessionData) + Send>;

/// A follow-up of a successful call.
pub(crate) type Then<T> = Box<dyn FnOnce(&mut SessionData, &T) + Send>;

/// The work of a call, as the backend runs it.
pub(crate) type Work<T> = Pin<Box<dyn Future<Output = Result<T, Failure>> + Send>>;

/// A call prepared on the backend: nothing runs until it is started in a [`Request`] (or
/// [`detached`](Call::detach)).
#[must_use = "a call runs only once started in a Request or detached"]
pub struct Call<T> {
    pub(crate) backend: crate::backend::Backend,
    pub(crate) work: Work<T>,
    pub(crate) then: Option<Then<T>>,
    /// A failure that ends the session ends it in the window too.
    pub(crate) watch_session: bool,
}

impl<T: Clone + Send + 'static> Call<T> {
    /// Runs `follow_up` on the session data when the call succeeds (and is still awaited).
    pub fn then(mut self, follow_up: impl FnOnce(&mut SessionData, &T) + Send + 'static) -> Self {
        self.then = Some(Box::new(follow_up));
        self
    }

    /// Runs the call for its follow-up only: nobody waits for its answer.
    pub fn detach(self) {
        let (tx, rx) = oneshot::channel();
        // Kept alive by the task itself, so that the follow-up runs.
        let backend = self.backend.clone();
        backend.spawn(self, tx, Some(rx));
    }

    fn start(self) -> oneshot::Receiver<Result<T, Failure>> {
        let (tx, rx) = oneshot::channel();
        let backend = self.backend.clone();
        backend.spawn(self, tx, None);
        rx
    }
}

/// The state of one remote value or action, filled by the backend.
pub struct Request<T> {
    state: Remote<T>,
    answer: Option<oneshot::Receiver<Result<T, Failure>>>,
}

impl<T> Default for Request<T> {
    fn default() -> Self {
        Request {
            state: Remote::NotRequested,
            answer: None,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("state", &self.state)
            .field("pending", &self.answer.is_some())
            .finish()
    }
}

impl<T: Clone + Send + 'static> Request<T> {
    /// Starts `call`, keeping the value on screen; the answer of any earlier call is dropped.
    pub fn start(&mut self, call: Call<T>) {
        self.state.start();
        self.answer = Some(call.start());
    }

    /// Takes the answer if it arrived: `Some` once, in the frame it arrives.
    pub fn poll(&mut self) -> Option<Result<&T, &Failure>> {
        let receiver = self.answer.as_mut()?;
        let result = match receiver.try_recv() {
            Ok(result) => result,
            Err(oneshot::error::TryRecvError::Empty) => return None,
            // The backend stopped (the window is closing): nothing will come.
            Err(oneshot::error::TryRecvError::Closed) => Err(Failure::new(
                hosting_api::ErrorCode::Cancelled,
                "The request was cancelled.",
            )),
        };
        self.answer = None;
        self.state.finish(result);
        match &self.state {
            Remote::Ready(value) => Some(Ok(value)),
            Remote::Failed(failure, _) => Some(Err(failure)),
            Remote::NotRequested | Remote::Pending(_) => None,
        }
    }

    /// Sets the value from elsewhere (an action's answer carries the new state of a resource);
    /// a reload in flight still replaces it when it ends.
    pub fn set(&mut self, value: T) {
        self.state = match std::mem::take(&mut self.state) {
            Remote::Pending(_) => Remote::Pending(Some(value)),
            _ => Remote::Ready(value),
        };
    }

    /// Changes the value in place, if there is one.
    pub fn update(&mut self, change: impl FnOnce(&mut T)) {
        match &mut self.state {
            Remote::Ready(value)
            | Remote::Pending(Some(value))
            | Remote::Failed(_, Some(value)) => change(value),
            _ => {}
        }
    }
}

impl<T> Request<T> {
    /// The value to show, fresh or previous.
    pub fn value(&self) -> Option<&T> {
        match &self.state {
            Remote::Ready(value) => Some(value),
            Remote::Pending(previous) | Remote::Failed(_, previous) => previous.as_ref(),
            Remote::NotRequested => None,
        }
    }

    /// Whether a call is in flight.
    pub fn is_pending(&self) -> bool {
        self.answer.is_some()
    }

    /// Whether the last call succeeded (a form shows its "saved" line).
    pub fn is_done(&self) -> bool {
        matches!(self.state, Remote::Ready(_))
    }

    /// The failure of the last call.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.state {
            Remote::Failed(failure, _) => Some(failure),
            _ => None,
        }
    }

    /// Forgets the value, the failure and any call in flight.
    pub fn clear(&mut self) {
        *self = Request {
            state: Remote::NotRequested,
            answer: None,
        };
    }

    /// Forgets the outcome of the last call (its "saved" line or its error), keeping the value.
    pub fn dismiss(&mut self) {
        if self.answer.is_none() {
            self.state = match std::mem::take(&mut self.state) {
                Remote::Failed(_, Some(value)) => Remote::Ready(value),
                Remote::Failed(_, None) => Remote::NotRequested,
                other => other,
            };
        }
    }
}
