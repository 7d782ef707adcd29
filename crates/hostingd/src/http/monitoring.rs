//! Monitoring of connections: the licences a schedule reserves for its Administration group,
//! and the Clients connected to its server (live, and over the last 24 hours), with Disconnect.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::monitoring::{Connection, Monitoring, MonitoringUpdate, UsagePoint};
use hosting_api::types::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath, TwoIdsPath};
use crate::store::connections::ConnectionRow;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(monitoring, set_monitoring))
        .routes(routes!(disconnect))
}

/// The chart's span.
const DAY: i64 = 24 * 3600;

fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// The number of `rows` open over `[since, now]`, as steps: a point at `since`, one at each
/// opening or end, one at `now`.
fn history(rows: &[&ConnectionRow], since: i64, now: i64) -> Vec<UsagePoint> {
    let mut changes: Vec<(i64, i64)> = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        changes.push((row.opened_at.max(since), 1));
        if let Some(end) = row.ended_at(now) {
            changes.push((end.max(since), -1));
        }
    }
    changes.sort_unstable();
    let mut points = vec![UsagePoint {
        at: since,
        in_use: 0,
    }];
    let mut open: i64 = 0;
    for (at, change) in changes {
        open += change;
        match points.last_mut() {
            Some(last) if last.at == at => last.in_use = count(open.max(0)),
            _ => points.push(UsagePoint {
                at,
                in_use: count(open.max(0)),
            }),
        }
    }
    points.push(UsagePoint {
        at: now,
        in_use: count(open.max(0)),
    });
    points
}

async fn view(state: &AppState, account_id: i64, schedule_id: i64) -> ApiResult<Monitoring> {
    let licences = state.store.licences(account_id, schedule_id).await?;
    let now = state.store.now();
    let since = now - DAY;
    let rows = state.store.connections(account_id, since).await?;
    let open: Vec<&ConnectionRow> = rows.iter().filter(|r| r.ended_at(now).is_none()).collect();
    let here: Vec<&ConnectionRow> = rows
        .iter()
        .filter(|r| r.schedule_id == schedule_id)
        .collect();
    let connections: Vec<Connection> = here
        .iter()
        .filter(|r| r.ended_at(now).is_none())
        .map(|r| Connection {
            id: r.id,
            username: r.username.clone(),
            workstation: r.workstation.clone(),
            administration: r.administration,
            opened_at: r.opened_at,
            last_seen_at: r.last_seen_at,
        })
        .collect();
    Ok(Monitoring {
        contract_licences: count(licences.contract),
        administration_reserved: count(licences.reserved),
        administration_members: count(licences.members),
        reserved_elsewhere: count(licences.elsewhere),
        in_use: count(connections.len()),
        administration_in_use: count(connections.iter().filter(|c| c.administration).count()),
        account_in_use: count(open.len()),
        history: history(&here, since, now),
        connections,
        at: now,
    })
}

/// The licences of the contract, the reservation of the Administration group, and the Clients
/// connected to the schedule's server now and over the last 24 hours.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_MONITORING, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "Licences and connections", body = Monitoring)))]
pub async fn monitoring(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Monitoring>> {
    Ok(Json(view(&state, caller.account_id(), schedule_id).await?))
}

/// Reserves licences for the Administration group (at most the contract's).
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_MONITORING, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = MonitoringUpdate,
    responses((status = 200, description = "Licences", body = Monitoring),
        (status = 422, description = "too_many_reserved", body = ErrorBody)))]
pub async fn set_monitoring(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(update): ApiJson<MonitoringUpdate>,
) -> ApiResult<Json<Monitoring>> {
    state
        .store
        .set_administration_reserved(
            &caller.actor,
            schedule_id,
            i64::from(update.administration_reserved),
        )
        .await?;
    Ok(Json(view(&state, caller.account_id(), schedule_id).await?))
}

/// Disconnects a Client from the schedule's server: its seat is free at once, and its next
/// keep-alive answers `404 connection_closed`. Audited.
#[utoipa::path(delete, path = hosting_api::paths::SCHEDULE_CONNECTION, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule"), ("connection" = i64, Path, description = "Connection")),
    responses((status = 204, description = "Disconnected"),
        (status = 404, description = "not_found: no such open connection", body = ErrorBody)))]
pub async fn disconnect(
    State(state): State<AppState>,
    caller: Caller,
    TwoIdsPath(schedule_id, connection_id): TwoIdsPath,
) -> ApiResult<StatusCode> {
    state
        .store
        .disconnect(&caller.actor, schedule_id, connection_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(opened_at: i64, last_seen_at: i64, closed_at: Option<i64>) -> ConnectionRow {
        ConnectionRow {
            id: 1,
            schedule_id: 1,
            user_id: 1,
            username: "u".to_string(),
            administration: false,
            workstation: "w".to_string(),
            opened_at,
            last_seen_at,
            closed_at,
        }
    }

    #[test]
    fn the_history_steps_at_each_opening_and_end() {
        let now = 100_000;
        let since = now - DAY;
        // One from before the day, closed in it; one open now; one silent (ended by silence).
        let rows = [
            row(since - 50, since + 10, Some(since + 100)),
            row(now - 500, now - 10, None),
            row(now - 2_000, now - 1_000, None),
        ];
        let refs: Vec<&ConnectionRow> = rows.iter().collect();
        let points = history(&refs, since, now);
        let pairs: Vec<(i64, u32)> = points.iter().map(|p| (p.at, p.in_use)).collect();
        assert_eq!(
            pairs,
            vec![
                (since, 1),
                (since + 100, 0),
                (now - 2_000, 1),
                (now - 1_000 + 90, 0),
                (now - 500, 1),
                (now, 1),
            ]
        );
    }
}
