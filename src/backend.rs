//! The backend: every network, keyring, dialog and disk operation runs here, on a tokio
//! runtime, so that the UI thread never waits. A screen prepares a [`Call`] (most often
//! `backend.call(|client| async move { client.thing().await })`) and starts it in the
//! [`Request`](crate::request::Request) it keeps; the answer fills that request and asks for a
//! repaint.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use hosting_api::{Client, ClientError, EnrollmentRequest, ErrorCode, Secret, SessionResponse};
use hostingd::store::OutboxMessage;
use tokio::sync::{Mutex, oneshot};

use crate::local_service::LocalService;
use crate::model::Failure;
use crate::platform::dialogs::{Dialogs, OpenDialog, SaveDialog};
use crate::platform::keystore::{IdentityKey, Keystore};
use crate::request::{Call, Patch};
use crate::session::SessionData;
use crate::settings::ServerChoice;
use crate::transfers::TransferCommand;
use crate::transfers::runner::{ClientSource, TransferHandle};

mod download;
mod identity;
mod service;

pub use download::{Downloaded, Progress};
pub use identity::principal;
use identity::{install, keystore, renew, sign_in};
pub use service::ServiceInUse;
use service::{Trust, server, use_server};

/// Which keyring the backend uses.
#[derive(Debug, Clone)]
pub enum KeystoreChoice {
    /// The platform's keyring.
    Platform,
    /// This keystore (tests give each "workstation" its own).
    Given(Keystore),
}

#[derive(Default)]
struct Inner {
    server: Option<(String, Trust)>,
    local: Option<Arc<LocalService>>,
    client: Option<Client>,
}

struct Shared {
    runtime: tokio::runtime::Handle,
    inner: Arc<Mutex<Inner>>,
    keystore: KeystoreChoice,
    data_dir: PathBuf,
    patches: Sender<Patch>,
    ctx: egui::Context,
    transfers: TransferHandle,
    dialogs: Arc<dyn Dialogs>,
    failures: Arc<crate::recent_failures::RecentFailures>,
}

/// The backend of one console window: the tokio runtime's handle, the session's client, the
/// keyring and the file dialogs. Cheap to clone; every call runs on the runtime and fills a
/// [`Request`](crate::request::Request).
#[derive(Clone)]
pub struct Backend {
    shared: Arc<Shared>,
}

/// What the window keeps of the backend: the runtime (dropped with the window) and the changes
/// the calls send to the session data.
pub struct BackendRuntime {
    /// Declared first so that it is dropped first: every task stops with it.
    _runtime: tokio::runtime::Runtime,
    patches: Receiver<Patch>,
}

impl BackendRuntime {
    /// The changes to the session data that arrived since the last call.
    pub fn patches(&self) -> Vec<Patch> {
        self.patches.try_iter().collect()
    }
}

fn failure(code: ErrorCode, error: impl std::fmt::Display) -> Failure {
    Failure::new(code, error.to_string())
}

