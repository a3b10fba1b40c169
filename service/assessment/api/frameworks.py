"""Competency frameworks: import (CASE, CSV), drafts and versions, competencies, course alignment."""
from __future__ import annotations

import uuid

from flask import request
from flask.views import MethodView

from ...api.pagination import listing
from ... import audit
from ...auth import api_auth, require_person
from ...body_limits import accepts_body
from ...errors import Problem, field_error, validation_problem
from ...extensions import db
from ...models import Course
from ...policies import visible
from ..framework_import import FrameworkImportError, read_case_package, read_csv
from ..frameworks import continuum, items_of, new_version, save_draft, update_framework
from ..models import Competency, CourseCompetency, Framework
from ..schemas import (
    CompetencyDetailSchema,
    CompetencySchema,
    CourseCompetenciesSchema,
    CsvImportSchema,
    FrameworkDetailSchema,
    FrameworkSchema,
    FrameworkUpdateSchema,
    ImportQuerySchema,
    NewVersionSchema,
)
from .common import _columns, _get, _organization, blp


def _import_failed(exc: FrameworkImportError) -> Problem:
    return Problem(422, f"The framework could not be imported: {exc}", type="framework-import-failed",
                   errors=[field_error("package", e) for e in exc.errors])


@blp.route("/frameworks")
class Frameworks(MethodView):
    @api_auth("read")
    @blp.response(200, FrameworkSchema(many=True))
    @listing(blp)
    def get(self):
        """Every framework version of your organization, newest first."""
        actor = require_person()
        return db.session.scalars(visible(actor, Framework).order_by(Framework.title, Framework.version.desc(),
                                                                        Framework.id)).all()


@blp.route("/frameworks/import/case")
class CaseImport(MethodView):
    @api_auth("admin")
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(201, FrameworkSchema)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
        "type": "object", "description": "A CASE 1.0 CFPackage: CFDocument, CFItems, CFAssociations"}}}})
    @accepts_body("document")
    def post(self, query):
        """Import a 1EdTech CASE 1.0 package (admins). Re-importing a document makes its next version."""
        actor = require_person()
        _organization(actor, "manage")
        package = request.get_json(silent=True)
        if package is None:
            raise Problem(400, "Send the CASE package as a JSON body.", type="malformed-request")
        try:
            draft = read_case_package(package)
        except FrameworkImportError as exc:
            raise _import_failed(exc) from None
        framework = save_draft(actor.organization_id, draft, actor=actor, school_year=query.get("school_year"))
        db.session.commit()
        return framework


@blp.route("/frameworks/import/csv")
class CsvImport(MethodView):
    @api_auth("admin")
    @blp.arguments(CsvImportSchema)
    @blp.response(201, FrameworkSchema)
    @accepts_body("document")
    def post(self, body):
        """Import a framework from CSV text (admins); see the column list in the docs."""
        actor = require_person()
        _organization(actor, "manage")
        try:
            draft = read_csv(body["csv"], body["title"], subject=body.get("subject"))
        except FrameworkImportError as exc:
            raise _import_failed(exc) from None
        framework = save_draft(actor.organization_id, draft, actor=actor, school_year=body.get("school_year"))
        db.session.commit()
        return framework


@blp.route("/frameworks/<uuid:framework_id>")
class FrameworkById(MethodView):
    @api_auth("read")
    @blp.response(200, FrameworkDetailSchema)
    def get(self, framework_id: uuid.UUID):
        """One framework version with all its items, parents before children."""
        framework = _get(Framework, framework_id, require_person(), what="framework")
        return {**_columns(framework), "items": items_of(framework)}

    @api_auth("admin")
    @blp.arguments(FrameworkUpdateSchema)
    @blp.response(200, FrameworkSchema)
    def patch(self, body, framework_id: uuid.UUID):
        """Set a mastery method for this framework, overriding the organization's (admins)."""
        actor = require_person()
        framework = update_framework(_get(Framework, framework_id, actor, "manage", "framework"), body, actor=actor)
        db.session.commit()
        return framework


@blp.route("/frameworks/<uuid:framework_id>/versions")
class FrameworkVersions(MethodView):
    @api_auth("admin")
    @blp.arguments(NewVersionSchema)
    @blp.response(201, FrameworkSchema)
    def post(self, body, framework_id: uuid.UUID):
        """Start a new version (e.g. next school year); scores keep the version they used."""
        actor = require_person()
        framework = _get(Framework, framework_id, actor, "manage", "framework")
        copy = new_version(framework, actor=actor, school_year=body.get("school_year"), title=body.get("title"))
        db.session.commit()
        return copy


@blp.route("/competencies/<uuid:competency_id>")
class CompetencyById(MethodView):
    @api_auth("read")
    @blp.response(200, CompetencyDetailSchema)
    def get(self, competency_id: uuid.UUID):
        """A competency with its learning continuum (the `precedes` chain across grade levels)."""
        competency = _get(Competency, competency_id, require_person(), what="competency")
        return {**_columns(competency), "continuum": continuum(competency)}


@blp.route("/courses/<uuid:course_id>/competencies")
class CourseCompetencies(MethodView):
    @api_auth("read")
    @blp.response(200, CompetencySchema(many=True))
    @listing(blp)
    def get(self, course_id: uuid.UUID):
        actor = require_person()
        course = db.session.get(Course, course_id)
        if course is None or course.organization_id != actor.organization_id:
            raise Problem(404, "No such course.")
        return db.session.scalars(db.select(Competency).join(CourseCompetency).where(
            CourseCompetency.course_id == course.id).order_by(Competency.human_code, Competency.id)).all()

    @api_auth("admin")
    @blp.arguments(CourseCompetenciesSchema)
    @blp.response(200, CompetencySchema(many=True))
    def put(self, body, course_id: uuid.UUID):
        """The competencies a course addresses: the columns of its sections' dashboards (admins)."""
        actor = require_person()
        _organization(actor, "manage")
        course = db.session.get(Course, course_id)
        if course is None or course.organization_id != actor.organization_id:
            raise Problem(404, "No such course.")
        ids = list(dict.fromkeys(body["competency_ids"]))
        found = db.session.scalars(db.select(Competency).where(
            Competency.id.in_(ids), Competency.organization_id == actor.organization_id)).all()
        if len(found) != len(ids):
            raise validation_problem([field_error("competency_ids", "name competencies of your organization")])
        db.session.execute(db.delete(CourseCompetency).where(CourseCompetency.course_id == course.id))
        db.session.add_all(CourseCompetency(course_id=course.id, competency_id=cid) for cid in ids)
        audit.record("course.competencies", obj=course, count=len(ids))
        db.session.commit()
        return sorted(found, key=lambda c: (c.human_code or "", c.position))
