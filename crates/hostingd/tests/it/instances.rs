//! A `hostingd` process names itself (`--instance-id`) in its audit records and its logs, so that
//! several instances over one database can be told apart; it forgets at start the leases that a
//! killed process left.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::TestService;
use common::process::{free_port, serve};
use hosting_api::ScheduleUpdate;

#[test]
fn each_audit_record_names_the_instance_that_wrote_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // An account made in-process, then a real process named "it-east" on the same data.
    let handed = common::HandedOver::new(&runtime, "Lycee Est", None);
    let (dir, schedule_id) = (&handed.dir, handed.schedule_id);
    // A process killed mid-PATCH left its lease (in the far future, as a clock ahead would).
    runtime.block_on(async {
        let db = hostingd::testing::raw_database(dir.path()).await;
        sqlx::query("INSERT INTO leases (name, holder, expires_at) VALUES ('upload:gone', 'dead:1', 99999999999)")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
    });
    let port = free_port();
    let mut child = serve(dir.path(), port, &["--instance-id", "it-east"]);
    let client = handed.client(port);
    runtime
        .block_on(client.update_schedule(
            schedule_id,
            &ScheduleUpdate {
                domain: Some("lycee-est".into()),
                ..ScheduleUpdate::default()
            },
        ))
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    let (records, leases): (Vec<(String, Option<String>)>, i64) = runtime.block_on(async {
        let db = hostingd::testing::raw_database(dir.path()).await;
        let records = sqlx::query_as("SELECT action, instance_id FROM audit_log ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
        let leases = sqlx::query_scalar("SELECT COUNT(*) FROM leases")
            .fetch_one(&db)
            .await
            .unwrap();
        db.close().await;
        (records, leases)
    });
    // The only instance of a SQLite database forgets, at start, the leases of processes gone;
    // on PostgreSQL other instances may hold theirs now, so it lets them expire.
    assert_eq!(
        leases,
        if hostingd::testing::on_postgres() {
            1
        } else {
            0
        }
    );
    let (action, instance) = records.last().unwrap();
    assert!(action.starts_with("schedule."), "{records:?}");
    assert_eq!(instance.as_deref(), Some("it-east"));
    // The records written before, by the test's own service, name that one.
    let (_, first) = records.first().unwrap();
    assert_eq!(first.as_deref(), Some(hostingd::instance::id()));
    assert_ne!(first.as_deref(), Some("it-east"));
}

#[test]
fn an_instance_id_that_is_not_a_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--instance-id",
            "two words",
        ])
        .env("HOSTINGD_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("an instance id has 1 to 64 letters"),
        "{stderr}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing is created"
    );
}

#[tokio::test]
async fn the_jobs_run_on_one_instance_at_a_time_and_sweep_once_an_hour() {
    let service = TestService::start().await;
    let s = common::files::school(&service, "Lycee Jobs").await;
    let path = common::files::write_file(s.dir.path(), "Jobs.HNOT", 10_000, 2);
    let metadata = hosting_api::UploadMetadata {
        filename: "Jobs.HNOT".into(),
        kind: hosting_api::FileKind::Base,
        sha256: None,
    };
    let id = s.client.create_upload(&metadata, 10_000).await.unwrap();
    let data = std::fs::read(&path).unwrap();
    let response = common::files::patch(&s.client, &id, 0, &data[..5_000], None).await;
    assert_eq!(response.status().as_u16(), 204);
    service.clock.advance(73 * 3600);
    let store = &service.service.state.store;

    // Another instance is running the jobs: this one leaves them alone.
    assert!(
        store
            .acquire_lease("jobs:run", "west:1", 600)
            .await
            .unwrap()
    );
    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report, hostingd::jobs::JobReport::default());
    assert_eq!(store.uploads(s.account_id).await.unwrap().len(), 1);

    // Once it is done, this one runs them: the expired upload goes.
    store.release_lease("jobs:run", "west:1").await.unwrap();
    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.expired_uploads, 1);
    assert!(store.uploads(s.account_id).await.unwrap().is_empty());
    assert_eq!(store.lease_holder("jobs:run").await.unwrap(), None);

    // The sweep ran in that run (or an earlier one) and is marked done for the hour, whichever
    // instance runs next; an hour later it is due again.
    let swept_by = store.lease_holder("jobs:sweep").await.unwrap().unwrap();
    assert!(swept_by.starts_with(hostingd::instance::id()), "{swept_by}");
    service.clock.advance(30 * 60);
    assert!(
        !store
            .acquire_lease("jobs:sweep", "west:2", 3600)
            .await
            .unwrap()
    );
    service.clock.advance(31 * 60);
    assert!(
        store
            .acquire_lease("jobs:sweep", "west:2", 3600)
            .await
            .unwrap()
    );
}

