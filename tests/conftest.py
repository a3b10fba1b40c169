"""Fixtures shared by the whole suite: a real migrated database per test, the
app, a client, and factories for people and tokens.

DATABASE_URL=postgresql://... runs every database test on PostgreSQL instead
of SQLite (see .ci/run).
"""
from __future__ import annotations

import os

import pytest

from tests.support import database as dbsupport

os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database migrated once per run: a template file on SQLite, a fresh
    database on PostgreSQL."""
    instance = tmp_path_factory.mktemp("instance")
    server = dbsupport.server_url()
    if dbsupport.is_postgres(server):
        with dbsupport.fresh_postgres_database(server) as url:
            dbsupport.migrate(url, instance)
            yield {"kind": "postgresql", "url": url}
    else:
        template = instance / "template.db"
        dbsupport.migrate(f"sqlite:///{template}", instance)
        yield {"kind": "sqlite", "template": template}


@pytest.fixture
def app_config(tmp_path, migrated_database):
    if migrated_database["kind"] == "sqlite":
        url = dbsupport.copy_sqlite(migrated_database["template"], tmp_path / "test.db")
    else:
        url = migrated_database["url"]
    return {
        "SERVICE_ENV": "testing",
        "TESTING": True,
        "DATABASE_URL": url,
        "STORAGE_URL": str(tmp_path / "blobs"),
        "PUBLIC_BASE_URL": "https://badges.test",
        "PASSWORD_HASH_PROFILE": "fast",
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
    }


@pytest.fixture
def app(app_config, migrated_database, tmp_path):
    from service import create_app
    from service.extensions import db

    os.environ["INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(app_config)
    yield app
    from service import jobs

    jobs.join_threads()  # inline background jobs still writing would block the emptying
    with app.app_context():
        db.session.remove()
        if migrated_database["kind"] == "postgresql":
            dbsupport.empty_all(db.engine)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    from tests.support.factory import Factory

    with app.app_context():
        yield Factory(app)


@pytest.fixture
def live_url(app):
    """The test app served over real HTTP on 127.0.0.1."""
    from tests.support.live_server import live_server

    with live_server(app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium (Playwright) for the whole run; each test
    gets its own context. Skipped with the reason where chromium is missing."""
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available

    if not chromium_available():
        pytest.skip("Debian chromium is not installed (sh .ci/system-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium):
    """A page in a fresh context of the shared browser."""
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd on loopback) that the test's app mails to."""
    from tests.support.smtp import smtp_server as start_smtp_server

    with start_smtp_server() as server:
        app.config.update(SMTP_HOST=server.host, SMTP_PORT=server.port, SMTP_SECURITY="none",
                          MAIL_FROM="badges@school.test")
        yield server
