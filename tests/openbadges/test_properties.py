"""Property tests: any single mutation of a signed credential fails; no input
makes verify() raise."""
import copy
import json
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from openbadges import data_integrity as di, did, keys
from openbadges import jwt as vcjwt
from openbadges.verify import verify

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
KEY = keys.generate()
ISSUER = did.did_key(KEY.public_key)
BASE = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:c0ffee00-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": ISSUER, "type": ["Profile"], "name": "College"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Chemistry",
    "description": "Titration lab",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://college.example/a/1", "type": ["Achievement"], "name": "Titration",
                        "description": "Accurate titration", "criteria": {"narrative": "Within 0.1 ml"}},
        "result": [{"type": ["Result"], "value": "4"}],
    },
}
SIGNED = di.sign(BASE, KEY, f"{ISSUER}#{KEY.public_key.multikey}")
TOKEN = vcjwt.sign(BASE, KEY)


def paths(node, prefix=()):
    """Every (path, value) leaf and container under ``node``."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((prefix + (k,), v))
            out.extend(paths(v, prefix + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((prefix + (i,), v))
            out.extend(paths(v, prefix + (i,)))
    return out


ALL_PATHS = [p for p, _ in paths(SIGNED)]


def parent(doc, path):
    for step in path[:-1]:
        doc = doc[step]
    return doc


def changed(value, salt):
    if isinstance(value, str):
        return value + salt if salt else value + "x"
    if isinstance(value, list):
        return value + ["extra"] if not value or not isinstance(value[0], dict) else value[:-1] + [dict(value[-1], extra=salt or "x")]
    if isinstance(value, dict):
        return dict(value, extraProperty=salt or "x")
    return "changed"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(ALL_PATHS), op=st.sampled_from(["change", "remove"]), salt=st.text(min_size=1, max_size=5))
def test_any_single_mutation_of_a_signed_credential_fails(path, op, salt):
    doc = copy.deepcopy(SIGNED)
    holder = parent(doc, path)
    key = path[-1]
    if op == "remove":
        if isinstance(holder, list) and len(holder) == 1:
            holder[key] = {"replaced": salt}  # removing the only item is covered by removing its key above
        else:
            del holder[key]
    else:
        holder[key] = changed(holder[key], salt)
    if doc == SIGNED:
        return
    assert not verify(doc, now=NOW).verified


@settings(max_examples=200, deadline=None)
@given(st.permutations(["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"]))
def test_reordered_proof_members_still_verify_but_altered_value_fails(order):
    doc = copy.deepcopy(SIGNED)
    doc["proof"] = {k: SIGNED["proof"][k] for k in order}
    assert verify(doc, now=NOW).verified  # JSON member order carries no meaning
    doc["proof"]["proofValue"] = doc["proof"]["proofValue"][:-1] + ("2" if doc["proof"]["proofValue"][-1] != "2" else "3")
    assert not verify(doc, now=NOW).verified


@settings(max_examples=150, deadline=None)
@given(position=st.integers(min_value=0), char=st.sampled_from("AbZ09-_"))
def test_any_changed_jwt_character_fails(position, char):
    i = position % len(TOKEN)
    if TOKEN[i] == "." or TOKEN[i] == char:
        return
    forged = TOKEN[:i] + char + TOKEN[i + 1:]
    assert not verify(forged, now=NOW).verified


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), json_values, st.text(max_size=200)))
def test_arbitrary_input_never_raises(value):
    report = verify(value, now=NOW)
    assert report.verified is False
    json.loads(report.to_json())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=st.dictionaries(st.sampled_from(["@context", "type", "proof", "issuer", "credentialSubject", "validFrom", "id"]),
                             json_values, max_size=3))
def test_credential_shaped_garbage_never_raises(extra):
    doc = copy.deepcopy(SIGNED)
    doc.update(extra)
    report = verify(doc, now=NOW)
    assert isinstance(report.verified, bool)
    json.loads(report.to_json())
