"""Awarding badges: rules against mastery, manual issuance, the approval queue,
and building + signing the credential.

Every path ends in `_issue_units`: build the OpenBadgeCredential (hashed
recipient e-mail, Evidence naming artifact versions by SHA-256 `digestSRI`,
rubric Results, a revocation status entry), sign it with Data Integrity
(eddsa-rdfc-2022) and a VC-JWT twin, lock the evidence artifact versions, and
insert the Award. Idempotency: each award has a deterministic `award_key`
(badge class + recipient) under a unique constraint, so retries, concurrent
requests and resumed bulk jobs yield exactly one credential; a loser of the
race rolls back and returns the winner's award.

Transactions: `issue`, `approve` and `issue_many` are units of work and commit
(the caller must have nothing else pending); nothing is half-written on error.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Iterable, Protocol

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import openbadges
from openbadges import official_schema
from openbadges.models import AchievementSubject, Evidence, Image, OpenBadgeCredential, Result, format_datetime

from .. import audit, events
from ..extensions import db
from ..models import Organization, Person, Role, utcnow
from . import classes, issuer, keys, status, urls
from .models import Award, BadgeClass, StatusListEntry

OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

log = logging.getLogger(__name__)

SOURCES = ("auto", "manual", "bulk")


class IssuanceRefused(ValueError):
    """The award cannot be made (no evidence, archived class, wrong organization...)."""


@dataclass
class Outcome:
    award: Award
    created: bool  # False: an award with this key already existed (idempotent replay)


@dataclass
class Unit:
    """One award to make: who, with which evidence and results."""

    recipient: Person
    evidence_version_ids: list = field(default_factory=list)
    results: list = field(default_factory=list)  # OB Result JSON objects (without "type" is fine)
    narrative: str | None = None


def award_key_for(badge_class_id: uuid.UUID, recipient_id: uuid.UUID) -> str:
    """One badge of a class per student, however it is requested."""
    return f"bc:{badge_class_id}:p:{recipient_id}"


def award_by_key(key: str) -> Award | None:
    return db.session.scalar(db.select(Award).where(Award.award_key == key))


# -- mastery: where rules get their facts ----------------------------------------------------
class MasterySource(Protocol):
    def level(self, student_id: uuid.UUID, condition: dict) -> float | None: ...

    def evidence(self, student_id: uuid.UUID, conditions: list[dict], badge_class=None
                 ) -> tuple[list[uuid.UUID], list[dict]]:
        """(artifact version ids, OB Result objects) behind the conditions."""
        ...


def default_mastery_source() -> MasterySource:
    from .mastery import AssessmentMastery

    return AssessmentMastery()


def rule_holds(badge_class: BadgeClass, student_id: uuid.UUID, source: MasterySource | None = None) -> bool:
    rule = badge_class.rule
    if not rule or not rule.get("all"):
        return False
    source = source or default_mastery_source()
    for condition in rule["all"]:
        level = source.level(student_id, condition)
        if level is None or level < condition["min_level"]:
            return False
    return True


def students_meeting_rule(badge_class: BadgeClass, student_ids, source: MasterySource | None = None) -> list:
    """The students (ids, in the given order) for whom the rule holds; batched."""
    conditions = (badge_class.rule or {}).get("all") or []
    student_ids = list(student_ids)
    if not conditions:
        return []
    source = source or default_mastery_source()
    holding = set(student_ids)
    for condition in conditions:
        if hasattr(source, "levels"):
            levels = source.levels([s for s in student_ids if s in holding], condition)
        else:
            levels = {s: source.level(s, condition) for s in student_ids if s in holding}
        holding = {s for s, lv in levels.items() if lv is not None and lv >= condition["min_level"]}
    return [s for s in student_ids if s in holding]


def rule_candidates(student_id, competency_ids, organization_id) -> list[BadgeClass]:
    """The live badge classes whose rule names one of `competency_ids` (any rule
    when empty) and which the student has no award of yet, in any status: the
    only ones a rule check could award. One query: the classes with the
    student's award of each, if any."""
    wanted = {str(c) for c in competency_ids or []}
    classes: dict = {}
    held = set()
    for badge_class, key in db.session.execute(db.select(BadgeClass, Award.award_key).outerjoin(
            Award, db.and_(Award.badge_class_id == BadgeClass.id, Award.recipient_id == student_id)).where(
            BadgeClass.organization_id == organization_id, BadgeClass.archived_at.is_(None),
            BadgeClass.rule.is_not(None))):
        classes[badge_class.id] = badge_class
        held.add(key)
    candidates = []
    for badge_class in classes.values():
        conditions = (badge_class.rule or {}).get("all") or []
        mentions = {str(c.get("competency_id") or c.get("rubric_criterion_id")) for c in conditions}
        if (not wanted or mentions & wanted) and award_key_for(badge_class.id, student_id) not in held:
            candidates.append(badge_class)
    return candidates


