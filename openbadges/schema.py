"""JSON Schema validation of Open Badges 3.0 / CLR 2.0 documents against the bundled schemas.

`validate(document)` picks the schema from the document's `type` and returns every
violation (never only the first), each with a dotted `path` and a JSON `pointer`.
All schemas are loaded from `openbadges/schemas/` into a `referencing` registry, so
cross-file `$ref`s resolve locally and nothing is fetched from the network.

Speed: each schema is also compiled once per process by `jsonschema-rs` (Rust),
which answers "valid or not" several times faster than the interpreted
`jsonschema` walk. A valid document (the common case on a public verify
endpoint) costs only that check; an invalid one is then walked by `jsonschema`
to list every violation with its path, so reports read exactly as before. Both
use the same schemas and the same two format checks (tests/openbadges check
they agree).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT201909

__all__ = [
    "SchemaViolation",
    "validate",
    "schema_for",
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "ENDORSEMENT_CREDENTIAL_SCHEMA",
    "CLR_CREDENTIAL_SCHEMA",
    "STATUS_LIST_CREDENTIAL_SCHEMA",
]

ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
CLR_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
STATUS_LIST_CREDENTIAL_SCHEMA = "urn:mastery-badges:schema:bitstring-status-list-credential"

_SCHEMA_DIR = Path(__file__).with_name("schemas")

# Most specific first: a CLR embeds OpenBadgeCredentials, but its own type decides.
_SCHEMA_BY_TYPE = (
    ("ClrCredential", CLR_CREDENTIAL_SCHEMA),
    ("EndorsementCredential", ENDORSEMENT_CREDENTIAL_SCHEMA),
    ("BitstringStatusListCredential", STATUS_LIST_CREDENTIAL_SCHEMA),
    ("OpenBadgeCredential", ACHIEVEMENT_CREDENTIAL_SCHEMA),
    ("AchievementCredential", ACHIEVEMENT_CREDENTIAL_SCHEMA),
)


@dataclass(frozen=True, order=True)
class SchemaViolation:
    """One schema violation: `path` is dotted (`credentialSubject.identifier[0].salt`),
    `pointer` is the RFC 6901 JSON Pointer to the same place, `keyword` the failing rule."""

    path: str
    message: str
    pointer: str = ""
    keyword: str = ""

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


# DateTimeZ: an ISO 8601 / RFC 3339 date-time that MUST carry its time zone.
_DATETIME_Z = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime_z(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATETIME_Z.match(value):
        raise ValueError("not a date-time with a time zone (e.g. 2024-01-31T09:00:00Z)")
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # rejects month 13 etc.
    return True


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


def _bool_format(check):
    def compiled_check(value: str) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False

    return compiled_check


# Only these formats are asserted, as by _FORMATS; any other format is an annotation.
_COMPILED_FORMATS = {"date-time": _bool_format(_is_datetime_z), "date": _bool_format(_is_date)}


def _schema_files() -> list[dict]:
    return [json.loads(file.read_text(encoding="utf-8")) for file in sorted(_SCHEMA_DIR.glob("*.json"))]


@lru_cache(maxsize=None)
def _compiled(schema_id: str):
    schemas = {contents["$id"]: contents for contents in _schema_files()}
    registry = jsonschema_rs.Registry(list(schemas.items()))
    return jsonschema_rs.Draft201909Validator(schemas[schema_id], registry=registry, formats=_COMPILED_FORMATS,
                                              validate_formats=True, ignore_unknown_formats=True)


def is_valid(document: object) -> bool:
    """Whether `document` has no schema violation (the compiled check only)."""
    if not isinstance(document, dict):
        return False
    schema_id = schema_for(document)
    return schema_id is not None and _compiled_valid(schema_id, document)


def _compiled_valid(schema_id: str, document: dict) -> bool:
    try:
        return _compiled(schema_id).is_valid(document)
    except (ValueError, TypeError):  # not plain JSON data (e.g. a non-string key): let jsonschema report it
        return False


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for file in sorted(_SCHEMA_DIR.glob("*.json")):
        contents = json.loads(file.read_text(encoding="utf-8"))
        resources.append((contents["$id"], DRAFT201909.create_resource(contents)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def _validator(schema_id: str) -> Draft201909Validator:
    registry = _registry()
    schema = registry.contents(schema_id)
    return Draft201909Validator(schema, registry=registry, format_checker=_FORMATS)


def schema_for(document: dict) -> str | None:
    """The `$id` of the schema that applies to `document`, chosen from its `type`."""
    types = document.get("type")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return None
    for type_name, schema_id in _SCHEMA_BY_TYPE:
        if type_name in types:
            return schema_id
    return None


def validate(document: dict) -> list[SchemaViolation]:
    """Validate a credential; returns every violation found (empty list: valid)."""
    if not isinstance(document, dict):
        return [SchemaViolation("", "document must be a JSON object", "", "type")]
    schema_id = schema_for(document)
    if schema_id is None:
        return [
            SchemaViolation(
                "type",
                "type must include OpenBadgeCredential, AchievementCredential, ClrCredential, "
                "EndorsementCredential or BitstringStatusListCredential",
                "/type",
                "type",
            )
        ]
    if _compiled_valid(schema_id, document):
        return []
    errors = _validator(schema_id).iter_errors(document)
    return sorted({v for error in errors for v in _expand(error)})


def _expand(error: ValidationError) -> list[SchemaViolation]:
    """Report a failed anyOf/oneOf through the one branch the value was meant for."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # a branch whose own `type` does not fit the value was not the intended one
        mismatched = {e.relative_schema_path[0] for e in error.context if e.validator == "type" and not e.relative_path}
        relevant = [e for e in error.context if e.relative_schema_path[0] not in mismatched]
        branches = {e.relative_schema_path[0] for e in relevant}
        if len(branches) == 1:
            return [v for e in relevant for v in _expand(e)]
    return [_violation(error)]


def _violation(error: ValidationError) -> SchemaViolation:
    parts = list(error.absolute_path)
    message = error.message
    if error.validator == "required":
        # Point at the missing property itself, not at its parent object.
        missing = re.match(r"^'(.+)' is a required property$", error.message)
        if missing:
            parts.append(missing.group(1))
            message = "is required"
    elif error.context:
        # anyOf / oneOf with several plausible branches: list what each one wanted
        wanted = sorted({_short(e.message) for e in error.context})
        message = "matches none of the allowed forms: " + "; ".join(wanted)
    message = _short(message)
    return SchemaViolation(_dotted(parts), message, _pointer(parts), str(error.validator))


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _dotted(parts: list) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _pointer(parts: list) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
