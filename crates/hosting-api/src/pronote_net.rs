//! PRONOTE.net: the publication of each schedule's webspaces (Teachers, Parents, Students,
//! Student administration) on its endpoint, and the delegation of their authentication to the
//! school's ENT through CAS.

use crate::paths;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};

/// One of the four webspaces of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Webspace {
    /// The teachers' space, `/professeur.html`.
    Teachers,
    /// The parents' space, `/parent.html`.
    Parents,
    /// The students' space, `/eleve.html`.
    Students,
    /// The student administration's space, `/viescolaire.html`.
    StudentAdministration,
}

impl Webspace {
    /// The four, in the order the console shows them.
    pub const ALL: [Webspace; 4] = [
        Webspace::Teachers,
        Webspace::Parents,
        Webspace::Students,
        Webspace::StudentAdministration,
    ];

    /// The page of the space on the schedule's endpoint, e.g. `professeur.html`.
    pub fn page(self) -> &'static str {
        match self {
            Webspace::Teachers => "professeur.html",
            Webspace::Parents => "parent.html",
            Webspace::Students => "eleve.html",
            Webspace::StudentAdministration => "viescolaire.html",
        }
    }

    /// The space of a page name (`professeur.html` or `professeur`).
    pub fn from_page(page: &str) -> Option<Webspace> {
        let page = page.strip_suffix(".html").unwrap_or(page);
        Webspace::ALL
            .into_iter()
            .find(|space| space.page().strip_suffix(".html") == Some(page))
    }

    /// The wire name, e.g. `student_administration`.
    pub fn as_str(self) -> &'static str {
        match self {
            Webspace::Teachers => "teachers",
            Webspace::Parents => "parents",
            Webspace::Students => "students",
            Webspace::StudentAdministration => "student_administration",
        }
    }
}

/// Which webspaces are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Webspaces {
    /// Teachers.
    pub teachers: bool,
    /// Parents.
    pub parents: bool,
    /// Students.
    pub students: bool,
    /// Student administration.
    pub student_administration: bool,
}

impl Default for Webspaces {
    fn default() -> Webspaces {
        Webspaces {
            teachers: true,
            parents: true,
            students: true,
            student_administration: true,
        }
    }
}

impl Webspaces {
    /// Whether `space` is on.
    pub fn get(&self, space: Webspace) -> bool {
        match space {
            Webspace::Teachers => self.teachers,
            Webspace::Parents => self.parents,
            Webspace::Students => self.students,
            Webspace::StudentAdministration => self.student_administration,
        }
    }

    /// Turns `space` on or off.
    pub fn set(&mut self, space: Webspace, on: bool) {
        match space {
            Webspace::Teachers => self.teachers = on,
            Webspace::Parents => self.parents = on,
            Webspace::Students => self.students = on,
            Webspace::StudentAdministration => self.student_administration = on,
        }
    }

    /// The spaces that are on, in order.
    pub fn on(&self) -> Vec<Webspace> {
        Webspace::ALL
            .into_iter()
            .filter(|space| self.get(*space))
            .collect()
    }
}

/// A change of the webspaces: a missing one keeps its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebspacesUpdate {
    /// Teachers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teachers: Option<bool>,
    /// Parents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents: Option<bool>,
    /// Students.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub students: Option<bool>,
    /// Student administration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student_administration: Option<bool>,
}

impl WebspacesUpdate {
    /// A change of one space.
    pub fn one(space: Webspace, on: bool) -> WebspacesUpdate {
        let mut update = WebspacesUpdate::default();
        match space {
            Webspace::Teachers => update.teachers = Some(on),
            Webspace::Parents => update.parents = Some(on),
            Webspace::Students => update.students = Some(on),
            Webspace::StudentAdministration => update.student_administration = Some(on),
        }
        update
    }

    /// `spaces` with this change.
    pub fn apply(&self, mut spaces: Webspaces) -> Webspaces {
        for (space, on) in [
            (Webspace::Teachers, self.teachers),
            (Webspace::Parents, self.parents),
            (Webspace::Students, self.students),
            (Webspace::StudentAdministration, self.student_administration),
        ] {
            if let Some(on) = on {
                spaces.set(space, on);
            }
        }
        spaces
    }
}

/// The address of each webspace of a schedule (`https://<host>:<port>/professeur.html`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebspaceAddresses {
    /// Teachers.
    pub teachers: String,
    /// Parents.
    pub parents: String,
    /// Students.
    pub students: String,
    /// Student administration.
    pub student_administration: String,
}

