"""verify(): report order, each check's pass/fail, status lists, images."""
import json
import struct
import zlib
from datetime import datetime, timezone

import pytest

from openbadges import baking, data_integrity as di, did, identity, keys, status_list
from openbadges import jwt as vcjwt
from openbadges.verify import CHECKS, verify

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
LIST_URL = "https://college.example/status/1"


class Issuer:
    def __init__(self):
        self.key = keys.generate()
        self.id = did.did_key(self.key.public_key)
        self.vm = f"{self.id}#{self.key.public_key.multikey}"

    def credential(self, **over):
        doc = {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:9a6c3c7e-8f2b-4a8e-9b8e-6b9a3e2d1c00",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": self.id, "type": ["Profile"], "name": "College"},
            "validFrom": "2025-01-01T00:00:00Z",
            "name": "Teamwork",
            "credentialSubject": {
                "id": "did:example:learner",
                "type": ["AchievementSubject"],
                "identifier": [identity.hashed_email("learner@example.edu", salt="s4lt")],
                "achievement": {"id": "https://college.example/achievements/teamwork", "type": ["Achievement"],
                                "name": "Teamwork", "description": "Works in teams.", "criteria": {"narrative": "Peer review."}},
            },
        }
        doc.update(over)
        return doc

    def sign(self, doc):
        return di.sign(doc, self.key, self.vm, as_set=True)

    def status_list(self, revoked=(), purpose="revocation"):
        bits = status_list.StatusList()
        for i in revoked:
            bits.set(i)
        doc = status_list.status_list_credential(id=LIST_URL, issuer=self.id, purpose=purpose, status_list=bits,
                                                 valid_from="2025-01-01T00:00:00Z")
        return self.sign(doc)


@pytest.fixture
def issuer():
    return Issuer()


def statuses(report):
    return {c.check: c.status for c in report.checks}


def test_signed_credential_passes_in_reference_order(issuer):
    report = verify(issuer.sign(issuer.credential()), now=NOW)
    assert report.verified
    assert [c.check for c in report.checks] == list(CHECKS)
    assert statuses(report) == {"parse": "pass", "context": "pass", "type": "pass", "subject": "pass", "issuer": "pass",
                                "evidence": "skipped", "validity": "pass", "schema": "pass", "proof": "pass",
                                "key_binding": "pass", "status": "skipped", "recipient": "skipped"}
    out = json.loads(report.to_json())
    assert out["verified"] is True and {"check", "status", "message"} == set(out["checks"][0])


def test_accepts_json_text_bytes_and_jwt(issuer):
    signed = issuer.sign(issuer.credential())
    assert verify(json.dumps(signed), now=NOW).verified
    assert verify(json.dumps(signed).encode(), now=NOW).verified
    token = vcjwt.sign(issuer.credential(), issuer.key)
    report = verify(token, now=NOW)
    assert report.verified and report.format == "jwt"


def test_later_checks_are_skipped_after_a_failure(issuer):
    signed = issuer.sign(issuer.credential())
    signed["name"] = "Changed"
    report = verify(signed, now=NOW)
    assert not report.verified
    assert statuses(report)["proof"] == "fail"
    assert statuses(report)["status"] == "skipped"


@pytest.mark.parametrize(
    "change,check",
    [
        (lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}), "context"),
        (lambda d: d.update(type=["VerifiableCredential"]), "type"),
        (lambda d: d.update(name=5), "schema"),
        # the subject check (1EdTech's CredentialSubjectProbe) runs before the schema
        (lambda d: d["credentialSubject"].pop("id") and d["credentialSubject"].pop("identifier"), "subject"),
        (lambda d: d["credentialSubject"].update(type=["Person"]), "subject"),
        (lambda d: d.update(issuer={"id": "did:example:1", "type": ["Organization"]}), "issuer"),
        (lambda d: d.update(evidence=[{"id": "https://e.example/1", "type": ["Proof"]}]), "evidence"),
        (lambda d: d.update(validFrom="2099-01-01T00:00:00Z"), "validity"),
    ],
)
def test_structural_failures(issuer, change, check):
    doc = issuer.credential()
    change(doc)
    report = verify(doc, now=NOW)
    assert statuses(report)[check] == "fail", report.to_json()


