"""Badges test helpers: badge classes, issuance, our resolver, fetching
published documents through the app, and the Node (Digital Bazaar) verifier."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "interop" / "harness.mjs"


def badge_class(org, **overrides):
    from service.badges import classes
    from service.extensions import db

    data = {"name": "Careful Reader", "description": "Reads closely and cites evidence.",
            "criteria_narrative": "Score 3 or more on close reading.", "issue_mode": "auto",
            "tags": ["reading"],
            "alignments": [{"targetName": "Close reading", "targetUrl": "https://standards.example/ela/cr1",
                            "targetCode": "CR.1", "targetFramework": "ELA", "targetType": "CFItem"}]}
    data.update(overrides)
    row = classes.create(org, data)
    db.session.commit()
    return row


def competency_and_rubric(org, teacher):
    """A one-item framework and a 4-level rubric aligned to it (assessment service calls)."""
    from service.assessment import rubrics
    from service.assessment.framework_import import FrameworkDraft, ItemDraft
    from service.assessment.frameworks import save_draft
    from service.assessment.models import Competency
    from service.extensions import db

    draft = FrameworkDraft(title="ELA", source="manual", subject="ELA",
                           items=[ItemDraft(identifier="ela-cr-1", statement="Reads closely and cites evidence",
                                            human_code="CR.1")])
    framework = save_draft(org.id, draft, actor=teacher)
    competency = db.session.scalar(db.select(Competency).where(Competency.framework_id == framework.id))
    rubric = rubrics.create_rubric(org.id, {
        "title": "Close reading", "levels": [
            {"label": "Beginning", "points": 1, "proficiency_value": 1},
            {"label": "Developing", "points": 2, "proficiency_value": 2},
            {"label": "Proficient", "points": 3, "proficiency_value": 3},
            {"label": "Exemplary", "points": 4, "proficiency_value": 4}],
        "criteria": [{"title": "Cites evidence", "competency_ids": [competency.id]}]}, actor=teacher)
    db.session.commit()
    return competency, rubric


def scored_work(school, rubric, competency, student=None, level_value=4, data=b"%PDF-1.4\n%work\n%%EOF\n"):
    """A stored artifact version of the student, submitted and scored by t1; returns (version, assessment)."""
    import io

    from service.assessment import scoring
    from service.extensions import db
    from service.portfolio import artifacts

    student = student or school["s1"]
    content = artifacts.ingest_file(io.BytesIO(data), "work.pdf")
    artifact = artifacts.create_artifact(student, kind="file", title="Work", content=content)
    db.session.commit()
    version = artifact.versions[0]
    submission = scoring.submit(student, section_id=school["sec1"].id, rubric_id=rubric.id,
                                artifact_version_ids=[version.id], title="Work", competency_id=competency.id)
    level = next(lv for lv in rubric.levels if lv.proficiency_value == level_value)
    assessment = scoring.score(submission, school["t1"], {"scores": [
        {"criterion_id": rubric.criteria[0].id, "level_id": level.id}]})
    db.session.commit()
    return version, assessment


def issue(badge_class_row, student, **kw):
    from service.badges import issuance

    return issuance.issue(badge_class_row, issuance.Unit(student), **kw).award


def app_fetcher(client):
    """status_fetcher / document getter that goes through the app's public routes."""

    def fetch(url: str) -> dict:
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise LookupError(f"GET {url}: {response.status_code}")
        return response.get_json(force=True)

    return fetch


class HttpResolver:
    """Resolves our issuer DIDs and key URLs through the app's HTTP routes
    (what a remote verifier does), not the database."""

    def __init__(self, client):
        self.fetch = app_fetcher(client)

    def resolve(self, did_or_url: str) -> dict:
        from openbadges.did import ResolutionError, did_web_url

        url = did_web_url(did_or_url) if did_or_url.startswith("did:web:") else did_or_url
        try:
            return self.fetch(url)
        except LookupError as exc:
            raise ResolutionError(str(exc)) from None


def node_available() -> bool:
    return shutil.which("node") is not None and (HARNESS.parent / "node_modules").exists()


def node(request: dict) -> dict:
    """Run one harness operation (see tests/interop/harness.mjs)."""
    if not node_available():
        pytest.skip("node or tests/interop/node_modules missing (npm ci in tests/interop)")
    done = subprocess.run(["node", str(HARNESS)], input=json.dumps(request).encode(), capture_output=True,
                          timeout=120, cwd=HARNESS.parent)
    if done.returncode != 0:
        raise AssertionError(f"harness failed: {done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout)
