//! PRONOTE.net: publication per schedule (automatic at activation with the Campus.net licence),
//! the webspace pages on the schedule's endpoint (200 while published, 503 otherwise), and the
//! delegation of their authentication to a CAS server (here a small one over TLS).

use hosting_api::pronote_net::{
    DelegationMode, DelegationUpdate, Publication, PublicationUpdate, Webspace, WebspacesUpdate,
};
use hosting_api::{NewEmptyBase, ScheduleUpdate};
use hostingd::testing::cas::{CasPerson, Page, TestCas, fetch_page};

use crate::common::files::{School, school};
use crate::common::{TestService, assert_api_error};

fn person() -> CasPerson {
    CasPerson {
        user: "jdupont".to_string(),
        display_name: "Jeanne <Dupont>".to_string(),
    }
}

/// A service that trusts `cas`.
async fn service_trusting(cas: &TestCas) -> TestService {
    let dir = tempfile::tempdir().unwrap();
    let service = TestService::start_with(|config| cas.configure(config, dir.path())).await;
    // The CA file is read at start.
    drop(dir);
    service
}

/// planning01 running an empty base.
async fn running(service: &TestService, name: &str) -> School {
    let s = school(service, name).await;
    s.client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    s
}

async fn page(s: &School, publication: &Publication, space: Webspace) -> Page {
    let url = publication
        .addresses
        .as_ref()
        .unwrap()
        .get(space)
        .to_string();
    let ca = s.client.endpoint_ca().await.unwrap().certificate_pem;
    fetch_page(&url, &ca, None, "fr-FR,fr;q=0.9").await
}

async fn stop(s: &School) -> Publication {
    s.client
        .set_publication(
            s.schedule_id,
            &PublicationUpdate {
                published: Some(false),
                ..PublicationUpdate::default()
            },
        )
        .await
        .unwrap()
}

async fn publish(s: &School) -> Result<Publication, hosting_api::ClientError> {
    s.client
        .set_publication(
            s.schedule_id,
            &PublicationUpdate {
                published: Some(true),
                ..PublicationUpdate::default()
            },
        )
        .await
}

fn actions(entries: &[hostingd::store::AuditEntry]) -> Vec<String> {
    entries.iter().map(|e| e.action.clone()).collect()
}

#[tokio::test]
async fn activation_publishes_and_a_persons_stop_lasts_until_they_publish() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Publie").await;
    let before = s.client.publication(s.schedule_id).await.unwrap();
    assert!(!before.published, "nothing is published before a base runs");
    assert!(before.campus_net_licence);
    assert_eq!(before.webspaces.on().len(), 4);
    assert_eq!(before.inactivity_minutes, 20);
    let addresses = before.addresses.clone().unwrap();
    let port = s.client.schedules().await.unwrap()[0].port.unwrap();
    assert!(
        addresses.teachers.starts_with("https://lycee-publie-p1.")
            && addresses
                .teachers
                .ends_with(&format!(":{port}/professeur.html")),
        "{addresses:?}"
    );

    s.client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    let published = s.client.publication(s.schedule_id).await.unwrap();
    assert!(published.published && published.server_running);

    // The superadministrator stops it; a new activation leaves it stopped.
    let stopped = stop(&s).await;
    assert!(!stopped.published);
    s.client.shutdown(s.schedule_id).await.unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    assert!(!s.client.publication(s.schedule_id).await.unwrap().published);
    assert!(publish(&s).await.unwrap().published);

    let audit = service.store().audit_log(s.account_id).await.unwrap();
    let kinds = actions(&audit);
    for action in [
        "pronote_net.auto_published",
        "pronote_net.stopped",
        "pronote_net.published",
    ] {
        assert!(kinds.iter().any(|a| a == action), "{action} in {kinds:?}");
    }
    let stop_entry = audit
        .iter()
        .find(|e| e.action == "pronote_net.stopped")
        .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&stop_entry.detail).unwrap();
    assert_eq!(detail["before"]["published"], true);
    assert_eq!(detail["after"]["published"], false);
    assert_eq!(detail["schedule_id"], s.schedule_id);
}

