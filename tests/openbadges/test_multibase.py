import os

import pytest
from hypothesis import given, strategies as st

from openbadges import multibase


@given(st.binary(max_size=80))
def test_roundtrip_both_bases(data):
    assert multibase.decode(multibase.encode(data, "z")) == data
    assert multibase.decode(multibase.encode(data, "u")) == data


def test_leading_zero_bytes_survive_base58():
    data = b"\0\0\x01\x02"
    text = multibase.encode(data, "z")
    assert text.startswith("z11")
    assert multibase.decode(text) == data


def test_known_base58btc_value():
    # "hello world" in base58btc (multibase spec example "zStV1DL6CwTryKyV")
    assert multibase.encode(b"hello world", "z") == "zStV1DL6CwTryKyV"


def test_base64url_has_no_padding():
    assert multibase.encode(b"\xff\xfe", "u") == "u__4"


@pytest.mark.parametrize("bad", ["", "x123", "z0OIl", "u+/==", "u@@@", 5])
def test_rejects_bad_input_clearly(bad):
    with pytest.raises(multibase.MultibaseError):
        multibase.decode(bad)


def test_multikey_prefixes():
    key = os.urandom(32)
    text = multibase.encode_multikey(multibase.ED25519_PUB, key)
    assert text.startswith("z6Mk")
    assert multibase.decode_multikey(text) == ("ed25519-pub", key)
    assert multibase.P256_PUB == bytes([0x80, 0x24])  # varint(0x1200)
    assert multibase.decode_multikey(multibase.encode_multikey(multibase.ED25519_PRIV, key))[0] == "ed25519-priv"
    with pytest.raises(multibase.MultibaseError):
        multibase.decode_multikey(multibase.encode(b"\x01\x02" + key, "z"))
