//! The console's bell: `GET /v1/notifications` and the read marks. The hosting manager sees the
//! account's notifications but the other workstations' own; a superadministrator those about no
//! schedule or about a schedule of their Administration profile, and their workstation's own.
//! Read marks are per person.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::types::{ErrorBody, Role};
use hosting_api::{Notification, NotificationKind, Notifications};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Caller, IdPath};
use crate::clock::rfc3339;
use crate::http::error::ApiResult;
use crate::store::{NotificationRow, NotificationScope};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(mark_all_read))
        .routes(routes!(mark_read))
}

/// Notifications of a list, at most.
const LIST_LIMIT: i64 = 100;

/// What the caller may see.
async fn scope(state: &AppState, caller: &Caller) -> ApiResult<NotificationScope> {
    let workstation_id = caller.workstation.id;
    Ok(match caller.role() {
        Role::Manager => NotificationScope::Manager { workstation_id },
        Role::Superadmin => NotificationScope::Superadmin {
            workstation_id,
            schedules: super::administration_schedules(state, caller).await?,
        },
    })
}

fn item(row: NotificationRow) -> Notification {
    Notification {
        id: row.id,
        kind: NotificationKind::parse(&row.kind),
        created_at: rfc3339(row.created_at),
        read: row.is_read,
        schedule_id: row.schedule_id,
        schedule_name: row.schedule_name,
        workstation_id: row.workstation_id,
        detail: serde_json::from_str(&row.detail)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default())),
    }
}

/// The caller's notifications of the last 90 days, newest first (at most 100), each with the
/// caller's read mark, and how many the caller has not read (the bell's count). `kind` and
/// `detail` make the sentence: see the schema of `NotificationKind`.
#[utoipa::path(get, path = hosting_api::paths::NOTIFICATIONS, tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The notifications", body = Notifications),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Notifications>> {
    let scope = scope(&state, &caller).await?;
    let list = state
        .store
        .notifications(caller.account_id(), &caller.actor.label, &scope, LIST_LIMIT)
        .await?;
    Ok(Json(Notifications {
        unread: u32::try_from(list.unread).unwrap_or(u32::MAX),
        items: list.items.into_iter().map(item).collect(),
    }))
}

/// Marks one notification read for the caller (the others who see it keep their own mark).
/// Marking it again changes nothing.
#[utoipa::path(post, path = hosting_api::paths::NOTIFICATION_READ, tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notification")),
    responses((status = 204, description = "Read"),
        (status = 404, description = "not_found: no such notification for the caller", body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    let scope = scope(&state, &caller).await?;
    state
        .store
        .mark_notification_read(caller.account_id(), &caller.actor.label, &scope, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notification the caller sees read for the caller.
#[utoipa::path(post, path = hosting_api::paths::NOTIFICATIONS_READ, tag = "notifications", security(("bearer" = [])),
    responses((status = 204, description = "All read")))]
pub async fn mark_all_read(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    let scope = scope(&state, &caller).await?;
    state
        .store
        .mark_all_notifications_read(caller.account_id(), &caller.actor.label, &scope)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
