"""Shape templates (openbadges.jsonld_template) against the walk and pyld.

A template is recorded from one document and then fills other documents of
the same shape: every test makes the template from one document and checks
the quads of others, with values changed in every string position, against
the walk (openbadges.jsonld_rdf) and the canonical form against pyld. Then:
a signed credential whose shape is templated still fails verification when
any one of its values is changed."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from openbadges import canonical, data_integrity, did, keys
from openbadges import jsonld_template as jt
from openbadges.jsonld_rdf import Unsupported
from tests.conformance.fixture_web import context_loader
from tests.openbadges.test_canonical_walk import IRIS, V2, OB, _documents, contexts, nodes, outcome

# values a string position may take in another document: ordinary text and IRIs, and the ones that
# change what the walk does (blank node ids, relative and compact IRIs, escapes, short strings)
OTHER_VALUES = ["other value", "https://elsewhere.example/x", "urn:uuid:99", "did:key:z6MkOther", "_:b7",
                "relative/x", "schema:Thing", "xsd:string", 'q"uote\\\n', "\x01ctl", "é ü", "", "x", "1",
                "2026-01-01T00:00:00Z", "Profile", "VerifiableCredential", "http://a.example/{x}"]


def _fresh_templates(loader=None) -> jt.Templates:
    return jt.Templates(canonical._compiler(loader or canonical.default_loader()))


def _walk(document, loader=None):
    try:
        return canonical._compiler(loader or canonical.default_loader()).quads(copy.deepcopy(document))
    except Unsupported:
        return Unsupported


def _templated(templates, document):
    try:
        return templates.quads(copy.deepcopy(document))
    except Unsupported:
        return Unsupported


def _paths(node, prefix=()):
    """Paths of every string outside @context."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))
    elif isinstance(node, str):
        yield prefix


def _set(document, path, value):
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def _learn(templates, document):
    """Show a shape twice: the second sighting records its template."""
    for _ in range(2):
        _templated(templates, document)


def _recorded(templates, document) -> bool:
    return bool(templates._shapes.get(jt.shape(document)[0]))


def _filled(templates, document):
    """What a recorded template itself makes of the document (None: none applies)."""
    key, leaves = jt.shape(document)
    for template in templates._shapes.get(key, ()):
        try:
            made = template.apply(leaves)
        except (jt._Miss, Unsupported):
            continue
        if made is not None:
            return list(dict.fromkeys(made))
    return None


def test_every_fixture_templated_gives_the_walks_quads_for_changed_values():
    loader = context_loader()
    templates = _fresh_templates(loader)
    recorded = filled = 0
    for name, doc in _documents():
        for variant in (doc, {k: v for k, v in doc.items() if k != "proof"}):
            _learn(templates, variant)
            recorded += _recorded(templates, variant)
            assert _templated(templates, variant) == _walk(variant, loader), name
            for n, path in enumerate(list(_paths(variant))[:40]):
                changed = _set(variant, path, OTHER_VALUES[n % len(OTHER_VALUES)])
                made = _filled(templates, changed)
                filled += made is not None
                assert made in (None, _walk(changed, loader)), (name, path)
                assert _templated(templates, changed) == _walk(changed, loader), (name, path)
    assert recorded > 150 and filled > 1000


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(context=contexts, body=nodes, data=st.data())
def test_random_shapes_with_random_values_match_the_walk_and_pyld(context, body, data):
    doc = dict(body, **{"@context": context})
    doc.setdefault("type", "VerifiableCredential")
    templates = _fresh_templates()
    _learn(templates, doc)
    other = doc
    for path in _paths(doc):
        other = _set(other, path, data.draw(st.one_of(st.text(max_size=6), st.sampled_from(IRIS + OTHER_VALUES))))
    assert _filled(templates, other) in (None, _walk(other))
    assert _templated(templates, other) == _walk(other)
    assert outcome(canonical.canonicalize, other) == outcome(canonical.canonicalize_generic, other)


def _signed(n: int = 0, key=None):
    key = key or keys.generate("EdDSA")
    issuer = did.did_key(key.public_key)
    doc = {"@context": [V2, OB], "id": f"urn:uuid:0d9b1c44-2a34-4bd8-9a5b-8f0c8a6b8d{n:02d}",
           "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": f"Essay writing {n}",
           "issuer": {"id": issuer, "type": ["Profile"], "name": "College", "url": "https://college.example/"},
           "validFrom": "2024-05-01T00:00:00Z",
           "credentialSubject": {"id": f"did:example:student{n}", "type": ["AchievementSubject"],
                                 "achievement": {"id": "https://college.example/achievements/1", "type": ["Achievement"],
                                                 "name": "Essay", "description": "Writes essays.",
                                                 "criteria": {"narrative": "Scored 3 of 4 on the rubric."},
                                                 "creditsAvailable": 1.0},
                                 "result": [{"type": ["Result"], "value": "3"}]}}
    return data_integrity.sign(doc, key, f"{issuer}#{key.public_key.multikey}")


