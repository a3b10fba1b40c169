"""The verify endpoint's per-process caches never serve stale answers: a key
rotation shows at once in the issuer's DID document, a revocation at once in
the status check, and a key taken out of publication stops verifying."""
from __future__ import annotations

import json

from service.extensions import db
from tests.support.badges import badge_class, issue


def _verify(client, credential) -> dict:
    response = client.post("/api/v1/verify", json={"credential": credential})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_rotation_revocation_and_unpublished_keys_show_at_once(app, client, factory):
    from service.badges.models import IssuerKey

    school = factory.school()
    bc = badge_class(school["org"])
    old = issue(bc, school["s1"])
    first = _verify(client, old.credential)
    assert first["verified"] and first["issuer"]["ours"]
    assert _verify(client, old.credential)["verified"]  # served from the warmed caches

    # Rotation: the new key verifies in this process at once, the retired one still does.
    rotated = client.post("/api/v1/issuer-keys/rotate", headers=factory.auth(school["admin"]), json={})
    assert rotated.status_code == 201
    new = issue(bc, school["s2"])
    proofs = new.credential["proof"] if isinstance(new.credential["proof"], list) else [new.credential["proof"]]
    assert any(p["verificationMethod"].endswith("#ed25519-2") for p in proofs)
    assert _verify(client, new.credential)["verified"]
    assert _verify(client, old.credential)["verified"]

    # Revocation flips the status bit: the next verification sees it.
    revoked = client.post(f"/api/v1/awards/{old.id}/revoke", headers=factory.auth(school["admin"]),
                          json={"reason": "issued in error"})
    assert revoked.status_code == 200, revoked.get_json()
    report = _verify(client, old.credential)
    assert not report["verified"]
    assert any(c["check"] == "status" and c["status"] == "fail" for c in report["checks"])

    # A key no longer published (e.g. compromised and withdrawn) stops verifying at once.
    key = db.session.scalar(db.select(IssuerKey).where(IssuerKey.organization_id == school["org"].id,
                                                       IssuerKey.key_id == "ed25519-2"))
    key.status = "revoked"
    db.session.commit()
    report = _verify(client, new.credential)
    assert not report["verified"]
    assert any(c["check"] == "proof" and c["status"] == "fail" for c in report["checks"])


def test_did_key_credentials_verify_repeatedly_and_tampering_is_caught(client):
    from tests.support.badge_fixtures import foreign_credential, tampered

    credential = foreign_credential()
    for _ in range(3):
        assert _verify(client, credential)["verified"]
    assert not _verify(client, tampered(credential))["verified"]


def test_our_status_list_is_verified_once_per_version_and_key_set(app, client, factory, monkeypatch):
    """Each verification of one of our awards checks its status list; the list's
    own signature is checked once per list content and issuer key set, then reused."""
    from service.badges import status_cache
    from service.badges.models import IssuerKey

    status_cache.clear()
    checked = []
    real = status_cache.ob_verify

    def counting(credential, **kwargs):
        checked.append(credential["id"])
        return real(credential, **kwargs)

    monkeypatch.setattr(status_cache, "ob_verify", counting)
    school = factory.school()
    bc = badge_class(school["org"])
    first, second = issue(bc, school["s1"]), issue(bc, school["s2"])
    for _ in range(3):
        assert _verify(client, first.credential)["verified"]
        assert _verify(client, second.credential)["verified"]
    lists = len(set(checked))
    assert lists >= 1 and len(checked) == lists  # each list verified once, reused five times

    # A revocation re-signs the list: new content, verified again, and the bit shows.
    revoked = client.post(f"/api/v1/awards/{first.id}/revoke", headers=factory.auth(school["admin"]),
                          json={"reason": "issued in error"})
    assert revoked.status_code == 200
    before = len(checked)
    assert not _verify(client, first.credential)["verified"]
    assert _verify(client, second.credential)["verified"]
    assert len(checked) == before + 1

    # A change of the published key set (a new key) is a new cache key: verified again.
    assert client.post("/api/v1/issuer-keys/rotate", headers=factory.auth(school["admin"]), json={}).status_code == 201
    before = len(checked)
    assert _verify(client, second.credential)["verified"]
    assert len(checked) > before

    # The key that signed the list withdrawn: the cached report is not used, the status check fails.
    db.session.execute(db.update(IssuerKey).where(IssuerKey.organization_id == school["org"].id)
                       .values(status="revoked"))
    db.session.commit()
    report = _verify(client, second.credential)
    assert not report["verified"]


