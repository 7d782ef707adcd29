//! The outbox is delivered by SMTP and through the SMS gateway: a real SMTP conversation with a
//! small SMTP sink on loopback, and a real HTTP gateway on loopback.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::gateways::{sms_gateway, smtp_server, smtp_sink};
use hostingd::Clock;
use hostingd::delivery::Delivery;
use hostingd::store::{DeliveryAttempt, NewAccount, RetryPolicy};

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_delivered_by_smtp_and_sms_gateway() {
    let (smtp_port, emails) = smtp_sink().await;
    let failing = Arc::new(Mutex::new(true));
    let (sms_port, sms) = sms_gateway("gateway-token", failing.clone()).await;
    let (service, delivery) = with_gateways(smtp_port, sms_port, |_| {}).await;
    let state = &service.state;
    let provisioned = service.provision("Lycee Mail").await;

    // The gateway fails: the two e-mails go (the invoice number first), the SMS stays pending
    // with its error.
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 2);
    let outbox = state.store.outbox(None).await.unwrap();
    assert!(outbox[0].delivered_at.is_some());
    assert!(outbox[1].delivered_at.is_some());
    assert!(outbox[2].delivered_at.is_none());
    {
        let emails = emails.lock().unwrap();
        assert_eq!(emails.len(), 2);
        assert!(emails[0].contains(&provisioned.invoice_number));
        assert!(!emails[0].contains(&provisioned.hosting_number));
        assert!(emails[1].contains(&provisioned.hosting_number));
        assert!(!emails[1].contains(&provisioned.invoice_number));
        assert!(emails[0].contains("manager@school.fr"));
    }

    // The gateway is back: the SMS goes once its back-off (5 s at most) has passed, and
    // nothing goes twice.
    *failing.lock().unwrap() = false;
    service.clock.advance(5);
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 1);
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 0);
    let sms = sms.lock().unwrap().clone();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "+33699887766");
    assert!(
        sms[0]["text"]
            .as_str()
            .unwrap()
            .contains("Hosting console password: ")
    );
    assert_eq!(emails.lock().unwrap().len(), 2);
    assert!(
        state
            .store
            .outbox(None)
            .await
            .unwrap()
            .iter()
            .all(|m| m.delivered_at.is_some())
    );
}

