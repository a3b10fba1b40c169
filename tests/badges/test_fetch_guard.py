"""The verifier's fetch guard refuses IPv6 addresses that lead to private or
loopback IPv4 through NAT64, 6to4, Teredo or IPv4-compatible forms (issue 14)."""
from __future__ import annotations

import ipaddress

import pytest

from service.badges.fetch import FetchError, fetch, is_public_address

REFUSED = ["64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::c0a8:101", "2002:7f00:1::1", "2002:a00:1::1",
           "2002:c0a8:101::1", "2001:0:0a00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::ffff:127.0.0.1",
           "::127.0.0.1", "::1", "fe80::1", "fc00::1", "127.0.0.1", "10.1.2.3", "169.254.169.254"]
ALLOWED = ["64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_targets_behind_ipv6_translation_are_refused(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_stay_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "[2001:0:0a00:1::1]"])
def test_fetch_refuses_them_before_connecting(app, host):
    with app.app_context(), pytest.raises(FetchError, match="private, loopback or reserved"):
        fetch(f"http://{host}:8080/credential.json", timeout=1)
