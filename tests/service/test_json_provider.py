"""The orjson provider writes what Flask's own encoder wrote (as JSON values)."""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import uuid

from flask import json as flask_json
from flask.json.provider import DefaultJSONProvider


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_same_json_as_flasks_encoder(app):
    value = {"b": [1, 2.5, None, True], "a": "é ünïcode", "when": datetime.datetime(2026, 12, 2, 9, 0,
                                                                                   tzinfo=datetime.timezone.utc),
             "day": datetime.date(2026, 12, 2), "id": uuid.UUID(int=7), "amount": decimal.Decimal("10.50"),
             "point": Point(1, 2), "huge": 2**70}
    with app.app_context():
        ours = flask_json.dumps(value)
        theirs = DefaultJSONProvider(app).dumps(value)
        assert json.loads(ours) == json.loads(theirs)
        assert list(json.loads(ours)) == sorted(json.loads(ours))  # keys sorted, as Flask sorts them
        response = app.json.response(value)
        assert response.mimetype == "application/json" and json.loads(response.get_data()) == json.loads(theirs)


def test_api_answers_are_json(client, factory):
    person = factory.person("teacher", factory.org(name="Écoles ünïes"))
    response = client.get("/api/v1/me", headers=factory.auth(person))
    assert response.content_type == "application/json"
    assert response.json["organization"]["name"].startswith("Écoles ünïes")
    missing = client.get("/api/v1/no-such-thing")
    assert missing.content_type == "application/problem+json" and missing.json["status"] == 404
