//! Renewing the hosting contract: the pro-forma invoices a superadministrator makes (amounts
//! from the operator's price list), listed and downloaded as the PDF that was issued.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hosting_api::ErrorCode;
use hosting_api::contract::{Proforma, ProformaRequest};
use hosting_api::files::repr_digest;
use hosting_api::types::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath, Superadmin};
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::proforma::{self, Renewal};
use crate::rules::Refusal;
use crate::rules::school_year::{iso, parse_date};
use crate::store::{ProformaDraft, ProformaRow};
use crate::texts::{Language, Texts};

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

/// The longest renewal, in years.
const MAX_YEARS: u8 = 3;
/// How far from today a renewal may start, in days (before and after).
const START_WINDOW_DAYS: i64 = 400;

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
/// the period's first day, a unique number, the PDF kept as issued.
#[utoipa::path(post, path = hosting_api::paths::PROFORMAS, tag = "contract", security(("bearer" = [])),
    request_body = ProformaRequest,
    responses((status = 201, description = "The pro-forma invoice", body = Proforma),
        (status = 403, description = "superadmin_only", body = ErrorBody),
        (status = 409, description = "no_price_list", body = ErrorBody),
        (status = 422, description = "invalid_date, invalid_contract_period", body = ErrorBody)))]
pub async fn make(
    State(state): State<AppState>,
    caller: Caller<Superadmin>,
    ApiJson(request): ApiJson<ProformaRequest>,
) -> ApiResult<(StatusCode, Json<Proforma>)> {
    let start = parse_date(&request.period_start).ok_or_else(|| Refusal::InvalidDate {
        field: "period_start",
        given: request.period_start.chars().take(40).collect(),
    })?;
    let today = state.store.clock().today();
    let too_far = (start - today).whole_days().abs() > START_WINDOW_DAYS;
    if !(1..=MAX_YEARS).contains(&request.years) || too_far {
        return Err(ApiError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidContractPeriod,
            format!(
                "Choose a renewal of 1 to {MAX_YEARS} years starting within {START_WINDOW_DAYS} days of today ({}).",
                iso(today)
            ),
        )
        .with_field(if too_far { "period_start" } else { "years" }));
    }
    let end = start
        .replace_year(start.year() + i32::from(request.years))
        .unwrap_or_else(|_| start + time::Duration::days(365 * i64::from(request.years)))
        - time::Duration::days(1);
    let account = state.store.account_by_id(caller.account_id()).await?;
    let schedules = state.store.schedules(caller.account_id()).await?;
    let language = Language::from_code(request.language.as_deref());
    let renewal = Renewal {
        years: i64::from(request.years),
        administration_licences: account.administration_licences,
        campus_net_schedules: schedules
            .iter()
            .filter(|s| s.campus_net_licence)
            .map(|s| s.name.clone())
            .collect(),
    };
    let day = iso(start);
    let mut prices = Vec::new();
    for item in crate::store::PRICE_ITEMS {
        if let Some(price) = state.store.price_on(item, &day).await? {
            prices.push(price);
        }
    }
    // Fluent's bundle is not `Send`: it lives only in this block, never across an await.
    let priced = {
        let texts = Texts::new(language);
        proforma::lines(&texts, &renewal, |item| {
            prices.iter().find(|p| p.item == item).cloned()
        })
    };
    let (lines, currency) = priced
    .map_err(|item| {
        ApiError::conflict(
            ErrorCode::NoPriceList,
            format!(
                "The provider's price list has no price of {item} for {day}: the pro-forma cannot be made yet. Contact your provider."
            ),
        )
    })?;
    let (excl, incl) = proforma::totals(&lines);
    let draft = ProformaDraft {
        period_start: day,
        period_end: iso(end),
        total_excl_cents: excl,
        total_incl_cents: incl,
        currency: currency.clone(),
        language: language.code().to_string(),
    };
    let provider = state.settings.provider_name.clone();
    let row = state
        .store
        .issue_proforma(&caller.actor, today.year(), &draft, |number| {
            proforma::pdf(&proforma::Document {
                language,
                provider: &provider,
                number,
                issued_on: today,
                school: &account.school_name,
                hosting_number: &account.hosting_number,
                period_start: start,
                period_end: end,
                lines: &lines,
                currency: &currency,
            })
        })
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
