"""The OpenAPI document itself (issue 14): numeric bounds are numbers, and
every error response is documented as application/problem+json."""
from __future__ import annotations


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_bounds_are_numbers_and_errors_are_problem_json(client):
    spec = client.get("/api/openapi.json").json
    bad_bounds = [(path, key, value) for path, key, value in _walk(spec)
                  if key in ("minimum", "maximum") and not isinstance(value, (int, float))]
    assert bad_bounds == []
    import http

    error_types = set()
    for name, response in spec["components"].get("responses", {}).items():
        if name == "DEFAULT_ERROR" or (name in http.HTTPStatus.__members__ and http.HTTPStatus[name] >= 400):
            error_types.update((name, media) for media in response.get("content", {}))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in (operation.get("responses") or {}).items() if isinstance(operation, dict) else ():
                if (status.startswith(("4", "5")) or status == "default") and "content" in response:
                    error_types.update((f"{method} {path} {status}", media) for media in response["content"])
    assert error_types, "no error responses documented"
    assert {media for _, media in error_types} == {"application/problem+json"}, sorted(error_types)
