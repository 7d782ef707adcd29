//! The OpenAPI 3 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use hosting_api::ErrorCode;
use hosting_api::audit::*;
use hosting_api::contract::*;
use hosting_api::files::*;
use hosting_api::notifications::*;
use hosting_api::pronote_net::*;
use hosting_api::school_year::*;
use hosting_api::types::*;

/// The OpenAPI description of every route.
#[derive(OpenApi)]
#[openapi(
    info(title = "Hosting API", description = "The API of the hosting service. Every route but health, openapi.json, enrollments and logins/resend needs the client certificate of an enrolled workstation."),
    paths(
        super::public::health,
        super::public::enroll,
        super::public::resend_logins,
        document,
        super::sessions::login,
        super::sessions::logout,
        super::account::account,
        super::account::licence_text,
        super::account::accept,
        super::setup::controller,
        super::setup::set_controller,
        super::setup::endpoint_ca,
        super::setup::schedules,
        super::setup::update_schedule,
        super::setup::profiles,
        super::setup::set_members,
        super::users::list,
        super::users::create,
        super::users::update,
        super::workstations::list,
        super::workstations::revoke,
        super::workstations::renew,
        super::uploads::options,
        super::uploads::create,
        super::uploads::list,
        super::uploads::head,
        super::uploads::append::patch,
        super::uploads::terminate,
        super::uploads::storage,
        super::server::bases,
        super::server::load,
        super::server::create_empty,
        super::server::add_companion,
        super::server::open_base,
        super::server::activate,
        super::server::shutdown,
        super::server::safeguards,
        super::server::open_safeguard,
        super::server::download,
        super::server::monitoring,
        super::server::set_monitoring,
        super::school_year::upgrade,
        super::school_year::choose_upgrade,
        super::school_year::years,
        super::school_year::load_year,
        super::school_year::download_year,
        super::contract::list,
        super::contract::make,
        super::contract::pdf,
        super::audit::audit,
        super::pronote_net::publication,
        super::pronote_net::set_publication,
        super::pronote_net::delegation,
        super::pronote_net::set_delegation,
        super::notifications::list,
        super::notifications::mark_read,
        super::notifications::mark_all_read,
    ),
    components(schemas(
        Role, ErrorBody, ErrorDetail, ErrorCode, Health, EnrollmentRequest, EnrollmentResponse,
        ResendLoginsRequest, SessionRequest, SessionResponse, Principal, Account, LicenceState,
        Onboarding, Contract, Licence, LicenceAcceptance, Controller, ControllerUpdate, EndpointCa,
        Schedule,
        ScheduleServer, ServerState, ScheduleUpdate, NewUser, User, UserUpdate, Profile,
        Workstation, UploadInfo, StorageInfo, FileKind, BaseOrigin, BaseFile, Base, LoadBase,
        AddCompanion, TimeGrid, NewEmptyBase, Safeguard, Monitoring, MonitoringUpdate,
        UpgradeStatus, UpgradeWindow, UpgradeState, UpgradeChoice, YearOrigin, YearFile, YearBase,
        YearCell, ScheduleYears, LoadYearBase, ProformaRequest, Proforma,
        CertificateRenewal, RenewedCertificate, AuditRecord, AuditPage, Webspace, Webspaces,
        WebspacesUpdate, WebspaceAddresses, DelegationMode, Publication, PublicationUpdate,
        Delegation, DelegationUpdate, NotificationKind, Notification, Notifications
    )),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document of this service.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "public",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
