"""Demo content of the roster: a second teacher with a section of their own (so
calibration has two raters). The other features' demo content (earlier-term
scores, a returned submission, badges waiting for approval) is in their own
demo modules. Loading twice changes nothing."""
from __future__ import annotations

from ..extensions import db
from ..models import Enrolment, Section


def load_demo(context) -> None:
    org, teacher2 = context["organization"], context.get("teacher2")
    if teacher2 is None:
        return
    people = context["people"]
    ben, cara = (people[f"{n}@riverside.example"] for n in ("ben", "cara"))
    section = db.session.scalar(db.select(Section).where(Section.organization_id == org.id,
                                                         Section.name == "ELA 10 · Period 4"))
    if section is None:
        section = Section(organization_id=org.id, course_id=context["course"].id, name="ELA 10 · Period 4",
                          school_year="2026-2027", term="Full year")
        db.session.add(section)
        db.session.flush()
        db.session.add(Enrolment(section_id=section.id, person_id=teacher2.id, role="teacher"))
        for student in (ben, cara):
            db.session.add(Enrolment(section_id=section.id, person_id=student.id, role="student"))
        db.session.flush()
    db.session.commit()
