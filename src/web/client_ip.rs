//! The client's address, for the sign-in limits: the connection's, or, when the connection comes
//! from a reverse proxy named in `--trusted-proxies`, the address that proxy says it serves.
//!
//! Behind a load balancer every connection comes from the balancer, so without this every
//! client would share one address and one client's failed sign-ins would lock out everyone.
//! `X-Forwarded-For` is only believed from a trusted proxy: anyone else could write any address
//! into it and so dodge the per-address limit.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use sqlx::types::ipnetwork::IpNetwork;

use crate::state::AppState;

/// The client's address; None when the server runs without connection info (some tests).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientIp(None));
        };
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientIp(Some(client_address(
            peer.ip(),
            &forwarded,
            &state.settings.trusted_proxies,
        ))))
    }
}

/// The address a request comes from. Each proxy appends the address it got the request from to
/// `X-Forwarded-For`, so reading from the right, the first address that is not a trusted proxy is
/// the client; whatever stands left of it the client may have written itself. An entry that is
/// not an address ends the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNetwork]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let entries = forwarded_for
        .iter()
        .flat_map(|header| header.split(','))
        .collect::<Vec<_>>();
    for entry in entries.into_iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            return client;
        };
        client = ip;
        if !is_trusted(ip) {
            return ip;
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, and the forms with a port some proxies write
/// (`203.0.113.7:5123`, `[2001:db8::1]:5123`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn nets(list: &[&str]) -> Vec<IpNetwork> {
        list.iter().map(|n| n.parse().expect("a network")).collect()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let got = client_address(ip("127.0.0.1"), &["203.0.113.7"], &[]);
        assert_eq!(got, ip("127.0.0.1"));
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let got = client_address(ip("198.51.100.9"), &["203.0.113.7"], &nets(&["127.0.0.1"]));
        assert_eq!(got, ip("198.51.100.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_address_it_appended() {
        let got = client_address(ip("127.0.0.1"), &["203.0.113.7"], &nets(&["127.0.0.1"]));
        assert_eq!(got, ip("203.0.113.7"));
    }

    #[test]
    fn addresses_the_client_wrote_itself_are_not_believed() {
        // The client sent "X-Forwarded-For: 10.9.9.9"; the proxy appended the real address.
        let got = client_address(
            ip("127.0.0.1"),
            &["10.9.9.9, 203.0.113.7"],
            &nets(&["127.0.0.1", "10.0.0.0/8"]),
        );
        assert_eq!(got, ip("203.0.113.7"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let got = client_address(
            ip("10.0.0.2"),
            &["203.0.113.7, 10.0.0.1"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("203.0.113.7"));
        // The same, as one header line per proxy.
        let got = client_address(
            ip("10.0.0.2"),
            &["203.0.113.7", "10.0.0.1"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("203.0.113.7"));
    }

    #[test]
    fn ports_and_ipv6_are_understood() {
        let trusted = nets(&["127.0.0.1", "::1"]);
        assert_eq!(
            client_address(ip("::1"), &["[2001:db8::1]:5123"], &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &["203.0.113.7:5123"], &trusted),
            ip("203.0.113.7")
        );
        // An IPv4 peer seen on an IPv6 socket is still the trusted IPv4 proxy.
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &["203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn garbage_stops_at_the_last_trusted_hop() {
        let trusted = nets(&["127.0.0.1"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &["unknown"], &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &[], &trusted),
            ip("127.0.0.1")
        );
    }
}
