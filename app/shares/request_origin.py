"""Roughly where a request came from: the network (never the address) and the browser family.

The recipient's access history shows these, so a recipient can tell "my phone, at home" from
a stranger without the audit keeping more than it needs to show.
"""

from __future__ import annotations

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 48

# First match wins: most browsers also name the ones they were built from (Edge says
# "Chrome" and "Safari", Chrome says "Safari").
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def masked_network(address: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) around `address`, e.g. `192.0.2.0/24`; None if unreadable."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def browser_family(user_agent: str | None) -> str | None:
    """`Firefox (Android)`, `Safari (iOS)`, `Chrome`: the family, never the version; None
    when neither is known. Proper names only, so it reads the same in every language."""
    text = user_agent or ""
    browser = next((name for token, name in BROWSERS if token in text), None)
    system = next((name for token, name in SYSTEMS if token in text), None)
    if browser and system:
        return f"{browser} ({system})"
    return browser or system
