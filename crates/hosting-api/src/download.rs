//! Downloads whose bytes are checked against the SHA-256 the service sends in `Repr-Digest`:
//! a safeguard, a year's base, a pro-forma invoice. Written once for all of them.

use std::time::Duration;

use crate::ErrorCode;
use crate::client::{Client, ClientError, ClientResult, error_from, transport_message};

/// The refusal of bytes whose SHA-256 is not the service's.
fn mismatch(what: &str, actual: &str, expected: &str) -> ClientError {
    ClientError::Api {
        status: 200,
        code: ErrorCode::DownloadHashMismatch,
        message: format!(
            "The downloaded {what}'s SHA-256 ({actual}) is not the service's ({expected}); it was not kept. Download it again."
        ),
        field: None,
        retry_after_seconds: None,
    }
}

impl Client {
    /// `GET path` with the session, and the SHA-256 its `Repr-Digest` announces.
    async fn get_with_digest(
        &self,
        path: &str,
        what: &str,
    ) -> ClientResult<(reqwest::Response, String)> {
        let token = self.token().ok_or(ClientError::NoSession)?;
        let response = self
            .http()
            .get(self.url(path))
            .bearer_auth(token)
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let expected = response
            .headers()
            .get("Repr-Digest")
            .and_then(|v| v.to_str().ok())
            .and_then(crate::uploads::parse_repr_digest)
            .ok_or_else(|| ClientError::Decode(format!("the {what} has no Repr-Digest")))?;
        Ok((response, expected))
    }

    /// `GET path` in memory (a small document); its SHA-256 is checked against `Repr-Digest`.
    pub(crate) async fn get_checked(&self, path: &str, what: &str) -> ClientResult<Vec<u8>> {
        let (response, expected) = self.get_with_digest(path, what).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        let actual = hex::encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            &bytes,
        ));
        if actual != expected {
            return Err(mismatch(what, &actual, &expected));
        }
        Ok(bytes.to_vec())
    }

    /// `GET path` into `destination`, streaming; the SHA-256 of what arrived is checked against
    /// `Repr-Digest` before the file takes its name (`what` names it in the error). Returns the
    /// hash.
    pub(crate) async fn download_checked(
        &self,
        path: &str,
        what: &str,
        destination: &std::path::Path,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> ClientResult<String> {
        use tokio::io::AsyncWriteExt as _;
        let (mut response, expected) = self.get_with_digest(path, what).await?;
        let total = response.content_length().unwrap_or(0);
        let partial = destination.with_extension("part");
        let io = |e: std::io::Error| ClientError::Transport(format!("{}: {e}", partial.display()));
        let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let mut received = 0u64;
        while let Some(bytes) = response
            .chunk()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?
        {
            context.update(&bytes);
            file.write_all(&bytes).await.map_err(io)?;
            received += bytes.len() as u64;
            progress(received, total);
        }
        file.sync_all().await.map_err(io)?;
        drop(file);
        let actual = hex::encode(context.finish().as_ref());
        if actual != expected {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(mismatch(what, &actual, &expected));
        }
        tokio::fs::rename(&partial, destination).await.map_err(io)?;
        Ok(actual)
    }
}
