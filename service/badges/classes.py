"""Badge classes: what a badge certifies (an OB 3.0 Achievement) and the rule
that awards it. Validation of the rule, alignments and result descriptions
lives here so the API and the bulk/demo paths share it.
"""
from __future__ import annotations

import html
import io
import uuid

from openbadges.models import Achievement, Alignment, Criteria, Image, ResultDescription, RubricCriterionLevel

from .. import audit
from ..blobstore import get_store
from ..extensions import db
from ..models import Organization
from . import issuer, urls
from .models import BadgeClass

ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award", "Badge",
    "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
    "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
    "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma")
ISSUE_MODES = ("auto", "approval")
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_ALIGNMENT_KEYS = {"targetName", "targetUrl", "targetCode", "targetFramework", "targetType",
                   "targetDescription", "competency_id"}


class BadgeClassInvalid(ValueError):
    """Bad badge class data; `errors` is [(field, message)]."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def validate_rule(rule) -> list[tuple[str, str]]:
    """A rule is {"all": [condition, ...]}; each condition names exactly one of
    competency_id / rubric_criterion_id (a UUID) and a numeric min_level."""
    if rule is None:
        return []
    if not isinstance(rule, dict) or set(rule) != {"all"} or not isinstance(rule["all"], list) or not rule["all"]:
        return [("rule", 'must be {"all": [conditions]} with at least one condition')]
    errors = []
    for i, cond in enumerate(rule["all"]):
        where = f"rule.all.{i}"
        if not isinstance(cond, dict):
            errors.append((where, "must be an object"))
            continue
        targets = [k for k in ("competency_id", "rubric_criterion_id") if k in cond]
        if len(targets) != 1 or set(cond) - {"competency_id", "rubric_criterion_id", "min_level"}:
            errors.append((where, "needs exactly one of competency_id / rubric_criterion_id, and min_level"))
            continue
        try:
            uuid.UUID(str(cond[targets[0]]))
        except ValueError:
            errors.append((f"{where}.{targets[0]}", "must be a UUID"))
        level = cond.get("min_level")
        if isinstance(level, bool) or not isinstance(level, (int, float)) or level < 0:
            errors.append((f"{where}.min_level", "must be a non-negative number"))
    return errors


def validate_alignments(alignments) -> list[tuple[str, str]]:
    errors = []
    for i, item in enumerate(alignments or []):
        if not isinstance(item, dict):
            errors.append((f"alignments.{i}", "must be an object"))
            continue
        unknown = set(item) - _ALIGNMENT_KEYS
        if unknown:
            errors.append((f"alignments.{i}", f"unknown keys {sorted(unknown)}"))
        for key in ("targetName", "targetUrl"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                errors.append((f"alignments.{i}.{key}", "is required"))
        if isinstance(item.get("targetUrl"), str) and not item["targetUrl"].startswith(("https://", "http://")):
            errors.append((f"alignments.{i}.targetUrl", "must be an absolute http(s) URL"))
    return errors


def result_descriptions_from_rubric(badge_class_id: uuid.UUID | str, criteria: list[dict],
                                    required_level: str | None = None) -> list[dict]:
    """ResultDescriptions (resultType RubricCriterionLevel) from rubric criteria.

    `criteria`: [{"id", "name", "levels": [{"id", "name", "description"?, "points"?}]}]
    (the assessment feature's rubric shape). Ids become URLs under the achievement.
    """
    base = urls.achievement_url(badge_class_id)
    out = []
    for criterion in criteria:
        levels = [RubricCriterionLevel(id=f"{base}#level-{lv['id']}", name=lv["name"],
                                       description=lv.get("description"),
                                       points=None if lv.get("points") is None else str(lv["points"]))
                  for lv in criterion.get("levels") or []]
        required = required_level or criterion.get("required_level")
        out.append(ResultDescription(
            id=f"{base}#criterion-{criterion['id']}", name=criterion["name"], result_type="RubricCriterionLevel",
            rubric_criterion_level=levels,
            required_level=f"{base}#level-{required}" if required else None).to_json())
    return out


def _check(data: dict, partial: bool) -> None:
    errors = validate_rule(data.get("rule")) + validate_alignments(data.get("alignments"))
    if "achievement_type" in data and data["achievement_type"] not in ACHIEVEMENT_TYPES:
        errors.append(("achievement_type", "is not an OB 3.0 achievementType"))
    if "issue_mode" in data and data["issue_mode"] not in ISSUE_MODES:
        errors.append(("issue_mode", f"must be one of {ISSUE_MODES}"))
    for i, rd in enumerate(data.get("result_descriptions") or []):
        try:
            ResultDescription.from_json(rd)
        except (ValueError, TypeError) as exc:
            errors.append((f"result_descriptions.{i}", str(exc)))
    if not partial:
        for key in ("name", "description", "criteria_narrative"):
            if not data.get(key):
                errors.append((key, "is required"))
    if errors:
        raise BadgeClassInvalid(errors)


EDITABLE = ("name", "description", "achievement_type", "criteria_narrative", "tags", "alignments",
            "result_descriptions", "rule", "issue_mode", "validity_days")


def create(organization: Organization, data: dict, *, actor=None, badge_class_id: uuid.UUID | None = None) -> BadgeClass:
    """New badge class; the caller commits. (`badge_class_id` lets result
    descriptions built beforehand name the class's URL.)"""
    _check(data, partial=False)
    badge_class = BadgeClass(id=badge_class_id or uuid.uuid4(), organization_id=organization.id,
                             created_by_id=getattr(actor, "id", None),
                             **{k: data[k] for k in EDITABLE if k in data})
    db.session.add(badge_class)
    db.session.flush()
    audit.record("badge_class.create", obj=badge_class, actor=actor, name=badge_class.name)
    return badge_class


def update(badge_class: BadgeClass, data: dict, *, actor=None) -> BadgeClass:
    """Change a badge class. Issued credentials keep the achievement they were signed with."""
    _check(data, partial=True)
    for key in EDITABLE:
        if key in data:
            setattr(badge_class, key, data[key])
    audit.record("badge_class.update", obj=badge_class, actor=actor, fields=sorted(k for k in data if k in EDITABLE))
    return badge_class


def archive(badge_class: BadgeClass, *, actor=None) -> BadgeClass:
    from ..models import utcnow

    badge_class.archived_at = utcnow()
    audit.record("badge_class.archive", obj=badge_class, actor=actor)
    return badge_class


def set_image(badge_class: BadgeClass, data: bytes, *, actor=None) -> BadgeClass:
    """Store an uploaded PNG or SVG badge image (content-checked, size-capped)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise BadgeClassInvalid([("image", f"larger than {MAX_IMAGE_BYTES} bytes")])
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    else:
        head = data[:4096].lstrip().lower()
        text = data.lower()
        if not (head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)):
            raise BadgeClassInvalid([("image", "must be a PNG or SVG image")])
        if b"<!entity" in text or b"<script" in text or b"javascript:" in text or b" on" in _attrs(text):
            raise BadgeClassInvalid([("image", "SVG with scripts or entity declarations is refused")])
        mime = "image/svg+xml"
    blob = get_store().put(io.BytesIO(data), max_bytes=MAX_IMAGE_BYTES)
    badge_class.image_digest = blob.digest
    badge_class.image_mime_type = mime
    audit.record("badge_class.image", obj=badge_class, actor=actor, digest=blob.digest, mime_type=mime)
    return badge_class


def _attrs(svg: bytes) -> bytes:
    # crude but safe: any "on...=" event handler attribute anywhere
    import re

    return b" on" if re.search(rb"\son[a-z]+\s*=", svg) else b""


def image_bytes(badge_class: BadgeClass) -> tuple[bytes, str]:
    """(bytes, mime type) of the badge image: the upload, or a generated SVG."""
    if badge_class.image_digest:
        with get_store().open(badge_class.image_digest) as f:
            return f.read(), badge_class.image_mime_type or "image/png"
    return generated_svg(badge_class).encode("utf-8"), "image/svg+xml"


_PALETTE = ("#1b5e20", "#0d47a1", "#4a148c", "#b71c1c", "#e65100", "#006064", "#3e2723", "#263238")


def generated_svg(badge_class: BadgeClass) -> str:
    """A plain, deterministic badge: a coloured circle with the badge's initials."""
    words = [w for w in badge_class.name.split() if w[:1].isalnum()]
    initials = html.escape("".join(w[0] for w in words[:3]).upper() or "B")
    colour = _PALETTE[badge_class.id.int % len(_PALETTE)]
    title = html.escape(badge_class.name)
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" '
            f'role="img" aria-label="{title}"><title>{title}</title>'
            f'<circle cx="128" cy="128" r="120" fill="{colour}"/>'
            '<circle cx="128" cy="128" r="104" fill="none" stroke="#fff" stroke-width="6"/>'
            f'<text x="128" y="150" text-anchor="middle" font-family="sans-serif" font-size="64" '
            f'font-weight="bold" fill="#fff">{initials}</text></svg>')


def achievement(badge_class: BadgeClass) -> Achievement:
    """The OB 3.0 Achievement for this class (as embedded in credentials)."""
    org = badge_class.organization
    alignments = [Alignment(target_name=a["targetName"], target_url=a["targetUrl"], target_code=a.get("targetCode"),
                            target_description=a.get("targetDescription"),
                            target_framework=a.get("targetFramework"), target_type=a.get("targetType"))
                  for a in badge_class.alignments or []]
    return Achievement(
        id=urls.achievement_url(badge_class.id), name=badge_class.name, description=badge_class.description,
        criteria=Criteria(narrative=badge_class.criteria_narrative),
        achievement_type=badge_class.achievement_type or "Badge",
        image=Image(id=urls.badge_class_image_url(badge_class.id), caption=badge_class.name),
        alignment=alignments,
        result_description=[ResultDescription.from_json(rd) for rd in badge_class.result_descriptions or []],
        creator=issuer.profile(org) if org is not None else None,
        tag=list(badge_class.tags or []))


def achievement_json(badge_class: BadgeClass) -> dict:
    from openbadges.models import OB_V3_CONTEXT, VC_V2_CONTEXT

    return {"@context": [VC_V2_CONTEXT, OB_V3_CONTEXT], **achievement(badge_class).to_json()}
