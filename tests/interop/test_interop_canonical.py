"""Canonical N-Quads escaping agrees with Digital Bazaar's rdf-canonize, both
ways: text with control characters and IRIs with characters N-Quads escapes
(pyld 3.3 alone wrote them raw, so these signatures failed across stacks)."""
import pytest

from openbadges import canonical, data_integrity as di, did, keys
from tests.interop.test_interop import credential, harness, pytestmark  # noqa: F401 (the node markers)

TEXTS = ["tab\tand\nnewline", "bell\x07 vt\x0b", "bs\x08 ff\x0c del\x7f", "sep\x1e nul\x00", "quote\" back\\slash"]
IRIS = ["https://x.example/a{b}", "https://x.example/a|b^c`d", "https://x.example/a\\b"]


def _variants():
    for text in TEXTS:
        doc = credential()
        doc["name"] = text
        doc["credentialSubject"]["achievement"]["description"] = text
        yield doc
    for value in IRIS:
        doc = credential()
        doc["credentialSubject"]["achievement"]["id"] = value
        yield doc


@pytest.mark.parametrize("doc", list(_variants()), ids=[repr(t) for t in TEXTS + IRIS])
def test_both_stacks_verify_each_other(doc):
    key = keys.generate()
    issuer = did.did_key(key.public_key)
    doc["issuer"]["id"] = issuer
    signed = di.sign(doc, key, f"{issuer}#{key.public_key.multikey}")
    result = harness({"op": "di-verify", "credential": signed})
    assert result["verified"] is True, result["error"]
    theirs = harness({"op": "di-sign", "credential": doc})
    assert di.verify(theirs["signed"], issuer=theirs["did"]).verified
    assert canonical.canonicalize(doc) == canonical.canonicalize_generic(doc)
