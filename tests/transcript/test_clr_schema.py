"""The issued CLR validates against 1EdTech's CLR 2.0 JSON Schema (VC 2.0 revision,
kept in tests/transcript/schema/) and against the schema our verifier bundles."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from jsonschema import Draft201909Validator, FormatChecker

SCHEMA = json.loads((Path(__file__).parent / "schema" / "clr_v2p0_clrcredential_schema.json").read_text())


def _errors(doc):
    validator = Draft201909Validator(SCHEMA, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_issued_clr_validates_against_1edtech_schema(issued):
    assert Draft201909Validator.check_schema(SCHEMA) is None
    assert _errors(issued.credential) == []
    from openbadges.schema import validate

    assert validate(issued.credential) == []


def test_the_schema_catches_what_it_should(issued):
    bad = copy.deepcopy(issued.credential)
    del bad["credentialSubject"]["verifiableCredential"]
    bad["credentialSubject"]["association"][0]["note"] = "extra"
    errors = _errors(bad)
    assert any("verifiableCredential" in e for e in errors) and any("note" in e for e in errors), errors
