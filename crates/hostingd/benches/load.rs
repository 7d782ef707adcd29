//! Load benchmark of a provider's scale on PostgreSQL: 10,000 accounts, 1,000,000 users and
//! 50,000 bases in one database. A few measured accounts are made through the service as a
//! provider's staff and a console would (provisioning, enrollment, login, an empty base); the
//! rest of the rows are copied from theirs in bulk (`INSERT … SELECT … generate_series`), so
//! every column is one the service wrote. Then it prints p50/p99 of the list routes
//! (`/v1/schedules`, `/v1/users`, `/v1/schedules/{id}/bases`) at saturation and of a login, on
//! one instance and on two instances over the same database, and the ratio two/one.
//!
//! Needs `HOSTINGD_TEST_DATABASE_URL` (a server where it may create a database); without it, it
//! says so and stops. `LOAD_ACCOUNTS`, `LOAD_USERS`, `LOAD_BASES` scale the seed down (defaults
//! 10000, 1000000, 50000), `BENCH_SECONDS` the length of each phase (default 5).
//!
//! `cargo bench -p hostingd --bench load`
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use hosting_api::{Client, NewEmptyBase};
use hostingd::{Clock, RunningService, testing};
use sqlx::{Connection, PgConnection};

#[path = "common/latency.rs"]
mod latency;
use latency::Figures;

/// Accounts made through the service, whose managers' consoles send the load.
const MEASURED: usize = 8;
/// Users of each account (1,000,000 / 10,000).
const USERS_PER_ACCOUNT: i64 = 100;
/// Schedules of each account (`planning01`, `planning02`).
const SCHEDULES_PER_ACCOUNT: i64 = 2;

fn env_number(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One measured account: its manager's console and what it lists.
#[derive(Clone)]
struct Console {
    identity: hosting_api::ClientIdentity,
    password: String,
    schedule_id: i64,
}

impl Console {
    fn client(&self, service: &RunningService) -> Client {
        testing::with_identity(service, &self.identity)
    }
}

/// `INSERT INTO table (every column but id) SELECT <expression or the template's column> FROM
/// table t, generate_series(1, n) g WHERE t.id = template`: rows copied from one the service
/// wrote, with `overrides` (column → SQL over `t` and `g`).
async fn copy_rows(
    db: &mut PgConnection,
    table: &str,
    template: i64,
    n: i64,
    overrides: &[(&str, String)],
) -> u64 {
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await
    .unwrap();
    let values: Vec<String> = columns
        .iter()
        .map(|column| {
            overrides
                .iter()
                .find(|(name, _)| name == column)
                .map_or_else(
                    || format!("t.{column}"),
                    |(_, expression)| expression.clone(),
                )
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} t, generate_series(1, {n}) g WHERE t.id = {template}",
        columns.join(", "),
        values.join(", ")
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *db)
        .await
        .unwrap()
        .rows_affected()
}

/// `n` plain users (no console access) copied from `template`, in the account of `account`
/// (SQL over `g`).
async fn copy_users(db: &mut PgConnection, template: i64, n: i64, account: String) {
    copy_rows(
        db,
        "users",
        template,
        n,
        &[
            ("account_id", account),
            ("username", "'user' || g".into()),
            ("superadmin", "FALSE".into()),
            ("console_access", "FALSE".into()),
        ],
    )
    .await;
}

async fn count(db: &mut PgConnection, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&mut *db)
        .await
        .unwrap()
}

