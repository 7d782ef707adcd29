//! One run of a group's task: create the upload of each file not yet on the service, send it
//! with the tus client (which hashes it on the way), then load or complete the base.
//! Reports go to the actor, at most ten a second per file; a run that was paused or restarted
//! is told apart by its number.

use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use hosting_api::{
    AddCompanion, Client, FileHash, FileKind, LoadBase, TusError, TusOptions, UploadMetadata,
};
use tokio::sync::mpsc::UnboundedSender;

use super::runner::{Msg, Report};
use super::{SavedFile, SavedGroup, Target};
use crate::model::Failure;
use hosting_api::ErrorCode;

/// At most this many progress reports a second per file.
const REPORT_EVERY: Duration = Duration::from_millis(100);
/// The speed is measured over this window.
const SPEED_WINDOW: Duration = Duration::from_secs(5);

/// Reports of one run of a group's task.
struct Reporter {
    tx: UnboundedSender<Msg>,
    group: u64,
    run: u64,
}

impl Reporter {
    fn send(&self, report: Report) {
        let _ = self.tx.send(Msg::Report {
            group: self.group,
            run: self.run,
            report,
        });
    }

    fn clone_for_thread(&self) -> Reporter {
        Reporter {
            tx: self.tx.clone(),
            group: self.group,
            run: self.run,
        }
    }
}

/// Sends every file of `group` not yet on the service, then loads or completes the base.
pub(super) async fn run_group(
    client: Client,
    group: SavedGroup,
    run: u64,
    tx: UnboundedSender<Msg>,
) {
    let reporter = Reporter {
        tx,
        group: group.id,
        run,
    };
    // What the service would refuse at the end is asked before the first byte: the state of
    // the schedule or the base, then every file's upload is created (the service checks its
    // kind, name, size and the account's space) before any of them is sent.
    if let Err(failure) = check_target(&client, &group).await {
        reporter.send(Report::Failed {
            failure,
            forget_upload: None,
        });
        return;
    }
    let mut created = Vec::new();
    for (index, file) in group.files.iter().enumerate() {
        match upload_of(&client, index, file, &reporter).await {
            Ok(upload_id) => created.push(upload_id),
            Err((failure, forget)) => {
                reporter.send(Report::Failed {
                    failure,
                    forget_upload: forget.then_some(index),
                });
                return;
            }
        }
    }
    let mut upload_ids = Vec::new();
    for ((index, file), upload_id) in group.files.iter().enumerate().zip(created) {
        let sent = if file.uploaded {
            Ok(upload_id)
        } else {
            upload(&client, index, file, upload_id, &reporter).await
        };
        match sent {
            Ok(upload_id) => upload_ids.push((file.kind, upload_id)),
            Err((failure, forget)) => {
                reporter.send(Report::Failed {
                    failure,
                    forget_upload: forget.then_some(index),
                });
                return;
            }
        }
    }
    reporter.send(Report::Loading);
    match finish(&client, &group, &upload_ids).await {
        Ok(name) => reporter.send(Report::Finished(name)),
        Err(error) => reporter.send(Report::Failed {
            failure: Failure::from(error),
            forget_upload: None,
        }),
    }
}

