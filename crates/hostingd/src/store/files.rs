//! Uploads (tus), blobs (files made of parts in object storage), bases, the server of each
//! schedule, safeguards and licence reservations. The rules of the seed ("shut the server down
//! before loading a base", ...) are checked inside the transaction that makes the change.

use serde_json::json;
use sqlx::{Sqlite, Transaction};

use super::{Actor, ScheduleRow, Store, audit};
use crate::error::{ApiError, ApiResult};

/// An upload row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    /// Identifier (random, 32 hex digits).
    pub id: String,
    /// Account.
    pub account_id: i64,
    /// File name.
    pub filename: String,
    /// `base`, `courriers`, `docjoints`, `photos`.
    pub kind: String,
    /// SHA-256 of the whole file announced at creation.
    pub sha256: String,
    /// Size of the whole file.
    pub length: i64,
    /// Bytes durably stored.
    pub upload_offset: i64,
    /// Creation time.
    pub created_at: i64,
    /// Expiry of the unfinished upload.
    pub expires_at: i64,
    /// When the last byte landed and the hash matched.
    pub completed_at: Option<i64>,
    /// The stored file, once complete.
    pub blob_id: Option<i64>,
}

/// A new upload, validated.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// Identifier.
    pub id: String,
    /// File name.
    pub filename: String,
    /// Kind.
    pub kind: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size.
    pub length: i64,
    /// Expiry.
    pub expires_at: i64,
}

/// A part of a blob or upload: an object of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Part {
    /// Object key.
    pub object_key: String,
    /// Size in bytes.
    pub size: i64,
}

/// A base row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BaseRow {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Name.
    pub name: String,
    /// `downloaded`, `created`, `safeguard`.
    pub origin: String,
    /// Arrival.
    pub created_at: i64,
    /// Last activation.
    pub activated_at: Option<i64>,
}

/// A file of a base.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BaseFileRow {
    /// Base.
    pub base_id: i64,
    /// Kind.
    pub kind: String,
    /// File name.
    pub filename: String,
    /// Blob.
    pub blob_id: i64,
    /// Attached at.
    pub added_at: i64,
    /// Blob size.
    pub size: i64,
    /// Blob hash.
    pub sha256: String,
}

/// A copied file: kind, file name, SHA-256 and its parts.
pub type FileCopy = (String, String, String, Vec<Part>);

/// A safeguard row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SafeguardRow {
    /// Identifier.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Base it was taken of.
    pub base_id: i64,
    /// Base name then.
    pub base_name: String,
    /// File name of the `*.HNOT`.
    pub filename: String,
    /// Blob.
    pub blob_id: i64,
    /// When.
    pub taken_at: i64,
    /// Blob size.
    pub size: i64,
    /// Blob hash.
    pub sha256: String,
}

/// A schedule whose server runs, for the jobs and the endpoints.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunningSchedule {
    /// Schedule.
    pub schedule_id: i64,
    /// Account.
    pub account_id: i64,
    /// School.
    pub school_name: String,
    /// Schedule name.
    pub name: String,
    /// Active base.
    pub active_base_id: i64,
    /// Its name.
    pub base_name: String,
    /// Domain.
    pub domain: Option<String>,
    /// Port.
    pub port: Option<i64>,
}

fn server_running(schedule: &str, action: &str) -> ApiError {
    ApiError::conflict(
        "server_running",
        format!(
            "The server of {schedule} is running: shut it down (Active base, Shut down the server) before {action}."
        ),
    )
}

fn upload_not_found() -> ApiError {
    ApiError::not_found("upload")
}

const UPLOAD_COLUMNS: &str = "id, account_id, filename, kind, sha256, length, upload_offset, created_at, expires_at, completed_at, blob_id";
const SAFEGUARD_SELECT: &str = "SELECT g.id, g.account_id, g.schedule_id, g.base_id, g.base_name, g.filename, g.blob_id, g.taken_at, b.size, b.sha256 FROM safeguards g JOIN blobs b ON b.id = g.blob_id";

async fn schedule_in(
    tx: &mut Transaction<'static, Sqlite>,
    account_id: i64,
    schedule_id: i64,
) -> ApiResult<(String, String, Option<i64>)> {
    sqlx::query_as::<_, (String, String, Option<i64>)>(
        "SELECT name, server_state, open_base_id FROM schedules WHERE id = $1 AND account_id = $2",
    )
    .bind(schedule_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("schedule"))
}

