//! Storage of the service: one interface over the database, so that a PostgreSQL back-end can be
//! added without touching handlers. SQL is kept portable (`$n` parameters, integer times).
//! Every state change runs in one transaction together with its audit record.

mod accounts;
mod activation;
mod attempts;
mod audit;
mod bases;
mod cache;
pub mod connections;
mod contract;
mod db;
mod domains;
mod error;
mod invoices;
mod leases;
mod monitoring;
mod notices;
mod notifications;
mod objects;
mod outbox;
pub mod password_resets;
mod publications;
mod safeguards;
mod schedules;
mod sessions;
mod sweep;
mod upgrades;
mod uploads;
pub(crate) mod users;
mod workstations;
mod years;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use cache::{Cache, Commits};
use db::{Backend, Pool, Tx};

pub use accounts::{AccountRow, NewAccount};
pub use activation::RunningSchedule;
pub use attempts::{Attempt, AttemptKey, AttemptSource};
pub use audit::{Actor, AuditEntry, AuditFilter, AuditRow, AuditScope};
pub use bases::{BaseFileRow, BaseOrigin, BaseRow};
pub use contract::{
    ContractChange, EndingContract, PRICE_ITEMS, PriceRow, ProformaDraft, ProformaRow,
};
pub use notices::{ComingUpgrade, ExpiringCertificate};
pub use notifications::{
    Audience, NOTIFICATION_DAYS, NotificationList, NotificationRow, NotificationScope,
};
pub use objects::Claim;
pub use outbox::{DeliveryAttempt, OutboxMessage, PendingMessage, Requeued, RetryPolicy};
pub use publications::{PublicationChange, PublicationRow, WebspaceView};
pub use safeguards::{FileCopy, SafeguardRow};
pub use schedules::{EndpointOwner, ScheduleChanges, ScheduleRow};
pub use sessions::{SessionRow, SessionWithWorkstation};
pub use sweep::KeyScope;
pub use upgrades::{DueUpgrade, ReleaseRow, UpgradeRow};
pub use uploads::{FileKind, NewUpload, Part, PartHash, UploadRow};
pub use users::{NewUserRow, UserChange, UserRow};
pub use workstations::{NewWorkstation, WorkstationRow};
pub use years::{ArchiveCandidate, SeptemberCandidate, YearBaseRow, YearFileRow, YearStep};

use crate::clock::Clock;
pub use error::{StoreError, StoreResult};

use crate::invoice::InvoiceKeys;
use crate::rules::Refusal;

/// The names of the profiles every schedule has.
pub const DEFAULT_PROFILES: [&str; 2] = [ADMINISTRATION, "Vie scolaire"];
/// The profile that lets a user connect to a base.
pub use hosting_api::types::ADMINISTRATION;

/// Database handle, the service clock and the keys of the invoice numbers.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    clock: Clock,
    invoice_keys: Arc<InvoiceKeys>,
    /// The commits that end what the caches hold.
    commits: Arc<Commits>,
    /// The sessions of the logged-in requests just checked, for a second at most.
    sessions: Arc<Cache<String, SessionWithWorkstation>>,
    /// Each account's schedules just read, for a second at most.
    schedules: Arc<Cache<i64, Vec<ScheduleRow>>>,
    /// On PostgreSQL: hears the other instances' commits.
    listener: Option<Arc<tokio::task::JoinHandle<()>>>,
    /// Where the console is downloaded, in the logins e-mails.
    console_download_url: Arc<str>,
}

