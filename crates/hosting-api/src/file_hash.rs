//! The running SHA-256 of a file sent in parts, which can be saved and taken up again: the
//! console keeps it in its transfer list between starts, the service in the upload's row with
//! each stored part, so that neither reads the bytes already sent a second time after a pause,
//! a restart or a crash.

use base64::Engine as _;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use sha2::{Digest, Sha256};

/// Format of [`FileHash::to_bytes`].
const VERSION: u8 = 1;

/// The SHA-256 of the first [`FileHash::len`] bytes of a file, not finished yet.
#[derive(Clone, Default)]
pub struct FileHash {
    context: Sha256,
    len: u64,
}

impl std::fmt::Debug for FileHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileHash").field("len", &self.len).finish()
    }
}

impl PartialEq for FileHash {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for FileHash {}

impl FileHash {
    /// The hash of nothing yet.
    pub fn new() -> FileHash {
        FileHash::default()
    }

    /// Bytes hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True before the first byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Hashes the next bytes of the file.
    pub fn update(&mut self, data: &[u8]) {
        self.context.update(data);
        self.len += data.len() as u64;
    }

    /// The SHA-256 of the bytes hashed so far, in lower-case hex (the running hash goes on).
    pub fn hex(&self) -> String {
        hex::encode(self.context.clone().finalize())
    }

    /// The state, to save: a version byte, the length (8 bytes, little-endian) and SHA-256's
    /// internal state. It reveals nothing the hash does not.
    pub fn to_bytes(&self) -> Vec<u8> {
        let state = self.context.serialize();
        let mut bytes = Vec::with_capacity(1 + 8 + state.len());
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.len.to_le_bytes());
        bytes.extend_from_slice(&state);
        bytes
    }

    /// A saved state back, or `None` when it is not one (another version, damaged).
    pub fn from_bytes(bytes: &[u8]) -> Option<FileHash> {
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION || rest.len() < 8 {
            return None;
        }
        let (len, state) = rest.split_at(8);
        let len = u64::from_le_bytes(len.try_into().ok()?);
        let state = SerializedState::<Sha256>::try_from(state).ok()?;
        let context = Sha256::deserialize(&state).ok()?;
        Some(FileHash { context, len })
    }

    /// [`to_bytes`](Self::to_bytes) in base64, for text formats.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.to_bytes())
    }

    /// A state saved with [`to_base64`](Self::to_base64), or `None`.
    pub fn from_base64(text: &str) -> Option<FileHash> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        FileHash::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_state_goes_on_to_the_same_hash() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = hex::encode(Sha256::digest(&data));
        // Cut anywhere, in a block or on its edge: saving and reading the state changes nothing.
        for cut in [0, 1, 63, 64, 65, 4096, 9_999, 10_000] {
            let mut first = FileHash::new();
            first.update(&data[..cut]);
            assert_eq!(first.len(), cut as u64);
            let mut again = FileHash::from_bytes(&first.to_bytes()).unwrap();
            assert_eq!(again, first);
            let mut via_text = FileHash::from_base64(&first.to_base64()).unwrap();
            again.update(&data[cut..]);
            via_text.update(&data[cut..]);
            assert_eq!(again.hex(), whole, "cut at {cut}");
            assert_eq!(via_text.hex(), whole);
            assert_eq!(again.len(), data.len() as u64);
        }
        assert_eq!(
            FileHash::new().hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn damaged_states_are_refused() {
        let mut hash = FileHash::new();
        hash.update(b"abc");
        let bytes = hash.to_bytes();
        assert!(FileHash::from_bytes(&[]).is_none());
        assert!(FileHash::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        let mut other_version = bytes.clone();
        other_version[0] = 9;
        assert!(FileHash::from_bytes(&other_version).is_none());
        assert!(FileHash::from_base64("not base64!").is_none());
        assert_eq!(
            FileHash::from_bytes(&bytes).unwrap().hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
