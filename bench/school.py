"""A large school for benchmarks: people, sections, a framework, rubrics,
scored evidence and signed awards.

    .venv/bin/python bench/school.py --students 2000 --out /tmp/school2000   # SQLite file + school.json
    .venv/bin/python bench/school.py --students 200 --out /tmp/school200
    DATABASE_URL=postgresql://... .venv/bin/python bench/school.py --students 2000 --out /tmp/pg2000

Default shape per the issue: 2,000 students, 100 sections of 30 (a student is
in one or two), 200 competencies (20 domains x 9), 150 criterion scores per
student (~300,000; 15 assessments of 10 criteria over eight months) and five
awards per student (10,000). `--students 200` gives 10 sections, 30,000
scores and 1,000 awards.

What goes through the domain functions and what does not:
- framework (`frameworks.save_draft`), rubrics (`rubrics.create_rubric`),
  badge classes (`classes.create`), awards (`issuance.issue_many`: real
  signing, status lists, audit) and the mastery states (`mastery_store`)
  use the domain's own code;
- people, enrolments, submissions, assessments and criterion scores are bulk
  inserted through the models' tables (`db.insert(Model)`), because
  `scoring.submit`/`score` do per-row work (artifact locks, audit rows,
  events) that would take about an hour for 30,000 assessments; the rows are
  the ones those functions write (scores copy level points and values).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-password-123"
DOMAINS = 20
PER_DOMAIN = 9  # 20 domains + 180 competencies = 200 items
CRITERIA = 9  # academic criteria per rubric (plus one habit of work)


def build(*, students: int = 2000, section_size: int = 30, scores_per_student: int = 150,
          awards_per_student: int = 5, seed: int = 7, slug: str = "bench-school", log=print) -> dict:
    """Build the school in the current app context; returns ids and logins."""
    from service.assessment import rubrics
    from service.assessment.framework_import import FrameworkDraft, ItemDraft
    from service.assessment.frameworks import save_draft
    from service.assessment.models import (Assessment, Competency, CourseCompetency, CriterionScore, Submission)
    from service.assessment.settings import scale_for, settings_for
    from service.auth.passwords import hash_password
    from service.badges import classes, issuance, keys
    from service.extensions import db
    from service.models import Course, Enrolment, Organization, Person, Section

    rng = random.Random(seed)
    start = time.perf_counter()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    org = Organization(slug=slug, name="Bench School")
    db.session.add(org)
    db.session.flush()
    scale_for(org.id)
    settings_for(org.id)
    password = hash_password(PASSWORD)
    admin = Person(organization_id=org.id, role="admin", email=f"admin@{slug}.example", display_name="Admin",
                   password_hash=password)
    db.session.add(admin)
    db.session.flush()

    # Framework: 20 domains of 9 competencies (domain function, bulk insert inside).
    items = []
    for d in range(DOMAINS):
        items.append(ItemDraft(identifier=f"d{d:02d}", statement=f"Domain {d}", human_code=f"D{d:02d}",
                               item_type="Domain", position=len(items)))
        for c in range(PER_DOMAIN):
            items.append(ItemDraft(identifier=f"d{d:02d}-c{c}", statement=f"Competency {d}.{c}",
                                   human_code=f"D{d:02d}.{c}", item_type="Competency", parent=f"d{d:02d}",
                                   position=len(items), depth=1))
    framework = save_draft(org.id, FrameworkDraft(title="Bench framework", source="manual", items=items),
                           actor=admin, school_year="2026-2027")
    by_ident = {c.identifier: c for c in db.session.scalars(
        db.select(Competency).where(Competency.framework_id == framework.id))}

    levels = [{"label": label, "points": v, "proficiency_value": v}
              for v, label in enumerate(["Beginning", "Developing", "Proficient", "Advanced"], start=1)]
    # A course per pair of domains; one rubric per domain (9 academic criteria + a habit).
    n_sections = max(1, students * 3 // (2 * section_size))  # ~1.5 sections per student
    n_courses = min(DOMAINS // 2, max(1, n_sections))
    courses, course_rubrics = [], []
    for k in range(n_courses):
        course = Course(organization_id=org.id, code=f"C{k:02d}", title=f"Course {k}")
        db.session.add(course)
        db.session.flush()
        pair = []
        for d in (2 * k, 2 * k + 1):
            comps = [by_ident[f"d{d:02d}-c{c}"] for c in range(PER_DOMAIN)]
            for comp in comps:
                db.session.add(CourseCompetency(course_id=course.id, competency_id=comp.id))
            rubric = rubrics.create_rubric(org.id, {
                "title": f"Rubric D{d:02d}", "levels": levels,
                "criteria": [{"title": f"Criterion {comp.human_code}", "competency_ids": [comp.id]}
                             for comp in comps[:CRITERIA]]
                + [{"title": "Timeliness", "kind": "habit", "competency_ids": []}]}, actor=admin)
            pair.append(rubric)
        courses.append(course)
        course_rubrics.append(pair)
    db.session.flush()

    # People and sections (bulk rows of the core tables).
    people = [{"id": uuid.uuid4(), "organization_id": org.id, "role": "student",
               "email": f"student{i:05d}@{slug}.example", "display_name": f"Student {i:05d}",
               "given_name": "Student", "family_name": f"{i:05d}", "password_hash": password,
               "session_version": 1, "is_active": True, "created_at": now} for i in range(students)]
    teachers = [{"id": uuid.uuid4(), "organization_id": org.id, "role": "teacher",
                 "email": f"teacher{i:03d}@{slug}.example", "display_name": f"Teacher {i:03d}",
                 "password_hash": password, "session_version": 1, "is_active": True, "created_at": now}
                for i in range(n_sections)]
    db.session.execute(db.insert(Person), people + teachers)
    sections, enrolments, member_of = [], [], {p["id"]: [] for p in people}
    stride = max(1, students // n_sections)
    for s in range(n_sections):
        section = {"id": uuid.uuid4(), "organization_id": org.id, "course_id": courses[s % n_courses].id,
                   "name": f"Section {s:03d}", "school_year": "2026-2027", "created_at": now}
        sections.append(section)
        enrolments.append({"id": uuid.uuid4(), "section_id": section["id"], "person_id": teachers[s]["id"],
                           "role": "teacher", "created_at": now})
        for k in range(min(section_size, students)):
            student = people[(s * stride + k) % students]
            if section["id"] in {x[0]["id"] for x in member_of[student["id"]]}:
                continue
            member_of[student["id"]].append((section, s % n_courses))
            enrolments.append({"id": uuid.uuid4(), "section_id": section["id"], "person_id": student["id"],
                               "role": "student", "created_at": now})
    db.session.execute(db.insert(Section), sections)
    db.session.execute(db.insert(Enrolment), enrolments)

    # Scored evidence: assessments of 10 criteria spread over eight months, plus
    # one waiting submission per four students for the review queues.
    subs, assessments, scores = [], [], []
    per_student = max(1, scores_per_student // (CRITERIA + 1))
    for n, student in enumerate(people):
        placements = member_of[student["id"]] or [(sections[0], 0)]
        for a in range(per_student + (1 if n % 4 == 0 else 0)):
            section, course_index = placements[a % len(placements)]
            rubric = course_rubrics[course_index][a % 2]
            at = now - timedelta(days=240 * (per_student - a) / per_student, hours=rng.randint(0, 72))
            sub_id = uuid.uuid4()
            waiting = a == per_student
            subs.append({"id": sub_id, "organization_id": org.id, "student_id": student["id"],
                         "section_id": section["id"], "rubric_id": rubric.id,
                         "competency_id": rubric.criteria[0].alignments[0].competency_id,
                         "title": f"Work {a + 1}", "status": "submitted" if waiting else "scored", "attempt": 1,
                         "submitted_at": at - timedelta(days=2), "scored_at": None if waiting else at})
            if waiting:
                continue
            assessment_id = uuid.uuid4()
            assessments.append({"id": assessment_id, "organization_id": org.id, "submission_id": sub_id,
                                "assessor_id": teachers[sections.index(section)]["id"], "rubric_id": rubric.id,
                                "kind": "official", "assessed_at": at})
            # Students improve over the year, with noise.
            base = 1 + 3 * a / max(per_student - 1, 1)
            for criterion in rubric.criteria:
                value = min(4, max(1, round(base + rng.uniform(-1.2, 0.8))))
                level = rubric.levels[value - 1]
                scores.append({"id": uuid.uuid4(), "assessment_id": assessment_id, "criterion_id": criterion.id,
                               "level_id": level.id, "points": level.points, "level_value": value})
    for table, rows in ((Submission, subs), (Assessment, assessments), (CriterionScore, scores)):
        for i in range(0, len(rows), 5000):
            db.session.execute(db.insert(table), rows[i:i + 5000])
    db.session.commit()
    log(f"  rows: {students} students, {len(sections)} sections, {len(by_ident)} competencies, "
        f"{len(subs)} submissions, {len(assessments)} assessments, {len(scores)} criterion scores "
        f"({time.perf_counter() - start:.1f}s)")

    _refresh_mastery(org.id, log)

    # Awards: real issuance (build, sign, status lists) in batches.
    keys.ensure_keys(org)
    issued, t0 = 0, time.perf_counter()
    person_rows = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.organization_id == org.id, Person.role == "student"))}
    for b in range(awards_per_student):
        domain = by_ident[f"d{b:02d}"]
        badge_class = classes.create(org, {
            "name": f"Bench badge {b}", "description": f"Mastery of domain {b}.",
            "criteria_narrative": "Level 3 or above on the domain.", "issue_mode": "approval", "tags": ["bench"],
            "rule": {"all": [{"competency_id": str(domain.id), "min_level": 3}]}}, actor=admin)
        db.session.commit()
        units = [issuance.Unit(recipient=person_rows[p["id"]]) for p in people]
        for i in range(0, len(units), 250):
            issuance.issue_many(badge_class, units[i:i + 250], actor=admin)
        issued += len(units)
    log(f"  awards: {issued} signed in {time.perf_counter() - t0:.1f}s")

    first = sections[0]
    info = {"organization_id": str(org.id), "slug": slug, "password": PASSWORD,
            "admin_email": admin.email, "teacher_email": teachers[0]["email"],
            "student_email": people[0]["email"], "student_id": str(people[0]["id"]),
            "section_id": str(first["id"]),
            "section_students": sum(1 for e in enrolments if e["section_id"] == first["id"] and e["role"] == "student"),
            "students": students, "sections": len(sections), "competencies": len(by_ident),
            "criterion_scores": len(scores), "awards": issued}
    log(f"  built in {time.perf_counter() - start:.1f}s")
    return info


def _refresh_mastery(organization_id, log) -> None:
    """Bulk inserts bypass scoring, so rebuild the stored mastery states (when the service keeps them)."""
    try:
        from service.assessment import mastery_store
    except ImportError:
        return
    t0 = time.perf_counter()
    mastery_store.rebuild(organization_id)
    from service.extensions import db

    db.session.commit()
    log(f"  mastery states rebuilt in {time.perf_counter() - t0:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--awards-per-student", type=int, default=5)
    parser.add_argument("--out", required=True, help="folder for the SQLite file, blobs and school.json")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{out}/school.db"
    os.environ["INSTANCE_PATH"] = str(out / "instance")

    import flask_migrate

    from service import create_app
    from service.extensions import db

    config = {"DATABASE_URL": url, "STORAGE_URL": str(out / "blobs"), "SERVICE_ENV": "testing",
              "PUBLIC_BASE_URL": "http://127.0.0.1:8000", "PASSWORD_HASH_PROFILE": "fast"}
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        print(f"building a {args.students}-student school on {url.split(':', 1)[0]}")
        info = build(students=args.students, awards_per_student=args.awards_per_student)
        db.session.remove()
        db.engine.dispose()
    info["database_url"] = url
    info["storage_url"] = config["STORAGE_URL"]
    (out / "school.json").write_text(json.dumps(info, indent=2))
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
