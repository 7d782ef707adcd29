//! Users of the controller.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::types::{ErrorBody, NewUser, User, UserUpdate};
use hosting_api::validate;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath, Manager};
use crate::http::error::ApiResult;
use crate::store::{NewUserRow, UserChange, UserRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
        .routes(routes!(reset_password))
}

/// The wire view of a user; `sole` is what [`crate::store::Store::sole_administrators`] gives.
fn view(row: UserRow, sole: &mut HashMap<i64, Vec<String>>) -> User {
    User {
        sole_administrator_of: sole.remove(&row.id).unwrap_or_default(),
        active: row.active,
        id: row.id,
        first_name: row.first_name,
        surname: row.surname,
        username: row.username,
        superadmin: row.superadmin,
        email: row.email,
        console_access: row.console_access,
    }
}

/// The users of the account.
#[utoipa::path(get, path = hosting_api::paths::USERS, tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The users", body = [User]),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<User>>> {
    let rows = state.store.users(caller.account_id()).await?;
    let mut sole = state.store.sole_administrators(caller.account_id()).await?;
    Ok(Json(
        rows.into_iter().map(|row| view(row, &mut sole)).collect(),
    ))
}

/// Creates a user (the first superadministrator in step 4). Only the hosting manager creates
/// superadministrators; a superadministrator may add users without that right.
#[utoipa::path(post, path = hosting_api::paths::USERS, tag = "users", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 201, description = "Created", body = User),
        (status = 403, description = "manager_only: a superadministrator creating a superadministrator", body = ErrorBody),
        (status = 409, description = "username_taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    if request.superadmin {
        caller.require_manager("create superadministrators")?;
    }
    let first_name = validate::person_name(&request.first_name, "first_name")?;
    let surname = validate::person_name(&request.surname, "surname")?;
    let username = validate::username(&request.username)?;
    validate::user_password(&request.password, &username)?;
    let password_hash = state.passwords.hash(&request.password).await?;
    let row = state
        .store
        .create_user(
            &caller.actor,
            &NewUserRow {
                first_name,
                surname,
                username,
                password_hash,
                superadmin: request.superadmin,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(row, &mut HashMap::new()))))
}

/// Changes a user. Console access, the e-mail of a user who has it, deactivation and the
/// superadministrator rights are the hosting manager's alone: they are what lets a person
/// install a workstation and run the schedules. Both roles may set the e-mail of the other users.
/// Deactivating a user or removing their rights ends their sessions; the only active
/// superadministrator of a schedule's Administration profile keeps both.
#[utoipa::path(patch, path = hosting_api::paths::USER, tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UserUpdate,
    responses((status = 200, description = "The user", body = User),
        (status = 403, description = "manager_only: console access, deactivation, rights, or the e-mail of a user with console access", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "last_administrator: the only superadministrator of a schedule's Administration profile", body = ErrorBody),
        (status = 422, description = "invalid_email, email_required, console_access_superadmin_only", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    if request.active.is_some() {
        caller.require_manager("deactivate or reactivate users")?;
    }
    if request.superadmin.is_some() {
        caller.require_manager("grant or remove superadministrator rights")?;
    }
    if request.console_access.is_some() {
        caller.require_manager("grant or remove console access")?;
    } else if request.email.is_some()
        && state
            .store
            .user(caller.account_id(), id)
            .await?
            .console_access
    {
        caller.require_manager("change the e-mail address of a user with console access")?;
    }
    let email = request.email.as_deref().map(validate::email).transpose()?;
    let change = UserChange {
        email,
        console_access: request.console_access,
        active: request.active,
        superadmin: request.superadmin,
    };
    let row = state.store.update_user(&caller.actor, id, change).await?;
    let mut sole = state.store.sole_administrators(caller.account_id()).await?;
    Ok(Json(view(row, &mut sole)))
}

/// Deletes a user: out of every profile, their workstations revoked and their sessions ended.
/// The hosting manager's; the audit keeps what the user did.
#[utoipa::path(delete, path = hosting_api::paths::USER, tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "manager_only", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "last_administrator: the only superadministrator of a schedule's Administration profile", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller<Manager>,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    state.store.delete_user(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The hosting manager resets a superadministrator's password: a one-time code (30 minutes,
/// one use) is e-mailed to the superadministrator, who chooses the new password with it. The
/// old password works until then.
#[utoipa::path(post, path = hosting_api::paths::USER_PASSWORD_RESET, tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 202, description = "The code was e-mailed (or one was, less than 10 minutes ago)"),
        (status = 403, description = "manager_only", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "email_required: the user has no e-mail address", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller<Manager>,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    use crate::store::password_resets::{Owner, new_code};
    let user = state.store.user(caller.account_id(), id).await?;
    if !user.superadmin {
        return Err(crate::store::StoreError::NotFound("superadministrator").into());
    }
    let account = state.store.account_by_id(caller.account_id()).await?;
    state
        .store
        .request_password_reset(&caller.actor, &account, Owner::User(&user), &new_code())
        .await?;
    Ok(StatusCode::ACCEPTED)
}
