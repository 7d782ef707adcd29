//! The client of the crash benchmark: round after round, it uploads a new `*.HNOT` (tus,
//! resuming after every restart), loads it as a base, opens it and puts it into service, as a
//! school's console would, while the service is killed under it.
//!
//! A request that a kill cut may or may not have been committed, so every step after the upload
//! looks at the service's state first and acts only when the step is not done yet: that is what
//! a console does after a network error too.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hosting_api::tus::hash_file;
use hosting_api::{
    Base, Client, ClientError, ClientResult, FileKind, LoadBase, Schedule, ServerState, TusOptions,
    UploadMetadata,
};

/// Attempts of one request while the service is down or restarting (about a minute).
const ATTEMPTS: u32 = 600;
/// Wait between two attempts.
const PAUSE: Duration = Duration::from_millis(100);
/// Times a step is tried when its request is answered but the step is still not done.
const STEP_TRIES: u32 = 20;
/// How long the client waits for the job runner (every second after a start) to take the
/// safeguard of a base put into service before it replaces the base.
const SAFEGUARD_WAIT: Duration = Duration::from_secs(5);

/// What the client is doing, for the driver to tell where its kills landed.
pub const PHASES: [&str; 4] = [
    "writing and hashing the file",
    "uploading",
    "waiting for the base's safeguard",
    "shutting down, loading, opening, activating",
];
const PREPARING: usize = 0;
pub const UPLOADING: usize = 1;
const WAITING: usize = 2;
const CHANGING_BASE: usize = 3;

/// What the client saw, read by the driver.
#[derive(Debug, Default)]
pub struct ClientReport {
    /// Bases uploaded, loaded, opened and put into service.
    pub rounds: u64,
    /// Bytes the tus client sent again after failures, over every upload.
    pub resent: u64,
    /// The most bytes sent again by one upload.
    pub max_resent: u64,
    /// Bases whose safeguard the client saw, with the base's SHA-256.
    pub safeguarded: u64,
    /// What went wrong, in sentences.
    pub failures: Vec<String>,
}

/// The client's session and what it works on.
pub struct Console {
    pub client: Client,
    pub password: String,
    pub schedule_id: i64,
    /// Where the files it uploads are written.
    pub files: PathBuf,
    /// Size of each `*.HNOT`.
    pub file_bytes: usize,
    /// What it is doing now: an index of [`PHASES`].
    pub phase: Arc<AtomicUsize>,
}

/// Small chunks, so that a kill often lands in the middle of an upload, and a patient retry.
fn tus_options() -> TusOptions {
    TusOptions {
        chunk_size: 1 << 20,
        min_chunk_size: 256 << 10,
        chunk_seconds: 0.2,
        max_attempts: ATTEMPTS,
        initial_backoff: PAUSE,
        max_backoff: Duration::from_millis(300),
    }
}

/// Writes `bytes` pseudo-random bytes seeded by `round`: every round's base differs.
fn write_base(dir: &Path, round: u64, bytes: usize) -> PathBuf {
    let path = dir.join(format!("Bench {round}.HNOT"));
    let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ round.wrapping_mul(0x2545_f491_4f6c_dd1d);
    let mut data = Vec::with_capacity(bytes + 8);
    while data.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(bytes);
    std::fs::write(&path, data).expect("the benchmark's file is written");
    path
}

