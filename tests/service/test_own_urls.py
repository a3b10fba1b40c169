"""The service's own URLs are recognised in one place (service/urls.py, by the
router) and each builder in badges/urls.py has its parser: a URL is ours
exactly when this service would serve it at that address."""
from __future__ import annotations

import uuid

import pytest

from service import urls as core
from service.badges import urls

ID = uuid.UUID("3b6f5b8e-2c55-4d0e-9b4e-0f4a0b8d7c11")

# Each a rewrite of an own URL that must NOT be taken for ours.
LOOKALIKES = [
    lambda u: u.replace("https://badges.test", "https://badges.test.evil.example"),
    lambda u: u.replace("https://badges.test", "https://evilbadges.test"),
    lambda u: u.replace("https://badges.test", "https://badges.test@evil.example"),
    lambda u: u.replace("https://badges.test", "https://user@badges.test"),
    lambda u: u.replace("https://badges.test", "https://badges.test:8443"),
    lambda u: u.replace("https://badges.test", "http://badges.test"),
    lambda u: u.replace("https://badges.test", "https://evil.example/https://badges.test"),
    lambda u: u.replace("https://badges.test", "https://evil.example/?u=https://badges.test"),
    lambda u: u.replace("https://badges.test/", "https://badges.test/prefix/"),
]


@pytest.fixture(scope="module")
def routes_app(tmp_path_factory):
    """An app for its routes only: parsing our URLs never touches the database."""
    import os

    from service import create_app

    instance = tmp_path_factory.mktemp("own-urls")
    saved = os.environ.get("INSTANCE_PATH")
    os.environ["INSTANCE_PATH"] = str(instance)
    yield create_app({"SERVICE_ENV": "testing", "TESTING": True, "DATABASE_URL": f"sqlite:///{instance}/unused.db",
                       "STORAGE_URL": str(instance / "blobs"), "PUBLIC_BASE_URL": "https://badges.test",
                       "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789"})
    if saved is None:
        os.environ.pop("INSTANCE_PATH", None)
    else:
        os.environ["INSTANCE_PATH"] = saved


@pytest.fixture
def ctx(routes_app):
    with routes_app.app_context():
        yield


def kinds():
    """(builder, parser, expected) for every kind of URL we read back."""
    return [
        (lambda: urls.credential_url(ID), urls.award_id_of, ID),
        (lambda: urls.badge_page_url(ID), urls.award_id_of, ID),
        (lambda: urls.status_list_url(ID), urls.status_list_id_of, ID),
        (lambda: urls.artifact_version_url(ID, 7), urls.artifact_version_of, (ID, 7)),
        (lambda: urls.did_document_url("acme"), urls.key_document_of, urls.KeyDocument("did", "acme")),
        (lambda: urls.jwt_kid("acme", "k-1"), urls.key_document_of, urls.KeyDocument("jwk", "acme", "k-1")),
        (urls.jwks_url, urls.key_document_of, urls.KeyDocument("jwks")),
    ]


@pytest.mark.parametrize("kind", range(7))
def test_every_builder_has_a_parser_that_inverts_it(ctx, kind):
    build, parse, expected = kinds()[kind]
    assert parse(build()) == expected
    assert parse(build() + "?download=1&x=%2F") == expected  # the router ignores the query, so do we


@pytest.mark.parametrize("kind", range(7))
@pytest.mark.parametrize("rewrite", range(len(LOOKALIKES)))
def test_foreign_and_lookalike_hosts_are_not_ours(ctx, kind, rewrite):
    build, parse, _ = kinds()[kind]
    url = LOOKALIKES[rewrite](build())
    assert url != build()
    assert parse(url) is None


@pytest.mark.parametrize("kind", range(7))
def test_a_trailing_slash_the_router_does_not_serve_is_not_ours(ctx, routes_app, kind):
    build, parse, _ = kinds()[kind]
    assert parse(build() + "/") is None
    assert routes_app.test_client().get(build().replace("https://badges.test", "") + "/").status_code == 404


def test_scheme_and_host_case_do_not_matter_but_the_path_must_be_a_route(ctx):
    assert urls.award_id_of(f"HTTPS://Badges.TEST/credentials/{ID}") == ID
    assert urls.award_id_of(f"https://badges.test/credentials/{ID}/extra") is None
    assert urls.award_id_of(f"https://badges.test/x/credentials/{ID}") is None
    assert urls.award_id_of(f"https://badges.test/credentials/{ID}#frag") == ID
    assert urls.award_id_of("https://badges.test/credentials/not-a-uuid") is None
    assert urls.award_id_of(f"https://badges.test/status/{ID}") is None  # a status list is not a credential
    assert urls.status_list_id_of(f"https://badges.test/credentials/{ID}") is None
    assert urls.award_id_of(f"https://badges.test/%63redentials/{ID}") == ID  # decoded as the server decodes it
    for junk in ("", "not a url", "https://[::1", "mailto:a@badges.test", "//badges.test/credentials/" + str(ID)):
        assert urls.award_id_of(junk) is None


def test_issuer_did_round_trips_exactly(ctx):
    did = urls.issuer_did("acme")
    assert did == "did:web:badges.test:issuers:acme"
    assert urls.issuer_slug_of(did) == "acme"
    for other in (did + ":more", did + "%3Aport", "did:web:badges.test:issuers:", "did:web:badges.test.evil:issuers:acme",
                  "did:web:evil.example:issuers:acme", "did:key:z6Mk", urls.issuer_profile_url("acme"), None, 7):
        assert urls.issuer_slug_of(other) is None


def test_own_route_names_the_endpoint_under_a_path_prefix(routes_app, monkeypatch):
    monkeypatch.setitem(routes_app.config, "PUBLIC_BASE_URL", "https://school.example/badges")
    with routes_app.app_context():
        assert urls.credential_url(ID) == f"https://school.example/badges/credentials/{ID}"
        assert urls.award_id_of(urls.credential_url(ID)) == ID
        assert core.own_route(f"https://school.example/credentials/{ID}") is None  # outside the prefix
        assert core.own_route(f"https://school.example/badgesx/credentials/{ID}") is None
        assert core.own_route(f"https://school.example/badges/credentials/{ID}").endpoint == "badges_public.credential"


def test_transcript_urls_are_read_back_through_the_router(ctx):
    from service.transcript import urls as turls

    route = core.own_route(turls.ids("acme").policy(3))
    assert route == core.Route("transcript_pages.policy_page", {"slug": "acme", "version": 3})
    assert core.own_route(turls.share_url("a" * 43)).endpoint == "transcript_pages.shared"
    assert core.own_route(turls.ids("acme").verification(ID)).args == {"transcript_id": ID}
    assert core.own_route("https://evil.example" + turls.ids("acme").policy(3)[len("https://badges.test"):]) is None
    assert core.own_route("https://badges.test/prefix" + turls.ids("acme").policy(3)[len("https://badges.test"):]) is None
