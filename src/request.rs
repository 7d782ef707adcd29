//! One request handle per call: a screen (or a slot of [`SessionData`](crate::session::SessionData))
//! starts a [`Call`] on the backend and keeps the [`Request`] it fills. The request keeps the
//! previous value while the next one is pending and the failure of the last answer; starting a
//! new call drops the previous one's answer, so a stale answer never overwrites a newer one.
//!
//! A follow-up that must happen whatever screen is shown ("after accepting the licence, reload
//! the account") is attached to the call with [`Call::then`]: it runs on the UI thread, on the
//! session data, when the answer arrives and the request still waits for it.

use std::cell::{OnceCell, RefCell};
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
///
/// A request reads its own answer: [`value`](Request::value), [`is_pending`](Request::is_pending),
/// [`is_done`](Request::is_done) and [`failure`](Request::failure) take the answer if it came,
/// through a shared reference, so that no screen has to remember to poll (a forgotten poll left a
/// spinner forever). The answer waits in a cell until the next change of the request folds it
/// into the state; [`arrived`](Request::arrived) is only for a screen that acts once on an answer
/// (puts a saved value in place).
pub struct Request<T> {
    /// The state as of the last change: `Pending` while a call is in flight.
    state: Remote<T>,
    /// The call in flight, and its answer once it came.
    pending: Option<Pending<T>>,
}

/// A call in flight. The answer is taken out of the channel by the first read after it came
/// (hence the cells: reads take `&self`), and stays here until the request changes.
struct Pending<T> {
    receiver: RefCell<oneshot::Receiver<Result<T, Failure>>>,
    answer: OnceCell<Result<T, Failure>>,
}

impl<T> Pending<T> {
    /// The answer, taken from the channel if it just came.
    fn answer(&self) -> Option<&Result<T, Failure>> {
        if let Some(answer) = self.answer.get() {
            return Some(answer);
        }
        let result = {
            // Never borrowed elsewhere: reads do not call back into the request.
            let mut receiver = self.receiver.try_borrow_mut().ok()?;
            match receiver.try_recv() {
                Ok(result) => result,
                Err(oneshot::error::TryRecvError::Empty) => return None,
                // The backend stopped (the window is closing): nothing will come.
                Err(oneshot::error::TryRecvError::Closed) => Err(Failure::new(
                    hosting_api::ErrorCode::Cancelled,
                    "The request was cancelled.",
                )),
            }
        };
        Some(self.answer.get_or_init(|| result))
    }
}

impl<T> Default for Request<T> {
    fn default() -> Self {
        Request {
            state: Remote::NotRequested,
            pending: None,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("state", &self.state)
            .field("pending", &self.is_pending())
            .finish()
    }
}

impl<T: Clone + Send + 'static> Request<T> {
    /// Starts `call`, keeping the value on screen; the answer of any earlier call is dropped.
    pub fn start(&mut self, call: Call<T>) {
        // An answer already here is what the screen showed: it becomes the previous value.
        self.fold();
        self.state.start();
        self.pending = Some(Pending {
            receiver: RefCell::new(call.start()),
            answer: OnceCell::new(),
        });
    }

    /// The answer, once: `Some` the first time this is asked after the answer came. For a
    /// screen that acts on the answer; showing the request never needs it.
    pub fn arrived(&mut self) -> Option<Result<&T, &Failure>> {
        if !self.fold() {
            return None;
        }
        match &self.state {
            Remote::Ready(value) => Some(Ok(value)),
            Remote::Failed(failure, _) => Some(Err(failure)),
            Remote::NotRequested | Remote::Pending(_) => None,
        }
    }

    /// Puts the answer that came, if any, into the state; whether there was one.
    fn fold(&mut self) -> bool {
        let answered = self.pending.take_if(|pending| pending.answer().is_some());
        match answered.and_then(|pending| pending.answer.into_inner()) {
            Some(result) => {
                self.state.finish(result);
                true
            }
            None => false,
        }
    }

    /// Sets the value from elsewhere: an action's answer carries the new state of a resource.
    /// That state is newer than what a reload still in flight may bring, so that reload's
    /// answer is dropped.
    pub fn set(&mut self, value: T) {
        self.pending = None;
        self.state = Remote::Ready(value);
    }
}

impl<T> Request<T> {
    /// A request whose value is already known.
    pub fn ready(value: T) -> Request<T> {
        Request {
            state: Remote::Ready(value),
            pending: None,
        }
    }

    /// The answer of the call in flight, if it came.
    fn answer(&self) -> Option<&Result<T, Failure>> {
        self.pending.as_ref()?.answer()
    }

    /// The value to show, fresh or previous.
    pub fn value(&self) -> Option<&T> {
        match self.answer() {
            Some(Ok(value)) => Some(value),
            // A failure keeps the previous value, which the pending state holds.
            Some(Err(_)) | None => self.state.value(),
        }
    }

