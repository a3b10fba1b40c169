"""Open Badges 2.0 node rules (openbadges.ob2_nodes): RDF types, the classes a
node may be on its own, and extension schemas, as 1EdTech's validator has them."""
from __future__ import annotations

import copy
import json

import pytest

from openbadges import ob2_nodes
from openbadges.verify import verify
from tests.conformance.fixture_web import FIXTURES, FixtureResolver, context_loader, fetch_status_list


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / "ob20" / name).read_text("utf-8"))


def report(document):
    return verify(document, resolver=FixtureResolver(), status_fetcher=fetch_status_list, loader=context_loader())


@pytest.mark.parametrize("value,ok", [
    ("Assertion", True), ("obi:Assertion", True), ("https://w3id.org/openbadges#Assertion", True),
    ("http://example.com/CoolClass", True), ("extensions:ExampleExtension", True),
    ("UNKNOWN", False), ("", False), ("not a type", False), (7, False),
])
def test_rdf_types(value, ok):
    node = {"type": ["Issuer", value]}
    if ok:
        ob2_nodes.check_rdf_types(node)
    else:
        with pytest.raises(ob2_nodes.NodeError):
            ob2_nodes.check_rdf_types(node)


def test_node_class_is_the_first_known_class():
    assert ob2_nodes.node_class({"type": ["http://example.com/X", "AlignmentObject"]}) == "AlignmentObject"
    assert ob2_nodes.node_class({"type": "http://example.com/CoolClass"}) == "Unknown"


@pytest.mark.parametrize("node,kind,error", [
    ({"targetName": "t"}, "AlignmentObject", "requires targetUrl"),
    ({"targetName": "t", "targetUrl": "not a url"}, "AlignmentObject", "wrong kind"),
    ({"type": "email", "identity": "x"}, "IdentityObject", "requires hashed"),
    ({"type": "fax", "identity": "x", "hashed": False}, "IdentityObject", "one of id, email"),
    ({"id": "nope"}, "Image", "wrong kind"),
])
def test_class_properties(node, kind, error):
    with pytest.raises(ob2_nodes.NodeError, match=error):
        ob2_nodes.check_class_properties(node, kind)


def test_a_non_badge_node_is_conformant_but_never_verified():
    result = report(fixture("rdf-validation/valid-alignment-object.json"))
    assert result.conformant and not result.verified
    assert "not a badge" in result.check("type").message


def test_extension_value_of_the_wrong_kind_fails_its_schema():
    doc = fixture("assertion-with-extension-node-basic.json")
    assert report(doc).check("schema").status == "pass"
    bad = copy.deepcopy(doc)
    bad["extensions:exampleExtension"]["http://schema.org/text"] = 1337
    result = report(bad)
    assert not result.conformant
    assert "does not match its schema" in result.check("schema").message and "exampleProperty" in \
        result.check("schema").message
    missing = copy.deepcopy(doc)
    del missing["extensions:exampleExtension"]["http://schema.org/text"]
    assert "'exampleProperty' is a required property" in report(missing).check("schema").message


def test_every_extension_type_is_checked():
    doc = fixture("assertion-with-multiple-extensions.json")
    assert report(doc).check("schema").message.startswith("2 extension")
    bad = copy.deepcopy(doc)
    bad["extensions:exampleExtension"]["url"] = 42  # the Apply Link's url must be a string
    assert "ApplyLink" in report(bad).check("schema").message


def test_an_extension_whose_schema_cannot_be_fetched_is_not_passed():
    doc = fixture("assertion-with-extension-node-basic.json")
    doc["extensions:exampleExtension"]["@context"] = ["https://extensions.example/unknown/context.json"]
    result = report(doc)
    assert not result.conformant and "cannot fetch the extension context" in result.check("schema").message
