//! The outbox is delivered by SMTP and through the SMS gateway: a real SMTP conversation with a
//! small SMTP sink on loopback, and a real HTTP gateway on loopback.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::gateways::{sms_gateway, smtp_sink};
use hostingd::Clock;
use hostingd::delivery::Delivery;
use hostingd::store::NewAccount;

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_delivered_by_smtp_and_sms_gateway() {
    let (smtp_port, emails) = smtp_sink().await;
    let failing = Arc::new(Mutex::new(true));
    let (sms_port, sms) = sms_gateway("gateway-token", failing.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = hostingd::testing::local_config(dir.path().to_path_buf());
    config.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
    config.sms_url = Some(format!("http://127.0.0.1:{sms_port}/send"));
    config.sms_token = Some("gateway-token".to_string());
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let delivery = Delivery::from_config(&config).unwrap().unwrap();

    let account = NewAccount {
        school_name: "Lycee Mail".to_string(),
        email: "manager@lycee-mail.fr".to_string(),
        phone: "+33699887766".to_string(),
        contract_ends_on: "2027-08-31".to_string(),
        language: hosting_api::types::Language::En,
    };
    let provisioned = hostingd::operator::provision(&state.store, &state.passwords, &account)
        .await
        .unwrap();

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
        assert!(emails[0].contains("manager@lycee-mail.fr"));
    }

    // The gateway is back: the SMS goes on the next round, and nothing goes twice.
    *failing.lock().unwrap() = false;
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
        store.mark_delivery(message.id, None).await.unwrap();
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
    // A failed attempt gives the message back at once, for the next round.
    let sms = store.claim_messages("sms", 50, "east", 300).await.unwrap();
    store
        .mark_delivery(sms[0].id, Some("gateway down"))
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_messages("sms", 50, "west", 300)
            .await
            .unwrap()
            .len(),
        1
    );
}
