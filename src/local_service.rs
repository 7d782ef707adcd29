//! The built-in local hosting service: `hostingd` in this process, data under the user's data
//! directory, a demo account provisioned on first start, and a mailbox that shows what that
//! account received.
//!
//! The service keeps its port in `port` in its data directory and listens there again at the
//! next start, so that its address (shown on the connection sheet) stays; when another program
//! took that port, it listens on a free one and remembers that one.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;

use hostingd::store::{NewAccount, OutboxMessage};
use hostingd::{Clock, RunningService, ServeConfig};

use crate::model::Failure;
use hosting_api::ErrorCode;

/// A running local service.
pub struct LocalService {
    service: RunningService,
}

impl LocalService {
    /// Starts the service with its data in `data_dir` on the loopback port it had at the last
    /// start (a free one the first time, or when that one is taken), and provisions the demo
    /// account the first time.
    pub async fn start(data_dir: &Path) -> Result<LocalService, Failure> {
        let remembered = remembered_port(data_dir);
        let port = remembered.filter(|&port| is_free(port)).unwrap_or(0);
        if let Some(taken) = remembered.filter(|&remembered| remembered != port) {
            tracing::info!(
                port = taken,
                "the local service's port is taken: another one is used"
            );
        }
        let started = match hostingd::start(config(data_dir, port), Clock::default()).await {
            // Taken between the check and the start: any free port rather than no service.
            Err(error) if port != 0 => {
                tracing::info!(port, error = %format!("{error:#}"), "the local service starts on another port");
                hostingd::start(config(data_dir, 0), Clock::default()).await
            }
            started => started,
        };
        let service =
            started.map_err(|e| Failure::new(ErrorCode::LocalService, format!("{e:#}")))?;
        let local = LocalService { service };
        if remembered != Some(local.service.addr.port()) {
            remember_port(data_dir, local.service.addr.port());
        }
        tracing::info!(address = %local.base_url(), "local hosting service listening");
        if local.mailbox().await?.is_empty() {
            let demo = NewAccount {
                school_name: "Lycée de démonstration".to_string(),
                email: "manager@demo-school.fr".to_string(),
                phone: "+33600000000".to_string(),
                contract_ends_on: "2027-08-31".to_string(),
                language: hosting_api::types::Language::Fr,
            };
            hostingd::operator::provision(
                &local.service.state.store,
                &local.service.state.passwords,
                &demo,
            )
            .await
            .map_err(|e| Failure::new(ErrorCode::LocalService, e.to_string()))?;
        }
        Ok(local)
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.service.base_url()
    }

    /// The CA of the local service.
    pub fn ca_pem(&self) -> String {
        self.service.ca_pem()
    }

    /// Every e-mail and SMS the local accounts received, oldest first.
    pub async fn mailbox(&self) -> Result<Vec<OutboxMessage>, Failure> {
        self.service
            .state
            .store
            .outbox(None)
            .await
            .map_err(|e| Failure::new(ErrorCode::LocalService, e.to_string()))
    }

    /// The running service (tests use its store).
    pub fn service(&self) -> &RunningService {
        &self.service
    }
}

/// The file, in the service's data directory, that keeps its port.
const PORT_FILE: &str = "port";

fn config(data_dir: &Path, port: u16) -> ServeConfig {
    let mut config = ServeConfig::local(data_dir.to_path_buf());
    config.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    config
}

/// The port of the last start, if it was kept.
fn remembered_port(data_dir: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(data_dir.join(PORT_FILE)).ok()?;
    text.trim().parse().ok().filter(|&port| port != 0)
}

/// Whether nothing listens on this loopback port now.
fn is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Keeps the port for the next start; without it the service still runs, on a port that may
/// change.
fn remember_port(data_dir: &Path, port: u16) {
    let path = data_dir.join(PORT_FILE);
    if let Err(error) =
        hostingd::private_files::write_private_atomic(&path, format!("{port}\n").as_bytes())
    {
        tracing::warn!(error = %format!("{error:#}"), "the local service's port was not kept");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The port stays from one start to the next; when another program holds it, the service
    /// takes another one and keeps that one.
    #[test]
    fn the_port_is_kept_and_replaced_when_taken() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let data_dir = dir.path().join("local-service");
            let first = LocalService::start(&data_dir).await.unwrap();
            let port = first.service.addr.port();
            assert_eq!(remembered_port(&data_dir), Some(port));
            // It answers over TLS with its CA, as the console asks it (on Windows too: under
            // Wine, the TCP options of its connections once closed them before the handshake).
            let client =
                hosting_api::Client::new(&first.base_url(), &first.ca_pem(), None).unwrap();
            client.health().await.unwrap();
            first.service.shutdown().await.unwrap();

            let second = LocalService::start(&data_dir).await.unwrap();
            assert_eq!(second.base_url(), format!("https://127.0.0.1:{port}"));
            second.service.shutdown().await.unwrap();

            let squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
            let third = LocalService::start(&data_dir).await.unwrap();
            let other = third.service.addr.port();
            assert_ne!(other, port);
            assert_eq!(remembered_port(&data_dir), Some(other));
            third.service.shutdown().await.unwrap();
            drop(squatter);

            let fourth = LocalService::start(&data_dir).await.unwrap();
            assert_eq!(fourth.service.addr.port(), other);
            fourth.service.shutdown().await.unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(data_dir.join(PORT_FILE))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        });
    }
}
