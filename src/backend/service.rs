//! The hosting service in use: the local one or a remote one, its address, and how it is
//! trusted (its CA, or a CA's pinned fingerprint).

use std::sync::Arc;

use hosting_api::{Client, ClientError, ClientIdentity, ErrorCode, ServerTrust};
use tokio::sync::Mutex;

use super::Inner;
use crate::local_service::LocalService;
use crate::model::Failure;
use crate::settings::ServerChoice;

/// How the backend trusts the chosen service.
#[derive(Debug, Clone)]
pub(super) enum Trust {
    Ca(String),
    Pinned(String),
}

impl Trust {
    pub(super) fn server_trust(&self) -> ServerTrust<'_> {
        match self {
            Trust::Ca(pem) => ServerTrust::Ca(pem),
            Trust::Pinned(fingerprint) => ServerTrust::Pinned(fingerprint),
        }
    }

    pub(super) fn client(
        &self,
        base_url: &str,
        identity: Option<&ClientIdentity>,
    ) -> Result<Client, Failure> {
        Client::with_trust(base_url, self.server_trust(), identity).map_err(Failure::from)
    }

    /// The SHA-256 fingerprint of the trusted CA: what identifies the service whatever its
    /// address.
    fn ca_fingerprint(&self) -> Result<String, Failure> {
        match self {
            Trust::Ca(pem) => hosting_api::tls::pem_fingerprint(pem)
                .map_err(|e| Failure::from(ClientError::from(e))),
            Trust::Pinned(fingerprint) => hosting_api::tls::normalise_fingerprint(fingerprint)
                .ok_or_else(|| {
                    Failure::new(
                        ErrorCode::Client,
                        "A CA fingerprint has 64 hexadecimal digits (SHA-256).",
                    )
                }),
        }
    }
}

/// The hosting service in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceInUse {
    /// `https://host:port`: shown to people, and the hint kept with an identity.
    pub address: String,
    /// SHA-256 fingerprint of its CA (64 lowercase hex digits): the stable part of the keys of
    /// this workstation's identities.
    pub ca_fingerprint: String,
}

/// The service chosen, to call without a session (an anonymous client, or the login).
pub(super) async fn server(inner: &Mutex<Inner>) -> Result<(String, Trust), Failure> {
    inner
        .lock()
        .await
        .server
        .clone()
        .ok_or_else(|| Failure::new(ErrorCode::NoServer, "Choose a hosting service first."))
}

/// Starts the local service if it is chosen, checks that the service answers, and keeps it
/// as the one in use; the previous session ends.
pub(super) async fn use_server(
    inner: &Mutex<Inner>,
    choice: ServerChoice,
    data_dir: &std::path::Path,
) -> Result<ServiceInUse, Failure> {
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
    let in_use = ServiceInUse {
        address: base_url.clone(),
        ca_fingerprint: trust.ca_fingerprint()?,
    };
    let mut guard = inner.lock().await;
    guard.server = Some((base_url.clone(), trust));
    guard.client = None;
    if local.is_some() {
        guard.local = local;
    }
    Ok(in_use)
}
