"""Ownership and visibility: who sees which artifact and showcase, and who may change them."""
from __future__ import annotations

import pytest

from tests.support import portfolio as samples
from tests.support.portfolio import upload


@pytest.fixture
def people(factory, school):
    guardian = factory.person("guardian", school["org"])
    factory.guardian_of(guardian, school["s1"])
    other_org = factory.org()
    return {**school, "guardian": guardian, "outsider_admin": factory.person("admin", other_org),
            "outsider_student": factory.person("student", other_org)}


def _artifact(client, factory, owner, visibility):
    r = upload(client, factory.auth(owner), samples.ESSAY, "essay.txt", title=f"{visibility} work",
               visibility=visibility)
    assert r.status_code == 201, r.json
    return r.json["id"]


# who -> which visibilities they may see (of s1's work)
EXPECTED = {
    "s1": {"private", "teachers", "link", "public"},
    "t1": {"teachers", "link", "public"},          # teaches s1
    "guardian": {"teachers", "link", "public"},    # linked to s1
    "admin": {"teachers", "link", "public"},       # admin of s1's school
    "t2": {"public"},                              # teaches another section
    "s2": {"public"},                              # a classmate
    "outsider_admin": {"public"},
    "outsider_student": {"public"},
}


def test_visibility_matrix(client, factory, people):
    ids = {v: _artifact(client, factory, people["s1"], v) for v in ("private", "teachers", "link", "public")}
    for who, may_see in EXPECTED.items():
        headers = factory.auth(people[who])
        for visibility, artifact_id in ids.items():
            r = client.get(f"/api/v1/artifacts/{artifact_id}", headers=headers)
            assert r.status_code == (200 if visibility in may_see else 404), (who, visibility)
            content = client.get(f"/api/v1/artifacts/{artifact_id}/versions/1/content", headers=headers)
            assert content.status_code == r.status_code
        listed = client.get(f"/api/v1/artifacts?owner_id={people['s1'].id}", headers=headers).json
        assert {a["visibility"] for a in listed} == may_see, who


def test_anonymous_sees_only_public(client, factory, people):
    public = _artifact(client, factory, people["s1"], "public")
    private = _artifact(client, factory, people["s1"], "link")
    assert client.get(f"/api/v1/artifacts/{public}").status_code == 401
    r = client.get(f"/p/artifacts/{public}", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json["title"] == "public work"
    assert client.get(f"/p/artifacts/{public}/content").get_data() == samples.ESSAY
    assert client.get(f"/p/artifacts/{private}").status_code == 404
    assert client.get(f"/p/artifacts/{private}/content").status_code == 404


@pytest.mark.parametrize("who", ["t1", "guardian", "admin", "s2"])
def test_only_the_owner_changes_work(client, factory, people, who):
    artifact_id = _artifact(client, factory, people["s1"], "teachers")
    headers = factory.auth(people[who])
    expected = 404 if who == "s2" else 403  # invisible -> 404, visible but read-only -> 403
    assert client.patch(f"/api/v1/artifacts/{artifact_id}", json={"title": "mine now"},
                        headers=headers).status_code == expected
    assert client.delete(f"/api/v1/artifacts/{artifact_id}", headers=headers).status_code == expected
    assert upload(client, headers, samples.ESSAY, "x.txt",
                  path=f"/api/v1/artifacts/{artifact_id}/versions").status_code == expected
    assert client.put(f"/api/v1/artifacts/{artifact_id}/tags", json={"tags": []},
                      headers=headers).status_code == expected
    owner = factory.auth(people["s1"])
    assert client.get(f"/api/v1/artifacts/{artifact_id}", headers=owner).json["title"] == "teachers work"


def test_owner_edits_visibility_and_tags(client, factory, people):
    artifact_id = _artifact(client, factory, people["s1"], "private")
    owner = factory.auth(people["s1"])
    t1 = factory.auth(people["t1"])
    assert client.get(f"/api/v1/artifacts/{artifact_id}", headers=t1).status_code == 404
    r = client.patch(f"/api/v1/artifacts/{artifact_id}", json={"visibility": "teachers", "reflection": "Next time..."},
                     headers=owner)
    assert r.status_code == 200 and r.json["reflection"] == "Next time..."
    assert client.get(f"/api/v1/artifacts/{artifact_id}", headers=t1).status_code == 200
    r = client.put(f"/api/v1/artifacts/{artifact_id}/tags", headers=owner, json={"tags": [
        {"competency_ref": "ELA.W.1", "label": "Argument writing"}, {"competency_ref": "ELA.W.4"}]})
    assert [t["competency_ref"] for t in r.json["tags"]] == ["ELA.W.1", "ELA.W.4"]
    r = client.put(f"/api/v1/artifacts/{artifact_id}/tags", headers=owner, json={"tags": [
        {"competency_ref": "ELA.W.4", "label": "Clear writing"}]})
    assert r.json["tags"] == [{"competency_ref": "ELA.W.4", "label": "Clear writing"}]
    bad = client.patch(f"/api/v1/artifacts/{artifact_id}", json={"visibility": "everyone"}, headers=owner)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "visibility"
    unknown = client.patch(f"/api/v1/artifacts/{artifact_id}", json={"owner_id": str(people["s2"].id)},
                           headers=owner)
    assert unknown.status_code == 422


def test_showcase_shares_its_items_in_order(client, factory, people):
    owner = factory.auth(people["s1"])
    a = _artifact(client, factory, people["s1"], "private")
    b = _artifact(client, factory, people["s1"], "teachers")
    r = client.post("/api/v1/showcases", json={"title": "Best work", "artifact_ids": [a, b]}, headers=owner)
    assert r.status_code == 201 and [i["artifact_id"] for i in r.json["items"]] == [a, b]
    showcase_id = r.json["id"]
    r = client.put(f"/api/v1/showcases/{showcase_id}/items", json={"artifact_ids": [b, a]}, headers=owner)
    assert [(i["artifact_id"], i["position"]) for i in r.json["items"]] == [(b, 1), (a, 2)]
    # Private showcase: the anonymous public page does not exist.
    assert client.get(f"/p/showcases/{showcase_id}").status_code == 404
    client.patch(f"/api/v1/showcases/{showcase_id}", json={"visibility": "public", "confirm_exposure": True},
                 headers=owner)
    page = client.get(f"/p/showcases/{showcase_id}", headers={"Accept": "application/json"})
    assert page.status_code == 200 and [i["id"] for i in page.json["items"]] == [b, a]
    assert client.get(f"/p/artifacts/{a}/content").get_data() == samples.ESSAY  # shared by the showcase
    # Someone else's artifact cannot be put in my showcase.
    foreign = _artifact(client, factory, people["s2"], "public")
    r = client.put(f"/api/v1/showcases/{showcase_id}/items", json={"artifact_ids": [a, foreign]}, headers=owner)
    assert r.status_code == 422
    # Removing the artifact from the showcase withdraws it again.
    client.put(f"/api/v1/showcases/{showcase_id}/items", json={"artifact_ids": [b]}, headers=owner)
    assert client.get(f"/p/artifacts/{a}/content").status_code == 404
    assert client.patch(f"/api/v1/showcases/{showcase_id}", json={"title": "x"},
                        headers=factory.auth(people["t1"])).status_code == 403
