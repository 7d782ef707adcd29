//! The audit view: `GET /v1/audit`, as JSON pages or as a CSV export (`Accept: text/csv`). The
//! hosting manager sees the whole account; a superadministrator their own actions and every
//! action on the schedules of their Administration profile.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use hosting_api::audit::{AuditPage, AuditRecord};
use hosting_api::types::ErrorBody;
use hosting_api::{ErrorCode, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::Caller;
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::rules::Refusal;
use crate::rules::school_year::{iso, parse_date, start_of};
use crate::store::{AuditFilter, AuditRow, AuditScope};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

/// Records of a JSON page, by default and at most.
const PAGE: u32 = 200;
const MAX_PAGE: u32 = 1000;
/// Records of a CSV export, at most.
const MAX_CSV: i64 = 100_000;

/// The query of `GET /v1/audit`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditParams {
    since: Option<String>,
    until: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before_id: Option<i64>,
    limit: Option<u32>,
}

/// A day of the query as the Unix time it starts; `422 invalid_date` otherwise.
fn day(value: &Option<String>, field: &'static str) -> Result<Option<i64>, Refusal> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            parse_date(v)
                .map(start_of)
                .ok_or_else(|| Refusal::InvalidDate {
                    field,
                    given: v.chars().take(40).collect(),
                })
        })
        .transpose()
}

fn record(row: AuditRow) -> AuditRecord {
    AuditRecord {
        id: row.id,
        at: rfc3339(row.at),
        actor: row.actor,
        workstation_id: row.workstation_id,
        workstation_name: row.workstation_name,
        action: row.action,
        schedule_id: row.schedule_id,
        schedule_name: row.schedule_name,
        detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
        source_addr: row.source_addr,
    }
}

/// One CSV field (RFC 4180): quoted when it holds a separator (a comma, or a semicolon, which a
/// spreadsheet in French splits cells on: `x;=cmd` would give a cell `=cmd`), a quote or a line
/// break; a field a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return first) is given a leading `'`.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The records as CSV, with a UTF-8 BOM for spreadsheets.
fn csv(rows: &[AuditRow]) -> String {
    let mut out = String::from(
        "\u{feff}at,actor,workstation,action,schedule,source_address,before,after,detail\r\n",
    );
    for row in rows {
        let detail: serde_json::Value =
            serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null);
        let part = |key: &str| detail.get(key).map(ToString::to_string).unwrap_or_default();
        let fields = [
            rfc3339(row.at),
            row.actor.clone(),
            row.workstation_name.clone().unwrap_or_default(),
            row.action.clone(),
            row.schedule_name.clone().unwrap_or_default(),
            row.source_addr.clone().unwrap_or_default(),
            part("before"),
            part("after"),
            row.detail.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The account's audit log, newest first: who (person and workstation), when, what (with the
/// details of a change, before and after), on which schedule, from which address. Filters:
/// `since`/`until` (days, YYYY-MM-DD, both included), `actor`, `action` (a kind when it ends
/// with a dot, e.g. `server.`). `Accept: text/csv` exports every record of the filters.
#[utoipa::path(get, path = hosting_api::paths::AUDIT, tag = "audit", security(("bearer" = [])),
    params(
        ("since" = Option<String>, Query, description = "From this day (YYYY-MM-DD) on"),
        ("until" = Option<String>, Query, description = "Up to this day (YYYY-MM-DD), included"),
        ("actor" = Option<String>, Query, description = "This actor, e.g. superadmin:jdupont"),
        ("action" = Option<String>, Query, description = "This action, or a kind ending with a dot"),
        ("before_id" = Option<i64>, Query, description = "Records older than this id (next page)"),
        ("limit" = Option<u32>, Query, description = "At most this many (200 by default, 1000 at most)")),
    responses((status = 200, description = "A page of records, or text/csv", body = AuditPage),
        (status = 422, description = "invalid_date", body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<AuditParams>,
) -> ApiResult<Response> {
    let since = day(&params.since, "since")?;
    let until = day(&params.until, "until")?.map(|start| start + 86_400);
    let filter = AuditFilter {
        since,
        until,
        actor: params.actor.filter(|a| !a.is_empty()),
        action: params.action.filter(|a| !a.is_empty()),
        before_id: params.before_id,
    };
    let scope = match caller.role() {
        Role::Manager => AuditScope::All,
        Role::Superadmin => AuditScope::Own {
            actor: caller.actor.label.clone(),
            schedules: super::administration_schedules(&state, &caller).await?,
        },
    };
    let wants_csv = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    if wants_csv {
        let rows = state
            .store
            .audit_page(caller.account_id(), &filter, &scope, MAX_CSV)
            .await?;
        let account = state.store.account_by_id(caller.account_id()).await?;
        let mut response = csv(&rows).into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        let name = format!(
            "attachment; filename=\"audit-{}-{}.csv\"",
            account.hosting_number,
            iso(state.store.clock().today())
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
        }
        return Ok(response);
    }
    let limit = params.limit.unwrap_or(PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!("Ask for 1 to {MAX_PAGE} records a page (limit)."),
        )
        .with_field("limit"));
    }
    // One more than asked: whether there is a next page.
    let mut rows = state
        .store
        .audit_page(caller.account_id(), &filter, &scope, i64::from(limit) + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_before_id = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Json(AuditPage {
        records: rows.into_iter().map(record).collect(),
        next_before_id,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("server.activated"), "server.activated");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+33 6"), "'+33 6");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        // Opened by a French spreadsheet, which splits on semicolons: one cell, no formula.
        assert_eq!(
            csv_field("Lycée;=cmd|' /C calc'!A0"),
            "\"Lycée;=cmd|' /C calc'!A0\""
        );
    }
}
