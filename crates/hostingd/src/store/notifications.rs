//! Notifications: rows written in the transaction of their event (or by the hourly job for what
//! depends on time), once per dedupe key, with the e-mail of those that need action put in the
//! outbox in that same transaction; and read marks per person.

use hosting_api::About;

use super::db::{Arg, Exec, Tx, query, query_as, query_scalar};
use super::{Store, StoreError, StoreResult, outbox};
use crate::messages::Message;

/// How long a notification stays in the list (and in the unread count).
pub const NOTIFICATION_DAYS: i64 = 90;

/// Who sees a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The hosting manager, and the superadministrators: all of them when it is about no
    /// schedule, otherwise those in the Administration profile of its schedule.
    All,
    /// The hosting manager only.
    Manager,
    /// The sessions of its workstation only (its certificate).
    Workstation,
}

impl Audience {
    fn as_str(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Manager => "manager",
            Audience::Workstation => "workstation",
        }
    }
}

/// A notification to write.
#[derive(Debug, Clone)]
pub(super) struct Notice {
    /// What it says (its kind and the arguments of its sentence, never a secret).
    pub about: About,
    /// One notification per key and account: `safeguard:<schedule>:<day>`, `cert:<id>`…
    pub dedupe_key: String,
    /// Who sees it.
    pub audience: Audience,
    /// The schedule it is about.
    pub schedule_id: Option<i64>,
    /// The workstation it is about.
    pub workstation_id: Option<i64>,
}

/// Writes `notice` in `tx` unless the account has one with its key already; only then is
/// `email` (recipient, message) put in the outbox. True when it was written.
pub(super) async fn notify(
    tx: &mut Tx,
    account_id: i64,
    now: i64,
    notice: &Notice,
    email: Option<(&str, &Message)>,
) -> StoreResult<bool> {
    let inserted: Option<i64> = query_scalar(
        "INSERT INTO notifications (account_id, kind, dedupe_key, audience, schedule_id, workstation_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id, dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(account_id)
    .bind(notice.about.kind().as_str())
    .bind(&notice.dedupe_key)
    .bind(notice.audience.as_str())
    .bind(notice.schedule_id)
    .bind(notice.workstation_id)
    .bind(notice.about.detail().to_string())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if inserted.is_none() {
        return Ok(false);
    }
    if let Some((recipient, message)) = email {
        outbox::enqueue(tx, account_id, now, "email", recipient, message).await?;
        // What asks for action on a schedule goes to the superadministrators of its
        // Administration profile too (they run its server), once each.
        if let (Some(schedule_id), Audience::All) = (notice.schedule_id, notice.audience) {
            for email in administrators_of(tx, account_id, schedule_id).await? {
                if email != recipient {
                    outbox::enqueue(tx, account_id, now, "email", &email, message).await?;
                }
            }
        }
    }
    Ok(true)
}

/// The e-mail addresses of the superadministrators in a schedule's Administration profile.
async fn administrators_of(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
) -> StoreResult<Vec<String>> {
    Ok(query_scalar(
        "SELECT DISTINCT u.email FROM users u JOIN profile_members m ON m.user_id = u.id JOIN profiles p ON p.id = m.profile_id JOIN schedules s ON s.id = p.schedule_id WHERE s.id = $1 AND s.account_id = $2 AND u.account_id = $2 AND p.name = $3 AND u.superadmin = TRUE AND u.active = TRUE AND u.email IS NOT NULL AND u.email <> '' ORDER BY u.email",
    )
    .bind(schedule_id)
    .bind(account_id)
    .bind(super::ADMINISTRATION)
    .fetch_all(&mut *tx)
    .await?)
}

/// The school's name and the hosting manager's e-mail.
pub(super) async fn school_and_email<'c>(
    exec: impl Into<Exec<'c>>,
    account_id: i64,
) -> StoreResult<(String, String)> {
    query_as::<(String, String)>("SELECT school_name, email FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(exec)
        .await?
        .ok_or(StoreError::NotFound("account"))
}

/// What a caller may see of an account's notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationScope {
    /// The hosting manager: everything but the other workstations' own notifications.
    Manager {
        /// The workstation of the request.
        workstation_id: i64,
    },
    /// A superadministrator: those about no schedule or about one of theirs, and their
    /// workstation's own.
    Superadmin {
        /// The workstation of the request.
        workstation_id: i64,
        /// The schedules of their Administration profile.
        schedules: Vec<i64>,
    },
}

impl NotificationScope {
    fn workstation_id(&self) -> i64 {
        match self {
            NotificationScope::Manager { workstation_id }
            | NotificationScope::Superadmin { workstation_id, .. } => *workstation_id,
        }
    }

