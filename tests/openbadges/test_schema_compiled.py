"""The compiled validator (jsonschema-rs) that answers "valid?" on the fast
path agrees with the interpreted jsonschema walk that lists violations, on the
published examples, the 1EdTech validator fixtures and many mutations of
them (wrong types, missing required properties, bad dates)."""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from openbadges import schema

EXAMPLES = Path(__file__).with_name("examples")
# The 1EdTech validator fixtures, copied into the repository (tests/conformance/fixtures/SOURCE.md), so a
# clean clone runs the same cases as a checkout beside ../shared/.
FIXTURES = Path(__file__).resolve().parents[1] / "conformance" / "fixtures"


def _documents():
    docs = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
    if FIXTURES.is_dir():
        for p in sorted(FIXTURES.rglob("*.json")):
            try:
                doc = json.loads(p.read_text())
            except ValueError:
                continue
            if isinstance(doc, dict) and schema.schema_for(doc):
                docs.append(doc)
    return docs


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _mutations(doc, rng, n=40):
    paths = [p for p in _paths(doc) if p and p[0] != "type"]
    for _ in range(n):
        mutated = copy.deepcopy(doc)
        path = rng.choice(paths)
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        kind = rng.randrange(5)
        if kind == 0 and isinstance(parent, dict):
            del parent[key]
        elif kind == 1:
            parent[key] = 42
        elif kind == 2:
            parent[key] = "2024-13-45T99:00:00"
        elif kind == 3:
            parent[key] = {"unexpected": True}
        else:
            parent[key] = [] if not isinstance(parent[key], list) else "text"
        yield mutated


def _interpreted_errors(doc):
    validator = schema._validator(schema.schema_for(doc))
    return list(validator.iter_errors(doc))


@pytest.mark.parametrize("index", range(len(_documents())))
def test_compiled_and_interpreted_validators_agree(index):
    doc = _documents()[index]
    rng = random.Random(index)
    for candidate in [doc, *_mutations(doc, rng)]:
        if schema.schema_for(candidate) is None:
            continue
        assert schema.is_valid(candidate) == (not _interpreted_errors(candidate)), json.dumps(candidate)[:400]


def test_invalid_documents_still_list_every_violation():
    doc = json.loads((EXAMPLES / "ob_basic.json").read_text())
    doc["validFrom"] = "2024-01-31"  # no time: not a DateTimeZ
    del doc["credentialSubject"]
    assert not schema.is_valid(doc)
    assert {v.path for v in schema.validate(doc)} >= {"validFrom", "credentialSubject"}


def test_official_schema_single_proof_shortcut_lists_what_jsonschema_lists():
    # a credential valid but for a single proof object: the fast answer equals jsonschema's listing
    import json

    from openbadges import official_schema
    from tests.conformance.fixture_web import FIXTURES

    doc = json.loads((FIXTURES / "ob30/simple.json").read_text("utf-8"))
    doc["proof"] = doc["proof"][0] if isinstance(doc["proof"], list) else doc["proof"]
    slow = sorted((official_schema._path(e), e.message) for e in official_schema._validator().iter_errors(doc))
    assert official_schema.violations(doc) == slow == [("proof", f"{doc['proof']!r} is not of type 'array'")]
    # and a second violation still gets the full listing
    del doc["issuer"]
    assert len(official_schema.violations(doc)) == 2
    # the shortcut does not ask whether the document with its single proof object is valid: the
    # schema says a proof is an array, whatever else it holds
    assert official_schema._proof_is_an_array()
    assert not official_schema._compiled().is_valid(dict(doc, issuer="did:example:x", proof=doc["proof"]))
