"""Demo content that shows every page: a second teacher with a section (so
calibration has two raters), a badge class that needs approval with one award
waiting, a returned submission, a guardian whose child holds badges, and
scores in an earlier term. Runs after the other features' demo content;
loading twice changes nothing."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from ..extensions import db
from ..models import Enrolment, Section

log = logging.getLogger(__name__)
APPROVAL_BADGE = "Clear Communicator"


def load_demo(context) -> None:
    org, teacher2 = context["organization"], context.get("teacher2")
    if teacher2 is None:
        return
    people = context["people"]
    ava, ben, cara = (people[f"{n}@riverside.example"] for n in ("ava", "ben", "cara"))
    section = db.session.scalar(db.select(Section).where(Section.organization_id == org.id,
                                                         Section.name == "ELA 10 · Period 4"))
    if section is None:
        section = Section(organization_id=org.id, course_id=context["course"].id, name="ELA 10 · Period 4",
                          school_year="2026-2027", term="Full year")
        db.session.add(section)
        db.session.flush()
        db.session.add(Enrolment(section_id=section.id, person_id=teacher2.id, role="teacher"))
        for student in (ben, cara):
            db.session.add(Enrolment(section_id=section.id, person_id=student.id, role="student"))
        db.session.flush()
    try:
        from ..assessment.models import Competency, Rubric, Submission
    except ModuleNotFoundError:
        return
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.organization_id == org.id,
                                                       Rubric.title == "Argument essay", Rubric.status == "current"))
    items = {c.identifier: c for c in db.session.scalars(db.select(Competency).where(
        Competency.organization_id == org.id))}
    if rubric is None or "ela-w-1" not in items:
        return
    if db.session.scalar(db.select(Submission.id).where(Submission.title == "Last term: persuasive letter")) is None:
        _earlier_term(context, rubric, items["ela-w-1"], ava, ben)
    if db.session.scalar(db.select(Submission.id).where(Submission.title == "Research summary draft")) is None:
        _returned(context, rubric, items["ela-w-2"], ben)
    db.session.commit()
    _badges(context, items, ava, cara)


def _version(student, title, at):
    from ..portfolio.models import Artifact, ArtifactVersion

    artifact = Artifact(owner_id=student.id, organization_id=student.organization_id, kind="link", title=title,
                        created_at=at)
    db.session.add(artifact)
    db.session.flush()
    version = ArtifactVersion(artifact_id=artifact.id, number=1, url="https://docs.example/work",
                              created_by_id=student.id, created_at=at)
    db.session.add(version)
    db.session.flush()
    return version


def _earlier_term(context, rubric, competency, *students) -> None:
    """Scores from the spring term (about five months ago): reports span two terms."""
    from ..assessment.scoring import score, submit

    levels = {lv.proficiency_value: lv.id for lv in rubric.levels}
    now = datetime.now(timezone.utc)
    for student, days, values in ((students[0], 170, (1, 2, 2, 2)), (students[1], 150, (2, 1, 2, 3))):
        at = now - timedelta(days=days)
        version = _version(student, "Last term: persuasive letter", at)
        submission = submit(student, section_id=context["section"].id, rubric_id=rubric.id,
                            artifact_version_ids=[version.id], title="Last term: persuasive letter",
                            competency_id=competency.id)
        submission.submitted_at = at
        assessment = score(submission, context["teacher"], {"scores": [
            {"criterion_id": c.id, "level_id": levels[v], "feedback": None}
            for c, v in zip(rubric.criteria, values, strict=False)], "feedback": "Spring term"})
        assessment.assessed_at = submission.scored_at = at + timedelta(days=3)
    db.session.flush()


def _returned(context, rubric, competency, student) -> None:
    from ..assessment.scoring import return_for_revision, submit

    version = _version(student, "Research summary draft", datetime.now(timezone.utc) - timedelta(days=4))
    submission = submit(student, section_id=context["section"].id, rubric_id=rubric.id,
                        artifact_version_ids=[version.id], title="Research summary draft",
                        competency_id=competency.id)
    return_for_revision(submission, context["teacher"], "Cite at least two sources and add a conclusion.")
    db.session.flush()


def _badges(context, items, ava, cara) -> None:
    from ..badges import classes, issuance
    from ..badges.models import BadgeClass

    org, teacher = context["organization"], context["teacher"]
    approval = db.session.scalar(db.select(BadgeClass).where(BadgeClass.organization_id == org.id,
                                                             BadgeClass.name == APPROVAL_BADGE))
    if approval is None and "ela-w-2" in items:
        approval = classes.create(org, {
            "name": APPROVAL_BADGE, "description": "Writes informative texts that convey complex ideas clearly.",
            "criteria_narrative": "Reach Proficient (3) on ELA.W.2; a teacher confirms before it is issued.",
            "issue_mode": "approval", "tags": ["writing"],
            "rule": {"all": [{"competency_id": str(items["ela-w-2"].id), "min_level": 3}]}}, actor=teacher)
        db.session.commit()
    try:
        if approval is not None:  # Cara meets it: one award waits for a teacher
            issuance.award_for_mastery(cara.id, [items["ela-w-2"].id], org.id)
        trip = db.session.scalar(db.select(BadgeClass).where(BadgeClass.organization_id == org.id,
                                                             BadgeClass.name == "Museum Field Trip"))
        if trip is not None:  # Ava's guardian has a badge to see
            issuance.issue(trip, issuance.Unit(ava), source_kind="bulk", actor=teacher)
    except Exception:  # demo data must load even if a rule cannot be evaluated
        db.session.rollback()
        log.exception("demo: badges for the web demo failed")
