"""The JSON API under /api/v1, documented as OpenAPI 3 at /api/openapi.json.

Each feature registers its own flask-smorest Blueprint here; see
`register_api`. Errors are problem+json (service/errors.py).
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from .schemas import ProblemSchema


class ServiceApi(Api):
    # Document every error response as RFC 9457 problem details.
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # service/errors.py handles every error for the whole app (API and pages).
        pass

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(_numeric_bounds)

    def _register_responses(self):
        """flask-smorest's shared responses, with errors documented as what they
        are: application/problem+json, not application/json."""
        import http

        from flask_smorest.utils import prepare_response

        from ..errors import PROBLEM_MEDIA_TYPE

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
                if status >= 400:
                    content_type = PROBLEM_MEDIA_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _numeric_bounds(self, field, ret, **kwargs):
    """apispec writes a Decimal field's Range bounds as strings ("10.00"); OpenAPI
    wants numbers for minimum and maximum."""
    return {key: float(ret[key]) for key in ("minimum", "maximum")
            if key in ret and not isinstance(ret[key], (int, float))}


api = ServiceApi()

API_SETTINGS = {
    "API_TITLE": "Mastery credentials API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Served from our own static folder: the docs work offline and no
    # third-party script runs on our origin.
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Portfolio, assessment and Open Badges 3.0 credentialing. "
                                "Authenticate with `Authorization: Bearer <token>` (POST /api/v1/tokens)."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
}


def register_api(app: Flask) -> None:
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    from ..auth import reset_api
    from . import audit, courses, me, organizations, people, sections, tokens

    for module in (tokens, reset_api, me, organizations, people, sections, courses, audit):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    for feature_blueprint in feature_blueprints():
        api.register_blueprint(feature_blueprint, url_prefix="/api/v1")


def feature_blueprints():
    """API blueprints of the feature packages (portfolio, badges, ...).

    Each feature package exposes `api_blueprints()`; adding a feature means
    adding it to FEATURES in service/__init__.py, nothing here.
    """
    from .. import FEATURES

    for feature in FEATURES:
        yield from getattr(feature, "api_blueprints", lambda: [])()
