import hashlib

import pytest

from openbadges.identity import IdentityError, hashed_email, matches, normalize_email


def test_spec_identity_hash_example():
    # OB 3.0 B.7 IdentityHash: sha256 of 'a@example.com' salted with 'Kosher'
    identity = hashed_email("a@example.com", salt="Kosher")
    assert identity == {
        "type": "IdentityObject",
        "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "Kosher",
    }


def test_email_is_trimmed_and_lowercased_before_hashing():
    assert hashed_email("  A@Example.COM\n", "Kosher") == hashed_email("a@example.com", "Kosher")
    assert normalize_email(" Student@School.EDU ") == "student@school.edu"


def test_random_salt_differs_per_call_and_never_leaks_the_address():
    first, second = hashed_email("kim@school.edu"), hashed_email("kim@school.edu")
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]
    assert "kim" not in first["identityHash"]
    expected = hashlib.sha256(("kim@school.edu" + first["salt"]).encode()).hexdigest()
    assert first["identityHash"] == "sha256$" + expected


def test_matches_hashed_identity_with_normalisation():
    identity = hashed_email("kim@school.edu", "pepper")
    assert matches(identity, "Kim@School.edu ")
    assert not matches(identity, "kim@school.org")
    assert not matches({**identity, "salt": "salt"}, "kim@school.edu")


def test_matches_uppercase_hex_unsalted_md5_and_plaintext():
    unsalted = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                "identityHash": "sha256$" + hashlib.sha256(b"kim@school.edu").hexdigest().upper()}
    assert matches(unsalted, "kim@school.edu")
    md5 = {**unsalted, "identityHash": "md5$" + hashlib.md5(b"kim@school.eduX").hexdigest(), "salt": "X"}
    assert matches(md5, "KIM@school.edu")
    plain = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False,
             "identityHash": "Kim@School.edu"}
    assert matches(plain, "kim@school.edu")


def test_other_identity_types_do_not_match_an_email():
    identity = {**hashed_email("kim@school.edu", "s"), "identityType": "userName"}
    assert not matches(identity, "kim@school.edu")


@pytest.mark.parametrize("email", ["", "   ", "no-at-sign", "@school.edu", "kim@", "k im@school.edu", None])
def test_bad_email_is_a_clear_error(email):
    with pytest.raises(IdentityError):
        hashed_email(email, "salt")


def test_malformed_identity_objects_are_clear_errors():
    with pytest.raises(IdentityError):
        matches("sha256$abc", "kim@school.edu")
    with pytest.raises(IdentityError, match="algorithm"):
        matches({"identityType": "emailAddress", "hashed": True, "identityHash": "sha1$00"}, "kim@school.edu")
    with pytest.raises(IdentityError):
        matches({"identityType": "emailAddress", "hashed": True}, "kim@school.edu")
