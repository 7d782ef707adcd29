//! The connections a listener keeps open: a cap for the listener (the API, or one schedule's
//! endpoint) and a cap per source address (an IPv4 address or an IPv6 /64, the client behind a
//! balancer when the PROXY protocol names it). A connection over either cap is closed at once,
//! before its TLS handshake, and counted; it never waits in a queue. The slot is held by the
//! connection's stream and given back when the connection ends.
//!
//! Together with the first-request and header timeouts (which close a connection that says
//! nothing, and an HTTP/1 connection idle between two requests) and HTTP/2 pings, this bounds
//! what idle or slow clients can hold: 2,000 connections that say nothing to one endpoint take
//! at most its cap of sockets and tasks, the API keeps answering beside them (test
//! `connection_limits`).

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::limits::source_key;

/// Why a connection was closed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The listener holds its most connections.
    Full,
    /// The source address holds its most connections on this listener.
    Source,
}

/// The counters of a kind of listener (`api` or `endpoint`), shared by its listeners and read by
/// the metrics.
#[derive(Debug, Clone, Default)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: Gauge,
    /// Connections closed at once because the listener was full.
    pub refused_full: Counter,
    /// Connections closed at once because their source held its most.
    pub refused_source: Counter,
}

/// The caps of one listener. Cloning shares them.
#[derive(Debug, Clone)]
pub struct ConnectionCaps {
    inner: Arc<Caps>,
}

#[derive(Debug)]
struct Caps {
    slots: Arc<Semaphore>,
    per_source: usize,
    sources: Mutex<HashMap<IpAddr, usize>>,
    stats: ConnectionStats,
}

impl ConnectionCaps {
    /// At most `total` connections at once, `per_source` of them from one source (both at least
    /// one), counted in `stats`.
    pub fn new(total: usize, per_source: usize, stats: ConnectionStats) -> ConnectionCaps {
        ConnectionCaps {
            inner: Arc::new(Caps {
                slots: Arc::new(Semaphore::new(total.max(1))),
                per_source: per_source.max(1),
                sources: Mutex::new(HashMap::new()),
                stats,
            }),
        }
    }

    /// No cap that a test or a local service would meet (the console's built-in service).
    pub fn unlimited() -> ConnectionCaps {
        ConnectionCaps::new(
            Semaphore::MAX_PERMITS,
            usize::MAX,
            ConnectionStats::default(),
        )
    }

    /// A slot of the listener for a new connection, before anything is read from it.
    pub fn open(&self) -> Result<Slot, Refused> {
        let Ok(permit) = self.inner.slots.clone().try_acquire_owned() else {
            self.inner.stats.refused_full.inc();
            return Err(Refused::Full);
        };
        self.inner.stats.open.inc();
        Ok(Slot {
            caps: self.inner.clone(),
            _permit: permit,
            source: None,
        })
    }
}

/// A connection's place in the caps of its listener; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    caps: Arc<Caps>,
    _permit: OwnedSemaphorePermit,
    source: Option<IpAddr>,
}

impl Slot {
    /// Counts the connection for its source `client` (known once a PROXY header is read);
    /// refused, and the slot given back, when the source holds its most already.
    pub fn from_source(mut self, client: IpAddr) -> Result<Slot, Refused> {
        let key = source_key(client);
        {
            let mut sources = self
                .caps
                .sources
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let count = sources.entry(key).or_insert(0);
            if *count >= self.caps.per_source {
                drop(sources);
                self.caps.stats.refused_source.inc();
                return Err(Refused::Source);
            }
            *count += 1;
        }
        self.source = Some(key);
        Ok(self)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.caps.stats.open.dec();
        if let Some(key) = self.source {
            let mut sources = self
                .caps
                .sources
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(count) = sources.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    sources.remove(&key);
                }
            }
        }
    }
}

/// A connection's stream with its slot, given back when the connection ends.
#[derive(Debug)]
pub struct Admitted<S> {
    stream: S,
    _slot: Slot,
}

impl<S> Admitted<S> {
    /// `stream`, holding `slot` for as long as it lives.
    pub fn new(stream: S, slot: Slot) -> Admitted<S> {
        Admitted {
            stream,
            _slot: slot,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Admitted<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Admitted<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caps_close_what_is_over_and_give_back_what_ends() {
        let stats = ConnectionStats::default();
        let caps = ConnectionCaps::new(3, 2, stats.clone());
        let one: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "198.51.100.9".parse().unwrap();
        let a = caps.open().unwrap().from_source(one).unwrap();
        let b = caps.open().unwrap().from_source(one).unwrap();
        assert_eq!(
            caps.open().unwrap().from_source(one).unwrap_err(),
            Refused::Source
        );
        let c = caps.open().unwrap().from_source(other).unwrap();
        assert_eq!(caps.open().unwrap_err(), Refused::Full);
        assert_eq!(stats.open.get(), 3);
        assert_eq!(
            (stats.refused_source.get(), stats.refused_full.get()),
            (1, 1)
        );
        drop(a);
        let d = caps.open().unwrap().from_source(one).unwrap();
        drop((b, c, d));
        assert_eq!(stats.open.get(), 0);
        assert!(caps.inner.sources.lock().unwrap().is_empty());
    }

    #[test]
    fn an_ipv6_source_is_its_64() {
        let caps = ConnectionCaps::new(10, 1, ConnectionStats::default());
        let _a = caps
            .open()
            .unwrap()
            .from_source("2001:db8:1:2::7".parse().unwrap())
            .unwrap();
        assert_eq!(
            caps.open()
                .unwrap()
                .from_source("2001:db8:1:2::8".parse().unwrap())
                .unwrap_err(),
            Refused::Source
        );
        assert!(
            caps.open()
                .unwrap()
                .from_source("2001:db8:1:3::7".parse().unwrap())
                .is_ok()
        );
    }
}
