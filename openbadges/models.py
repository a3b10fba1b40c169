"""Builders for the Open Badges 3.0 / CLR 2.0 data model (VC Data Model 2.0).

Plain dataclasses; `to_json()` emits exactly the specification's property names, always
as arrays where the data model says [0..*] / [1..*], and omits None and empty values
(OB 3.0 "Serialization": null or empty array values MUST be omitted). `from_json()`
reads the same shape back; unknown properties are kept in `extra` and written out again.

Evidence carries an artifact's SHA-256 in `digestSRI` (VC 2.0 section 5.3, "Integrity of
Related Resources", a term of the VC 2.0 context) next to the evidence `id` URL.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from openbadges.identity import hashed_email

__all__ = [
    "VC_V2_CONTEXT",
    "OB_V3_CONTEXT",
    "CLR_V2_CONTEXT",
    "ModelError",
    "Image",
    "Criteria",
    "Alignment",
    "RubricCriterionLevel",
    "ResultDescription",
    "Result",
    "Profile",
    "Achievement",
    "Evidence",
    "AchievementSubject",
    "OpenBadgeCredential",
    "Association",
    "ClrSubject",
    "ClrCredential",
    "format_datetime",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

ASSOCIATION_TYPES = (
    "exactMatchOf", "isChildOf", "isParentOf", "isPartOf",
    "isPeerOf", "isRelatedTo", "precedes", "replacedBy",
)


class ModelError(ValueError):
    """A builder was given values the data model does not allow."""


def format_datetime(value: datetime | str) -> str:
    """DateTimeZ text: UTC with a trailing Z. Strings are passed through unchanged."""
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        raise ModelError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ModelError("datetimes must be time-zone aware (DateTimeZ)")
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _p(json_name: str, kind: Any = None, *, many: bool = False, required: bool = False, default: Any = None):
    """A data-model property: its JSON name, nested class (if any), and cardinality."""
    meta = {"json": json_name, "kind": kind, "many": many, "required": required}
    if many:
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


_fields = functools.cache(dataclasses.fields)  # per class; dataclasses.fields is slow for a CLR's thousands of nodes


class _Node:
    """Shared to_json / from_json over the `_p` metadata of a dataclass."""

    TYPE: ClassVar[str]
    TYPE_IS_LIST: ClassVar[bool] = True  # IRI sets [1..*] are arrays; Image etc. are [1]

    def __post_init__(self) -> None:
        for f in _fields(type(self)):
            meta = f.metadata
            if meta.get("required") and getattr(self, f.name) in (None, "", []):
                raise ModelError(f"{type(self).__name__}.{f.name} ({meta['json']}) is required")

    def to_json(self) -> dict:
        out: dict[str, Any] = {}
        if getattr(self, "id", None):
            out["id"] = self.id
        out["type"] = [self.TYPE] if self.TYPE_IS_LIST else self.TYPE
        for f in _fields(type(self)):
            meta = f.metadata
            if "json" not in meta or meta["json"] == "id":
                continue
            value = _dump(getattr(self, f.name))
            if value is None or value == [] or value == "":
                continue
            out[meta["json"]] = value
        for key, value in getattr(self, "extra", {}).items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_json(cls, data: dict):
        if not isinstance(data, dict):
            raise ModelError(f"{cls.__name__} must be a JSON object")
        kwargs: dict[str, Any] = {}
        known = {"type"}
        for f in dataclasses.fields(cls):
            meta = f.metadata
            if "json" not in meta:
                continue
            known.add(meta["json"])
            if meta["json"] not in data:
                continue
            value = data[meta["json"]]
            if meta["many"]:
                value = [_load(meta["kind"], v) for v in (value if isinstance(value, list) else [value])]
            else:
                value = _load(meta["kind"], value)
            kwargs[f.name] = value
        if any(f.name == "extra" for f in dataclasses.fields(cls)):
            kwargs["extra"] = {k: v for k, v in data.items() if k not in known}
        return cls(**kwargs)


def _dump(value: Any) -> Any:
    if isinstance(value, _Node):
        return value.to_json()
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def _load(kind: Any, value: Any) -> Any:
    # A nested object given by reference (URI string) stays a string: ProfileRef etc.
    if kind is not None and isinstance(value, dict):
        return kind.from_json(value)
    return value


@dataclass
class Image(_Node):
    TYPE: ClassVar[str] = "Image"
    TYPE_IS_LIST: ClassVar[bool] = False
    id: str = _p("id", required=True)
    caption: str | None = _p("caption")


@dataclass
class Criteria(_Node):
    id: str | None = _p("id")
    narrative: str | None = _p("narrative")
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id and not self.narrative:
            raise ModelError("Criteria needs an id (URL) or a narrative")

    def to_json(self) -> dict:  # Criteria has no `type`
        out = {k: v for k, v in (("id", self.id), ("narrative", self.narrative)) if v}
        return {**self.extra, **out}


@dataclass
class Alignment(_Node):
    TYPE: ClassVar[str] = "Alignment"
    target_name: str = _p("targetName", required=True)
    target_url: str = _p("targetUrl", required=True)
    target_code: str | None = _p("targetCode")
    target_description: str | None = _p("targetDescription")
    target_framework: str | None = _p("targetFramework")
    target_type: str | None = _p("targetType")
    extra: dict = field(default_factory=dict)


@dataclass
class RubricCriterionLevel(_Node):
    TYPE: ClassVar[str] = "RubricCriterionLevel"
    id: str = _p("id", required=True)
    name: str = _p("name", required=True)
    description: str | None = _p("description")
    level: str | None = _p("level")
    points: str | None = _p("points")  # a String in the data model
    alignment: list[Alignment] = _p("alignment", Alignment, many=True)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.points is not None and not isinstance(self.points, str):
            self.points = str(self.points)


@dataclass
class ResultDescription(_Node):
    TYPE: ClassVar[str] = "ResultDescription"
    id: str = _p("id", required=True)
    name: str = _p("name", required=True)
    result_type: str = _p("resultType", required=True)
    allowed_value: list[str] = _p("allowedValue", many=True)
    required_level: str | None = _p("requiredLevel")
    required_value: str | None = _p("requiredValue")
    rubric_criterion_level: list[RubricCriterionLevel] = _p("rubricCriterionLevel", RubricCriterionLevel, many=True)
    value_min: str | None = _p("valueMin")
    value_max: str | None = _p("valueMax")
    alignment: list[Alignment] = _p("alignment", Alignment, many=True)
    extra: dict = field(default_factory=dict)


@dataclass
class Result(_Node):
    TYPE: ClassVar[str] = "Result"
    result_description: str | None = _p("resultDescription")
    achieved_level: str | None = _p("achievedLevel")
    value: str | None = _p("value")
    status: str | None = _p("status")
    alignment: list[Alignment] = _p("alignment", Alignment, many=True)
    extra: dict = field(default_factory=dict)


@dataclass
class Profile(_Node):
    TYPE: ClassVar[str] = "Profile"
    id: str = _p("id", required=True)
    name: str | None = _p("name")
    url: str | None = _p("url")
    email: str | None = _p("email")
    description: str | None = _p("description")
    phone: str | None = _p("phone")
    image: Image | None = _p("image", Image)
    extra: dict = field(default_factory=dict)


@dataclass
class Achievement(_Node):
    TYPE: ClassVar[str] = "Achievement"
    id: str = _p("id", required=True)
    name: str = _p("name", required=True)
    description: str = _p("description", required=True)
    criteria: Criteria = _p("criteria", Criteria, required=True)
    achievement_type: str | None = _p("achievementType")
    image: Image | None = _p("image", Image)
    alignment: list[Alignment] = _p("alignment", Alignment, many=True)
    result_description: list[ResultDescription] = _p("resultDescription", ResultDescription, many=True)
    creator: Profile | str | None = _p("creator", Profile)
    credits_available: float | None = _p("creditsAvailable")
    field_of_study: str | None = _p("fieldOfStudy")
    human_code: str | None = _p("humanCode")
    tag: list[str] = _p("tag", many=True)
    version: str | None = _p("version")
    in_language: str | None = _p("inLanguage")
    extra: dict = field(default_factory=dict)


def _sri_sha256(sha256: bytes | str) -> str:
    """SRI text 'sha256-<base64>' from a raw or hex SHA-256 digest."""
    if isinstance(sha256, str):
        if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise ModelError("sha256 must be 64 hex characters")
        sha256 = bytes.fromhex(sha256)
    if len(sha256) != 32:
        raise ModelError("sha256 digest must be 32 bytes")
    return "sha256-" + base64.b64encode(sha256).decode("ascii")


@dataclass
class Evidence(_Node):
    TYPE: ClassVar[str] = "Evidence"
    id: str | None = _p("id")
    narrative: str | None = _p("narrative")
    name: str | None = _p("name")
    description: str | None = _p("description")
    genre: str | None = _p("genre")
    audience: str | None = _p("audience")
    digest_sri: str | None = _p("digestSRI")
    extra: dict = field(default_factory=dict)

    @classmethod
    def for_artifact(cls, url: str, sha256: bytes | str, **details: Any) -> "Evidence":
        """Evidence pointing at an uploaded artifact, bound to its content by SHA-256."""
        if not url:
            raise ModelError("artifact evidence needs the artifact URL as id")
        return cls(id=url, digest_sri=_sri_sha256(sha256), **details)

    @property
    def sha256_hex(self) -> str | None:
        """The SHA-256 in `digestSRI` as hex, or None when there is none."""
        if not self.digest_sri or not self.digest_sri.startswith("sha256-"):
            return None
        return base64.b64decode(self.digest_sri[len("sha256-"):]).hex()


@dataclass
class AchievementSubject(_Node):
    TYPE: ClassVar[str] = "AchievementSubject"
    achievement: Achievement = _p("achievement", Achievement, required=True)
    id: str | None = _p("id")
    identifier: list[dict] = _p("identifier", many=True)
    result: list[Result] = _p("result", Result, many=True)
    narrative: str | None = _p("narrative")
    activity_start_date: datetime | str | None = _p("activityStartDate")
    activity_end_date: datetime | str | None = _p("activityEndDate")
    credits_earned: float | None = _p("creditsEarned")
    role: str | None = _p("role")
    term: str | None = _p("term")
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.id and not self.identifier:
            raise ModelError("AchievementSubject needs an id or at least one identifier")

    @classmethod
    def for_email(cls, email: str, achievement: Achievement, *, salt: str | None = None, **kw: Any) -> "AchievementSubject":
        """Recipient identified by a salted SHA-256 of the e-mail, never the address itself."""
        return cls(achievement=achievement, identifier=[hashed_email(email, salt)], **kw)

    def to_json(self) -> dict:
        for identity in self.identifier:
            # plaintext e-mail addresses must not leave the service inside a credential
            if identity.get("identityType") == "emailAddress" and identity.get("hashed") is not True:
                raise ModelError("recipient e-mail identifiers must be hashed")
        return super().to_json()


@dataclass
class OpenBadgeCredential(_Node):
    TYPE: ClassVar[str] = "OpenBadgeCredential"
    id: str = _p("id", required=True)
    issuer: Profile | str = _p("issuer", Profile, required=True)
    valid_from: datetime | str = _p("validFrom", required=True)
    name: str = _p("name", required=True)
    credential_subject: AchievementSubject = _p("credentialSubject", AchievementSubject, required=True)
    valid_until: datetime | str | None = _p("validUntil")
    description: str | None = _p("description")
    image: Image | None = _p("image", Image)
    awarded_date: datetime | str | None = _p("awardedDate")
    credential_status: dict | None = _p("credentialStatus")
    evidence: list[Evidence] = _p("evidence", Evidence, many=True)
    credential_schema: list[dict] = _p("credentialSchema", many=True)
    contexts: list[str] = field(default_factory=list)  # extra @context entries after the two required
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        body = super().to_json()
        body["type"] = ["VerifiableCredential", self.TYPE]
        return {"@context": [VC_V2_CONTEXT, OB_V3_CONTEXT, *self.contexts], **body}

    @classmethod
    def from_json(cls, data: dict) -> "OpenBadgeCredential":
        credential = super().from_json({k: v for k, v in data.items() if k != "@context"})
        context = data.get("@context") or []
        credential.contexts = [c for c in context if c not in (VC_V2_CONTEXT, OB_V3_CONTEXT)]
        return credential


@dataclass
class Association(_Node):
    TYPE: ClassVar[str] = "Association"
    TYPE_IS_LIST: ClassVar[bool] = False
    association_type: str = _p("associationType", required=True)
    source_id: str = _p("sourceId", required=True)
    target_id: str = _p("targetId", required=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.association_type not in ASSOCIATION_TYPES:
            raise ModelError(f"associationType must be one of {ASSOCIATION_TYPES}")


@dataclass
class ClrSubject(_Node):
    TYPE: ClassVar[str] = "ClrSubject"
    verifiable_credential: list[dict | OpenBadgeCredential] = _p("verifiableCredential", many=True, required=True)
    id: str | None = _p("id")
    identifier: list[dict] = _p("identifier", many=True)
    achievement: list[Achievement] = _p("achievement", Achievement, many=True)
    association: list[Association] = _p("association", Association, many=True)
    extra: dict = field(default_factory=dict)


@dataclass
class ClrCredential(_Node):
    TYPE: ClassVar[str] = "ClrCredential"
    id: str = _p("id", required=True)
    issuer: Profile | str = _p("issuer", Profile, required=True)
    valid_from: datetime | str = _p("validFrom", required=True)
    name: str = _p("name", required=True)
    credential_subject: ClrSubject = _p("credentialSubject", ClrSubject, required=True)
    valid_until: datetime | str | None = _p("validUntil")
    description: str | None = _p("description")
    partial: bool | None = _p("partial")
    awarded_date: datetime | str | None = _p("awardedDate")
    credential_status: dict | None = _p("credentialStatus")
    credential_schema: list[dict] = _p("credentialSchema", many=True)
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        body = super().to_json()
        body["type"] = ["VerifiableCredential", self.TYPE]
        # CLR terms first after VC 2.0; the OB context for the embedded achievement terms
        return {"@context": [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT], **body}