/// Once every file is on the service: loads the base (new, or a year's) or adds the companions;
/// the base's name (or the year's).
async fn finish(
    client: &Client,
    group: &SavedGroup,
    upload_ids: &[(FileKind, String)],
) -> Result<String, hosting_api::ClientError> {
    let base_upload = upload_ids
        .iter()
        .find(|(k, _)| *k == FileKind::Base)
        .map(|(_, id)| id.clone())
        .ok_or_else(|| {
            hosting_api::ClientError::Decode("a new base needs its .HNOT file".to_string())
        });
    let companions: Vec<String> = upload_ids
        .iter()
        .filter(|(k, _)| *k != FileKind::Base)
        .map(|(_, id)| id.clone())
        .collect();
    match group.target {
        Target::NewBase => match base_upload {
            Ok(upload_id) => {
                let load = LoadBase {
                    upload_id,
                    companions,
                };
                client
                    .load_base(group.schedule_id, &load)
                    .await
                    .map(|base| base.name)
            }
            Err(error) => Err(error),
        },
        Target::Year { start_year } => match base_upload {
            Ok(upload_id) => {
                let load = hosting_api::LoadYearBase {
                    upload_id,
                    companions,
                };
                let year = super::school_year(start_year);
                client
                    .load_year_base(group.schedule_id, &year, &load)
                    .await
                    .map(|cell| cell.base.map(|b| b.name).unwrap_or(year))
            }
            Err(error) => Err(error),
        },
        Target::Companion { base_id } => {
            let mut last = None;
            for (_, upload_id) in upload_ids {
                let request = AddCompanion {
                    upload_id: upload_id.clone(),
                };
                match client.add_companion(base_id, &request).await {
                    Ok(base) => last = Some(Ok(base)),
                    Err(error) => {
                        last = Some(Err(error));
                        break;
                    }
                }
            }
            last.unwrap_or_else(|| {
                Err(hosting_api::ClientError::Decode(
                    "no file to add".to_string(),
                ))
            })
            .map(|base| base.name)
        }
    }
}

/// Refuses, before anything is sent, what the service would refuse once every byte arrived: a
/// new base for a schedule whose server runs, a companion for a base that is gone.
async fn check_target(client: &Client, group: &SavedGroup) -> Result<(), Failure> {
    match group.target {
        Target::NewBase => {
            let schedules = client.schedules().await.map_err(Failure::from)?;
            let running = schedules.iter().any(|s| {
                s.id == group.schedule_id && s.server.state == hosting_api::ServerState::Running
            });
            if running {
                return Err(Failure::new(
                    ErrorCode::ServerRunning,
                    "the schedule's server runs: shut it down before loading a base",
                ));
            }
        }
        Target::Companion { base_id } => {
            let bases = client
                .bases(group.schedule_id)
                .await
                .map_err(Failure::from)?;
            if !bases.iter().any(|b| b.id == base_id) {
                return Err(Failure::new(
                    ErrorCode::NotFound,
                    "the base to complete is no longer on the service",
                ));
            }
        }
        Target::Year { .. } => {}
    }
    Ok(())
}

/// The upload of one file on the service: the one saved (its file unchanged), or a new one.
async fn upload_of(
    client: &Client,
    index: usize,
    file: &SavedFile,
    reporter: &Reporter,
) -> Result<String, (Failure, bool)> {
    let (size, modified) = stamp(&file.path).map_err(|f| (f, false))?;
    match &file.upload_id {
        // The file must be the one whose first bytes the service has; if it is not, those
        // bytes are deleted and the file is sent again from the start.
        // (A transfer saved by an older console has no modification time: its size is all
        // there is to compare.)
        Some(id) if size != file.size || file.modified.is_some_and(|m| Some(m) != modified) => {
            abandon(client, id).await;
            Err((
                Failure::new(
                    ErrorCode::FileChanged,
                    format!(
                        "{} changed since its transfer started; it will be sent again from the start",
                        file.filename
                    ),
                ),
                true,
            ))
        }
        Some(id) => Ok(id.clone()),
        None => {
            let metadata = UploadMetadata {
                filename: file.filename.clone(),
                kind: file.kind,
                sha256: None,
            };
            let id = client
                .create_upload(&metadata, size)
                .await
                .map_err(|e| (Failure::from(e), false))?;
            reporter.send(Report::Created {
                file: index,
                upload_id: id.clone(),
                size,
                modified,
            });
            Ok(id)
        }
    }
}

