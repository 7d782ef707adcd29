//! The OpenAPI document is complete: every route the service answers is documented, with its
//! method, and the document lists no route that does not exist.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestService;
use reqwest::Method;

#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_served_and_documented() {
    let t = TestService::start().await;
    let client = t.anonymous();
    let document = client.openapi().await.unwrap();
    let paths = document["paths"].as_object().unwrap();
    // The document served is the one the router was built from, route for route.
    let mut served = hostingd::http::openapi::operations_of(&document["paths"]);
    let mut routes = hostingd::http::openapi::operations(&hostingd::http::openapi_document());
    served.sort();
    routes.sort();
    assert_eq!(served, routes);
    assert!(routes.len() > 50, "only {} routes documented", routes.len());
    for (method, path) in &routes {
        let concrete = path
            .replace("{id}", "1")
            .replace("{name}", "Administration");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = client
            .raw(
                method.clone(),
                concrete.trim_start_matches("/v1"),
                Some("application/json"),
                b"{}".to_vec(),
            )
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        // The document itself lists every code: look at the error body's code only.
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value["error"]["code"].as_str().map(str::to_string));
        assert!(
            !matches!(
                code.as_deref(),
                Some("route_not_found" | "method_not_allowed")
            ),
            "{method} {path} is not served: {status} {text}"
        );
        assert!(status.as_u16() < 500, "{method} {path}: {status} {text}");
        let operation = &paths[path.as_str()][method.as_str().to_lowercase()];
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path} has no responses"
        );
    }
    // The schemas of the wire contract are in the document.
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for name in [
        "EnrollmentRequest",
        "SessionResponse",
        "Account",
        "Schedule",
        "User",
        "Profile",
        "Workstation",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    // The error body's code lists every code this version answers.
    assert_eq!(
        schemas["ErrorDetail"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    let known: Vec<&str> = hosting_api::ErrorCode::ALL
        .iter()
        .filter(|code| !code.is_client_side())
        .map(hosting_api::ErrorCode::as_str)
        .collect();
    assert_eq!(listed, known);
}
