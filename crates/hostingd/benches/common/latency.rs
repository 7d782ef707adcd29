//! Latency figures of the benchmarks that send HTTP requests: throughput, p50 and p99.
#![allow(dead_code)] // Each benchmark uses its part.

use std::time::{Duration, Instant};

use hosting_api::Client;

/// What a phase measured.
pub struct Figures {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

/// The figures of `latencies` gathered over `elapsed`.
pub fn figures(mut latencies: Vec<Duration>, elapsed: Duration, errors: usize) -> Figures {
    latencies.sort_unstable();
    let pick = |q: f64| {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    Figures {
        requests_per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        errors,
    }
}

/// A `GET` through `client`; true when it succeeded.
pub async fn get(client: &Client, path: &str) -> bool {
    matches!(
        client.raw(reqwest::Method::GET, path, None, Vec::new()).await,
        Ok((status, _)) if status.is_success()
    )
}

/// `rate` requests per second for `seconds`, sent by `workers` connections that each keep to
/// their share of a schedule. Latency counts from the moment each request was due, so a server
/// that falls behind shows its queue (no coordinated omission), and the number of connections
/// stays bounded as a console's pool would.
pub async fn paced(
    client: &Client,
    path: &str,
    rate: u64,
    workers: usize,
    seconds: u64,
) -> Figures {
    let rate = rate.max(1);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let total = rate * seconds;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..workers as u64 {
        let client = client.clone();
        let path = path.to_string();
        let workers = workers as u64;
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            let mut i = worker;
            while i < total {
                let due = start + interval.mul_f64(i as f64);
                tokio::time::sleep_until(due.into()).await;
                if get(&client, &path).await {
                    latencies.push(due.elapsed());
                } else {
                    errors += 1;
                }
                i += workers;
            }
            (latencies, errors)
        }));
    }
    gathered(tasks, start).await
}

/// The figures of workers that each return their latencies and errors, started at `start`.
pub async fn gathered(
    tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>,
    start: Instant,
) -> Figures {
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (mut l, e) = task.await.unwrap();
        latencies.append(&mut l);
        errors += e;
    }
    figures(latencies, start.elapsed(), errors)
}
