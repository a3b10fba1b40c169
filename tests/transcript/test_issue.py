"""Issuing a transcript from real scores: the record, the signed CLR, our verifier."""
from __future__ import annotations


def test_issued_transcript_record_and_clr(tschool, issued):
    record = issued.record
    (term,) = record["terms"]
    (row,) = term["courses"]
    # levels 4 and 3: mean 3.5 -> A- 3.7; honors +0.5 -> 4.2; both proficient -> 1.00 credit
    assert (term["term"], row["letter"], row["points"], row["weighted_points"], row["credits_earned"]) == (
        "2026-2027 Fall", "A-", "3.70", "4.20", "1.00")
    assert record["cumulative"]["gpa_unweighted"] == "3.70" and record["cumulative"]["gpa_weighted"] == "4.20"
    assert [h["criterion"] for h in record["habits"]] == ["Timeliness"]
    comp = {c["id"]: c for c in record["competencies"]}
    assert comp["ela-w-1"]["evidence_count"] == 1 and comp["ela-w-1"]["badges"] == [tschool["badge"].credential["id"]]
    assert record["policy"]["version"] == 1 and record["student"]["number"] == "S-0001"
    clr = issued.credential
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert isinstance(clr["proof"], list) and clr["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    kinds = [c["credentialSubject"]["achievement"].get("achievementType") for c in
             clr["credentialSubject"]["verifiableCredential"]]
    assert kinds.count("Course") == 1 and "LearningProgram" in kinds
    competencies = [a for a in clr["credentialSubject"]["achievement"] if a["achievementType"] == "Competency"]
    assert {a["alignment"][0]["targetCode"] for a in competencies} >= {"ela-w-1", "ela-w-2"}
    assert tschool["badge"].credential in clr["credentialSubject"]["verifiableCredential"]


def test_our_verifier_accepts_the_signed_clr(issued):
    from service.badges.verification import verify_input

    report = verify_input(credential=issued.credential)
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert report["verified"], failed
    report = verify_input(jwt=issued.credential_jwt)
    assert report["verified"], [c for c in report["checks"] if c["status"] == "fail"]


def test_demo_school_has_one_issued_transcript_that_verifies(app):
    from service.badges.verification import verify_input
    from service.demo import load_demo
    from service.extensions import db
    from service.transcript.models import Transcript

    with app.app_context():
        load_demo()
        load_demo()
        (t,) = db.session.scalars(db.select(Transcript)).all()
        assert t.status == "issued" and t.record["student"]["number"].startswith("RHS-")
        assert t.record["school"]["school_code"] == "000000"
        report = verify_input(credential=t.credential)
        assert report["verified"], [c for c in report["checks"] if c["status"] == "fail"]


def test_a_later_score_lowers_or_raises_the_grade_the_transcript_shows(tschool):
    """Decaying average (weight 0.65 on the newest). First scores: claim 4, organisation 3 (A-).
    Lower: claim 2 -> 4*0.35 + 2*0.65 = 2.70; organisation 3 -> 3.00; mean 2.85 -> B- 2.70, 1 of 2 -> 0.50 credit.
    Higher instead: claim 4 -> 4.00; organisation 4 -> 3*0.35 + 4*0.65 = 3.65; mean 3.825 -> 3.83 -> A 4.00."""
    from datetime import timedelta

    from service.extensions import db
    from service.models import utcnow
    from service.transcript import lifecycle
    from tests.support.assessment import scored_submission

    s1, s2 = tschool["s1"], tschool["s2"]
    later = utcnow() + timedelta(days=1)
    scored_submission(s1, tschool["sec1"], tschool["rubric"], tschool["t1"],
                      {"Claim and evidence": 2, "Organisation": 3}, at=later, title="Second essay")
    db.session.commit()
    (row,) = lifecycle.preview(s1)["terms"][0]["courses"]
    assert (row["course_level"], row["letter"], row["points"], row["credits_earned"]) == ("2.85", "B-", "2.70",
                                                                                         "0.50")
    # s2: the same first scores, then a higher second piece
    first = utcnow() - timedelta(days=1)
    scored_submission(s2, tschool["sec1"], tschool["rubric"], tschool["t1"],
                      {"Claim and evidence": 4, "Organisation": 3}, at=first)
    scored_submission(s2, tschool["sec1"], tschool["rubric"], tschool["t1"],
                      {"Claim and evidence": 4, "Organisation": 4}, at=later, title="Second essay")
    db.session.commit()
    (row,) = lifecycle.preview(s2)["terms"][0]["courses"]
    assert (row["course_level"], row["letter"], row["points"], row["credits_earned"]) == ("3.83", "A", "4.00",
                                                                                         "1.00")
