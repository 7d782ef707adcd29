//! One query interface over the two databases: SQLite (the default, one instance) and
//! PostgreSQL (several instances). The store's SQL is written once, with `$n` parameters; a
//! query collects its parameters as owned values and runs them on whichever backend the
//! executor belongs to. The row types derive `FromRow` generically, so they decode from both.

use std::marker::PhantomData;
use std::sync::Arc;

use super::cache::Commits;

use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{FromRow, Postgres, SqlSafeStr, SqlStr, Sqlite, Transaction};

use hosting_api::bases::BaseOrigin;
use hosting_api::pronote_net::DelegationMode;
use hosting_api::school_year::{UpgradeStatus, YearOrigin};
use hosting_api::types::{Role, ServerState};
use hosting_api::uploads::FileKind;

/// The connection pool of one backend.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

impl Pool {
    /// Closes every connection.
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// True on PostgreSQL.
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Pool::Postgres(_))
    }

    /// Connections open, and of those, idle.
    pub(crate) fn connections(&self) -> (u32, usize) {
        match self {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        }
    }
}

/// An open transaction on one backend.
pub(crate) enum Backend {
    /// On SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction; its commit tells `committed` (what this process caches from the
/// database is stale from then on).
pub(crate) struct Tx {
    backend: Backend,
    committed: Arc<Commits>,
}

impl Tx {
    /// A write transaction that counts its commit in `committed`.
    pub(crate) fn new(backend: Backend, committed: Arc<Commits>) -> Tx {
        Tx { backend, committed }
    }

    /// Commits the transaction.
    pub(crate) async fn commit(self) -> sqlx::Result<()> {
        match self.backend {
            Backend::Sqlite(tx) => tx.commit().await?,
            Backend::Postgres(tx) => tx.commit().await?,
        }
        self.committed.moved();
        Ok(())
    }
}

/// Where a query runs: a pool (its own connection, no transaction) or an open transaction.
pub(crate) enum Exec<'c> {
    /// A SQLite pool.
    SqlitePool(&'c SqlitePool),
    /// A PostgreSQL pool.
    PgPool(&'c PgPool),
    /// A SQLite transaction's connection.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL transaction's connection.
    Pg(&'c mut PgConnection),
}

impl<'c> From<&'c Pool> for Exec<'c> {
    fn from(pool: &'c Pool) -> Exec<'c> {
        match pool {
            Pool::Sqlite(pool) => Exec::SqlitePool(pool),
            Pool::Postgres(pool) => Exec::PgPool(pool),
        }
    }
}

impl<'c> From<&'c mut Tx> for Exec<'c> {
    fn from(tx: &'c mut Tx) -> Exec<'c> {
        match &mut tx.backend {
            Backend::Sqlite(tx) => Exec::Sqlite(tx),
            Backend::Postgres(tx) => Exec::Pg(tx),
        }
    }
}

/// A parameter, owned, typed so that a NULL keeps its type on PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// An integer (`BIGINT`).
    Int(Option<i64>),
    /// Text.
    Text(Option<String>),
    /// Bytes (`BLOB`, `BYTEA`).
    Bytes(Option<Vec<u8>>),
    /// A boolean.
    Bool(Option<bool>),
}

macro_rules! arg_from {
    ($variant:ident: $($t:ty => $map:expr),+ $(,)?) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Arg {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(($map)(value))
            }
        }
    )+};
}

arg_from!(Int:
    i64 => Some,
    Option<i64> => |v| v,
    &i64 => |v: &i64| Some(*v),
    i32 => |v: i32| Some(i64::from(v)),
    u16 => |v: u16| Some(i64::from(v)),
    Option<u16> => |v: Option<u16>| v.map(i64::from),
);
arg_from!(Text:
    &str => |v: &str| Some(v.to_owned()),
    String => Some,
    &String => |v: &String| Some(v.clone()),
    Option<&str> => |v: Option<&str>| v.map(str::to_owned),
    Option<String> => |v| v,
    Option<&String> => |v: Option<&String>| v.cloned(),
    &Option<String> => |v: &Option<String>| v.clone(),
);
arg_from!(Bytes:
    Vec<u8> => Some,
    &[u8] => |v: &[u8]| Some(v.to_vec()),
    &Vec<u8> => |v: &Vec<u8>| Some(v.clone()),
    Option<Vec<u8>> => |v| v,
    Option<&[u8]> => |v: Option<&[u8]>| v.map(<[u8]>::to_vec),
);
arg_from!(Bool:
    bool => Some,
    Option<bool> => |v| v,
);

/// The stored enums are text on both backends (`sqlx(type_name = "text")`).
macro_rules! arg_from_text_enum {
    ($($t:ty),+) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Arg {
                Arg::Text(Some(enum_text(&value)))
            }
        }
        impl From<&$t> for Arg {
            fn from(value: &$t) -> Arg {
                Arg::Text(Some(enum_text(value)))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(value: Option<$t>) -> Arg {
                Arg::Text(value.as_ref().map(enum_text))
            }
        }
    )+};
}
arg_from_text_enum!(
    Role,
    FileKind,
    BaseOrigin,
    ServerState,
    UpgradeStatus,
    YearOrigin,
    DelegationMode
);

/// The text an enum is stored as: its serde name, which is the `sqlx(rename_all)` one.
fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => panic!("a stored enum serialises as a string, got {other:?}"),
    }
}

/// Binds `args` to a sqlx query of any backend.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Bytes(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
            };
        }
        query
    }};
}

