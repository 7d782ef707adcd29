//! What the crash benchmark checks on the data directory while the service is down after a
//! kill: the database's integrity, every upload's recorded offset against the bytes in the blob
//! store, every base's and safeguard's object and hash, and what the orphan sweep leaves.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hostingd::jobs::ORPHAN_GRACE_SECONDS;
use hostingd::{Clock, ServeConfig};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row, SqliteConnection};

/// What one inspection found.
#[derive(Debug, Default)]
pub struct Inspection {
    /// What is wrong, in sentences.
    pub failures: Vec<String>,
    /// Objects nothing referenced before the sweep, still recorded (a write the kill cut).
    pub orphans_recorded: usize,
    /// Objects nothing referenced before the sweep, no longer recorded.
    pub orphans_unrecorded: usize,
    /// Objects the sweep deleted.
    pub swept: usize,
    /// Staging files of the object store (`<key>#<n>`, a write the kill cut before its rename)
    /// after the sweep: the sweep's listing does not show them.
    pub staging_files: usize,
    /// Their bytes.
    pub staging_bytes: u64,
    /// Bases recorded.
    pub bases: i64,
    /// Safeguards taken so far (the highest id) and kept now.
    pub safeguards_taken: i64,
    pub safeguards_kept: i64,
}

/// Inspects the data directory of a stopped service, kill after kill.
pub struct Checker {
    data_dir: PathBuf,
    /// Blobs whose bytes were hashed already: (id, SHA-256, object keys).
    verified: HashSet<(i64, String, String)>,
}

/// A file of the blob directory: its key (path under it, `/`-separated) and size.
struct StoredFile {
    key: String,
    size: u64,
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<StoredFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            files_under(root, &path, out)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let key = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push(StoredFile {
                key,
                size: entry.metadata()?.len(),
            });
        }
    }
    Ok(())
}

/// `<key>#<digits>`: a file `object_store` writes before renaming it to `<key>`.
fn is_staging(key: &str) -> bool {
    key.rsplit_once('#')
        .is_some_and(|(_, suffix)| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()))
}

fn sha256_of_files(paths: &[PathBuf]) -> std::io::Result<String> {
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buffer = vec![0u8; 1 << 20];
    for path in paths {
        let mut file = std::fs::File::open(path)?;
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            context.update(&buffer[..n]);
        }
    }
    Ok(hex::encode(context.finish().as_ref()))
}

impl Checker {
    pub fn new(data_dir: &Path) -> Checker {
        Checker {
            data_dir: data_dir.to_path_buf(),
            verified: HashSet::new(),
        }
    }

    /// An unfinished upload's saved running hash against its stored parts.
    fn check_running_hash(
        &self,
        found: &mut Inspection,
        owner: &str,
        state: Option<&[u8]>,
        offset: i64,
        parts: &[(i64, i64, String)],
    ) {
        let Some(hash) = state.and_then(hosting_api::FileHash::from_bytes) else {
            found
                .failures
                .push(format!("{owner}: no running hash is saved with its parts"));
            return;
        };
        if i64::try_from(hash.len()).ok() != Some(offset) {
            found.failures.push(format!(
                "{owner}: the saved running hash covers {} bytes",
                hash.len()
            ));
            return;
        }
        let paths: Vec<PathBuf> = parts
            .iter()
            .map(|(_, _, key)| self.blob_dir().join(key))
            .collect();
        match sha256_of_files(&paths) {
            Ok(actual) if actual == hash.hex() => {}
            Ok(actual) => found.failures.push(format!(
                "{owner}: the stored bytes hash to {actual}, the saved running hash says {}",
                hash.hex()
            )),
            Err(error) => found
                .failures
                .push(format!("{owner}: its parts could not be read: {error}")),
        }
    }

    fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    fn blob_files(&self) -> Vec<StoredFile> {
        let mut files = Vec::new();
        files_under(&self.blob_dir(), &self.blob_dir(), &mut files)
            .expect("the blob directory is readable");
        files
    }

