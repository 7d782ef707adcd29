//! This workstation's identity: its key and certificate kept in the keyring, the login with
//! them, the first installation with the invoice number, and the renewal before expiry.

use hosting_api::{
    Client, ClientIdentity, EnrollmentRequest, ErrorCode, Role, Secret, SessionResponse,
    WorkstationKey,
};
use tokio::sync::Mutex;

use super::service::server;
use super::{Inner, KeystoreChoice, failure, session_client};
use crate::model::Failure;
use crate::platform::keystore::{IdentityKey, Keystore, StoredIdentity};

/// The keyring chosen: the platform's (opened off the runtime's workers), or the one given.
pub(super) async fn keystore(choice: &KeystoreChoice) -> Result<Keystore, Failure> {
    match choice {
        KeystoreChoice::Given(keystore) => Ok(keystore.clone()),
        KeystoreChoice::Platform => blocking(Keystore::platform).await,
    }
}

/// Runs keyring work off the runtime's workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::platform::keystore::KeystoreError> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| failure(ErrorCode::Keyring, e))?
        .map_err(|e| failure(ErrorCode::Keyring, e))
}

/// Logs in with the certificate kept for `key`.
pub(super) async fn sign_in(
    inner: &Mutex<Inner>,
    keystore: &Keystore,
    key: IdentityKey,
    password: Secret,
) -> Result<SessionResponse, Failure> {
    // Only the CA or pin the person chose is trusted, never the CA kept from the enrollment
    // answer: that one came from the service the chosen trust is there to check.
    let (base_url, trust) = server(inner).await?;
    let found = {
        let keystore = keystore.clone();
        let key = key.clone();
        blocking(move || keystore.find(&key)).await?
    };
    let Some(found) = found else {
        return Err(Failure::new(
            ErrorCode::CertificateMissing,
            "This workstation has no certificate yet.",
        ));
    };
    let stored = &found.identity;
    let expired = time::OffsetDateTime::parse(
        &stored.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .is_ok_and(|end| end <= time::OffsetDateTime::now_utc());
    if expired {
        return Err(Failure::new(
            ErrorCode::CertificateExpired,
            "The certificate of this workstation has expired.",
        ));
    }
    let identity = ClientIdentity {
        certificate_pem: stored.certificate_pem.clone(),
        key_pem: stored.key_pem.clone(),
    };
    let (client, session) = Client::sign_in(
        &base_url,
        trust.server_trust(),
        &identity,
        password.expose(),
    )
    .await
    .map_err(Failure::from)?;
    inner.lock().await.client = Some(client);
    // The login proved the identity: an older version's entry moves to the CA's key, and the
    // address hint follows the service. The session works without it; the next login retries.
    let keystore = keystore.clone();
    if let Err(error) = blocking(move || keystore.keep(&key, found)).await {
        tracing::warn!(error = %error.message, "the identity could not be kept under the service's CA");
    }
    Ok(session)
}

/// Installs this workstation's certificate, then logs in.
pub(super) async fn install(
    inner: &Mutex<Inner>,
    keystore: &Keystore,
    key: IdentityKey,
    mut request: EnrollmentRequest,
) -> Result<SessionResponse, Failure> {
    let (base_url, trust) = server(inner).await?;
    let name = request.workstation_name.clone();
    let workstation_key = tokio::task::spawn_blocking(move || WorkstationKey::generate(&name))
        .await
        .map_err(|e| failure(ErrorCode::Keyring, e))?
        .map_err(|e| failure(ErrorCode::Keyring, e))?;
    request.csr_pem = workstation_key.csr_pem.clone();
    let password = Secret::new(request.password.clone());
    let anonymous = trust.client(&base_url, None)?;
    let enrolled = anonymous.enroll(&request).await.map_err(Failure::from)?;
    let stored = StoredIdentity {
        certificate_pem: enrolled.certificate_pem,
        key_pem: workstation_key.key_pem,
        ca_pem: enrolled.ca_pem,
        workstation_id: enrolled.workstation_id,
        not_after: enrolled.not_after,
        address: base_url.clone(),
    };
    {
        let keystore = keystore.clone();
        let key = key.clone();
        blocking(move || keystore.save(&key, &stored)).await?;
    }
    sign_in(inner, keystore, key, password).await
}

/// Renews this workstation's certificate with the current one as the proof.
pub(super) async fn renew(
    inner: &Mutex<Inner>,
    keystore: &Keystore,
    key: IdentityKey,
    workstation_name: String,
) -> Result<String, Failure> {
    let (base_url, trust) = server(inner).await?;
    let client = session_client(inner).await?;
    let workstation_key =
        tokio::task::spawn_blocking(move || WorkstationKey::generate(&workstation_name))
            .await
            .map_err(|e| failure(ErrorCode::Keyring, e))?
            .map_err(|e| failure(ErrorCode::Keyring, e))?;
    let renewed = client
        .renew_certificate(&workstation_key.csr_pem)
        .await
        .map_err(Failure::from)?;
    let stored = StoredIdentity {
        certificate_pem: renewed.certificate_pem.clone(),
        key_pem: workstation_key.key_pem.clone(),
        ca_pem: renewed.ca_pem,
        workstation_id: renewed.workstation_id,
        not_after: renewed.not_after.clone(),
        address: base_url.clone(),
    };
    {
        let keystore = keystore.clone();
        blocking(move || keystore.save(&key, &stored)).await?;
    }
    let identity = ClientIdentity {
        certificate_pem: renewed.certificate_pem,
        key_pem: workstation_key.key_pem,
    };
    let renewed_client = trust.client(&base_url, Some(&identity))?;
    renewed_client.set_token(Some(renewed.session.token));
    inner.lock().await.client = Some(renewed_client);
    Ok(renewed.not_after)
}

/// The role of an identity key's principal.
pub fn principal(role: Role, username: Option<&str>) -> String {
    match (role, username) {
        (Role::Superadmin, Some(username)) => {
            format!("superadmin:{}", username.trim().to_lowercase())
        }
        _ => "manager".to_string(),
    }
}
