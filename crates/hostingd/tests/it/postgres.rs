//! Every test of this binary on the second database: when `HOSTINGD_TEST_DATABASE_URL` names a
//! PostgreSQL server (`.ci/run` starts one), the binary runs again with
//! `HOSTINGD_TEST_BACKEND=postgres`, each test on a database of its own, and this test fails
//! with the failures of that run. Without the variable it says the run was on SQLite only.

#[test]
fn every_test_passes_on_postgresql_too() {
    hostingd::testing::run_again_on_postgres("postgres::every_test_passes_on_postgresql_too");
}
