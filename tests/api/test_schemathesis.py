"""Property-based tests of the whole API from its own OpenAPI document
(schemathesis): every operation, with generated input that fits the document
and input that does not, signed in as an admin. No response may be a server
error, and every error is an RFC 9457 problem+json body (issue 14).

The example count is bounded (MAX_EXAMPLES per operation and mode) so the
run stays within about two minutes on two cores.
"""
from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode

MAX_EXAMPLES = 4


def _problems_of(case, response) -> list[str]:
    text = response.content[:300].decode("utf-8", "replace")  # a zip or an image is not text
    described = f"{case.method} {case.formatted_path} -> {response.status_code}: {text}"
    if response.status_code >= 500:
        return [f"server error: {described}"]
    if response.status_code >= 400:
        content_type = response.headers.get("content-type") or response.headers.get("Content-Type") or [""]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        if not content_type.startswith("application/problem+json"):
            return [f"not problem+json ({content_type}): {described}"]
        body = json.loads(response.text)
        if body.get("status") != response.status_code or not body.get("title") or "detail" not in body:
            return [f"incomplete problem: {described}"]
    return []


def test_no_server_errors_and_every_error_is_problem_json(app, factory):
    school = factory.school()
    headers = factory.auth(school["admin"])
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    found: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call(headers=headers)
                found.extend(p for p in _problems_of(case, response) if p not in found)

            run()
    assert operations > 50
    assert not found, "\n".join(found)
