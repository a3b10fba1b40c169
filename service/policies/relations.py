"""Facts about who is related to whom, shared by the policies."""
from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, select

from ..extensions import db
from ..models import Enrolment, GuardianLink, Person, Role


def taught_section_ids(teacher: Person) -> Select:
    """A subquery of the sections this person teaches."""
    return select(Enrolment.section_id).where(Enrolment.person_id == teacher.id, Enrolment.role == "teacher")


def students_of_teacher(teacher: Person) -> Select:
    """A subquery of the ids of students enrolled in any section this person teaches."""
    return select(Enrolment.person_id).where(
        Enrolment.role == "student", Enrolment.section_id.in_(taught_section_ids(teacher)))


def teaches_student(teacher: Person, student_id: uuid.UUID) -> bool:
    if teacher.role != Role.TEACHER.value:
        return False
    return bool(db.session.scalar(select(exists(students_of_teacher(teacher).where(
        Enrolment.person_id == student_id)))))


def is_guardian_of(guardian: Person, student_id: uuid.UUID) -> bool:
    if guardian.role != Role.GUARDIAN.value:
        return False
    return bool(db.session.scalar(select(exists().where(
        GuardianLink.guardian_id == guardian.id, GuardianLink.student_id == student_id))))


def wards_of(guardian: Person) -> Select:
    return select(GuardianLink.student_id).where(GuardianLink.guardian_id == guardian.id)


def is_admin_of(actor: Person, organization_id: uuid.UUID) -> bool:
    return actor.role == Role.ADMIN.value and actor.organization_id == organization_id


def may_see_student_work(actor: Person, student_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    """The rule every student-owned record (portfolio, scores, badges) shares:
    the student, their teachers, their guardians (read-only) and their school's admins."""
    return (actor.id == student_id
            or is_admin_of(actor, organization_id)
            or teaches_student(actor, student_id)
            or is_guardian_of(actor, student_id))
