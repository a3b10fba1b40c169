"""Transcript API (mounted under /api/v1): requests, review, issue, share links,
revocation, downloads (CLR JSON, VC-JWT, PDF, CSV), the credit policy, the
school profile and course settings. Every action goes through actions.py,
the same layer the pages use."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..api.pagination import listing
from ..api.schemas import StrictSchema
from ..auth import api_auth, require_person
from ..extensions import db
from ..models import Organization
from ..policies import visible
from . import actions, lifecycle, outputs, urls
from .models import Transcript

blp = Blueprint("transcripts", __name__, description="Competency transcripts (CLR 2.0), credit policy, school profile")


class TranscriptSchema(Schema):
    id = fields.UUID()
    student_id = fields.UUID()
    status = fields.String(metadata={"description": "requested | issued | declined | revoked"})
    requested_at = fields.DateTime()
    request_note = fields.String(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    status_reason = fields.String(allow_none=True)
    policy_version = fields.Function(lambda t: t.policy.version if t.policy else None)
    verification_url = fields.Function(lambda t: urls.ids(t.student.organization.slug).verification(t.id))
    record = fields.Dict(allow_none=True, metadata={"description": "the traditional view and competency record"})


class TranscriptRequestSchema(StrictSchema):
    student_id = fields.UUID(load_default=None, metadata={"description": "admins: the student; students: omit"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class TranscriptReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class ShareCreateSchema(StrictSchema):
    days = fields.Integer(load_default=30, validate=validate.Range(1, lifecycle.MAX_SHARE_DAYS))


class ShareSchema(Schema):
    id = fields.UUID()
    url = fields.String()
    expires_at = fields.DateTime()


class PolicySchema(StrictSchema):
    version = fields.Integer(dump_only=True)
    rules = fields.Dict(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    used_at = fields.DateTime(dump_only=True, allow_none=True)
    url = fields.Method("_url", dump_only=True)

    def _url(self, row):
        org = db.session.get(Organization, row.organization_id)
        return urls.ids(org.slug).policy(row.version)


class ProfileSchema(StrictSchema):
    address = fields.String(allow_none=True, validate=validate.Length(max=2000))
    school_code = fields.String(allow_none=True, validate=validate.Length(max=32))
    accreditation = fields.String(allow_none=True, validate=validate.Length(max=2000))
    contact = fields.String(allow_none=True, validate=validate.Length(max=2000))
    size = fields.String(allow_none=True, validate=validate.Length(max=200))
    grading = fields.String(allow_none=True, validate=validate.Length(max=5000))


class CourseUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(1, 200))
    subject = fields.String(allow_none=True, validate=validate.Length(max=100))
    # Range checked in actions.update_course: validate.Range on a string Decimal
    # would be documented as maximum "10.00", which is not a number.
    credit_value = fields.Decimal(as_string=True, places=2, metadata={"minimum": 0, "maximum": 10})
    level = fields.String(validate=validate.OneOf(actions.COURSE_LEVELS))
    competency_ids = fields.List(fields.UUID())


class CourseOutSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    subject = fields.String(allow_none=True)
    credit_value = fields.Decimal(as_string=True, places=2)
    level = fields.String()
    competency_ids = fields.Function(lambda c: [str(i) for i in actions.course_competency_ids(c)])


@blp.route("/transcripts")
class Transcripts(MethodView):
    @api_auth("read")
    @blp.response(200, TranscriptSchema(many=True))
    @listing(blp)
    def get(self):
        """Transcripts you may see (your own; your students'; your school's for admins)."""
        actor = require_person()
        return db.session.scalars(visible(actor, Transcript).order_by(Transcript.requested_at.desc(), Transcript.id)).all()

    @api_auth("write")
    @blp.arguments(TranscriptRequestSchema)
    @blp.response(201, TranscriptSchema)
    def post(self, body):
        """Request a transcript (a student for themselves, an admin for a student)."""
        return actions.request_for(require_person(), body["student_id"], body["note"])


@blp.route("/transcripts/<uuid:transcript_id>")
class TranscriptItem(MethodView):
    @api_auth("read")
    @blp.response(200, TranscriptSchema)
    def get(self, transcript_id):
        return actions.get_transcript(require_person(), transcript_id)


@blp.route("/transcripts/<uuid:transcript_id>/issue", methods=["POST"])
@api_auth("admin")
@blp.response(200, TranscriptSchema)
def issue(transcript_id):
    """Issue a requested transcript: build, sign (CLR 2.0) and keep it (the registrar)."""
    return actions.issue(require_person(), transcript_id)


@blp.route("/transcripts/<uuid:transcript_id>/decline", methods=["POST"])
@api_auth("admin")
@blp.arguments(TranscriptReasonSchema)
@blp.response(200, TranscriptSchema)
def decline(body, transcript_id):
    return actions.decline(require_person(), transcript_id, body["reason"])


@blp.route("/transcripts/<uuid:transcript_id>/revoke", methods=["POST"])
@api_auth("admin")
@blp.arguments(TranscriptReasonSchema)
@blp.response(200, TranscriptSchema)
def revoke(body, transcript_id):
    """Revoke an issued transcript (its status list bit; verifiers then report it revoked)."""
    return actions.revoke(require_person(), transcript_id, body["reason"])


@blp.route("/transcripts/<uuid:transcript_id>/shares", methods=["POST"])
@api_auth("write")
@blp.arguments(ShareCreateSchema)
@blp.response(201, ShareSchema)
def share(body, transcript_id):
    """An expiring link anyone may open to read and verify the transcript (shown once)."""
    row, token = actions.share(require_person(), transcript_id, body["days"])
    return {"id": row.id, "url": urls.share_url(token), "expires_at": row.expires_at}


@blp.route("/transcripts/<uuid:transcript_id>/shares/<uuid:share_id>", methods=["DELETE"])
@api_auth("write")
@blp.response(204)
def end_share(transcript_id, share_id):
    actions.end_share(require_person(), transcript_id, share_id)


def _download(transcript_id, kind: str) -> Response:
    t = actions.issued_only(actions.get_transcript(require_person(), transcript_id))
    return download(t, kind)


def download(t: Transcript, kind: str) -> Response:
    name = f"transcript-{t.id}"
    if kind == "json":
        import json

        body, mime, ext = json.dumps(t.credential, indent=2).encode(), "application/ld+json", "json"
    elif kind == "jwt":
        body, mime, ext = t.credential_jwt.encode(), "application/vc+jwt", "jwt"
    elif kind == "csv":
        body, mime, ext = outputs.csv_bytes(t.record), "text/csv; charset=utf-8", "csv"
    else:
        org = t.student.organization
        body = outputs.pdf_bytes(t.record, verification_url=urls.ids(org.slug).verification(t.id),
                                 issued_at=t.issued_at.isoformat(), status=t.status, issuer_name=org.name)
        mime, ext = "application/pdf", "pdf"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})


@blp.route("/transcripts/<uuid:transcript_id>/clr.json")
@api_auth("read")
def clr_json(transcript_id):
    """The signed ClrCredential (Data Integrity eddsa-rdfc-2022)."""
    return _download(transcript_id, "json")


@blp.route("/transcripts/<uuid:transcript_id>/clr.jwt")
@api_auth("read")
def clr_jwt(transcript_id):
    """The same ClrCredential as a VC-JWT."""
    return _download(transcript_id, "jwt")


@blp.route("/transcripts/<uuid:transcript_id>/transcript.pdf")
@api_auth("read")
def pdf(transcript_id):
    return _download(transcript_id, "pdf")


@blp.route("/transcripts/<uuid:transcript_id>/transcript.csv")
@api_auth("read")
def csv_(transcript_id):
    """The traditional view for a student information system."""
    return _download(transcript_id, "csv")


@blp.route("/credit-policy")
class CreditPolicyApi(MethodView):
    @api_auth("read")
    @blp.response(200, PolicySchema)
    def get(self):
        """Your school's current credit policy version."""
        org = db.session.get(Organization, require_person().organization_id)
        row = lifecycle.current_policy(org)
        db.session.commit()
        return row

    @api_auth("admin")
    @blp.arguments(PolicySchema)
    @blp.response(200, PolicySchema)
    def put(self, body):
        """Change the rules: in place while unused, else as the next version (used versions never change)."""
        return actions.save_policy(require_person(), body["rules"], body.get("note"))