/// Sends one file to its upload, from the checkpoint saved before a restart if any. The file's
/// SHA-256 is computed while it is sent (the tus client), and the running hash of the bytes
/// stored is saved after each chunk, so that a resumed upload reads none of them again. The
/// error says whether the upload is gone on the service (so that resuming creates it again).
async fn upload(
    client: &Client,
    index: usize,
    file: &SavedFile,
    upload_id: String,
    reporter: &Reporter,
) -> Result<String, (Failure, bool)> {
    // A checkpoint saved before a restart, if this upload has one.
    let checkpoint = match &file.upload_id {
        Some(_) => file.checkpoint.as_deref().and_then(FileHash::from_base64),
        None => None,
    };
    // The client's chunks follow the link's rate (4 to 64 MiB) and it reports the bytes in
    // flight ten times a second, so the bar moves smoothly whatever the chunk size.
    let options = TusOptions::default();
    let mut meter = Meter::default();
    let progress_reporter = reporter.clone_for_thread();
    let progress = move |p: hosting_api::TransferProgress| {
        if let Some(hash) = &p.checkpoint {
            progress_reporter.send(Report::Checkpoint {
                file: index,
                offset: p.offset,
                hash: hash.to_base64(),
            });
        }
        if let Some(speed) = meter.sample(p.sent, p.offset == p.length) {
            progress_reporter.send(Report::Progress {
                file: index,
                offset: p.sent,
                speed,
            });
        }
    };
    match client
        .upload_file_from(&upload_id, &file.path, &options, checkpoint, progress)
        .await
    {
        Ok(_) => {
            reporter.send(Report::Uploaded { file: index });
            Ok(upload_id)
        }
        Err(TusError::Client(error)) => {
            // Gone, or refused whole (the file changed during the transfer): sent again from
            // the start next time.
            let changed = error.code() == Some(&ErrorCode::FileChecksumMismatch);
            if changed {
                abandon(client, &upload_id).await;
            }
            let gone = changed || error.code() == Some(&ErrorCode::UploadNotFound);
            Err((Failure::from(error), gone))
        }
        Err(error @ (TusError::FileChanged { .. } | TusError::FileModified { .. })) => {
            abandon(client, &upload_id).await;
            Err((
                Failure::new(ErrorCode::FileChanged, error.to_string()),
                true,
            ))
        }
        Err(error) => Err((
            Failure::new(ErrorCode::FileUnreadable, error.to_string()),
            false,
        )),
    }
}

/// Deletes the upload of a file that changed, so that its bytes do not take the school's space
/// until they expire. Best effort: when the service cannot be reached, expiry deletes them.
async fn abandon(client: &Client, upload_id: &str) {
    if let Err(error) = client.delete_upload(upload_id).await {
        tracing::info!(%error, "the upload of a changed file could not be deleted; it will expire");
    }
}

/// The size and modification time (nanoseconds since the Unix epoch) of a file.
fn stamp(path: &Path) -> Result<(u64, Option<u64>), Failure> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| Failure::new(ErrorCode::FileUnreadable, e.to_string()))?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| u64::try_from(d.as_nanos()).ok());
    Ok((metadata.len(), modified))
}

/// Measures the speed of a transfer over the last seconds and spaces out the reports.
#[derive(Default)]
struct Meter {
    samples: VecDeque<(Instant, u64)>,
    last_report: Option<Instant>,
}

impl Meter {
    /// Records `offset`; returns the speed when a report is due (always for the last one).
    fn sample(&mut self, offset: u64, last: bool) -> Option<f64> {
        let now = Instant::now();
        self.samples.push_back((now, offset));
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(t, _)| now.duration_since(*t) >= SPEED_WINDOW)
        {
            self.samples.pop_front();
        }
        let due = last
            || self
                .last_report
                .is_none_or(|t| now.duration_since(t) >= REPORT_EVERY);
        if !due {
            return None;
        }
        self.last_report = Some(now);
        let speed = match self.samples.front() {
            Some((start, first)) if now > *start && offset > *first => {
                (offset - first) as f64 / now.duration_since(*start).as_secs_f64()
            }
            _ => 0.0,
        };
        Some(speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_spaces_reports_and_measures() {
        let mut meter = Meter::default();
        assert_eq!(meter.sample(0, false), Some(0.0));
        // Too soon after the first report.
        assert_eq!(meter.sample(10, false), None);
        // The last one always goes.
        std::thread::sleep(Duration::from_millis(20));
        let speed = meter.sample(1_000, true).unwrap();
        assert!(speed > 0.0);
    }
}