async fn ensure_stopped(
    tx: &mut Transaction<'static, Sqlite>,
    account_id: i64,
    schedule_id: i64,
    action: &str,
) -> ApiResult<String> {
    let (name, state, _) = schedule_in(tx, account_id, schedule_id).await?;
    if state == "running" {
        return Err(server_running(&name, action));
    }
    Ok(name)
}

async fn insert_blob(
    tx: &mut Transaction<'static, Sqlite>,
    account_id: i64,
    sha256: &str,
    parts: &[Part],
    now: i64,
) -> ApiResult<i64> {
    let size: i64 = parts.iter().map(|p| p.size).sum();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO blobs (account_id, size, sha256, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(size)
    .bind(sha256)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (seq, part) in parts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO blob_parts (blob_id, seq, object_key, size) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(seq as i64)
        .bind(&part.object_key)
        .bind(part.size)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Deletes a blob's rows and returns its object keys, to delete after the commit.
async fn delete_blob(
    tx: &mut Transaction<'static, Sqlite>,
    blob_id: i64,
) -> ApiResult<Vec<String>> {
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT object_key FROM blob_parts WHERE blob_id = $1 ORDER BY seq")
            .bind(blob_id)
            .fetch_all(&mut **tx)
            .await?;
    sqlx::query("DELETE FROM blob_parts WHERE blob_id = $1")
        .bind(blob_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM blobs WHERE id = $1")
        .bind(blob_id)
        .execute(&mut **tx)
        .await?;
    Ok(keys)
}

/// A finished upload of the account, consumed by a base: checks and returns (filename, kind, blob).
async fn take_upload(
    tx: &mut Transaction<'static, Sqlite>,
    account_id: i64,
    upload_id: &str,
) -> ApiResult<(String, String, i64)> {
    let row = sqlx::query_as::<_, (String, String, i64, i64, Option<i64>)>(
        "SELECT filename, kind, length, upload_offset, blob_id FROM uploads WHERE id = $1 AND account_id = $2",
    )
    .bind(upload_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(upload_not_found)?;
    let (filename, kind, length, offset, blob_id) = row;
    let blob_id = blob_id.ok_or_else(|| {
        ApiError::conflict(
            "upload_incomplete",
            format!(
                "{filename} is not fully uploaded yet ({offset} of {length} bytes): resume its transfer, then load it."
            ),
        )
    })?;
    // The parts now belong to the blob; the upload row goes.
    sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1")
        .bind(upload_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM uploads WHERE id = $1")
        .bind(upload_id)
        .execute(&mut **tx)
        .await?;
    Ok((filename, kind, blob_id))
}

/// The base name of a file name: without its extension.
fn stem(filename: &str) -> String {
    filename
        .rsplit_once('.')
        .map_or(filename, |(stem, _)| stem)
        .to_string()
}

impl Store {
    // ---- uploads ----

    /// Bytes the account uses: stored files plus the full length of unfinished uploads.
    pub async fn used_bytes(&self, account_id: i64) -> ApiResult<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE((SELECT SUM(size) FROM blobs WHERE account_id = $1), 0) + COALESCE((SELECT SUM(length) FROM uploads WHERE account_id = $1 AND completed_at IS NULL), 0)",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Creates an upload if the account has room for it.
    pub async fn create_upload(
        &self,
        actor: &Actor,
        upload: &NewUpload,
        quota: i64,
    ) -> ApiResult<UploadRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT SUM(size) FROM blobs WHERE account_id = $1), 0) + COALESCE((SELECT SUM(length) FROM uploads WHERE account_id = $1 AND completed_at IS NULL), 0)",
        )
        .bind(actor.account_id)
        .fetch_one(&mut *tx)
        .await?;
        if used.saturating_add(upload.length) > quota {
            return Err(ApiError::client(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "quota_exceeded",
                format!(
                    "Your hosting space is full: {} MB used of {} MB, and this file needs {} MB. Cancel unfinished uploads or ask your provider for more space.",
                    used / 1_000_000,
                    quota / 1_000_000,
                    (upload.length + 999_999) / 1_000_000
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO uploads (id, account_id, filename, kind, sha256, length, upload_offset, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
        )
        .bind(&upload.id)
        .bind(actor.account_id)
        .bind(&upload.filename)
        .bind(&upload.kind)
        .bind(&upload.sha256)
        .bind(upload.length)
        .bind(now)
        .bind(upload.expires_at)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "upload.created",
            json!({"upload_id": upload.id, "filename": upload.filename, "kind": upload.kind, "length": upload.length}),
        )
        .await?;
        tx.commit().await?;
        self.upload(actor.account_id, &upload.id)
            .await?
            .ok_or_else(upload_not_found)
    }

    /// One upload of the account.
    pub async fn upload(&self, account_id: i64, id: &str) -> ApiResult<Option<UploadRow>> {
        Ok(sqlx::query_as::<_, UploadRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND account_id = $2"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account's uploads, oldest first.
    pub async fn uploads(&self, account_id: i64) -> ApiResult<Vec<UploadRow>> {
        Ok(sqlx::query_as::<_, UploadRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE account_id = $1 ORDER BY created_at, id"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The parts of an upload, in order.
    pub async fn upload_parts(&self, upload_id: &str) -> ApiResult<Vec<Part>> {
        Ok(sqlx::query_as::<_, Part>(
            "SELECT object_key, size FROM upload_parts WHERE upload_id = $1 ORDER BY start",
        )
        .bind(upload_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a durably stored part at `start` and moves the offset from `start` to
    /// `start + size`; refuses if the offset moved meanwhile. With `complete_sha256`, the upload
    /// is finished in the same transaction: its parts become a blob.
    pub async fn record_part(
        &self,
        actor: &Actor,
        upload_id: &str,
        start: i64,
        part: &Part,
        complete_sha256: Option<&str>,
    ) -> ApiResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let end = start + part.size;
        let moved = sqlx::query(
            "UPDATE uploads SET upload_offset = $1 WHERE id = $2 AND account_id = $3 AND upload_offset = $4 AND completed_at IS NULL",
        )
        .bind(end)
        .bind(upload_id)
        .bind(actor.account_id)
        .bind(start)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Err(ApiError::conflict(
                "offset_mismatch",
                "The upload moved on meanwhile: ask for its offset (HEAD) and send from there.",
            ));
        }
        sqlx::query(
            "INSERT INTO upload_parts (upload_id, start, size, object_key) VALUES ($1, $2, $3, $4) ON CONFLICT (upload_id, start) DO UPDATE SET size = excluded.size, object_key = excluded.object_key",
        )
        .bind(upload_id)
        .bind(start)
        .bind(part.size)
        .bind(&part.object_key)
        .execute(&mut *tx)
        .await?;
        if let Some(sha256) = complete_sha256 {
            let parts = sqlx::query_as::<_, Part>(
                "SELECT object_key, size FROM upload_parts WHERE upload_id = $1 ORDER BY start",
            )
            .bind(upload_id)
            .fetch_all(&mut *tx)
            .await?;
            let blob_id = insert_blob(&mut tx, actor.account_id, sha256, &parts, now).await?;
            sqlx::query("UPDATE uploads SET completed_at = $1, blob_id = $2 WHERE id = $3")
                .bind(now)
                .bind(blob_id)
                .bind(upload_id)
                .execute(&mut *tx)
                .await?;
            audit::record(
                &mut tx,
                actor,
                now,
                "upload.completed",
                json!({"upload_id": upload_id, "sha256": sha256, "length": end}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(end)
    }

    /// Deletes an upload (termination or expiry) and returns the object keys to delete.
    pub async fn delete_upload(&self, actor: &Actor, upload_id: &str) -> ApiResult<Vec<String>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let blob_id = sqlx::query_scalar::<_, Option<i64>>(
            "SELECT blob_id FROM uploads WHERE id = $1 AND account_id = $2",
        )
        .bind(upload_id)
        .bind(actor.account_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(upload_not_found)?;
        let mut keys: Vec<String> = sqlx::query_scalar(
            "SELECT object_key FROM upload_parts WHERE upload_id = $1 ORDER BY start",
        )
        .bind(upload_id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1")
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM uploads WHERE id = $1")
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
        if let Some(blob_id) = blob_id {
            for key in delete_blob(&mut tx, blob_id).await? {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        audit::record(
            &mut tx,
            actor,
            now,
            "upload.deleted",
            json!({"upload_id": upload_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// Uploads past their expiry: (account, id).
    pub async fn expired_uploads(&self, now: i64) -> ApiResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as::<_, (i64, String)>(
            "SELECT account_id, id FROM uploads WHERE expires_at <= $1 ORDER BY expires_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    // ---- blobs ----

    /// The parts of a blob, in order.
    pub async fn blob_parts(&self, blob_id: i64) -> ApiResult<Vec<Part>> {
        Ok(sqlx::query_as::<_, Part>(
            "SELECT object_key, size FROM blob_parts WHERE blob_id = $1 ORDER BY seq",
        )
        .bind(blob_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Object keys no blob or upload refers to among `keys` (to clean up after a failure).
    pub async fn unreferenced(&self, keys: &[String]) -> ApiResult<Vec<String>> {
        let mut out = Vec::new();
        for key in keys {
            let used: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM blob_parts WHERE object_key = $1) + (SELECT COUNT(*) FROM upload_parts WHERE object_key = $1)",
            )
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
            if used == 0 {
                out.push(key.clone());
            }
        }
        Ok(out)
    }

    // ---- bases ----

    /// Loads finished uploads as a base of a stopped schedule (origin: downloaded).
    pub async fn load_base(
        &self,
        actor: &Actor,
        schedule_id: i64,
        base_upload: &str,
        companions: &[String],
    ) -> ApiResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, "loading a base").await?;
        let (filename, kind, blob_id) = take_upload(&mut tx, actor.account_id, base_upload).await?;
        if kind != "base" {
            return Err(ApiError::bad_request(
                "not_a_base",
                format!(
                    "{filename} is not a base: choose the *.HNOT file to load; the other files are its companions."
                ),
            ));
        }
        let base_id: i64 = sqlx::query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at) VALUES ($1, $2, $3, 'downloaded', $4) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(schedule_id)
        .bind(stem(&filename))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        insert_base_file(&mut tx, base_id, "base", &filename, blob_id, now).await?;
        let mut kinds = vec!["base".to_string()];
        for upload_id in companions {
            let (name, kind, blob) = take_upload(&mut tx, actor.account_id, upload_id).await?;
            if kinds.contains(&kind) {
                return Err(ApiError::bad_request(
                    "duplicate_companion",
                    format!(
                        "{name} is a second {kind} file: give one file of each kind (*.HCOURRIERS, *.HDOCJOINTS, *.HPHOTOS)."
                    ),
                ));
            }
            insert_base_file(&mut tx, base_id, &kind, &name, blob, now).await?;
            kinds.push(kind);
        }
        audit::record(
            &mut tx,
            actor,
            now,
            "base.loaded",
            json!({"schedule_id": schedule_id, "base_id": base_id, "files": kinds}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Creates an empty base from a stored blob and opens it (server stopped).
    pub async fn create_empty_base(
        &self,
        actor: &Actor,
        schedule_id: i64,
        name: &str,
        sha256: &str,
        part: &Part,
    ) -> ApiResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, "creating a base").await?;
        let blob_id = insert_blob(
            &mut tx,
            actor.account_id,
            sha256,
            std::slice::from_ref(part),
            now,
        )
        .await?;
        let base_id: i64 = sqlx::query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at) VALUES ($1, $2, $3, 'created', $4) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(schedule_id)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        insert_base_file(
            &mut tx,
            base_id,
            "base",
            &format!("{name}.HNOT"),
            blob_id,
            now,
        )
        .await?;
        sqlx::query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "base.created",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Attaches a finished companion upload to a base, replacing the file of that kind; returns
    /// the replaced file's object keys.
    pub async fn add_companion(
        &self,
        actor: &Actor,
        base_id: i64,
        upload_id: &str,
    ) -> ApiResult<Vec<String>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM bases WHERE id = $1 AND account_id = $2")
                .bind(base_id)
                .bind(actor.account_id)
                .fetch_optional(&mut *tx)
                .await?;
        exists.ok_or_else(|| ApiError::not_found("base"))?;
        let (filename, kind, blob_id) = take_upload(&mut tx, actor.account_id, upload_id).await?;
        if kind == "base" {
            return Err(ApiError::bad_request(
                "not_a_companion",
                format!(
                    "{filename} is a base: complete a base with *.HCOURRIERS, *.HDOCJOINTS or *.HPHOTOS; load a *.HNOT with Load a base."
                ),
            ));
        }
        let old: Option<i64> =
            sqlx::query_scalar("SELECT blob_id FROM base_files WHERE base_id = $1 AND kind = $2")
                .bind(base_id)
                .bind(&kind)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM base_files WHERE base_id = $1 AND kind = $2")
            .bind(base_id)
            .bind(&kind)
            .execute(&mut *tx)
            .await?;
        insert_base_file(&mut tx, base_id, &kind, &filename, blob_id, now).await?;
        let keys = match old {
            Some(old) => delete_blob(&mut tx, old).await?,
            None => Vec::new(),
        };
        audit::record(
            &mut tx,
            actor,
            now,
            "base.completed",
            json!({"base_id": base_id, "kind": kind, "filename": filename}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// One base of the account.
    pub async fn base(&self, account_id: i64, base_id: i64) -> ApiResult<BaseRow> {
        sqlx::query_as::<_, BaseRow>(
            "SELECT id, schedule_id, name, origin, created_at, activated_at FROM bases WHERE id = $1 AND account_id = $2",
        )
        .bind(base_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("base"))
    }

    /// The bases of a schedule (newest first) with their files.
    pub async fn bases(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> ApiResult<Vec<(BaseRow, Vec<BaseFileRow>)>> {
        let bases = sqlx::query_as::<_, BaseRow>(
            "SELECT id, schedule_id, name, origin, created_at, activated_at FROM bases WHERE schedule_id = $1 AND account_id = $2 ORDER BY id DESC",
        )
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let files = sqlx::query_as::<_, BaseFileRow>(
            "SELECT f.base_id, f.kind, f.filename, f.blob_id, f.added_at, b.size, b.sha256 FROM base_files f JOIN blobs b ON b.id = f.blob_id JOIN bases s ON s.id = f.base_id WHERE s.schedule_id = $1 AND s.account_id = $2",
        )
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(bases
            .into_iter()
            .map(|base| {
                let mine = files
                    .iter()
                    .filter(|f| f.base_id == base.id)
                    .cloned()
                    .collect();
                (base, mine)
            })
            .collect())
    }

    /// The files of one base.
    pub async fn base_files(&self, base_id: i64) -> ApiResult<Vec<BaseFileRow>> {
        Ok(sqlx::query_as::<_, BaseFileRow>(
            "SELECT f.base_id, f.kind, f.filename, f.blob_id, f.added_at, b.size, b.sha256 FROM base_files f JOIN blobs b ON b.id = f.blob_id WHERE f.base_id = $1",
        )
        .bind(base_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Opens a base on its schedule's (stopped) server.
    pub async fn open_base(&self, actor: &Actor, base_id: i64) -> ApiResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let schedule_id: i64 =
            sqlx::query_scalar("SELECT schedule_id FROM bases WHERE id = $1 AND account_id = $2")
                .bind(base_id)
                .bind(actor.account_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| ApiError::not_found("base"))?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, "opening a base").await?;
        sqlx::query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "base.opened",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(schedule_id)
    }

    /// Checks that a schedule can be activated; returns it.
    pub async fn check_activation(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> ApiResult<ScheduleRow> {
        let schedule = self.schedule(account_id, schedule_id).await?;
        activation_rules(&schedule)?;
        Ok(schedule)
    }

    /// Puts the open base into service: the server runs.
    pub async fn activate(&self, actor: &Actor, schedule_id: i64) -> ApiResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let schedule = sqlx::query_as::<_, ScheduleRow>(
            "SELECT s.id, s.name, s.campus_net_licence, s.time_zone, s.server_state, s.active_base_id, s.open_base_id, s.administration_reserved, e.domain, e.port FROM schedules s LEFT JOIN endpoints e ON e.owner_kind = 'schedule' AND e.owner_id = s.id WHERE s.account_id = $1 AND s.id = $2",
        )
        .bind(actor.account_id)
        .bind(schedule_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("schedule"))?;
        let base_id = activation_rules(&schedule)?;
        sqlx::query(
            "UPDATE schedules SET server_state = 'running', active_base_id = $1 WHERE id = $2",
        )
        .bind(base_id)
        .bind(schedule_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE bases SET activated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(base_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "server.activated",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shuts a running server down.
    pub async fn shutdown(&self, actor: &Actor, schedule_id: i64) -> ApiResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (name, state, _) = schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        if state != "running" {
            return Err(ApiError::conflict(
                "server_stopped",
                format!("The server of {name} is already shut down."),
            ));
        }
        sqlx::query("UPDATE schedules SET server_state = 'stopped' WHERE id = $1")
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "server.shut_down",
            json!({"schedule_id": schedule_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every running server of the service.
    pub async fn running_schedules(&self) -> ApiResult<Vec<RunningSchedule>> {
        Ok(sqlx::query_as::<_, RunningSchedule>(
            "SELECT s.id AS schedule_id, s.account_id, a.school_name, s.name, s.active_base_id, b.name AS base_name, e.domain, e.port FROM schedules s JOIN accounts a ON a.id = s.account_id JOIN bases b ON b.id = s.active_base_id LEFT JOIN endpoints e ON e.owner_kind = 'schedule' AND e.owner_id = s.id WHERE s.server_state = 'running' ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    // ---- safeguards ----

    /// Records a safeguard of the running base whose files were copied: `base` is the
    /// `*.HNOT`, `companions` the other files as they are now.
    pub async fn record_safeguard(
        &self,
        schedule: &RunningSchedule,
        base: &FileCopy,
        companions: &[FileCopy],
        taken_at: i64,
    ) -> ApiResult<i64> {
        let (_, filename, sha256, parts) = base;
        let mut tx = self.write().await?;
        let blob_id = insert_blob(&mut tx, schedule.account_id, sha256, parts, taken_at).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO safeguards (account_id, schedule_id, base_id, base_name, filename, blob_id, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(schedule.account_id)
        .bind(schedule.schedule_id)
        .bind(schedule.active_base_id)
        .bind(&schedule.base_name)
        .bind(filename)
        .bind(blob_id)
        .bind(taken_at)
        .fetch_one(&mut *tx)
        .await?;
        for (kind, name, hash, parts) in companions {
            let blob = insert_blob(&mut tx, schedule.account_id, hash, parts, taken_at).await?;
            sqlx::query(
                "INSERT INTO safeguard_files (safeguard_id, kind, filename, blob_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(kind)
            .bind(name)
            .bind(blob)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            &Actor {
                account_id: schedule.account_id,
                label: "service".to_string(),
                workstation_id: None,
            },
            taken_at,
            "safeguard.taken",
            json!({"schedule_id": schedule.schedule_id, "safeguard_id": id, "base_id": schedule.active_base_id, "sha256": sha256}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A schedule's safeguards, newest first.
    pub async fn safeguards(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> ApiResult<Vec<SafeguardRow>> {
        Ok(sqlx::query_as::<_, SafeguardRow>(sqlx::AssertSqlSafe(format!(
            "{SAFEGUARD_SELECT} WHERE g.schedule_id = $1 AND g.account_id = $2 ORDER BY g.taken_at DESC, g.id DESC"
        )))
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One safeguard of the account.
    pub async fn safeguard(&self, account_id: i64, id: i64) -> ApiResult<SafeguardRow> {
        sqlx::query_as::<_, SafeguardRow>(sqlx::AssertSqlSafe(format!(
            "{SAFEGUARD_SELECT} WHERE g.id = $1 AND g.account_id = $2"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("safeguard"))
    }

    /// The companions kept with a safeguard.
    pub async fn safeguard_companions(&self, safeguard_id: i64) -> ApiResult<Vec<BaseFileRow>> {
        Ok(sqlx::query_as::<_, BaseFileRow>(
            "SELECT f.safeguard_id AS base_id, f.kind, f.filename, f.blob_id, g.taken_at AS added_at, b.size, b.sha256 FROM safeguard_files f JOIN blobs b ON b.id = f.blob_id JOIN safeguards g ON g.id = f.safeguard_id WHERE f.safeguard_id = $1 ORDER BY f.kind",
        )
        .bind(safeguard_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes safeguards (retention) and returns the object keys to delete.
    pub async fn delete_safeguards(&self, account_id: i64, ids: &[i64]) -> ApiResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut tx = self.write().await?;
        let mut keys = Vec::new();
        for id in ids {
            let blob: Option<i64> = sqlx::query_scalar(
                "SELECT blob_id FROM safeguards WHERE id = $1 AND account_id = $2",
            )
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(blob) = blob {
                let companions: Vec<i64> = sqlx::query_scalar(
                    "SELECT blob_id FROM safeguard_files WHERE safeguard_id = $1",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM safeguard_files WHERE safeguard_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for companion in companions {
                    keys.extend(delete_blob(&mut tx, companion).await?);
                }
                sqlx::query("DELETE FROM safeguards WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                keys.extend(delete_blob(&mut tx, blob).await?);
            }
        }
        audit::record(
            &mut tx,
            &Actor {
                account_id,
                label: "service".to_string(),
                workstation_id: None,
            },
            now,
            "safeguard.pruned",
            json!({"safeguard_ids": ids}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// Opens a safeguard: a new base (origin: safeguard) made of copies already stored
    /// (`files`: kind, filename, sha256, parts), opened on the stopped server.
    pub async fn open_safeguard(
        &self,
        actor: &Actor,
        safeguard: &SafeguardRow,
        files: &[FileCopy],
    ) -> ApiResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(
            &mut tx,
            actor.account_id,
            safeguard.schedule_id,
            "opening a safeguard",
        )
        .await?;
        let name = format!(
            "{} ({})",
            safeguard.base_name,
            crate::clock::rfc3339(safeguard.taken_at)
        );
        let base_id: i64 = sqlx::query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at) VALUES ($1, $2, $3, 'safeguard', $4) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(safeguard.schedule_id)
        .bind(&name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (kind, filename, sha256, parts) in files {
            let blob = insert_blob(&mut tx, actor.account_id, sha256, parts, now).await?;
            insert_base_file(&mut tx, base_id, kind, filename, blob, now).await?;
        }
        sqlx::query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(safeguard.schedule_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "safeguard.opened",
            json!({"schedule_id": safeguard.schedule_id, "safeguard_id": safeguard.id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    // ---- licences ----

    /// Reserves licences of the contract for a schedule's Administration group.
    pub async fn set_administration_reserved(
        &self,
        actor: &Actor,
        schedule_id: i64,
        reserved: i64,
    ) -> ApiResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        let licences: i64 =
            sqlx::query_scalar("SELECT administration_licences FROM accounts WHERE id = $1")
                .bind(actor.account_id)
                .fetch_one(&mut *tx)
                .await?;
        if reserved > licences {
            return Err(ApiError::client(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "too_many_reserved",
                format!("Your contract allows {licences} simultaneous Administrative connections: reserve at most {licences}."),
            )
            .with_field("administration_reserved"));
        }
        sqlx::query("UPDATE schedules SET administration_reserved = $1 WHERE id = $2")
            .bind(reserved)
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "licences.reserved",
            json!({"schedule_id": schedule_id, "administration_reserved": reserved}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn activation_rules(schedule: &ScheduleRow) -> ApiResult<i64> {
    if schedule.server_state == "running" {
        return Err(ApiError::conflict(
            "server_running",
            format!(
                "The server of {} is already running: shut it down before activating another base.",
                schedule.name
            ),
        ));
    }
    if schedule.port.is_none() {
        return Err(ApiError::conflict(
            "schedule_not_configured",
            format!(
                "{} has no domain name yet: give it one (Configuration) before activating a base.",
                schedule.name
            ),
        ));
    }
    schedule.open_base_id.ok_or_else(|| {
        ApiError::conflict(
            "no_open_base",
            format!(
                "No base is open on {}: open one in Other bases or Safeguards, or create a base, then activate.",
                schedule.name
            ),
        )
    })
}

async fn insert_base_file(
    tx: &mut Transaction<'static, Sqlite>,
    base_id: i64,
    kind: &str,
    filename: &str,
    blob_id: i64,
    now: i64,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO base_files (base_id, kind, filename, blob_id, added_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(base_id)
    .bind(kind)
    .bind(filename)
    .bind(blob_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem("Collège 2026.HNOT"), "Collège 2026");
        assert_eq!(stem("noext"), "noext");
    }
}