@blp.route("/school-profile")
class SchoolProfileApi(MethodView):
    @api_auth("read")
    @blp.response(200, ProfileSchema)
    def get(self):
        org = db.session.get(Organization, require_person().organization_id)
        row = lifecycle.school_profile(org)
        db.session.commit()
        return row

    @api_auth("admin")
    @blp.arguments(ProfileSchema)
    @blp.response(200, ProfileSchema)
    def put(self, body):
        return actions.save_profile(require_person(), body)


@blp.route("/courses/<uuid:course_id>", methods=["PATCH"])
@api_auth("admin")
@blp.arguments(CourseUpdateSchema)
@blp.response(200, CourseOutSchema)
def update_course(body, course_id):
    """Change a course's credit value, subject area, level (standard/honors/ap), title or competencies."""
    return actions.update_course(require_person(), course_id, dict(body))


class RequirementSetSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    requirements = fields.Dict()
    created_at = fields.DateTime()


class RequirementImportSchema(StrictSchema):
    requirements = fields.Dict(required=True, metadata={"description": (
        '{"name", "url", "competencies": [{"identifier", "min_level"}], "credits_by_subject": {subject: credits}, '
        '"total_credits", "min_gpa"}')})


@blp.route("/admission-requirements")
class RequirementSets(MethodView):
    @api_auth("read")
    @blp.response(200, RequirementSetSchema(many=True))
    @listing(blp)
    def get(self):
        """Colleges' requirement sets imported by your school."""
        from .models import RequirementSet

        return db.session.scalars(visible(require_person(), RequirementSet).order_by(RequirementSet.name, RequirementSet.id)).all()

    @api_auth("admin")
    @blp.arguments(RequirementImportSchema)
    @blp.response(201, RequirementSetSchema)
    def post(self, body):
        """Import a college's published requirement set (JSON); every field is checked."""
        return actions.import_requirements(require_person(), body["requirements"])


@blp.route("/admission-requirements/<uuid:set_id>", methods=["DELETE"])
@api_auth("admin")
@blp.response(204)
def delete_requirements(set_id):
    actions.delete_requirements(require_person(), set_id)


@blp.route("/transcripts/<uuid:transcript_id>/readiness")
@api_auth("read")
def readiness(transcript_id):
    """How close the transcript (or, before issue, the current record) is to each requirement set."""
    from flask import jsonify

    actor = require_person()
    t = actions.get_transcript(actor, transcript_id)
    record = t.record or lifecycle.preview(t.student)
    return jsonify(actions.readiness_for(actor, t, record))
