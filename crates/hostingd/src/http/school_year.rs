//! The school year: the yearly upgrade (My account) and the bases of the finished school years
//! of each schedule (Server PRONOTE, Previous years).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use hosting_api::ErrorCode;
use hosting_api::school_year::{
    LoadYearBase, ScheduleYears, UpgradeChoice, UpgradeState, UpgradeStatus, UpgradeWindow,
    YearBase, YearCell, YearFile,
};
use hosting_api::types::ErrorBody;
use hosting_api::uploads::FileKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdNamePath, IdPath, Member};
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::rules::Refusal;
use crate::rules::school_year::{
    YEARS_LOADABLE, YEARS_SHOWN, iso, last_finished_year, parse_date, parse_school_year,
    school_year,
};
use crate::store::{YearBaseRow, YearFileRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upgrade, choose_upgrade))
        .routes(routes!(years))
        .routes(routes!(load_year))
        .routes(routes!(download_year))
}

/// Where the account's upgrade stands today.
pub async fn upgrade_state(state: &AppState, account_id: i64) -> ApiResult<UpgradeState> {
    let store = &state.store;
    let today = store.clock().today();
    let current = store.current_version(account_id).await?;
    let Some(release) = store.next_release(&current).await? else {
        // The last upgrade, when it brought the school to the version it runs.
        let done = store
            .upgrade(account_id, &current)
            .await?
            .is_some_and(|u| u.state == UpgradeStatus::Done);
        return Ok(UpgradeState {
            current_version: current,
            next_version: None,
            prerelease_from: None,
            window: None,
            chosen_date: None,
            effective_date: None,
            prerelease_requested: false,
            state: if done {
                UpgradeStatus::Done
            } else {
                UpgradeStatus::None
            },
            today: iso(today),
            last_error: None,
        });
    };
    let row = store.upgrade(account_id, &release.version).await?;
    let chosen = row.as_ref().and_then(|u| u.chosen_date.clone());
    let prerelease_requested = row
        .as_ref()
        .is_some_and(|u| u.prerelease_requested_at.is_some());
    let status = row.as_ref().map_or(UpgradeStatus::Pending, |u| u.state);
    let effective = if prerelease_requested {
        // At the next run, which is today.
        iso(today.max(parse_date(&release.prerelease_from).unwrap_or(today)))
    } else {
        chosen
            .clone()
            .unwrap_or_else(|| release.window_start.clone())
    };
    Ok(UpgradeState {
        current_version: current,
        next_version: Some(release.version.clone()),
        prerelease_from: Some(release.prerelease_from.clone()),
        window: Some(UpgradeWindow {
            start: release.window_start.clone(),
            end: release.window_end.clone(),
        }),
        chosen_date: chosen,
        effective_date: Some(effective),
        prerelease_requested,
        state: status,
        today: iso(today),
        last_error: row.and_then(|u| u.last_error),
    })
}

/// Where the yearly upgrade to the provider's next release stands.
#[utoipa::path(get, path = hosting_api::paths::UPGRADE, tag = "school year", security(("bearer" = [])),
    responses((status = 200, description = "The upgrade", body = UpgradeState)))]
pub async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<UpgradeState>> {
    Ok(Json(upgrade_state(&state, caller.account_id()).await?))
}

/// Chooses the day of the upgrade (a day of the window, not past) or asks for the pre-release
/// at once (from its date on).
#[utoipa::path(put, path = hosting_api::paths::UPGRADE, tag = "school year", security(("bearer" = [])),
    request_body = UpgradeChoice,
    responses((status = 200, description = "The upgrade", body = UpgradeState),
        (status = 409, description = "no_upgrade_planned, prerelease_not_yet, upgrade_already_done", body = ErrorBody),
        (status = 422, description = "invalid_date, upgrade_date_past, upgrade_date_outside_window", body = ErrorBody)))]
pub async fn choose_upgrade(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(choice): ApiJson<UpgradeChoice>,
) -> ApiResult<Json<UpgradeState>> {
    let chosen = match &choice.chosen_date {
        Some(text) => Some(Some(parse_date(text).ok_or_else(|| {
            Refusal::InvalidDate {
                field: "chosen_date",
                given: text.chars().take(40).collect(),
            }
        })?)),
        None => None,
    };
    let today = state.store.clock().today();
    state
        .store
        .choose_upgrade(&caller.actor, today, chosen, choice.prerelease)
        .await?;
    Ok(Json(upgrade_state(&state, caller.account_id()).await?))
}

fn year_view(row: YearBaseRow, files: Vec<YearFileRow>) -> YearBase {
    let mut files: Vec<YearFile> = files
        .into_iter()
        .map(|f| YearFile {
            kind: f.kind,
            filename: f.filename,
            size: u64::try_from(f.size).unwrap_or(0),
            sha256: f.sha256,
        })
        .collect();
    let (size, sha256) = hosting_api::uploads::in_order(&mut files);
    YearBase {
        name: row.base_name,
        origin: row.origin,
        version: row.version,
        size,
        sha256,
        recorded_at: rfc3339(row.recorded_at),
        recorded_by: row.recorded_by,
        files,
    }
}

/// The start year of the last finished school year today.
fn last_finished(state: &AppState) -> i32 {
    last_finished_year(state.store.clock().today(), state.settings.year.archive)
}

