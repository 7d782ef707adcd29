//! Several instances over one database (issue 11): two real `hostingd` processes on one
//! PostgreSQL database and one blob store (one S3 bucket and prefix when
//! `HOSTINGD_TEST_BLOB_STORE` names one, as in `.ci/run`; else a shared directory), driven
//! through the typed client as a console would.
//! A session made through one works through the other, an upload started through one ends
//! through the other, a job runs once, and the endpoint of a running schedule is taken over by
//! the survivor after `kill -9` of the instance that served it.
//!
//! Runs in the PostgreSQL pass (`postgres::every_test_passes_on_postgresql_too`, or with
//! `HOSTINGD_TEST_BACKEND=postgres`): a SQLite database has one instance.

use crate::common;

use std::time::{Duration, Instant};

use common::files::{patch, write_file};
use common::process::{Running, free_port, serve};
use hosting_api::{Client, FileKind, LoadBase, TusOptions, UploadMetadata};

/// How long an endpoint lease lasts in this test: a takeover comes within this and a third.
const LEASE_SECONDS: &str = "2";

fn instance(dir: &std::path::Path, port: u16, name: &str) -> Running {
    serve(
        dir,
        port,
        &[
            "--instance-id",
            name,
            "--endpoint-lease-seconds",
            LEASE_SECONDS,
            "--job-interval-seconds",
            "1",
        ],
    )
}

/// One column of the shared database's rows.
async fn strings(dir: &std::path::Path, sql: &'static str) -> Vec<String> {
    let db = hostingd::testing::raw_database(dir).await;
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&db).await.unwrap();
    db.close().await;
    rows
}

/// Which instance holds the endpoint lease of `schedule_id` ("a" or "b"), if any.
async fn endpoint_holder(dir: &std::path::Path, schedule_id: i64) -> Option<String> {
    let db = hostingd::testing::raw_database(dir).await;
    let holder: Option<String> = sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1")
        .bind(format!("endpoint:{schedule_id}"))
        .fetch_optional(&db)
        .await
        .unwrap();
    db.close().await;
    holder.map(|h| h.split(':').next().unwrap_or_default().to_string())
}