/// Makes the measured accounts through `service`, then fills the database to the sizes asked.
async fn seed(service: &RunningService, url: &str) -> Vec<Console> {
    let accounts = env_number("LOAD_ACCOUNTS", 10_000);
    let users = env_number("LOAD_USERS", 1_000_000);
    let bases = env_number("LOAD_BASES", 50_000);
    let start = Instant::now();
    let mut consoles = Vec::new();
    for n in 0..MEASURED {
        let logins = testing::provision(service, &format!("Lycee Mesure {n}")).await;
        let (client, identity) = testing::manager_as(service, "load", &logins).await;
        let schedule_id = client.schedules().await.unwrap()[0].id;
        client
            .create_empty_base(schedule_id, &NewEmptyBase::default())
            .await
            .unwrap();
        let superadmin = testing::grant_superadmin(&client, "template").await;
        assert!(superadmin.id > 0);
        consoles.push(Console {
            identity,
            password: logins.password,
            schedule_id,
        });
    }
    let mut db = PgConnection::connect(url).await.unwrap();
    let template_account: i64 = sqlx::query_scalar("SELECT MIN(id) FROM accounts")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let template_user: i64 = sqlx::query_scalar("SELECT MIN(id) FROM users")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let template_schedule: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM schedules WHERE name = 'planning01'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    let template_base: i64 = sqlx::query_scalar("SELECT MIN(id) FROM bases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let measured_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap();

    // The other accounts, each with its two schedules.
    let filler = accounts - MEASURED as i64;
    let first_filler: i64 = sqlx::query_scalar("SELECT MAX(id) + 1 FROM accounts")
        .fetch_one(&mut db)
        .await
        .unwrap();
    copy_rows(
        &mut db,
        "accounts",
        template_account,
        filler,
        &[
            (
                "hosting_number",
                "lpad((900000000000 + g)::text, 12, '0')".into(),
            ),
            ("school_name", "'Ecole ' || g".into()),
        ],
    )
    .await;
    // Account ids of the filler are consecutive from `first_filler` (one INSERT, identity).
    let filler_account = format!("{first_filler} + ((g - 1) % {filler})");
    for k in 1..=SCHEDULES_PER_ACCOUNT {
        copy_rows(
            &mut db,
            "schedules",
            template_schedule,
            filler,
            &[
                ("account_id", format!("{first_filler} + (g - 1)")),
                ("name", format!("'planning0{k}'")),
                ("active_base_id", "NULL".into()),
                ("open_base_id", "NULL".into()),
            ],
        )
        .await;
    }
    // Users: 100 per measured account, the rest spread over the filler.
    for &account in &measured_ids {
        copy_users(
            &mut db,
            template_user,
            USERS_PER_ACCOUNT,
            account.to_string(),
        )
        .await;
    }
    let filler_users = users - count(&mut db, "users").await;
    copy_users(&mut db, template_user, filler_users, filler_account).await;
    // Bases: 5 on each measured account's first schedule, the rest over the filler's schedules.
    for console in &consoles {
        copy_rows(
            &mut db,
            "bases",
            template_base,
            4,
            &[
                ("schedule_id", console.schedule_id.to_string()),
                (
                    "account_id",
                    format!(
                        "(SELECT account_id FROM schedules WHERE id = {})",
                        console.schedule_id
                    ),
                ),
                ("name", "'Base ' || g".into()),
            ],
        )
        .await;
    }
    let first_filler_schedule: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT MIN(id) FROM schedules WHERE account_id >= {first_filler}"
    )))
    .fetch_one(&mut db)
    .await
    .unwrap();
    let filler_schedules = filler * SCHEDULES_PER_ACCOUNT;
    let filler_bases = bases - count(&mut db, "bases").await;
    copy_rows(
        &mut db,
        "bases",
        template_base,
        filler_bases,
        &[
            (
                "schedule_id",
                format!("{first_filler_schedule} + ((g - 1) % {filler_schedules})"),
            ),
            (
                "account_id",
                format!(
                    "(SELECT account_id FROM schedules WHERE id = {first_filler_schedule} + ((g - 1) % {filler_schedules}))"
                ),
            ),
            ("name", "'Base ' || g".into()),
        ],
    )
    .await;
    sqlx::raw_sql("ANALYZE").execute(&mut db).await.unwrap();
    println!(
        "seeded in {:.1} s: {} accounts, {} schedules, {} users, {} bases ({} accounts made through the service)",
        start.elapsed().as_secs_f64(),
        count(&mut db, "accounts").await,
        count(&mut db, "schedules").await,
        count(&mut db, "users").await,
        count(&mut db, "bases").await,
        MEASURED
    );
    db.close().await.unwrap();
    consoles
}

