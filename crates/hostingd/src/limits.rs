//! Limits against denial of service: per-source-address rate limits on the routes that hash a
//! password or send messages (`governor`), the request timeout of the JSON routes, and the
//! connection timeouts and keep-alives of the server (flags in [`LimitsConfig`]).
//!
//! The source address is the TCP peer (`ConnectInfo`), or behind a TCP balancer of
//! `--proxy-protocol-from` the client its PROXY header names ([`crate::proxy_protocol`]), never an
//! HTTP header such as `X-Forwarded-For`: `hostingd` terminates TLS itself (it needs the client
//! certificate), so every HTTP header is the caller's to forge. IPv6 callers are keyed by their
//! /64, the smallest block a provider gives to one customer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};
use hosting_api::paths;

/// The flags of the limits (part of `hostingd serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitsConfig {
    /// Enrollments and "Receive my hosting logins" accepted per minute from one source address
    /// (an IPv4 address or an IPv6 /64); more answer `429 rate_limited`.
    #[arg(long, env = "HOSTINGD_PUBLIC_RATE_PER_MINUTE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_rate_per_minute: u32,
    /// Of those, how many may come at once (burst) before the per-minute rate applies.
    #[arg(long, env = "HOSTINGD_PUBLIC_RATE_BURST", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_rate_burst: u32,
    /// Logins (`POST /v1/sessions`) accepted per minute from one source address.
    #[arg(long, env = "HOSTINGD_LOGIN_RATE_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub login_rate_per_minute: u32,
    /// Of those, how many may come at once (burst).
    #[arg(long, env = "HOSTINGD_LOGIN_RATE_BURST", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub login_rate_burst: u32,
    /// Password checks that may wait for a hashing slot; more answer `503 busy` at once.
    /// Default: 8 per slot.
    #[arg(long, env = "HOSTINGD_MAX_QUEUED_HASHES")]
    pub max_queued_hashes: Option<usize>,
    /// Longest wait for a hashing slot, in milliseconds, before `503 busy` with `Retry-After`.
    #[arg(long, env = "HOSTINGD_HASH_WAIT_MS", default_value_t = 2000)]
    pub hash_wait_ms: u64,
    /// Longest time a request (other than an upload's PATCH) may take, body included, in
    /// seconds; then `408 request_timeout`.
    #[arg(long, env = "HOSTINGD_REQUEST_TIMEOUT_SECONDS", default_value_t = 60)]
    pub request_timeout_seconds: u64,
    /// An upload's PATCH ends with `408 upload_stalled` when no byte arrives for this long, in
    /// seconds; what arrived before is kept as for an interrupted chunk.
    #[arg(
        long,
        env = "HOSTINGD_UPLOAD_CHUNK_TIMEOUT_SECONDS",
        default_value_t = 60
    )]
    pub upload_chunk_timeout_seconds: u64,
    /// A connection must send a request's headers within this many seconds, also when it waits
    /// idle between two HTTP/1 requests (HTTP/1 header read timeout, and the first-request
    /// timeout of every connection); then it is closed. Above the console's 50 s pool idle time,
    /// so that the console never reuses a connection the service is closing.
    #[arg(long, env = "HOSTINGD_HEADER_TIMEOUT_SECONDS", default_value_t = 60)]
    pub header_timeout_seconds: u64,
    /// Seconds between HTTP/2 pings on a connection; a connection that does not answer one within
    /// as many seconds is closed.
    #[arg(long, env = "HOSTINGD_HTTP2_KEEPALIVE_SECONDS", default_value_t = 30)]
    pub http2_keepalive_seconds: u64,
    /// Idle seconds before TCP keep-alive probes start on an accepted connection.
    #[arg(long, env = "HOSTINGD_TCP_KEEPALIVE_SECONDS", default_value_t = 60)]
    pub tcp_keepalive_seconds: u64,
    /// Connections the API keeps open at once; more are closed at once, before TLS. Mind the
    /// process's open-file limit (`LimitNOFILE=` of the systemd unit).
    #[arg(long, env = "HOSTINGD_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Of those, how many one source address (an IPv4 address or an IPv6 /64; the client behind
    /// a balancer that sends the PROXY protocol) may hold.
    #[arg(long, env = "HOSTINGD_MAX_CONNECTIONS_PER_SOURCE", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections_per_source: u32,
    /// Connections each schedule's endpoint keeps open at once; more are closed at once.
    #[arg(long, env = "HOSTINGD_ENDPOINT_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub endpoint_max_connections: u32,
    /// Of those, how many one source address may hold (a school behind one NAT address holds
    /// all its PRONOTE clients' connections).
    #[arg(long, env = "HOSTINGD_ENDPOINT_MAX_CONNECTIONS_PER_SOURCE", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub endpoint_max_connections_per_source: u32,
    /// Requests each schedule's endpoint answers at once; more answer `503` with `Retry-After`
    /// at once (they never wait in a queue).
    #[arg(long, env = "HOSTINGD_ENDPOINT_REQUESTS_AT_ONCE", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub endpoint_requests_at_once: u32,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            public_rate_per_minute: 20,
            public_rate_burst: 20,
            login_rate_per_minute: 60,
            login_rate_burst: 30,
            max_queued_hashes: None,
            hash_wait_ms: 2000,
            request_timeout_seconds: 60,
            upload_chunk_timeout_seconds: 60,
            header_timeout_seconds: 60,
            http2_keepalive_seconds: 30,
            tcp_keepalive_seconds: 60,
            max_connections: 4096,
            max_connections_per_source: 256,
            endpoint_max_connections: 1024,
            endpoint_max_connections_per_source: 256,
            endpoint_requests_at_once: 64,
        }
    }
}

