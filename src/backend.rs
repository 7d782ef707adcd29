//! The backend: every network, keyring and disk operation runs here, on a tokio runtime, so that
//! the UI thread never waits. Screens send [`Command`]s; results come back as [`Event`]s, followed
//! by a repaint request.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use hosting_api::{
    Account, Base, Client, ClientIdentity, Controller, EndpointStatus, EnrollmentRequest, Licence,
    Monitoring, MonitoringUpdate, NewEmptyBase, NewUser, Profile, Role, Safeguard, Schedule,
    ScheduleUpdate, Secret, ServerTrust, SessionResponse, User, UserUpdate, Workstation,
    WorkstationKey,
};
use hostingd::store::OutboxMessage;
use tokio::sync::Mutex;

use crate::keystore::{IdentityKey, Keystore, StoredIdentity};
use crate::local_service::LocalService;
use crate::model::Failure;
use crate::settings::ServerChoice;
use crate::transfers::runner::{ClientSource, TransferHandle};
use crate::transfers::{TransferCommand, TransferEvent};

/// Which keyring the backend uses.
#[derive(Debug, Clone)]
pub enum KeystoreChoice {
    /// The platform's keyring.
    Platform,
    /// This keystore (tests give each "workstation" its own).
    Given(Keystore),
}

/// What the screens ask for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Use this hosting service (starting the local one if chosen).
    UseServer(ServerChoice),
    /// Log in with the certificate kept in the keyring for `key`.
    SignIn {
        /// Whose certificate.
        key: IdentityKey,
        /// The password (`Debug` shows `[redacted]`).
        password: Secret,
    },
    /// Install this workstation's certificate with the invoice number, then log in.
    Install {
        /// Whose certificate.
        key: IdentityKey,
        /// The enrollment (its CSR is made here).
        request: Box<EnrollmentRequest>,
    },
    /// Reload a resource.
    Refresh(Resource),
    /// Change something.
    Act(Action),
    /// End the session.
    Logout,
    /// Read the local service's mailbox.
    Mailbox,
    /// "Receive my hosting logins".
    ResendLogins(String),
    /// Write a file (the connection sheet).
    SaveFile(PathBuf, Vec<u8>),
    /// Connect to a schedule's endpoint as a PRONOTE client would.
    TestEndpoint {
        /// The schedule.
        schedule_id: i64,
        /// Its host.
        host: String,
        /// Its port.
        port: u16,
    },
    /// Download a safeguard to `path`, checking its hash.
    DownloadSafeguard {
        /// The safeguard.
        id: i64,
        /// Where to write it.
        path: PathBuf,
    },
    /// Transfers of PRONOTE files.
    Transfer(TransferCommand),
}

/// Resources a screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `GET /v1/account`.
    Account,
    /// `GET /v1/licence`.
    Licence,
    /// `GET /v1/controller`.
    Controller,
    /// `GET /v1/schedules`.
    Schedules,
    /// `GET /v1/users`.
    Users,
    /// `GET /v1/schedules/{id}/profiles`.
    Profiles(i64),
    /// `GET /v1/workstations`.
    Workstations,
    /// `GET /v1/schedules/{id}/bases`.
    Bases(i64),
    /// `GET /v1/schedules/{id}/safeguards`.
    Safeguards(i64),
    /// `GET /v1/schedules/{id}/monitoring`.
    Monitoring(i64),
}

/// Changes a screen makes.
#[derive(Debug, Clone)]
pub enum Action {
    /// Accept a licence version.
    AcceptLicence(String),
    /// Controller domain.
    SetController(String),
    /// Schedule changes.
    UpdateSchedule(i64, ScheduleUpdate),
    /// New user.
    CreateUser(NewUser),
    /// User e-mail / console access.
    UpdateUser(i64, UserUpdate),
    /// Profile members.
    SetMembers(i64, String, Vec<i64>),
    /// Revoke a workstation.
    Revoke(i64),
    /// Shut a schedule's server down.
    Shutdown(i64),
    /// Put a schedule's open base into service.
    Activate(i64),
    /// Open a base on its schedule's server.
    OpenBase(i64),
    /// Open a safeguard on its schedule's server.
    OpenSafeguard(i64),
    /// Create an empty base and open it.
    CreateEmptyBase(i64, NewEmptyBase),
    /// Licences reserved for the administrators of a schedule.
    SetMonitoring(i64, MonitoringUpdate),
}

