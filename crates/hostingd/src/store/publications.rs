//! PRONOTE.net: the publication of each schedule's webspaces and the delegation of their
//! authentication. A schedule without a row has never been published: every space on, the
//! default inactivity time, no delegation.

use hosting_api::ServerState;
use hosting_api::pronote_net::{DelegationMode, Webspaces};
use serde_json::json;

use super::db::{Exec, Tx, query, query_as};
use super::{Actor, Store, StoreError, StoreResult, audit};
use crate::rules::pronote_net::{self, DEFAULT_INACTIVITY};

/// A schedule's publication and delegation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRow {
    /// Published.
    pub published: bool,
    /// Published again at the next activation.
    pub publish_on_activation: bool,
    /// Which spaces are on.
    pub webspaces: Webspaces,
    /// Minutes of inactivity before logging out.
    pub inactivity_minutes: u32,
    /// How people log in.
    pub delegation: DelegationMode,
    /// The CAS server's address, with CAS.
    pub cas_url: Option<String>,
    /// When the CAS server last answered the check (Unix seconds).
    pub cas_checked_at: Option<i64>,
}

impl Default for PublicationRow {
    fn default() -> PublicationRow {
        PublicationRow {
            published: false,
            publish_on_activation: true,
            webspaces: Webspaces::default(),
            inactivity_minutes: DEFAULT_INACTIVITY,
            delegation: DelegationMode::None,
            cas_url: None,
            cas_checked_at: None,
        }
    }
}

impl PublicationRow {
    /// What the audit keeps of it, before and after a change.
    fn audited(&self) -> serde_json::Value {
        json!({
            "published": self.published,
            "webspaces": self.webspaces,
            "inactivity_minutes": self.inactivity_minutes,
            "delegation": self.delegation,
            "cas_url": self.cas_url,
        })
    }
}

type Columns = (
    bool,
    bool,
    bool,
    bool,
    bool,
    bool,
    i64,
    DelegationMode,
    Option<String>,
    Option<i64>,
);

const SELECT: &str = "SELECT published, publish_on_activation, teachers, parents, students, student_administration, inactivity_minutes, delegation, cas_url, cas_checked_at FROM publications WHERE schedule_id = $1";

fn row_of(columns: Option<Columns>) -> PublicationRow {
    let Some((
        published,
        again,
        teachers,
        parents,
        students,
        administration,
        minutes,
        mode,
        url,
        at,
    )) = columns
    else {
        return PublicationRow::default();
    };
    PublicationRow {
        published,
        publish_on_activation: again,
        webspaces: Webspaces {
            teachers,
            parents,
            students,
            student_administration: administration,
        },
        inactivity_minutes: u32::try_from(minutes).unwrap_or(DEFAULT_INACTIVITY),
        delegation: mode,
        cas_url: url,
        cas_checked_at: at,
    }
}

async fn read_in<'c>(exec: impl Into<Exec<'c>>, schedule_id: i64) -> StoreResult<PublicationRow> {
    Ok(row_of(
        query_as::<Columns>(SELECT)
            .bind(schedule_id)
            .fetch_optional(exec)
            .await?,
    ))
}

