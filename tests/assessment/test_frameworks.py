"""CASE 1.0 and CSV import, framework versions, continuums."""
from __future__ import annotations

import copy

import pytest

from service.assessment.framework_import import FrameworkImportError, read_case_package, read_csv
from tests.support.assessment import case_package, ident


def test_realistic_case_package_builds_the_whole_tree():
    package = case_package()
    draft = read_case_package(package)
    assert len(draft.items) == 424
    by_id = {i.identifier: i for i in draft.items}
    # Parents always come before their children, whatever the package order.
    seen = set()
    for item in draft.items:
        assert item.parent is None or item.parent in seen
        seen.add(item.identifier)
    target = by_id[ident("g", 2, 3, 4, 1)]
    assert (target.human_code, target.item_type, target.depth) == ("D2.3.4.a", "Learning Target", 3)
    assert target.parent == ident("t", 2, 3, 4)
    assert by_id[ident("t", 2, 3, 4)].parent == ident("c", 2, 3)
    assert by_id[ident("d", 2)].parent is None and by_id[ident("d", 2)].depth == 0
    assert target.uri == f"https://case.example.org/uri/{target.identifier}"
    assert target.grade_levels == ["12"]
    # Siblings follow sequenceNumber, not the shuffled package order.
    domain_1 = [i.human_code for i in draft.items if i.parent == ident("d", 1)]
    assert domain_1 == ["D1.1", "D1.2", "D1.3", "D1.4", "D1.5"]
    kinds = sorted({a.association_type for a in draft.associations})
    assert kinds == ["exactMatchOf", "isRelatedTo", "precedes"]
    assert sum(a.association_type == "precedes" for a in draft.associations) == 4 * 5 * 3
    external = next(a for a in draft.associations if a.association_type == "exactMatchOf")
    assert external.destination_uri.startswith("https://national.example.org/")
    assert (draft.source_identifier, draft.title) == (package["CFDocument"]["identifier"],
                                                      "Graduate Competency Framework")


@pytest.mark.parametrize("mutate,message", [
    (lambda p: p.pop("CFDocument"), "no CFDocument"),
    (lambda p: p["CFItems"][0].pop("fullStatement"), "fullStatement is required"),
    (lambda p: p["CFItems"].append(dict(p["CFItems"][0])), "appears twice"),
    (lambda p: p["CFAssociations"][0].update(associationType="isFriendOf"), "not a CASE 1.0 association type"),
    (lambda p: p["CFAssociations"][0].update(originNodeURI={"identifier": "nope"}), "is not an item"),
    (lambda p: p.update(CFItems="x"), "must be arrays"),
])
def test_broken_packages_are_reported(mutate, message):
    package = case_package(domains=1, competencies=1, topics=1, targets=1)
    mutate(package)
    with pytest.raises(FrameworkImportError) as info:
        read_case_package(package)
    assert any(message in e for e in info.value.errors)


def test_a_cycle_is_refused():
    package = case_package(domains=1, competencies=1, topics=1, targets=1)
    c, t = ident("c", 1, 1), ident("t", 1, 1, 1)
    for assoc in package["CFAssociations"]:
        if assoc["associationType"] == "isChildOf" and assoc["originNodeURI"]["identifier"] == c:
            assoc["destinationNodeURI"] = {"identifier": t}
    with pytest.raises(FrameworkImportError, match="cycle"):
        read_case_package(package)


def test_csv_with_parents_by_code_and_by_identifier():
    text = ("identifier,parent,human_code,statement,item_type,grade_levels\n"
            "m,,MATH,Mathematics,Domain,\n"
            "m1,m,MATH.1,Reason with equations,Competency,8;9\n"
            ",MATH.1,MATH.1.a,I can solve linear equations,Learning Target,8\n")
    draft = read_csv(text, "Math", subject="Mathematics")
    assert [(i.identifier, i.parent, i.depth) for i in draft.items] == [
        ("m", None, 0), ("m1", "m", 1), ("MATH.1.a", "m1", 2)]
    assert draft.items[1].grade_levels == ["8", "9"] and draft.items[2].subject == "Mathematics"


@pytest.mark.parametrize("text,message", [
    ("code,statement\nA,B\n", "unknown column"),
    ("identifier\nx\n", "'statement' column"),
    ("identifier,statement,parent\nx,Stmt,nowhere\n", "not in the file"),
    ("identifier,statement\n,Stmt\n", "identifier or human_code is required"),
])
def test_bad_csv_is_reported(text, message):
    with pytest.raises(FrameworkImportError) as info:
        read_csv(text, "T")
    assert any(message in e for e in info.value.errors)


def test_import_stores_everything_and_a_reimport_is_the_next_version(factory):
    from service.assessment.frameworks import continuum, items_of, new_version, save_draft
    from service.assessment.models import CompetencyAssociation, Framework
    from service.extensions import db

    org = factory.org()
    package = case_package()
    v1 = save_draft(org.id, read_case_package(package), school_year="2025-2026")
    db.session.commit()
    items = items_of(v1)
    assert len(items) == 424
    by_ident = {i.identifier: i for i in items}
    target = by_ident[ident("g", 1, 2, 3, 2)]
    assert target.parent.parent.identifier == ident("c", 1, 2)
    assert db.session.scalar(db.select(db.func.count()).select_from(CompetencyAssociation)
                             .where(CompetencyAssociation.framework_id == v1.id)) == 60 + 3 + 1
    # The continuum of a measurement topic runs through every grade level.
    chain = continuum(by_ident[ident("t", 1, 2, 3)])
    assert [c.human_code for c in chain] == ["D1.2.1", "D1.2.2", "D1.2.3", "D1.2.4"]
    assert [c.grade_levels for c in chain] == [["09"], ["10"], ["11"], ["12"]]

    revised = copy.deepcopy(package)
    revised["CFItems"][0]["fullStatement"] += " (revised)"
    v2 = save_draft(org.id, read_case_package(revised), school_year="2026-2027")
    db.session.commit()
    db.session.refresh(v1)
    assert (v2.key, v2.version, v2.status, v1.status) == (v1.key, 2, "current", "superseded")
    assert {i.identifier for i in items_of(v2)} == set(by_ident)
    v3 = new_version(v2, school_year="2027-2028")
    db.session.commit()
    assert v3.version == 3 and len(items_of(v3)) == 424
    assert db.session.scalar(db.select(db.func.count()).select_from(Framework).where(
        Framework.key == v1.key, Framework.status == "current")) == 1