def test_a_templated_shape_never_lets_a_changed_value_verify():
    key = keys.generate("EdDSA")
    for n in range(3):  # the shape is now templated, for the credential and for its proof configuration
        assert data_integrity.verify(_signed(n, key)).verified
    signed = _signed(7, key)
    assert _recorded(canonical._shapes(canonical.default_loader()), {k: v for k, v in signed.items() if k != "proof"})
    assert data_integrity.verify(signed).verified
    paths = [p for p in _paths(signed) if p[:2] != ("proof", "proofValue")]
    assert len(paths) > 20
    for path in paths:
        original = signed
        for target in path[:]:
            original = original[target]
        for value in (original + "x", original[:-1], original.upper() if original != original.upper() else "z",
                      "_:b0", "relative"):
            tampered = _set(signed, path, value)
            result = data_integrity.verify(tampered)
            assert not result.verified, (path, value)
    # non-string values and types are part of the shape: changed, another template or the walk. Some
    # changes keep the signed statements (1 for the xsd:float 1.0, AchievementCredential for its alias
    # OpenBadgeCredential): those verify exactly when pyld's canonical form is unchanged.
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    for path, value in ((("credentialSubject", "achievement", "creditsAvailable"), -1.0),
                        (("credentialSubject", "achievement", "creditsAvailable"), -0.0),
                        (("credentialSubject", "achievement", "creditsAvailable"), 1),
                        (("credentialSubject", "achievement", "creditsAvailable"), True),
                        (("type", 1), "AchievementCredential"), (("type", 1), "EndorsementCredential"),
                        (("issuer", "type", 0), "Achievement")):
        same = canonical.canonicalize_generic(_set(unsecured, path, value)) == canonical.canonicalize_generic(unsecured)
        assert data_integrity.verify(_set(signed, path, value)).verified == same, (path, value)
    assert data_integrity.verify(signed).verified


def test_numbers_are_part_of_the_shape_by_their_text():
    # 0.0 == -0.0 as floats: keyed by repr, a template for one does not serve the other (whatever the literals)
    doc = {"@context": [V2, OB], "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1",
           "credentialSubject": {"type": "AchievementSubject", "achievement": {"type": "Achievement",
                                                                               "creditsAvailable": 0.0}}}
    templates = _fresh_templates()
    _learn(templates, doc)
    negative = _set(doc, ("credentialSubject", "achievement", "creditsAvailable"), -0.0)
    assert jt.shape(negative)[0] != jt.shape(doc)[0]
    assert _templated(templates, negative) == _walk(negative)


def test_an_id_that_becomes_a_blank_node_or_relative_is_walked():
    doc = _signed()
    templates = _fresh_templates()
    _learn(templates, doc)
    for value in ("_:b0", "relative/p", "schema:Thing", "https://ok.example/x"):
        for path in (("id",), ("credentialSubject", "id"), ("issuer", "id")):
            changed = _set(doc, path, value)
            assert _templated(templates, changed) == _walk(changed), (path, value)
    # a blank node id shared by two nodes links them: also the walk's answer
    linked = _set(_set(doc, ("id",), "_:shared"), ("credentialSubject", "id"), "_:shared")
    assert _templated(templates, linked) == _walk(linked)


def test_types_pick_another_template():
    doc = _signed()
    templates = _fresh_templates()
    _learn(templates, doc)
    other = _set(doc, ("type", 1), "AchievementCredential")
    _learn(templates, other)
    assert len(templates._shapes[jt.shape(doc)[0]]) == 2
    assert _templated(templates, other) == _walk(other)
    assert _templated(templates, doc) == _walk(doc)


def test_not_plain_json_is_walked():
    doc = _signed()
    templates = _fresh_templates()
    with pytest.raises(jt._NoShape):
        jt.shape({**doc, 1: "x"})
    from decimal import Decimal

    odd = _set(doc, ("name",), Decimal("1.5"))  # not a JSON value: the walk (and then pyld) decides
    assert _templated(templates, odd) == _walk(odd)


def test_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(jt, "MAX_SHAPES", 5)
    templates = _fresh_templates()
    for n in range(40):
        doc = {"@context": [V2, OB], "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1",
               "name": [f"n{i}" for i in range(n)]}
        _learn(templates, doc)
        assert _templated(templates, doc) == _walk(doc)
    assert len(templates._shapes) <= 5 and len(templates._seen) <= 80
    big = {"@context": [V2, OB], "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1",
           "name": [f"n{i}" for i in range(jt.MAX_PARTS)]}
    _learn(templates, big)
    assert not _recorded(templates, big) and _templated(templates, big) == _walk(big)


def test_a_string_the_walk_never_reported_is_fixed(monkeypatch):
    """Belt and braces: were the walk to use a string without telling the recorder, the
    template would still only serve documents with that same string."""
    doc = _signed()
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    templates = _fresh_templates()
    monkeypatch.setattr(jt._Recorder, "string", lambda self, value, suffix, term: term)  # literals go unreported
    _learn(templates, unsecured)
    monkeypatch.undo()
    (template,) = templates._shapes[jt.shape(unsecured)[0]]
    assert len(template.fixed) == len(jt.shape(unsecured)[1]) - len(template.slots)
    renamed = _set(unsecured, ("name",), "Another name")
    assert _filled(templates, renamed) is None  # the name is fixed now: the walk answers
    assert _templated(templates, renamed) == _walk(renamed)
