"""Badges API (issuance side): badge classes, awards and their life cycle,
bulk jobs, and issuer key rotation. Mounted under /api/v1."""
from __future__ import annotations


from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..api.pagination import listing
from .. import jobs as job_runner
from ..auth import api_auth, require_person
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import Job, Organization
from ..policies import authorize, visible
from ..body_limits import accepts_body
from . import actions, classes, jobs, keys, manual_award
from .models import Award, BadgeClass, IssuerKey
from .schemas import (
    AwardQuerySchema,
    AwardSchema,
    BadgeClassSchema,
    BadgeClassUpdateSchema,
    BulkJobCreateSchema,
    IssuerKeySchema,
    JobSchema,
    ManualIssueSchema,
    OptionalReasonSchema,
    OptionalStatusReasonSchema,
    ReasonSchema,
    StatusReasonSchema,
)

blp = Blueprint("badges", __name__, description="Badge classes, awards, revocation, bulk issuance, issuer keys")


# -- helpers -----------------------------------------------------------------------------------
def _invalid(exc) -> Problem:
    return validation_problem([field_error(f, m) for f, m in exc.errors])


def _badge_class(actor, badge_class_id, action="view") -> BadgeClass:
    return authorize(actor, action, db.session.get(BadgeClass, badge_class_id), what="badge class")


def _award(actor, award_id, action="view") -> Award:
    return authorize(actor, action, db.session.get(Award, award_id), what="award")


# -- badge classes -----------------------------------------------------------------------------
@blp.route("/badge-classes")
class BadgeClasses(MethodView):
    @api_auth("read")
    @blp.response(200, BadgeClassSchema(many=True))
    @listing(blp)
    def get(self):
        """Badge classes of your organization (archived ones last)."""
        actor = require_person()
        return db.session.scalars(visible(actor, BadgeClass).order_by(
            BadgeClass.archived_at.is_not(None), BadgeClass.name, BadgeClass.id)).all()

    @api_auth("write")
    @blp.arguments(BadgeClassSchema)
    @blp.response(201, BadgeClassSchema)
    def post(self, body):
        """Define a badge class (teachers and admins)."""
        return actions.create_badge_class(require_person(), body)


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
        return actions.update_badge_class(require_person(), db.session.get(BadgeClass, badge_class_id), body)

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
    @accepts_body("document")
    def put(self, badge_class_id):
        """Upload the badge image: PNG or SVG, as the raw body or a multipart `image` file."""
        upload = request.files.get("image")
        data = upload.read(classes.MAX_IMAGE_BYTES + 1) if upload else request.get_data(cache=False)
        return actions.set_badge_image(require_person(), db.session.get(BadgeClass, badge_class_id), data)


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
        award, created = manual_award.issue_by_hand(
            actor, _badge_class(actor, badge_class_id), body["recipient_id"], body["evidence_version_ids"],
            results=body["results"], narrative=body.get("narrative"))
        return award, 201 if created else 200


def _change(award_id, action, body):
    actor = require_person()
    return actions.change_status(actor, db.session.get(Award, award_id), action, reason=body.get("reason"),
                                 reason_public=body.get("reason_public", False))


@blp.route("/awards/<uuid:award_id>/approve")
class Approve(MethodView):
    @api_auth("issue")
    @blp.response(200, AwardSchema)
    def post(self, award_id):
        """Approve a queued award: signs and issues it."""
        return actions.decide(require_person(), db.session.get(Award, award_id), "approve")


@blp.route("/awards/<uuid:award_id>/reject")
class Reject(MethodView):
    @api_auth("issue")
    @blp.arguments(ReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return actions.decide(require_person(), db.session.get(Award, award_id), "reject", reason=body["reason"])


@blp.route("/awards/<uuid:award_id>/revoke")
class Revoke(MethodView):
    @api_auth("issue")
    @blp.arguments(StatusReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        """Revoke for good; the status list is re-signed at once. The reason is private unless reason_public."""
        return _change(award_id, "revoke", body)


@blp.route("/awards/<uuid:award_id>/suspend")
class Suspend(MethodView):
    @api_auth("issue")
    @blp.arguments(StatusReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return _change(award_id, "suspend", body)


@blp.route("/awards/<uuid:award_id>/unsuspend")
class Unsuspend(MethodView):
    @api_auth("issue")
    @blp.arguments(OptionalStatusReasonSchema)
    @blp.response(200, AwardSchema)
    def post(self, body, award_id):
        return _change(award_id, "unsuspend", body)


# -- bulk jobs ---------------------------------------------------------------------------------
@blp.route("/badge-classes/<uuid:badge_class_id>/bulk-jobs")
class BulkJobs(MethodView):
    @api_auth("issue")
    @blp.arguments(BulkJobCreateSchema)
    @blp.response(202, JobSchema)
    @accepts_body("document")
    def post(self, body, badge_class_id):
        """Award this badge to a whole section, to chosen students, or to the students of a CSV, in the background."""
        actor = require_person()
        badge_class = _badge_class(actor, badge_class_id, "bulk_issue")
        given = [k for k in ("section_id", "student_ids", "csv") if k in body]
        if len(given) != 1:
            raise validation_problem([field_error("section_id", "give exactly one of section_id, student_ids or csv")])
        skipped: list[dict] = []
        origin: dict[str, object]
        if "section_id" in body:
            recipients, origin = actions.section_recipients(actor, body["section_id"]), {
                "section_id": str(body["section_id"])}
        elif "student_ids" in body:
            recipients, skipped = actions.chosen_recipients(actor, body["student_ids"])
            origin = {"chosen": len(body["student_ids"])}
        else:
            recipients, skipped = actions.csv_recipients(actor, body["csv"])
            origin = {"csv_rows": len(recipients) + len(skipped)}
        return jobs.progress(actions.start_bulk(actor, badge_class, recipients, skipped=skipped, origin=origin))


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
    @listing(blp)
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
