//! The outbox is delivered by SMTP and through the SMS gateway: a real SMTP conversation with a
//! small SMTP sink on loopback, and a real HTTP gateway on loopback.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hostingd::delivery::Delivery;
use hostingd::store::NewAccount;
use hostingd::{Clock, ServeConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts every message and keeps its DATA.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

/// An SMS gateway that checks its token; answers 500 while `failing` is set.
async fn sms_gateway(failing: Arc<Mutex<bool>>) -> (u16, Arc<Mutex<Vec<serde_json::Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let app = Router::new().route(
        "/send",
        post(
            move |headers: HeaderMap, body: axum::Json<serde_json::Value>| {
                let store = store.clone();
                let failing = failing.clone();
                async move {
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        != Some("Bearer gateway-token")
                    {
                        return StatusCode::UNAUTHORIZED;
                    }
                    if *failing.lock().unwrap() {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    store.lock().unwrap().push(body.0);
                    StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, received)
}

#[tokio::test(flavor = "multi_thread")]
async fn logins_are_delivered_by_smtp_and_sms_gateway() {
    let (smtp_port, emails) = smtp_sink().await;
    let failing = Arc::new(Mutex::new(true));
    let (sms_port, sms) = sms_gateway(failing.clone()).await;
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
