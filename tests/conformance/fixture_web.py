"""The documents 1EdTech's fixtures name by URL, answered from local files
(as 1EdTech's own tests do with their caching loader): never the network.

- Issuer key documents: a fixture's verification method
  ``https://example.com/issuers/876543#z6Mk...`` (or a did:web or urn:uuid
  URL) names a Multikey in its fragment; the document at the part before ``#`` is served as
  the issuer's controller document listing that key for assertionMethod.
- OB 2.0 extension schemas: ``extensions/`` (1EdTech bundles them in its catalog).
- Status lists: the Bitstring list 1EdTech's fixtures point at on GitHub is
  the local ``bit-string-list/testlist``; the 1EdTech revocation list its test
  fetches live from dc.1edtech.org is reconstructed (``reconstructed/``).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from openbadges import did
from openbadges.jsonld import DocumentLoader
from openbadges.keys import KeyMaterialError, PublicKey

FIXTURES = Path(__file__).with_name("fixtures")

STATUS_LISTS = {
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/"
    "inspector-vc/src/test/resources/ob30/bit-string-list/testlist": FIXTURES / "ob30/bit-string-list/testlist",
    # fetched live by 1EdTech's test; a reconstruction, not a copy (fixtures/reconstructed/README.md)
    "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c":
        FIXTURES / "reconstructed/dc.1edtech.org-revocations-da1e96e9.json",
}

# OB 2.0 extension schemas, served as 1EdTech's validator serves them from its catalog
EXTENSION_SCHEMAS = {
    f"https://openbadgespec.org/extensions/{name}/schema.json": FIXTURES / "extensions" / f"{name}-schema.json"
    for name in ("exampleExtension", "applyLinkExtension")
}

_METHOD = re.compile(r'"verificationMethod"\s*:\s*"([^"]+)"')


def _multikey(fragment: str) -> bool:
    try:
        PublicKey.from_multikey(fragment)
        return True
    except (KeyMaterialError, ValueError):
        return False


def _controller_documents() -> dict[str, dict]:
    methods: dict[str, set[str]] = {}
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".1ob", ""):
            for ref in _METHOD.findall(path.read_text("utf-8", errors="replace")):
                base, _, fragment = ref.partition("#")
                if fragment and _multikey(fragment) and not base.startswith("did:key:"):
                    methods.setdefault(base, set()).add(fragment)
    docs = {}
    for base, fragments in methods.items():
        vms = [{"id": f"{base}#{f}", "type": "Multikey", "controller": base, "publicKeyMultibase": f}
               for f in sorted(fragments)]
        docs[base] = {"@context": [did.DID_V1, did.MULTIKEY_V1], "id": base, "verificationMethod": vms,
                      "assertionMethod": [vm["id"] for vm in vms]}
    return docs


class FixtureResolver:
    """did:key offline; every other URL from the fixtures' own documents, or not found."""

    def __init__(self):
        self._docs = _controller_documents()

    def resolve(self, ref: str) -> dict:
        if ref.startswith("did:key:"):
            return did.did_key_document(ref)
        if ref in EXTENSION_SCHEMAS:
            return json.loads(EXTENSION_SCHEMAS[ref].read_text("utf-8"))
        ob2 = _ob2_asset(ref)
        if ob2 is not None:
            return ob2
        doc = self._docs.get(ref)
        if doc is None:
            raise did.ResolutionError(f"{ref} is not available offline (HTTP 404 in 1EdTech's tests too)")
        return doc


def fetch_status_list(url: str):
    path = STATUS_LISTS.get(url)
    if path is None:
        raise LookupError(f"{url} is not available offline")
    text = path.read_text("utf-8").strip()
    return json.loads(text) if text.startswith("{") else text


def context_loader() -> DocumentLoader:
    """The contexts 1EdTech's validator bundles (fixtures/contexts/index.json), for the
    ones we do not bundle ourselves (ours win where both exist)."""
    folder = FIXTURES / "contexts"
    index = json.loads((folder / "index.json").read_text("utf-8"))
    return DocumentLoader({url: json.loads((folder / name).read_text("utf-8")) for url, name in index.items()})


def _ob2_asset(ref: str):
    """OB 2.0 fixtures name their BadgeClasses, Issuers, keys and revocation lists
    as http(s)://example.org/<file> (or example.com): 1EdTech serves ob20/assets/<file>."""
    match = re.fullmatch(r"https?://example\.(?:org|com)/([A-Za-z0-9._-]+)", ref)
    if not match:
        return None
    for name in (match.group(1), match.group(1) + ".json"):
        path = FIXTURES / "ob20" / "assets" / name
        if path.is_file() and path.suffix == ".json":
            return json.loads(path.read_text("utf-8"))
    return None
