"""The demo school: one admin, a teacher, three students, a guardian, a section.

Feature packages add their own demo content (framework, rubric, badge...)
through `load_demo(context)`. Loading twice changes nothing.
"""
from __future__ import annotations

from decimal import Decimal

from .auth.passwords import hash_password
from .extensions import db
from .models import Course, Enrolment, GuardianLink, Organization, Person, Section

DEMO_PASSWORD = "mastery-demo-2026"
DEMO_SLUG = "riverside-high"

PEOPLE = [
    ("admin", "admin@riverside.example", "Dana Okafor", None),
    ("teacher", "teacher@riverside.example", "Maya Rivera", None),
    ("student", "ava@riverside.example", "Ava Chen", "10"),
    ("student", "ben@riverside.example", "Ben Adeyemi", "10"),
    ("student", "cara@riverside.example", "Cara Lindqvist", "11"),
    ("guardian", "guardian@riverside.example", "Sam Chen", None),
    # A second teacher (calibration needs two raters) and Cara's guardian.
    ("teacher", "teacher2@riverside.example", "Jon Park", None),
    ("guardian", "guardian2@riverside.example", "Lena Lindqvist", None),
]


def _get_or_create(model, defaults=None, **where):
    obj = db.session.scalar(db.select(model).filter_by(**where))
    if obj is None:
        obj = model(**where, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def load_demo() -> dict:
    org = _get_or_create(Organization, slug=DEMO_SLUG, defaults={
        "name": "Riverside High School", "kind": "school", "url": "https://riverside.example",
        "email": "office@riverside.example",
        "description": "A competency-based public high school (demo data)."})
    password_hash = None
    people = {}
    for role, email, name, grade in PEOPLE:
        person = db.session.scalar(db.select(Person).filter_by(email=email))
        if person is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            given, _, family = name.partition(" ")
            person = Person(organization_id=org.id, role=role, email=email, display_name=name,
                            given_name=given, family_name=family, grade_level=grade,
                            password_hash=password_hash)
            db.session.add(person)
            db.session.flush()
        people[email] = person
    course = _get_or_create(Course, organization_id=org.id, code="ELA-10", defaults={
        "title": "English Language Arts 10", "subject": "English Language Arts", "credit_value": Decimal("1.00")})
    section = _get_or_create(Section, organization_id=org.id, name="ELA 10 · Period 2", defaults={
        "course_id": course.id, "school_year": "2026-2027", "term": "Full year"})
    teacher = people["teacher@riverside.example"]
    students = [p for p in people.values() if p.role == "student"]
    _get_or_create(Enrolment, section_id=section.id, person_id=teacher.id, defaults={"role": "teacher"})
    for student in students:
        _get_or_create(Enrolment, section_id=section.id, person_id=student.id, defaults={"role": "student"})
    _get_or_create(GuardianLink, guardian_id=people["guardian@riverside.example"].id,
                   student_id=people["ava@riverside.example"].id, defaults={"relationship_label": "parent"})
    _get_or_create(GuardianLink, guardian_id=people["guardian2@riverside.example"].id,
                   student_id=people["cara@riverside.example"].id, defaults={"relationship_label": "parent"})
    context = {"organization": org, "admin": people["admin@riverside.example"], "teacher": teacher,
               "students": students, "section": section, "course": course,
               "teacher2": people["teacher2@riverside.example"], "people": people}
    from . import FEATURES

    # Commit the people first: features store files under blob holds taken on their own
    # connection, which SQLite's single writer would refuse while this session writes.
    db.session.commit()
    for feature in FEATURES:
        if hasattr(feature, "load_demo"):
            feature.load_demo(context)
    db.session.commit()
    return {"password": DEMO_PASSWORD, "people": [(role, email) for role, email, _, _ in PEOPLE]}