impl Store {
    /// Opens the database at `url`, applies the migrations, and protects the invoice numbers
    /// still kept in clear (databases made before `invoice.key` existed) with `invoice_keys`.
    pub async fn open(url: &str, clock: Clock, invoice_keys: InvoiceKeys) -> anyhow::Result<Store> {
        let pool = match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Pool::Sqlite(open_sqlite(url).await?),
            Some("postgres" | "postgresql") => Pool::Postgres(open_postgres(url).await?),
            _ => anyhow::bail!(
                "the database URL must begin with sqlite:// (a file on this machine) or \
                 postgres:// (a PostgreSQL server); got {}",
                url.split(':').next().unwrap_or("an unknown scheme")
            ),
        };
        // SQLite has one instance: its own commits are all there are. PostgreSQL's caches wait
        // until the other instances' commits are heard.
        let commits = Commits::new(!pool.is_postgres());
        let listener = match &pool {
            Pool::Postgres(pool) => Some(Arc::new(tokio::spawn(listen_for_commits(
                pool.clone(),
                commits.clone(),
            )))),
            Pool::Sqlite(_) => None,
        };
        let store = Store {
            pool,
            clock,
            invoice_keys: Arc::new(invoice_keys),
            sessions: Arc::new(Cache::new(CACHE_TTL, commits.clone())),
            schedules: Arc::new(Cache::new(CACHE_TTL, commits.clone())),
            commits,
            listener,
            console_download_url: Arc::from(""),
        };
        store.protect_invoice_numbers().await?;
        Ok(store)
    }

    /// The store that gives `url` as the console's download address in the logins e-mails.
    pub fn with_console_download_url(mut self, url: &str) -> Store {
        self.console_download_url = Arc::from(url);
        self
    }

    /// The console's download address the logins e-mails give.
    pub fn console_download_url(&self) -> &str {
        &self.console_download_url
    }

    /// A setting the running service wrote for the operator commands, if any.
    pub async fn service_setting(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            db::query_scalar("SELECT value FROM service_settings WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Writes a setting of the running service for the operator commands.
    pub async fn set_service_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        db::query(
            "INSERT INTO service_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database answers a query within `limit` (the readiness probe).
    pub async fn answers_within(&self, limit: std::time::Duration) -> bool {
        let ping = db::query_scalar::<i64>("SELECT CAST(1 AS BIGINT)").fetch_one(&self.pool);
        matches!(tokio::time::timeout(limit, ping).await, Ok(Ok(1)))
    }

    /// On PostgreSQL, whether the other instances' commits are heard (the caches are used only
    /// then); `None` on SQLite, which has no other instance.
    pub fn hears_other_instances(&self) -> Option<bool> {
        self.is_postgres().then(|| self.commits.is_listening())
    }

    /// The database's connections open, and of those, idle (for the metrics).
    pub fn database_connections(&self) -> (u32, usize) {
        self.pool.connections()
    }

    /// True when the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pool.is_postgres()
    }

    /// Closes the database: every connection is closed and the WAL checkpointed.
    pub async fn close(&self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        self.pool.close().await;
    }

    /// Copies pages from the WAL into the database and truncates the WAL, so that content just
    /// overwritten (a delivered body) leaves the disk now rather than at the next checkpoint.
    /// Best effort: readers may keep it from finishing.
    pub(crate) async fn checkpoint(&self) {
        let Pool::Sqlite(pool) = &self.pool else {
            // PostgreSQL has no such step: dead rows go at the next VACUUM.
            return;
        };
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await
        {
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }

    /// The service clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Starts a write transaction, in which writers run one at a time, as the transactions that
    /// read, check and then write rely on. On SQLite `BEGIN IMMEDIATE` takes the write lock at
    /// once, so that two writers wait for each other instead of failing when a read upgrades to
    /// a write. On PostgreSQL every instance's writers take one transaction-scoped advisory lock
    /// first; each statement still sees what the previous writer committed (READ COMMITTED).
    async fn write(&self) -> StoreResult<Tx> {
        match &self.pool {
            Pool::Sqlite(pool) => Ok(Tx::new(
                Backend::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
                self.commits.clone(),
            )),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                // Sent when (and only if) it commits: the other instances' caches end then.
                sqlx::query(sqlx::AssertSqlSafe(format!("NOTIFY {COMMITS_CHANNEL}")))
                    .execute(&mut *tx)
                    .await?;
                Ok(Tx::new(Backend::Postgres(tx), self.commits.clone()))
            }
        }
    }
}

/// How long a value read a moment ago (a checked session, an account's schedules) is used
/// without reading it again, at most: every commit of any instance over a PostgreSQL database,
/// and every commit of this process, ends it at once (see `cache`); a change made by another
/// process over a SQLite database (an operator command) counts within this time.
pub const CACHE_TTL: Duration = Duration::from_secs(1);

/// The PostgreSQL channel on which every write transaction's commit is announced.
const COMMITS_CHANNEL: &str = "hostingd_commits";

/// Hears the commits of every instance over `pool`'s database, for the caches; while it cannot
/// (a lost connection, until it listens again), the caches are not used.
async fn listen_for_commits(pool: sqlx::PgPool, commits: Arc<Commits>) {
    loop {
        if pool.is_closed() {
            return;
        }
        let listening = async {
            let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
            listener.listen(COMMITS_CHANNEL).await?;
            commits.set_listening(true);
            // `None`: the connection was lost (a notification may have been missed).
            while listener.try_recv().await?.is_some() {
                commits.moved();
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        commits.set_listening(false);
        if let Err(error) = listening {
            tracing::warn!(%error, "the other instances' commits are not heard; caches are off until they are");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The PostgreSQL advisory lock that serialises the service's write transactions.
const WRITE_LOCK_KEY: i64 = 0x686f_7374_696e_6764; // "hostingd"

/// Opens (and creates) a SQLite database and applies its migrations.
async fn open_sqlite(url: &str) -> anyhow::Result<sqlx::SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is durable when it returns, so the objects a commit stopped
        // referencing can be deleted right after it without a power loss bringing the rows
        // back (NORMAL in WAL mode may lose the last commits).
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Deleted content (a delivered message's body, a cleared invoice number) is
        // overwritten with zeros instead of lingering in free pages.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Connects to a PostgreSQL database and applies its migrations. The migrator holds an advisory
/// lock, so instances that start together apply them once.
async fn open_postgres(url: &str) -> anyhow::Result<sqlx::PgPool> {
    let options = PgConnectOptions::from_str(url)?
        .application_name(&format!("hostingd {}", crate::instance::id()))
        // A commit is durable when it returns, whatever the server's default, so that the
        // objects it stopped referencing can be deleted right after it (as SQLite's FULL).
        .options([("synchronous_commit", "on")]);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// True when `error` is a UNIQUE constraint violation.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Maps a UNIQUE violation to a refusal, anything else to a database error.
fn unique_or(error: sqlx::Error, conflict: impl FnOnce() -> Refusal) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Refused(conflict())
    } else {
        StoreError::Database(error)
    }
}