impl Backend {
    /// A backend whose local service keeps its data in `data_dir`.
    pub fn new(
        ctx: egui::Context,
        data_dir: PathBuf,
        keystore: KeystoreChoice,
        dialogs: Arc<dyn Dialogs>,
    ) -> std::io::Result<(Backend, BackendRuntime)> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("console-backend")
            .enable_all()
            .build()?;
        let (patches_tx, patches_rx) = channel();
        let inner: Arc<Mutex<Inner>> = Arc::default();
        let session = inner.clone();
        let client_source: ClientSource = Arc::new(move || {
            let session = session.clone();
            Box::pin(async move { session_client(&session).await })
        });
        let transfers = crate::transfers::runner::spawn(
            runtime.handle(),
            data_dir.join("transfers.json"),
            client_source,
            patches_tx.clone(),
            ctx.clone(),
        );
        let backend = Backend {
            shared: Arc::new(Shared {
                runtime: runtime.handle().clone(),
                inner,
                keystore,
                data_dir,
                patches: patches_tx,
                ctx,
                transfers,
                dialogs,
                failures: Arc::default(),
            }),
        };
        let kept = BackendRuntime {
            _runtime: runtime,
            patches: patches_rx,
        };
        Ok((backend, kept))
    }

    /// A call with the session's client. A failure that means the session is over (revoked,
    /// expired, access withdrawn) also ends the session in the window.
    pub fn call<T, F, Fut>(&self, work: F) -> Call<T>
    where
        T: Clone + Send + 'static,
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        let inner = self.shared.inner.clone();
        let mut call = self.task(async move {
            let client = session_client(&inner).await?;
            work(client).await.map_err(Failure::from)
        });
        call.watch_session = true;
        call
    }

    /// A call of any work that ends with a value or a [`Failure`].
    pub fn task<T: Clone + Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, Failure>> + Send + 'static,
    ) -> Call<T> {
        Call {
            backend: self.clone(),
            work: Box::pin(work),
            then: None,
            watch_session: false,
        }
    }

    /// Runs a started call: sends the follow-up, then the answer, unless nobody waits for it
    /// any more (a newer call replaced it).
    pub(crate) fn spawn<T: Clone + Send + 'static>(
        &self,
        call: Call<T>,
        answer: oneshot::Sender<Result<T, Failure>>,
        keep: Option<oneshot::Receiver<Result<T, Failure>>>,
    ) {
        let patches = self.shared.patches.clone();
        let ctx = self.shared.ctx.clone();
        let failures = self.shared.failures.clone();
        let Call {
            work,
            then,
            watch_session,
            ..
        } = call;
        self.shared.runtime.spawn(async move {
            let _keep = keep;
            let result = work.await;
            if let Err(failure) = &result {
                failures.push(failure.clone());
            }
            if answer.is_closed() {
                return;
            }
            let patch: Option<Patch> = match &result {
                Ok(value) => then.map(|then| {
                    let value = value.clone();
                    Box::new(move |data: &mut SessionData| then(data, &value)) as Patch
                }),
                Err(failure) if watch_session && failure.ends_session() => {
                    let failure = failure.clone();
                    Some(Box::new(move |data: &mut SessionData| {
                        data.session_lost(failure)
                    }))
                }
                Err(_) => None,
            };
            if let Some(patch) = patch {
                // The window may be gone; nothing to do then.
                let _ = patches.send(patch);
            }
            let _ = answer.send(result);
            ctx.request_repaint();
        });
    }

    /// The transfers of PRONOTE files.
    pub fn transfers(&self) -> &TransferHandle {
        &self.shared.transfers
    }

    /// The last failures of the calls, newest first.
    pub fn recent_failures(&self) -> Vec<(String, Failure)> {
        self.shared.failures.list()
    }

    /// The file dialogs.
    pub fn dialogs(&self) -> Arc<dyn Dialogs> {
        self.shared.dialogs.clone()
    }

    /// Uses this hosting service (starting the local one if chosen): its address and CA.
    pub fn use_server(&self, choice: ServerChoice) -> Call<ServiceInUse> {
        let inner = self.shared.inner.clone();
        let data_dir = self.shared.data_dir.clone();
        self.task(async move { use_server(&inner, choice, &data_dir).await })
    }

    /// Logs in with the certificate kept in the keyring for `key`.
    pub fn sign_in(&self, key: IdentityKey, password: Secret) -> Call<SessionResponse> {
        let inner = self.shared.inner.clone();
        let choice = self.shared.keystore.clone();
        self.task(async move {
            let keystore = keystore(&choice).await?;
            sign_in(&inner, &keystore, key, password).await
        })
    }

    /// Installs this workstation's certificate with the invoice number, then logs in.
    pub fn install(&self, key: IdentityKey, request: EnrollmentRequest) -> Call<SessionResponse> {
        let inner = self.shared.inner.clone();
        let choice = self.shared.keystore.clone();
        self.task(async move {
            let keystore = keystore(&choice).await?;
            install(&inner, &keystore, key, request).await
        })
    }

    /// Renews this workstation's certificate before it expires, with the current one as the
    /// proof: a new key made here, the new certificate kept in the keyring under `key` in place
    /// of the old one, and the session goes on with it. Returns the new expiry (RFC 3339).
    pub fn renew_certificate(&self, key: IdentityKey, workstation_name: String) -> Call<String> {
        let inner = self.shared.inner.clone();
        let choice = self.shared.keystore.clone();
        let mut call = self.task(async move {
            let keystore = keystore(&choice).await?;
            renew(&inner, &keystore, key, workstation_name).await
        });
        call.watch_session = true;
        call
    }

    /// Ends the session. Transfers stop with it and are offered again at the next login.
    pub fn logout(&self) -> Call<()> {
        self.shared.transfers.send(TransferCommand::SuspendAll);
        let inner = self.shared.inner.clone();
        self.task(async move {
            let client = inner.lock().await.client.take();
            if let Some(client) = client
                && let Err(error) = client.logout().await
            {
                tracing::info!(%error, "logout failed; the session ends on its own");
            }
            Ok(())
        })
    }

    /// The local service's mailbox.
    pub fn mailbox(&self) -> Call<Vec<OutboxMessage>> {
        let inner = self.shared.inner.clone();
        self.task(async move {
            let local = inner.lock().await.local.clone();
            match local {
                Some(local) => local.mailbox().await,
                None => Err(Failure::new(
                    ErrorCode::NoLocalService,
                    "The mailbox exists only with the local hosting service.",
                )),
            }
        })
    }

    /// "I lost my password": a one-time code by e-mail (without a certificate).
    pub fn request_password_reset(
        &self,
        hosting_number: String,
        username: Option<String>,
    ) -> Call<()> {
        let inner = self.shared.inner.clone();
        self.task(async move {
            let (base_url, trust) = server(&inner).await?;
            trust
                .client(&base_url, None)?
                .request_password_reset(&hosting_number, username.as_deref())
                .await
                .map_err(Failure::from)
        })
    }

    /// Uses the one-time code of a lost password (without a certificate).
    pub fn confirm_password_reset(&self, confirm: hosting_api::PasswordResetConfirm) -> Call<()> {
        let inner = self.shared.inner.clone();
        self.task(async move {
            let (base_url, trust) = server(&inner).await?;
            trust
                .client(&base_url, None)?
                .confirm_password_reset(&confirm)
                .await
                .map_err(Failure::from)
        })
    }

    /// "Receive my hosting logins".
    pub fn resend_logins(&self, hosting_number: String) -> Call<()> {
        let inner = self.shared.inner.clone();
        self.task(async move {
            let (base_url, trust) = server(&inner).await?;
            trust
                .client(&base_url, None)?
                .resend_logins(&hosting_number)
                .await
                .map_err(Failure::from)
        })
    }

    /// Makes a file's bytes with `contents` (a failure is answered as it is), asks where to
    /// save them (the dialog's default name is `file_name`), then writes them there: the path,
    /// or `None` when the person cancelled.
    pub fn save_file(
        &self,
        dialog: SaveDialog,
        contents: impl FnOnce() -> Result<Vec<u8>, Failure> + Send + 'static,
    ) -> Call<Option<PathBuf>> {
        let dialogs = self.dialogs();
        self.task(async move {
            // Made before the dialog opens, so that a failure is said before a place is chosen;
            // off the runtime's workers, as making a PDF takes a few milliseconds.
            let bytes = tokio::task::spawn_blocking(contents).await.map_err(|e| {
                tracing::warn!(error = %e, "the file's contents were not made");
                failure(ErrorCode::Document, e)
            })??;
            let Some(path) = dialogs.save(dialog).await else {
                return Ok(None);
            };
            tokio::fs::write(&path, bytes).await.map_err(|e| {
                // The system's reason goes to the log; the person reads the locale's sentence.
                tracing::warn!(error = %e, path = %path.display(), "the file was not saved");
                failure(ErrorCode::File, e)
            })?;
            Ok(Some(path))
        })
    }

    /// Asks for files to open: the paths, or `None` when the person cancelled.
    pub fn pick_files(&self, dialog: OpenDialog) -> Call<Option<Vec<PathBuf>>> {
        let dialogs = self.dialogs();
        self.task(async move { Ok(dialogs.open(dialog).await) })
    }

    /// Asks where to save a safeguard, then downloads it there, checking its hash; the bytes
    /// received go to `progress`. `None` when the person cancelled.
    pub fn download_safeguard(
        &self,
        id: i64,
        dialog: SaveDialog,
        progress: Arc<Progress>,
    ) -> Call<Option<(PathBuf, String)>> {
        self.download(Downloaded::Safeguard(id), dialog, progress)
    }

    /// Asks where to save a file of the service, then downloads it there, checking its hash;
    /// the bytes received go to `progress`. `None` when the person cancelled.
    pub fn download(
        &self,
        what: Downloaded,
        dialog: SaveDialog,
        progress: Arc<Progress>,
    ) -> Call<Option<(PathBuf, String)>> {
        let dialogs = self.dialogs();
        let inner = self.shared.inner.clone();
        let ctx = self.shared.ctx.clone();
        let mut call = self.task(async move {
            let Some(path) = dialogs.save(dialog).await else {
                return Ok(None);
            };
            let client = session_client(&inner).await?;
            download::download(&client, &what, &path, &progress, &ctx)
                .await
                .map(Some)
        });
        call.watch_session = true;
        call
    }
}