#[test]
fn two_instances_share_sessions_uploads_jobs_and_endpoints() {
    if !hostingd::testing::on_postgres() {
        println!("skipped: runs in the PostgreSQL pass (a SQLite database has one instance)");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handed = common::HandedOver::new(&runtime, "Lycee Deux", Some("lycee-deux"));
    let (dir, schedule_id) = (handed.dir.path(), handed.schedule_id);
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = instance(dir, port_a, "a");
    let mut b = instance(dir, port_b, "b");
    let (client_a, client_b) = (handed.client(port_a), handed.client(port_b));

    runtime.block_on(async {
        // A session: the token made before works through both; nothing of it is per process.
        assert_eq!(client_a.schedules().await.unwrap()[0].id, schedule_id);
        assert_eq!(client_b.schedules().await.unwrap()[0].id, schedule_id);

        // An upload: created and half sent through A, finished through B, loaded through A.
        let files = tempfile::tempdir().unwrap();
        let source = write_file(files.path(), "DEUX.HNOT", 600_000, 3);
        let data = std::fs::read(&source).unwrap();
        let metadata = UploadMetadata {
            filename: "DEUX.HNOT".into(),
            kind: FileKind::Base,
            sha256: None,
        };
        let id = client_a
            .create_upload(&metadata, data.len() as u64)
            .await
            .unwrap();
        let half = data.len() / 2;
        let first = patch(&client_a, &id, 0, &data[..half], None).await;
        assert_eq!(first.status().as_u16(), 204);
        assert_eq!(
            client_b.upload_offset(&id).await.unwrap(),
            (half as u64, data.len() as u64)
        );
        let done = client_b
            .upload_file(&id, &source, &TusOptions::default(), |_| {})
            .await
            .unwrap();
        assert_eq!(done.offset, data.len() as u64);
        let base = client_a
            .load_base(
                schedule_id,
                &LoadBase {
                    upload_id: id,
                    companions: vec![],
                },
            )
            .await
            .unwrap();
        assert_eq!(
            base.sha256,
            hosting_api::tus::hash_file(&source, |_| {}).unwrap().1
        );
        let listed = client_b.bases(schedule_id).await.unwrap();
        assert!(listed.iter().any(|listed| listed.id == base.id));

        // Activation through B; both instances run their jobs every second.
        client_b.open_base(base.id).await.unwrap();
        let schedule = client_b.activate(schedule_id).await.unwrap();
        let (host, port) = (schedule.host.unwrap(), schedule.port.unwrap());
        assert_eq!(
            client_a.endpoint_status(&host, port).await.unwrap().base,
            base.name
        );

        // A job runs once: the first safeguard of the running base is taken by one instance,
        // and in the next seconds of job runs on both no second one is (the hour is not over).
        let deadline = Instant::now() + Duration::from_secs(20);
        while client_a.safeguards(schedule_id).await.unwrap().is_empty() {
            assert!(Instant::now() < deadline, "no safeguard was taken");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(client_b.safeguards(schedule_id).await.unwrap().len(), 1);
        let takers = strings(
            dir,
            "SELECT COALESCE(instance_id, '') FROM audit_log WHERE action = 'safeguard.taken'",
        )
        .await;
        assert_eq!(takers.len(), 1, "{takers:?}");
        assert!(["a", "b"].contains(&takers[0].as_str()), "{takers:?}");
        println!("the safeguard was taken by instance {}", takers[0]);
    });

    // The endpoint: kill -9 the instance that serves it; the other takes it over.
    let holder = runtime
        .block_on(endpoint_holder(dir, schedule_id))
        .expect("an instance holds the endpoint");
    let (victim, survivor, survivor_name, survivor_port, victim_port): (
        &mut Running,
        &Client,
        &str,
        u16,
        u16,
    ) = match holder.as_str() {
        "a" => (&mut a, &client_b, "b", port_b, port_a),
        "b" => (&mut b, &client_a, "a", port_a, port_b),
        other => panic!("an unknown holder {other}"),
    };
    victim.kill().unwrap();
    victim.wait().unwrap();
    let killed = Instant::now();
    runtime.block_on(async {
        let schedule = survivor.schedules().await.unwrap().remove(0);
        let (host, port) = (schedule.host.unwrap(), schedule.port.unwrap());
        let deadline = killed + Duration::from_secs(15);
        loop {
            match survivor.endpoint_status(&host, port).await {
                Ok(status) => {
                    assert_eq!(status.schedule, schedule.name);
                    break;
                }
                Err(error) => {
                    assert!(
                        Instant::now() < deadline,
                        "the endpoint was not taken over: {error}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        println!(
            "the endpoint answered again {:.1} s after the kill of its instance",
            killed.elapsed().as_secs_f64()
        );
        assert_eq!(
            endpoint_holder(dir, schedule_id).await.as_deref(),
            Some(survivor_name)
        );
        // The survivor still serves the session.
        assert_eq!(survivor.safeguards(schedule_id).await.unwrap().len(), 1);
    });

    // A session ended through one instance is refused by the other at once, even right after
    // that other instance checked it (and would trust it for a second): the commit's
    // notification ends its cache. Without it the refusal would wait for the cache's second.
    let victim_name = if survivor_name == "a" { "b" } else { "a" };
    let _restarted = instance(dir, victim_port, victim_name);
    let other = handed.client(victim_port);
    let same = handed.client(survivor_port);
    runtime.block_on(async {
        other.schedules().await.unwrap();
        survivor.logout().await.unwrap();
        let ended = Instant::now();
        common::assert_api_error(same.schedules().await, 401, "session_required");
        loop {
            match other.schedules().await {
                Err(error) => {
                    assert_eq!(error.status(), Some(401), "{error}");
                    break;
                }
                Ok(_) => assert!(
                    ended.elapsed() < hostingd::store::CACHE_TTL / 3,
                    "the other instance still accepts the ended session"
                ),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        println!(
            "the other instance refused the ended session after {:.3} s",
            ended.elapsed().as_secs_f64()
        );
    });
}
