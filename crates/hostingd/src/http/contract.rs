//! Renewing the hosting contract: the pro-forma invoices a superadministrator makes (amounts
//! from the operator's price list), listed and downloaded as the PDF that was issued.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hosting_api::contract::{Proforma, ProformaRequest};
use hosting_api::types::ErrorBody;
use hosting_api::uploads::repr_digest;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath, Superadmin};
use crate::clock::rfc3339;
use crate::http::error::ApiResult;
use crate::renewal;
use crate::store::ProformaRow;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, make))
        .routes(routes!(pdf))
}

fn view(row: ProformaRow) -> Proforma {
    Proforma {
        id: row.id,
        number: row.number,
        period_start: row.period_start,
        period_end: row.period_end,
        total_excl_cents: row.total_excl_cents,
        total_incl_cents: row.total_incl_cents,
        currency: row.currency,
        created_at: rfc3339(row.created_at),
        created_by: row.created_by,
        sha256: row.sha256,
    }
}

/// The account's pro-forma invoices, newest first.
#[utoipa::path(get, path = hosting_api::paths::PROFORMAS, tag = "contract", security(("bearer" = [])),
    responses((status = 200, description = "Pro-forma invoices", body = [Proforma]),
        (status = 403, description = "superadmin_only", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller<Superadmin>,
) -> ApiResult<Json<Vec<Proforma>>> {
    let rows = state.store.proformas(caller.account_id()).await?;
    Ok(Json(rows.into_iter().map(view).collect()))
}

/// Makes the pro-forma invoice of a renewal of 1 to 3 years: its lines priced from the list of
/// the period's first day, a unique number, the PDF kept as issued; at most
/// [`crate::renewal::PROFORMAS_PER_DAY`] a day per account.
#[utoipa::path(post, path = hosting_api::paths::PROFORMAS, tag = "contract", security(("bearer" = [])),
    request_body = ProformaRequest,
    responses((status = 201, description = "The pro-forma invoice", body = Proforma),
        (status = 403, description = "superadmin_only", body = ErrorBody),
        (status = 409, description = "no_price_list", body = ErrorBody),
        (status = 422, description = "invalid_date, invalid_contract_period", body = ErrorBody),
        (status = 429, description = "proforma_limit_reached: the account made the most pro-forma invoices of the day; see Retry-After", body = ErrorBody)))]
pub async fn make(
    State(state): State<AppState>,
    caller: Caller<Superadmin>,
    ApiJson(request): ApiJson<ProformaRequest>,
) -> ApiResult<(StatusCode, Json<Proforma>)> {
    let row = renewal::make_proforma(
        &state.store,
        &state.settings.provider_name,
        &caller.actor,
        &request,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(row))))
}

/// The PDF of a pro-forma invoice, as issued, with its SHA-256 in `Repr-Digest`.
#[utoipa::path(get, path = hosting_api::paths::PROFORMA_PDF, tag = "contract", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pro-forma invoice")),
    responses((status = 200, description = "The document", content_type = "application/pdf"),
        (status = 403, description = "superadmin_only", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn pdf(
    State(state): State<AppState>,
    caller: Caller<Superadmin>,
    IdPath(id): IdPath,
) -> ApiResult<Response> {
    let (row, bytes) = state.store.proforma_pdf(caller.account_id(), id).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&repr_digest(&row.sha256)) {
        headers.insert("Repr-Digest", value);
    }
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", row.number))
    {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
