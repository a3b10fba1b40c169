"""The credential formats registry (service/badges/formats.py): every place that
offers a badge in several forms reads it, so a form registered once is offered
everywhere: the earner's download links and route, content negotiation at the
credential URL, public baked images, and "export everything I own"."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from service.badges import formats
from service.badges.formats import CredentialFormat
from tests.support.signin import sign_in


@pytest.fixture
def extra_format(monkeypatch):
    """A form registered only for this test (a plain-text summary)."""
    fmt = CredentialFormat("txt", "summary (text)", "text/plain", lambda award: award.credential["name"].encode(),
                           media_types=("text/plain",), exported=True)
    monkeypatch.setitem(formats._REGISTRY, fmt.name, fmt)
    return fmt


def test_a_registered_format_is_offered_everywhere(client, issued, extra_format):
    award = issued["award"]
    sign_in(client, issued["s1"])
    page = client.get("/my/badges").get_data(as_text=True)
    for fmt in formats.registered():
        assert f"/my/badges/{award.id}/download/{fmt.name}" in page and fmt.label in page
    download = client.get(f"/my/badges/{award.id}/download/txt")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.get_data() == award.credential["name"].encode()
    assert download.headers["Content-Disposition"] == 'attachment; filename="fractions-master.txt"'

    negotiated = client.get(f"/credentials/{award.id}", headers={"Accept": "text/plain"})
    assert negotiated.mimetype == "text/plain" and negotiated.get_data() == award.credential["name"].encode()

    export = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/portfolio/export").get_data()))
    names = set(export.namelist())
    assert {f"badges/{award.id}.json", f"badges/{award.id}.jwt", f"badges/{award.id}.txt"} <= names
    assert json.loads(export.read(f"badges/{award.id}.json")) == award.credential
    assert export.read(f"badges/{award.id}.jwt").decode() == award.credential_jwt
    # Not an image: no public baked form of it.
    assert client.get(f"/badges/{award.id}/image.txt").status_code == 404


@pytest.mark.parametrize("accept,mime", [("application/vc+jwt", "application/vc+jwt"),
                                         ("application/jwt", "application/vc+jwt"),
                                         ("application/ld+json", "application/ld+json"),
                                         ("*/*", "application/ld+json"), ("text/html", "application/ld+json")])
def test_the_credential_url_answers_each_negotiable_form(client, issued, accept, mime):
    award = issued["award"]
    response = client.get(f"/credentials/{award.id}", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mime
    if mime == "application/vc+jwt":
        assert response.get_data(as_text=True) == award.credential_jwt
    else:
        assert response.json == award.credential


def test_unknown_formats_are_not_found(client, issued):
    award = issued["award"]
    sign_in(client, issued["s1"])
    assert client.get(f"/my/badges/{award.id}/download/exe").status_code == 404
    assert client.get(f"/badges/{award.id}/image.gif").status_code == 404
    assert client.get(f"/badges/{award.id}/image.png").status_code == 200


def test_names_are_checked_and_registered_once():
    render = formats.get("json").render
    with pytest.raises(ValueError):
        formats.register(CredentialFormat("Bad Name", "x", "text/plain", render))
    with pytest.raises(ValueError):
        formats.register(CredentialFormat("json", "another json", "application/json", render))
    with pytest.raises(formats.UnknownFormat):
        formats.get("nope")
    assert [f.name for f in formats.images()] == ["png", "svg"]
