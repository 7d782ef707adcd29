//! Uploaded files (tus 1.0): their kinds, metadata, limits, and what a stored base is made of.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The tus protocol version the service speaks.
pub const TUS_VERSION: &str = "1.0.0";
/// The tus extensions the service supports.
pub const TUS_EXTENSIONS: &str = "creation,checksum,termination,expiration";
/// The checksum algorithms of `Upload-Checksum`.
pub const TUS_CHECKSUM_ALGORITHMS: &str = "sha1,sha256";
/// Content type of a PATCH body.
pub const TUS_CONTENT_TYPE: &str = "application/offset+octet-stream";
/// Status of a chunk whose checksum does not match (tus checksum extension).
pub const CHECKSUM_MISMATCH_STATUS: u16 = 460;

/// What an uploaded file is: PRONOTE's hosting export makes one base and three companions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum FileKind {
    /// `*.HNOT`: the base.
    Base,
    /// `*.HCOURRIERS`: mail.
    Courriers,
    /// `*.HDOCJOINTS`: annex documents.
    Docjoints,
    /// `*.HPHOTOS`: photos.
    Photos,
}

impl FileKind {
    /// All kinds, the base first.
    pub const ALL: [FileKind; 4] = [
        FileKind::Base,
        FileKind::Courriers,
        FileKind::Docjoints,
        FileKind::Photos,
    ];

    /// Wire name (`base`, `courriers`, `docjoints`, `photos`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Base => "base",
            FileKind::Courriers => "courriers",
            FileKind::Docjoints => "docjoints",
            FileKind::Photos => "photos",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The file extension PRONOTE gives this kind, upper case, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Base => "HNOT",
            FileKind::Courriers => "HCOURRIERS",
            FileKind::Docjoints => "HDOCJOINTS",
            FileKind::Photos => "HPHOTOS",
        }
    }

    /// The kind of a file name, by its extension (any case).
    pub fn of_filename(name: &str) -> Option<FileKind> {
        let (_, extension) = name.rsplit_once('.')?;
        FileKind::ALL
            .into_iter()
            .find(|k| k.extension().eq_ignore_ascii_case(extension))
    }
}

/// What `Upload-Metadata` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadMetadata {
    /// File name, without directories.
    pub filename: String,
    /// What the file is.
    pub kind: FileKind,
    /// SHA-256 of the whole file, lower-case hex, when the client knows it before sending.
    /// Without it, the client gives it in `Repr-Digest` with the last chunk: the service hashes
    /// the bytes as they land, so that the upload need not wait for the file to be read twice.
    pub sha256: Option<String>,
}

impl UploadMetadata {
    /// The `Upload-Metadata` header value: `key base64,key base64`.
    pub fn to_header(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut header = format!(
            "filename {},kind {}",
            b64.encode(&self.filename),
            b64.encode(self.kind.as_str()),
        );
        if let Some(sha256) = &self.sha256 {
            header.push_str(",sha256 ");
            header.push_str(&b64.encode(sha256));
        }
        header
    }

    /// Parses an `Upload-Metadata` header; the error says what is missing or wrong.
    pub fn parse(header: &str) -> Result<UploadMetadata, String> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut filename = None;
        let mut kind = None;
        let mut sha256 = None;
        for pair in header.split(',') {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match pair.split_once(' ') {
                Some((key, value)) => (key, value.trim()),
                None => (pair, ""),
            };
            let decoded = b64
                .decode(value)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    format!("The value of {key} in Upload-Metadata is not base64 of UTF-8 text.")
                })?;
            match key {
                "filename" => filename = Some(decoded),
                "kind" => kind = Some(decoded),
                "sha256" => sha256 = Some(decoded),
                _ => {}
            }
        }
        let filename = filename
            .filter(|f| !f.trim().is_empty())
            .ok_or("Upload-Metadata needs filename: the name of the file.")?;
        if filename.contains(['/', '\\']) || filename.len() > 255 {
            return Err(
                "The file name must be a name without folders, of at most 255 bytes.".to_string(),
            );
        }
        let kind_text =
            kind.ok_or("Upload-Metadata needs kind: base, courriers, docjoints or photos.")?;
        let kind = FileKind::parse(&kind_text).ok_or_else(|| {
            format!("The kind {kind_text:?} is unknown: use base, courriers, docjoints or photos.")
        })?;
        if FileKind::of_filename(&filename) != Some(kind) {
            return Err(format!(
                "A {} file must end with .{} (got {filename}).",
                kind.as_str(),
                kind.extension()
            ));
        }
        let sha256 = sha256.map(|s| s.to_ascii_lowercase());
        if let Some(sha256) = &sha256
            && (sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err("sha256 in Upload-Metadata must be 64 hexadecimal digits.".to_string());
        }
        Ok(UploadMetadata {
            filename,
            kind,
            sha256,
        })
    }
}