def _statements(app):
    from sqlalchemy import event

    from service.extensions import reader_engine

    seen: list[str] = []
    # On PostgreSQL the verifier's issuer query runs on the autocommit reader pool: count both engines.
    for engine in {db.engine, reader_engine()}:
        event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_our_award_is_verified_in_one_query_and_its_state_is_read_fresh(app, client, factory):
    """Issuer keys, the award's status and the status list's version come back in one
    statement; nothing about the award is cached, so a suspension, a reinstatement
    and a revocation each show in the very next verification."""
    from service.badges import status

    school = factory.school()
    award = issue(badge_class(school["org"]), school["s1"])
    assert _verify(client, award.credential)["verified"]  # warms the status list report
    seen = _statements(app)
    assert _verify(client, award.credential)["verified"]
    assert len(seen) == 1, seen
    seen.clear()
    assert _verify(client, json.dumps(award.credential))["verified"]  # pasted as text, as on the page
    assert len(seen) == 1, seen

    status.suspend(award, reason="under review")
    db.session.commit()
    report = _verify(client, award.credential)
    assert not report["verified"]
    assert any(c["check"] == "status" and "suspended" in c["message"] for c in report["checks"])

    status.unsuspend(award)
    db.session.commit()
    assert _verify(client, award.credential)["verified"]

    status.revoke(award, reason="issued in error")
    db.session.commit()
    report = _verify(client, award.credential)
    assert not report["verified"]
    assert any(c["check"] == "status" and "revoked by its issuer" in c["message"] for c in report["checks"])


def test_a_credential_naming_another_issuers_award_gets_none_of_its_state(app, client, factory):
    """The award looked up for a verified credential must be one its issuer made:
    another school's credential id does not borrow (or leak) that award's status."""
    from openbadges import data_integrity
    from service.badges import keys, status, urls

    school, other = factory.school(), factory.school()
    theirs = issue(badge_class(other["org"]), other["s1"])
    status.suspend(theirs, reason="private matter")
    db.session.commit()
    mine = issue(badge_class(school["org"]), school["s1"])
    unsigned = {k: v for k, v in mine.credential.items() if k != "proof"}
    unsigned["id"] = urls.credential_url(theirs.id)
    key_row = keys.ensure_keys(school["org"])["data_integrity"]
    forged = data_integrity.sign(unsigned, keys.private_key(key_row),
                                 urls.verification_method_id(school["org"].slug, key_row.key_id))
    report = _verify(client, forged)
    assert report["verified"], report["checks"]
    assert not any("by its issuer" in c["message"] for c in report["checks"]), report["checks"]


def test_a_proof_check_is_reused_only_for_the_exact_credential_and_dates_are_always_checked(client, monkeypatch):
    """The Data Integrity check of a did:key credential runs once; a credential that
    differs anywhere is checked afresh (and a tampered one fails); expiry and the
    validFrom date are judged on every request, cached proof or not."""
    from datetime import datetime, timedelta, timezone

    from openbadges import data_integrity
    from service.badges import check_cache
    from tests.support.badge_fixtures import foreign_credential, tampered

    check_cache.clear()
    calls = []
    real = data_integrity.verify
    monkeypatch.setattr(data_integrity, "verify", lambda *a, **k: calls.append(1) or real(*a, **k))
    credential = foreign_credential()
    for _ in range(3):
        assert _verify(client, credential)["verified"]
    assert len(calls) == 1
    assert not _verify(client, tampered(credential))["verified"]
    reordered = dict(reversed(list(credential.items())))  # the same JSON object: the same check
    assert _verify(client, reordered)["verified"]
    assert len(calls) == 2

    import openbadges.verify  # noqa: F401  (the module, not the function openbadges exports)
    import sys

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=3650)

    class Earlier(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2000, 1, 1, tzinfo=timezone.utc)

    module = sys.modules["openbadges.verify"]
    expiring = foreign_credential()
    assert _verify(client, expiring)["verified"]
    monkeypatch.setattr(module, "datetime", Earlier)  # before its validFrom
    report = _verify(client, expiring)
    assert not report["verified"]
    assert any(c["check"] == "validity" and c["status"] == "fail" for c in report["checks"])
    monkeypatch.setattr(module, "datetime", Later)
    assert _verify(client, expiring)["verified"]  # no validUntil: still valid later