def award_for_mastery(student_id, competency_ids, organization_id, *, source: MasterySource | None = None
                      ) -> list[Outcome]:
    """Issue or queue for approval every badge whose rule now holds for the
    student (rules naming one of `competency_ids`, or all when empty).
    Commits each award; idempotent. Run by the rule-check job (auto_award.py)."""
    source = _Remembering(source or default_mastery_source())
    student = db.session.get(Person, student_id)
    outcomes = []
    for badge_class in rule_candidates(student_id, competency_ids, organization_id):
        conditions = (badge_class.rule or {}).get("all") or []
        if not rule_holds(badge_class, student_id, source):
            continue
        version_ids, results = source.evidence(student_id, conditions, badge_class)
        unit = Unit(student, version_ids, results)
        try:
            if badge_class.issue_mode == "auto":
                outcomes.append(issue(badge_class, unit, source_kind="auto"))
            else:
                outcomes.append(queue_for_approval(badge_class, unit))
        except IssuanceRefused as exc:
            log.warning("automatic award of %s to %s refused: %s", badge_class.id, student_id, exc)
    return outcomes


class _Remembering:
    """A MasterySource that reads each level once: the rules of one check often
    name the same competency (each read was a query), and its awards do not move mastery."""

    def __init__(self, source: MasterySource):
        self.source = source
        self.known: dict = {}

    def level(self, student_id: uuid.UUID, condition: dict) -> float | None:
        key = (student_id, str(condition.get("competency_id")), str(condition.get("rubric_criterion_id")))
        if key not in self.known:
            self.known[key] = self.source.level(student_id, condition)
        return self.known[key]

    def evidence(self, student_id: uuid.UUID, conditions: list[dict], badge_class=None
                 ) -> tuple[list[uuid.UUID], list[dict]]:
        return self.source.evidence(student_id, conditions, badge_class)


# -- public entry points ---------------------------------------------------------------------
def issue(badge_class: BadgeClass, unit: Unit, *, source_kind: str = "manual", actor: Person | None = None,
          job_id: uuid.UUID | None = None) -> Outcome:
    """Issue one badge now (commits). Replays return the existing award."""
    key = award_key_for(badge_class.id, unit.recipient.id)
    existing = award_by_key(key)
    if existing is not None and existing.status not in ("pending_approval", "rejected"):
        return Outcome(existing, False)
    _check(badge_class, unit)
    org = db.session.get(Organization, badge_class.organization_id)
    signer = Signer(org, badge_class)
    try:
        if existing is not None:  # approving a queued award (or re-opening a rejected one)
            award = existing
            _complete(signer, award, unit, actor)
            audit.record("award.issue", obj=award, actor=actor, source=award.source, from_queue=True)
        else:
            award = _complete(signer, None, unit, actor, source_kind=source_kind, job_id=job_id, key=key)
            audit.record("award.issue", obj=award, actor=actor, source=source_kind, job_id=job_id)
        db.session.commit()
        return Outcome(award, True)
    except IntegrityError:
        db.session.rollback()
        winner = award_by_key(key)
        if winner is None:
            raise
        return Outcome(winner, False)


def queue_for_approval(badge_class: BadgeClass, unit: Unit, *, actor: Person | None = None) -> Outcome:
    """Record a pending award for a teacher to approve (commits)."""
    key = award_key_for(badge_class.id, unit.recipient.id)
    existing = award_by_key(key)
    if existing is not None:
        return Outcome(existing, False)
    _check(badge_class, unit)
    award = Award(id=uuid.uuid4(), organization_id=badge_class.organization_id, badge_class_id=badge_class.id,
                  recipient_id=unit.recipient.id, award_key=key, status="pending_approval", source="auto",
                  evidence=_evidence_rows(unit.evidence_version_ids), results=list(unit.results))
    try:
        db.session.add(award)
        db.session.flush()
        audit.record("award.queue", obj=award, actor=actor)
        events.award_pending.send(current_app._get_current_object(), award=award, badge_name=badge_class.name)
        db.session.commit()
        return Outcome(award, True)
    except IntegrityError:
        db.session.rollback()
        return Outcome(award_by_key(key), False)