    /// Checks the stopped service's data directory; `label` names the kill in the failures.
    pub async fn inspect(&mut self, label: &str) -> Inspection {
        let mut found = Inspection::default();
        match self.check_database(&mut found).await {
            Ok(()) => {}
            Err(error) => found
                .failures
                .push(format!("the database could not be read: {error}")),
        }
        if let Err(error) = self.sweep(&mut found).await {
            found
                .failures
                .push(format!("the sweep did not run: {error:#}"));
        }
        for failure in &mut found.failures {
            *failure = format!("{label}: {failure}");
        }
        found
    }

    /// The database, opened read-only, against the blob directory.
    async fn check_database(&mut self, found: &mut Inspection) -> Result<(), sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(self.data_dir.join("hostingd.db"))
            .read_only(true);
        let mut db = SqliteConnection::connect_with(&options).await?;
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut db)
            .await?;
        if integrity != ["ok"] {
            found
                .failures
                .push(format!("PRAGMA integrity_check says {integrity:?}"));
        }
        for row in sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut db)
            .await?
        {
            let table: String = row.try_get(0)?;
            let rowid: Option<i64> = row.try_get(1)?;
            let parent: String = row.try_get(2)?;
            found.failures.push(format!(
                "row {rowid:?} of {table} refers to a missing row of {parent}"
            ));
        }
        let files: HashMap<String, u64> = self
            .blob_files()
            .into_iter()
            .map(|f| (f.key, f.size))
            .collect();
        let has = |found: &mut Inspection, owner: &str, key: &str, size: i64| match files.get(key) {
            None => found.failures.push(format!(
                "{owner}: the object {key} is not in the blob store"
            )),
            Some(&stored) if i64::try_from(stored).ok() != Some(size) => found.failures.push(
                format!("{owner}: the object {key} has {stored} bytes, {size} recorded"),
            ),
            Some(_) => {}
        };

        // Every upload's offset is backed by its parts, end to end.
        /// id, offset, length, completed_at, hash_state
        type UploadCheck = (String, i64, i64, Option<i64>, Option<Vec<u8>>);
        let uploads: Vec<UploadCheck> = sqlx::query_as(
            "SELECT id, upload_offset, length, completed_at, hash_state FROM uploads ORDER BY created_at",
        )
        .fetch_all(&mut db)
        .await?;
        for (id, offset, length, completed_at, hash_state) in uploads {
            let owner = format!("upload {id} (offset {offset} of {length})");
            let parts: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT start, size, object_key FROM upload_parts WHERE upload_id = $1 ORDER BY start",
            )
            .bind(&id)
            .fetch_all(&mut db)
            .await?;
            let mut covered = 0;
            for (start, size, key) in &parts {
                if *start != covered {
                    found.failures.push(format!(
                        "{owner}: a part starts at {start}, the previous ones end at {covered}"
                    ));
                }
                covered = start + size;
                has(found, &owner, key, *size);
            }
            if covered != offset {
                found
                    .failures
                    .push(format!("{owner}: its parts hold {covered} bytes"));
            }
            if completed_at.is_some() && offset != length {
                found.failures.push(format!("{owner}: complete but short"));
            }
            // The running hash saved with the last part is the hash of exactly the bytes stored.
            if completed_at.is_none() && offset > 0 && covered == offset {
                self.check_running_hash(found, &owner, hash_state.as_deref(), offset, &parts);
            }
        }

        // Every base, safeguard and finished upload has its blob, its objects and its hash.
        let owners: Vec<(i64, String)> = sqlx::query_as(
            "SELECT blob_id, 'base ' || base_id || ' (' || kind || ')' FROM base_files \
             UNION ALL SELECT blob_id, 'safeguard ' || id FROM safeguards \
             UNION ALL SELECT blob_id, 'safeguard ' || safeguard_id || ' (' || kind || ')' FROM safeguard_files \
             UNION ALL SELECT blob_id, 'finished upload ' || id FROM uploads WHERE blob_id IS NOT NULL",
        )
        .fetch_all(&mut db)
        .await?;
        let mut seen = HashSet::new();
        for (blob_id, owner) in owners {
            if !seen.insert(blob_id) {
                continue;
            }
            let Some((size, sha256)) =
                sqlx::query_as::<_, (i64, String)>("SELECT size, sha256 FROM blobs WHERE id = $1")
                    .bind(blob_id)
                    .fetch_optional(&mut db)
                    .await?
            else {
                found
                    .failures
                    .push(format!("{owner}: its blob {blob_id} is missing"));
                continue;
            };
            let parts: Vec<(String, i64)> = sqlx::query_as(
                "SELECT object_key, size FROM blob_parts WHERE blob_id = $1 ORDER BY seq",
            )
            .bind(blob_id)
            .fetch_all(&mut db)
            .await?;
            let owner = format!("{owner}, blob {blob_id}");
            let total: i64 = parts.iter().map(|p| p.1).sum();
            if parts.is_empty() || total != size {
                found.failures.push(format!(
                    "{owner}: {} parts of {total} bytes for {size}",
                    parts.len()
                ));
                continue;
            }
            let before = found.failures.len();
            for (key, part_size) in &parts {
                has(found, &owner, key, *part_size);
            }
            let keys = parts
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let identity = (blob_id, sha256.clone(), keys);
            if found.failures.len() > before || self.verified.contains(&identity) {
                continue;
            }
            let paths: Vec<PathBuf> = parts.iter().map(|p| self.blob_dir().join(&p.0)).collect();
            match sha256_of_files(&paths) {
                Ok(actual) if actual == sha256 => {
                    self.verified.insert(identity);
                }
                Ok(actual) => found.failures.push(format!(
                    "{owner}: its bytes hash to {actual}, {sha256} recorded"
                )),
                Err(error) => found
                    .failures
                    .push(format!("{owner}: its bytes could not be read: {error}")),
            }
        }

        (found.bases, found.safeguards_taken, found.safeguards_kept) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM bases), (SELECT COALESCE(MAX(id), 0) FROM safeguards), (SELECT COUNT(*) FROM safeguards)",
        )
        .fetch_one(&mut db)
        .await?;

        // Objects nothing refers to, before the sweep: recorded (a write the kill cut) or not.
        let referenced: HashSet<String> = sqlx::query_scalar(
            "SELECT object_key FROM blob_parts UNION SELECT object_key FROM upload_parts",
        )
        .fetch_all(&mut db)
        .await?
        .into_iter()
        .collect();
        let recorded: HashSet<String> = sqlx::query_scalar("SELECT object_key FROM objects")
            .fetch_all(&mut db)
            .await?
            .into_iter()
            .collect();
        for key in files.keys() {
            if is_staging(key) || referenced.contains(key) {
                continue;
            }
            if recorded.contains(key) {
                found.orphans_recorded += 1;
            } else {
                found.orphans_unrecorded += 1;
            }
        }
        db.close().await?;
        Ok(())
    }

    /// The orphan sweep of the service, run here as it would run once the grace period has
    /// passed: the service clock moved past it and every object's modification time set back
    /// by as much (the process that wrote them is dead, so nothing is in flight). Then nothing
    /// in the blob directory may be unreferenced.
    async fn sweep(&self, found: &mut Inspection) -> anyhow::Result<()> {
        // Past the grace period after the end of today: the sweep lists today's folder.
        let past = Duration::from_secs(u64::try_from(ORPHAN_GRACE_SECONDS)? + 86_400 + 3600);
        let back = SystemTime::now() - past;
        for file in self.blob_files() {
            let path = self.blob_dir().join(&file.key);
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(back)?;
        }
        let clock = Clock::default();
        clock.advance(i64::try_from(past.as_secs())?);
        let config = ServeConfig::local(self.data_dir.clone());
        let state = hostingd::build_state(&config, clock).await?;
        let swept = hostingd::jobs::sweep_orphans(&state.job_services()).await;
        let referenced = state.store.referenced_objects().await;
        state.store.close().await;
        found.swept = swept?;
        let referenced = referenced?;
        for file in self.blob_files() {
            if is_staging(&file.key) {
                found.staging_files += 1;
                found.staging_bytes += file.size;
            } else if !referenced.contains(&file.key) {
                found.failures.push(format!(
                    "the object {} is an orphan after the sweep",
                    file.key
                ));
            }
        }
        Ok(())
    }
}
