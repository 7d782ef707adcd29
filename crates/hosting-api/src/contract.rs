//! The hosting contract's part of the contract: the pro-forma invoices a superadministrator
//! makes to renew it (amounts from the provider's price list), kept as PDF documents.

use crate::paths;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};

/// `POST /v1/contract/proformas`: the period to renew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProformaRequest {
    /// First day of the period (YYYY-MM-DD); usually the day after the contract's end.
    pub period_start: String,
    /// Years of the period, 1 to 3.
    pub years: u8,
    /// The document's language, `fr` or `en` (default `fr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// An issued pro-forma invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proforma {
    /// Identifier.
    pub id: i64,
    /// Its unique number, e.g. `PF-2027-000042`.
    pub number: String,
    /// First day of the period (YYYY-MM-DD).
    pub period_start: String,
    /// Last day of the period (YYYY-MM-DD).
    pub period_end: String,
    /// Total excluding tax, in cents.
    pub total_excl_cents: i64,
    /// Total including tax, in cents.
    pub total_incl_cents: i64,
    /// Currency, e.g. `EUR`.
    pub currency: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
}

impl Client {
    /// `GET /v1/contract/proformas`: the account's pro-formas, newest first.
    pub async fn proformas(&self) -> ClientResult<Vec<Proforma>> {
        self.call::<(), _>(Method::GET, paths::PROFORMAS, None, true)
            .await
    }

    /// `POST /v1/contract/proformas`: makes a pro-forma invoice for a renewal.
    pub async fn make_proforma(&self, request: &ProformaRequest) -> ClientResult<Proforma> {
        self.call(Method::POST, paths::PROFORMAS, Some(request), true)
            .await
    }

    /// `GET /v1/contract/proformas/{id}/pdf`: the document, its SHA-256 checked against
    /// `Repr-Digest`.
    pub async fn proforma_pdf(&self, id: i64) -> ClientResult<Vec<u8>> {
        self.get_checked(&paths::fill(paths::PROFORMA_PDF, &[&id]), "document")
            .await
    }
}
