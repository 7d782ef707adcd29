//! `hostingd`, the hosting service: accounts, workstation certificates, sessions and the
//! onboarding API, over TLS with client certificates.
//!
//! [`start`] runs the service in the current process (the console's built-in local service and
//! the tests use it); the `hostingd` binary wraps it with operator commands.

pub mod auth;
pub mod base_files;
pub mod blobs;
pub mod cas;
pub mod clock;
pub mod config;
pub mod connections;
pub mod delivery;
pub mod domains;
pub mod endpoint_ca;
pub mod endpoints;
pub mod fault;
pub mod http;
pub mod instance;
pub mod invoice;
pub mod jobs;
pub mod licence;
pub mod limits;
pub mod messages;
pub mod metrics;
pub mod operator;
pub mod pki;
pub mod private_files;
pub mod proforma;
pub mod proxy_protocol;
pub mod renewal;
pub mod rules;
pub mod settings;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod texts;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use proxy_protocol::{ProxyAcceptor, TrustedProxies};

pub use clock::Clock;
pub use config::ServeConfig;
pub use http::{AppState, router};

use crate::auth::Passwords;
use crate::pki::Pki;
use crate::settings::Settings;
use crate::store::Store;

/// Makes the data directory and the blob directory owner-only (0700, what the service keeps
/// in them 0600 on Unix, tightening what an older version made) and opens the database with the
/// invoice key of the data directory. Only the service's own entries are tightened (the
/// database, `invoice.key`, `tls/`, the blob directory), never other files an operator keeps in
/// the data directory.
pub async fn open_store(config: &ServeConfig, clock: Clock) -> anyhow::Result<Store> {
    private_files::create_private_dir(&config.data_dir)?;
    private_files::restrict_tree(&config.data_dir.join("tls"))?;
    if let Some(blob_dir) = config.blob_dir() {
        private_files::create_private_dir(&blob_dir)?;
        private_files::restrict_tree(&blob_dir)?;
    }
    let url = match config.given_database_url()? {
        Some(url) => url,
        None => {
            private_files::prepare_sqlite_file(&config.data_dir.join("hostingd.db"))?;
            config.database_url()
        }
    };
    let invoice_keys = invoice::InvoiceKeys::load_or_create(&config.data_dir)?;
    Store::open(&url, clock, invoice_keys).await
}

/// The store of the operator commands (`provision`…): its logins e-mails give the console's
/// download address the running service wrote, else the service's own page.
pub async fn open_operator_store(config: &ServeConfig, clock: Clock) -> anyhow::Result<Store> {
    let store = open_store(config, clock).await?;
    let download = store
        .service_setting(CONSOLE_DOWNLOAD_URL)
        .await?
        .unwrap_or_else(|| config.own_download_page());
    Ok(store.with_console_download_url(&download))
}

/// The setting with the console's download address the service runs with.
const CONSOLE_DOWNLOAD_URL: &str = "console_download_url";

/// Opens the database and the PKI of `config` and builds the handlers' state.
pub async fn build_state(config: &ServeConfig, clock: Clock) -> anyhow::Result<AppState> {
    let blob_location = config.blob_location()?;
    let store = open_store(config, clock).await?;
    // The service gives its flag, or its own page; the operator commands read it from here.
    let download = config
        .console_download_url
        .clone()
        .unwrap_or_else(|| config.own_download_page());
    store
        .set_service_setting(CONSOLE_DOWNLOAD_URL, &download)
        .await?;
    let store = store.with_console_download_url(&download);
    let pki = Pki::load_or_create(config)?;
    store.refresh_endpoint_hosts(&config.public_zone).await?;
    let verified = store.verified_domain_names().await?;
    let endpoint_ca = endpoint_ca::EndpointCa::load_or_create(
        &config.data_dir.join("tls"),
        &config.public_zone,
        &verified,
    )?;
    let permits = config.max_concurrent_hashes.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    });
    let cas = Arc::new(cas::CasClient::new(
        config.cas_ca_file.as_deref(),
        config.cas_allow_private_addresses,
    )?);
    let passwords = Arc::new(Passwords::with_queue(
        permits,
        config.limits.max_queued_hashes.unwrap_or(permits * 8),
        Duration::from_millis(config.limits.hash_wait_ms),
    )?);
    let metrics: Arc<metrics::Metrics> = Arc::default();
    Ok(AppState {
        faults: Arc::default(),
        metrics: metrics.clone(),
        pki: Arc::new(pki),
        passwords: passwords.clone(),
        guard: Arc::new(limits::Guard::new(&config.limits)),
        settings: Arc::new(Settings {
            cert_lifetime_days: config.cert_lifetime_days,
            port_range: config.port_range.clone(),
            public_zone: config.public_zone.clone(),
            max_upload_bytes: config.max_upload_bytes,
            upload_expiry_seconds: config.upload_expiry_hours * 3600,
            account_quota_bytes: config.account_quota_bytes,
            safeguards: jobs::SafeguardPolicy {
                interval_seconds: i64::try_from(config.safeguard_interval_minutes * 60)
                    .unwrap_or(i64::MAX),
                keep_last: config.safeguard_keep_last,
                keep_daily: config.safeguard_keep_daily,
                keep_weekly: config.safeguard_keep_weekly,
            },
            year: jobs::YearDays {
                archive: config.year_end_archive,
                new_base: config.new_base_date,
            },
            provider_name: config.provider_name.clone(),
            contract_reminder_days: {
                let mut days: Vec<i64> = config
                    .contract_reminder_days
                    .iter()
                    .map(|d| i64::from(*d))
                    .collect();
                days.sort_unstable_by(|a, b| b.cmp(a));
                days.dedup();
                days
            },
        }),
        blobs: blobs::Blobs::open(&blob_location).await?,
        endpoints: Arc::new(
            endpoints::Endpoints::new(
                config.schedule_bind.unwrap_or(config.listen.ip()),
                endpoint_ca,
                Duration::from_secs(config.endpoint_lease_seconds),
                &config.public_zone,
                store.clone(),
                cas.clone(),
                passwords,
            )
            .behind(config.trusted_proxies())
            .limited(&config.limits, &metrics),
        ),
        cas,
        store,
    })
}