    /// Whether a call is in flight.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some() && self.answer().is_none()
    }

    /// Whether the last call succeeded (a form shows its "saved" line).
    pub fn is_done(&self) -> bool {
        match self.answer() {
            Some(answer) => answer.is_ok(),
            None => matches!(self.state, Remote::Ready(_)),
        }
    }

    /// The failure of the last call.
    pub fn failure(&self) -> Option<&Failure> {
        match self.answer() {
            Some(answer) => answer.as_ref().err(),
            None => self.state.failure(),
        }
    }

    /// Forgets the value, the failure and any call in flight.
    pub fn clear(&mut self) {
        *self = Request::default();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use hosting_api::ErrorCode;

    use super::*;
    use crate::backend::{Backend, KeystoreChoice};
    use crate::platform::dialogs::FolderDialogs;

    fn backend() -> (Backend, crate::backend::BackendRuntime, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (backend, runtime) = Backend::new(
            egui::Context::default(),
            dir.path().to_path_buf(),
            KeystoreChoice::Given(crate::platform::keystore::Keystore::mock().unwrap()),
            Arc::new(FolderDialogs::new(dir.path())),
        )
        .unwrap();
        (backend, runtime, dir)
    }

    /// Waits for the answer by reading the request, as a screen does frame after frame.
    fn wait<T>(request: &Request<T>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while request.is_pending() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn reading_a_request_shows_its_answer_and_arrived_reports_it_once() {
        let (backend, _runtime, _dir) = backend();
        let mut request = Request::default();
        request.start(backend.task(async { Ok(7) }));
        let shown: &Request<i32> = &request;
        wait(shown);
        assert!(!shown.is_pending(), "the answer is seen without a poll");
        assert_eq!(shown.value(), Some(&7));
        assert!(shown.is_done());
        assert_eq!(
            request.arrived(),
            Some(Ok(&7)),
            "read first, still reported"
        );
        assert_eq!(request.arrived(), None, "reported once");
        assert_eq!(request.value(), Some(&7));
    }

    #[test]
    fn the_previous_value_stays_while_pending_and_a_stale_answer_is_dropped() {
        let (backend, _runtime, _dir) = backend();
        let mut request = Request::ready(1);
        let (release, gate) = tokio::sync::oneshot::channel::<()>();
        // A slow first call, then a second one: the first one's answer must never show.
        request.start(backend.task(async move {
            let _ = gate.await;
            Ok(10)
        }));
        assert_eq!(request.value(), Some(&1), "the value stays while pending");
        assert!(request.is_pending());
        request.start(backend.task(async { Ok(20) }));
        wait(&request);
        assert_eq!(request.arrived(), Some(Ok(&20)));
        let _ = release.send(());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(request.arrived().is_none());
        assert_eq!(request.value(), Some(&20));
        assert!(request.is_done());
    }

    #[test]
    fn a_value_set_by_an_action_wins_over_a_reload_in_flight() {
        let (backend, _runtime, _dir) = backend();
        let mut request = Request::ready(1);
        let (release, gate) = tokio::sync::oneshot::channel::<()>();
        request.start(backend.task(async move {
            let _ = gate.await;
            Ok(2)
        }));
        request.set(3);
        let _ = release.send(());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(request.arrived().is_none());
        assert!(!request.is_pending());
        assert_eq!(request.value(), Some(&3));
    }

    #[test]
    fn a_failure_keeps_the_previous_value_and_follow_ups_run_only_on_success() {
        let (backend, runtime, _dir) = backend();
        let mut request = Request::ready(1);
        request.start(
            backend
                .task(async { Err(Failure::new(ErrorCode::Unreachable, "down")) })
                .then(|_, _: &i32| panic!("no follow-up after a failure")),
        );
        wait(&request);
        assert_eq!(request.value(), Some(&1));
        assert_eq!(
            request.failure().map(|f| f.code.clone()),
            Some(ErrorCode::Unreachable)
        );
        assert!(runtime.patches().is_empty());

        request.start(backend.task(async { Ok(5) }).then(|data, value| {
            data.session_lost(Failure::new(ErrorCode::Cancelled, value.to_string()));
        }));
        wait(&request);
        let patches = runtime.patches();
        assert_eq!(patches.len(), 1, "the follow-up comes with the answer");
        let mut data = crate::session::SessionData::new(backend.clone());
        for patch in patches {
            patch(&mut data);
        }
        assert_eq!(
            data.changes().lost.map(|f| f.message),
            Some("5".to_string())
        );
    }

    /// A file whose contents could not be made (the connection sheet's PDF) is not saved: the
    /// request fails with the maker's failure, before any dialog; the next try saves.
    #[test]
    fn save_file_answers_the_failure_of_its_contents() {
        let (backend, _runtime, dir) = backend();
        let dialog = || crate::platform::dialogs::SaveDialog {
            title: "Save as PDF".to_string(),
            file_name: "sheet.pdf".to_string(),
            filter: None,
        };
        let mut request = Request::default();
        request.start(backend.save_file(dialog(), || {
            Err(Failure::new(ErrorCode::Document, "no font"))
        }));
        wait(&request);
        assert_eq!(
            request.failure().map(|f| f.code.clone()),
            Some(ErrorCode::Document)
        );
        assert!(!dir.path().join("sheet.pdf").exists());

        request.start(backend.save_file(dialog(), || Ok(b"%PDF-1.7".to_vec())));
        wait(&request);
        assert_eq!(request.value(), Some(&Some(dir.path().join("sheet.pdf"))));
        assert_eq!(
            std::fs::read(dir.path().join("sheet.pdf")).unwrap(),
            b"%PDF-1.7"
        );
    }
}
