//! The audit view: who did what, when, from which workstation and address, on which schedule.
//! The hosting manager sees the whole account; a superadministrator their own actions and
//! those on the schedules of their Administration profile.

use crate::paths;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientError, ClientResult, error_from, transport_message};

/// One record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditRecord {
    /// Identifier (newer records have larger ones).
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who: `manager`, `superadmin:<username>`, `service` (the jobs), `operator` (the
    /// provider), `public`.
    pub actor: String,
    /// From which workstation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation_id: Option<i64>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation_name: Option<String>,
    /// What, e.g. `server.activated`.
    pub action: String,
    /// The schedule it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_name: Option<String>,
    /// The details: before and after for a change, ids, names (never a secret).
    pub detail: serde_json::Value,
    /// The caller's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_addr: Option<String>,
}

/// `GET /v1/audit`: a page of records, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// The records.
    pub records: Vec<AuditRecord>,
    /// Ask again with `before_id` set to this for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before_id: Option<i64>,
}

/// The filters of `GET /v1/audit`; each is left out when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// From this day (YYYY-MM-DD, UTC) on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Up to this day (YYYY-MM-DD, UTC), included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// This actor exactly, e.g. `superadmin:jdupont`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// This action, or a kind of actions when it ends with a dot (`server.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Records older than this one (the next page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_id: Option<i64>,
    /// At most this many (default 200, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl AuditQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("since", &self.since),
            ("until", &self.until),
            ("actor", &self.actor),
            ("action", &self.action),
        ] {
            if let Some(value) = value {
                pairs.push((name, value.clone()));
            }
        }
        if let Some(before) = self.before_id {
            pairs.push(("before_id", before.to_string()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        pairs
    }
}

impl Client {
    fn audit_url(&self, query: &AuditQuery) -> ClientResult<reqwest::Url> {
        reqwest::Url::parse_with_params(&self.url(paths::AUDIT), query.pairs())
            .map_err(|e| ClientError::Transport(e.to_string()))
    }

    /// `GET /v1/audit` as JSON.
    pub async fn audit(&self, query: &AuditQuery) -> ClientResult<AuditPage> {
        let bytes = self.audit_bytes(query, "application/json").await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// `GET /v1/audit` as CSV (`Accept: text/csv`), every record of the filters.
    pub async fn audit_csv(&self, query: &AuditQuery) -> ClientResult<Vec<u8>> {
        self.audit_bytes(query, "text/csv").await
    }

    async fn audit_bytes(&self, query: &AuditQuery, accept: &str) -> ClientResult<Vec<u8>> {
        let token = self.token().ok_or(ClientError::NoSession)?;
        let response = self
            .http()
            .get(self.audit_url(query)?)
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        Ok(bytes.to_vec())
    }
}
