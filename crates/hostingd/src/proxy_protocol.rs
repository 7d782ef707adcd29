//! The PROXY protocol (v1 and v2, HAProxy's `send-proxy` / `send-proxy-v2`) in front of TLS, on
//! the API and the schedules' endpoints: behind a TCP balancer every connection comes from the
//! balancer, and the school's own address (for the rate limits, the lock-outs and the audit)
//! is in the header the balancer writes before the TLS handshake.
//!
//! Only the peers of `--proxy-protocol-from` may send one, and they must: a header from any other
//! peer is refused (it would let anyone choose their address), and a trusted peer without one is
//! refused too (its connections would all count as the balancer's). The header is parsed by the
//! `ppp` crate; this module reads exactly its bytes off the socket (so the TLS handshake that
//! follows reads the rest untouched) and hands the address to the request handlers as a
//! [`ClientAddr`] extension, which [`crate::limits::SourceAddr`] prefers to the TCP peer.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use axum::Extension;
use axum_server::accept::Accept;
use ppp::v2;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tower::Layer;

use crate::connections::{Admitted, ConnectionCaps, Refused};

/// The address of the client behind the balancer, from the PROXY header (or the TCP peer of a
/// connection that came without a balancer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// The networks whose connections start with a PROXY header (`--proxy-protocol-from`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `CIDR[,CIDR…]` (`10.0.0.0/8,192.0.2.7`, `2001:db8::/32`); a bare address is one host.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (address, length) = part.split_once('/').unwrap_or((part, ""));
            let address: IpAddr = address.parse().map_err(|_| {
                format!(
                    "{part:?} is not a network: write an address or address/length, e.g. 10.0.0.0/8"
                )
            })?;
            let most = if address.is_ipv4() { 32 } else { 128 };
            let length = if length.is_empty() {
                most
            } else {
                length
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= most)
                    .ok_or_else(|| {
                        format!("{part:?}: the prefix length is 0 to {most} for this address")
                    })?
            };
            networks.push((address, length));
        }
        if networks.is_empty() {
            return Err("give at least one network, e.g. 10.0.0.0/8".to_string());
        }
        Ok(TrustedProxies(networks))
    }

    /// Whether `peer` is one of the trusted networks.
    pub fn contains(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.0
            .iter()
            .any(|(network, length)| match (network, peer) {
                (IpAddr::V4(n), IpAddr::V4(p)) => prefix(
                    u128::from(u32::from(*n)) << 96,
                    u128::from(u32::from(p)) << 96,
                    *length,
                ),
                (IpAddr::V6(n), IpAddr::V6(p)) => prefix(u128::from(*n), u128::from(p), *length),
                _ => false,
            })
    }

    /// Whether no network is trusted (the PROXY protocol is off).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Whether the first `length` bits of `a` and `b` agree.
fn prefix(a: u128, b: u128, length: u8) -> bool {
    length == 0 || (a ^ b) >> (128 - u32::from(length)) == 0
}

/// The v2 signature; a v1 header starts with `PROXY `.
const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";
/// The longest v1 header (the specification's 107 bytes).
const V1_MAX: usize = 107;
/// The longest v2 header accepted (its addresses and a few TLVs).
const V2_MAX: usize = 4096;

/// An acceptor that reads the PROXY header before the inner acceptor (TCP options, then TLS),
/// and gives each request of the connection the client's address.
#[derive(Debug, Clone)]
pub struct ProxyAcceptor<A> {
    inner: A,
    trusted: TrustedProxies,
    timeout: Duration,
    caps: ConnectionCaps,
}

impl<A> ProxyAcceptor<A> {
    /// `inner` after the header of the peers of `trusted`, read within `timeout`.
    pub fn new(inner: A, trusted: TrustedProxies, timeout: Duration) -> ProxyAcceptor<A> {
        ProxyAcceptor {
            inner,
            trusted,
            timeout,
            caps: ConnectionCaps::unlimited(),
        }
    }

    /// The same, keeping the connections within `caps`: a slot of the listener is taken before
    /// the header is read, the client's own when it is known.
    pub fn capped(mut self, caps: ConnectionCaps) -> ProxyAcceptor<A> {
        self.caps = caps;
        self
    }
}

impl<A, S> Accept<TcpStream, S> for ProxyAcceptor<A>
where
    A: Accept<TcpStream, S> + Clone + Send + 'static,
    A::Future: Send,
    S: Send + 'static,
{
    type Stream = Admitted<A::Stream>;
    type Service = <Extension<ClientAddr> as Layer<A::Service>>::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, mut stream: TcpStream, service: S) -> Self::Future {
        let (inner, trusted, timeout) = (self.inner.clone(), self.trusted.clone(), self.timeout);
        let slot = self.caps.open();
        Box::pin(async move {
            let peer = stream.peer_addr()?;
            let slot = slot.map_err(|why| over_cap(peer, why))?;
            let client = if trusted.contains(peer.ip()) {
                tokio::time::timeout(timeout, read_header(&mut stream))
                    .await
                    .map_err(|_| refused(peer, "no PROXY header in time"))?
                    .map_err(|why| refused(peer, &why))?
                    .unwrap_or(peer)
            } else {
                if !trusted.is_empty() {
                    tokio::time::timeout(timeout, refuse_untrusted_header(&stream, peer))
                        .await
                        .map_err(|_| refused(peer, "nothing sent in time"))??;
                }
                peer
            };
            let slot = slot
                .from_source(client.ip())
                .map_err(|why| over_cap(client, why))?;
            let (stream, service) = inner.accept(stream, service).await?;
            Ok((
                Admitted::new(stream, slot),
                Extension(ClientAddr(client)).layer(service),
            ))
        })
    }
}

