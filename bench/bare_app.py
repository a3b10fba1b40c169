"""The framework floor for bench_http.py: a bare Flask app that does no work.

Every GET answers a small JSON object; every POST parses its JSON body and
answers a small JSON object. Served by the same gunicorn command and
gunicorn.conf.py as the service, so the ratio measures only the service's own
work per request.
"""
from __future__ import annotations

from flask import Flask, jsonify, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def read(path):
        return jsonify({"path": path, "ok": True})

    @app.post("/", defaults={"path": ""})
    @app.post("/<path:path>")
    def write(path):
        body = request.get_json(silent=True)
        return jsonify({"path": path, "ok": isinstance(body, dict)})

    return app
