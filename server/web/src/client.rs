//! Who is on the other end: the client's address, as both servers count it for throttling,
//! connection caps and a device's last-seen address.
//!
//! The address is the TCP peer's, unless that peer is one of the operator's trusted
//! reverse proxies (`server.trusted_proxies`): then it is the last address in
//! `X-Forwarded-For` that is not itself a trusted proxy. A client cannot choose its address
//! by sending the header: from anyone else the header is ignored.

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(proxies: impl IntoIterator<Item = IpAddr>) -> Self {
        TrustedProxies(proxies.into_iter().collect())
    }

    pub fn trusts(&self, addr: IpAddr) -> bool {
        self.0.contains(&canonical(addr))
    }

    /// The client's address, from the TCP peer and the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        // Each proxy appends the address it heard from: read from the right, past our own.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(addr) if self.trusts(addr) => continue,
                Ok(addr) => return canonical(addr),
                // Garbage from beyond the proxy: the proxy's own word is all we have.
                Err(_) => return peer,
            }
        }
        peer
    }

    /// Whether the request reached the proxy over HTTPS (only a trusted proxy is asked).
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.trusts(peer)
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
pub(crate) fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The TCP peer of a request: `0.0.0.0` when the server was not started with connection
/// info (a router called directly).
pub fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| canonical(c.0.ip()))
}

/// The client's address (see the module's notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let proxies = TrustedProxies::from_ref(state);
        Ok(ClientAddr(proxies.client(peer(parts), &parts.headers)))
    }
}

/// A request extension the server adds to every request it reads over its own TLS.
#[derive(Clone, Copy, Debug)]
pub struct OverTls;

/// Whether the client reached us over HTTPS: our own TLS, or a trusted proxy's
/// (`X-Forwarded-Proto: https`). Session cookies are `Secure` then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Https(pub bool);

impl<S> FromRequestParts<S> for Https
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let proxies = TrustedProxies::from_ref(state);
        Ok(Https(
            parts.extensions.get::<OverTls>().is_some()
                || proxies.forwarded_https(peer(parts), &parts.headers),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "10.0.0.9".parse().unwrap();
        let proxies = TrustedProxies::new([proxy]);
        let h = headers("1.2.3.4, 10.0.0.1");
        assert_eq!(
            proxies.client(proxy, &h),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxies.client(stranger, &h), stranger);
        // A client's own made-up hop, left of the real one, is not believed.
        let h = headers("6.6.6.6, 1.2.3.4");
        assert_eq!(
            proxies.client(proxy, &h),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxies.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(proxies.client(proxy, &headers("nonsense")), proxy);
    }

    #[test]
    fn mapped_addresses_are_ipv4() {
        let mapped: IpAddr = "::ffff:192.168.1.5".parse().unwrap();
        let proxies = TrustedProxies::new(["192.168.1.5".parse().unwrap()]);
        assert!(proxies.trusts(mapped));
        assert_eq!(
            TrustedProxies::default().client(mapped, &HeaderMap::new()),
            "192.168.1.5".parse::<IpAddr>().unwrap()
        );
    }
}
