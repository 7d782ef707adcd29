//! Monitoring of connections: the contract's licences in Administrative mode, the number a
//! schedule reserves for its Administration group, and the Clients connected now and over the
//! last 24 hours (through the session protocol of the schedule's endpoint).

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
    /// Clients connected to this schedule's server now.
    #[serde(default)]
    pub in_use: u32,
    /// Of which members of its Administration group.
    #[serde(default)]
    pub administration_in_use: u32,
    /// Clients connected to all the account's schedules now (what the contract counts).
    #[serde(default)]
    pub account_in_use: u32,
    /// Who is connected to this schedule's server, oldest first.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Connections to this schedule's server over the last 24 hours: the count from each
    /// point's time until the next one's (the first at the start of the 24 hours, the last now).
    #[serde(default)]
    pub history: Vec<UsagePoint>,
    /// The service's time of this answer (Unix seconds).
    #[serde(default)]
    pub at: i64,
}

/// A Client connected to a schedule's server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Connection {
    /// Identifier (for Disconnect).
    pub id: i64,
    /// The user the Client logged in as.
    pub username: String,
    /// The Client's computer.
    pub workstation: String,
    /// A member of the schedule's Administration group (on its reserved seats).
    pub administration: bool,
    /// Since when (Unix seconds).
    pub opened_at: i64,
    /// Last sign of life (Unix seconds).
    pub last_seen_at: i64,
}

/// The number of connections from a time on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UsagePoint {
    /// Unix seconds.
    pub at: i64,
    /// Connections from then on.
    pub in_use: u32,
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

    /// `DELETE /v1/schedules/{id}/connections/{connection}`: disconnects a Client.
    pub async fn disconnect(&self, schedule_id: i64, connection_id: i64) -> ClientResult<()> {
        self.call_empty::<()>(
            Method::DELETE,
            &paths::fill(paths::SCHEDULE_CONNECTION, &[&schedule_id, &connection_id]),
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
