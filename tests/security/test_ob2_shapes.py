"""OB 2.0 nodes that are not badges (an AlignmentObject, a node of a class named
only by IRI) are now read and called conformant, as 1EdTech's validator does:
they must never be reported as a verified badge, and an assertion cannot
escape verification by dressing itself as one."""
from __future__ import annotations

import json

import pytest

from tests.conformance.fixture_web import FIXTURES

OB2 = "https://w3id.org/openbadges/v2"


def _forged_assertion(types):
    doc = json.loads((FIXTURES / "ob20/basic-assertion.json").read_text("utf-8"))
    doc["type"] = types
    doc["badge"] = {"id": "https://evil.example/badge", "type": "BadgeClass", "name": "Forged",
                    "description": "x", "criteria": {"narrative": "x"},
                    "issuer": {"id": "https://college.example/issuer", "type": "Issuer", "name": "A Real College",
                               "url": "https://college.example", "email": "registrar@college.example"}}
    return doc


SHAPES = {
    "alignment object": json.loads((FIXTURES / "ob20/rdf-validation/valid-alignment-object.json").read_text("utf-8")),
    "class named by IRI": json.loads((FIXTURES / "ob20/rdf-validation/valid-cool-class.json").read_text("utf-8")),
    "assertion typed by an IRI only": _forged_assertion(["https://evil.example/Assertion"]),
    "assertion with an IRI type first": _forged_assertion(["https://evil.example/X", "Assertion"]),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_never_verified_through_the_api(name, client):
    report = client.post("/api/v1/verify", json={"credential": SHAPES[name]}).json
    assert report["verified"] is False, report["checks"]
    assert not (report.get("issuer") or {}).get("ours")


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_never_green_on_the_page(name, client):
    html = client.post("/verify", data={"credential": json.dumps(SHAPES[name])}).get_data(as_text=True)
    assert "✔ Verified" not in html and 'data-verdict="verified"' not in html


def test_the_page_says_nothing_is_signed(client):
    html = client.post("/verify", data={"credential": json.dumps(SHAPES["alignment object"])}).get_data(as_text=True)
    assert "Well formed, but nothing here is signed" in html and "Signature valid" not in html


@pytest.mark.parametrize("keyword", ["pattern", "patternProperties", "$ref"])
def test_another_sites_extension_schema_is_not_run_with_regexes_or_references(keyword):
    # a schema from another site could hang the verifier (catastrophic regex) or make it fetch more
    from openbadges.verify import verify
    from tests.conformance.fixture_web import EXTENSION_SCHEMAS, FixtureResolver, context_loader

    hostile = {"type": "object", "properties": {"exampleProperty": {"type": "string"}}}
    hostile["properties"]["exampleProperty"][keyword] = {"pattern": "(a+)+$", "patternProperties": {"(a+)+$": {}},
                                                         "$ref": "https://evil.example/more.json"}[keyword]

    class Resolver(FixtureResolver):
        def resolve(self, ref):
            return hostile if ref in EXTENSION_SCHEMAS else super().resolve(ref)

    doc = json.loads((FIXTURES / "ob20/assertion-with-extension-node-basic.json").read_text("utf-8"))
    doc["extensions:exampleExtension"]["http://schema.org/text"] = "a" * 40 + "!"
    report = verify(doc, resolver=Resolver(), loader=context_loader())
    schema = report.check("schema")
    assert schema.status == "warning" and keyword in schema.message and "not checked" in schema.message
