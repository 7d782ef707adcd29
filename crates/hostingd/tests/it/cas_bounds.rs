//! The calls to a school's CAS server from the anonymous webspaces are bounded (issue 23): at
//! most `CALLS_PER_HOST` at once to one CAS server (one more is refused without a call), a
//! refused ticket is answered from memory, and a CAS server that could not answer is not asked
//! again for a while. A real CAS server over TLS on loopback counts the calls it receives.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hostingd::cas::{CALLS_PER_HOST, CasAnswer, CasClient};
use hostingd::testing::cas::{CasPerson, TestCas};

async fn client_of(cas: &TestCas, dir: &std::path::Path) -> CasClient {
    let path = dir.join("cas-ca.pem");
    std::fs::write(&path, &cas.ca_pem).unwrap();
    CasClient::new(Some(&path), true).unwrap()
}

fn person() -> CasPerson {
    CasPerson {
        user: "jdupont".to_string(),
        display_name: "Jeanne Dupont".to_string(),
    }
}

const SERVICE: &str = "https://lycee.hosting.localhost:20001/professeur.html";

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_bad_tickets_calls_the_cas_server_within_its_bound() {
    let cas = TestCas::start(person()).await;
    let dir = tempfile::tempdir().unwrap();
    let client = Arc::new(client_of(&cas, dir.path()).await);
    cas.answer_after(Duration::from_millis(500));

    // 100 different bad tickets at once: CALLS_PER_HOST reach the CAS server, the others are
    // refused at once with a sentence.
    let calls = (0..100).map(|i| {
        let (client, url) = (client.clone(), cas.url.clone());
        async move {
            client
                .validate(&url, SERVICE, &format!("ST-forged-{i}"))
                .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    assert_eq!(cas.validations(), CALLS_PER_HOST);
    let refused = answers
        .iter()
        .filter(|a| matches!(a, Ok(CasAnswer::Refused { code, .. }) if code == "INVALID_TICKET"))
        .count();
    let busy: Vec<&String> = answers.iter().filter_map(|a| a.as_ref().err()).collect();
    assert_eq!(refused, CALLS_PER_HOST);
    assert_eq!(busy.len(), 100 - CALLS_PER_HOST);
    assert!(busy[0].contains("try again in a moment"), "{}", busy[0]);

    // The refused tickets again: answered from memory, no call.
    cas.answer_after(Duration::ZERO);
    for i in 0..100 {
        let answer = client
            .validate(&cas.url, SERVICE, &format!("ST-forged-{i}"))
            .await;
        assert!(
            matches!(answer, Ok(CasAnswer::Refused { .. })),
            "{answer:?}"
        );
    }
    assert_eq!(
        cas.validations(),
        100,
        "only the 84 not asked before were asked now"
    );
    let again = client.validate(&cas.url, SERVICE, "ST-forged-7").await;
    assert!(matches!(again, Ok(CasAnswer::Refused { .. })));
    assert_eq!(cas.validations(), 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_good_ticket_is_asked_and_a_cas_server_down_is_not_asked_again_at_once() {
    let cas = TestCas::start(person()).await;
    let dir = tempfile::tempdir().unwrap();
    let client = client_of(&cas, dir.path()).await;
    // A ticket issued by the CAS server for the service is accepted (never from memory).
    let login = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(cas.ca_pem.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(
            reqwest::Url::parse_with_params(&format!("{}/login", cas.url), [("service", SERVICE)])
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let location = login.headers()["location"].to_str().unwrap().to_string();
    let ticket = location.split("ticket=").nth(1).unwrap();
    let answer = client.validate(&cas.url, SERVICE, ticket).await.unwrap();
    assert!(matches!(answer, CasAnswer::User { .. }), "{answer:?}");

    // A "CAS server" that accepts connections and closes them: asked once, then not again
    // while it is taken as down.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down_url = format!(
        "https://127.0.0.1:{}/cas",
        listener.local_addr().unwrap().port()
    );
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let first = client.validate(&down_url, SERVICE, "ST-1").await;
    assert!(first.is_err(), "{first:?}");
    let seen = connections.load(Ordering::SeqCst);
    assert!(seen >= 1);
    for i in 2..20 {
        let again = client
            .validate(&down_url, SERVICE, &format!("ST-{i}"))
            .await;
        assert_eq!(again, first, "the same why, without a call");
    }
    assert_eq!(connections.load(Ordering::SeqCst), seen);
    // Another CAS server is asked as before.
    assert_eq!(
        client.validate(&cas.url, SERVICE, "ST-unknown").await,
        Ok(CasAnswer::Refused {
            code: "INVALID_TICKET".to_string(),
            message: "the ticket is not recognized".to_string(),
        })
    );
}