/// A service running in this process.
pub struct RunningService {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (store, PKI), for operator actions and tests.
    pub state: AppState,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    delivery: Option<tokio::task::JoinHandle<()>>,
    jobs: tokio::task::JoinHandle<()>,
    reconciler: tokio::task::JoinHandle<()>,
    /// How long requests in flight may take to finish at a stop.
    grace: Duration,
    /// Where the metrics listen (`--metrics-listen`), once bound.
    pub metrics_addr: Option<SocketAddr>,
    metrics: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningService {
    /// `https://127.0.0.1:PORT` (or the listen address).
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA a console must trust.
    pub fn ca_pem(&self) -> String {
        self.state.pki.ca_pem().to_string()
    }

    /// Runs the jobs that are due now (safeguards, expiry), as the periodic runner does.
    pub async fn run_jobs(&self) -> anyhow::Result<jobs::JobReport> {
        jobs::run_due(&self.state.job_services()).await
    }

    /// A planned stop (SIGTERM, Ctrl-C): stops accepting, stops the background loops and the
    /// schedules' endpoints (their leases given back), lets requests in flight finish (at most
    /// `--shutdown-grace-seconds`), then gives back every lease and outbox claim this instance
    /// still holds (an upload's PATCH cut short included), so that another instance takes over
    /// at once instead of when they expire.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.handle.graceful_shutdown(Some(self.grace));
        if let Some(delivery) = self.delivery {
            delivery.abort();
        }
        self.jobs.abort();
        self.reconciler.abort();
        if let Some(metrics) = self.metrics {
            metrics.abort();
        }
        self.state.endpoints.stop_all().await;
        let served = self.task.await;
        match self.state.store.release_this_instance().await {
            Ok((leases, claims)) if leases + claims > 0 => {
                tracing::info!(leases, claims, "leases and outbox claims given back");
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "the leases were not given back"),
        }
        served??;
        Ok(())
    }

    /// Waits until the server stops.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await??;
        Ok(())
    }
}

/// The TCP options of an accepted connection: no delay, keep-alive probes after
/// `tcp_keepalive_seconds` of silence (`limits`), every `min(tcp_keepalive_seconds, 15)`
/// seconds, four of them.
pub fn tcp_acceptor(limits: &limits::LimitsConfig) -> TcpOptions {
    TcpOptions {
        keepalive: Duration::from_secs(limits.tcp_keepalive_seconds.max(1)),
        interval: Duration::from_secs(limits.tcp_keepalive_seconds.clamp(1, 15)),
        retries: 4,
    }
}

/// Sets the TCP options of each accepted connection. A system that refuses one of them keeps
/// the connection with the others: Wine, where the Windows console's built-in service runs on
/// Linux, refuses the count of keep-alive probes, and axum-server's own acceptor then closed
/// every connection before its TLS handshake.
#[derive(Clone, Copy, Debug)]
pub struct TcpOptions {
    keepalive: Duration,
    interval: Duration,
    retries: u32,
}

impl TcpOptions {
    /// Sets the options on `stream`; says in the log (once per process) what the system refused.
    pub fn apply(&self, stream: &tokio::net::TcpStream) {
        static REFUSED: std::sync::Once = std::sync::Once::new();
        let refused = |option: &str, error: std::io::Error| {
            REFUSED.call_once(|| {
                tracing::warn!(option, %error, "the system refuses a TCP option; connections go on without it");
            });
        };
        if let Err(error) = stream.set_nodelay(true) {
            refused("TCP_NODELAY", error);
        }
        let socket = socket2::SockRef::from(stream);
        let probes = socket2::TcpKeepalive::new()
            .with_time(self.keepalive)
            .with_interval(self.interval);
        // Once the system refused the probe count, later connections do not ask again.
        static COUNT_REFUSED: std::sync::atomic::AtomicBool =
            std::sync::atomic::AtomicBool::new(false);
        if !COUNT_REFUSED.load(std::sync::atomic::Ordering::Relaxed) {
            match socket.set_tcp_keepalive(&probes.clone().with_retries(self.retries)) {
                Ok(()) => return,
                Err(error) => {
                    COUNT_REFUSED.store(true, std::sync::atomic::Ordering::Relaxed);
                    refused("TCP_KEEPCNT", error);
                }
            }
        }
        if let Err(error) = socket.set_tcp_keepalive(&probes) {
            refused("SO_KEEPALIVE", error);
        }
    }
}