    /// The condition on `n` (a notification) of this scope; `$<workstation>` is the parameter
    /// with the workstation's id.
    fn clause(&self, workstation: usize) -> String {
        let own = format!("(n.audience = 'workstation' AND n.workstation_id = ${workstation})");
        match self {
            NotificationScope::Manager { .. } => {
                format!("(n.audience IN ('all', 'manager') OR {own})")
            }
            NotificationScope::Superadmin { schedules, .. } => {
                // Ids of the database, not input: written in the statement.
                let listed: Vec<String> = schedules.iter().map(i64::to_string).collect();
                let theirs = if listed.is_empty() {
                    "n.schedule_id IS NULL".to_string()
                } else {
                    format!(
                        "(n.schedule_id IS NULL OR n.schedule_id IN ({}))",
                        listed.join(", ")
                    )
                };
                format!("((n.audience = 'all' AND {theirs}) OR {own})")
            }
        }
    }
}

/// A notification as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    /// Identifier.
    pub id: i64,
    /// Its kind's name (a `hosting_api::NotificationKind`).
    pub kind: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The reader marked it read.
    pub is_read: bool,
    /// The schedule it is about.
    pub schedule_id: Option<i64>,
    /// Its name.
    pub schedule_name: Option<String>,
    /// The workstation it is about.
    pub workstation_id: Option<i64>,
    /// The arguments of its sentence, JSON.
    pub detail: String,
}

/// A reader's notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationList {
    /// How many the reader has not read.
    pub unread: i64,
    /// Newest first.
    pub items: Vec<NotificationRow>,
}

/// `EXISTS` of the reader's mark on `n`; `$2` is the reader.
const IS_READ: &str =
    "EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.reader = $2)";

impl Store {
    /// The notifications of the last [`NOTIFICATION_DAYS`] that `scope` may see, newest first
    /// (at most `limit`), each with `reader`'s read mark, and how many of them `reader` has not
    /// read.
    pub async fn notifications(
        &self,
        account_id: i64,
        reader: &str,
        scope: &NotificationScope,
        limit: i64,
    ) -> StoreResult<NotificationList> {
        let since = self.now() - NOTIFICATION_DAYS * 86_400;
        let visible = scope.clause(3);
        let args: [Arg; 4] = [
            account_id.into(),
            reader.into(),
            scope.workstation_id().into(),
            since.into(),
        ];
        let mut items = query_as::<NotificationRow>(sqlx::AssertSqlSafe(format!(
            "SELECT n.id, n.kind, n.created_at, {IS_READ} AS is_read, n.schedule_id, s.name AS schedule_name, n.workstation_id, n.detail FROM notifications n LEFT JOIN schedules s ON s.id = n.schedule_id WHERE n.account_id = $1 AND n.created_at >= $4 AND {visible} ORDER BY n.created_at DESC, n.id DESC LIMIT $5"
        )));
        for arg in args.iter().cloned() {
            items = items.bind(arg);
        }
        let items = items.bind(limit).fetch_all(&self.pool).await?;
        let mut unread = query_scalar::<i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM notifications n WHERE n.account_id = $1 AND n.created_at >= $4 AND {visible} AND NOT {IS_READ}"
        )));
        for arg in args {
            unread = unread.bind(arg);
        }
        let unread = unread.fetch_one(&self.pool).await?;
        Ok(NotificationList { unread, items })
    }

    /// Marks one notification read for `reader`; marking it again changes nothing. One of
    /// another account, or one `scope` may not see, is `not_found`.
    pub async fn mark_notification_read(
        &self,
        account_id: i64,
        reader: &str,
        scope: &NotificationScope,
        id: i64,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let found = query_scalar::<i64>(sqlx::AssertSqlSafe(format!(
            "SELECT n.id FROM notifications n WHERE n.id = $1 AND n.account_id = $2 AND {}",
            scope.clause(3)
        )))
        .bind(id)
        .bind(account_id)
        .bind(scope.workstation_id())
        .fetch_optional(&mut tx)
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound("notification"));
        }
        query(
            "INSERT INTO notification_reads (notification_id, reader, read_at) VALUES ($1, $2, $3) ON CONFLICT (notification_id, reader) DO NOTHING",
        )
        .bind(id)
        .bind(reader)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks every notification `scope` may see read for `reader`; how many were unread.
    pub async fn mark_all_notifications_read(
        &self,
        account_id: i64,
        reader: &str,
        scope: &NotificationScope,
    ) -> StoreResult<u64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let marked = query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notification_reads (notification_id, reader, read_at) SELECT n.id, $2, $3 FROM notifications n WHERE n.account_id = $1 AND {} AND NOT {IS_READ} ON CONFLICT (notification_id, reader) DO NOTHING",
            scope.clause(4)
        )))
        .bind(account_id)
        .bind(reader)
        .bind(now)
        .bind(scope.workstation_id())
        .execute(&mut tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(marked)
    }
}
