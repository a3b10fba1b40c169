"""The transcript pages of each role in the demo school pass the same checks as every
main page (axe-core at 1280 and 390 px, no wider than a phone)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_transcript_pages_of_each_role(visit, demo):
    from service.extensions import db
    from service.transcript import lifecycle
    from service.transcript.models import Transcript

    t = db.session.scalar(db.select(Transcript).where(Transcript.status == "issued"))
    _, token = lifecycle.share(t, actor=demo["ava"], days=7)
    pages = {
        "admin": ["/transcripts", f"/transcripts/{t.id}", "/admin/transcripts", "/admin/courses"],
        "ava": ["/transcripts", f"/transcripts/{t.id}"],
        "anonymous": [f"/transcripts/{t.id}/verify", "/issuers/riverside-high/credit-policy/1", f"/t/{token}"],
    }
    for who, paths in pages.items():
        visitor = visit(who)
        if who != "anonymous":
            visitor.sign_in(f"{who}@riverside.example", demo["password"])
        for path in paths:
            response = visitor.goto(path, "transcript-" + (path.strip("/").replace("/", "-")[:40] or "root"))
            assert response.status == 200, f"{who} {path}: {response.status}"
        visitor.close()
