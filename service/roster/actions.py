"""The roster writes pages and the API share: authorize, validate, write,
audit, commit. Bodies are already loaded by the marshmallow schemas of
service/api/schemas.py (pages load them with the same schemas)."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from .. import audit
from ..auth.passwords import hash_password
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Course, Enrolment, Organization, Person, Role, Section
from ..policies import authorize


def _manage_org(actor) -> Organization:
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    return org


def create_person(actor, body: dict) -> Person:
    org = _manage_org(actor)
    body = dict(body)
    password = body.pop("password", None)
    person = Person(organization_id=org.id, **body)
    person.email = person.email.strip().lower()
    if password:
        person.password_hash = hash_password(password)
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise validation_problem([field_error("email", "is already in use")]) from None
    audit.record("person.create", obj=person, role=person.role)
    db.session.commit()
    return person


def create_course(actor, body: dict) -> Course:
    org = _manage_org(actor)
    course = Course(organization_id=org.id, **body)
    db.session.add(course)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise validation_problem([field_error("code", "is already used by another course")]) from None
    audit.record("course.create", obj=course)
    db.session.commit()
    return course


def create_section(actor, body: dict) -> Section:
    org = _manage_org(actor)
    if body.get("course_id"):
        course = db.session.get(Course, body["course_id"])
        if course is None or course.organization_id != org.id:
            raise validation_problem([field_error("course_id", "is not a course of your organization")])
    section = Section(organization_id=org.id, **body)
    db.session.add(section)
    db.session.flush()
    audit.record("section.create", obj=section)
    db.session.commit()
    return section


def enrol(actor, section: Section | None, person_id, role: str) -> tuple[Person, Enrolment]:
    authorize(actor, "manage", section, what="section")
    person = db.session.get(Person, person_id)
    if person is None or person.organization_id != section.organization_id:
        raise validation_problem([field_error("person_id", "is not a person of this organization")])
    expected = Role.TEACHER.value if role == "teacher" else Role.STUDENT.value
    if person.role != expected:
        raise validation_problem([field_error("role", f"{person.display_name} is a {person.role}")])
    enrolment = db.session.scalar(db.select(Enrolment).where(
        Enrolment.section_id == section.id, Enrolment.person_id == person.id))
    if enrolment is None:
        enrolment = Enrolment(section_id=section.id, person_id=person.id, role=role)
        db.session.add(enrolment)
        audit.record("section.enrol", obj=section, person_id=str(person.id), role=role)
        db.session.commit()
    return person, enrolment


def unenrol(actor, section: Section | None, person_id) -> None:
    authorize(actor, "manage", section, what="section")
    enrolment = db.session.scalar(db.select(Enrolment).where(
        Enrolment.section_id == section.id, Enrolment.person_id == person_id))
    if enrolment is None:
        raise Problem(404, "That person is not enrolled in this section.")
    db.session.delete(enrolment)
    audit.record("section.unenrol", obj=section, person_id=str(person_id))
    db.session.commit()


PERSON_FIELDS = ("display_name", "given_name", "family_name", "grade_level", "external_id", "is_active")


def update_person(actor, person: Person | None, body: dict) -> Person:
    """Change a person's names, grade, SIS id or active flag (the PATCH body, loaded). Commits.
    Passwords are changed by the caller (auth.account.set_password), not here."""
    authorize(actor, "edit", person, what="person")
    if "is_active" in body and body["is_active"] != person.is_active and not _may_administer(actor, person):
        raise Problem(403, "Only an admin of the organization may activate or deactivate a person.")
    for key in PERSON_FIELDS:
        if key in body:
            setattr(person, key, body[key])
    audit.record("person.update", obj=person, fields=sorted(k for k in body if "password" not in k))
    db.session.commit()
    return person


def _may_administer(actor, person) -> bool:
    from ..policies import allowed

    return allowed(actor, "administer", person)


def link_guardian(actor, student: Person | None, guardian_id, relationship_label: str | None = None) -> Person:
    """Link a guardian to a student (admins); linking twice changes nothing. Commits."""
    from ..models import GuardianLink

    authorize(actor, "administer", student, what="person")
    if student.role != Role.STUDENT.value:
        raise validation_problem([field_error("student_id", "is not a student")])
    guardian = db.session.get(Person, guardian_id) if guardian_id else None
    if guardian is None or guardian.organization_id != actor.organization_id or guardian.role != Role.GUARDIAN.value:
        raise validation_problem([field_error("guardian_id", "is not a guardian in your organization")])
    exists = db.session.scalar(db.select(GuardianLink).where(
        GuardianLink.guardian_id == guardian.id, GuardianLink.student_id == student.id))
    if exists is None:
        db.session.add(GuardianLink(guardian_id=guardian.id, student_id=student.id,
                                    relationship_label=relationship_label))
        audit.record("guardian.link", obj=student, guardian_id=str(guardian.id))
        db.session.commit()
    return guardian


def update_organization(actor, body: dict) -> Organization:
    """Name, web address, e-mail and description: the issuer profile every badge names. Commits."""
    org = _manage_org(actor)
    for key, value in body.items():
        setattr(org, key, value)
    audit.record("organization.update", obj=org, organization_id=org.id, fields=sorted(body))
    db.session.commit()
    return org