def test_only_methods_whose_resolution_the_key_captures_are_kept(app, factory):
    """did:key and our own issuers' DIDs (with their key set) make a key; another
    site's did:web, an https key or a missing method never do."""
    from service.badges import keys, urls
    from service.badges.check_cache import CheckMemo
    from service.badges.verification import ServiceResolver

    school = factory.school()
    keys.ensure_keys(school["org"])
    db.session.commit()
    ours = urls.issuer_did(school["org"].slug)
    memo = CheckMemo(ServiceResolver())

    def key(*methods):
        return memo.key({"id": "urn:x", "proof": [{"verificationMethod": m} for m in methods]})

    assert key("did:key:z6Mkabc#z6Mkabc") is not None
    found = key(f"{ours}#ed25519-1")
    assert found is not None and found[1][0][0] == school["org"].slug and found[1][0][1]
    assert key("did:web:elsewhere.example#key-1") is None
    assert key("https://elsewhere.example/keys/1") is None
    assert key(f"{ours}#ed25519-1", "did:web:elsewhere.example#key-1") is None
    assert key(None) is None
    assert key("did:key:z6Mkabc#z6Mkabc") != memo.key({"id": "urn:y", "proof": [
        {"verificationMethod": "did:key:z6Mkabc#z6Mkabc"}]})


def test_the_credential_digest_tells_every_json_value_apart():
    """orjson writes NaN and Infinity as null: a credential with null (or those) is digested by the
    standard encoder, which refuses non-finite numbers, so none of them shares a key."""
    from service.badges.check_cache import _digest

    base = {"id": "urn:x", "proof": {"proofValue": "z1"}}
    digests = [_digest(dict(base, value=v)) for v in (None, 0.0, -0.0, 0, 1, 1.0, "null", "NaN", False, [], {})]
    assert None not in digests and len(set(digests)) == len(digests)
    for v in (float("nan"), float("inf"), float("-inf")):
        assert _digest(dict(base, value=v)) is None  # never kept
    assert _digest(dict(base, value=2**70)) is not None  # orjson refuses it; the standard encoder writes it
    assert _digest({"b": 1, "a": 2}) == _digest({"a": 2, "b": 1})


def test_what_our_urls_name_is_kept_per_url_and_base_url(app, client, factory):
    """The router's answer for each of our URLs is kept per process (service/badges/
    verification.py, _parsed_route): every URL keeps its own answer, so two awards of one
    school each get their own state and a credential re-pointed at another award fails;
    a URL that is not ours stays not ours; another PUBLIC_BASE_URL asks the router again."""
    from service.badges import status, urls, verification

    school = factory.school()
    bc = badge_class(school["org"])
    first, second = issue(bc, school["s1"]), issue(bc, school["s2"])
    assert _verify(client, first.credential)["verified"]
    assert _verify(client, second.credential)["verified"]  # both URLs now known
    status.revoke(second, reason="issued in error")
    db.session.commit()
    assert _verify(client, first.credential)["verified"]
    report = _verify(client, second.credential)
    assert not report["verified"]
    assert any(c["check"] == "status" and "revoked by its issuer" in c["message"] for c in report["checks"])

    repointed = dict(first.credential, id=urls.credential_url(second.id))  # not re-signed: tampered
    report = _verify(client, repointed)
    assert not report["verified"]
    assert any(c["check"] == "proof" and c["status"] == "fail" for c in report["checks"])
    assert not any("by its issuer" in c["message"] for c in report["checks"])

    calls = []

    def counted(url):
        calls.append(url)
        return urls.award_id_of(url)

    with app.app_context():
        url = urls.credential_url(first.id)
        foreign = f"https://elsewhere.example/credentials/{first.id}"
        assert verification._parsed_route(counted, url) == first.id
        assert verification._parsed_route(counted, url) == first.id
        assert verification._parsed_route(counted, urls.credential_url(second.id)) == second.id
        assert verification._parsed_route(counted, foreign) is None
        assert verification._parsed_route(counted, foreign) is None
        assert calls == [url, urls.credential_url(second.id), foreign]
        base = app.config["PUBLIC_BASE_URL"]
        try:
            app.config["PUBLIC_BASE_URL"] = "https://moved.example"
            assert verification._parsed_route(counted, url) is None  # no longer one of our URLs
            assert len(calls) == 4
        finally:
            app.config["PUBLIC_BASE_URL"] = base
        assert verification._parsed_route(counted, url) == first.id
        assert len(calls) == 4