/// What an action gave back.
#[derive(Debug, Clone)]
pub enum Output {
    /// Nothing.
    Done,
    /// The controller.
    Controller(Controller),
    /// A schedule.
    Schedule(Schedule),
    /// A user.
    User(User),
    /// A profile of a schedule.
    Profile(i64, Profile),
    /// A base.
    Base(Base),
    /// The monitoring of a schedule.
    Monitoring(i64, Monitoring),
}

/// Results coming back to the screens.
#[derive(Debug, Clone)]
pub enum Event {
    /// The hosting service is chosen and reachable at this address.
    ServerReady(Result<String, Failure>),
    /// A login ended (`certificate_missing` when this workstation has no certificate yet).
    SignedIn(Result<SessionResponse, Failure>),
    /// The account.
    Account(Result<Account, Failure>),
    /// The licence.
    Licence(Result<Licence, Failure>),
    /// The controller.
    Controller(Result<Controller, Failure>),
    /// The schedules.
    Schedules(Result<Vec<Schedule>, Failure>),
    /// The users.
    Users(Result<Vec<User>, Failure>),
    /// The profiles of a schedule.
    Profiles(i64, Result<Vec<Profile>, Failure>),
    /// The workstations.
    Workstations(Result<Vec<Workstation>, Failure>),
    /// An action ended.
    Acted(Result<Output, Failure>),
    /// The session ended.
    LoggedOut,
    /// The local mailbox.
    Mailbox(Result<Vec<OutboxMessage>, Failure>),
    /// Logins sent again.
    LoginsResent(Result<(), Failure>),
    /// A file was written.
    FileSaved(Result<PathBuf, Failure>),
    /// The bases of a schedule.
    Bases(i64, Result<Vec<Base>, Failure>),
    /// The safeguards of a schedule.
    Safeguards(i64, Result<Vec<Safeguard>, Failure>),
    /// The monitoring of a schedule.
    Monitoring(i64, Result<Monitoring, Failure>),
    /// What a schedule's endpoint answered.
    Endpoint(i64, Result<EndpointStatus, Failure>),
    /// A safeguard download is under way: bytes received, total (0 when unknown).
    Downloading(i64, u64, u64),
    /// A safeguard was downloaded and its hash checked: the file and the hash.
    Downloaded(i64, Result<(PathBuf, String), Failure>),
    /// The transfers changed.
    Transfer(TransferEvent),
}

/// How the backend trusts the chosen service.
#[derive(Debug, Clone)]
enum Trust {
    Ca(String),
    Pinned(String),
}

impl Trust {
    fn server_trust(&self) -> ServerTrust<'_> {
        match self {
            Trust::Ca(pem) => ServerTrust::Ca(pem),
            Trust::Pinned(fingerprint) => ServerTrust::Pinned(fingerprint),
        }
    }

    fn client(&self, base_url: &str, identity: Option<&ClientIdentity>) -> Result<Client, Failure> {
        Client::with_trust(base_url, self.server_trust(), identity).map_err(Failure::from)
    }
}

#[derive(Default)]
struct Inner {
    server: Option<(String, Trust)>,
    local: Option<Arc<LocalService>>,
    client: Option<Client>,
}

/// The backend of one console window.
pub struct Backend {
    runtime: tokio::runtime::Runtime,
    inner: Arc<Mutex<Inner>>,
    keystore: KeystoreChoice,
    data_dir: PathBuf,
    events_tx: Sender<Event>,
    events_rx: Receiver<Event>,
    ctx: egui::Context,
    transfers: TransferHandle,
}

fn failure(code: &str, error: impl std::fmt::Display) -> Failure {
    Failure::new(code, error.to_string())
}

