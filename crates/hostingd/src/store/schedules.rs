//! The controller's and schedules' domain names and ports (unique across the service), schedules,
//! and the profiles of each schedule.

use std::ops::RangeInclusive;

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{Actor, Store, audit, unique_or};
use super::{StoreError, StoreResult};
use crate::domains::EndpointName;
use crate::rules::Refusal;

/// A schedule row with its endpoint, for `ScheduleRow` (add a WHERE clause).
pub(super) const SCHEDULE_SELECT: &str = "SELECT s.id, s.name, s.campus_net_licence, s.time_zone, s.server_state, s.active_base_id, s.open_base_id, s.administration_reserved, e.domain, e.port FROM schedules s LEFT JOIN endpoints e ON e.owner_kind = 'schedule' AND e.owner_id = s.id";

/// What a domain name and port belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointOwner {
    /// The controller of an account.
    Controller,
    /// A schedule.
    Schedule(i64),
}

/// A schedule row with its endpoint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduleRow {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Campus.net licence.
    pub campus_net_licence: bool,
    /// Time zone.
    pub time_zone: String,
    /// Whether its server runs.
    pub server_state: hosting_api::ServerState,
    /// Active base.
    pub active_base_id: Option<i64>,
    /// Base opened on the server.
    pub open_base_id: Option<i64>,
    /// Licences reserved for the Administration group.
    pub administration_reserved: i64,
    /// Domain, once given.
    pub domain: Option<String>,
    /// Port, once given.
    pub port: Option<i64>,
}

