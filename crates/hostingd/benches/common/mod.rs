//! What the benchmarks share: an account provisioned like the provider's staff do, and its
//! manager's workstation enrolled with a CSR made here.

use hosting_api::{Client, ClientIdentity, EnrollmentRequest, Role, WorkstationKey};
use hostingd::RunningService;
use hostingd::store::NewAccount;

/// Provisions an account on `service` and enrolls its manager's workstation: the workstation's
/// identity and the console password the SMS carried.
pub async fn manager_workstation(service: &RunningService) -> (ClientIdentity, String) {
    let store = &service.state.store;
    let account = NewAccount {
        school_name: "Bench school".to_string(),
        email: "bench@school.fr".to_string(),
        phone: "+33600000000".to_string(),
        contract_ends_on: "2027-08-31".to_string(),
    };
    let provisioned = hostingd::operator::provision(store, &service.state.passwords, &account)
        .await
        .unwrap();
    let sms = store
        .outbox(Some(provisioned.account_id))
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|m| m.channel == "sms")
        .unwrap();
    let password = sms
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Hosting console password: "))
        .unwrap()
        .to_string();
    let key = WorkstationKey::generate("bench").unwrap();
    let enrolled = Client::new(&service.base_url(), &service.ca_pem(), None)
        .unwrap()
        .enroll(&EnrollmentRequest {
            role: Role::Manager,
            hosting_number: provisioned.hosting_number.clone(),
            password: password.clone(),
            username: None,
            invoice_number: provisioned.invoice_number.clone(),
            csr_pem: key.csr_pem,
            workstation_name: "bench".to_string(),
        })
        .await
        .unwrap();
    let identity = ClientIdentity {
        certificate_pem: enrolled.certificate_pem,
        key_pem: key.key_pem,
    };
    (identity, password)
}
