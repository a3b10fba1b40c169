"""The Flask application: `create_app()` builds it from environment settings.

Layers (see docs/ARCHITECTURE.md): HTTP (api/, web/, feature blueprints) ->
policies (who may do what) -> models (SQLAlchemy) and the pure libraries
`openbadges` (credentials) and `storage` (blobs).
"""
from __future__ import annotations

import importlib
import logging
import os
from types import FunctionType

from flask import Flask, request

from .json_provider import OrjsonProvider

# Feature packages plug in here. Each may define `init_app(app)` (pages, CLI),
# `api_blueprints()` and `home_links(person)`.
FEATURE_MODULES = ["service.portfolio", "service.assessment", "service.badges", "service.transcript",
                   "service.notifications", "service.roster"]
FEATURES: list = []


class ServiceFlask(Flask):
    """Flask with JSON written by orjson (json_provider.py), minus one
    per-request cost: Flask asks `inspect` whether each hook and view is a
    coroutine function on every call (about a dozen times a request). A plain
    function's answer never changes, so it is kept."""

    json_provider_class = OrjsonProvider

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync: dict = {}

    def ensure_sync(self, func):
        if type(func) is not FunctionType:  # bound methods are new objects on each request
            return super().ensure_sync(func)
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def create_app(test_config: dict | None = None) -> Flask:
    app = ServiceFlask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    from .config import load_config

    app.config.from_mapping(load_config(app.instance_path, test_config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024
    from . import input_guards

    input_guards.install_converter(app)  # before any route is added: bounded <int:> URL parts
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from .extensions import db, init_sqlite, migrate

    db.init_app(app)
    init_sqlite(app)
    from .db import init_postgres

    init_postgres(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    _load_features()

    from . import models  # noqa: F401  (registers the tables)
    from .api import register_api
    from .auth.csrf import csrf_token
    from .auth.current import current_person, load_identity
    from .errors import register_error_handlers
    from .health import bp as health_bp
    from .web import bp as web_bp

    register_api(app)
    register_error_handlers(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(web_bp)
    _register_swagger_assets(app)
    for feature in FEATURES:
        if hasattr(feature, "init_app"):
            feature.init_app(app)

    from . import blobstore
    from .cli import register_cli

    blobstore.init_app(app)
    register_cli(app)

    from . import security_headers
    from .auth.cookies import CookieSessions
    from .body_limits import check_body_size

    app.session_interface = CookieSessions()

    # First of all: refuse an oversized body before anything reads it; then
    # malformed input that would otherwise fail deep inside a view.
    app.before_request(check_body_size)
    app.before_request(input_guards.check_query)
    app.before_request(input_guards.check_json_depth)

    @app.before_request
    def _identify():
        if request.endpoint in ("health.healthz", "static"):
            return None
        load_identity()

    security_headers.install(app)

    @app.context_processor
    def _template_helpers():
        def home_links(person):
            links = []
            for feature in FEATURES:
                links.extend(getattr(feature, "home_links", lambda p: [])(person))
            return links

        return {"csrf_token": csrf_token, "current_person": current_person, "home_links": home_links}

    return app


def _load_features() -> None:
    if FEATURES:
        return
    for name in FEATURE_MODULES:
        FEATURES.append(importlib.import_module(name))


def _register_swagger_assets(app: Flask) -> None:
    import swagger_ui_bundle
    from flask import send_from_directory

    @app.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