impl<S> axum_server::accept::Accept<tokio::net::TcpStream, S> for TcpOptions {
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        self.apply(&stream);
        std::future::ready(Ok((stream, service)))
    }
}

/// The header timeout of `limits`: for the PROXY header, the first request, and an HTTP/1
/// connection idle between two requests.
pub fn header_timeout(limits: &limits::LimitsConfig) -> Duration {
    Duration::from_secs(limits.header_timeout_seconds.max(1))
}

/// Sets the timeouts of `limits` on a server (the API's, or an endpoint's): a connection that
/// sends no request within the header timeout is closed, so is an HTTP/1 connection idle that
/// long between two requests, and an HTTP/2 connection that does not answer a ping.
pub fn with_timeouts<A>(
    server: axum_server::Server<SocketAddr, A>,
    limits: &limits::LimitsConfig,
) -> axum_server::Server<SocketAddr, A> {
    let header_timeout = header_timeout(limits);
    let mut server = server.first_request_timeout(header_timeout);
    server
        .http_builder()
        .http1()
        .header_read_timeout(Some(header_timeout));
    let ping = Duration::from_secs(limits.http2_keepalive_seconds.max(1));
    server
        .http_builder()
        .http2()
        .keep_alive_interval(Some(ping))
        .keep_alive_timeout(ping);
    server
}

/// The API's server on `listener`: TLS with client certificates, the TCP options, the caps of
/// its connections, the timeouts, and HTTP/2 windows (`limits`).
fn api_server(
    listener: std::net::TcpListener,
    state: &AppState,
    limits: &limits::LimitsConfig,
    proxies: TrustedProxies,
) -> anyhow::Result<axum_server::Server<SocketAddr, RustlsAcceptor<ProxyAcceptor<TcpOptions>>>> {
    let tls = RustlsConfig::from_config(state.pki.server_config());
    let caps = connections::ConnectionCaps::new(
        limits.max_connections as usize,
        limits.max_connections_per_source as usize,
        state.metrics.connections("api"),
    );
    let acceptor = RustlsAcceptor::new(tls).acceptor(
        ProxyAcceptor::new(tcp_acceptor(limits), proxies, header_timeout(limits)).capped(caps),
    );
    let mut server = with_timeouts(axum_server::from_tcp(listener)?.acceptor(acceptor), limits);
    // Uploads stream large bodies: HTTP/2 windows of a few MiB keep the pipe full (the default
    // 64 KiB window stalls a PATCH at every round trip).
    server
        .http_builder()
        .http2()
        .initial_stream_window_size(4 << 20)
        .initial_connection_window_size(8 << 20);
    Ok(server)
}

/// Starts the service of `config` on its listen address (port 0: a free port) with `clock`.
pub async fn start(config: ServeConfig, clock: Clock) -> anyhow::Result<RunningService> {
    instance::init(config.instance_id.as_deref());
    let state = build_state(&config, clock).await?;
    let left = state.store.forget_leases_of_gone_processes().await?;
    if left > 0 {
        tracing::info!(leases = left, "leases left by an earlier process forgotten");
    }
    let listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle = Handle::new();
    let server = api_server(listener, &state, &config.limits, config.trusted_proxies())?
        .handle(handle.clone());
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        server
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
    });
    let delivery = delivery::Delivery::from_config(&config)?.map(|delivery| {
        tokio::spawn(
            delivery
                .with_metrics(state.metrics.clone())
                .run(state.store.clone()),
        )
    });
    let (metrics_addr, metrics) = match config.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for the metrics"))?;
            let bound = listener.local_addr()?;
            (Some(bound), Some(metrics::serve(listener, state.clone())))
        }
        None => (None, None),
    };
    state.endpoints.resume().await?;
    let reconciler = {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(state.endpoints.reconcile_every()).await;
                if let Err(error) = state.endpoints.reconcile().await {
                    tracing::error!(%error, "the endpoints were not reconciled");
                }
            }
        })
    };
    let jobs = {
        let state = state.clone();
        let every = Duration::from_secs(config.job_interval_seconds.max(1));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                state.guard.forget_idle();
                let run = jobs::run_due(&state.job_services()).await;
                state.metrics.job_run(run.is_ok());
                if let Err(error) = run {
                    tracing::error!(%error, "a job run failed");
                }
            }
        })
    };
    Ok(RunningService {
        addr,
        state,
        handle,
        task,
        delivery,
        jobs,
        reconciler,
        grace: Duration::from_secs(config.shutdown_grace_seconds),
        metrics_addr,
        metrics,
    })
}
