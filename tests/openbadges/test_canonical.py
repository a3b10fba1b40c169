"""RDFC-1.0 canonical forms: published vectors, and the fast path always equal
to pyld's generic path."""
import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from openbadges import canonical
from openbadges.jsonld import DocumentLoader, bundled_contexts

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
W3C_LOADER = DocumentLoader({EXAMPLES_V2: json.loads((VECTORS / "contexts/examples-v2.jsonld").read_text())})
OB_ALIAS = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
DI_V1 = "https://w3id.org/security/data-integrity/v1"
# The 1EdTech vector names the OB context by its "latest" alias and the current
# data-integrity/v1 context (identical DataIntegrityProof terms to the bundled v2).
OB_LOADER = DocumentLoader({
    OB_ALIAS: bundled_contexts()["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    DI_V1: bundled_contexts()["https://w3id.org/security/data-integrity/v2"],
})


def _both(doc, loader=None):
    fast = canonical.canonicalize(doc, loader=loader)
    assert fast == canonical.canonicalize_generic(doc, loader=loader)
    return fast


def test_w3c_vector_document_hash():
    import hashlib

    signed = json.loads((VECTORS / "w3c-eddsa-rdfc-2022/signedDataInt.json").read_text())
    signed.pop("proof")
    combined = (VECTORS / "w3c-eddsa-rdfc-2022/combinedHashDataInt.txt").read_text()
    assert hashlib.sha256(_both(signed, W3C_LOADER).encode()).hexdigest() == combined[64:]


def test_w3c_vector_proof_configuration():
    config = json.loads((VECTORS / "w3c-eddsa-rdfc-2022/proofConfigDataInt.json").read_text())
    assert _both(config, W3C_LOADER) == (VECTORS / "w3c-eddsa-rdfc-2022/proofCanonDataInt.txt").read_text()


def test_1edtech_ob_vector_canonical_forms():
    signed = json.loads((VECTORS / "1edtech-ob/signed.json").read_text())
    proof = signed.pop("proof")
    assert _both(signed, OB_LOADER) == (VECTORS / "1edtech-ob/document-canon.txt").read_text()
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = signed["@context"]
    assert _both(config, OB_LOADER) == (VECTORS / "1edtech-ob/proof-canon.txt").read_text()


def test_1edtech_clr_vector_proof_canonical_form():
    # The CLR vector's proof uses the older data-integrity/v1 (untyped cryptosuite).
    loader = DocumentLoader({DI_V1: json.loads((VECTORS / "contexts/data-integrity-v1.jsonld").read_text())})
    signed = json.loads((VECTORS / "1edtech-clr/signed.json").read_text())
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = ["https://www.w3.org/2018/credentials/v1", DI_V1]
    assert _both(config, loader) == (VECTORS / "1edtech-clr/proof-canon.txt").read_text()


def _credential(**over):
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:0d9b1c44-2a34-4bd8-9a5b-8f0c8a6b8d11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Essay writing",
        "issuer": {"id": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "type": ["Profile"], "name": "College"},
        "validFrom": "2024-05-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:student",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://college.example/achievements/1",
                "type": ["Achievement"],
                "name": "Essay",
                "description": "Writes essays.",
                "criteria": {"narrative": "Scored 3 of 4 on the rubric."},
            },
            "result": [{"type": ["Result"], "value": "3"}],
        },
    }
    doc.update(over)
    return doc


def test_fast_path_matches_generic_on_issued_shapes():
    _both(_credential())
    _both(_credential(validUntil="2030-01-01T00:00:00Z"))
    _both(_credential(credentialStatus={"id": "https://x.example/status/1#5", "type": "BitstringStatusListEntry",
                                        "statusPurpose": "revocation", "statusListIndex": "5",
                                        "statusListCredential": "https://x.example/status/1"}))


def test_fast_path_falls_back_for_relative_and_prefixed_iris():
    # relative IRIs are dropped by JSON-LD; a compact "schema:" IRI is rewritten by some contexts
    for value in ("relative/path", "_:b0", "schema:Thing", "xsd:string", "urn:ok"):
        doc = _credential()
        doc["credentialSubject"]["achievement"]["id"] = value
        _both(doc)


def test_equal_values_merge_like_pyld():
    doc = _credential()
    doc["credentialSubject"]["achievement"]["name"] = doc["name"]
    doc["credentialSubject"]["achievement"]["description"] = doc["name"]
    doc["issuer"]["id"] = doc["credentialSubject"]["achievement"]["id"]
    _both(doc)


def test_blank_node_ties_use_full_algorithm():
    doc = _credential()
    doc["credentialSubject"]["result"] = [{"type": ["Result"], "value": "same"}, {"type": ["Result"], "value": "same"}]
    _both(doc)


def test_unknown_context_is_a_clear_error():
    doc = _credential()
    doc["@context"].append("https://evil.example/context")
    with pytest.raises(canonical.CanonicalizationError, match="not bundled"):
        canonical.canonicalize(doc)
    with pytest.raises(canonical.CanonicalizationError):
        canonical.canonicalize(["not", "an", "object"])


text = st.text(max_size=30)
iri = st.one_of(st.just("urn:uuid:1"), st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9/#?=._-]{0,12}", fullmatch=True), text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=text, desc=text, narrative=text, subject=iri, ach=iri, issuer=iri, value=text,
       valid=st.sampled_from(["2024-01-01T00:00:00Z", "not a date", ""]))
def test_fast_path_equals_generic_for_any_values(name, desc, narrative, subject, ach, issuer, value, valid):
    doc = _credential(name=name, validFrom=valid)
    doc["issuer"]["id"] = issuer
    cs = doc["credentialSubject"]
    cs["id"] = subject
    cs["achievement"].update(id=ach, description=desc, criteria={"narrative": narrative})
    cs["result"][0]["value"] = value
    assert canonical.canonicalize(copy.deepcopy(doc)) == canonical.canonicalize_generic(doc)


def test_undefined_properties_are_refused_not_dropped():
    # The bundled VC 2.0 context has no @vocab: JSON-LD would drop an undefined
    # term silently, leaving it outside the signature. Both paths refuse instead.
    for place in ("top", "subject", "achievement"):
        doc = _credential()
        target = {"top": doc, "subject": doc["credentialSubject"], "achievement": doc["credentialSubject"]["achievement"]}[place]
        target["unsignedNote"] = "pay the bearer"
        with pytest.raises(canonical.UndefinedTermError, match="unsignedNote"):
            canonical.canonicalize(doc)
        with pytest.raises(canonical.UndefinedTermError, match="unsignedNote"):
            canonical.canonicalize_generic(doc)


@pytest.mark.parametrize("purpose", ["assertionMethod", "authentication", "https://purpose.example/p", "relative", "sec:x"])
def test_vocab_terms_in_iri_positions_match_generic(purpose):
    # proofPurpose is "@type": "@vocab": its value is a term, not an absolute IRI
    config = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-01-01T00:00:00Z",
        "verificationMethod": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "proofPurpose": purpose,
    }
    _both(config)
