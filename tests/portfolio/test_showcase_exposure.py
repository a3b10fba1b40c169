"""A private artifact never becomes visible through a showcase without the
student being warned and confirming it, in the API and the pages (issue 14)."""
from __future__ import annotations

import re

from tests.support import portfolio as samples
from tests.support.signin import csrf_of, sign_in


def _private(client, headers, name="diary.txt"):
    return samples.upload(client, headers, samples.ESSAY + name.encode(), name, title=name).json["id"]


def test_api_refuses_to_expose_private_work_until_confirmed(client, factory):
    student = factory.school()["s1"]
    owner = factory.auth(student)
    diary = _private(client, owner)
    public_one = samples.upload(client, owner, samples.ESSAY + b"p", "poem.txt", visibility="public").json["id"]
    r = client.post("/api/v1/showcases", json={"title": "Public", "visibility": "public",
                                               "artifact_ids": [diary, public_one]}, headers=owner)
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.json["type"] == "/problems/exposure-not-confirmed"
    assert [a["id"] for a in r.json["exposed"]] == [diary]
    assert client.get("/api/v1/showcases", headers=owner).json == []  # nothing half-made
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 404
    # A public showcase of public work needs no confirmation; adding the private piece does.
    showcase = client.post("/api/v1/showcases", json={"title": "Public", "visibility": "public",
                                                      "artifact_ids": [public_one]}, headers=owner).json
    r = client.put(f"/api/v1/showcases/{showcase['id']}/items", json={"artifact_ids": [public_one, diary]},
                   headers=owner)
    assert r.status_code == 409
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 404
    r = client.put(f"/api/v1/showcases/{showcase['id']}/items",
                   json={"artifact_ids": [public_one, diary], "confirm_exposure": True}, headers=owner)
    assert r.status_code == 200
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 200
    # Reordering what is already shown asks nothing.
    assert client.put(f"/api/v1/showcases/{showcase['id']}/items", json={"artifact_ids": [diary, public_one]},
                      headers=owner).status_code == 200


def test_widening_a_showcase_asks_first(client, factory):
    student = factory.school()["s1"]
    owner = factory.auth(student)
    diary = _private(client, owner)
    showcase = client.post("/api/v1/showcases", json={"title": "Mine", "artifact_ids": [diary]},
                           headers=owner).json
    r = client.patch(f"/api/v1/showcases/{showcase['id']}", json={"visibility": "public"}, headers=owner)
    assert r.status_code == 409
    assert client.get(f"/api/v1/showcases/{showcase['id']}", headers=owner).json["visibility"] == "private"
    assert client.get(f"/p/showcases/{showcase['id']}").status_code == 404
    r = client.patch(f"/api/v1/showcases/{showcase['id']}", json={"visibility": "public", "confirm_exposure": True},
                     headers=owner)
    assert r.status_code == 200
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 200


def test_the_page_warns_and_asks_before_showing_private_work(client, factory):
    student = factory.school()["s1"]
    owner = factory.auth(student)
    diary = _private(client, owner, "secret-diary.txt")
    showcase = client.post("/api/v1/showcases", json={"title": "Public", "visibility": "public"},
                           headers=owner).json
    sign_in(client, student)
    url = f"/portfolio/showcases/{showcase['id']}/items"
    r = client.post(url, data={"csrf_token": csrf_of(client), "artifact_id": diary, "action": "add"})
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "Show this work to more people?" in page and "secret-diary.txt" in page
    assert re.search(r'name="confirm_exposure" value="1"', page)
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 404
    r = client.post(url, data={"csrf_token": csrf_of(client), "artifact_id": diary, "action": "add",
                               "confirm_exposure": "1"})
    assert r.status_code == 302
    assert client.get(f"/p/artifacts/{diary}/content").status_code == 200
