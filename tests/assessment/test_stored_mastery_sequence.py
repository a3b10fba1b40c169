"""Stored mastery stays exactly what a full recompute gives, through a
seeded random sequence of what schools do: scoring, corrected and backdated
scores, reassessment of the same evidence with another rubric version,
returns, deleted scores and submissions, calibration scores and settings
changes. The refresh at commit recomputes only the competencies a change can
move (`mastery_store.refresh_touched`); after every step each student's
stored states and mastered intervals must equal those of the whole
organization recomputed, and the live calculation of any one competency
must equal that of all of them together."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from service import jobs
from service.assessment import mastery_store
from service.assessment.models import (Assessment, CalibrationSession, Competency, CriterionScore, MasteryInterval,
                                       MasteryState, Submission)
from service.assessment.progress import mastery_table
from service.assessment.rubrics import create_rubric, rubric_as_data
from service.assessment.scoring import return_for_revision, score, submit
from service.assessment.settings import settings_for
from service.extensions import db
from service.portfolio.models import ArtifactVersion
from tests.support.assessment import artifact_version, item, level_ids, scored_submission

METHODS = ("decaying_average", "highest", "mean", "most_recent", "power_law", "n_at_or_above")


def _stored(org_id) -> tuple[dict, dict]:
    states = {(r.student_id, r.competency_id): (r.level, r.mastered, r.evidence_count, r.method, r.evidence_at)
              for r in db.session.scalars(db.select(MasteryState).where(MasteryState.organization_id == org_id))}
    spans: dict = {}
    for r in db.session.scalars(db.select(MasteryInterval).where(MasteryInterval.organization_id == org_id)):
        spans.setdefault((r.student_id, r.competency_id), []).append((r.mastered_from, r.mastered_until, r.first))
    return states, {k: sorted(v) for k, v in spans.items()}


def _recomputed(org_id, students) -> tuple[dict, dict]:
    states, spans = {}, {}
    for _, _, rows, span_rows in mastery_store.computed(org_id, students):
        for r in rows:
            states[(r["student_id"], r["competency_id"])] = (r["level"], r["mastered"], r["evidence_count"],
                                                              r["method"], r["evidence_at"])
        for r in span_rows:
            spans.setdefault((r["student_id"], r["competency_id"]), []).append(
                (r["mastered_from"], r["mastered_until"], r["first"]))
    return states, {k: sorted(v) for k, v in spans.items()}


def _assert_exact(school, step):
    jobs.join_threads()  # a settings change rebuilds in a background job
    db.session.expire_all()
    org_id = school["org"].id
    students = [school[s].id for s in ("s1", "s2", "s3")]
    assert _stored(org_id) == _recomputed(org_id, students), step
    competencies = list(db.session.scalars(db.select(Competency).where(Competency.organization_id == org_id)))
    live = {k: (v.level, v.mastered, v.evidence_count) for k, v in mastery_table(students, competencies).items()}
    stored = mastery_store.current_table(students, competencies)
    assert {k: (v.level, v.mastered, v.evidence_count) for k, v in stored.items()} == live, step
    for competency in competencies:  # asked alone, a competency gets what it gets among all of them
        alone = mastery_table(students, [competency])
        assert {k: (v.level, v.mastered, v.evidence_count) for k, v in alone.items()} == \
               {k: v for k, v in live.items() if k[1] == competency.id}, (step, competency.identifier)


def _second_version(school):
    """The rubric revised: the same criteria aligned to other competencies."""
    framework, rubric = school["framework"], school["rubric"]
    data = rubric_as_data(rubric)
    data["criteria"][0]["competency_ids"] = [item(framework, "ela-w-1-a").id, item(framework, "ela-w-2-a").id]
    data["criteria"][1]["competency_ids"] = [item(framework, "ela-w-1-b").id]
    return create_rubric(school["org"].id, data, actor=school["t1"], previous=rubric)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_mastery_equals_a_full_recompute_after_every_step(school, seed):
    from service.assessment.frameworks import new_version

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    org = school["org"]
    sections = {"s1": school["sec1"], "s2": school["sec1"], "s3": school["sec2"]}
    teachers = {"s1": school["t1"], "s2": school["t1"], "s3": school["t2"]}
    rubrics = [school["rubric"], _second_version(school)]
    db.session.commit()
    mastery_store.ensure_built(org.id)
    counts = {"score": 0, "reassess": 0, "return": 0, "correct": 0, "delete": 0, "settings": 0}

    def scored(student_key, rubric, *, previous=None, versions=None):
        student = school[student_key]
        versions = versions or [artifact_version(student, "Essay")]
        submission = submit(student, section_id=sections[student_key].id, rubric_id=rubric.id,
                            artifact_version_ids=[v.id for v in versions], title="Essay",
                            competency_id=rubric.criteria[0].alignments[0].competency_id, previous=previous)
        db.session.commit()  # submitted and scored in two requests
        if rng.random() < 0.2:
            return_for_revision(submission, teachers[student_key], "Revise the claim.")
            counts["return"] += 1
            return
        ids = level_ids(rubric)
        assessment = score(submission, teachers[student_key], {"scores": [
            {"criterion_id": c.id, "level_id": ids[rng.randint(1, 4)]} for c in rubric.criteria]})
        assessment.assessed_at = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 59))

    def latest_attempts():
        """Attempts nobody reassessed yet, scored or returned, with their evidence."""
        later = db.select(Submission.previous_id).where(Submission.previous_id.is_not(None))
        return list(db.session.scalars(db.select(Submission).where(
            Submission.organization_id == org.id, Submission.status.in_(("scored", "returned")),
            Submission.id.not_in(later)).order_by(Submission.submitted_at, Submission.id)))

    def official():
        return list(db.session.scalars(db.select(Assessment).where(
            Assessment.organization_id == org.id, Assessment.kind == "official").order_by(Assessment.id)))

    for step in range(36):
        roll = 0.9 if step == 24 else rng.random()  # at least one settings change
        if step == 12:
            # A new framework version: its items get the history of their identifiers (a rebuild).
            new_version(school["framework"], actor=school["admin"], school_year="2027-2028")
            what = "framework version"
        elif roll < 0.35 or roll < 0.85 and not official():
            scored(rng.choice(["s1", "s2", "s3"]), rng.choice(rubrics))
            counts["score"] += 1
            what = "score"
        elif roll < 0.6 and latest_attempts():
            previous = rng.choice(latest_attempts())
            key = next(k for k in ("s1", "s2", "s3") if school[k].id == previous.student_id)
            same = [db.session.get_one(ArtifactVersion, e.artifact_version_id) for e in previous.evidence]
            # The same evidence (the new score replaces the old), or more work added to it.
            versions = same if rng.random() < 0.6 else same + [artifact_version(school[key], "Revision")]
            scored(key, rng.choice(rubrics), previous=previous, versions=versions)
            counts["reassess"] += 1
            what = "reassess"
        elif roll < 0.75:
            assessment = rng.choice(official())
            entry = rng.choice(assessment.scores)
            if rng.random() < 0.5:
                entry.level_value = rng.randint(1, 4)  # a corrected level
            else:
                assessment.assessed_at = now - timedelta(days=rng.randint(0, 120))  # a corrected date
            counts["correct"] += 1
            what = "correct"
        elif roll < 0.85:
            assessment = rng.choice(official())
            submission = db.session.get(Submission, assessment.submission_id)
            later = db.session.scalar(db.select(Submission.id).where(Submission.previous_id == submission.id))
            db.session.delete(assessment)  # its scores go with it
            if later is None and rng.random() < 0.5:
                db.session.flush()
                db.session.delete(submission)  # the whole attempt withdrawn
            counts["delete"] += 1
            what = "delete"
        elif roll < 0.92:
            settings = settings_for(org.id)
            settings.mastery_method = rng.choice(METHODS)
            settings.evidence_required = rng.randint(1, 3)
            counts["settings"] += 1
            what = "settings"
        else:
            # A calibration score of someone's work never counts.
            rubric = rng.choice(rubrics)
            calibration = CalibrationSession(organization_id=org.id, created_by_id=school["t1"].id,
                                             rubric_id=rubric.id, title="Moderation")
            db.session.add(calibration)
            db.session.flush()
            version = artifact_version(school["s1"], "Calibration piece")
            submission = submit(school["s1"], section_id=school["sec1"].id, rubric_id=rubric.id,
                                artifact_version_ids=[version.id], title="Calibration piece",
                                competency_id=rubric.criteria[0].alignments[0].competency_id)
            ids = level_ids(rubric)
            score(submission, school["t2"], {"scores": [{"criterion_id": c.id, "level_id": ids[rng.randint(1, 4)]}
                                                         for c in rubric.criteria]},
                  kind="calibration", calibration_id=calibration.id)
            what = "calibration"
        db.session.commit()
        _assert_exact(school, (step, what))
    assert min(counts.values()) >= 1, counts  # every kind of change happened
    assert db.session.scalar(db.select(db.func.count(CriterionScore.id))) > 0


def test_a_reassessment_aligned_elsewhere_takes_the_old_competencies_away(school):
    """Attempt 1 scored with version 2 (Claim -> ela-w-1-a and ela-w-2-a,
    Organisation -> ela-w-1-b); the same evidence reassessed with version 1
    (Claim -> ela-w-1, Organisation -> ela-w-2) replaces that score: the
    learning targets version 1 never names lose their evidence."""
    s1, t1, sec1, framework = school["s1"], school["t1"], school["sec1"], school["framework"]
    v1 = school["rubric"]
    v2 = _second_version(school)
    db.session.commit()
    mastery_store.ensure_built(school["org"].id)
    targets = [item(framework, i) for i in ("ela-w-1-a", "ela-w-1-b", "ela-w-2-a")]
    w1 = item(framework, "ela-w-1")
    version = artifact_version(s1)
    first = submit(s1, section_id=sec1.id, rubric_id=v2.id, artifact_version_ids=[version.id], title="Essay",
                   competency_id=w1.id)
    ids = level_ids(v2)
    score(first, t1, {"scores": [{"criterion_id": c.id, "level_id": ids[4]} for c in v2.criteria]})
    db.session.commit()
    assert all(r.evidence_count == 1 for r in mastery_store.current_table([s1.id], targets).values())
    second = submit(s1, section_id=sec1.id, rubric_id=v1.id, artifact_version_ids=[version.id], title="Essay",
                    competency_id=w1.id, previous=first)
    db.session.commit()
    ids = level_ids(v1)
    score(second, t1, {"scores": [{"criterion_id": c.id, "level_id": ids[1]} for c in v1.criteria]})
    db.session.commit()
    assert all(r.evidence_count == 0 for r in mastery_store.current_table([s1.id], targets).values())
    stored = mastery_store.current_table([s1.id], [w1])[(s1.id, w1.id)]
    assert (stored.level, stored.evidence_count) == (1.0, 1)
    assert mastery_table([s1.id], [w1]) == mastery_store.current_table([s1.id], [w1])
    _assert_exact(school, "reassessed")


def test_a_deleted_score_takes_its_evidence_away(school):
    """A score deleted (its criterion scores with it) is found through
    nothing left in the database: its competencies are refreshed anyway."""
    s1, t1, sec1, rubric = school["s1"], school["t1"], school["sec1"], school["rubric"]
    mastery_store.ensure_built(school["org"].id)
    _, kept = scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 2, "Organisation": 2})
    _, gone = scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 4})
    db.session.commit()
    _assert_exact(school, "scored")
    pieces = db.select(db.func.sum(MasteryState.evidence_count))
    before = db.session.scalar(pieces)
    db.session.delete(db.session.get(Assessment, gone.id))
    db.session.commit()
    _assert_exact(school, "one deleted")
    assert db.session.scalar(pieces) * 2 == before
    db.session.delete(db.session.get(Assessment, kept.id))
    db.session.commit()
    _assert_exact(school, "both deleted")
    assert db.session.scalar(db.select(db.func.count(MasteryState.id))) == 0


@pytest.mark.parametrize("method", ["decaying_average", "n_at_or_above"])
def test_the_progress_page_shows_the_live_calculation(client, school, method):
    """The progress page reads the stored states (and, for n_at_or_above's
    "still needed", the pieces): each row equals the live calculation."""
    import re

    from service.assessment.mastery import calculate
    from service.assessment.pages.common import _current_competencies
    from service.assessment.pages.progress import _still_needed
    from service.assessment.progress import evidence_table
    from tests.support.signin import sign_in

    s1, t1, sec1, rubric = school["s1"], school["t1"], school["sec1"], school["rubric"]
    settings = settings_for(school["org"].id)
    settings.mastery_method, settings.evidence_required = method, 2
    db.session.commit()
    mastery_store.ensure_built(school["org"].id)
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 4, "Organisation": 2})
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 3, "Organisation": 3})
    scored_submission(s1, sec1, rubric, t1, {"Claim and evidence": 1, "Organisation": 1})
    db.session.commit()
    jobs.join_threads()
    sign_in(client, t1)
    page = client.get(f"/assessment/students/{s1.id}").get_data(as_text=True)
    shown = {identifier: (level, needed) for identifier, level, needed in re.findall(
        r'<tr data-competency="([^"]+)" data-level="([^"]*)".*?<td>\d+</td>\s*<td>([^<]*)</td>', page, re.S)}
    competencies = _current_competencies(school["org"].id)
    evidence, configs = evidence_table([s1.id], competencies)
    live = {}
    for c in competencies:
        result = calculate(evidence[(s1.id, c.id)], configs[c.id])
        live[c.identifier] = ("" if result.level is None else str(result.level),
                              _still_needed(result, configs[c.id], evidence[(s1.id, c.id)]))
    assert shown == live
    assert any("more piece" in needed for _, needed in live.values()) == (method == "n_at_or_above")
