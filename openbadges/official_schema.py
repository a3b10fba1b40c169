"""1EdTech's published JSON Schema for an OB 3.0 AchievementCredential, unchanged
(``schemas/1edtech/``; source in ``schemas/README.md``).

It draws the line between invalid and questionable: what it refuses fails the
schema check; what only our stricter bundled schema (``schema.py``) refuses is
a warning. Credentials name it in ``credentialSchema`` by the ``json/`` URL.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft201909Validator

__all__ = ["CREDENTIAL_SCHEMA_ID", "OFFICIAL_SCHEMA_ID", "violations"]

# what credentials put in credentialSchema[].id
CREDENTIAL_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
# the file's own $id
OFFICIAL_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json"
_FILE = Path(__file__).with_name("schemas") / "1edtech" / "ob_v3p0_achievementcredential_schema.json"


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(_FILE.read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft201909Validator:
    return Draft201909Validator(_schema())


@lru_cache(maxsize=1)
def _compiled():
    # the fast yes/no (as schema.py does); jsonschema lists violations only when there are some
    return jsonschema_rs.Draft201909Validator(_schema())


def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def violations(document) -> list[tuple[str, str]]:
    """(dotted path, message) for every violation of 1EdTech's schema."""
    try:
        proof = document.get("proof") if isinstance(document, dict) else None
        if isinstance(proof, dict):
            # the common case in the wild: valid but for a single proof object (VC allows it; 1EdTech's
            # schema wants an array, so the document as it is cannot be valid: see _proof_is_an_array),
            # answered without the slow listing of jsonschema
            if _compiled().is_valid(dict(document, proof=[proof])):
                return [("proof", f"{proof!r} is not of type 'array'")]
        elif _compiled().is_valid(document):
            return []
    except (ValueError, TypeError):  # not plain JSON data: let jsonschema report it
        pass
    return sorted((_path(e), e.message) for e in _validator().iter_errors(document))


def _proof_is_an_array() -> bool:
    """What violations() relies on: a proof that is an object is never valid (tested)."""
    schema = _schema()
    return schema["properties"]["proof"].get("type") == "array" and \
        not {"allOf", "anyOf", "oneOf", "if", "not", "$ref", "dependentSchemas"} & set(schema)
