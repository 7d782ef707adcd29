//! The bytes of the bases in blob storage, around the store's transactions: an empty base
//! written, the files of a base or a safeguard copied (hard links on a local directory,
//! server-side copies on S3), then recorded by the store. Whatever fails after the bytes are
//! written deletes them again, so that nothing is left for the orphan sweep to find.
//!
//! Used by the handlers and by the jobs alike; it takes the store and the blob storage it
//! works with, not the service's whole state.

use hosting_api::bases::TimeGrid;

use crate::blobs::Blobs;
use crate::clock::rfc3339;
use crate::fault::{Fault, FaultResult};
use crate::rules::Change;
use crate::store::{Actor, BaseFileRow, FileCopy, FileKind, SafeguardRow, Store, YearStep};

/// A stored file to copy: its kind, name, hash and blob.
#[derive(Debug, Clone)]
pub struct FileToCopy {
    /// Kind.
    pub kind: FileKind,
    /// File name.
    pub filename: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// The blob whose parts are copied.
    pub blob_id: i64,
}

impl From<BaseFileRow> for FileToCopy {
    fn from(file: BaseFileRow) -> FileToCopy {
        FileToCopy {
            kind: file.kind,
            filename: file.filename,
            sha256: file.sha256,
            blob_id: file.blob_id,
        }
    }
}

/// The object keys of copies, to delete them again.
pub fn keys_of(copies: &[FileCopy]) -> Vec<String> {
    copies
        .iter()
        .flat_map(|c| c.3.iter().map(|p| p.object_key.clone()))
        .collect()
}

/// Copies `files` under `folder` (a new random prefix of today's keys); on failure the copies
/// made so far are deleted.
pub async fn copy_files(
    store: &Store,
    blobs: &Blobs,
    account_id: i64,
    files: Vec<FileToCopy>,
    folder: &str,
) -> FaultResult<Vec<FileCopy>> {
    let prefix = crate::blobs::day_key(
        store.now(),
        &format!("{folder}/{}", hex::encode(rand::random::<[u8; 16]>())),
    );
    let mut copies: Vec<FileCopy> = Vec::new();
    for file in files {
        let copied = async {
            let parts = store.blob_parts(file.blob_id).await?;
            blobs
                .copy_parts(
                    store,
                    account_id,
                    &parts,
                    &format!("{prefix}/{}", file.kind),
                )
                .await
        }
        .await;
        match copied {
            Ok(parts) => copies.push((file.kind, file.filename, file.sha256, parts)),
            Err(error) => {
                blobs.delete(&keys_of(&copies)).await;
                return Err(error);
            }
        }
    }
    Ok(copies)
}

/// Makes an empty base with the time grid `grid` on a stopped schedule and opens it; with
/// `ledger`, the year job's ledger row (claimed before) is marked done in the same transaction.
pub async fn make_empty_base(
    store: &Store,
    blobs: &Blobs,
    quota: i64,
    actor: &Actor,
    schedule_id: i64,
    grid: &TimeGrid,
    ledger: Option<YearStep<'_>>,
) -> FaultResult<i64> {
    let schedule = store
        .stopped_schedule(actor.account_id, schedule_id, Change::CreatingBase)
        .await?;
    let now = store.now();
    let name = format!("{} {}", schedule.name, &rfc3339(now)[..10]);
    let content = serde_json::to_vec_pretty(&serde_json::json!({
        "format": "HNOT", "empty": true, "schedule": schedule.name, "time_grid": grid,
    }))
    .map_err(Fault::internal)?;
    let sha256 = hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &content,
    ));
    let key = crate::blobs::day_key(
        now,
        &format!("created/{}", hex::encode(rand::random::<[u8; 16]>())),
    );
    // Recorded before it is written, so that the orphan sweep keeps it until the commit.
    store.record_object(actor.account_id, &key).await?;
    let part = blobs.put(&key, content).await?;
    let result = store
        .create_empty_base(actor, schedule_id, (&name, &sha256, &part), quota, ledger)
        .await;
    if result.is_err() {
        blobs.delete(&[key]).await;
    }
    Ok(result?)
}

/// Opens a safeguard as a new base of its (stopped) schedule: its files are copied first, with
/// the companions kept in the safeguard, then recorded. Returns the schedule.
pub async fn open_safeguard(
    store: &Store,
    blobs: &Blobs,
    quota: i64,
    actor: &Actor,
    safeguard: &SafeguardRow,
) -> FaultResult<i64> {
    store
        .stopped_schedule(
            actor.account_id,
            safeguard.schedule_id,
            Change::OpeningSafeguard,
        )
        .await?;
    let mut files = vec![FileToCopy {
        kind: FileKind::Base,
        filename: safeguard.filename.clone(),
        sha256: safeguard.sha256.clone(),
        blob_id: safeguard.blob_id,
    }];
    files.extend(
        store
            .safeguard_companions(safeguard.id)
            .await?
            .into_iter()
            .map(FileToCopy::from),
    );
    let copies = copy_files(store, blobs, actor.account_id, files, "bases").await?;
    if let Err(error) = store.open_safeguard(actor, safeguard, &copies, quota).await {
        blobs.delete(&keys_of(&copies)).await;
        return Err(error.into());
    }
    Ok(safeguard.schedule_id)
}
