"""Build test data through the real models (no fixtures files, no mocks)."""
from __future__ import annotations

import itertools

from service.auth.passwords import hash_password
from service.auth.tokens import issue_token
from service.extensions import db
from service.models import Enrolment, GuardianLink, Organization, Person, Section

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Factory:
    def __init__(self, app):
        self.app = app
        self._hash = None

    def org(self, slug=None, name="Test School") -> Organization:
        n = next(_counter)
        org = Organization(slug=slug or f"school-{n}", name=f"{name} {n}", kind="school")
        db.session.add(org)
        db.session.commit()
        return org

    def person(self, role: str, org: Organization, name: str | None = None, **kw) -> Person:
        n = next(_counter)
        self._hash = self._hash or hash_password(PASSWORD)
        person = Person(organization_id=org.id, role=role, email=f"{role}{n}@example.test",
                        display_name=name or f"{role.title()} {n}", password_hash=self._hash, **kw)
        db.session.add(person)
        db.session.commit()
        return person

    def section(self, org: Organization, teachers=(), students=(), name=None) -> Section:
        section = Section(organization_id=org.id, name=name or f"Section {next(_counter)}", school_year="2026-2027")
        db.session.add(section)
        db.session.flush()
        for t in teachers:
            db.session.add(Enrolment(section_id=section.id, person_id=t.id, role="teacher"))
        for s in students:
            db.session.add(Enrolment(section_id=section.id, person_id=s.id, role="student"))
        db.session.commit()
        return section

    def guardian_of(self, guardian: Person, student: Person) -> None:
        db.session.add(GuardianLink(guardian_id=guardian.id, student_id=student.id))
        db.session.commit()

    def token(self, person: Person, scopes=("read", "write", "issue", "admin"), days=30) -> str:
        _, secret = issue_token(person, name="test", scopes=list(scopes), days=days)
        db.session.commit()
        return secret

    def auth(self, person: Person, scopes=("read", "write", "issue", "admin")) -> dict:
        return {"Authorization": f"Bearer {self.token(person, scopes)}"}

    def school(self):
        """A school with an admin, two teachers with a section each, and students."""
        org = self.org()
        admin = self.person("admin", org)
        t1, t2 = self.person("teacher", org), self.person("teacher", org)
        s1, s2, s3 = (self.person("student", org) for _ in range(3))
        sec1 = self.section(org, teachers=[t1], students=[s1, s2])
        sec2 = self.section(org, teachers=[t2], students=[s3])
        return dict(org=org, admin=admin, t1=t1, t2=t2, s1=s1, s2=s2, s3=s3, sec1=sec1, sec2=sec2)