impl WebspaceAddresses {
    /// The addresses of the pages under `origin` (`https://host:port`).
    pub fn under(origin: &str) -> WebspaceAddresses {
        let at = |space: Webspace| format!("{origin}/{}", space.page());
        WebspaceAddresses {
            teachers: at(Webspace::Teachers),
            parents: at(Webspace::Parents),
            students: at(Webspace::Students),
            student_administration: at(Webspace::StudentAdministration),
        }
    }

    /// The address of `space`.
    pub fn get(&self, space: Webspace) -> &str {
        match space {
            Webspace::Teachers => &self.teachers,
            Webspace::Parents => &self.parents,
            Webspace::Students => &self.students,
            Webspace::StudentAdministration => &self.student_administration,
        }
    }
}

/// How people log in to the webspaces.
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelegationMode {
    /// With their PRONOTE logins.
    #[default]
    None,
    /// Through the school's ENT, with the CAS protocol.
    Cas,
}

/// `GET /v1/schedules/{id}/publication`, and the answer of its `PUT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Publication {
    /// The schedule.
    pub schedule_id: i64,
    /// The webspaces are published (they answer while the schedule's server runs).
    pub published: bool,
    /// Which webspaces are on.
    pub webspaces: Webspaces,
    /// Minutes of inactivity after which a webspace logs its user out.
    pub inactivity_minutes: u32,
    /// The schedule has the Campus.net licence, without which it cannot be published.
    pub campus_net_licence: bool,
    /// The schedule's server runs (a stopped server answers no page).
    pub server_running: bool,
    /// How people log in.
    pub delegation: DelegationMode,
    /// Each webspace's address, once the schedule has a domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<WebspaceAddresses>,
}

/// `PUT /v1/schedules/{id}/publication`: a missing field keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicationUpdate {
    /// Publish (true) or stop the publication (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<bool>,
    /// Turn webspaces on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webspaces: Option<WebspacesUpdate>,
    /// Minutes of inactivity before a webspace logs its user out (5 to 240).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_minutes: Option<u32>,
}

/// `GET /v1/schedules/{id}/delegation`, and the answer of its `PUT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delegation {
    /// How people log in.
    pub mode: DelegationMode,
    /// The CAS server's address (`https://…`), with `cas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cas_url: Option<String>,
    /// When the service last checked that it answers (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
}

/// `PUT /v1/schedules/{id}/delegation`: only while the publication is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DelegationUpdate {
    /// How people log in.
    pub mode: DelegationMode,
    /// The CAS server's address, with `cas`: https, answering at `<cas_url>/login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cas_url: Option<String>,
}

impl Client {
    /// `GET /v1/schedules/{id}/publication`.
    pub async fn publication(&self, schedule_id: i64) -> ClientResult<Publication> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_PUBLICATION, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `PUT /v1/schedules/{id}/publication`.
    pub async fn set_publication(
        &self,
        schedule_id: i64,
        update: &PublicationUpdate,
    ) -> ClientResult<Publication> {
        self.call(
            Method::PUT,
            &paths::fill(paths::SCHEDULE_PUBLICATION, &[&schedule_id]),
            Some(update),
            true,
        )
        .await
    }

    /// `GET /v1/schedules/{id}/delegation`.
    pub async fn delegation(&self, schedule_id: i64) -> ClientResult<Delegation> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_DELEGATION, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `PUT /v1/schedules/{id}/delegation`.
    pub async fn set_delegation(
        &self,
        schedule_id: i64,
        update: &DelegationUpdate,
    ) -> ClientResult<Delegation> {
        self.call(
            Method::PUT,
            &paths::fill(paths::SCHEDULE_DELEGATION, &[&schedule_id]),
            Some(update),
            true,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_spaces_go_both_ways() {
        for space in Webspace::ALL {
            assert_eq!(Webspace::from_page(space.page()), Some(space));
        }
        assert_eq!(Webspace::from_page("eleve"), Some(Webspace::Students));
        assert_eq!(Webspace::from_page("index.html"), None);
        let addresses = WebspaceAddresses::under("https://p.example:8443");
        assert_eq!(
            addresses.get(Webspace::StudentAdministration),
            "https://p.example:8443/viescolaire.html"
        );
    }

    #[test]
    fn an_update_changes_only_the_spaces_it_names() {
        let spaces = WebspacesUpdate::one(Webspace::Parents, false).apply(Webspaces::default());
        assert_eq!(
            spaces.on(),
            vec![
                Webspace::Teachers,
                Webspace::Students,
                Webspace::StudentAdministration
            ]
        );
        let json = serde_json::to_string(&WebspacesUpdate::one(Webspace::Parents, false)).unwrap();
        assert_eq!(json, r#"{"parents":false}"#);
    }
}
