"""The life of a transcript and of the credit policy it follows.

request (student or admin) -> issue (the registrar: build the record under the
current policy version, sign the CLR, allocate a revocation bit) or decline;
an issued transcript never changes; it can be shared by expiring links and
revoked (status list bit). A policy version is immutable once a transcript
used it: saving new rules then creates the next version.

Each public function is a unit of work: it commits, or raises with nothing written.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from openbadges.models import format_datetime

from .. import audit
from ..extensions import db
from ..models import Organization, Person, Role, utcnow
from . import builder, clr, policy as P, sources, urls
from .models import CreditPolicy, SchoolProfile, Transcript, TranscriptShare

MAX_SHARE_DAYS = 365


class LifecycleError(ValueError):
    """The transcript or policy is not in a state that allows this."""


# -- credit policy versions ---------------------------------------------------------------
def default_rules(org_id) -> dict:
    from ..assessment import facts

    return {"proficient_level": facts.scale(org_id).proficient_value,
            "graduation": {"min_domain_levels": facts.graduation_requirements(org_id)}}


def current_policy(org: Organization) -> CreditPolicy:
    """The latest version (version 1 with the defaults is created on first use)."""
    row = db.session.scalar(db.select(CreditPolicy).where(CreditPolicy.organization_id == org.id)
                            .order_by(CreditPolicy.version.desc()).limit(1))
    if row is None:
        rules = P.Rules.from_json(default_rules(org.id)).to_json()
        row = CreditPolicy(organization_id=org.id, version=1, rules=rules, note="Defaults")
        db.session.add(row)
        db.session.flush()
    return row


def policy_version(org: Organization, version: int) -> CreditPolicy | None:
    return db.session.scalar(db.select(CreditPolicy).where(CreditPolicy.organization_id == org.id,
                                                           CreditPolicy.version == version))


def save_policy(org: Organization, rules_json: dict, *, actor: Person, note: str | None = None) -> CreditPolicy:
    """Validate and store rules: in place while the latest version is unused, else as a new version."""
    rules = P.Rules.from_json(rules_json).to_json()  # raises RulesError listing every field
    latest = current_policy(org)
    if latest.used_at is None:
        latest.rules, latest.note, latest.created_by_id = rules, note, actor.id
        row = latest
    else:
        row = CreditPolicy(organization_id=org.id, version=latest.version + 1, rules=rules, note=note,
                           created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
    audit.record("credit_policy.save", obj=row, actor=actor, version=row.version)
    db.session.commit()
    return row


def school_profile(org: Organization) -> SchoolProfile:
    row = db.session.scalar(db.select(SchoolProfile).where(SchoolProfile.organization_id == org.id))
    if row is None:
        row = SchoolProfile(organization_id=org.id)
        db.session.add(row)
        db.session.flush()
    return row


def save_profile(org: Organization, values: dict, *, actor: Person) -> SchoolProfile:
    row = school_profile(org)
    for key, value in values.items():
        setattr(row, key, value)
    audit.record("school_profile.save", obj=row, actor=actor, fields=sorted(values))
    db.session.commit()
    return row


def profile_json(org: Organization) -> dict:
    from ..assessment import facts

    row = school_profile(org)
    scale = facts.scale(org.id)
    return {"name": org.name, "url": org.url, "email": org.email, "description": org.description,
            "address": row.address, "school_code": row.school_code, "accreditation": row.accreditation,
            "contact": row.contact, "size": row.size, "grading": row.grading,
            "scale": {"name": scale.name, "levels": scale.levels, "proficient_value": scale.proficient_value}}


# -- transcripts --------------------------------------------------------------------------------
def request_transcript(student: Person, *, actor: Person, note: str | None = None) -> Transcript:
    if student.role != Role.STUDENT.value:
        raise LifecycleError("transcripts are for students")
    pending = db.session.scalar(db.select(Transcript).where(Transcript.student_id == student.id,
                                                            Transcript.status == "requested"))
    if pending is not None:
        raise LifecycleError("a transcript request for this student is already waiting for review")
    row = Transcript(organization_id=student.organization_id, student_id=student.id, status="requested",
                     requested_by_id=actor.id, request_note=note)
    db.session.add(row)
    db.session.flush()
    audit.record("transcript.request", obj=row, actor=actor)
    db.session.commit()
    return row


def preview(student: Person, policy_row: CreditPolicy | None = None) -> dict:
    """The record as it would be issued now (not stored, not signed)."""
    org = db.session.get(Organization, student.organization_id)
    policy_row = policy_row or current_policy(org)
    rules = P.Rules.from_json(policy_row.rules)
    record = builder.build(sources.load(student, rules), rules)
    record["policy"] = {"version": policy_row.version, "url": urls.ids(org.slug).policy(policy_row.version),
                        "rules": policy_row.rules, "description": rules.describe()}
    record["school"] = profile_json(org)
    return record


def issue(transcript: Transcript, *, actor: Person) -> Transcript:
    """Build, sign and store the transcript (the registrar's decision). Commits."""
    from ..badges import signing_api

    # Lock the row (PostgreSQL) so two registrars cannot both sign the same request.
    db.session.refresh(transcript, with_for_update=True)
    if transcript.status != "requested":
        raise LifecycleError(f"a {transcript.status} transcript cannot be issued")
    student = db.session.get(Person, transcript.student_id)
    if not student.is_active:
        raise LifecycleError("the student's account is not active")
    org = db.session.get(Organization, transcript.organization_id)
    policy_row = current_policy(org)
    rules = P.Rules.from_json(policy_row.rules)
    inputs = sources.load(student, rules)
    record = builder.build(inputs, rules)
    record["policy"] = {"version": policy_row.version, "url": urls.ids(org.slug).policy(policy_row.version),
                        "rules": policy_row.rules, "description": rules.describe()}
    record["school"] = profile_json(org)
    now = utcnow().replace(microsecond=0)
    entry = signing_api.allocate_revocation(org)
    unsigned = clr.build(record, transcript_id=transcript.id, ids=urls.ids(org.slug),
                         issuer=signing_api.credential_issuer(org), issued=format_datetime(now), email=student.email,
                         policy_version=policy_row.version,
                         grade_letters=[b.letter for b in reversed(rules.grade_scale)],
                         scale=_scale_range(org), badges=inputs.badges,
                         status_entry=entry.credential_status)
    transcript.credential, transcript.credential_jwt = signing_api.sign(org, unsigned)
    transcript.record = record
    transcript.policy_id = policy_row.id
    transcript.status_list_id, transcript.status_index = entry.status_list_id, entry.index
    transcript.status, transcript.issued_at, transcript.reviewed_by_id = "issued", now, actor.id
    transcript.status_changed_at = now
    if policy_row.used_at is None:
        policy_row.used_at = now  # from now on this version is immutable
    audit.record("transcript.issue", obj=transcript, actor=actor, policy_version=policy_row.version)
    db.session.commit()
    return transcript


def _scale_range(org: Organization) -> tuple[float, float]:
    from ..assessment import facts

    values = [lv["value"] for lv in facts.scale(org.id).levels]
    return (min(values), max(values))


def decline(transcript: Transcript, *, actor: Person, reason: str) -> Transcript:
    if transcript.status != "requested":
        raise LifecycleError(f"a {transcript.status} transcript cannot be declined")
    transcript.status, transcript.status_reason = "declined", reason
    transcript.reviewed_by_id, transcript.status_changed_at = actor.id, utcnow()
    audit.record("transcript.decline", obj=transcript, actor=actor, reason=reason)
    db.session.commit()
    return transcript


def revoke(transcript: Transcript, *, actor: Person, reason: str) -> Transcript:
    from ..badges import signing_api

    if transcript.status != "issued":
        raise LifecycleError(f"a {transcript.status} transcript cannot be revoked")
    signing_api.revoke(transcript.status_list_id, transcript.status_index)
    transcript.status, transcript.status_reason, transcript.status_changed_at = "revoked", reason, utcnow()
    audit.record("transcript.revoke", obj=transcript, actor=actor, reason=reason)
    db.session.commit()
    return transcript


# -- share links ---------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def share(transcript: Transcript, *, actor: Person, days: int = 30) -> tuple[TranscriptShare, str]:
    """A new expiring link; the token is returned once and stored only hashed."""
    if transcript.status != "issued":
        raise LifecycleError("only an issued transcript can be shared")
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise LifecycleError(f"a link lasts between 1 and {MAX_SHARE_DAYS} days")
    token = secrets.token_urlsafe(32)
    row = TranscriptShare(transcript_id=transcript.id, token_hash=_hash(token), created_by_id=actor.id,
                          expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    audit.record("transcript.share", obj=transcript, actor=actor, share_id=str(row.id), days=days)
    db.session.commit()
    return row, token


def end_share(row: TranscriptShare, *, actor: Person) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("transcript.share_end", obj=row.transcript, actor=actor, share_id=str(row.id))
        db.session.commit()


def by_token(token: str) -> tuple[TranscriptShare | None, str | None]:
    """(share, None) when the link works, else (share or None, why not)."""
    row = db.session.scalar(db.select(TranscriptShare).where(TranscriptShare.token_hash == _hash(token)))
    if row is None:
        return None, "No such link."
    if row.revoked_at is not None:
        return row, "This link was withdrawn by its owner."
    if row.expires_at <= utcnow():
        return row, "This link has expired."
    return row, None
