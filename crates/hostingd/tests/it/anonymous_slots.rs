//! Anonymous password checks take their hashing slot first (issue 23): when every slot and
//! waiting place is taken, an enrollment is answered `503 busy` at once, without taking the
//! service's write lock or writing an attempt or an audit row, so that a flood of enrollments
//! from anyone costs the service's writers nothing.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crate::common::{TestService, assert_api_error};
use hosting_api::Role;
use hostingd::testing::{on_postgres, raw_database};

/// The key of the PostgreSQL advisory lock that serialises the service's writers.
const WRITE_LOCK_KEY: i64 = 0x686f_7374_696e_6764;

/// Takes the service's write lock from outside, as a long write of another request would, until
/// the connection is given back with a rollback.
async fn hold_write_lock(pool: &sqlx::AnyPool) -> sqlx::pool::PoolConnection<sqlx::Any> {
    let mut connection = pool.acquire().await.unwrap();
    if on_postgres() {
        sqlx::query("BEGIN")
            .execute(&mut *connection)
            .await
            .unwrap();
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *connection)
            .await
            .unwrap();
    } else {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *connection)
            .await
            .unwrap();
    }
    connection
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_hashing_queue_refuses_an_enrollment_before_any_write() {
    let t = TestService::start_with(|config| {
        config.max_concurrent_hashes = Some(1);
        config.limits.max_queued_hashes = Some(1);
        config.limits.hash_wait_ms = 200;
    })
    .await;
    let logins = t.provision("Lycee Flot").await;
    let audit = t.audit_count(logins.account_id).await;
    let principal = hostingd::auth::enrollment_key(&logins.hosting_number, None);
    let window = hostingd::auth::FAILURE_WINDOW_SECONDS;

    // Every hashing slot and waiting place is taken, and another writer holds the write lock.
    let saturated = t.service.state.passwords.saturate();
    let pool = raw_database(t.dir.path()).await;
    let mut writer = hold_write_lock(&pool).await;
    let started = Instant::now();
    let enrollment = tokio::time::timeout(
        Duration::from_secs(5),
        t.enroll(Role::Manager, &logins, None, "Wrong-Password"),
    )
    .await
    .expect("answered without waiting for the write lock");
    assert_api_error(enrollment, 503, "busy");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    sqlx::query("ROLLBACK").execute(&mut *writer).await.unwrap();
    drop(writer);
    pool.close().await;

    // Nothing was written for it: no attempt counted, no audit row.
    assert_eq!(t.store().attempts(&principal, window).await.unwrap(), 0);
    assert_eq!(t.audit_count(logins.account_id).await, audit);
    // Once the slots are free, the school enrolls.
    drop(saturated);
    t.manager(&logins).await;
}
