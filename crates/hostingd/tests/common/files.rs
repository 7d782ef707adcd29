//! Helpers of the Server PRONOTE tests: seeded files, uploads sent whole or by raw PATCH, and a
//! school with a configured schedule and a logged-in superadministrator.

use std::path::{Path, PathBuf};

use hosting_api::{Client, FileKind, ScheduleUpdate, TusOptions, UploadMetadata};
use reqwest::Method;

use super::TestService;

/// Writes `size` pseudo-random bytes (seeded) to `dir/name`.
pub fn write_file(dir: &Path, name: &str, size: usize, seed: u8) -> PathBuf {
    let path = dir.join(name);
    let mut data = Vec::with_capacity(size);
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    while data.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(size);
    std::fs::write(&path, data).unwrap();
    path
}

pub fn small_chunks() -> TusOptions {
    TusOptions {
        chunk_size: 256 * 1024,
        ..TusOptions::default()
    }
}

/// Creates an upload for `path` and sends it whole, its hash computed on the way; returns the
/// upload id.
pub async fn upload(client: &Client, path: &Path) -> String {
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    let length = std::fs::metadata(path).unwrap().len();
    let metadata = UploadMetadata {
        kind: FileKind::of_filename(&name).unwrap(),
        filename: name,
        sha256: None,
    };
    let id = client.create_upload(&metadata, length).await.unwrap();
    let done = client
        .upload_file(&id, path, &small_chunks(), |_| {})
        .await
        .unwrap();
    assert_eq!(done.offset, length);
    id
}

/// A raw tus PATCH.
pub async fn patch(
    client: &Client,
    id: &str,
    offset: u64,
    data: &[u8],
    checksum: Option<&str>,
) -> reqwest::Response {
    client
        .tus_raw(Method::PATCH, id, |request| {
            let request = request
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", offset.to_string())
                .body(data.to_vec());
            match checksum {
                Some(c) => request.header("Upload-Checksum", c),
                None => request,
            }
        })
        .await
        .unwrap()
}

pub struct School {
    pub client: Client,
    pub manager: Client,
    pub account_id: i64,
    pub schedule_id: i64,
    pub dir: tempfile::TempDir,
}

pub async fn school(service: &TestService, name: &str) -> School {
    let logins = service.provision(name).await;
    let (manager, _) = service.manager(&logins).await;
    let schedules = manager.schedules().await.unwrap();
    let schedule_id = schedules[0].id;
    let domain = format!("{}-p1", name.to_lowercase().replace(' ', "-"));
    manager
        .update_schedule(
            schedule_id,
            &ScheduleUpdate {
                domain: Some(domain),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    let username = format!("spr{}", logins.account_id);
    let client = service.superadmin(&manager, &logins, &username).await;
    School {
        client,
        manager,
        account_id: logins.account_id,
        schedule_id,
        dir: tempfile::tempdir().unwrap(),
    }
}

/// The stored bytes of an upload's blob, hashed back from blob storage.
pub async fn stored_sha256(service: &TestService, base_id: i64, account_id: i64) -> String {
    let store = service.store();
    store.base(account_id, base_id).await.unwrap();
    let files = store.base_files(base_id).await.unwrap();
    let base = files
        .iter()
        .find(|f| f.kind == hosting_api::FileKind::Base)
        .unwrap();
    let parts = store.blob_parts(base.blob_id).await.unwrap();
    service.service.state.blobs.sha256(parts).await.unwrap()
}

/// Every key in the service's blob store (a local directory or an S3 bucket), sorted.
pub async fn stored_keys(service: &TestService) -> Vec<String> {
    let mut keys: Vec<String> = service
        .service
        .state
        .blobs
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.0)
        .collect();
    keys.sort();
    keys
}

/// True (with a line saying the test was skipped) when the blobs are not in a local directory,
/// for a test of what only a local directory does (permissions, modification times).
pub fn skipped_unless_local(service: &TestService, test: &str) -> bool {
    let local = matches!(
        service.service.state.blobs.location(),
        hostingd::blobs::BlobLocation::Local(_)
    );
    if !local {
        eprintln!("skipped {test}: it checks the local blob directory, and the blobs are on S3");
    }
    !local
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