/// A school year of the path that a base may be loaded for: finished, and not older than
/// [`YEARS_LOADABLE`] years.
fn loadable_year(state: &AppState, text: &str) -> Result<String, Refusal> {
    let last = last_finished(state);
    match parse_school_year(text) {
        Some(start) if start <= last && start > last - YEARS_LOADABLE => Ok(school_year(start)),
        _ => Err(Refusal::InvalidSchoolYear {
            given: text.chars().take(20).collect(),
            last: school_year(last),
        }),
    }
}

async fn years_view(
    state: &AppState,
    caller: &Caller,
    schedule_id: i64,
) -> ApiResult<ScheduleYears> {
    let schedule = state
        .store
        .schedule(caller.account_id(), schedule_id)
        .await?;
    let may_change = state
        .store
        .is_administration_member(schedule_id, caller.workstation.user_id)
        .await?;
    let mut rows = state
        .store
        .year_bases(caller.account_id(), schedule_id)
        .await?;
    let last = last_finished(state);
    let mut years: Vec<YearCell> = (0..YEARS_SHOWN)
        .map(|back| {
            let year = school_year(last - back);
            let base = rows
                .iter()
                .position(|(row, _)| row.school_year == year)
                .map(|i| rows.remove(i))
                .map(|(row, files)| year_view(row, files));
            YearCell {
                school_year: year,
                base,
            }
        })
        .collect();
    // Older years that have a base stay visible.
    years.extend(rows.into_iter().map(|(row, files)| YearCell {
        school_year: row.school_year.clone(),
        base: Some(year_view(row, files)),
    }));
    Ok(ScheduleYears {
        schedule_id,
        schedule: schedule.name,
        may_change,
        years,
    })
}

/// The finished school years of a schedule, newest first, each with its base or none.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_YEARS, tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "The years", body = ScheduleYears),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn years(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<ScheduleYears>> {
    Ok(Json(years_view(&state, &caller, schedule_id).await?))
}

/// Replaces the base of a finished school year, or completes an empty year, with finished
/// uploads; members of the schedule's Administration profile only.
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_YEAR, tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule"), ("year" = String, Path, description = "School year, e.g. 2026-2027")),
    request_body = LoadYearBase,
    responses((status = 200, description = "The year", body = YearCell),
        (status = 403, description = "administration_only", body = ErrorBody),
        (status = 409, description = "upload_incomplete", body = ErrorBody),
        (status = 422, description = "invalid_school_year", body = ErrorBody)))]
pub async fn load_year(
    State(state): State<AppState>,
    Member { caller, .. }: Member,
    IdNamePath(schedule_id, year): IdNamePath,
    ApiJson(request): ApiJson<LoadYearBase>,
) -> ApiResult<Json<YearCell>> {
    if request.companions.len() > 3 {
        return Err(ApiError::bad_request(
            ErrorCode::TooManyCompanions,
            "A base has at most three companions: *.HCOURRIERS, *.HDOCJOINTS and *.HPHOTOS.",
        ));
    }
    let year = loadable_year(&state, &year)?;
    let replaced = state
        .store
        .load_year_base(
            &caller.actor,
            caller.workstation.user_id,
            schedule_id,
            &year,
            &request.upload_id,
            &request.companions,
        )
        .await?;
    state.blobs.delete_released(&state.store, &replaced).await;
    let view = years_view(&state, &caller, schedule_id).await?;
    let cell = view
        .years
        .into_iter()
        .find(|c| c.school_year == year)
        .ok_or_else(|| ApiError::internal("a year just loaded is not listed"))?;
    Ok(Json(cell))
}

/// Which file of a year's base to download.
#[derive(Debug, serde::Deserialize)]
pub struct ContentQuery {
    /// `base` (default), `courriers`, `docjoints` or `photos`.
    #[serde(default)]
    kind: Option<FileKind>,
}

/// A file of a year's base (the `*.HNOT` unless `kind` says otherwise), with its SHA-256 in
/// `Repr-Digest`; members of the schedule's Administration profile only.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_YEAR_CONTENT, tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule"), ("year" = String, Path, description = "School year, e.g. 2026-2027"),
        ("kind" = Option<FileKind>, Query, description = "The file: base (default) or a companion")),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
        (status = 403, description = "administration_only", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn download_year(
    State(state): State<AppState>,
    Member { caller, schedule }: Member,
    IdNamePath(_schedule, year): IdNamePath,
    Query(query): Query<ContentQuery>,
) -> ApiResult<Response> {
    let schedule_id = schedule.id;
    let kind = query.kind.unwrap_or(FileKind::Base);
    let file = state
        .store
        .year_bases(caller.account_id(), schedule_id)
        .await?
        .into_iter()
        .find(|(row, _)| row.school_year == year)
        .and_then(|(_, files)| files.into_iter().find(|f| f.kind == kind))
        .ok_or_else(|| ApiError::not_found("base of this school year"))?;
    let parts = state.store.blob_parts(file.blob_id).await?;
    state
        .store
        .record_year_download(&caller.actor, schedule_id, &year, &file.sha256)
        .await?;
    Ok(super::stored_file::stored_file(
        &state,
        parts,
        file.size,
        &file.sha256,
        &file.filename,
    ))
}