def test_subject_check_on_a_vc_1_1_credential(issuer):
    doc = issuer.credential()
    doc["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["credentialSubject"] = {"type": ["AchievementSubject"]}
    report = verify(doc, now=NOW)
    assert statuses(report)["context"] == "warning"  # VC 1.1
    assert statuses(report)["subject"] == "fail"


def test_validity_window(issuer):
    signed = issuer.sign(issuer.credential(validUntil="2025-12-31T00:00:00Z"))
    assert verify(signed, now=NOW).verified
    early = verify(signed, now=datetime(2024, 12, 31, tzinfo=timezone.utc))
    assert statuses(early)["validity"] == "fail" and "not valid before" in early.check("validity").message
    late = verify(signed, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert "expired" in late.check("validity").message


def test_vc_1_1_dates_are_accepted(issuer):
    doc = issuer.credential()
    doc["@context"] = ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                       "https://w3id.org/security/data-integrity/v2"]
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["expirationDate"] = "2025-03-01T00:00:00Z"
    signed = issuer.sign(doc)
    report = verify(signed, now=datetime(2025, 2, 1, tzinfo=timezone.utc))
    assert report.verified, report.to_json()
    assert statuses(report)["context"] == "warning"
    assert not verify(signed, now=NOW).verified  # after expirationDate


def with_status(issuer, index):
    entry = status_list.status_entry(list_credential_url=LIST_URL, index=index, purpose="revocation")
    return issuer.sign(issuer.credential(credentialStatus=entry))


def test_status_list_not_revoked_and_revoked(issuer):
    listed = issuer.status_list(revoked=[7])
    fetched = []

    def fetch(url):
        fetched.append(url)
        return listed

    ok = verify(with_status(issuer, 3), status_fetcher=fetch, now=NOW)
    assert ok.verified and statuses(ok)["status"] == "pass" and fetched == [LIST_URL]
    revoked = verify(with_status(issuer, 7), status_fetcher=fetch, now=NOW)
    assert not revoked.verified and "revoked" in revoked.check("status").message


def test_status_list_must_be_signed_by_the_issuer(issuer):
    forged = issuer.status_list()
    forged["credentialSubject"]["encodedList"] = status_list.StatusList().encode()  # unchanged bits, but re-encoded
    tampered = dict(forged, validFrom="2025-02-01T00:00:00Z")
    report = verify(with_status(issuer, 3), status_fetcher=lambda url: tampered, now=NOW)
    assert statuses(report)["status"] == "fail" and "does not verify" in report.check("status").message
    other = Issuer()
    report = verify(with_status(issuer, 3), status_fetcher=lambda url: other.status_list(), now=NOW)
    assert "different issuer" in report.check("status").message


def test_status_fetch_errors_and_missing_fetcher(issuer):
    def broken(url):
        raise OSError("connection refused")

    report = verify(with_status(issuer, 1), status_fetcher=broken, now=NOW)
    assert "cannot fetch" in report.check("status").message
    report = verify(with_status(issuer, 1), now=NOW)
    assert report.verified and statuses(report)["status"] == "warning"


def test_recipient(issuer):
    signed = issuer.sign(issuer.credential())
    assert statuses(verify(signed, now=NOW, recipient="did:example:learner"))["recipient"] == "pass"
    assert statuses(verify(signed, now=NOW, recipient="Learner@Example.edu"))["recipient"] == "pass"
    report = verify(signed, now=NOW, recipient="someone@example.edu")
    assert not report.verified and statuses(report)["recipient"] == "fail"


def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>'


def test_baked_png_and_svg(issuer):
    signed = issuer.sign(issuer.credential())
    png = verify(baking.bake_png(tiny_png(), signed), now=NOW)
    assert png.verified and png.format == "png"
    token = vcjwt.sign(issuer.credential(), issuer.key)
    svg = verify(baking.bake_svg(SVG, token), now=NOW)
    assert svg.verified and svg.format == "svg"
    assert statuses(verify(tiny_png(), now=NOW))["parse"] == "fail"


@pytest.mark.parametrize("junk", [None, 1, [], "", "{}", b"\x89PNG\r\n\x1a\nxx", b"\xff\xfe", "a.b.c", {"proof": 1},
                                  {"@context": [None], "type": 3}, "[" * 5000 + "]" * 5000])
def test_never_raises(junk):
    report = verify(junk, now=NOW)
    assert report.verified is False
    assert all(c.status in ("pass", "fail", "warning", "skipped") for c in report.checks)


class DictMemo:
    """A caller's memo as verify(memo=...) describes it, keyed by the credential's JSON."""

    def __init__(self):
        self.kept = {}

    def key(self, credential):
        return json.dumps(credential, sort_keys=True)

    def get(self, key, check):
        return self.kept.get((key, check))

    def put(self, key, check, value):
        self.kept[(key, check)] = value


def test_a_memo_keeps_only_the_proof_and_schema_checks_that_passed(issuer, monkeypatch):
    from openbadges import official_schema

    memo, calls = DictMemo(), []
    real_proof, real_schema = di.verify, official_schema.violations
    monkeypatch.setattr(di, "verify", lambda *a, **k: calls.append("proof") or real_proof(*a, **k))
    monkeypatch.setattr(official_schema, "violations", lambda *a, **k: calls.append("schema") or real_schema(*a, **k))
    signed = issuer.sign(issuer.credential())
    first = verify(signed, now=NOW, memo=memo)
    again = verify(signed, now=NOW, memo=memo)
    assert first.verified and again.verified and first.checks == again.checks
    assert calls == ["schema", "proof"]  # the second verification checked neither again
    assert sorted(check for _, check in memo.kept) == ["proof", "schema"]
    # the dates are still judged on every verification
    assert statuses(verify(signed, now=datetime(2024, 1, 1, tzinfo=timezone.utc), memo=memo))["validity"] == "fail"

    tampered = json.loads(json.dumps(signed))
    tampered["name"] = "Leadership"
    assert not verify(tampered, now=NOW, memo=memo).verified
    assert (memo.key(tampered), "proof") not in memo.kept  # a failed proof is not kept

    bad_schema = issuer.sign(issuer.credential(name=5))
    assert statuses(verify(bad_schema, now=NOW, memo=memo))["schema"] == "fail"
    assert (memo.key(bad_schema), "schema") not in memo.kept
