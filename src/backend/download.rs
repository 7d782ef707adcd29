//! Downloads of the service's files (a safeguard, a year's base) with their hash checked.

use std::path::PathBuf;
use std::sync::Arc;

use hosting_api::{Client, ErrorCode};

use super::failure;
use crate::model::Failure;

/// A file of the service that the console downloads with its hash checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Downloaded {
    /// A safeguard, by id.
    Safeguard(i64),
    /// The base of a finished school year of a schedule.
    YearBase {
        /// The schedule.
        schedule_id: i64,
        /// The school year, e.g. `2026-2027`.
        school_year: String,
    },
}

/// Bytes received of a download (and its size, 0 when unknown), shared with the screen.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes received.
    pub received: std::sync::atomic::AtomicU64,
    /// Size.
    pub total: std::sync::atomic::AtomicU64,
}

/// Downloads a safeguard, reporting the bytes received (and asking for a repaint) at most ten
/// times a second.
pub(super) async fn download(
    client: &Client,
    what: &Downloaded,
    path: &std::path::Path,
    progress: &Arc<Progress>,
    ctx: &egui::Context,
) -> Result<(PathBuf, String), Failure> {
    use std::sync::atomic::Ordering;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| failure(ErrorCode::File, e))?;
    }
    let mut last = std::time::Instant::now();
    let progress = progress.clone();
    let ctx = ctx.clone();
    let report = move |received, total| {
        progress.received.store(received, Ordering::Relaxed);
        progress.total.store(total, Ordering::Relaxed);
        if last.elapsed() >= std::time::Duration::from_millis(100) {
            last = std::time::Instant::now();
            ctx.request_repaint();
        }
    };
    let sha256 = match what {
        Downloaded::Safeguard(id) => client.download_safeguard(*id, path, report).await,
        Downloaded::YearBase {
            schedule_id,
            school_year,
        } => {
            client
                .download_year_base(*schedule_id, school_year, path, report)
                .await
        }
    }
    .map_err(Failure::from)?;
    Ok((path.to_path_buf(), sha256))
}