impl Backend {
    /// A backend whose local service keeps its data in `data_dir`.
    pub fn new(
        ctx: egui::Context,
        data_dir: PathBuf,
        keystore: KeystoreChoice,
    ) -> std::io::Result<Backend> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("console-backend")
            .enable_all()
            .build()?;
        let (events_tx, events_rx) = channel();
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
            events_tx.clone(),
            ctx.clone(),
        );
        Ok(Backend {
            runtime,
            transfers,
            inner,
            keystore,
            data_dir,
            events_tx,
            events_rx,
            ctx,
        })
    }

    /// Events that arrived since the last call.
    pub fn poll(&self) -> Vec<Event> {
        self.events_rx.try_iter().collect()
    }

    /// Runs `command` in the background.
    pub fn send(&self, command: Command) {
        let command = match command {
            Command::Transfer(transfer) => {
                self.transfers.send(transfer);
                return;
            }
            Command::Logout => {
                // Transfers stop with the session and are offered again at the next login.
                self.transfers.send(TransferCommand::SuspendAll);
                Command::Logout
            }
            other => other,
        };
        let inner = self.inner.clone();
        let tx = self.events_tx.clone();
        let ctx = self.ctx.clone();
        let keystore = self.keystore.clone();
        let data_dir = self.data_dir.clone();
        self.runtime.spawn(async move {
            let event = run(command, &inner, &keystore, &data_dir, (&tx, &ctx)).await;
            // The window may be gone; nothing to do then.
            let _ = tx.send(event);
            ctx.request_repaint();
        });
    }
}

async fn keystore(choice: &KeystoreChoice) -> Result<Keystore, Failure> {
    match choice {
        KeystoreChoice::Given(keystore) => Ok(keystore.clone()),
        KeystoreChoice::Platform => tokio::task::spawn_blocking(Keystore::platform)
            .await
            .map_err(|e| failure("keyring", e))?
            .map_err(|e| failure("keyring", e)),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::keystore::KeystoreError> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| failure("keyring", e))?
        .map_err(|e| failure("keyring", e))
}

async fn session_client(inner: &Mutex<Inner>) -> Result<Client, Failure> {
    inner
        .lock()
        .await
        .client
        .clone()
        .ok_or_else(|| Failure::new("session_required", "Log in first."))
}

async fn server(inner: &Mutex<Inner>) -> Result<(String, Trust), Failure> {
    inner
        .lock()
        .await
        .server
        .clone()
        .ok_or_else(|| Failure::new("no_server", "Choose a hosting service first."))
}

