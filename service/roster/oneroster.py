"""OneRoster 1.2 CSV roster import: users.csv, courses.csv, classes.csv,
enrollments.csv (and roles.csv when the export has one).

All or nothing: every file is read and checked first; any problem is listed
(file, line, column, reason) and nothing is written. Rows are matched by
sourcedId (people.external_id, courses.sourced_id, sections.sourced_id), so a
nightly re-import updates what it imported before instead of duplicating it.
Rows whose status is `tobedeleted` are skipped. Users without an e-mail
cannot sign in here and are refused. Imported people get no password (an
admin or the password reset sets one); parents and guardians named in a
student's `agentSourcedIds` are linked to the student.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .. import audit
from ..extensions import db
from ..models import Course, Enrolment, GuardianLink, Organization, Person, Role, Section

FILES = ("users.csv", "courses.csv", "classes.csv", "enrollments.csv")
ROLE_MAP = {"student": Role.STUDENT.value, "teacher": Role.TEACHER.value, "administrator": Role.ADMIN.value,
            "sitemanager": Role.ADMIN.value, "districtadministrator": Role.ADMIN.value,
            "principal": Role.ADMIN.value, "parent": Role.GUARDIAN.value, "guardian": Role.GUARDIAN.value,
            "relative": Role.GUARDIAN.value, "aide": Role.TEACHER.value, "proctor": Role.TEACHER.value}
ENROLMENT_ROLES = {"student": "student", "teacher": "teacher", "aide": "teacher", "proctor": "teacher"}


@dataclass
class ImportResult:
    errors: list[dict] = field(default_factory=list)
    created: dict = field(default_factory=lambda: {"people": 0, "courses": 0, "sections": 0, "enrolments": 0,
                                                   "guardian_links": 0})
    updated: dict = field(default_factory=lambda: {"people": 0, "courses": 0, "sections": 0})
    skipped: int = 0

    def error(self, file: str, line: int, column: str | None, reason: str) -> None:
        self.errors.append({"file": file, "line": line, "column": column, "reason": reason})


def _rows(name: str, text: str | None, required: set[str], result: ImportResult) -> list[tuple[int, dict]]:
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    columns = {(c or "").strip() for c in reader.fieldnames or []}
    missing = sorted(required - columns)
    if missing:
        result.error(name, 1, ", ".join(missing), "the header row lacks these OneRoster columns")
        return []
    rows = []
    try:
        for line, row in enumerate(reader, start=2):
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if clean.get("status", "").lower() == "tobedeleted":
                result.skipped += 1
                continue
            rows.append((line, clean))
    except csv.Error as exc:
        result.error(name, reader.line_num, None, f"not readable as CSV: {exc}")
    return rows


def import_roster(organization: Organization, files: dict[str, str], *, actor=None) -> ImportResult:
    """Import into the organization (the caller commits when `errors` is empty,
    and rolls back otherwise)."""
    result = ImportResult()
    if "users.csv" not in files:
        result.error("users.csv", 0, None, "users.csv is required")
        return result
    users = _rows("users.csv", files.get("users.csv"), {"sourcedId", "givenName", "familyName"}, result)
    role_rows = _rows("roles.csv", files.get("roles.csv"), {"userSourcedId", "role"}, result)
    courses = _rows("courses.csv", files.get("courses.csv"), {"sourcedId", "title"}, result)
    classes = _rows("classes.csv", files.get("classes.csv"), {"sourcedId", "title"}, result)
    enrolments = _rows("enrollments.csv", files.get("enrollments.csv"),
                       {"classSourcedId", "userSourcedId", "role"}, result)
    if result.errors:
        return result

    primary_role = {}
    for line, row in role_rows:
        role = ROLE_MAP.get(row["role"].lower())
        if role is None:
            result.error("roles.csv", line, "role", f"unknown role “{row['role']}”")
        elif row.get("roleType", "primary").lower() == "primary" or row["userSourcedId"] not in primary_role:
            primary_role[row["userSourcedId"]] = role

    people: dict[str, Person] = {}
    existing = {p.external_id: p for p in db.session.scalars(db.select(Person).where(
        Person.organization_id == organization.id, Person.external_id.is_not(None)))}
    emails_seen: set[str] = set()
    agents: list[tuple[int, str, str]] = []
    for line, row in users:
        sid = row["sourcedId"]
        if not sid or len(sid) > 64:
            result.error("users.csv", line, "sourcedId", "is empty or longer than 64 characters")
            continue
        raw_role = row.get("role") or ""
        role = primary_role.get(sid) or ROLE_MAP.get(raw_role.lower())
        if role is None:
            result.error("users.csv", line, "role", "no role: give a role column or a roles.csv line for this user"
                         if not raw_role else f"unknown role “{raw_role}”")
            continue
        email = (row.get("email") or "").lower()
        if "@" not in email:
            result.error("users.csv", line, "email", "an e-mail address is needed to sign in here")
            continue
        if email in emails_seen:
            result.error("users.csv", line, "email", f"{email} appears twice in users.csv")
            continue
        emails_seen.add(email)
        name = " ".join(p for p in (row.get("preferredGivenName") or row["givenName"], row["familyName"]) if p)
        person = existing.get(sid)
        if person is None:
            clash = db.session.scalar(db.select(Person).where(Person.email == email))
            if clash is not None and (clash.organization_id != organization.id or clash.external_id not in (None, sid)):
                result.error("users.csv", line, "email", f"{email} already belongs to someone else")
                continue
            person = clash
        if person is None:
            person = Person(organization_id=organization.id, role=role, email=email, external_id=sid,
                            display_name=name[:200] or email)
            db.session.add(person)
            result.created["people"] += 1
        else:
            if person.role != role:
                result.error("users.csv", line, "role", f"{person.display_name} is a {person.role} here, not a {role}")
                continue
            person.external_id, person.email, person.display_name = sid, email, name[:200] or email
            result.updated["people"] += 1
        person.given_name, person.family_name = row["givenName"][:100] or None, row["familyName"][:100] or None
        grades = (row.get("grades") or "").split(",")[0].strip()
        person.grade_level = grades[:16] or person.grade_level
        if (row.get("enabledUser") or "true").lower() == "false":
            person.is_active = False
        people[sid] = person
        for agent in filter(None, (a.strip() for a in (row.get("agentSourcedIds") or "").split(","))):
            agents.append((line, sid, agent))

    course_by_sid = _upsert(Course, organization, courses, "courses.csv", result, lambda row: {
        "title": row["title"][:200], "code": (row.get("courseCode") or row["sourcedId"])[:32],
        "subject": (row.get("subjects") or "").split(",")[0].strip()[:100] or None})
    class_by_sid = {}
    known_courses = course_by_sid | {c.sourced_id: c for c in db.session.scalars(db.select(Course).where(
        Course.organization_id == organization.id, Course.sourced_id.is_not(None)))}
    for line, row in classes:
        course_sid = row.get("courseSourcedId") or ""
        if course_sid and course_sid not in known_courses:
            result.error("classes.csv", line, "courseSourcedId", f"no course “{course_sid}” in courses.csv")
            continue
        class_by_sid.update(_upsert(Section, organization, [(line, row)], "classes.csv", result, lambda row: {
            "name": (f"{row['title']} ({row['classCode']})" if row.get("classCode") else row["title"])[:200],
            "course_id": known_courses[row["courseSourcedId"]].id if row.get("courseSourcedId") else None}))
    db.session.flush()

    known_people = people | {p.external_id: p for p in existing.values()}
    known_classes = class_by_sid | {s.sourced_id: s for s in db.session.scalars(db.select(Section).where(
        Section.organization_id == organization.id, Section.sourced_id.is_not(None)))}
    for line, row in enrolments:
        section, person = known_classes.get(row["classSourcedId"]), known_people.get(row["userSourcedId"])
        role = ENROLMENT_ROLES.get(row["role"].lower())
        if section is None:
            result.error("enrollments.csv", line, "classSourcedId", f"no class “{row['classSourcedId']}”")
        elif person is None:
            result.error("enrollments.csv", line, "userSourcedId", f"no user “{row['userSourcedId']}”")
        elif role is None:
            result.error("enrollments.csv", line, "role", f"“{row['role']}” cannot be enrolled in a class here")
        elif person.role != (Role.TEACHER.value if role == "teacher" else Role.STUDENT.value):
            result.error("enrollments.csv", line, "role", f"{person.display_name} is a {person.role}")
        elif db.session.scalar(db.select(Enrolment.id).where(Enrolment.section_id == section.id,
                                                             Enrolment.person_id == person.id)) is None:
            db.session.add(Enrolment(section_id=section.id, person_id=person.id, role=role))
            db.session.flush()
            result.created["enrolments"] += 1

    for line, student_sid, agent_sid in agents:
        student, agent = known_people.get(student_sid), known_people.get(agent_sid)
        if agent is None:
            result.error("users.csv", line, "agentSourcedIds", f"no user “{agent_sid}”")
            continue
        if student.role != Role.STUDENT.value or agent.role != Role.GUARDIAN.value:
            continue  # a guardian's own row names their children: the student's row makes the link
        if db.session.scalar(db.select(GuardianLink.id).where(GuardianLink.guardian_id == agent.id,
                                                             GuardianLink.student_id == student.id)) is None:
            db.session.add(GuardianLink(guardian_id=agent.id, student_id=student.id))
            result.created["guardian_links"] += 1
    if not result.errors:
        db.session.flush()
        audit.record("roster.import", obj=organization, actor=actor, created=result.created,
                     updated=result.updated, skipped=result.skipped)
    return result


def _upsert(model, organization, rows, name, result, values_of) -> dict:
    plural = {"courses.csv": "courses", "classes.csv": "sections"}[name]
    out = {}
    for line, row in rows:
        sid = row["sourcedId"]
        if not sid:
            result.error(name, line, "sourcedId", "is empty")
            continue
        values = values_of(row)
        item = db.session.scalar(db.select(model).where(model.organization_id == organization.id,
                                                        model.sourced_id == sid))
        if item is None and model is Course:
            item = db.session.scalar(db.select(Course).where(Course.organization_id == organization.id,
                                                             Course.code == values["code"]))
        if item is None:
            item = model(organization_id=organization.id, sourced_id=sid, **values)
            db.session.add(item)
            result.created[plural] += 1
        else:
            item.sourced_id = sid
            for key, value in values.items():
                setattr(item, key, value)
            result.updated[plural] += 1
        out[sid] = item
    return out