/// Saturation of `route` by `workers` per console, the consoles spread over `services`.
async fn saturate(
    services: &[&RunningService],
    consoles: &[Console],
    route: &'static str,
    workers: usize,
    seconds: u64,
) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (n, console) in consoles.iter().enumerate() {
        let service = services[n % services.len()];
        let client = console.client(service);
        client.login(&console.password).await.unwrap();
        let path = route.replace("{schedule}", &console.schedule_id.to_string());
        for _ in 0..workers {
            let (client, path) = (client.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    if latency::get(&client, &path).await {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            }));
        }
    }
    latency::gathered(tasks, start).await
}

/// Logins, each console in turn, spread over `services`, for `seconds`.
async fn logins(services: &[&RunningService], consoles: &[Console], seconds: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (n, console) in consoles.iter().enumerate() {
        let client = console.client(services[n % services.len()]);
        let password = console.password.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let sent = Instant::now();
                match client.login(&password).await {
                    Ok(_) => latencies.push(sent.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    latency::gathered(tasks, start).await
}

const ROUTES: [&str; 3] = ["/schedules", "/users", "/schedules/{schedule}/bases"];

async fn measure(services: &[&RunningService], consoles: &[Console], seconds: u64) -> Vec<Figures> {
    let mut all = Vec::new();
    for route in ROUTES {
        let f = saturate(services, consoles, route, 2, seconds).await;
        println!(
            "  GET /v1{route:<28} {:>7.0} req/s  p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}",
            f.requests_per_second, f.p50_ms, f.p99_ms, f.errors
        );
        all.push(f);
    }
    let f = logins(services, consoles, seconds).await;
    println!(
        "  POST /v1/sessions{:<20} {:>7.1} /s     p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}",
        "", f.requests_per_second, f.p50_ms, f.p99_ms, f.errors
    );
    all.push(f);
    all
}

fn main() {
    if std::env::var_os(testing::DATABASE_URL_VARIABLE).is_none() {
        println!(
            "load benchmark: skipped, {} does not name a PostgreSQL server",
            testing::DATABASE_URL_VARIABLE
        );
        return;
    }
    let seconds: u64 = env_number("BENCH_SECONDS", 5).try_into().unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let url = testing::new_postgres_database();
        let dir = tempfile::tempdir().unwrap();
        let mut config = testing::local_config(dir.path().to_path_buf());
        config.database_url = Some(url.clone());
        // Logins at the rate a provider's consoles bring them, not refused as a flood.
        config.limits.login_rate_per_minute = 1_000_000;
        config.limits.login_rate_burst = 1_000_000;
        let one = hostingd::start(config.clone(), Clock::default()).await.unwrap();
        let consoles = seed(&one, &url).await;
        println!(
            "hostingd load benchmark: PostgreSQL, {} cores, {MEASURED} consoles x 2 workers, {seconds} s per phase",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        println!("one instance:");
        let single = measure(&[&one], &consoles, seconds).await;
        let two = hostingd::start(config, Clock::default()).await.unwrap();
        println!("two instances (the consoles split between them, one database):");
        let double = measure(&[&one, &two], &consoles, seconds).await;
        println!("ratio two/one (throughput, p99):");
        for (name, (a, b)) in ROUTES
            .iter()
            .copied()
            .chain(["login"])
            .zip(single.iter().zip(double.iter()))
        {
            println!(
                "  {name:<28} throughput {:.2}  p99 {:.2}",
                b.requests_per_second / a.requests_per_second,
                b.p99_ms / a.p99_ms
            );
        }
        println!(
            "(both instances share this machine's cores: a second machine adds its own; the ratio shows what the shared database allows)"
        );
        two.shutdown().await.unwrap();
        one.shutdown().await.unwrap();
    });
}
