//! Sessions (bearer tokens bound to a workstation); failed logins are counted in `attempts`.

use serde_json::json;

use super::StoreResult;
use super::db::{query, query_as};
use super::{Actor, Store, WorkstationRow, audit};

/// A session row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Identifier.
    pub id: i64,
    /// The workstation whose certificate the token is bound to.
    pub workstation_id: i64,
    /// Unix seconds.
    pub last_seen_at: i64,
    /// Absolute end, Unix seconds.
    pub expires_at: i64,
    /// Unix seconds.
    pub revoked_at: Option<i64>,
}

/// A session with its workstation, read in one query for each logged-in request.
#[derive(Debug, Clone)]
pub struct SessionWithWorkstation {
    /// The session.
    pub session: SessionRow,
    /// The workstation its token is bound to.
    pub workstation: WorkstationRow,
    /// For a superadministrator's workstation: the user is still a superadministrator with
    /// console access.
    pub console_access: bool,
}

#[derive(sqlx::FromRow)]
struct SessionJoin {
    session_id: i64,
    last_seen_at: i64,
    expires_at: i64,
    session_revoked_at: Option<i64>,
    #[sqlx(flatten)]
    workstation: WorkstationRow,
    console_access: Option<bool>,
}

impl Store {
    /// The session of a token hash and its workstation (with its user's console access), in one
    /// read: what every logged-in request needs before its own work.
    pub async fn session_with_workstation(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<SessionWithWorkstation>> {
        if let Some(cached) = self.sessions.get(&token_hash.to_string()) {
            return Ok(Some(cached));
        }
        let start = self.sessions.before_read();
        let row = query_as::<SessionJoin>(
            "SELECT s.id AS session_id, s.last_seen_at, s.expires_at, s.revoked_at AS session_revoked_at, \
             w.id, w.account_id, w.role, w.user_id, u.username, w.name, w.fingerprint, w.enrolled_at, w.not_after, w.revoked_at, \
             (u.superadmin AND u.console_access AND u.active) AS console_access \
             FROM sessions s JOIN workstations w ON w.id = s.workstation_id \
             LEFT JOIN users u ON u.id = w.user_id AND u.account_id = w.account_id \
             WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let found = row.map(|row| SessionWithWorkstation {
            session: SessionRow {
                id: row.session_id,
                workstation_id: row.workstation.id,
                last_seen_at: row.last_seen_at,
                expires_at: row.expires_at,
                revoked_at: row.session_revoked_at,
            },
            workstation: row.workstation,
            console_access: row.console_access.unwrap_or(false),
        });
        if let Some(found) = &found {
            self.sessions.put(token_hash.to_string(), start, found);
        }
        Ok(found)
    }

    /// Records a new session; only the token's hash is stored.
    pub async fn create_session(
        &self,
        actor: &Actor,
        token_hash: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        let now = self.now();
        let workstation_id = actor.workstation_id.unwrap_or_default();
        let mut tx = self.write().await?;
        query(
            "INSERT INTO sessions (token_hash, workstation_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(workstation_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut tx)
        .await?;
        audit::record(&mut tx, actor, now, "session.created", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session with this token hash.
    pub async fn session_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        Ok(query_as::<SessionRow>(
            "SELECT id, workstation_id, last_seen_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks a session as used now. Written at most once a minute per session, so that a busy
    /// console does not turn every read into a write.
    pub async fn touch_session(&self, session: &SessionRow, now: i64) -> StoreResult<()> {
        if now - session.last_seen_at < 60 {
            return Ok(());
        }
        query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session.id)
            .execute(&self.pool)
            .await?;
        // The cached row has the old time: read it again next.
        self.commits.moved();
        Ok(())
    }

    /// Ends a session (logout).
    pub async fn revoke_session(&self, actor: &Actor, session_id: i64) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(session_id)
            .execute(&mut tx)
            .await?;
        audit::record(&mut tx, actor, now, "session.ended", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }
}
