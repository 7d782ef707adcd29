//! The PostgreSQL migrations mirror SQLite's: the same files, and, on a PostgreSQL server
//! (`HOSTINGD_TEST_DATABASE_URL`, which `.ci/run` sets), the same tables and columns once applied.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use sqlx::Connection;

fn migration_files(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_databases_have_the_same_migrations() {
    let sqlite = migration_files("sqlite");
    assert!(sqlite.len() >= 11, "{sqlite:?}");
    assert_eq!(migration_files("postgres"), sqlite);
}

/// Every (table, column) of the schema, the migrations' own table aside.
type Columns = BTreeSet<(String, String)>;

async fn sqlite_columns() -> Columns {
    let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .unwrap();
    sqlx::query_as::<_, (String, String)>(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

#[tokio::test]
async fn on_postgresql_the_migrations_give_the_tables_and_columns_of_sqlite() {
    let Ok(admin_url) = std::env::var("HOSTINGD_TEST_DATABASE_URL") else {
        eprintln!("skipped: HOSTINGD_TEST_DATABASE_URL does not name a PostgreSQL server");
        return;
    };
    // A database of its own, on the server the variable names.
    let name = format!("hd_migrations_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (server, _) = admin_url.rsplit_once('/').unwrap();
    let pool = sqlx::PgPool::connect(&format!("{server}/{name}"))
        .await
        .unwrap();
    let migrator = sqlx::migrate!("./migrations/postgres");
    migrator.run(&pool).await.unwrap();
    // Applied twice, nothing happens the second time.
    migrator.run(&pool).await.unwrap();
    let postgres: Columns = sqlx::query_as::<_, (String, String)>(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    // Every integer is a BIGINT there (the service reads them as i64).
    let narrow: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND data_type IN ('integer', 'smallint')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    assert!(narrow.is_empty(), "{narrow:?}");
    let sqlite = sqlite_columns().await;
    assert!(sqlite.len() > 50);
    assert_eq!(postgres, sqlite);
}
