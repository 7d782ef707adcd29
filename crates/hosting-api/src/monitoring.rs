//! Monitoring of connections: the contract's licences in Administrative mode and the number a
//! schedule reserves for its Administration group.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};
use crate::paths;

/// The licences of the contract and the reservation of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Monitoring {
    /// Simultaneous Administrative-mode connections the contract allows.
    pub contract_licences: u32,
    /// Licences reserved for the Administration group.
    pub administration_reserved: u32,
    /// Members of the Administration profile.
    pub administration_members: u32,
    /// Licences the account's other schedules reserve: this one may reserve at most
    /// `contract_licences - reserved_elsewhere`.
    #[serde(default)]
    pub reserved_elsewhere: u32,
}

impl Monitoring {
    /// The most this schedule may reserve.
    pub fn reservable(&self) -> u32 {
        self.contract_licences
            .saturating_sub(self.reserved_elsewhere)
    }
}

/// `PUT /v1/schedules/{id}/monitoring`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonitoringUpdate {
    /// Licences to reserve for the Administration group (with the other schedules', at most
    /// the contract's).
    pub administration_reserved: u32,
}

impl Client {
    /// `GET /v1/schedules/{id}/monitoring`.
    pub async fn monitoring(&self, schedule_id: i64) -> ClientResult<Monitoring> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_MONITORING, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `PUT /v1/schedules/{id}/monitoring`: reserves licences for the Administration group.
    pub async fn set_monitoring(
        &self,
        schedule_id: i64,
        update: &MonitoringUpdate,
    ) -> ClientResult<Monitoring> {
        self.call(
            Method::PUT,
            &paths::fill(paths::SCHEDULE_MONITORING, &[&schedule_id]),
            Some(update),
            true,
        )
        .await
    }
}
