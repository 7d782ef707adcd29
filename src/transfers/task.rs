//! One run of a group's task: check each file not yet on the service (SHA-256, "Checking the
//! file"), create its upload, send it with the tus client, then load or complete the base.
//! Reports go to the actor, at most ten a second per file; a run that was paused or restarted
//! is told apart by its number.

use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use hosting_api::{AddCompanion, Client, FileKind, LoadBase, TusError, TusOptions, UploadMetadata};
use tokio::sync::mpsc::UnboundedSender;

use super::runner::{Msg, Report};
use super::{SavedFile, SavedGroup, Target};
use crate::model::Failure;

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
    let mut upload_ids = Vec::new();
    for (index, file) in group.files.iter().enumerate() {
        match send_file(&client, index, file, &reporter).await {
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
    let result = match group.target {
        Target::NewBase => {
            let base = upload_ids.iter().find(|(k, _)| *k == FileKind::Base);
            match base {
                Some((_, upload_id)) => {
                    let load = LoadBase {
                        upload_id: upload_id.clone(),
                        companions: upload_ids
                            .iter()
                            .filter(|(k, _)| *k != FileKind::Base)
                            .map(|(_, id)| id.clone())
                            .collect(),
                    };
                    client.load_base(group.schedule_id, &load).await
                }
                None => Err(hosting_api::ClientError::Decode(
                    "a new base needs its .HNOT file".to_string(),
                )),
            }
        }
        Target::Companion { base_id } => {
            let mut last = None;
            for (_, upload_id) in &upload_ids {
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
        }
    };
    match result {
        Ok(base) => reporter.send(Report::Finished(base.name)),
        Err(error) => reporter.send(Report::Failed {
            failure: Failure::from(error),
            forget_upload: None,
        }),
    }
}

/// Checks, creates and sends one file; returns its upload id. The error says whether the
/// upload is gone on the service (so that resuming creates it again).
async fn send_file(
    client: &Client,
    index: usize,
    file: &SavedFile,
    reporter: &Reporter,
) -> Result<String, (Failure, bool)> {
    let (size, sha256) = match &file.sha256 {
        Some(sha256) => (file.size, sha256.clone()),
        None => hash(index, &file.path, reporter)
            .await
            .map_err(|f| (f, false))?,
    };
    let upload_id = match &file.upload_id {
        Some(id) => id.clone(),
        None => {
            let metadata = UploadMetadata {
                filename: file.filename.clone(),
                kind: file.kind,
                sha256,
            };
            let id = client
                .create_upload(&metadata, size)
                .await
                .map_err(|e| (Failure::from(e), false))?;
            reporter.send(Report::Created {
                file: index,
                upload_id: id.clone(),
            });
            id
        }
    };
    if file.uploaded {
        return Ok(upload_id);
    }
    // The client's chunks follow the link's rate (4 to 64 MiB) and it reports the bytes in
    // flight ten times a second, so the bar moves smoothly whatever the chunk size.
    let options = TusOptions::default();
    let mut meter = Meter::default();
    let progress_reporter = reporter.clone_for_thread();
    let progress = move |p: hosting_api::TransferProgress| {
        if let Some(speed) = meter.sample(p.sent, p.offset == p.length) {
            progress_reporter.send(Report::Progress {
                file: index,
                offset: p.sent,
                speed,
            });
        }
    };
    match client
        .upload_file(&upload_id, &file.path, &options, progress)
        .await
    {
        Ok(_) => {
            reporter.send(Report::Uploaded { file: index });
            Ok(upload_id)
        }
        Err(TusError::Client(error)) => {
            let gone = error.code() == Some(&hosting_api::ErrorCode::UploadNotFound);
            Err((Failure::from(error), gone))
        }
        Err(error @ TusError::FileChanged { .. }) => {
            Err((Failure::new("file_changed", error.to_string()), true))
        }
        Err(error) => Err((Failure::new("file_unreadable", error.to_string()), false)),
    }
}

/// Computes the SHA-256 of a file on a blocking thread, reporting "Checking the file".
async fn hash(index: usize, path: &Path, reporter: &Reporter) -> Result<(u64, String), Failure> {
    let unreadable = |e: std::io::Error| Failure::new("file_unreadable", e.to_string());
    let size = tokio::fs::metadata(path).await.map_err(unreadable)?.len();
    reporter.send(Report::Hashing {
        file: index,
        done: 0,
        size,
    });
    let thread_reporter = reporter.clone_for_thread();
    let path = path.to_path_buf();
    let (size, sha256) = tokio::task::spawn_blocking(move || {
        let mut last = Instant::now();
        hosting_api::tus::hash_file(&path, |done| {
            if last.elapsed() >= REPORT_EVERY {
                last = Instant::now();
                thread_reporter.send(Report::Hashing {
                    file: index,
                    done,
                    size,
                });
            }
        })
    })
    .await
    .map_err(|e| Failure::new("file_unreadable", e.to_string()))?
    .map_err(unreadable)?;
    reporter.send(Report::Hashed {
        file: index,
        size,
        sha256: sha256.clone(),
    });
    Ok((size, sha256))
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