/// A planned stop during an upload (issue 23): SIGTERM makes the process stop accepting, let
/// the PATCH in flight end (or cut it at the grace time), give back its leases and exit 0; the
/// client then resumes the upload on the next instance from the bytes already kept.
#[test]
fn sigterm_during_an_upload_exits_0_and_the_upload_resumes_on_the_next_instance() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handed = common::HandedOver::new(&runtime, "Lycee Arret", None);
    let dir = &handed.dir;
    let file = dir.path().join("Arret.HNOT");
    let length: usize = 96 * 1024 * 1024;
    std::fs::write(
        &file,
        (0..length).map(|i| (i % 251) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    let port = free_port();
    let mut east = serve(
        dir.path(),
        port,
        &["--instance-id", "it-term", "--shutdown-grace-seconds", "2"],
    );
    let client = handed.client(port);
    let metadata = hosting_api::UploadMetadata {
        kind: hosting_api::FileKind::Base,
        filename: "Arret.HNOT".to_string(),
        sha256: None,
    };
    let id = runtime
        .block_on(client.create_upload(&metadata, length as u64))
        .unwrap();
    // The upload runs; once the service keeps some of it, the process is told to stop.
    let options = hosting_api::TusOptions {
        chunk_size: 1 << 20,
        min_chunk_size: 1 << 20,
        max_attempts: 1,
        ..hosting_api::TusOptions::default()
    };
    let sending = {
        let (client, id, file, options) =
            (client.clone(), id.clone(), file.clone(), options.clone());
        runtime.spawn(async move { client.upload_file(&id, &file, &options, |_| {}).await })
    };
    let kept_before = runtime.block_on(async {
        loop {
            let (offset, _) = client.upload_offset(&id).await.unwrap();
            if offset > 0 {
                return offset;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    let status = Command::new("kill")
        .args(["-TERM", &east.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = east.wait().unwrap();
    assert!(exit.success(), "a planned stop exits 0: {exit:?}");
    // The upload was cut (one attempt only here): the client reports it, nothing more.
    assert!(runtime.block_on(sending).unwrap().is_err());

    // Nothing of it is left held: no lease of the stopped instance.
    let held: Vec<String> = runtime.block_on(async {
        let db = hostingd::testing::raw_database(dir.path()).await;
        let held = sqlx::query_scalar("SELECT holder FROM leases")
            .fetch_all(&db)
            .await
            .unwrap();
        db.close().await;
        held
    });
    assert!(held.iter().all(|h| !h.starts_with("it-term:")), "{held:?}");

    // The next instance takes the upload on from what the first one kept.
    let port = free_port();
    let _west = serve(dir.path(), port, &["--instance-id", "it-west"]);
    let client = handed.client(port);
    let (kept, total) = runtime.block_on(client.upload_offset(&id)).unwrap();
    assert!(kept >= kept_before && kept < total, "{kept} of {total}");
    let done = runtime
        .block_on(client.upload_file(&id, &file, &hosting_api::TusOptions::default(), |_| {}))
        .unwrap();
    assert_eq!(done.offset, length as u64);
    assert_eq!(
        runtime.block_on(client.upload_offset(&id)).unwrap(),
        (length as u64, length as u64)
    );
}

/// The request log (issue 23): with `--log-format json`, one JSON object a line per request, with
/// its method, route template, status, latency, source address and instance; never the token of
/// the session that made it, nor an id of the path.
#[test]
fn requests_are_logged_as_json_without_tokens() {
    use std::io::BufRead;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handed = common::HandedOver::new(&runtime, "Lycee Journal", None);
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--instance-id", "it-log", "--log-format", "json"])
        .envs(hostingd::testing::data_env(handed.dir.path()))
        .env("RUST_LOG", "hostingd=info")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let reader = {
        let lines = lines.clone();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                lines.lock().unwrap().push(line);
            }
        })
    };
    let client = handed.client(port);
    runtime.block_on(async {
        // Until it listens (its first lines are written before).
        for _ in 0..300 {
            if client.schedules().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        client.profiles(handed.schedule_id).await.unwrap();
    });
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
    let lines = lines.lock().unwrap().clone();
    let requests: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"] == "hostingd::request")
        .collect();
    let profiles = requests
        .iter()
        .find(|v| v["fields"]["route"] == "/v1/schedules/{id}/profiles")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(profiles["fields"]["method"], "GET");
    assert_eq!(profiles["fields"]["status"], 200);
    assert_eq!(profiles["fields"]["source"], "127.0.0.1");
    assert_eq!(profiles["fields"]["instance"], "it-log");
    assert!(profiles["fields"]["latency_ms"].is_u64());
    let all = lines.join("\n");
    assert!(!all.contains(&handed.token), "a session token in the log");
    assert!(
        !all.contains(&format!("/v1/schedules/{}/", handed.schedule_id)),
        "a path with its ids in the log"
    );
}

/// A long run of the jobs keeps its lease (issue 23): renewed once a third of it has passed, and
/// the run stops once another instance has it (the lease ran out, a clock jumped).
#[tokio::test(flavor = "multi_thread")]
async fn a_long_job_run_renews_its_lease_and_stops_when_it_is_lost() {
    use hostingd::jobs::{RUN_LEASE, RUN_LEASE_SECONDS, RunLease};
    let t = TestService::start().await;
    let store = t.store();
    assert!(
        store
            .acquire_lease(RUN_LEASE, "east:1", RUN_LEASE_SECONDS)
            .await
            .unwrap()
    );
    let mut lease = RunLease::taken(store, "east:1");
    // Within a third of the lease, nothing is written.
    t.clock.advance(RUN_LEASE_SECONDS / 3 - 5);
    assert!(lease.keep().await.unwrap());
    // Later it is renewed: the lease lasts a whole lease from now.
    t.clock.advance(10);
    assert!(lease.keep().await.unwrap());
    t.clock.advance(RUN_LEASE_SECONDS - 10);
    assert_eq!(
        store.lease_holder(RUN_LEASE).await.unwrap().as_deref(),
        Some("east:1"),
        "renewed, so still held a whole lease after the renewal"
    );
    // Another instance takes it once it runs out: the run learns it at its next step.
    t.clock.advance(20);
    assert!(
        store
            .acquire_lease(RUN_LEASE, "west:1", RUN_LEASE_SECONDS)
            .await
            .unwrap()
    );
    t.clock.advance(RUN_LEASE_SECONDS / 3);
    assert!(!lease.keep().await.unwrap());
    assert_eq!(
        store.lease_holder(RUN_LEASE).await.unwrap().as_deref(),
        Some("west:1")
    );
}
