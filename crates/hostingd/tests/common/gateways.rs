//! Message gateways for the delivery tests: a small SMTP sink and an SMS HTTP gateway on loopback.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts every message and keeps its DATA.
pub async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    smtp_server(Arc::new(Mutex::new(false))).await
}

/// The SMTP server, down while `down` is set: it then closes every connection before its
/// greeting, as a server that is stopping does (the client gets no answer).
pub async fn smtp_server(down: Arc<Mutex<bool>>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            if *down.lock().unwrap() {
                drop(socket);
                continue;
            }
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

/// An SMS gateway that accepts only `Bearer <token>`; answers 500 while `failing` is set.
pub async fn sms_gateway(
    token: &'static str,
    failing: Arc<Mutex<bool>>,
) -> (u16, Arc<Mutex<Vec<serde_json::Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let app = Router::new().route(
        "/send",
        post(
            move |headers: HeaderMap, body: axum::Json<serde_json::Value>| {
                let store = store.clone();
                let failing = failing.clone();
                async move {
                    let expected = format!("Bearer {token}");
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        != Some(expected.as_str())
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