/// One of the account's uploads (`GET /v1/uploads`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadInfo {
    /// Identifier; the upload's address is `/v1/uploads/{id}`.
    pub id: String,
    /// File name.
    pub filename: String,
    /// Kind.
    pub kind: FileKind,
    /// Size of the whole file.
    pub length: u64,
    /// Bytes received and stored.
    pub offset: u64,
    /// SHA-256 of the whole file: once complete, the one the service computed and the client
    /// confirmed; before, the one announced at creation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When an unfinished upload is deleted (RFC 3339).
    pub expires_at: String,
    /// True when every byte arrived and the hash matched: it can be loaded.
    pub complete: bool,
}

/// Limits of uploads and space (`GET /v1/storage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StorageInfo {
    /// Largest file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Seconds an unfinished upload is kept.
    pub upload_expiry_seconds: u64,
    /// Space of the account, in bytes.
    pub quota_bytes: u64,
    /// Space used by bases, safeguards and uploads, in bytes.
    pub used_bytes: u64,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file of a base (a schedule's, or a year's): what the base's size and hash are made of.
pub trait StoredFile {
    /// Its kind.
    fn kind(&self) -> FileKind;
    /// Its size in bytes.
    fn size(&self) -> u64;
    /// Its SHA-256, hex.
    fn sha256(&self) -> &str;
}

/// Puts the files of a base in the order of the kinds (the `*.HNOT` first) and returns the
/// base's size (all its files) and SHA-256 (its `*.HNOT`'s, empty without one).
pub fn in_order<F: StoredFile>(files: &mut [F]) -> (u64, String) {
    files.sort_by_key(|f| FileKind::ALL.iter().position(|k| *k == f.kind()));
    let size = files.iter().map(StoredFile::size).sum();
    let sha256 = files
        .iter()
        .find(|f| f.kind() == FileKind::Base)
        .map(|f| f.sha256().to_string())
        .unwrap_or_default();
    (size, sha256)
}
/// `Repr-Digest: sha-256=:BASE64:` for a hex SHA-256.
pub fn repr_digest(sha256_hex: &str) -> String {
    let bytes = hex::decode(sha256_hex).unwrap_or_default();
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The hex SHA-256 of a `Repr-Digest` header.
pub fn parse_repr_digest(header: &str) -> Option<String> {
    header.split(',').find_map(|item| {
        let value = item.trim().strip_prefix("sha-256=:")?.strip_suffix(':')?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()?;
        (bytes.len() == 32).then(|| hex::encode(bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trip_and_errors() {
        let metadata = UploadMetadata {
            filename: "Collège 2026.HNOT".to_string(),
            kind: FileKind::Base,
            sha256: Some("ab".repeat(32)),
        };
        assert_eq!(UploadMetadata::parse(&metadata.to_header()), Ok(metadata));
        // The hash may come with the last chunk instead.
        let later = UploadMetadata {
            filename: "a.HNOT".to_string(),
            kind: FileKind::Base,
            sha256: None,
        };
        assert_eq!(UploadMetadata::parse(&later.to_header()), Ok(later));
        let short = "filename YS5ITk9U,kind YmFzZQ==,sha256 YWJj";
        assert!(UploadMetadata::parse(short).unwrap_err().contains("64"));
        let wrong_kind = UploadMetadata {
            filename: "a.HPHOTOS".to_string(),
            kind: FileKind::Base,
            sha256: None,
        };
        let error = UploadMetadata::parse(&wrong_kind.to_header()).unwrap_err();
        assert!(error.contains(".HNOT"), "{error}");
        assert!(UploadMetadata::parse("filename YS5ITk9U").is_err());
        assert_eq!(
            FileKind::of_filename("x.hdocjoints"),
            Some(FileKind::Docjoints)
        );
        assert_eq!(FileKind::of_filename("x.txt"), None);
        let hash = "ab".repeat(32);
        assert_eq!(parse_repr_digest(&repr_digest(&hash)), Some(hash));
    }
}
