"""The assessment API: frameworks, scales, rubrics, submissions and scores,
calibration, mastery, learning plans and reports (under /api/v1)."""
from __future__ import annotations

import uuid

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import audit
from ..auth import api_auth, require_person
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Course, Organization, Person, Role, Section
from ..policies import allowed, authorize, visible
from ..body_limits import accepts_body
from . import calibration as calib
from . import plans as plan_service
from . import reports, scoring
from .framework_import import FrameworkImportError, read_case_package, read_csv
from .frameworks import continuum, items_of, new_version, save_draft
from .models import (Assessment, CalibrationSession, Competency, CourseCompetency, Framework, LearningPlan, Rubric,
                     Submission)
from .progress import followed_student, evidence_for, habits_for, mastery_table
from .rubrics import create_rubric
from .schemas import (AssessmentSchema, CalibrationCreateSchema, CalibrationResultsSchema, CalibrationSchema,
                      CommentSchema, CompetencyDetailSchema, CompetencySchema, CourseCompetenciesSchema,
                      CsvImportSchema, DomainStandingSchema, FrameworkDetailSchema, FrameworkSchema,
                      FrameworkUpdateSchema, GoalSchema, HabitSchema, HeatmapSchema, ImportQuerySchema,
                      MasteryDetailSchema, MasteryQuerySchema, MasterySchema, NewVersionSchema, PaceSchema,
                      PlanCreateSchema, PlanDetailSchema, PlanSchema, ProficiencyRowSchema, ReportQuerySchema,
                      ReturnSchema, RubricSchema, ScaleSchema, ScoreSchema, SettingsSchema, SubmissionCreateSchema,
                      SubmissionDetailSchema, SubmissionQuerySchema, SubmissionSchema)
from .scoring import attempt_ids
from .settings import level_label, scale_for, settings_for, validate_levels

blp = Blueprint("assessment-api", __name__, description="Competencies, rubrics, scoring, mastery and reports")


def _organization(actor, action="view") -> Organization:
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, action, org, what="organization")
    return org




def _get(model, obj_id, actor, action="view", what=None):
    obj = db.session.get(model, obj_id)
    authorize(actor, action, obj, what=what)
    return obj


def _columns(obj) -> dict:
    """A model's column values, to extend with computed fields before dumping."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def _import_failed(exc: FrameworkImportError) -> Problem:
    return Problem(422, f"The framework could not be imported: {exc}", type="framework-import-failed",
                   errors=[field_error("package", e) for e in exc.errors])


# --- scale and settings -----------------------------------------------------------------------------

@blp.route("/assessment/scale")
class Scale(MethodView):
    @api_auth("read")
    @blp.response(200, ScaleSchema)
    def get(self):
        """Your organization's proficiency scale (created with the 4-level default on first use)."""
        actor = require_person()
        scale = scale_for(actor.organization_id)
        db.session.commit()
        return scale

    @api_auth("admin")
    @blp.arguments(ScaleSchema)
    @blp.response(200, ScaleSchema)
    def put(self, body):
        """Replace the scale's levels and labels (admins), e.g. E/P/IP/LP."""
        actor = require_person()
        _organization(actor, "manage")
        problems = validate_levels(body["levels"], body["proficient_value"])
        if problems:
            raise validation_problem([field_error("levels", p) for p in problems])
        scale = scale_for(actor.organization_id)
        scale.name, scale.levels, scale.proficient_value = body["name"], body["levels"], body["proficient_value"]
        audit.record("scale.update", obj=scale, levels=[lv["label"] for lv in body["levels"]])
        db.session.commit()
        return scale