/// Runs `$run` (a method call on a sqlx query built by `$make`) on the executor's backend.
macro_rules! dispatch {
    ($exec:expr, $sql:expr, $args:expr, |$query:ident, $e:ident| $run:expr, $make:ident $(, $row:ty)?) => {
        match $exec.into() {
            Exec::SqlitePool($e) => {
                let $query = bind_all!(sqlx::$make::<Sqlite $(, $row)?>($sql), $args);
                $run
            }
            Exec::Sqlite($e) => {
                let $query = bind_all!(sqlx::$make::<Sqlite $(, $row)?>($sql), $args);
                $run
            }
            Exec::PgPool($e) => {
                let $query = bind_all!(sqlx::$make::<Postgres $(, $row)?>($sql), $args);
                $run
            }
            Exec::Pg($e) => {
                let $query = bind_all!(sqlx::$make::<Postgres $(, $row)?>($sql), $args);
                $run
            }
        }
    };
}

/// The result of a statement run for its effect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done {
    rows_affected: u64,
}

impl Done {
    /// How many rows the statement changed.
    pub(crate) fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement run for its effect.
#[must_use = "a query does nothing until it is executed"]
pub(crate) struct Query {
    sql: SqlStr,
    args: Vec<Arg>,
}

/// A statement whose rows decode as `T`.
#[must_use = "a query does nothing until it is fetched"]
pub(crate) struct QueryAs<T> {
    sql: SqlStr,
    args: Vec<Arg>,
    row: PhantomData<fn() -> T>,
}

/// A statement whose rows' first column decodes as `T`.
#[must_use = "a query does nothing until it is fetched"]
pub(crate) struct QueryScalar<T> {
    sql: SqlStr,
    args: Vec<Arg>,
    value: PhantomData<fn() -> T>,
}

/// A statement run for its effect.
pub(crate) fn query(sql: impl SqlSafeStr) -> Query {
    Query {
        sql: sql.into_sql_str(),
        args: Vec::new(),
    }
}

/// A statement whose rows decode as `T`.
pub(crate) fn query_as<T>(sql: impl SqlSafeStr) -> QueryAs<T> {
    QueryAs {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        row: PhantomData,
    }
}

/// A statement whose rows' first column decodes as `T`.
pub(crate) fn query_scalar<T>(sql: impl SqlSafeStr) -> QueryScalar<T> {
    QueryScalar {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        value: PhantomData,
    }
}

impl Query {
    /// Adds the next parameter.
    pub(crate) fn bind(mut self, value: impl Into<Arg>) -> Query {
        self.args.push(value.into());
        self
    }

    /// Runs the statement.
    pub(crate) async fn execute<'c>(self, exec: impl Into<Exec<'c>>) -> sqlx::Result<Done> {
        let rows_affected = dispatch!(
            exec,
            self.sql,
            self.args,
            |q, e| q.execute(e).await?.rows_affected(),
            query
        );
        Ok(Done { rows_affected })
    }
}

/// What a row type needs to decode from both backends (a derived `FromRow` has it).
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

impl<T: Row> QueryAs<T> {
    /// Adds the next parameter.
    pub(crate) fn bind(mut self, value: impl Into<Arg>) -> QueryAs<T> {
        self.args.push(value.into());
        self
    }

    /// The only row; an error when there is none.
    pub(crate) async fn fetch_one<'c>(self, exec: impl Into<Exec<'c>>) -> sqlx::Result<T> {
        dispatch!(
            exec,
            self.sql,
            self.args,
            |q, e| q.fetch_one(e).await,
            query_as,
            T
        )
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<'c>(
        self,
        exec: impl Into<Exec<'c>>,
    ) -> sqlx::Result<Option<T>> {
        dispatch!(
            exec,
            self.sql,
            self.args,
            |q, e| q.fetch_optional(e).await,
            query_as,
            T
        )
    }

    /// Every row.
    pub(crate) async fn fetch_all<'c>(self, exec: impl Into<Exec<'c>>) -> sqlx::Result<Vec<T>> {
        dispatch!(
            exec,
            self.sql,
            self.args,
            |q, e| q.fetch_all(e).await,
            query_as,
            T
        )
    }
}

impl<T> QueryScalar<T>
where
    (T,): Row,
{
    /// Adds the next parameter.
    pub(crate) fn bind(mut self, value: impl Into<Arg>) -> QueryScalar<T> {
        self.args.push(value.into());
        self
    }

    /// The only row's value; an error when there is none.
    pub(crate) async fn fetch_one<'c>(self, exec: impl Into<Exec<'c>>) -> sqlx::Result<T> {
        let (value,) = query_as::<(T,)>(self.sql)
            .with_args(self.args)
            .fetch_one(exec)
            .await?;
        Ok(value)
    }

    /// The first row's value, if any.
    pub(crate) async fn fetch_optional<'c>(
        self,
        exec: impl Into<Exec<'c>>,
    ) -> sqlx::Result<Option<T>> {
        let row = query_as::<(T,)>(self.sql)
            .with_args(self.args)
            .fetch_optional(exec)
            .await?;
        Ok(row.map(|(value,)| value))
    }

    /// Every row's value.
    pub(crate) async fn fetch_all<'c>(self, exec: impl Into<Exec<'c>>) -> sqlx::Result<Vec<T>> {
        let rows = query_as::<(T,)>(self.sql)
            .with_args(self.args)
            .fetch_all(exec)
            .await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }
}

impl<T> QueryAs<T> {
    fn with_args(mut self, args: Vec<Arg>) -> QueryAs<T> {
        self.args = args;
        self
    }
}