def approve(award: Award, *, actor: Person) -> Outcome:
    if award.status not in ("pending_approval", "rejected"):
        raise IssuanceRefused(f"a {award.status} award cannot be approved")
    unit = Unit(db.session.get(Person, award.recipient_id),
                [uuid.UUID(e["artifact_version_id"]) for e in award.evidence or [] if e.get("artifact_version_id")],
                list(award.results or []))
    award.awarded_by_id = actor.id
    return issue(db.session.get(BadgeClass, award.badge_class_id), unit, actor=actor)


def reject(award: Award, *, actor: Person, reason: str) -> Award:
    """Decline a queued award (commits). It stays on record; approving later still works."""
    if award.status != "pending_approval":
        raise IssuanceRefused(f"a {award.status} award cannot be rejected")
    award.status = "rejected"
    award.status_reason = reason
    award.status_changed_at = utcnow()
    audit.record("award.reject", obj=award, actor=actor, reason=reason)
    db.session.commit()
    return award


def issue_many(badge_class: BadgeClass, units: list[Unit], *, source_kind: str = "bulk",
               actor: Person | None = None, job_id: uuid.UUID | None = None) -> list[Outcome]:
    """Issue a batch in one transaction (commits). Units whose award exists are
    skipped (idempotent resumption); on a concurrent duplicate the batch is
    rolled back and retried one by one."""
    keys_ = {award_key_for(badge_class.id, u.recipient.id): u for u in units}
    existing = {a.award_key: a for a in db.session.scalars(db.select(Award).where(Award.award_key.in_(list(keys_))))}
    todo = [u for k, u in keys_.items() if k not in existing]
    outcomes = [Outcome(a, False) for a in existing.values()]
    if not todo:
        return outcomes
    for unit in todo:
        _check(badge_class, unit)
    org = db.session.get(Organization, badge_class.organization_id)
    signer = Signer(org, badge_class)
    slots = status.allocate(org, status.CREDENTIAL_PURPOSE, len(todo))
    try:
        made = []
        for unit, slot in zip(todo, slots):
            award = _complete(signer, None, unit, actor, source_kind=source_kind, job_id=job_id,
                              key=award_key_for(badge_class.id, unit.recipient.id), slot=slot, audit_each=False)
            made.append(award)
        audit.record("award.issue_batch", obj=badge_class, actor=actor, job_id=job_id, count=len(made),
                     award_ids=[str(a.id) for a in made])
        db.session.commit()
        return outcomes + [Outcome(a, True) for a in made]
    except IntegrityError:
        db.session.rollback()
        return outcomes + [issue(badge_class, u, source_kind=source_kind, actor=actor, job_id=job_id) for u in todo]


