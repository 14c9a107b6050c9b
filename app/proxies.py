"""Believe forwarded headers only from the proxies the operator named, by address.

A request's peer (`REMOTE_ADDR`) is a trusted proxy when it lies in `TRUSTED_PROXY_IPS`.
Then the client is the right-most `X-Forwarded-For` entry that is not itself a trusted
proxy (each proxy appends the address it saw), the scheme comes from
`X-Forwarded-Proto`, and the proxy's `X-Request-ID` is kept. From any other peer those
headers are ignored, so a client reaching gunicorn directly cannot pick its own address
(and so dodge the sign-in limits or write a false one into the audit log).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
TRUSTED_REQUEST_ID = "mockloop.trusted_request_id"


def parse_networks(items: Iterable[str]) -> tuple[IPNetwork, ...]:
    """`("127.0.0.1", "10.0.0.0/24")` as networks (a bare address is a /32 or /128)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items)


@functools.lru_cache(maxsize=4096)  # the same few peers and clients on every request
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(address: str | None, networks: tuple[IPNetwork, ...]) -> bool:
    """Whether `address` lies in one of `networks`."""
    parsed = _address(address or "")
    return parsed is not None and any(parsed in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, networks: tuple[IPNetwork, ...]) -> str:
    """The client's address: the peer, or, behind trusted proxies, the first untrusted hop."""
    if not is_trusted(peer, networks) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            return peer  # a garbled header from a trusted proxy: fall back to the proxy
        if not any(parsed in network for network in networks):
            return str(parsed)
    return str(_address(hops[0])) if hops else peer


class TrustedProxies:
    """WSGI middleware applying the rule above to `REMOTE_ADDR` and `wsgi.url_scheme`."""

    def __init__(self, wsgi_app, trusted: Iterable[str]):
        self.wsgi_app = wsgi_app
        self.networks = parse_networks(trusted)

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        if is_trusted(peer, self.networks):
            environ["REMOTE_ADDR"] = client_address(
                peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks
            )
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            if environ.get("HTTP_X_REQUEST_ID"):
                environ[TRUSTED_REQUEST_ID] = environ["HTTP_X_REQUEST_ID"]
        return self.wsgi_app(environ, start_response)