/// Changes to a schedule, already validated.
#[derive(Debug, Clone, Default)]
pub struct ScheduleChanges {
    /// New name.
    pub name: Option<String>,
    /// Campus.net licence.
    pub campus_net_licence: Option<bool>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Domain name, already checked against the zone and the verified domains (a port is
    /// assigned the first time).
    pub domain: Option<EndpointName>,
}

impl EndpointOwner {
    fn key(self, account_id: i64) -> (&'static str, i64) {
        match self {
            EndpointOwner::Controller => ("controller", account_id),
            EndpointOwner::Schedule(id) => ("schedule", id),
        }
    }
}

fn domain_taken(host: &str) -> Refusal {
    Refusal::DomainTaken {
        host: host.to_string(),
    }
}

impl Store {
    /// The controller's domain and port, once given.
    pub async fn controller_endpoint(&self, account_id: i64) -> StoreResult<Option<(String, i64)>> {
        Ok(query_as::<(String, i64)>(
            "SELECT domain, port FROM endpoints WHERE owner_kind = 'controller' AND owner_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Gives the controller or a schedule of the caller's account the domain `name`, whose host
    /// must be free across the service. A port from `ports` is assigned the first time and kept
    /// when the domain changes.
    pub async fn set_endpoint(
        &self,
        actor: &Actor,
        owner: EndpointOwner,
        name: &EndpointName,
        ports: &RangeInclusive<u16>,
    ) -> StoreResult<(String, i64)> {
        let now = self.now();
        let mut tx = self.write().await?;
        let endpoint = set_endpoint_in(&mut tx, actor, owner, name, ports, now).await?;
        tx.commit().await?;
        Ok(endpoint)
    }

    /// The schedules of an account, in creation order.
    pub async fn schedules(&self, account_id: i64) -> StoreResult<Vec<ScheduleRow>> {
        if let Some(cached) = self.schedules.get(&account_id) {
            return Ok(cached);
        }
        let start = self.schedules.before_read();
        let rows = query_as::<ScheduleRow>(sqlx::AssertSqlSafe(format!(
            "{SCHEDULE_SELECT} WHERE s.account_id = $1 ORDER BY s.id"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        self.schedules.put(account_id, start, &rows);
        Ok(rows)
    }

    /// One schedule of the account; `not_found` for an unknown id or another account's.
    pub async fn schedule(&self, account_id: i64, schedule_id: i64) -> StoreResult<ScheduleRow> {
        query_as::<ScheduleRow>(sqlx::AssertSqlSafe(format!(
            "{SCHEDULE_SELECT} WHERE s.account_id = $1 AND s.id = $2"
        )))
        .bind(account_id)
        .bind(schedule_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("schedule"))
    }

    /// Changes a schedule's name, Campus.net licence, time zone and domain, all or nothing.
    pub async fn update_schedule(
        &self,
        actor: &Actor,
        schedule_id: i64,
        changes: &ScheduleChanges,
        ports: &RangeInclusive<u16>,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let before = query_as::<(String, bool, String)>(
            "SELECT name, campus_net_licence, time_zone FROM schedules WHERE id = $1 AND account_id = $2",
        )
        .bind(schedule_id)
        .bind(actor.account_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("schedule"))?;
        let name = changes.name.clone().unwrap_or(before.0.clone());
        let licence = changes.campus_net_licence.unwrap_or(before.1);
        let zone = changes.time_zone.clone().unwrap_or(before.2.clone());
        if let Some(name) = &changes.domain {
            let owner = EndpointOwner::Schedule(schedule_id);
            set_endpoint_in(&mut tx, actor, owner, name, ports, now).await?;
        }
        if (&name, licence, &zone) == (&before.0, before.1, &before.2) {
            tx.commit().await?;
            return Ok(());
        }
        query(
            "UPDATE schedules SET name = $1, campus_net_licence = $2, time_zone = $3 WHERE id = $4",
        )
        .bind(&name)
        .bind(licence)
        .bind(&zone)
        .bind(schedule_id)
        .execute(&mut tx)
        .await
        .map_err(|e| unique_or(e, || Refusal::ScheduleNameTaken { name: name.clone() }))?;
        audit::record(
            &mut tx,
            actor,
            now,
            "schedule.updated",
            json!({"schedule_id": schedule_id,
                   "before": {"name": before.0, "campus_net_licence": before.1, "time_zone": before.2},
                   "after": {"name": name, "campus_net_licence": licence, "time_zone": zone}}),
        )
        .await?;
        if before.1 && !licence {
            super::publications::licence_removed(&mut tx, actor, schedule_id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The profiles of a schedule with their member ids, by name.
    pub async fn profiles(&self, schedule_id: i64) -> StoreResult<Vec<(String, Vec<i64>)>> {
        let rows = query_as::<(String, Option<i64>)>(
            "SELECT p.name, m.user_id FROM profiles p LEFT JOIN profile_members m ON m.profile_id = p.id WHERE p.schedule_id = $1 ORDER BY p.id, m.user_id",
        )
        .bind(schedule_id)
        .fetch_all(&self.pool)
        .await?;
        let mut profiles: Vec<(String, Vec<i64>)> = Vec::new();
        for (name, member) in rows {
            if profiles.last().map(|p| &p.0) != Some(&name) {
                profiles.push((name, Vec::new()));
            }
            if let (Some(member), Some(last)) = (member, profiles.last_mut()) {
                last.1.push(member);
            }
        }
        Ok(profiles)
    }

    /// Replaces the members of profile `name` of a schedule of the caller's account. Every user
    /// id must be a user of the same account. A change of the Administration profile (which
    /// opens the schedule's audit log and previous years to its members) is e-mailed to the
    /// hosting manager in the same transaction.
    pub async fn set_profile_members(
        &self,
        actor: &Actor,
        schedule_id: i64,
        name: &str,
        members: &[i64],
    ) -> StoreResult<Vec<i64>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let profile_id: i64 = query_scalar(
            "SELECT p.id FROM profiles p JOIN schedules s ON s.id = p.schedule_id WHERE s.id = $1 AND s.account_id = $2 AND p.name = $3",
        )
        .bind(schedule_id)
        .bind(actor.account_id)
        .bind(name)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("profile"))?;
        let mut wanted = members.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        for user_id in &wanted {
            let found: Option<i64> =
                query_scalar("SELECT id FROM users WHERE id = $1 AND account_id = $2")
                    .bind(user_id)
                    .bind(actor.account_id)
                    .fetch_optional(&mut tx)
                    .await?;
            if found.is_none() {
                return Err(Refusal::UnknownUser { user_id: *user_id }.into());
            }
        }
        let before: Vec<i64> = query_scalar(
            "SELECT user_id FROM profile_members WHERE profile_id = $1 ORDER BY user_id",
        )
        .bind(profile_id)
        .fetch_all(&mut tx)
        .await?;
        if before == wanted {
            return Ok(wanted);
        }
        if name == super::ADMINISTRATION {
            keep_one_administrator(&mut tx, actor.account_id, schedule_id, &before, &wanted)
                .await?;
        }
        query("DELETE FROM profile_members WHERE profile_id = $1")
            .bind(profile_id)
            .execute(&mut tx)
            .await?;
        for user_id in &wanted {
            query("INSERT INTO profile_members (profile_id, user_id) VALUES ($1, $2)")
                .bind(profile_id)
                .bind(user_id)
                .execute(&mut tx)
                .await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            "profile.members_set",
            json!({"schedule_id": schedule_id, "profile": name, "before": before, "after": wanted}),
        )
        .await?;
        if name == super::ADMINISTRATION {
            tell_administration_changed(&mut tx, actor, schedule_id, (&before, &wanted), now)
                .await?;
        }
        tx.commit().await?;
        Ok(wanted)
    }
}

/// E-mails the hosting manager, in `tx`, who was added to and taken out of the Administration
/// profile of a schedule (`before`, `after`: the members' ids), from which workstation.
async fn tell_administration_changed(
    tx: &mut Tx,
    actor: &Actor,
    schedule_id: i64,
    (before, after): (&[i64], &[i64]),
    now: i64,
) -> StoreResult<()> {
    let (school, email) =
        super::notifications::school_and_email(&mut *tx, actor.account_id).await?;
    let schedule: String =
        query_scalar("SELECT name FROM schedules WHERE id = $1 AND account_id = $2")
            .bind(schedule_id)
            .bind(actor.account_id)
            .fetch_one(&mut *tx)
            .await?;
    let users: Vec<(i64, String)> =
        query_as("SELECT id, username FROM users WHERE account_id = $1 ORDER BY username")
            .bind(actor.account_id)
            .fetch_all(&mut *tx)
            .await?;
    let names = |ids: &[i64]| -> Vec<String> {
        users
            .iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(_, username)| username.clone())
            .collect()
    };
    let added: Vec<i64> = after
        .iter()
        .copied()
        .filter(|id| !before.contains(id))
        .collect();
    let removed: Vec<i64> = before
        .iter()
        .copied()
        .filter(|id| !after.contains(id))
        .collect();
    let workstation: Option<String> = match actor.workstation_id {
        Some(id) => {
            query_scalar("SELECT name FROM workstations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    let message =
        crate::messages::administration_changed_email(crate::messages::AdministrationChange {
            school: &school,
            schedule: &schedule,
            members: &names(after),
            added: &names(&added),
            removed: &names(&removed),
            workstation: workstation.as_deref().unwrap_or(&actor.label),
            at: &crate::clock::rfc3339(now),
        });
    super::outbox::enqueue(tx, actor.account_id, now, "email", &email, &message).await
}

/// Refuses new members of a schedule's Administration profile (`wanted`) that leave it without
/// an active superadministrator when it had one (`before`): nobody could run the schedule.
async fn keep_one_administrator(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
    before: &[i64],
    wanted: &[i64],
) -> StoreResult<()> {
    let administrators: Vec<(i64, String)> = query_as(
        "SELECT id, username FROM users WHERE account_id = $1 AND superadmin = TRUE AND active = TRUE ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(&mut *tx)
    .await?;
    let among = |ids: &[i64]| {
        administrators
            .iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(_, username)| username.clone())
            .collect::<Vec<_>>()
    };
    if !among(wanted).is_empty() {
        return Ok(());
    }
    match among(before).into_iter().next() {
        Some(username) => {
            let schedule: String = query_scalar("SELECT name FROM schedules WHERE id = $1")
                .bind(schedule_id)
                .fetch_one(&mut *tx)
                .await?;
            Err(Refusal::LastAdministrator { username, schedule }.into())
        }
        None => Ok(()),
    }
}

/// Sets an endpoint inside `tx` (see [`Store::set_endpoint`]). A host is taken when another
/// endpoint has it, whatever was typed (`x` and `x.<zone>` are one host); the unique index on
/// `endpoints.host` backs the check.
async fn set_endpoint_in(
    tx: &mut Tx,
    actor: &Actor,
    owner: EndpointOwner,
    name: &EndpointName,
    ports: &RangeInclusive<u16>,
    now: i64,
) -> StoreResult<(String, i64)> {
    let (domain, host) = (name.domain.as_str(), name.host.as_str());
    let (kind, owner_id) = owner.key(actor.account_id);
    let existing = query_as::<(String, i64)>(
        "SELECT domain, port FROM endpoints WHERE owner_kind = $1 AND owner_id = $2",
    )
    .bind(kind)
    .bind(owner_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((current, port)) = &existing
        && current == domain
    {
        return Ok((current.clone(), *port));
    }
    let taken: Option<i64> = query_scalar(
        "SELECT id FROM endpoints WHERE (host = $1 OR domain = $2) AND NOT (owner_kind = $3 AND owner_id = $4)",
    )
    .bind(host)
    .bind(domain)
    .bind(kind)
    .bind(owner_id)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(domain_taken(host).into());
    }
    let port = match &existing {
        Some((_, port)) => *port,
        None => free_port_in(tx, ports).await?,
    };
    let result = if existing.is_some() {
        query("UPDATE endpoints SET domain = $1, host = $2 WHERE owner_kind = $3 AND owner_id = $4")
            .bind(domain)
            .bind(host)
            .bind(kind)
            .bind(owner_id)
            .execute(&mut *tx)
            .await
    } else {
        query(
            "INSERT INTO endpoints (account_id, owner_kind, owner_id, domain, host, port) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(actor.account_id)
        .bind(kind)
        .bind(owner_id)
        .bind(domain)
        .bind(host)
        .bind(port)
        .execute(&mut *tx)
        .await
    };
    result.map_err(|e| unique_or(e, || domain_taken(host)))?;
    audit::record(
        tx,
        actor,
        now,
        &format!("{kind}.domain_set"),
        {
            let mut detail = json!({"owner_id": owner_id, "before": existing.map(|e| e.0), "domain": domain, "host": host, "port": port});
            // A schedule's record names it, for the audit view.
            if kind == "schedule" {
                detail["schedule_id"] = json!(owner_id);
            }
            detail
        },
    )
    .await?;
    Ok((domain.to_string(), port))
}

/// The lowest port of `ports` no endpoint uses.
async fn free_port_in(tx: &mut Tx, ports: &RangeInclusive<u16>) -> StoreResult<i64> {
    let used: Vec<i64> =
        query_scalar("SELECT port FROM endpoints WHERE port >= $1 AND port <= $2 ORDER BY port")
            .bind(i64::from(*ports.start()))
            .bind(i64::from(*ports.end()))
            .fetch_all(&mut *tx)
            .await?;
    Ok(first_free(ports, &used).ok_or(Refusal::NoPortAvailable)?)
}

/// The lowest port of `range` that is not in `used` (sorted).
fn first_free(range: &RangeInclusive<u16>, used: &[i64]) -> Option<i64> {
    let mut candidate = i64::from(*range.start());
    for port in used {
        if *port == candidate {
            candidate += 1;
        } else if *port > candidate {
            break;
        }
    }
    (candidate <= i64::from(*range.end())).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::first_free;

    #[test]
    fn first_free_port() {
        assert_eq!(first_free(&(100..=105), &[]), Some(100));
        assert_eq!(first_free(&(100..=105), &[100, 101, 103]), Some(102));
        assert_eq!(first_free(&(100..=102), &[100, 101, 102]), None);
    }
}
