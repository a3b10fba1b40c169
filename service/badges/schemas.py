"""The badges API's request and response schemas (marshmallow), shared by its pages."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import StrictSchema
from . import classes


class AlignmentSchema(StrictSchema):
    targetName = fields.String(required=True, validate=validate.Length(1, 300))
    targetUrl = fields.Url(required=True)
    targetCode = fields.String(allow_none=True)
    targetFramework = fields.String(allow_none=True)
    targetType = fields.String(allow_none=True)
    targetDescription = fields.String(allow_none=True)
    competency_id = fields.UUID(allow_none=True)


class BadgeClassSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    organization_id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(required=True, validate=validate.Length(1, 5000))
    achievement_type = fields.String(load_default="Badge", validate=validate.OneOf(classes.ACHIEVEMENT_TYPES))
    criteria_narrative = fields.String(required=True, validate=validate.Length(1, 10000))
    tags = fields.List(fields.String(validate=validate.Length(1, 60)), load_default=list)
    alignments = fields.List(fields.Dict(), load_default=list)
    result_descriptions = fields.List(fields.Dict(), load_default=list)
    rubric = fields.List(fields.Dict(), load_only=True, metadata={
        "description": "rubric criteria [{id, name, levels: [{id, name, description, points}]}] "
                       "-> result_descriptions"})
    rubric_id = fields.UUID(load_only=True, metadata={
        "description": "an assessment rubric whose criteria and levels become result_descriptions"})
    rule = fields.Dict(allow_none=True, metadata={
        "description": '{"all": [{"competency_id": ..., "min_level": 3}]} or rubric_criterion_id conditions'})
    issue_mode = fields.String(load_default="approval", validate=validate.OneOf(classes.ISSUE_MODES))
    validity_days = fields.Integer(allow_none=True, validate=validate.Range(1, 36500))
    has_image = fields.Method("_has_image", dump_only=True)
    archived_at = fields.DateTime(dump_only=True)
    created_at = fields.DateTime(dump_only=True)

    def _has_image(self, obj):
        return obj.image_digest is not None


class BadgeClassUpdateSchema(BadgeClassSchema):
    name = fields.String(validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(1, 5000))
    criteria_narrative = fields.String(validate=validate.Length(1, 10000))
    achievement_type = fields.String(validate=validate.OneOf(classes.ACHIEVEMENT_TYPES))
    issue_mode = fields.String(validate=validate.OneOf(classes.ISSUE_MODES))
    tags = fields.List(fields.String(validate=validate.Length(1, 60)))
    alignments = fields.List(fields.Dict())
    result_descriptions = fields.List(fields.Dict())


class AwardSchema(Schema):
    id = fields.UUID()
    badge_class_id = fields.UUID()
    recipient_id = fields.UUID()
    status = fields.String()
    source = fields.String()
    awarded_by_id = fields.UUID(allow_none=True)
    job_id = fields.UUID(allow_none=True)
    evidence = fields.List(fields.Dict())
    results = fields.List(fields.Dict())
    credential = fields.Dict(allow_none=True)
    credential_jwt = fields.String(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    valid_until = fields.DateTime(allow_none=True)
    status_reason = fields.String(allow_none=True)
    status_reason_public = fields.Boolean()
    status_changed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class AwardQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(
        ("pending_approval", "issued", "revoked", "suspended", "rejected")))
    badge_class_id = fields.UUID()
    recipient_id = fields.UUID()


class ManualIssueSchema(StrictSchema):
    recipient_id = fields.UUID(required=True)
    evidence_version_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(1, 50),
                                       metadata={"description": "scored artifact versions of the student (>= 1)"})
    results = fields.List(fields.Dict(), load_default=list, metadata={"description": "OB 3.0 Result objects"})
    narrative = fields.String(allow_none=True, validate=validate.Length(max=5000))


class ReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class OptionalReasonSchema(StrictSchema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class StatusReasonSchema(ReasonSchema):
    reason_public = fields.Boolean(load_default=False, metadata={
        "description": "show the reason on public pages, hosted assertions and verification (default: private)"})


class OptionalStatusReasonSchema(OptionalReasonSchema):
    reason_public = fields.Boolean(load_default=False)


class BulkJobCreateSchema(StrictSchema):
    section_id = fields.UUID()
    student_ids = fields.List(fields.UUID(), validate=validate.Length(1, 50_000),
                              metadata={"description": "students chosen one by one"})
    csv = fields.String(validate=validate.Length(1, 5 * 1024 * 1024),
                        metadata={"description": "CSV text with an email or external_id column"})


class JobSchema(Schema):
    id = fields.String()
    status = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    failed = fields.Integer()
    percent = fields.Float()
    result = fields.Dict()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class IssuerKeySchema(Schema):
    key_id = fields.String()
    algorithm = fields.String()
    status = fields.String()
    public_jwk = fields.Dict()
    public_key_multibase = fields.String(allow_none=True)
    created_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)
