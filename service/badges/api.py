"""Badges API (issuance side): badge classes, awards and their life cycle,
bulk jobs, and issuer key rotation. Mounted under /api/v1."""
from __future__ import annotations

import uuid

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import jobs as job_runner
from ..assessment import facts
from ..auth import api_auth, require_person
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Job, Organization, Person, Section
from ..policies import allowed, authorize, visible
from . import classes, issuance, jobs, keys, status
from .mastery import AssessmentMastery
from .models import Award, BadgeClass, IssuerKey
from .policies import may_issue_to
from .schemas import (AwardQuerySchema, AwardSchema, BadgeClassSchema, BadgeClassUpdateSchema, BulkJobCreateSchema,
                      IssuerKeySchema, JobSchema, ManualIssueSchema, OptionalReasonSchema, ReasonSchema)

blp = Blueprint("badges", __name__, description="Badge classes, awards, revocation, bulk issuance, issuer keys")


# -- helpers -----------------------------------------------------------------------------------
def _invalid(exc) -> Problem:
    return validation_problem([field_error(f, m) for f, m in exc.errors])


def _badge_class(actor, badge_class_id, action="view") -> BadgeClass:
    return authorize(actor, action, db.session.get(BadgeClass, badge_class_id), what="badge class")


def _award(actor, award_id, action="view") -> Award:
    return authorize(actor, action, db.session.get(Award, award_id), what="award")


def _assessment_rubric(actor, rubric_id) -> list[dict]:
    outline = facts.rubric_outline(rubric_id, actor.organization_id)
    if outline is None:
        raise validation_problem([field_error("rubric_id", "is not a rubric of your organization")])
    return outline


def _class_data(body: dict, badge_class_id, actor) -> dict:
    data = dict(body)
    rubric = data.pop("rubric", None)
    if "rubric_id" in data:
        rubric = _assessment_rubric(actor, data.pop("rubric_id"))
    if rubric is not None:
        try:
            data["result_descriptions"] = classes.result_descriptions_from_rubric(badge_class_id, rubric)
        except (KeyError, TypeError, ValueError) as exc:
            raise validation_problem([field_error("rubric", f"not a rubric: {exc}")]) from None
    if data.get("alignments") is not None:
        data["alignments"] = [{k: (str(v) if k == "competency_id" and v else v) for k, v in a.items()}
                              for a in data["alignments"]]
    return data


# -- badge classes -----------------------------------------------------------------------------
@blp.route("/badge-classes")
class BadgeClasses(MethodView):
    @api_auth("read")
    @blp.response(200, BadgeClassSchema(many=True))
    def get(self):
        """Badge classes of your organization (archived ones last)."""
        actor = require_person()
        return db.session.scalars(visible(actor, BadgeClass).order_by(
            BadgeClass.archived_at.is_not(None), BadgeClass.name)).all()

    @api_auth("write")
    @blp.arguments(BadgeClassSchema)
    @blp.response(201, BadgeClassSchema)
    def post(self, body):
        """Define a badge class (teachers and admins)."""
        actor = require_person()
        probe = BadgeClass(organization_id=actor.organization_id)
        if not allowed(actor, "create", probe):
            raise Problem(403, "Only teachers and admins define badge classes.")
        new_id = uuid.uuid4()
        try:
            badge_class = classes.create(db.session.get_one(Organization, actor.organization_id),
                                         _class_data(body, new_id, actor), actor=actor, badge_class_id=new_id)
        except classes.BadgeClassInvalid as exc:
            db.session.rollback()
            raise _invalid(exc) from None
        db.session.commit()
        return badge_class


@blp.route("/badge-classes/<uuid:badge_class_id>")
class BadgeClassById(MethodView):
    @api_auth("read")
    @blp.response(200, BadgeClassSchema)
    def get(self, badge_class_id):
        return _badge_class(require_person(), badge_class_id)

    @api_auth("write")
    @blp.arguments(BadgeClassUpdateSchema)
    @blp.response(200, BadgeClassSchema)
    def patch(self, body, badge_class_id):
        actor = require_person()
        badge_class = _badge_class(actor, badge_class_id, "edit")
        try:
            classes.update(badge_class, _class_data(body, badge_class.id, actor), actor=actor)
        except classes.BadgeClassInvalid as exc:
            db.session.rollback()
            raise _invalid(exc) from None
        db.session.commit()
        return badge_class

    @api_auth("write")
    @blp.response(204)
    def delete(self, badge_class_id):
        """Archive (issued badges stay valid; no new awards)."""
        actor = require_person()
        classes.archive(_badge_class(actor, badge_class_id, "edit"), actor=actor)
        db.session.commit()


