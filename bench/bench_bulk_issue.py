"""Bulk issuance throughput, end to end.

    .venv/bin/python bench/bench_bulk_issue.py [-n 10000] [--database-url URL]

Creates a school with N students in one section (SQLite in a temp dir unless
--database-url / DATABASE_URL names PostgreSQL), a badge class with a mastery
rule, then runs the real bulk job (jobs.create + jobs.run: batches of
issuance.issue_many -> build credential, Data Integrity eddsa-rdfc-2022 proof,
RS256 VC-JWT, status index allocation, award + status-entry rows, commit,
progress). Rule evaluation (`--rules`) checks every student's mastery through
the assessment feature first, as automatic issuance does. Prints badges/s and
where the time went.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast")

TIMES: dict[str, float] = defaultdict(float)


def timed(owner, name: str, label: str):
    """Wrap owner.name to add its wall time to TIMES[label] (measurement only)."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def _competency_with_scores(org, teacher, section, students) -> uuid.UUID:
    """A real framework item and rubric, and one official 'Exemplary' score
    per student (bulk-inserted rows of the assessment feature's tables)."""
    from service.assessment import rubrics
    from service.assessment.framework_import import FrameworkDraft, ItemDraft
    from service.assessment.frameworks import save_draft
    from service.assessment.models import Assessment, Competency, CriterionScore, Submission
    from service.extensions import db
    from service.models import utcnow

    framework = save_draft(org.id, FrameworkDraft(title="Bench", source="manual", items=[
        ItemDraft(identifier="bench-1", statement="Bench competency")]), actor=teacher)
    competency = db.session.scalar(db.select(Competency).where(Competency.framework_id == framework.id))
    rubric = rubrics.create_rubric(org.id, {"title": "Bench rubric", "levels": [
        {"label": "Developing", "points": 2, "proficiency_value": 2},
        {"label": "Exemplary", "points": 4, "proficiency_value": 4}],
        "criteria": [{"title": "Bench criterion", "competency_ids": [competency.id]}]}, actor=teacher)
    db.session.flush()
    level, criterion, now = rubric.levels[1], rubric.criteria[0], utcnow()
    subs, assessments, scores = [], [], []
    for s in students:
        sub_id, assessment_id = uuid.uuid4(), uuid.uuid4()
        subs.append({"id": sub_id, "organization_id": org.id, "student_id": s["id"], "section_id": section.id,
                     "rubric_id": rubric.id, "competency_id": competency.id, "title": "Bench work",
                     "status": "scored", "attempt": 1, "submitted_at": now, "scored_at": now})
        assessments.append({"id": assessment_id, "organization_id": org.id, "submission_id": sub_id,
                            "assessor_id": teacher.id, "rubric_id": rubric.id, "kind": "official",
                            "assessed_at": now})
        scores.append({"id": uuid.uuid4(), "assessment_id": assessment_id, "criterion_id": criterion.id,
                       "level_id": level.id, "points": level.points, "level_value": level.proficiency_value})
    db.session.execute(db.insert(Submission), subs)
    db.session.execute(db.insert(Assessment), assessments)
    db.session.execute(db.insert(CriterionScore), scores)
    return competency.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000, help="badges to issue (default 10000)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rules", action="store_true", help="also evaluate each student's mastery rule first")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-bulk-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    cleanup = None
    if url.startswith(("postgres://", "postgresql")):
        from tests.support.database import fresh_postgres_database
        from service.config import normalise_database_url

        cleanup = fresh_postgres_database(normalise_database_url(url))
        url = cleanup.__enter__()
    os.environ["INSTANCE_PATH"] = f"{tmp}/instance"

    import flask_migrate

    from service import create_app
    from service.auth.passwords import hash_password
    from service.badges import classes, issuance, jobs, keys
    from service.extensions import db
    from service.models import Enrolment, Organization, Person, Section

    app = create_app({"DATABASE_URL": url, "STORAGE_URL": f"{tmp}/blobs", "SERVICE_ENV": "testing",
                      "PUBLIC_BASE_URL": "https://badges.example", "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        flask_migrate.upgrade()
        setup = time.perf_counter()
        org = Organization(slug="bench-school", name="Bench School")
        db.session.add(org)
        db.session.flush()
        teacher = Person(organization_id=org.id, role="teacher", email="teacher@bench.example",
                         display_name="Teacher", password_hash=hash_password("x" * 12))
        section = Section(organization_id=org.id, name="Everyone", school_year="2026-2027")
        db.session.add_all([teacher, section])
        db.session.flush()
        students = [{"id": uuid.uuid4(), "organization_id": org.id, "role": "student",
                     "email": f"student{i:06d}@bench.example", "display_name": f"Student {i:06d}",
                     "session_version": 1, "is_active": True} for i in range(args.n)]
        db.session.execute(db.insert(Person), students)
        db.session.execute(db.insert(Enrolment), [
            {"id": uuid.uuid4(), "section_id": section.id, "person_id": s["id"], "role": "student"}
            for s in students] + [{"id": uuid.uuid4(), "section_id": section.id, "person_id": teacher.id,
                                   "role": "teacher"}])
        competency_id = _competency_with_scores(org, teacher, section, students) if args.rules else uuid.uuid4()
        badge_class = classes.create(org, {
            "name": "Bench Mastery", "description": "Mastered the bench competency.",
            "criteria_narrative": "Level 3 or above on the bench competency.", "issue_mode": "auto",
            "tags": ["bench"], "rule": {"all": [{"competency_id": str(competency_id), "min_level": 3}]},
            "alignments": [{"targetName": "Bench competency", "targetUrl": "https://standards.example/bench/1",
                            "targetCode": "B.1", "targetType": "CFItem"}]}, actor=teacher)
        db.session.commit()
        keys.ensure_keys(org)
        print(f"setup: {args.n} students in {time.perf_counter() - setup:.1f}s on {url.split(':', 1)[0]}")

        from openbadges import data_integrity, jwt as vcjwt

        timed(data_integrity, "sign", "sign: Data Integrity (canonicalize + Ed25519)")
        timed(vcjwt, "sign", "sign: VC-JWT RS256")
        timed(issuance.Signer, "credential", "build credential JSON")
        timed(issuance.status, "allocate", "status index allocation")
        timed(issuance, "issue_many", "issue_many total (build+sign+DB)")

        start = time.perf_counter()
        recipients = jobs.section_recipients(section.id)
        if args.rules:
            rule_start = time.perf_counter()
            holding = set(issuance.students_meeting_rule(badge_class, [p.id for p in recipients]))
            recipients = [p for p in recipients if p.id in holding]
            TIMES["rule evaluation (mastery lookups)"] += time.perf_counter() - rule_start
            print(f"rules: {len(recipients)} students meet the rule")
        job = jobs.create(badge_class, recipients, actor=teacher, origin={"section_id": str(section.id)})
        jobs.run(job.id)
        elapsed = time.perf_counter() - start
        db.session.refresh(job)
        from service.badges.models import Award

        count = db.session.scalar(db.select(db.func.count(Award.id)).where(Award.job_id == job.id))
        assert job.status == "succeeded" and count == args.n, (job.status, count, job.error)

        signing = sum(v for k, v in TIMES.items() if k.startswith("sign:"))
        build = TIMES["build credential JSON"]
        db_and_rest = TIMES["issue_many total (build+sign+DB)"] - signing - build
        print(f"\nissued {count} badges in {elapsed:.1f}s = {count / elapsed:.0f} badges/s")
        for label, value in sorted(TIMES.items()):
            print(f"  {label:<48} {value:7.2f}s  {1000 * value / count:6.3f} ms/badge")
        print(f"  {'DB writes, commits, audit (issue_many - sign - build)':<48} {db_and_rest:7.2f}s")
        print(f"  {'job bookkeeping, recipients, lease (rest)':<48} "
              f"{elapsed - TIMES['issue_many total (build+sign+DB)'] - TIMES.get('rule evaluation (mastery lookups)', 0):7.2f}s")
        db.session.remove()
        db.engine.dispose()
    if cleanup is not None:
        cleanup.__exit__(None, None, None)


if __name__ == "__main__":
    main()
