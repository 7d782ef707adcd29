//! The users of the controller and the profiles of a schedule they are members of.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::REDACTED;

/// `POST /v1/users`.
// `Debug` leaves the secret fields out (see the end of this file).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewUser {
    /// First name.
    #[schema(schema_with = crate::schema::first_name)]
    pub first_name: String,
    /// Surname.
    #[schema(schema_with = crate::schema::surname)]
    pub surname: String,
    /// Username, unique in the account.
    #[schema(schema_with = crate::schema::username)]
    pub username: String,
    /// Password (rules in `validate::user_password`).
    #[schema(schema_with = crate::schema::user_password)]
    pub password: String,
    /// Superadministrator.
    pub superadmin: bool,
}

/// A user of the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Identifier.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Surname.
    pub surname: String,
    /// Username.
    pub username: String,
    /// Superadministrator.
    pub superadmin: bool,
    /// E-mail address, needed for console access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// May use the hosting console.
    pub console_access: bool,
    /// False once the hosting manager deactivated the user: they cannot log in.
    #[serde(default = "crate::types::users::yes")]
    pub active: bool,
    /// The schedules whose Administration profile has this user as its only active
    /// superadministrator: they cannot be deactivated, deleted, demoted or taken out of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sole_administrator_of: Vec<String>,
}

/// `true`, the default of a flag that older services did not send.
pub(crate) fn yes() -> bool {
    true
}

/// `PATCH /v1/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct UserUpdate {
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::optional_email)]
    pub email: Option<String>,
    /// Console access (needs a valid e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_access: Option<bool>,
    /// `false` deactivates the user (their sessions end), `true` reactivates them. The hosting
    /// manager's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Superadministrator rights; `false` removes them with console access (their sessions
    /// end). The hosting manager's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superadmin: Option<bool>,
}

/// The profile of a schedule whose members run it: its superadministrators connect to its bases.
pub const ADMINISTRATION: &str = "Administration";

/// A profile of a schedule and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    /// Name, e.g. `Administration`.
    pub name: String,
    /// User ids.
    pub members: Vec<i64>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("first_name", &self.first_name)
            .field("surname", &self.surname)
            .field("username", &self.username)
            .field("password", &REDACTED)
            .field("superadmin", &self.superadmin)
            .finish()
    }
}