async fn sign_in(
    inner: &Mutex<Inner>,
    keystore: &Keystore,
    key: IdentityKey,
    password: Secret,
) -> Result<SessionResponse, Failure> {
    // Only the CA or pin the person chose is trusted, never the CA kept from the enrollment
    // answer: that one came from the service the chosen trust is there to check.
    let (base_url, trust) = server(inner).await?;
    let stored = {
        let keystore = keystore.clone();
        let key = key.clone();
        blocking(move || keystore.load(&key)).await?
    };
    let Some(stored) = stored else {
        return Err(Failure::new(
            "certificate_missing",
            "This workstation has no certificate yet.",
        ));
    };
    let expired = time::OffsetDateTime::parse(
        &stored.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .is_ok_and(|end| end <= time::OffsetDateTime::now_utc());
    if expired {
        return Err(Failure::new(
            "certificate_expired",
            "The certificate of this workstation has expired.",
        ));
    }
    let identity = ClientIdentity {
        certificate_pem: stored.certificate_pem,
        key_pem: stored.key_pem,
    };
    let (client, session) = Client::sign_in(
        &base_url,
        trust.server_trust(),
        &identity,
        password.expose(),
    )
    .await
    .map_err(Failure::from)?;
    inner.lock().await.client = Some(client);
    Ok(session)
}

async fn install(
    inner: &Mutex<Inner>,
    keystore: &Keystore,
    key: IdentityKey,
    mut request: EnrollmentRequest,
) -> Result<SessionResponse, Failure> {
    let (base_url, trust) = server(inner).await?;
    let name = request.workstation_name.clone();
    let workstation_key = tokio::task::spawn_blocking(move || WorkstationKey::generate(&name))
        .await
        .map_err(|e| failure("key", e))?
        .map_err(|e| failure("key", e))?;
    request.csr_pem = workstation_key.csr_pem.clone();
    let password = Secret::new(request.password.clone());
    let anonymous = trust.client(&base_url, None)?;
    let enrolled = anonymous.enroll(&request).await.map_err(Failure::from)?;
    let stored = StoredIdentity {
        certificate_pem: enrolled.certificate_pem,
        key_pem: workstation_key.key_pem,
        ca_pem: enrolled.ca_pem,
        workstation_id: enrolled.workstation_id,
        not_after: enrolled.not_after,
    };
    {
        let keystore = keystore.clone();
        let key = key.clone();
        blocking(move || keystore.save(&key, &stored)).await?;
    }
    sign_in(inner, keystore, key, password).await
}

async fn use_server(
    inner: &Mutex<Inner>,
    choice: ServerChoice,
    data_dir: &std::path::Path,
) -> Result<String, Failure> {
    let (base_url, trust, local) = match choice {
        ServerChoice::Local => {
            let existing = inner.lock().await.local.clone();
            let local = match existing {
                Some(local) => local,
                None => Arc::new(LocalService::start(&data_dir.join("local-service")).await?),
            };
            (local.base_url(), Trust::Ca(local.ca_pem()), Some(local))
        }
        ServerChoice::Remote { url, ca_pem } => (url, Trust::Ca(ca_pem), None),
        ServerChoice::RemotePinned { url, fingerprint } => (url, Trust::Pinned(fingerprint), None),
    };
    let anonymous = trust.client(&base_url, None)?;
    anonymous.health().await.map_err(Failure::from)?;
    let mut guard = inner.lock().await;
    guard.server = Some((base_url.clone(), trust));
    guard.client = None;
    if local.is_some() {
        guard.local = local;
    }
    Ok(base_url)
}

async fn act(client: &Client, action: Action) -> Result<Output, Failure> {
    let output = match action {
        Action::AcceptLicence(version) => {
            client.accept_licence(&version).await.map(|()| Output::Done)
        }
        Action::SetController(domain) => client
            .set_controller_domain(&domain)
            .await
            .map(Output::Controller),
        Action::UpdateSchedule(id, update) => client
            .update_schedule(id, &update)
            .await
            .map(Output::Schedule),
        Action::CreateUser(user) => client.create_user(&user).await.map(Output::User),
        Action::UpdateUser(id, update) => client.update_user(id, &update).await.map(Output::User),
        Action::SetMembers(schedule, profile, members) => client
            .set_profile_members(schedule, &profile, &members)
            .await
            .map(|p| Output::Profile(schedule, p)),
        Action::Revoke(id) => client.revoke_workstation(id).await.map(|()| Output::Done),
        Action::Shutdown(id) => client.shutdown(id).await.map(Output::Schedule),
        Action::Activate(id) => client.activate(id).await.map(Output::Schedule),
        Action::OpenBase(id) => client.open_base(id).await.map(Output::Schedule),
        Action::OpenSafeguard(id) => client.open_safeguard(id).await.map(Output::Schedule),
        Action::CreateEmptyBase(id, request) => client
            .create_empty_base(id, &request)
            .await
            .map(Output::Base),
        Action::SetMonitoring(id, update) => client
            .set_monitoring(id, &update)
            .await
            .map(|m| Output::Monitoring(id, m)),
    };
    output.map_err(Failure::from)
}

async fn refresh(client: &Client, resource: Resource) -> Event {
    match resource {
        Resource::Account => Event::Account(client.account().await.map_err(Failure::from)),
        Resource::Licence => Event::Licence(client.licence().await.map_err(Failure::from)),
        Resource::Controller => Event::Controller(client.controller().await.map_err(Failure::from)),
        Resource::Schedules => Event::Schedules(client.schedules().await.map_err(Failure::from)),
        Resource::Users => Event::Users(client.users().await.map_err(Failure::from)),
        Resource::Profiles(id) => {
            Event::Profiles(id, client.profiles(id).await.map_err(Failure::from))
        }
        Resource::Workstations => {
            Event::Workstations(client.workstations().await.map_err(Failure::from))
        }
        Resource::Bases(id) => Event::Bases(id, client.bases(id).await.map_err(Failure::from)),
        Resource::Safeguards(id) => {
            Event::Safeguards(id, client.safeguards(id).await.map_err(Failure::from))
        }
        Resource::Monitoring(id) => {
            Event::Monitoring(id, client.monitoring(id).await.map_err(Failure::from))
        }
    }
}

/// Downloads a safeguard, reporting the bytes received at most ten times a second.
async fn download(
    client: &Client,
    id: i64,
    path: &std::path::Path,
    (tx, ctx): (&Sender<Event>, &egui::Context),
) -> Result<(PathBuf, String), Failure> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| failure("file", e))?;
    }
    let mut last = std::time::Instant::now();
    let tx = tx.clone();
    let ctx = ctx.clone();
    let sha256 = client
        .download_safeguard(id, path, move |received, total| {
            if last.elapsed() >= std::time::Duration::from_millis(100) {
                last = std::time::Instant::now();
                let _ = tx.send(Event::Downloading(id, received, total));
                ctx.request_repaint();
            }
        })
        .await
        .map_err(Failure::from)?;
    Ok((path.to_path_buf(), sha256))
}

