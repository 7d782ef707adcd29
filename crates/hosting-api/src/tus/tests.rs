use super::*;

#[test]
fn checksums_and_file_hash() {
    // sha1("abc") = a9993e36...
    assert_eq!(chunk_checksum(b"abc"), "sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.HNOT");
    std::fs::write(&path, b"abc").unwrap();
    let mut seen = 0;
    let (size, hash) = hash_file(&path, |n| seen = n).unwrap();
    assert_eq!((size, seen), (3, 3));
    assert_eq!(
        hash,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let stamp = FileStamp::of(&path).unwrap();
    let mut first = FileHash::new();
    first.update(b"a");
    let chunk = read_chunk(&path, 1, 10, first, stamp).unwrap();
    assert_eq!((chunk.offset, chunk.size), (1, 2));
    assert_eq!(chunk.checksum, chunk_checksum(b"bc"));
    // The running hash went on over the chunk: it is the whole file's.
    assert_eq!(chunk.hash_after.hex(), hash);
    // A file written to after the upload started is noticed at the next read.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&path, b"abd").unwrap();
    let error = read_chunk(&path, 0, 10, FileHash::new(), stamp)
        .err()
        .unwrap();
    assert!(matches!(error, TusError::FileModified { .. }), "{error}");
}

#[test]
fn which_failures_are_retried() {
    let api = |status: u16, code: &str| ClientError::Api {
        status,
        code: ErrorCode::from(code),
        message: String::new(),
        field: None,
        retry_after_seconds: None,
    };
    assert!(retryable(&ClientError::Transport("reset".into())));
    assert!(retryable(&api(460, "checksum_mismatch")));
    assert!(retryable(&api(409, "offset_mismatch")));
    assert!(retryable(&api(503, "x")));
    assert!(!retryable(&api(404, "not_found")));
    assert!(!retryable(&api(413, "upload_too_large")));
    assert!(!retryable(&api(460, "file_checksum_mismatch")));
}