@blp.route("/assessment/settings")
class Settings(MethodView):
    @api_auth("read")
    @blp.response(200, SettingsSchema)
    def get(self):
        actor = require_person()
        settings = settings_for(actor.organization_id)
        db.session.commit()
        return settings

    @api_auth("admin")
    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    def patch(self, body):
        """Mastery method and threshold, reassessment rule, graduation levels (admins)."""
        actor = require_person()
        _organization(actor, "manage")
        settings = settings_for(actor.organization_id)
        for key, value in body.items():
            setattr(settings, key, value)
        audit.record("assessment.settings", obj=settings, fields=sorted(body))
        db.session.commit()
        return settings


# --- frameworks -------------------------------------------------------------------------------------

@blp.route("/frameworks")
class Frameworks(MethodView):
    @api_auth("read")
    @blp.response(200, FrameworkSchema(many=True))
    def get(self):
        """Every framework version of your organization, newest first."""
        actor = require_person()
        return db.session.scalars(visible(actor, Framework).order_by(Framework.title, Framework.version.desc()))


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
        framework = _get(Framework, framework_id, actor, "manage", "framework")
        for key, value in body.items():
            setattr(framework, key, value)
        audit.record("framework.update", obj=framework, fields=sorted(body))
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
    def get(self, course_id: uuid.UUID):
        actor = require_person()
        course = db.session.get(Course, course_id)
        if course is None or course.organization_id != actor.organization_id:
            raise Problem(404, "No such course.")
        return db.session.scalars(db.select(Competency).join(CourseCompetency).where(
            CourseCompetency.course_id == course.id).order_by(Competency.human_code))

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


# --- rubrics ----------------------------------------------------------------------------------------

@blp.route("/rubrics")
class Rubrics(MethodView):
    @api_auth("read")
    @blp.response(200, RubricSchema(many=True))
    def get(self):
        actor = require_person()
        return db.session.scalars(visible(actor, Rubric).order_by(Rubric.title, Rubric.version.desc()))

    @api_auth("write")
    @blp.arguments(RubricSchema)
    @blp.response(201, RubricSchema)
    def post(self, body):
        """Create a rubric (teachers and admins): levels (columns) and criteria (rows) aligned to competencies."""
        actor = require_person()
        if not allowed(actor, "create", Rubric(organization_id=actor.organization_id)):
            raise Problem(403, "Only teachers and admins write rubrics.")
        rubric = create_rubric(actor.organization_id, body, actor=actor)
        db.session.commit()
        return rubric


@blp.route("/rubrics/<uuid:rubric_id>")
class RubricById(MethodView):
    @api_auth("read")
    @blp.response(200, RubricSchema)
    def get(self, rubric_id: uuid.UUID):
        return _get(Rubric, rubric_id, require_person(), what="rubric")


@blp.route("/rubrics/<uuid:rubric_id>/versions")
class RubricVersions(MethodView):
    @api_auth("write")
    @blp.arguments(RubricSchema)
    @blp.response(201, RubricSchema)
    def post(self, body, rubric_id: uuid.UUID):
        """Revise a rubric: the full new content becomes its next version. Earlier scores keep theirs."""
        actor = require_person()
        previous = _get(Rubric, rubric_id, actor, "revise", "rubric")
        rubric = create_rubric(actor.organization_id, body, actor=actor, previous=previous)
        db.session.commit()
        return rubric


# --- submissions and scores -------------------------------------------------------------------------

@blp.route("/submissions")
class Submissions(MethodView):
    @api_auth("read")
    @blp.arguments(SubmissionQuerySchema, location="query")
    @blp.response(200, SubmissionSchema(many=True))
    def get(self, query):
        """Submissions you may see. Teachers: `?status=submitted` is your review queue (oldest first)."""
        actor = require_person()
        select = visible(actor, Submission)
        for key in ("status", "section_id", "student_id"):
            if key in query:
                select = select.where(getattr(Submission, key) == query[key])
        return db.session.scalars(select.order_by(Submission.submitted_at)).all()

    @api_auth("write")
    @blp.arguments(SubmissionCreateSchema)
    @blp.response(201, SubmissionSchema)
    def post(self, body):
        """Submit artifact versions as evidence (students). With `previous_id`, a reassessment attempt."""
        actor = require_person()
        if not allowed(actor, "create", Submission(organization_id=actor.organization_id, student_id=actor.id)):
            raise Problem(403, "Only students submit their own work.")
        previous = None
        if body.get("previous_id"):
            previous = _get(Submission, body["previous_id"], actor, "reassess", "submission")
        body.pop("previous_id", None)
        submission = scoring.submit(actor, previous=previous, **body)
        db.session.commit()
        return submission