async fn run(
    command: Command,
    inner: &Mutex<Inner>,
    choice: &KeystoreChoice,
    data_dir: &std::path::Path,
    progress: (&Sender<Event>, &egui::Context),
) -> Event {
    match command {
        Command::UseServer(server_choice) => {
            Event::ServerReady(use_server(inner, server_choice, data_dir).await)
        }
        Command::SignIn { key, password } => {
            let result = match keystore(choice).await {
                Ok(keystore) => sign_in(inner, &keystore, key, password).await,
                Err(failure) => Err(failure),
            };
            Event::SignedIn(result)
        }
        Command::Install { key, request } => {
            let result = match keystore(choice).await {
                Ok(keystore) => install(inner, &keystore, key, *request).await,
                Err(failure) => Err(failure),
            };
            Event::SignedIn(result)
        }
        Command::Refresh(resource) => match session_client(inner).await {
            Ok(client) => refresh(&client, resource).await,
            Err(failure) => Event::Account(Err(failure)),
        },
        Command::Act(action) => match session_client(inner).await {
            Ok(client) => Event::Acted(act(&client, action).await),
            Err(failure) => Event::Acted(Err(failure)),
        },
        Command::Logout => {
            let client = inner.lock().await.client.take();
            if let Some(client) = client
                && let Err(error) = client.logout().await
            {
                tracing::info!(%error, "logout failed; the session ends on its own");
            }
            Event::LoggedOut
        }
        Command::Mailbox => {
            let local = inner.lock().await.local.clone();
            Event::Mailbox(match local {
                Some(local) => local.mailbox().await,
                None => Err(Failure::new(
                    "no_local_service",
                    "The mailbox exists only with the local hosting service.",
                )),
            })
        }
        Command::ResendLogins(hosting_number) => Event::LoginsResent(match server(inner).await {
            Ok((base_url, trust)) => match trust.client(&base_url, None) {
                Ok(client) => client
                    .resend_logins(&hosting_number)
                    .await
                    .map_err(Failure::from),
                Err(failure) => Err(failure),
            },
            Err(failure) => Err(failure),
        }),
        Command::SaveFile(path, bytes) => Event::FileSaved(
            tokio::fs::write(&path, bytes)
                .await
                .map(|()| path)
                .map_err(|e| failure("file", e)),
        ),
        Command::TestEndpoint {
            schedule_id,
            host,
            port,
        } => Event::Endpoint(
            schedule_id,
            match session_client(inner).await {
                Ok(client) => client
                    .endpoint_status(&host, port)
                    .await
                    .map_err(Failure::from),
                Err(failure) => Err(failure),
            },
        ),
        Command::DownloadSafeguard { id, path } => Event::Downloaded(
            id,
            match session_client(inner).await {
                Ok(client) => download(&client, id, &path, progress).await,
                Err(failure) => Err(failure),
            },
        ),
        // Handled by `Backend::send`.
        Command::Transfer(_) => Event::Transfer(TransferEvent::Offers(Vec::new())),
    }
}

/// The role of an identity key's principal.
pub fn principal(role: Role, username: Option<&str>) -> String {
    match (role, username) {
        (Role::Superadmin, Some(username)) => {
            format!("superadmin:{}", username.trim().to_lowercase())
        }
        _ => "manager".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use hostingd::store::NewAccount;
    use hostingd::{Clock, ServeConfig};

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
            };
            let provisioned =
                hostingd::operator::provision(&state.store, &state.passwords, &account)
                    .await
                    .unwrap();
            let outbox = state.store.outbox(None).await.unwrap();
            let password = outbox[1]
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
            use_server(&inner, choice, dir.path()).await.unwrap();
            let keystore = Keystore::mock().unwrap();
            let key = IdentityKey {
                server: service.base_url(),
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
