//! The OpenAPI 3 document, generated from the handlers' annotations.

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The OpenAPI description of the service: its title and security scheme. The routes and the
/// schemas they use are added by `http::api`, where each handler is registered once.
#[derive(OpenApi)]
#[openapi(
    info(title = "Hosting API", description = "The API of the hosting service. Every route but health, openapi.json, enrollments and logins/resend needs the client certificate of an enrolled workstation."),
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

/// The OpenAPI document, serialized once when the router is built.
#[derive(Clone)]
pub struct Document(Bytes);

impl Document {
    /// The document as JSON.
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        Document(Bytes::from(
            serde_json::to_vec(document).unwrap_or_default(),
        ))
    }
}

/// Every route of `document` as (method in lower case, path template), for the tests that walk
/// every route.
pub fn operations(document: &utoipa::openapi::OpenApi) -> Vec<(String, String)> {
    serde_json::to_value(&document.paths.paths)
        .map(|paths| operations_of(&paths))
        .unwrap_or_default()
}

/// The same, of the `paths` object of a document read as JSON (what the service serves).
pub fn operations_of(paths: &serde_json::Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    if let serde_json::Value::Object(paths) = paths {
        for (path, item) in paths {
            if let serde_json::Value::Object(item) = item {
                for method in item.keys().filter(|key| METHODS.contains(&key.as_str())) {
                    operations.push((method.clone(), path.clone()));
                }
            }
        }
    }
    operations
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The OpenAPI document of this service.
#[utoipa::path(get, path = hosting_api::paths::OPENAPI, tag = "public",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
pub async fn document(Extension(document): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document.0)
}
