import base64
import gzip
import json
from pathlib import Path

import pytest

from openbadges.schema import validate
from openbadges.status_list import (
    MIN_SIZE,
    StatusList,
    StatusListError,
    read_status,
    status_entry,
    status_list_credential,
)

EXAMPLES = Path(__file__).with_name("examples")
SPEC_ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_spec_example_encoded_list_is_131072_clear_bits():
    status_list = StatusList.decode(SPEC_ENCODED_LIST)
    assert status_list.size == MIN_SIZE
    assert status_list == StatusList()
    assert all(status_list.get(i) == 0 for i in (0, 1, 94567, MIN_SIZE - 1))


def test_spec_example_credential_reads_and_validates():
    credential = json.loads((EXAMPLES / "status_list_credential.json").read_text())
    assert validate(credential) == []
    assert read_status(credential, 94567) == 0
    assert read_status(credential, "94567", purpose="revocation") == 0


def test_index_zero_is_the_leftmost_bit_of_the_first_byte():
    status_list = StatusList()
    status_list.set(0)
    status_list.set(9)
    raw = gzip.decompress(base64.urlsafe_b64decode(status_list.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000
    assert len(raw) == MIN_SIZE // 8


def test_encoding_is_multibase_base64url_without_padding_and_round_trips():
    status_list = StatusList(size=MIN_SIZE * 2)
    for index in (0, 7, 8, 4242, MIN_SIZE, MIN_SIZE * 2 - 1):
        status_list.set(index)
    status_list.clear(4242)
    encoded = status_list.encode()
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    decoded = StatusList.decode(encoded)
    assert decoded == status_list and decoded.size == MIN_SIZE * 2
    assert [decoded.get(i) for i in (0, 7, 8, 4242, 4243, MIN_SIZE, MIN_SIZE * 2 - 1)] == [1, 1, 1, 0, 0, 1, 1]
    assert StatusList().encode() == StatusList().encode()  # deterministic (mtime 0)


@pytest.mark.parametrize("index", [-1, MIN_SIZE, MIN_SIZE + 100, True, 1.5, "3"])
def test_out_of_range_or_non_integer_index_is_an_error(index):
    with pytest.raises(StatusListError):
        StatusList().get(index)
    with pytest.raises(StatusListError):
        StatusList().set(index)


def test_size_below_minimum_and_bad_values_are_rejected():
    with pytest.raises(StatusListError):
        StatusList(size=1024)
    with pytest.raises(StatusListError):
        StatusList(size=MIN_SIZE + 3)
    with pytest.raises(StatusListError):
        StatusList().set(3, 2)


@pytest.mark.parametrize("encoded", [
    "",
    SPEC_ENCODED_LIST[1:],                      # no multibase prefix
    "z" + SPEC_ENCODED_LIST[1:],                # base58btc prefix
    SPEC_ENCODED_LIST + "=",                    # padded
    "u!!!!",                                    # not base64url
    "u" + base64.urlsafe_b64encode(b"plain text").decode().rstrip("="),   # not gzip
    SPEC_ENCODED_LIST[:30],                     # truncated gzip
    "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("="),  # too short
])
def test_malformed_encoded_lists_are_rejected(encoded):
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_decompression_bomb_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="too large"):
        StatusList.decode(bomb)


def test_credential_and_entry_builders_follow_the_spec_shape():
    status_list = StatusList()
    status_list.set(94567)
    url = "https://badges.example/status/revocation/1"
    credential = status_list_credential(id=url, issuer="did:web:badges.example", purpose="revocation",
                                        status_list=status_list, valid_from="2024-01-01T00:00:00Z")
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["statusPurpose"] == "revocation"
    assert validate(credential) == []
    entry = status_entry(list_credential_url=url, index=94567, purpose="revocation")
    assert entry == {"id": url + "#94567", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                     "statusListIndex": "94567", "statusListCredential": url}
    assert read_status(credential, int(entry["statusListIndex"]), purpose=entry["statusPurpose"]) == 1
    assert read_status(credential, 94566) == 0


def test_suspension_purpose_and_purpose_mismatch():
    credential = status_list_credential(id="https://x.example/s/1", issuer="did:web:x.example",
                                        purpose="suspension", status_list=StatusList())
    assert credential["validFrom"].endswith("Z")
    with pytest.raises(StatusListError, match="does not match"):
        read_status(credential, 1, purpose="revocation")
    with pytest.raises(StatusListError):
        status_entry(list_credential_url="https://x.example/s/1", index=1, purpose="refresh")
    with pytest.raises(StatusListError):
        status_entry(list_credential_url="https://x.example/s/1", index=-1, purpose="suspension")


@pytest.mark.parametrize("mutate", [
    lambda c: c.update(type=["VerifiableCredential"]),
    lambda c: c.update(credentialSubject="nope"),
    lambda c: c["credentialSubject"].update(type="StatusList2021"),
    lambda c: c["credentialSubject"].pop("statusPurpose"),
    lambda c: c["credentialSubject"].pop("encodedList"),
])
def test_read_status_validates_shape(mutate):
    credential = json.loads((EXAMPLES / "status_list_credential.json").read_text())
    mutate(credential)
    with pytest.raises(StatusListError):
        read_status(credential, 0)


def test_read_status_range_error():
    credential = json.loads((EXAMPLES / "status_list_credential.json").read_text())
    with pytest.raises(StatusListError, match="outside"):
        read_status(credential, MIN_SIZE)
    with pytest.raises(StatusListError):
        read_status(credential, "-1")
