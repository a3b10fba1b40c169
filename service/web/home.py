"""What each role's home page puts first: what needs my attention now.

Student: work returned for revision, recent scores, badges earned.
Teacher: the review queue, students not yet meeting each competency of each
section, badges waiting for approval. Admin: people, courses and sections.
Guardian: their children, with progress and badges.
"""
from __future__ import annotations

from markupsafe import Markup

from ..extensions import db
from ..models import Course, GuardianLink, Person, Role, Section
from ..policies import visible
from ..policies.relations import taught_section_ids
from . import fragments


def dashboard(person) -> dict:
    builder = {Role.STUDENT.value: _student, Role.TEACHER.value: _teacher, Role.ADMIN.value: _admin,
               Role.GUARDIAN.value: _guardian}.get(person.role)
    return builder(person) if builder else {}


def _student(person) -> dict:
    from ..assessment.models import Submission
    from ..badges.models import Award, BadgeClass

    # Resubmissions are the student's own: the subquery reads their submissions, not the school's.
    newer = db.select(Submission.previous_id).where(Submission.student_id == person.id,
                                                    Submission.previous_id.is_not(None))
    returned = db.session.scalars(db.select(Submission).where(
        Submission.student_id == person.id, Submission.status == "returned", Submission.id.not_in(newer))
        .order_by(Submission.returned_at.desc())).all()
    scored = db.session.scalars(db.select(Submission).where(
        Submission.student_id == person.id, Submission.status == "scored")
        .order_by(Submission.scored_at.desc()).limit(5)).all()
    waiting = db.session.scalar(db.select(db.func.count(Submission.id)).where(
        Submission.student_id == person.id, Submission.status == "submitted")) or 0
    # A count and five names: not every award row with its signed credential.
    earned = (Award.recipient_id == person.id, Award.status == "issued")
    badge_count = db.session.scalar(db.select(db.func.count()).select_from(Award).where(*earned)) or 0
    badge_names = db.session.scalars(db.select(BadgeClass.name).select_from(Award)
                                     .join(BadgeClass, BadgeClass.id == Award.badge_class_id).where(*earned)
                                     .order_by(Award.issued_at.desc()).limit(5)).all()
    return {"returned": returned, "scored": scored, "waiting": waiting, "badge_count": badge_count,
            "badge_names": badge_names}


def _teacher(person) -> dict:
    from ..assessment import reports
    from ..assessment.models import Submission
    from ..badges.models import Award

    from ..assessment.policies import scorable
    from ..badges.policies import approvable

    queue = db.session.scalar(db.select(db.func.count()).select_from(
        scorable(person, visible(person, Submission)).where(Submission.status == "submitted").subquery())) or 0
    # Counted in SQL: not every pending award loaded (signed credential and all) and checked one query each.
    pending = db.session.scalar(db.select(db.func.count()).select_from(
        approvable(person, visible(person, Award)).where(Award.status == "pending_approval").subquery())) or 0
    sections = db.session.scalars(visible(person, Section).order_by(Section.name)).all()
    # can_teach for a teacher is "enrolled in it as a teacher": one query for all of them, not one per section.
    taught = set(db.session.scalars(taught_section_ids(person))) if sections else set()
    behind = Markup("").join(
        fragments.fragment(("home-not-yet", section.id), section.organization_id,
                           lambda section=section: _not_yet_items(reports.section_heatmap(section), section))
        for section in sections if section.id in taught)  # authorized before anything kept
    return {"queue": queue, "pending": pending, "sections": sections, "behind": behind}


def _not_yet_items(heat, section) -> Markup:
    """The teacher's home list items of one section: each competency some of its students do not yet meet."""
    items = []
    for competency in heat.competencies:
        students = heat.not_yet.get(competency.id) or []
        if students and heat.students:
            items.append(Markup(
                "\n    <li><strong>{} {}</strong>\n      ({}): {}\n      <span class=\"muted\">— {} of {}</span></li>\n  ")
                .format(competency.human_code or "", competency.abbreviated_statement or competency.statement,
                        section.name, ", ".join(s.display_name for s in students), len(students),
                        len(heat.students)))
    return Markup("").join(items)


def _admin(person) -> dict:
    org_id = person.organization_id
    counts = dict(db.session.execute(db.select(Person.role, db.func.count(Person.id))
                                     .where(Person.organization_id == org_id).group_by(Person.role)).all())
    courses = db.session.scalar(db.select(db.func.count(Course.id)).where(Course.organization_id == org_id)) or 0
    sections = db.session.scalar(db.select(db.func.count(Section.id)).where(Section.organization_id == org_id)) or 0
    from ..badges.models import Award

    pending = db.session.scalar(db.select(db.func.count()).select_from(Award).where(
        Award.organization_id == org_id, Award.status == "pending_approval")) or 0
    # count(*) over (organization, status): from the index alone (ix_awards_org_status).
    issued = db.session.scalar(db.select(db.func.count()).select_from(Award).where(
        Award.organization_id == org_id, Award.status == "issued")) or 0
    return {"counts": counts, "courses": courses, "sections": sections, "pending": pending, "issued": issued}


def children_of(guardian) -> list[Person]:
    return list(db.session.scalars(db.select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                                   .where(GuardianLink.guardian_id == guardian.id).order_by(Person.display_name)))


def _guardian(person) -> dict:
    from ..badges.models import Award

    children = []
    for child in children_of(person):
        badges = db.session.scalar(db.select(db.func.count(Award.id)).where(
            Award.recipient_id == child.id, Award.status == "issued")) or 0
        children.append({"person": child, "badges": badges})
    return {"children": children}
