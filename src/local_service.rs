//! The built-in local hosting service: `hostingd` in this process, data under the user's data
//! directory, a demo account provisioned on first start, and a mailbox that shows what that
//! account received.

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
    /// Starts the service with its data in `data_dir` on a free loopback port, and provisions
    /// the demo account the first time.
    pub async fn start(data_dir: &Path) -> Result<LocalService, Failure> {
        let config = ServeConfig::local(data_dir.to_path_buf());
        let service = hostingd::start(config, Clock::default())
            .await
            .map_err(|e| Failure::new(ErrorCode::LocalService, format!("{e:#}")))?;
        let local = LocalService { service };
        if local.mailbox().await?.is_empty() {
            let demo = NewAccount {
                school_name: "Lycée de démonstration".to_string(),
                email: "manager@demo-school.fr".to_string(),
                phone: "+33600000000".to_string(),
                contract_ends_on: "2027-08-31".to_string(),
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