# -- building and signing ----------------------------------------------------------------------
class Signer:
    """Everything per issuer and badge class computed once: keys, the issuer
    Profile and the Achievement JSON. Then each credential is cheap."""

    def __init__(self, org: Organization, badge_class: BadgeClass):
        rows = keys.ensure_keys(org)
        self.org = org
        self.badge_class = badge_class
        self.di_row, self.jwt_row = rows["data_integrity"], rows["jwt"]
        self.di_key, self.jwt_key = keys.private_key(self.di_row), keys.private_key(self.jwt_row)
        self.verification_method = urls.verification_method_id(org.slug, self.di_row.key_id)
        self.kid = urls.jwt_kid(org.slug, self.jwt_row.key_id)
        self.issuer = issuer.credential_issuer(org)
        self.achievement = classes.achievement(badge_class)

    def credential(self, award_id: uuid.UUID, recipient: Person, issued_at, valid_until, evidence_rows: list,
                   results: list, status_entry: dict, narrative: str | None = None) -> dict:
        subject = AchievementSubject.for_email(
            recipient.email, self.achievement, narrative=narrative,
            result=[Result.from_json(r) for r in results])
        evidence = [Evidence.for_artifact(e["url"], e["sha256"], name=e.get("name"))
                    if e.get("sha256") else Evidence(id=e["url"], name=e.get("name")) for e in evidence_rows]
        credential = OpenBadgeCredential(
            id=urls.credential_url(award_id), issuer=self.issuer, valid_from=_second(issued_at),
            valid_until=_second(valid_until) if valid_until else None, awarded_date=_second(issued_at),
            name=self.badge_class.name, description=self.badge_class.description,
            image=Image(id=urls.badge_class_image_url(self.badge_class.id), caption=self.badge_class.name),
            # 1EdTech's schema, by the name credentials use; its type 1EdTechJsonSchemaValidator2019 is
            # defined by the OB extensions context, without which JSON-LD safe-mode verifiers (Digital
            # Bazaar) refuse the credential.
            credential_schema=[{"id": official_schema.CREDENTIAL_SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
            contexts=[OB_EXTENSIONS_CONTEXT],
            credential_subject=subject, evidence=evidence, credential_status=status_entry)
        return credential.to_json()

    def sign(self, unsigned: dict) -> tuple[dict, str]:
        issued = openbadges.issue(unsigned, self.di_key, self.verification_method, jwt_key=self.jwt_key,
                                  kid=self.kid, created=unsigned["validFrom"])
        return issued.credential, issued.jwt or ""


def _second(moment) -> str:
    return format_datetime(moment.replace(microsecond=0))


def _complete(signer: Signer, award: Award | None, unit: Unit, actor, *, source_kind: str = "manual",
              job_id=None, key: str | None = None, slot=None, audit_each: bool = True) -> Award:
    badge_class = signer.badge_class
    now = utcnow()
    if award is None:
        award = Award(id=uuid.uuid4(), organization_id=badge_class.organization_id, badge_class_id=badge_class.id,
                      recipient_id=unit.recipient.id, award_key=key, source=source_kind, job_id=job_id,
                      awarded_by_id=getattr(actor, "id", None), status="issuing")
        db.session.add(award)
    with db.session.no_autoflush:  # the new award is inserted once, complete, not inserted then updated
        evidence_rows, versions = _evidence(unit.evidence_version_ids)
        list_row, index = slot or status.allocate(signer.org, status.CREDENTIAL_PURPOSE)[0]
    valid_until = now + timedelta(days=badge_class.validity_days) if badge_class.validity_days else None
    unsigned = signer.credential(award.id, unit.recipient, now, valid_until, evidence_rows, unit.results,
                                 status.credential_status(list_row, index), unit.narrative)
    award.credential, award.credential_jwt = signer.sign(unsigned)
    award.evidence, award.results = evidence_rows, list(unit.results)
    award.signing_key_id = signer.di_row.id
    award.issued_at, award.valid_until = now.replace(microsecond=0), valid_until
    award.status, award.status_reason, award.status_changed_at = "issued", None, now
    db.session.add(StatusListEntry(status_list_id=list_row.id, award_id=award.id, status_index=index))
    if versions:
        from ..portfolio.artifacts import lock_versions

        lock_versions(versions, f"evidence for badge {badge_class.name}"[:200])
    if audit_each:  # batches flush once at commit: one multi-row INSERT per table
        db.session.flush()
    events.award_issued.send(current_app._get_current_object(), award=award, badge_name=badge_class.name)
    return award


def _evidence(version_ids: Iterable) -> tuple[list[dict], list]:
    ids = [uuid.UUID(str(v)) for v in version_ids or []]
    if not ids:
        return [], []
    from ..portfolio.models import ArtifactVersion

    versions = db.session.scalars(db.select(ArtifactVersion).where(ArtifactVersion.id.in_(ids))
                                  .options(joinedload(ArtifactVersion.artifact))).all()
    by_id = {v.id: v for v in versions}
    missing = [str(i) for i in ids if i not in by_id]
    if missing:
        raise IssuanceRefused(f"no such artifact version(s): {', '.join(missing)}")
    rows = []
    for vid in ids:
        v = by_id[vid]
        rows.append({"artifact_version_id": str(v.id), "url": v.url if v.blob_digest is None else
                     urls.artifact_version_url(v.artifact_id, v.number), "sha256": v.blob_digest,
                     "name": v.artifact.title if v.artifact is not None else None})
    return rows, [by_id[i] for i in ids]


def _evidence_rows(version_ids) -> list[dict]:
    return _evidence(version_ids)[0]


def _check(badge_class: BadgeClass, unit: Unit) -> None:
    if badge_class.archived_at is not None:
        raise IssuanceRefused("this badge class is archived")
    recipient = unit.recipient
    if recipient is None or recipient.role != Role.STUDENT.value or not recipient.is_active:
        raise IssuanceRefused("badges are issued to active students only")
    if recipient.organization_id != badge_class.organization_id:
        raise IssuanceRefused("the student is not in this badge class's organization")
    if unit.evidence_version_ids:
        from ..portfolio.models import Artifact, ArtifactVersion

        owners = set(db.session.scalars(db.select(Artifact.owner_id).join(ArtifactVersion).where(
            ArtifactVersion.id.in_([uuid.UUID(str(v)) for v in unit.evidence_version_ids]))))
        if owners - {recipient.id}:
            raise IssuanceRefused("evidence must be the recipient's own work")