/// One rate limiter: a token bucket per source address.
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimit {
    /// `per_minute` requests a minute with bursts of `burst`.
    pub fn new(per_minute: u32, burst: u32) -> RateLimit {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        RateLimit {
            limiter: governor::RateLimiter::keyed(quota),
        }
    }

    /// `Ok` when `source` may go on, else the seconds to wait.
    pub fn check(&self, source: IpAddr) -> Result<(), u64> {
        self.limiter
            .check_key(&source_key(source))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
            .map_err(|seconds| seconds.max(1))
    }

    /// Forgets the addresses whose bucket is full again, so that many addresses cannot grow the
    /// table without end.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The limits the router applies.
pub struct Guard {
    /// Enrollments and "Receive my hosting logins".
    pub public: RateLimit,
    /// `POST /v1/sessions`.
    pub login: RateLimit,
    /// Timeout of a request other than an upload's PATCH.
    pub request_timeout: Duration,
    /// Longest silence inside an upload's PATCH body.
    pub upload_chunk_timeout: Duration,
}

impl Guard {
    /// The limits of `config`.
    pub fn new(config: &LimitsConfig) -> Guard {
        Guard {
            public: RateLimit::new(config.public_rate_per_minute, config.public_rate_burst),
            login: RateLimit::new(config.login_rate_per_minute, config.login_rate_burst),
            request_timeout: Duration::from_secs(config.request_timeout_seconds.max(1)),
            upload_chunk_timeout: Duration::from_secs(config.upload_chunk_timeout_seconds.max(1)),
        }
    }

    /// The limiter of a route, if it has one. Certificate logins have their own bucket, so that
    /// a flood of anonymous enrollments from an address (a school's NAT, say) does not stop the
    /// enrolled workstations behind it from logging in.
    pub(crate) fn limiter(&self, method: &Method, path: &str) -> Option<&RateLimit> {
        if method != Method::POST {
            return None;
        }
        match path {
            paths::ENROLLMENTS | paths::LOGINS_RESEND => Some(&self.public),
            paths::SESSIONS => Some(&self.login),
            _ => None,
        }
    }

    /// Forgets idle addresses in every limiter.
    pub fn forget_idle(&self) {
        self.public.forget_idle();
        self.login.forget_idle();
    }
}

impl Default for Guard {
    fn default() -> Guard {
        Guard::new(&LimitsConfig::default())
    }
}

/// The key of an address: IPv4 as is (also when mapped into IPv6), IPv6 by its /64.
pub fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
    }
}

/// The TCP peer's address. A router served without connect info (a test calling it directly)
/// gets the unspecified address, one shared bucket.
#[derive(Debug, Clone, Copy)]
pub struct SourceAddr(pub IpAddr);

impl SourceAddr {
    pub(crate) fn of(extensions: &axum::http::Extensions) -> SourceAddr {
        let peer = extensions
            .get::<crate::proxy_protocol::ClientAddr>()
            .map(|client| client.0)
            .or_else(|| {
                extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|info| info.0)
            });
        SourceAddr(peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| {
            addr.ip().to_canonical()
        }))
    }

    /// The key under which failures from this address are counted.
    pub fn key(&self) -> String {
        source_key(self.0).to_string()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SourceAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(SourceAddr::of(&parts.extensions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_callers_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(source_key(a), source_key(b));
        assert_ne!(source_key(a), source_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(source_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_bucket_refuses_past_its_burst_with_the_wait() {
        let limit = RateLimit::new(1, 2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limit.check(ip).is_ok());
        assert!(limit.check(ip).is_ok());
        let wait = limit.check(ip).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limit.check("192.0.2.2".parse().unwrap()).is_ok());
    }
}
