"""The access history's origin: a network, never an address; a browser family, no version."""

import pytest

from app.shares.request_origin import browser_family, masked_network

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
)
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.77", "192.0.2.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        (" 10.1.2.3 ", "10.1.2.0/24"),
        ("", None),
        (None, None),
        ("not an address", None),
    ],
)
def test_the_network_hides_the_address(address, network):
    assert masked_network(address) == network


@pytest.mark.parametrize(
    ("user_agent", "family"),
    [
        (FIREFOX_ANDROID, "Firefox (Android)"),
        (SAFARI_IPHONE, "Safari (iOS)"),
        (EDGE_WINDOWS, "Edge (Windows)"),
        (CHROME_MAC, "Chrome (macOS)"),
        ("curl/8.5.0", None),
        ("Werkzeug/3.0 (Linux)", "Linux"),
        ("", None),
        (None, None),
    ],
)
def test_the_browser_family_has_no_version(user_agent, family):
    assert browser_family(user_agent) == family