@blp.route("/submissions/<uuid:submission_id>")
class SubmissionById(MethodView):
    @api_auth("read")
    @blp.response(200, SubmissionDetailSchema)
    def get(self, submission_id: uuid.UUID):
        """A submission with its official scores (calibration scores stay blind) and every attempt."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, what="submission")
        official = db.session.scalars(db.select(Assessment).where(
            Assessment.submission_id == submission.id, Assessment.kind == "official")).all()
        shown = [a for a in official if allowed(actor, "view", a)]
        return {**_columns(submission), "evidence": submission.evidence, "assessments": shown,
                "attempt_ids": list(reversed(attempt_ids(submission)))}


@blp.route("/submissions/<uuid:submission_id>/scores")
class SubmissionScores(MethodView):
    @api_auth("write")
    @blp.arguments(ScoreSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, submission_id: uuid.UUID):
        """Score every criterion (a teacher of the submission's section). Records the rubric version."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, "score", "submission")
        assessment = scoring.score(submission, actor, body)
        db.session.commit()
        scoring.announce_mastery_change(assessment)
        return assessment


@blp.route("/submissions/<uuid:submission_id>/return")
class SubmissionReturn(MethodView):
    @api_auth("write")
    @blp.arguments(ReturnSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, body, submission_id: uuid.UUID):
        """Return for revision with feedback (a teacher of the submission's section)."""
        actor = require_person()
        submission = _get(Submission, submission_id, actor, "score", "submission")
        scoring.return_for_revision(submission, actor, body["feedback"])
        db.session.commit()
        return submission


# --- calibration ------------------------------------------------------------------------------------

@blp.route("/calibrations")
class Calibrations(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationSchema(many=True))
    def get(self):
        """Sessions you created, rate in, or (admins) all of your organization's."""
        actor = require_person()
        return db.session.scalars(visible(actor, CalibrationSession).order_by(CalibrationSession.created_at))

    @api_auth("write")
    @blp.arguments(CalibrationCreateSchema)
    @blp.response(201, CalibrationSchema)
    def post(self, body):
        """Send the same work to several teachers for blind scoring (teachers and admins)."""
        actor = require_person()
        if not allowed(actor, "create", CalibrationSession(organization_id=actor.organization_id)):
            raise Problem(403, "Only teachers and admins run calibration.")
        session = calib.create_session(actor, **body)
        db.session.commit()
        return session


@blp.route("/calibrations/<uuid:session_id>")
class CalibrationById(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationSchema)
    def get(self, session_id: uuid.UUID):
        return _get(CalibrationSession, session_id, require_person(), what="calibration session")


@blp.route("/calibrations/<uuid:session_id>/submissions/<uuid:submission_id>/scores")
class CalibrationScores(MethodView):
    @api_auth("write")
    @blp.arguments(ScoreSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, session_id: uuid.UUID, submission_id: uuid.UUID):
        """Score a piece blind (a rater of the session). Never counts toward mastery."""
        actor = require_person()
        session = _get(CalibrationSession, session_id, actor, "rate", "calibration session")
        submission = db.session.get(Submission, submission_id)
        if submission is None:
            raise Problem(404, "No such submission.")
        assessment = calib.score_blind(session, submission, actor, body)
        db.session.commit()
        return assessment


@blp.route("/calibrations/<uuid:session_id>/results")
class CalibrationResults(MethodView):
    @api_auth("read")
    @blp.response(200, CalibrationResultsSchema)
    def get(self, session_id: uuid.UUID):
        """Agreement per criterion: exact, adjacent, Cohen's quadratic weighted kappa (creator and admins)."""
        session = _get(CalibrationSession, session_id, require_person(), "see_results", "calibration session")
        return calib.results(session)


# --- mastery and progress ---------------------------------------------------------------------------

def _mastery_rows(student, competencies):
    scale = scale_for(student.organization_id)
    table = mastery_table([student.id], competencies)
    return [dict(competency=c, level=r.level, label=level_label(scale, r.level), method=r.method,
                 evidence_count=r.evidence_count, mastered=r.mastered)
            for c in competencies for r in [table[(student.id, c.id)]]]


@blp.route("/students/<uuid:student_id>/mastery")
class StudentMastery(MethodView):
    @api_auth("read")
    @blp.arguments(MasteryQuerySchema, location="query")
    @blp.response(200, MasterySchema(many=True))
    def get(self, query, student_id: uuid.UUID):
        """Mastery of every competency of the current frameworks (or of `framework_id`)."""
        student = followed_student(require_person(), student_id)
        select = db.select(Competency).join(Framework).where(Framework.organization_id == student.organization_id)
        if "framework_id" in query:
            select = select.where(Framework.id == query["framework_id"])
        else:
            select = select.where(Framework.status == "current")
        competencies = list(db.session.scalars(select.order_by(Framework.title, Competency.position)))
        return _mastery_rows(student, competencies)


@blp.route("/students/<uuid:student_id>/mastery/<uuid:competency_id>")
class StudentCompetencyMastery(MethodView):
    @api_auth("read")
    @blp.response(200, MasteryDetailSchema)
    def get(self, student_id: uuid.UUID, competency_id: uuid.UUID):
        """Mastery of one competency and the scored evidence that counts toward it."""
        actor = require_person()
        student = followed_student(actor, student_id)
        competency = _get(Competency, competency_id, actor, what="competency")
        row = _mastery_rows(student, [competency])[0]
        return {**row, "evidence": evidence_for(student.id, competency)}


@blp.route("/students/<uuid:student_id>/habits")
class StudentHabits(MethodView):
    @api_auth("read")
    @blp.response(200, HabitSchema(many=True))
    def get(self, student_id: uuid.UUID):
        """Habits-of-work scores, reported apart from academic mastery."""
        return habits_for(followed_student(require_person(), student_id).id)


@blp.route("/students/<uuid:student_id>/graduation")
class StudentGraduation(MethodView):
    @api_auth("read")
    @blp.response(200, DomainStandingSchema(many=True))
    def get(self, student_id: uuid.UUID):
        """Each domain's current level against the level required for graduation."""
        student = followed_student(require_person(), student_id)
        return [dict(domain=s.domain, level=s.result.level, label=s.label, required=s.required, met=s.met)
                for s in reports.graduation_snapshot(student)]


@blp.route("/sections/<uuid:section_id>/heatmap")
class SectionHeatmap(MethodView):
    @api_auth("read")
    @blp.response(200, HeatmapSchema)
    def get(self, section_id: uuid.UUID):
        """Students by competencies with each level, and who is not yet meeting each (teachers, admins)."""
        section = _get(Section, section_id, require_person(), "view_roster", "section")
        heat = reports.section_heatmap(section)
        return {"section_id": section.id, "students": heat.students, "competencies": heat.competencies,
                "cells": [dict(student_id=s.id, competency_id=c.id, level=heat.cells[(s.id, c.id)].level,
                               label=heat.labels[(s.id, c.id)], mastered=heat.cells[(s.id, c.id)].mastered,
                               evidence_count=heat.cells[(s.id, c.id)].evidence_count)
                          for s in heat.students for c in heat.competencies],
                "not_yet_meeting": [dict(competency_id=cid, students=people) for cid, people in heat.not_yet.items()]}


# --- reports (admins) -------------------------------------------------------------------------------

@blp.route("/reports/proficiency")
class ProficiencyReport(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ProficiencyRowSchema(many=True))
    def get(self, query):
        """Share of students proficient per competency, by section, at each month end."""
        actor = require_person()
        _organization(actor, "manage")
        return reports.proficiency_report(actor.organization_id, months=query["months"])


@blp.route("/reports/proficiency.csv")
class ProficiencyCsv(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, query):
        """The same report as CSV, for district and state reporting."""
        actor = require_person()
        _organization(actor, "manage")
        rows = reports.proficiency_report(actor.organization_id, months=query["months"])
        return Response(reports.report_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="proficiency.csv"'})


@blp.route("/reports/pace")
class PaceReport(MethodView):
    @api_auth("admin")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, PaceSchema(many=True))
    def get(self, query):
        """Competencies mastered per month per student; `slowed` marks a marked slowdown."""
        actor = require_person()
        _organization(actor, "manage")
        students = db.session.scalars(visible(actor, Person).where(Person.role == Role.STUDENT.value)
                                      .order_by(Person.display_name)).all()
        return reports.pace_report(actor.organization_id, students, months=query["months"])


# --- learning plans ---------------------------------------------------------------------------------

def _plan_detail(plan):
    return {**_columns(plan), "goals": plan.goals, "comments": plan.comments,
            "progress": [plan_service.goal_progress(plan, g) for g in plan.goals]}


@blp.route("/students/<uuid:student_id>/plans")
class StudentPlans(MethodView):
    @api_auth("read")
    @blp.response(200, PlanSchema(many=True))
    def get(self, student_id: uuid.UUID):
        student = followed_student(require_person(), student_id)
        return db.session.scalars(db.select(LearningPlan).where(LearningPlan.student_id == student.id)
                                  .order_by(LearningPlan.created_at))

    @api_auth("write")
    @blp.arguments(PlanCreateSchema)
    @blp.response(201, PlanSchema)
    def post(self, body, student_id: uuid.UUID):
        """Start a learning plan (the student, their teachers, admins)."""
        actor = require_person()
        student = followed_student(actor, student_id)
        probe = LearningPlan(organization_id=student.organization_id, student_id=student.id)
        if not allowed(actor, "create", probe):
            raise Problem(403, "You may read this student's plans but not change them.")
        plan = plan_service.create_plan(student, actor, body["title"])
        db.session.commit()
        return plan


@blp.route("/plans/<uuid:plan_id>")
class PlanById(MethodView):
    @api_auth("read")
    @blp.response(200, PlanDetailSchema)
    def get(self, plan_id: uuid.UUID):
        """A plan with progress against each goal and the comments."""
        return _plan_detail(_get(LearningPlan, plan_id, require_person(), what="learning plan"))


@blp.route("/plans/<uuid:plan_id>/goals")
class PlanGoals(MethodView):
    @api_auth("write")
    @blp.arguments(GoalSchema)
    @blp.response(201, GoalSchema)
    def post(self, body, plan_id: uuid.UUID):
        actor = require_person()
        plan = _get(LearningPlan, plan_id, actor, "edit", "learning plan")
        goal = plan_service.add_goal(plan, actor, body)
        db.session.commit()
        return goal


@blp.route("/plans/<uuid:plan_id>/comments")
class PlanComments(MethodView):
    @api_auth("write")
    @blp.arguments(CommentSchema)
    @blp.response(201, CommentSchema)
    def post(self, body, plan_id: uuid.UUID):
        actor = require_person()
        plan = _get(LearningPlan, plan_id, actor, "comment", "learning plan")
        comment = plan_service.add_comment(plan, actor, body["body"], body.get("goal_id"))
        db.session.commit()
        return comment
