//! What the benchmarks share: an account provisioned like the provider's staff do, and its
//! manager's workstation enrolled with a CSR made here (with [`hostingd::testing`]).

use hosting_api::{ClientIdentity, Role};
use hostingd::RunningService;
use hostingd::testing;

/// Provisions an account on `service` and enrolls its manager's workstation: the workstation's
/// identity and the console password the SMS carried.
pub async fn manager_workstation(service: &RunningService) -> (ClientIdentity, String) {
    let logins = testing::provision(service, "Bench school").await;
    let identity = testing::enroll_as(
        service,
        "bench",
        Role::Manager,
        &logins,
        None,
        &logins.password,
    )
    .await
    .unwrap();
    (identity, logins.password)
}
