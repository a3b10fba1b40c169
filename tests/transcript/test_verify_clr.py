"""College verification in one step: the signed CLR verifies; changing any number, an
embedded badge or the policy version fails with a check that names what changed."""
from __future__ import annotations

import copy

import pytest


def _verify(credential):
    from service.badges.verification import verify_input

    return verify_input(credential=credential)


def _failed(report):
    return [f"{c['check']}: {c['message']}" for c in report["checks"] if c["status"] == "fail"]


def _creds(clr):
    return clr["credentialSubject"]["verifiableCredential"]


def _course(clr):
    return next(c for c in _creds(clr) if c["credentialSubject"]["achievement"].get("achievementType") == "Course")


def _record(clr):
    return next(c for c in _creds(clr)
                if c["credentialSubject"]["achievement"].get("achievementType") == "LearningProgram")


def test_the_signed_clr_verifies_with_consistency_and_embedded_badges(issued):
    report = _verify(issued.credential)
    assert report["verified"], _failed(report)
    checks = {(c["check"], c["status"]) for c in report["checks"]}
    assert ("consistency", "pass") in checks and ("embedded", "pass") in checks
    assert report["transcript"]["gpa_unweighted"] == "3.70"
    assert report["transcript"]["courses"][0]["code"] == "ELA9H"


def _set_result(cred, key, value):
    for r in cred["credentialSubject"]["result"]:
        if r["resultDescription"].endswith("#" + key):
            r["value"] = value


@pytest.mark.parametrize("change, named", [
    (lambda clr: _course(clr)["credentialSubject"].__setitem__("creditsEarned", 0.5), "course ELA9H: creditsEarned"),
    (lambda clr: _set_result(_course(clr), "letter", "A"), "course ELA9H: letter grade A"),
    (lambda clr: _set_result(_course(clr), "points", "4.00"), "course ELA9H: grade points"),
    (lambda clr: _set_result(_record(clr), "gpa-unweighted", "3.90"), "cumulative unweighted GPA is 3.90"),
    (lambda clr: _set_result(_record(clr), "gpa-weighted", "4.50"), "cumulative weighted GPA is 4.50"),
])
def test_changing_a_number_fails_naming_it(issued, change, named):
    forged = copy.deepcopy(issued.credential)
    change(forged)
    report = _verify(forged)
    assert not report["verified"]
    failed = _failed(report)
    assert any(f.startswith("proof") for f in failed), failed
    assert any(named in f for f in failed), failed


def test_changing_a_competency_level_fails_naming_the_course(issued):
    forged = copy.deepcopy(issued.credential)
    for r in _course(forged)["credentialSubject"]["result"]:
        if r["resultDescription"].endswith("/competencies/ela-w-2#level"):
            r["value"] = "2.00"  # 4 and 2: mean 3.0 -> B, and half the credit
    failed = _failed(_verify(forged))
    assert any("course ELA9H" in f and "letter grade A- but the policy gives B" in f for f in failed), failed


def test_changing_an_embedded_badge_fails_naming_it(issued):
    forged = copy.deepcopy(issued.credential)
    badge = next(c for c in _creds(forged) if "proof" in c)
    badge["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    failed = _failed(_verify(forged))
    assert any(f.startswith("embedded: embedded badge 'Something Else Entirely' does not verify") for f in failed), \
        failed


def test_changing_the_policy_version_fails_naming_it(tschool, issued):
    from service.transcript import lifecycle

    # version 2 exists and differs (lowest instead of mean): ELA9H would be B (3.0), not A-
    org = tschool["org"]
    lifecycle.save_policy(org, {"combine": "lowest"}, actor=tschool["admin"])
    forged = copy.deepcopy(issued.credential)
    program = _record(forged)["credentialSubject"]["achievement"]
    program["version"] = "2"
    program["criteria"]["id"] = program["criteria"]["id"].rsplit("/", 1)[0] + "/2"
    failed = _failed(_verify(forged))
    assert any("course ELA9H" in f and "the policy gives B" in f for f in failed), failed
    program["version"] = "9"
    program["criteria"]["id"] = program["criteria"]["id"].rsplit("/", 1)[0] + "/9"
    failed = _failed(_verify(forged))
    assert any("credit policy version 9 is not published" in f for f in failed), failed


def test_a_revoked_transcript_fails_its_status_check(tschool, issued):
    from service.transcript import lifecycle

    lifecycle.revoke(issued, actor=tschool["admin"], reason="Issued in error")
    report = _verify(issued.credential)
    assert not report["verified"]
    assert any(c["check"] == "status" and c["status"] == "fail" for c in report["checks"])


def test_the_share_url_and_the_jwt_verify_through_the_api(client, factory, tschool, issued):
    from service.transcript import lifecycle

    _, token = lifecycle.share(issued, actor=tschool["s1"], days=7)
    for body in ({"url": f"https://badges.test/t/{token}"}, {"jwt": issued.credential_jwt},
                 {"url": f"https://badges.test/transcripts/{issued.id}/verify"}):
        resp = client.post("/api/v1/verify", json=body)
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["verified"], resp.get_json()["checks"]
        assert resp.get_json()["transcript"]["gpa_weighted"] == "4.20"
