"""OneRoster 1.2 CSV import through the admin page: all or nothing, matched by
sourcedId so a second import updates instead of duplicating."""
from __future__ import annotations

import io
import re

from service.extensions import db
from service.models import Course, Enrolment, GuardianLink, Person, Section

USERS = """sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,email,agentSourcedIds,grades
u-s1,active,2026-08-01T00:00:00Z,true,ana,Ana,Silva,ana.silva@lakeside.example,u-g1,10
u-s2,active,2026-08-01T00:00:00Z,true,raj,Raj,Iyer,raj.iyer@lakeside.example,,10
u-t1,active,2026-08-01T00:00:00Z,true,mora,Ines,Mora,ines.mora@lakeside.example,,
u-g1,active,2026-08-01T00:00:00Z,true,pat,Pat,Silva,pat.silva@lakeside.example,u-s1,
u-old,tobedeleted,2026-08-01T00:00:00Z,true,old,Old,User,old@lakeside.example,,
"""
ROLES = """sourcedId,userSourcedId,roleType,role,orgSourcedId
r1,u-s1,primary,student,org1
r2,u-s2,primary,student,org1
r3,u-t1,primary,teacher,org1
r4,u-g1,primary,parent,org1
"""
COURSES = """sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects
c-bio,active,,2026,Biology 10,BIO-10,10,org1,Science
"""
CLASSES = """sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds
k-bio-1,active,,Biology 10,10,c-bio,P1,scheduled,Lab 2,org1,t1
"""
ENROLLMENTS = """sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e1,active,,k-bio-1,org1,u-s1,student,false,,
e2,active,,k-bio-1,org1,u-s2,student,false,,
e3,active,,k-bio-1,org1,u-t1,teacher,true,,
"""


def _upload(client, admin_auth, **files):
    """Upload (a check that keeps nothing), then confirm what the page says the import will do."""
    data = {name: (io.BytesIO(text.encode()), f"{name}.csv") for name, text in files.items()}
    checked = client.post("/people/import", data=data, headers=admin_auth, content_type="multipart/form-data")
    token = re.search(r'name="stage" value="([^"]+)"', checked.get_data(as_text=True))
    if token is None:
        return checked
    return client.post("/people/import", data={"stage": token.group(1), "confirmed": "yes"}, headers=admin_auth)


def test_the_import_is_checked_and_shown_before_anything_is_written(client, factory):
    org = factory.org(name="Lakeside")
    auth = factory.auth(factory.person("admin", org))
    data = {name: (io.BytesIO(text.encode()), f"{name}.csv") for name, text in
            {"users": USERS, "roles": ROLES, "courses": COURSES, "classes": CLASSES, "enrollments": ENROLLMENTS}.items()}
    checked = client.post("/people/import", data=data, headers=auth, content_type="multipart/form-data")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Importing them will" in html and "add 4 people" in html
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(Person.external_id.is_not(None))) == 0
    token = re.search(r'name="stage" value="([^"]+)"', html).group(1)
    unticked = client.post("/people/import", data={"stage": token}, headers=auth)  # not confirmed: nothing kept
    assert unticked.status_code == 200 and "Importing them will" in unticked.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(Person.external_id.is_not(None))) == 0
    token = re.search(r'name="stage" value="([^"]+)"', unticked.get_data(as_text=True)).group(1)
    other_admin = factory.auth(factory.person("admin", org))
    stolen = client.post("/people/import", data={"stage": token, "confirmed": "yes"}, headers=other_admin)
    assert stolen.status_code == 422  # a staged upload is its uploader's only
    done = client.post("/people/import", data={"stage": token, "confirmed": "yes"}, headers=auth)
    assert done.status_code == 200 and "Roster imported: 4 people" in done.get_data(as_text=True)
    again = client.post("/people/import", data={"stage": token, "confirmed": "yes"}, headers=auth)
    assert again.status_code == 422 and "no longer waiting" in again.get_data(as_text=True)


def test_a_oneroster_export_imports_people_classes_enrolments_and_guardians(client, factory):
    org = factory.org(name="Lakeside")
    admin = factory.person("admin", org)
    auth = factory.auth(admin)
    response = _upload(client, auth, users=USERS, roles=ROLES, courses=COURSES, classes=CLASSES,
                       enrollments=ENROLLMENTS)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    people = {p.external_id: p for p in db.session.scalars(db.select(Person).where(Person.organization_id == org.id,
                                                                                    Person.external_id.is_not(None)))}
    assert set(people) == {"u-s1", "u-s2", "u-t1", "u-g1"}  # the tobedeleted row is skipped
    assert (people["u-s1"].role, people["u-t1"].role, people["u-g1"].role) == ("student", "teacher", "guardian")
    section = db.session.scalar(db.select(Section).where(Section.sourced_id == "k-bio-1"))
    assert section.name == "Biology 10 (P1)" and section.course.code == "BIO-10"
    roles = dict(db.session.execute(db.select(Enrolment.person_id, Enrolment.role).where(
        Enrolment.section_id == section.id)).all())
    assert roles == {people["u-s1"].id: "student", people["u-s2"].id: "student", people["u-t1"].id: "teacher"}
    assert db.session.scalar(db.select(GuardianLink.id).where(
        GuardianLink.guardian_id == people["u-g1"].id, GuardianLink.student_id == people["u-s1"].id))
    # A second import of a changed export updates; nothing is duplicated.
    renamed = USERS.replace("Raj,Iyer", "Rajesh,Iyer")
    assert _upload(client, auth, users=renamed, roles=ROLES, courses=COURSES, classes=CLASSES,
                   enrollments=ENROLLMENTS).status_code == 200
    db.session.expire_all()
    assert db.session.get(Person, people["u-s2"].id).display_name == "Rajesh Iyer"
    assert db.session.scalar(db.select(db.func.count(Section.id)).where(Section.organization_id == org.id)) == 1
    assert db.session.scalar(db.select(db.func.count(Course.id)).where(Course.organization_id == org.id)) == 1
    assert db.session.scalar(db.select(db.func.count(Enrolment.id)).where(Enrolment.section_id == section.id)) == 3


def test_a_bad_export_writes_nothing_and_names_file_line_and_column(client, factory):
    org = factory.org(name="Lakeside")
    auth = factory.auth(factory.person("admin", org))
    bad = ENROLLMENTS + "e4,active,,k-missing,org1,u-s1,student,false,,\n"
    response = _upload(client, auth, users=USERS, roles=ROLES, courses=COURSES, classes=CLASSES, enrollments=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and "enrollments.csv" in html and "k-missing" in html
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(Person.external_id == "u-s1")) == 0
    assert db.session.scalar(db.select(db.func.count(Section.id)).where(Section.organization_id == org.id)) == 0


def test_only_admins_import(client, factory):
    org = factory.org()
    teacher = factory.person("teacher", org)
    assert _upload(client, factory.auth(teacher), users=USERS).status_code in (403, 404)
