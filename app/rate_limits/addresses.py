"""The client's address and network, as the rate limits count them."""

from __future__ import annotations

import ipaddress

from flask import request

# A /24 is what one IPv4 customer, site or NAT usually holds; a /64 is the smallest IPv6
# network one subscriber gets, and inside it every address is free to pick.
NETWORK_PREFIX = {4: 24, 6: 64}


def client_address() -> str:
    """The client's address (after ProxyFix, when PROXY_FIX_HOPS trusts a proxy)."""
    return request.remote_addr or "unknown"


def client_network() -> str:
    """The network the client's address belongs to: its IPv4 /24 or IPv6 /64."""
    text = client_address()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text  # not an IP (a Unix socket, a test client): counted as itself
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = NETWORK_PREFIX[address.version]
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