impl Console {
    /// Sends `request` until the service answers: transport errors, restarts (5xx, 423) and an
    /// ended session (logs in again) are waited out; any other refusal is returned.
    async fn answer<T, F, Fut>(&self, mut request: F) -> ClientResult<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        let mut last = None;
        for _ in 0..ATTEMPTS {
            match request().await {
                Ok(value) => return Ok(value),
                Err(error @ (ClientError::Transport(_) | ClientError::Decode(_))) => {
                    last = Some(error);
                }
                Err(error @ ClientError::Api { status: 401, .. }) => {
                    let _ = self.client.login(&self.password).await;
                    last = Some(error);
                }
                Err(error @ ClientError::Api { status, .. })
                    if status >= 500 || status == 423 || status == 429 =>
                {
                    last = Some(error);
                }
                Err(error) => return Err(error),
            }
            tokio::time::sleep(PAUSE).await;
        }
        Err(last.unwrap_or(ClientError::NoSession))
    }

    async fn schedule(&self) -> Result<Schedule, String> {
        let schedules = self
            .answer(|| self.client.schedules())
            .await
            .map_err(|e| format!("the schedules could not be read: {e}"))?;
        schedules
            .into_iter()
            .find(|s| s.id == self.schedule_id)
            .ok_or_else(|| "the schedule is gone".to_string())
    }

    /// Does `act` until `done` sees the step done; a refusal of `act` (the step was done by a
    /// request a kill cut, or another step must come first) is looked at again, not trusted.
    async fn step<T, D, DF, A, AF>(&self, what: &str, mut done: D, mut act: A) -> Result<T, String>
    where
        D: FnMut() -> DF,
        DF: Future<Output = Result<Option<T>, String>>,
        A: FnMut() -> AF,
        AF: Future<Output = ClientResult<()>>,
    {
        let mut refused = None;
        for _ in 0..STEP_TRIES {
            if let Some(value) = done().await? {
                return Ok(value);
            }
            if let Err(error) = self.answer(&mut act).await {
                refused = Some(error);
            }
        }
        Err(format!(
            "{what} did not happen after {STEP_TRIES} tries (last refusal: {})",
            refused.map_or_else(|| "none".to_string(), |e| e.to_string())
        ))
    }

    /// One round: a new base uploaded, loaded, opened and put into service. Returns the bytes
    /// the upload sent again.
    async fn round(&self, round: u64) -> Result<(u64, bool), String> {
        self.phase.store(PREPARING, Ordering::Relaxed);
        let path = write_base(&self.files, round, self.file_bytes);
        let name = format!("Bench {round}");
        // The file's hash, to check the base against; the upload itself is created without it
        // (the client gives it with the last chunk, the service's running hash survives the kills).
        let (length, sha256) = hash_file(&path, |_| {}).map_err(|e| e.to_string())?;
        let metadata = UploadMetadata {
            filename: format!("{name}.HNOT"),
            kind: FileKind::Base,
            sha256: None,
        };
        self.phase.store(UPLOADING, Ordering::Relaxed);
        let id = self
            .answer(|| self.client.create_upload(&metadata, length))
            .await
            .map_err(|e| format!("round {round}: the upload could not be created: {e}"))?;
        let done = self
            .client
            .upload_file(&id, &path, &tus_options(), |_| {})
            .await
            .map_err(|e| format!("round {round}: the upload stopped: {e}"))?;
        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
        if done.offset != length {
            return Err(format!(
                "round {round}: the upload ended at {} of {length} bytes",
                done.offset
            ));
        }

        self.phase.store(CHANGING_BASE, Ordering::Relaxed);
        let schedule_id = self.schedule_id;
        self.step(
            "shutting the server down",
            || async {
                let s = self.schedule().await?;
                Ok((s.server.state == ServerState::Stopped).then_some(()))
            },
            || async { self.client.shutdown(schedule_id).await.map(drop) },
        )
        .await?;
        let load = LoadBase {
            upload_id: id.clone(),
            companions: Vec::new(),
        };
        let base: Base = self
            .step(
                "loading the base",
                || async {
                    let bases = self
                        .answer(|| self.client.bases(schedule_id))
                        .await
                        .map_err(|e| format!("the bases could not be read: {e}"))?;
                    Ok(bases.into_iter().find(|b| b.name == name))
                },
                || async { self.client.load_base(schedule_id, &load).await.map(drop) },
            )
            .await?;
        if base.sha256 != sha256 {
            return Err(format!(
                "round {round}: the base's SHA-256 is {}, the file's {sha256}",
                base.sha256
            ));
        }
        self.step(
            "opening the base",
            || async {
                let s = self.schedule().await?;
                Ok((s.server.open_base_id == Some(base.id)).then_some(()))
            },
            || async { self.client.open_base(base.id).await.map(drop) },
        )
        .await?;
        self.step(
            "putting the base into service",
            || async {
                let s = self.schedule().await?;
                Ok((s.server.state == ServerState::Running
                    && s.server.active_base_id == Some(base.id))
                .then_some(()))
            },
            || async { self.client.activate(schedule_id).await.map(drop) },
        )
        .await?;
        self.phase.store(WAITING, Ordering::Relaxed);
        let safeguarded = self.safeguard_of(&base).await?;
        Ok((done.resent, safeguarded))
    }

    /// Waits for the job runner's safeguard of `base`, in service; `false` when none came in
    /// [`SAFEGUARD_WAIT`] (the service was killed each time before its job run).
    async fn safeguard_of(&self, base: &Base) -> Result<bool, String> {
        let started = Instant::now();
        while started.elapsed() < SAFEGUARD_WAIT {
            let safeguards = self
                .answer(|| self.client.safeguards(self.schedule_id))
                .await
                .map_err(|e| format!("the safeguards could not be read: {e}"))?;
            if let Some(safeguard) = safeguards.iter().find(|g| g.base_id == base.id) {
                if safeguard.sha256 != base.sha256 {
                    return Err(format!(
                        "the safeguard {} of {} has the SHA-256 {}, the base {}",
                        safeguard.id, base.name, safeguard.sha256, base.sha256
                    ));
                }
                return Ok(true);
            }
            tokio::time::sleep(PAUSE * 2).await;
        }
        Ok(false)
    }

    /// Rounds until `stop`; each round's outcome goes to `report`.
    pub async fn run(self, stop: Arc<AtomicBool>, report: Arc<Mutex<ClientReport>>) {
        let mut round = 0;
        while !stop.load(Ordering::Relaxed) {
            round += 1;
            let outcome = self.round(round).await;
            let mut report = report.lock().unwrap_or_else(|e| e.into_inner());
            match outcome {
                Ok((resent, safeguarded)) => {
                    report.rounds += 1;
                    report.safeguarded += u64::from(safeguarded);
                    report.resent += resent;
                    report.max_resent = report.max_resent.max(resent);
                }
                Err(failure) => report.failures.push(failure),
            }
        }
    }
}