async fn write_in(
    tx: &mut Tx,
    schedule_id: i64,
    row: &PublicationRow,
    now: i64,
) -> StoreResult<()> {
    query(
        "INSERT INTO publications (schedule_id, published, publish_on_activation, teachers, parents, students, student_administration, inactivity_minutes, delegation, cas_url, cas_checked_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (schedule_id) DO UPDATE SET published = excluded.published, publish_on_activation = excluded.publish_on_activation, teachers = excluded.teachers, parents = excluded.parents, students = excluded.students, student_administration = excluded.student_administration, inactivity_minutes = excluded.inactivity_minutes, delegation = excluded.delegation, cas_url = excluded.cas_url, cas_checked_at = excluded.cas_checked_at, updated_at = excluded.updated_at",
    )
    .bind(schedule_id)
    .bind(row.published)
    .bind(row.publish_on_activation)
    .bind(row.webspaces.teachers)
    .bind(row.webspaces.parents)
    .bind(row.webspaces.students)
    .bind(row.webspaces.student_administration)
    .bind(i64::from(row.inactivity_minutes))
    .bind(row.delegation)
    .bind(row.cas_url.clone())
    .bind(row.cas_checked_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The schedule's name and licence, in the caller's account.
async fn schedule_in<'c>(
    exec: impl Into<Exec<'c>>,
    account_id: i64,
    schedule_id: i64,
) -> StoreResult<(String, bool)> {
    query_as::<(String, bool)>(
        "SELECT name, campus_net_licence FROM schedules WHERE id = $1 AND account_id = $2",
    )
    .bind(schedule_id)
    .bind(account_id)
    .fetch_optional(exec)
    .await?
    .ok_or_else(|| StoreError::NotFound("schedule"))
}

/// A change of the publication, already checked for its form.
#[derive(Debug, Clone, Default)]
pub struct PublicationChange {
    /// Publish or stop.
    pub published: Option<bool>,
    /// The spaces, as they should be.
    pub webspaces: Option<Webspaces>,
    /// Minutes of inactivity.
    pub inactivity_minutes: Option<u32>,
}

/// What a webspace page needs, read at each request so that a change applies at once.
#[derive(Debug, Clone)]
pub struct WebspaceView {
    /// The school.
    pub school_name: String,
    /// The schedule.
    pub schedule_name: String,
    /// The schedule's server runs.
    pub running: bool,
    /// Its publication.
    pub publication: PublicationRow,
}

/// At an activation (in its transaction): a schedule with the licence whose publication no
/// person stopped is published; audited as `pronote_net.auto_published`.
pub(super) async fn publish_on_activation(
    tx: &mut Tx,
    actor: &Actor,
    schedule_id: i64,
    licence: bool,
    now: i64,
) -> StoreResult<()> {
    let mut row = read_in(&mut *tx, schedule_id).await?;
    if !licence || row.published || !row.publish_on_activation {
        return Ok(());
    }
    row.published = true;
    write_in(&mut *tx, schedule_id, &row, now).await?;
    audit::record(
        tx,
        actor,
        now,
        "pronote_net.auto_published",
        json!({"schedule_id": schedule_id, "after": row.audited()}),
    )
    .await
}

/// When a schedule loses its licence (in the transaction of the change): its publication
/// stops, and starts again at an activation once the licence is back.
pub(super) async fn licence_removed(
    tx: &mut Tx,
    actor: &Actor,
    schedule_id: i64,
    now: i64,
) -> StoreResult<()> {
    let mut row = read_in(&mut *tx, schedule_id).await?;
    if !row.published {
        return Ok(());
    }
    let before = row.audited();
    row.published = false;
    write_in(&mut *tx, schedule_id, &row, now).await?;
    audit::record(
        tx,
        actor,
        now,
        "pronote_net.stopped",
        json!({"schedule_id": schedule_id, "reason": "licence", "before": before, "after": row.audited()}),
    )
    .await
}

impl Store {
    /// A schedule of the account with its publication.
    pub async fn publication(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> StoreResult<PublicationRow> {
        schedule_in(&self.pool, account_id, schedule_id).await?;
        read_in(&self.pool, schedule_id).await
    }

    /// Publishes or stops, turns spaces on or off, sets the inactivity time; all or nothing,
    /// audited with before and after. Publishing needs the Campus.net licence. A person's stop
    /// lasts through later activations, until a person publishes again.
    pub async fn set_publication(
        &self,
        actor: &Actor,
        schedule_id: i64,
        change: &PublicationChange,
    ) -> StoreResult<PublicationRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (name, licence) = schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        let before = read_in(&mut tx, schedule_id).await?;
        let mut after = before.clone();
        if let Some(published) = change.published {
            pronote_net::check_publish(&name, licence, published)?;
            after.published = published;
            after.publish_on_activation = published;
        }
        if let Some(spaces) = change.webspaces {
            after.webspaces = spaces;
        }
        if let Some(minutes) = change.inactivity_minutes {
            after.inactivity_minutes = pronote_net::check_inactivity(minutes)?;
        }
        if after == before {
            tx.commit().await?;
            return Ok(after);
        }
        write_in(&mut tx, schedule_id, &after, now).await?;
        if before.audited() == after.audited() {
            // Only whether the next activation publishes changed (a stop of what was not
            // published): nothing a person sees.
            tx.commit().await?;
            return Ok(after);
        }
        let action = match (before.published, after.published) {
            (false, true) => "pronote_net.published",
            (true, false) => "pronote_net.stopped",
            _ => "pronote_net.updated",
        };
        audit::record(
            &mut tx,
            actor,
            now,
            action,
            json!({"schedule_id": schedule_id, "before": before.audited(), "after": after.audited()}),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets how people log in (the CAS address already checked at `checked_at`); refused while
    /// the webspaces are published, checked again in this transaction.
    pub async fn set_delegation(
        &self,
        actor: &Actor,
        schedule_id: i64,
        mode: DelegationMode,
        cas_url: Option<String>,
        checked_at: Option<i64>,
    ) -> StoreResult<PublicationRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (name, _) = schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        let before = read_in(&mut tx, schedule_id).await?;
        pronote_net::check_delegation_change(&name, before.published)?;
        let mut after = before.clone();
        after.delegation = mode;
        (after.cas_url, after.cas_checked_at) = match mode {
            DelegationMode::Cas => (cas_url, checked_at),
            DelegationMode::None => (None, None),
        };
        write_in(&mut tx, schedule_id, &after, now).await?;
        if (before.delegation, &before.cas_url) != (after.delegation, &after.cas_url) {
            audit::record(
                &mut tx,
                actor,
                now,
                "pronote_net.delegation",
                json!({"schedule_id": schedule_id, "before": before.audited(), "after": after.audited()}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// What a page of a schedule's webspaces shows; `None` for an unknown schedule.
    pub async fn webspace_view(&self, schedule_id: i64) -> StoreResult<Option<WebspaceView>> {
        let found = query_as::<(String, String, ServerState)>(
            "SELECT a.school_name, s.name, s.server_state FROM schedules s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1",
        )
        .bind(schedule_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((school_name, schedule_name, state)) = found else {
            return Ok(None);
        };
        let publication = read_in(&self.pool, schedule_id).await?;
        Ok(Some(WebspaceView {
            school_name,
            schedule_name,
            running: state == ServerState::Running,
            publication,
        }))
    }
}