@blp.route("/badge-classes/<uuid:badge_class_id>/image")
class BadgeClassImage(MethodView):
    @api_auth("write")
    @blp.response(200, BadgeClassSchema)
    def put(self, badge_class_id):
        """Upload the badge image: PNG or SVG, as the raw body or a multipart `image` file."""
        actor = require_person()
        badge_class = _badge_class(actor, badge_class_id, "edit")
        upload = request.files.get("image")
        data = upload.read(classes.MAX_IMAGE_BYTES + 1) if upload else request.get_data(cache=False)
        try:
            classes.set_image(badge_class, data, actor=actor)
        except classes.BadgeClassInvalid as exc:
            db.session.rollback()
            raise _invalid(exc) from None
        db.session.commit()
        return badge_class


# -- awards ------------------------------------------------------------------------------------
@blp.route("/awards")
class Awards(MethodView):
    @api_auth("read")
    @blp.arguments(AwardQuerySchema, location="query")
    @blp.response(200, AwardSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Awards you may see (your own; your students'; your wards'; your school's for admins)."""
        actor = require_person()
        select = visible(actor, Award)
        for key in ("status", "badge_class_id", "recipient_id"):
            if key in query:
                select = select.where(getattr(Award, key) == query[key])
        pagination_parameters.item_count = db.session.scalar(
            db.select(db.func.count()).select_from(select.subquery()))
        return db.session.scalars(select.order_by(Award.created_at.desc(), Award.id)
                                  .limit(pagination_parameters.page_size)
                                  .offset(pagination_parameters.first_item)).all()


@blp.route("/awards/<uuid:award_id>")
class AwardById(MethodView):
    @api_auth("read")
    @blp.response(200, AwardSchema)
    def get(self, award_id):
        return _award(require_person(), award_id)


@blp.route("/badge-classes/<uuid:badge_class_id>/awards")
class ManualIssue(MethodView):
    @api_auth("issue")
    @blp.arguments(ManualIssueSchema)
    @blp.response(201, AwardSchema)
    @blp.alt_response(200, schema=AwardSchema, description="The award already existed (idempotent)")
    def post(self, body, badge_class_id):
        """Issue a badge by hand: a teacher of the student, with at least one scored piece of evidence."""
        actor = require_person()
        badge_class = _badge_class(actor, badge_class_id)
        student = db.session.get(Person, body["recipient_id"])
        if student is None or not allowed(actor, "view", student):
            raise validation_problem([field_error("recipient_id", "is not a student you teach")])
        if not may_issue_to(actor, student):
            raise Problem(403, "Only a teacher of this student's sections may issue them a badge.")
        source = AssessmentMastery()
        unscored = [str(v) for v in body["evidence_version_ids"] if not source.is_scored(v)]
        if len(unscored) == len(body["evidence_version_ids"]):
            raise validation_problem([field_error("evidence_version_ids",
                                                  "at least one piece of evidence must have been scored")])
        results = body["results"] or source.results_for_versions(student.id, body["evidence_version_ids"], badge_class)
        unit = issuance.Unit(student, body["evidence_version_ids"], results, body.get("narrative"))
        try:
            outcome = issuance.issue(badge_class, unit, source_kind="manual", actor=actor)
        except issuance.IssuanceRefused as exc:
            db.session.rollback()
            raise Problem(409, str(exc)) from None
        return outcome.award, 201 if outcome.created else 200


def _change(award_id, action, fn, body):
    actor = require_person()
    award = _award(actor, award_id, action)
    try:
        fn(award, actor=actor, **body)
    except (issuance.IssuanceRefused, status.StatusChangeRefused) as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None
    db.session.commit()
    return award


@blp.route("/awards/<uuid:award_id>/approve")
class Approve(MethodView):
    @api_auth("issue")
    @blp.response(200, AwardSchema)
    def post(self, award_id):
        """Approve a queued award: signs and issues it."""
        actor = require_person()
        award = _award(actor, award_id, "approve")
        try:
            return issuance.approve(award, actor=actor).award
        except issuance.IssuanceRefused as exc:
            db.session.rollback()
            raise Problem(409, str(exc)) from None


@blp.route("/awards/<uuid:award_id>/reject")
class Reject(MethodView):
    @api_auth("issue")
    @blp.arguments(ReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return _change(award_id, "approve", issuance.reject, body)


@blp.route("/awards/<uuid:award_id>/revoke")
class Revoke(MethodView):
    @api_auth("issue")
    @blp.arguments(ReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        """Revoke for good; the status list is re-signed at once."""
        return _change(award_id, "change_status", status.revoke, body)


@blp.route("/awards/<uuid:award_id>/suspend")
class Suspend(MethodView):
    @api_auth("issue")
    @blp.arguments(ReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return _change(award_id, "change_status", status.suspend, body)


@blp.route("/awards/<uuid:award_id>/unsuspend")
class Unsuspend(MethodView):
    @api_auth("issue")
    @blp.arguments(OptionalReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return _change(award_id, "change_status", status.unsuspend, body)


# -- bulk jobs ---------------------------------------------------------------------------------
@blp.route("/badge-classes/<uuid:badge_class_id>/bulk-jobs")
class BulkJobs(MethodView):
    @api_auth("issue")
    @blp.arguments(BulkJobCreateSchema)
    @blp.response(202, JobSchema)
    def post(self, body, badge_class_id):
        """Award this badge to a whole section or to the students of a CSV, in the background."""
        actor = require_person()
        badge_class = _badge_class(actor, badge_class_id, "bulk_issue")
        if ("section_id" in body) == ("csv" in body):
            raise validation_problem([field_error("section_id", "give exactly one of section_id or csv")])
        try:
            recipients, skipped, origin = _bulk_recipients(actor, body)
        except jobs.BulkJobInvalid as exc:
            raise _invalid(exc) from None
        try:
            job = jobs.create(badge_class, recipients, actor=actor, skipped=skipped, origin=origin)
        except jobs.BulkJobInvalid as exc:
            raise _invalid(exc) from None
        except jobs.RunnerUnavailable as exc:
            raise Problem(503, str(exc)) from None
        jobs.start(job)
        return jobs.progress(job)


def _bulk_recipients(actor, body):
    """(students, skipped rows, origin) for a bulk job: a section, or the students of a CSV."""
    skipped: list[dict] = []
    origin: dict[str, object]
    if "section_id" in body:
        section = authorize(actor, "view", db.session.get(Section, body["section_id"]), what="section")
        if not (allowed(actor, "teach", section) or allowed(actor, "manage", section)):
            raise Problem(403, "Only the section's teachers and admins may award it in bulk.")
        recipients, origin = jobs.section_recipients(section.id), {"section_id": str(section.id)}
    else:
        recipients, skipped = jobs.csv_recipients(body["csv"], actor.organization_id)
        origin = {"csv_rows": len(recipients) + len(skipped)}
        if actor.role != "admin":
            mine = [p for p in recipients if may_issue_to(actor, p)]
            skipped += [{"recipient_id": str(p.id), "reason": "not your student"}
                        for p in recipients if p not in mine]
            recipients = mine
    return recipients, skipped, origin


@blp.route("/bulk-jobs/<uuid:job_id>")
class BulkJobById(MethodView):
    @api_auth("read")
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """Progress of a bulk issuance job (its creator and the school's admins)."""
        actor = require_person()
        job = db.session.get(Job, job_id)
        if job is not None and job.kind != jobs.KIND:
            job = None  # only bulk issuance jobs are reported here
        job = authorize(actor, "view", job, what="job")
        db.session.refresh(job)
        job_runner.revive_if_abandoned(job)
        return jobs.progress(job)


# -- issuer keys -------------------------------------------------------------------------------
@blp.route("/issuer-keys")
class IssuerKeys(MethodView):
    @api_auth("admin")
    @blp.response(200, IssuerKeySchema(many=True))
    def get(self):
        """Your organization's signing keys (public parts), active and retired."""
        actor = require_person()
        org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        return db.session.scalars(db.select(IssuerKey).where(IssuerKey.organization_id == org.id)
                                  .order_by(IssuerKey.created_at, IssuerKey.key_id)).all()


@blp.route("/issuer-keys/rotate")
class RotateKeys(MethodView):
    @api_auth("admin")
    @blp.arguments(OptionalReasonSchema)
    @blp.response(201, IssuerKeySchema(many=True))
    def post(self, body):
        """Retire the active keys and create new ones. Old credentials keep verifying."""
        actor = require_person()
        org = authorize(actor, "manage", db.session.get(Organization, actor.organization_id), what="organization")
        return list(keys.rotate(org, actor=actor, reason=body.get("reason")).values())