/// A connection closed at once by the caps (counted by the metrics; logged at debug only, since
/// a flood would fill the log).
fn over_cap(peer: SocketAddr, why: Refused) -> io::Error {
    tracing::debug!(%peer, ?why, "connection closed: over the connection caps");
    io::Error::new(io::ErrorKind::ConnectionRefused, "over the connection caps")
}

/// A connection refused, with why in the log (never the bytes).
fn refused(peer: SocketAddr, why: &str) -> io::Error {
    tracing::warn!(%peer, why, "connection refused (PROXY protocol)");
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

/// Refuses a connection from an untrusted peer that starts with a PROXY header (it would choose
/// its own address), when the protocol is on. A TLS handshake starts with 0x16; anything else
/// fails in TLS anyway. (With the protocol off, a header simply fails the TLS handshake.)
async fn refuse_untrusted_header(stream: &TcpStream, peer: SocketAddr) -> io::Result<()> {
    let mut first = [0u8; 1];
    match stream.peek(&mut first).await {
        Ok(1) if first[0] == b'P' || first[0] == b'\r' => Err(refused(
            peer,
            "a PROXY header from a peer outside --proxy-protocol-from",
        )),
        _ => Ok(()),
    }
}

/// Reads exactly one PROXY header (v1 or v2) off `stream`: the client's address, or `None` for
/// a header that carries none (v2 `LOCAL`, the balancer's own health checks; v1 `UNKNOWN`).
async fn read_header(stream: &mut TcpStream) -> Result<Option<SocketAddr>, String> {
    let mut bytes = vec![0u8; 16];
    stream
        .read_exact(&mut bytes[..6])
        .await
        .map_err(|_| "the connection ended before its PROXY header".to_string())?;
    if bytes[..6] == V2_SIGNATURE[..6] {
        stream
            .read_exact(&mut bytes[6..16])
            .await
            .map_err(|_| "the PROXY v2 header is cut short".to_string())?;
        let length = usize::from(u16::from_be_bytes([bytes[14], bytes[15]]));
        if 16 + length > V2_MAX {
            return Err("the PROXY v2 header is too long".to_string());
        }
        bytes.resize(16 + length, 0);
        stream
            .read_exact(&mut bytes[16..])
            .await
            .map_err(|_| "the PROXY v2 header is cut short".to_string())?;
    } else if &bytes[..6] == b"PROXY " {
        bytes.truncate(6);
        while !bytes.ends_with(b"\r\n") {
            if bytes.len() >= V1_MAX {
                return Err("the PROXY v1 header is too long".to_string());
            }
            let mut next = [0u8; 1];
            stream
                .read_exact(&mut next)
                .await
                .map_err(|_| "the PROXY v1 header is cut short".to_string())?;
            bytes.push(next[0]);
        }
    } else {
        return Err("the connection did not start with a PROXY header".to_string());
    }
    client_of(&bytes)
}

/// The client's address in a whole header.
fn client_of(bytes: &[u8]) -> Result<Option<SocketAddr>, String> {
    match ppp::HeaderResult::parse(bytes) {
        ppp::HeaderResult::V2(Ok(header)) => match (header.command, header.addresses) {
            (v2::Command::Local, _) => Ok(None),
            (v2::Command::Proxy, v2::Addresses::IPv4(a)) => {
                Ok(Some(SocketAddr::from((a.source_address, a.source_port))))
            }
            (v2::Command::Proxy, v2::Addresses::IPv6(a)) => {
                Ok(Some(SocketAddr::from((a.source_address, a.source_port))))
            }
            (v2::Command::Proxy, _) => Ok(None),
        },
        ppp::HeaderResult::V1(Ok(header)) => match header.addresses {
            ppp::v1::Addresses::Tcp4(a) => {
                Ok(Some(SocketAddr::from((a.source_address, a.source_port))))
            }
            ppp::v1::Addresses::Tcp6(a) => {
                Ok(Some(SocketAddr::from((a.source_address, a.source_port))))
            }
            ppp::v1::Addresses::Unknown => Ok(None),
        },
        _ => Err("the PROXY header is not valid".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_parsed_and_matched() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7,2001:db8::/32").unwrap();
        assert!(trusted.contains("10.1.2.3".parse().unwrap()));
        assert!(trusted.contains("192.0.2.7".parse().unwrap()));
        assert!(!trusted.contains("192.0.2.8".parse().unwrap()));
        assert!(trusted.contains("2001:db8:1::5".parse().unwrap()));
        assert!(!trusted.contains("2001:db9::5".parse().unwrap()));
        // An IPv4 peer seen on an IPv6 socket is matched as IPv4.
        assert!(trusted.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for wrong in ["", "10.0.0.0/33", "ten/8", "::/129"] {
            assert!(TrustedProxies::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_client_is_read_from_both_versions() {
        assert_eq!(
            client_of(b"PROXY TCP4 203.0.113.7 10.0.0.1 5555 443\r\n").unwrap(),
            Some("203.0.113.7:5555".parse().unwrap())
        );
        assert_eq!(client_of(b"PROXY UNKNOWN\r\n").unwrap(), None);
        let header = v2::Builder::with_addresses(
            v2::Version::Two | v2::Command::Proxy,
            v2::Protocol::Stream,
            (
                "[2001:db8::7]:4444".parse::<SocketAddr>().unwrap(),
                "[2001:db8::1]:443".parse::<SocketAddr>().unwrap(),
            ),
        )
        .build()
        .unwrap();
        assert_eq!(
            client_of(&header).unwrap(),
            Some("[2001:db8::7]:4444".parse().unwrap())
        );
        assert!(client_of(b"PROXY TCP4 nonsense\r\n").is_err());
    }
}