#[tokio::test]
async fn without_the_licence_nothing_is_published_and_losing_it_stops_the_publication() {
    let service = TestService::start().await;
    let s = running(&service, "Lycee Licence Net").await;
    assert!(s.client.publication(s.schedule_id).await.unwrap().published);

    // The manager removes the licence: the publication stops in the same change.
    s.manager
        .update_schedule(
            s.schedule_id,
            &ScheduleUpdate {
                campus_net_licence: Some(false),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    let publication = s.client.publication(s.schedule_id).await.unwrap();
    assert!(!publication.published && !publication.campus_net_licence);

    let audit_before = service.audit_count(s.account_id).await;
    match publish(&s).await {
        Err(hosting_api::ClientError::Api {
            status,
            code,
            message,
            ..
        }) => {
            assert_eq!(status, 409);
            assert_eq!(code.as_str(), "campus_net_licence_required");
            assert!(
                message.contains("planning01") && message.contains("Campus.net"),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Nor at the next activation.
    s.client.shutdown(s.schedule_id).await.unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    assert!(!s.client.publication(s.schedule_id).await.unwrap().published);
    assert_eq!(
        service.audit_count(s.account_id).await,
        audit_before + 2,
        "the refusal changed nothing (only the shutdown and the activation are recorded)"
    );

    // Bad input says what to fix and changes nothing.
    assert_api_error(
        s.client
            .set_publication(
                s.schedule_id,
                &PublicationUpdate {
                    inactivity_minutes: Some(1),
                    ..PublicationUpdate::default()
                },
            )
            .await,
        422,
        "invalid_inactivity",
    );
    assert_eq!(
        s.client
            .publication(s.schedule_id)
            .await
            .unwrap()
            .inactivity_minutes,
        20
    );
}

#[tokio::test]
async fn webspace_pages_answer_while_published_and_503_otherwise() {
    let service = TestService::start().await;
    let s = running(&service, "Lycee Pages").await;
    let publication = s.client.publication(s.schedule_id).await.unwrap();
    for space in Webspace::ALL {
        let answer = page(&s, &publication, space).await;
        assert_eq!(answer.status, 200, "{space:?}: {}", answer.body);
        assert!(answer.body.contains("Lycee Pages"), "{}", answer.body);
        assert!(answer.body.contains("planning01"), "{}", answer.body);
    }
    let teachers = page(&s, &publication, Webspace::Teachers).await;
    assert!(
        teachers.body.contains("Espace Professeurs"),
        "{}",
        teachers.body
    );
    assert!(
        teachers.body.contains("20 minutes d&#39;inactivité"),
        "{}",
        teachers.body
    );

    // One space off, the inactivity time changed: at once, without a restart.
    let changed = s
        .client
        .set_publication(
            s.schedule_id,
            &PublicationUpdate {
                webspaces: Some(WebspacesUpdate::one(Webspace::Parents, false)),
                inactivity_minutes: Some(45),
                ..PublicationUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(!changed.webspaces.parents && changed.webspaces.teachers);
    let parents = page(&s, &publication, Webspace::Parents).await;
    assert_eq!(parents.status, 503);
    assert!(
        parents.body.contains("Parents") && parents.body.contains("publié"),
        "{}",
        parents.body
    );
    let students = page(&s, &publication, Webspace::Students).await;
    assert_eq!(students.status, 200);
    assert!(students.body.contains("45 minutes"), "{}", students.body);
    // In English for an English browser.
    let url = publication.addresses.as_ref().unwrap().parents.clone();
    let ca = s.client.endpoint_ca().await.unwrap().certificate_pem;
    let english = fetch_page(&url, &ca, None, "en-GB,en;q=0.8").await;
    assert_eq!(english.status, 503);
    assert!(
        english.body.contains("is not published"),
        "{}",
        english.body
    );

    // The publication stopped: every space answers 503; the status route stays.
    stop(&s).await;
    for space in Webspace::ALL {
        assert_eq!(page(&s, &publication, space).await.status, 503, "{space:?}");
    }
    let schedule = s.client.schedules().await.unwrap()[0].clone();
    let status = s
        .client
        .endpoint_status(schedule.host.as_deref().unwrap(), schedule.port.unwrap())
        .await
        .unwrap();
    assert_eq!(status.school, "Lycee Pages");
}

#[tokio::test]
async fn delegation_changes_only_while_the_publication_is_stopped_and_checks_the_cas() {
    let cas = TestCas::start(person()).await;
    let service = service_trusting(&cas).await;
    let s = running(&service, "Lycee Delegue").await;
    let to_cas = |url: &str| DelegationUpdate {
        mode: DelegationMode::Cas,
        cas_url: Some(url.to_string()),
    };

    let audit_before = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client
            .set_delegation(s.schedule_id, &to_cas(&cas.url))
            .await,
        409,
        "publication_running",
    );
    assert_eq!(cas.logins(), 0, "a refused change calls no CAS server");
    assert_eq!(service.audit_count(s.account_id).await, audit_before);

    stop(&s).await;
    // Not https; a closed port; a path where nothing answers: each says why, nothing changes.
    assert_api_error(
        s.client
            .set_delegation(s.schedule_id, &to_cas("http://127.0.0.1/cas"))
            .await,
        422,
        "invalid_cas_url",
    );
    let closed = hostingd::testing::free_port();
    assert_api_error(
        s.client
            .set_delegation(
                s.schedule_id,
                &to_cas(&format!("https://127.0.0.1:{closed}/cas")),
            )
            .await,
        422,
        "cas_unreachable",
    );
    let wrong_path = cas.url.replace("/cas", "/nothing");
    match s
        .client
        .set_delegation(s.schedule_id, &to_cas(&wrong_path))
        .await
    {
        Err(hosting_api::ClientError::Api { code, message, .. }) => {
            assert_eq!(code.as_str(), "cas_unreachable");
            assert!(message.contains("404"), "{message}");
        }
        other => panic!("expected cas_unreachable, got {other:?}"),
    }
    assert_eq!(
        s.client.delegation(s.schedule_id).await.unwrap().mode,
        DelegationMode::None
    );

    let saved = s
        .client
        .set_delegation(s.schedule_id, &to_cas(&format!("{}/", cas.url)))
        .await
        .unwrap();
    assert_eq!(saved.mode, DelegationMode::Cas);
    assert_eq!(saved.cas_url.as_deref(), Some(cas.url.as_str()));
    assert!(saved.checked_at.is_some());
    assert_eq!(cas.logins(), 1, "the CAS answered at /login once");
    let audit = service.store().audit_log(s.account_id).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "pronote_net.delegation")
        .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
    assert_eq!(detail["before"]["delegation"], "none");
    assert_eq!(detail["after"]["delegation"], "cas");

    // Publishing checks the CAS server again.
    assert!(publish(&s).await.unwrap().published);
    assert_eq!(cas.logins(), 2);
    assert_eq!(
        s.client
            .publication(s.schedule_id)
            .await
            .unwrap()
            .delegation,
        DelegationMode::Cas
    );
}

#[tokio::test]
async fn a_cas_server_on_a_private_address_is_refused_unless_the_provider_allows_it() {
    let cas = TestCas::start(person()).await;
    let dir = tempfile::tempdir().unwrap();
    let service = TestService::start_with(|config| {
        cas.configure(config, dir.path());
        config.cas_allow_private_addresses = false;
    })
    .await;
    let s = running(&service, "Lycee Prive").await;
    stop(&s).await;
    match s
        .client
        .set_delegation(
            s.schedule_id,
            &DelegationUpdate {
                mode: DelegationMode::Cas,
                cas_url: Some(cas.url.clone()),
            },
        )
        .await
    {
        Err(hosting_api::ClientError::Api { code, message, .. }) => {
            assert_eq!(code.as_str(), "cas_unreachable");
            assert!(message.contains("private network"), "{message}");
        }
        other => panic!("expected cas_unreachable, got {other:?}"),
    }
    assert_eq!(cas.logins(), 0, "the service did not call it");
}

#[tokio::test]
async fn delegated_pages_send_visitors_to_the_cas_and_validate_their_ticket() {
    let cas = TestCas::start(person()).await;
    let service = service_trusting(&cas).await;
    let s = running(&service, "Lycee Ent").await;
    stop(&s).await;
    s.client
        .set_delegation(
            s.schedule_id,
            &DelegationUpdate {
                mode: DelegationMode::Cas,
                cas_url: Some(cas.url.clone()),
            },
        )
        .await
        .unwrap();
    let publication = publish(&s).await.unwrap();
    let ca = s.client.endpoint_ca().await.unwrap().certificate_pem;
    let teachers_url = publication.addresses.as_ref().unwrap().teachers.clone();

    // 1. The page sends the visitor to the CAS login, with its own address as the service.
    let first = fetch_page(&teachers_url, &ca, None, "fr").await;
    assert_eq!(first.status, 302, "{}", first.body);
    let login = first.location.unwrap();
    let expected = reqwest::Url::parse_with_params(
        &format!("{}/login", cas.url),
        [("service", &teachers_url)],
    )
    .unwrap();
    assert_eq!(login, expected.as_str());

    // 2. The CAS sends them back with a ticket; 3. the page validates it.
    let back = fetch_page(&login, &ca, Some(&cas.ca_pem), "fr").await;
    assert_eq!(back.status, 302);
    let with_ticket = back.location.unwrap();
    assert!(
        with_ticket.starts_with(&format!("{teachers_url}?ticket=ST-")),
        "{with_ticket}"
    );
    let landed = fetch_page(&with_ticket, &ca, None, "fr").await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    assert!(
        landed.body.contains("Jeanne &lt;Dupont&gt;"),
        "the name, escaped: {}",
        landed.body
    );
    assert!(landed.body.contains("Espace Professeurs"));

    // A ticket is used once.
    let again = fetch_page(&with_ticket, &ca, None, "en").await;
    assert_eq!(again.status, 403, "{}", again.body);
    assert!(again.body.contains("INVALID_TICKET"), "{}", again.body);

    // /cas/validate, for a ticket issued for the parents' page.
    let parents_url = publication.addresses.as_ref().unwrap().parents.clone();
    let login =
        reqwest::Url::parse_with_params(&format!("{}/login", cas.url), [("service", &parents_url)])
            .unwrap();
    let back = fetch_page(login.as_str(), &ca, Some(&cas.ca_pem), "fr").await;
    let ticket = back
        .location
        .unwrap()
        .split("ticket=")
        .nth(1)
        .unwrap()
        .to_string();
    let origin = teachers_url.trim_end_matches("/professeur.html");
    // Validated against another space's page: the CAS refuses the service.
    let wrong = fetch_page(
        &format!("{origin}/cas/validate?ticket={ticket}&space=professeur"),
        &ca,
        None,
        "fr",
    )
    .await;
    assert_eq!(wrong.status, 403);
    assert!(wrong.body.contains("INVALID_SERVICE"), "{}", wrong.body);
    let back = fetch_page(login.as_str(), &ca, Some(&cas.ca_pem), "fr").await;
    let ticket = back
        .location
        .unwrap()
        .split("ticket=")
        .nth(1)
        .unwrap()
        .to_string();
    let right = fetch_page(
        &format!("{origin}/cas/validate?ticket={ticket}&space=parent"),
        &ca,
        None,
        "en",
    )
    .await;
    assert_eq!(right.status, 200, "{}", right.body);
    assert!(
        right
            .body
            .contains("Logged in through the ENT as Jeanne &lt;Dupont&gt;"),
        "{}",
        right.body
    );

    // An unpublished space sends nobody to the CAS.
    s.client
        .set_publication(
            s.schedule_id,
            &PublicationUpdate {
                webspaces: Some(WebspacesUpdate::one(Webspace::Students, false)),
                ..PublicationUpdate::default()
            },
        )
        .await
        .unwrap();
    let students = page(&s, &publication, Webspace::Students).await;
    assert_eq!(students.status, 503);
}
