//! The outbox is delivered by SMTP and through the SMS gateway: a real SMTP conversation with a
//! small SMTP sink on loopback, and a real HTTP gateway on loopback.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::gateways::{sms_gateway, smtp_sink};
use hostingd::delivery::Delivery;
use hostingd::store::NewAccount;
use hostingd::{Clock, ServeConfig};

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_delivered_by_smtp_and_sms_gateway() {
    let (smtp_port, emails) = smtp_sink().await;
    let failing = Arc::new(Mutex::new(true));
    let (sms_port, sms) = sms_gateway("gateway-token", failing.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServeConfig::local(dir.path().to_path_buf());
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
    };
    let provisioned = hostingd::operator::provision(&state.store, &state.passwords, &account)
        .await
        .unwrap();

    // The gateway fails: the e-mail goes, the SMS stays pending with its error.
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 1);
    let outbox = state.store.outbox(None).await.unwrap();
    assert!(outbox[0].delivered_at.is_some());
    assert!(outbox[1].delivered_at.is_none());
    {
        let emails = emails.lock().unwrap();
        assert_eq!(emails.len(), 1);
        assert!(emails[0].contains(&provisioned.hosting_number));
        assert!(emails[0].contains(&provisioned.invoice_number));
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
    assert_eq!(emails.lock().unwrap().len(), 1);
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