async fn session_client(inner: &Mutex<Inner>) -> Result<Client, Failure> {
    inner
        .lock()
        .await
        .client
        .clone()
        .ok_or_else(|| Failure::new(ErrorCode::SessionRequired, "Log in first."))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use hostingd::store::NewAccount;
    use hostingd::{Clock, ServeConfig};

    use hosting_api::Role;

    use super::*;

    /// A service whose server certificate comes from another CA than the one that signs
    /// workstations (a provider certificate given with `--tls-cert`): the person chose the CA of
    /// the server certificate, the enrollment answer carries the workstation CA. Signing in
    /// must keep trusting the chosen CA, never the one of the answer.
    #[test]
    fn sign_in_trusts_only_the_chosen_ca() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let provider = tempfile::tempdir().unwrap();
            let other = hostingd::start(
                ServeConfig::local(provider.path().to_path_buf()),
                Clock::default(),
            )
            .await
            .unwrap();
            let chosen_ca = other.ca_pem();
            other.shutdown().await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let mut config = ServeConfig::local(dir.path().join("service"));
            config.tls_cert = Some(provider.path().join("tls/server.pem"));
            config.tls_key = Some(provider.path().join("tls/server.key"));
            let service = hostingd::start(config, Clock::default()).await.unwrap();
            let state = &service.state;
            let account = NewAccount {
                school_name: "Lycee Trust".to_string(),
                email: "m@trust.fr".to_string(),
                phone: "+33600000000".to_string(),
                contract_ends_on: "2027-08-31".to_string(),
                language: hosting_api::types::Language::En,
            };
            let provisioned =
                hostingd::operator::provision(&state.store, &state.passwords, &account)
                    .await
                    .unwrap();
            let outbox = state.store.outbox(None).await.unwrap();
            let password = outbox
                .iter()
                .find(|m| m.channel == "sms")
                .unwrap()
                .body
                .lines()
                .find_map(|l| l.strip_prefix("Hosting console password: "))
                .unwrap()
                .to_string();

            let inner = Mutex::new(Inner::default());
            let choice = ServerChoice::Remote {
                url: service.base_url(),
                ca_pem: chosen_ca.clone(),
            };
            let in_use = use_server(&inner, choice, dir.path()).await.unwrap();
            assert_eq!(
                in_use.ca_fingerprint,
                hosting_api::tls::pem_fingerprint(&chosen_ca).unwrap()
            );
            let keystore = Keystore::mock().unwrap();
            let key = IdentityKey {
                ca_fingerprint: in_use.ca_fingerprint,
                address: in_use.address,
                hosting_number: provisioned.hosting_number.clone(),
                principal: "manager".to_string(),
            };
            let request = EnrollmentRequest {
                role: Role::Manager,
                hosting_number: provisioned.hosting_number.clone(),
                password: password.clone(),
                username: None,
                invoice_number: provisioned.invoice_number.clone(),
                csr_pem: String::new(),
                workstation_name: "PC".to_string(),
            };
            // Installing signs in at once, then a later start signs in again.
            install(&inner, &keystore, key.clone(), request)
                .await
                .unwrap();
            let stored = keystore.load(&key).unwrap().unwrap();
            assert_eq!(stored.ca_pem, service.ca_pem());
            assert_ne!(stored.ca_pem, chosen_ca);
            let session = sign_in(&inner, &keystore, key, Secret::new(password))
                .await
                .unwrap();
            assert_eq!(session.principal.role, Role::Manager);
            service.shutdown().await.unwrap();
        });
    }
}
