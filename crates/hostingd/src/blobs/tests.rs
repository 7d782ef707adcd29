use super::*;

#[test]
fn blob_store_urls() {
    let s3 = |bucket: &str, prefix: &str| BlobLocation::S3 {
        bucket: bucket.into(),
        prefix: prefix.into(),
    };
    assert_eq!("s3://hostingd".parse(), Ok(s3("hostingd", "")));
    assert_eq!("s3://hostingd/".parse(), Ok(s3("hostingd", "")));
    assert_eq!(
        "s3://my.bucket-1/prod/blobs/".parse(),
        Ok(s3("my.bucket-1", "prod/blobs"))
    );
    assert_eq!(
        "file:///var/lib/hostingd/blobs".parse(),
        Ok(BlobLocation::Local(PathBuf::from(
            "/var/lib/hostingd/blobs"
        )))
    );
    assert_eq!(
        s3("b12", "a/b").to_string().parse::<BlobLocation>(),
        Ok(s3("b12", "a/b"))
    );
    for bad in [
        "/var/lib/blobs",
        "file://relative/path",
        "file:///a/../b",
        "https://s3.example.org/bucket",
        "s3://",
        "s3://ab",
        "s3://Upper",
        "s3://bucket/a//b",
        "s3://bucket/a/../b",
        "s3://bucket?x=1",
    ] {
        let error = bad.parse::<BlobLocation>().unwrap_err();
        assert!(
            error.contains("file:///absolute/path or s3://bucket/optional/prefix"),
            "{bad}: {error}"
        );
    }
    // A credential written into the URL is refused and never repeated.
    let error = "s3://AKIA:SeCrEt@bucket/p"
        .parse::<BlobLocation>()
        .unwrap_err();
    assert!(error.contains("no user, password"), "{error}");
    assert!(!error.contains("SeCrEt"), "{error}");
}

#[test]
fn keys_begin_with_their_utc_day() {
    // 2026-11-28T23:59:59Z and the second after.
    let late = 1_795_910_399;
    assert_eq!(day_key(late, "uploads/x/0"), "d/2026-11-28/uploads/x/0");
    assert_eq!(day_key(late + 1, "created/y"), "d/2026-11-29/created/y");
    assert_eq!(day_end("2026-11-28"), Some(late + 1));
    assert_eq!(day_end("2026-13-01"), None);
    assert_eq!(day_end("uploads"), None);
}

#[tokio::test]
async fn a_local_store_lists_its_days_and_its_keys_without_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::local(&dir.path().join("blobs")).unwrap();
    assert!(blobs.days().await.unwrap().is_empty());
    assert!(blobs.undated().await.unwrap().is_empty());
    for key in [
        "d/2026-11-28/uploads/a/0",
        "d/2026-11-27/created/b",
        "uploads/old/0",
        "safeguards/old/Base/000000",
    ] {
        blobs.put(key, b"x".to_vec()).await.unwrap();
    }
    assert_eq!(blobs.days().await.unwrap(), ["2026-11-27", "2026-11-28"]);
    let mut undated: Vec<String> = blobs
        .undated()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.0)
        .collect();
    undated.sort();
    assert_eq!(undated, ["safeguards/old/Base/000000", "uploads/old/0"]);
    let day: Vec<String> = blobs
        .list_under(Some("d/2026-11-28/"))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.0)
        .collect();
    assert_eq!(day, ["d/2026-11-28/uploads/a/0"]);
}

#[tokio::test]
async fn staging_files_left_by_a_crash_are_deleted_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let blobs = Blobs::local(&root).unwrap();
    blobs
        .put("uploads/a/000000", b"kept".to_vec())
        .await
        .unwrap();
    // What `object_store` leaves when the process dies before the rename of a part.
    std::fs::write(root.join("uploads/a/000001#1"), b"cut").unwrap();
    std::fs::create_dir_all(root.join("safeguards/b/Base")).unwrap();
    std::fs::write(root.join("safeguards/b/Base/000000#12"), b"cut").unwrap();

    let blobs = Blobs::local(&root).unwrap();
    let keys: Vec<String> = blobs
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.0)
        .collect();
    assert_eq!(keys, ["uploads/a/000000"]);
    assert!(!root.join("uploads/a/000001#1").exists());
    assert!(!root.join("safeguards/b/Base/000000#12").exists());
}
