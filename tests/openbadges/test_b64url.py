"""The one base64url decoder is strict: one byte string, one text."""
from __future__ import annotations

import pytest

from openbadges import b64url


@pytest.mark.parametrize("text", ["AB", "AAB", "AR", "_-=", "A", "A A", "AA=="])
def test_refused(text):
    with pytest.raises(ValueError):
        b64url.decode(text)


@pytest.mark.parametrize("data", [b"", b"\0", b"\xff", b"\0\1", b"\xfa\xfb\xfc", bytes(range(200))])
def test_round_trip(data):
    assert b64url.decode(b64url.encode(data)) == data


def test_a_changed_last_character_never_decodes_to_the_same_bytes():
    # e.g. a JWT signature segment: its last character also carries unused bits
    text = b64url.encode(b"\x12\x34")  # 3 characters, 2 unused bits
    same = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            if c != text[-1] and _decodes_to(text[:-1] + c, b"\x12\x34")]
    assert same == []


def _decodes_to(text, data) -> bool:
    try:
        return b64url.decode(text) == data
    except ValueError:
        return False