#[tokio::test]
async fn each_message_is_claimed_by_one_instance_at_a_time() {
    let service = common::TestService::start().await;
    let state = &service.service.state;
    service.provision("Lycee Claims").await;
    let store = &state.store;
    // Two instances over one database: the first claims the two e-mails, the second finds
    // nothing.
    let east = store
        .claim_messages("email", 50, "east", 300)
        .await
        .unwrap();
    assert_eq!(east.len(), 2);
    assert!(
        store
            .claim_messages("email", 50, "west", 300)
            .await
            .unwrap()
            .is_empty()
    );
    // The SMS is another channel, claimed on its own.
    assert_eq!(
        store
            .claim_messages("sms", 50, "west", 300)
            .await
            .unwrap()
            .len(),
        1
    );
    // East dies before sending: once its claim runs out, west sends the e-mails.
    service.clock.advance(301);
    let west = store
        .claim_messages("email", 50, "west", 300)
        .await
        .unwrap();
    assert_eq!(
        west.iter().map(|m| m.id).collect::<Vec<_>>(),
        east.iter().map(|m| m.id).collect::<Vec<_>>()
    );
    for message in &west {
        store
            .mark_delivery(message.id, None, &RetryPolicy::default())
            .await
            .unwrap();
    }
    service.clock.advance(301);
    assert!(
        store
            .claim_messages("email", 50, "east", 300)
            .await
            .unwrap()
            .is_empty(),
        "a delivered message is never claimed again"
    );
    // A failed attempt gives the message back after its back-off (5 s, with jitter), not before.
    let sms = store.claim_messages("sms", 50, "east", 300).await.unwrap();
    let attempt = store
        .mark_delivery(sms[0].id, Some("gateway down"), &RetryPolicy::default())
        .await
        .unwrap();
    assert!(matches!(attempt, DeliveryAttempt::Retry(_)), "{attempt:?}");
    assert!(
        store
            .claim_messages("sms", 50, "west", 300)
            .await
            .unwrap()
            .is_empty()
    );
    service.clock.advance(5);
    assert_eq!(
        store
            .claim_messages("sms", 50, "west", 300)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Both gateways down for 20 minutes (the old outbox gave up after 10 tries 5 s apart, about
/// 50 s), then back: every message arrives, once. Rounds run every 30 s of the service's clock.
#[tokio::test(flavor = "multi_thread")]
async fn an_outage_longer_than_the_old_give_up_loses_nothing() {
    let down = Arc::new(Mutex::new(true));
    let (smtp_port, emails) = smtp_server(down.clone()).await;
    let (sms_port, sms) = sms_gateway("gateway-token", down.clone()).await;
    let (service, delivery) = with_gateways(smtp_port, sms_port, |_| {}).await;
    let store = &service.state.store;
    for school in ["Lycee Panne", "College Orage"] {
        service.provision(school).await;
    }
    let queued = store.outbox(None).await.unwrap().len();
    assert_eq!(queued, 6, "two e-mails and an SMS per school");

    let mut rounds = 0;
    for _ in 0..40 {
        assert_eq!(delivery.deliver_pending(store).await.unwrap(), 0);
        service.clock.advance(30);
        rounds += 1;
    }
    let waiting = store.outbox(None).await.unwrap();
    assert!(waiting.iter().all(|m| m.delivered_at.is_none()
        && m.abandoned_at.is_none()
        && m.attempts >= 5
        && !m.body.is_empty()));
    assert_eq!(store.failed_messages().await.unwrap().len(), queued);
    let (backlog, oldest) = store.outbox_backlog().await.unwrap();
    // The clock also moves with real time: a second or so beside the test's steps.
    assert_eq!(backlog, 6);
    assert!(
        (rounds * 30..rounds * 30 + 60).contains(&oldest),
        "{oldest}"
    );

    // Back: within the longest back-off (15 minutes) every message goes, and only once.
    *down.lock().unwrap() = false;
    let mut delivered = 0;
    for _ in 0..31 {
        delivered += delivery.deliver_pending(store).await.unwrap();
        service.clock.advance(30);
    }
    assert_eq!(delivered, queued);
    assert_eq!(emails.lock().unwrap().len(), 4);
    assert_eq!(sms.lock().unwrap().len(), 2);
    let outbox = store.outbox(None).await.unwrap();
    assert!(
        outbox
            .iter()
            .all(|m| m.delivered_at.is_some() && m.body.is_empty())
    );
    assert_eq!(store.outbox_backlog().await.unwrap().0, 0);
}

/// Down for longer than the give-up age: the messages are given up (a secret's body is emptied
/// then), listed as failed; re-queued, those that still have their text go once the gateways
/// are back; a given-up secret is not re-queued (a new one must be sent).
#[tokio::test(flavor = "multi_thread")]
async fn a_message_given_up_keeps_no_secret_and_is_requeued_by_the_operator() {
    let down = Arc::new(Mutex::new(true));
    let (smtp_port, emails) = smtp_server(down.clone()).await;
    let (sms_port, sms) = sms_gateway("gateway-token", down.clone()).await;
    let (service, delivery) = with_gateways(smtp_port, sms_port, |config| {
        config.outbox_give_up_hours = 1;
    })
    .await;
    let store = &service.state.store;
    let logins = service.provision("Lycee Abandon").await;
    for _ in 0..20 {
        delivery.deliver_pending(store).await.unwrap();
        service.clock.advance(300);
    }
    let failed = store.failed_messages().await.unwrap();
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|m| m.abandoned_at.is_some()));
    let (secret, plain): (Vec<_>, Vec<_>) = failed.iter().partition(|m| m.secret);
    // The invoice number's e-mail and the password's SMS hold secrets: emptied.
    assert_eq!(secret.len(), 2);
    assert!(secret.iter().all(|m| m.body.is_empty()));
    assert_eq!(plain.len(), 1);
    assert!(plain[0].body.contains(&logins.hosting_number));
    let line = hostingd::operator::outbox_entry(secret[0]);
    assert!(
        line.contains("given up at") && line.contains("its secret is gone"),
        "{line}"
    );
    // Nothing is claimed any more.
    assert!(
        store
            .claim_messages("email", 50, "x", 300)
            .await
            .unwrap()
            .is_empty()
    );

    *down.lock().unwrap() = false;
    let done = store.requeue_messages(None).await.unwrap();
    assert_eq!(done.requeued, vec![plain[0].id]);
    assert_eq!(done.emptied.len(), 2);
    let report = hostingd::operator::requeued_report(&done, None);
    assert!(report.contains("hostingd reset-password"), "{report}");
    assert_eq!(delivery.deliver_pending(store).await.unwrap(), 1);
    assert_eq!(delivery.deliver_pending(store).await.unwrap(), 0);
    let sent = emails.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(&logins.hosting_number));
    assert!(sms.lock().unwrap().is_empty());
    // One message asked for that is not a failed one says so.
    let none = store.requeue_messages(Some(plain[0].id)).await.unwrap();
    assert!(
        hostingd::operator::requeued_report(&none, Some(plain[0].id))
            .contains("is not a failed message")
    );
}

/// The state of a service (without its delivery loop: the test runs the rounds) whose outbox
/// goes to the SMTP server and the SMS gateway on these ports, its clock, and its folder.
async fn with_gateways(
    smtp_port: u16,
    sms_port: u16,
    change: impl FnOnce(&mut hostingd::ServeConfig),
) -> (Gateways, Delivery) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = hostingd::testing::local_config(dir.path().to_path_buf());
    config.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
    config.sms_url = Some(format!("http://127.0.0.1:{sms_port}/send"));
    config.sms_token = Some("gateway-token".to_string());
    change(&mut config);
    let clock = Clock::default();
    let state = hostingd::build_state(&config, clock.clone()).await.unwrap();
    let delivery = Delivery::from_config(&config).unwrap().unwrap();
    (
        Gateways {
            state,
            clock,
            _dir: dir,
        },
        delivery,
    )
}

/// A service's state and clock, for the delivery rounds.
struct Gateways {
    state: hostingd::AppState,
    clock: Clock,
    _dir: tempfile::TempDir,
}

impl Gateways {
    /// Provisions a school: two e-mails (the invoice number, then the hosting number) and the
    /// password's SMS are queued.
    async fn provision(&self, school: &str) -> hostingd::operator::Provisioned {
        let account = NewAccount {
            school_name: school.to_string(),
            email: "manager@school.fr".to_string(),
            phone: "+33699887766".to_string(),
            contract_ends_on: "2027-08-31".to_string(),
            language: hosting_api::types::Language::En,
        };
        hostingd::operator::provision(&self.state.store, &self.state.passwords, &account)
            .await
            .unwrap()
    }
}
