"""marshmallow schemas for the core API objects (people, sections, tokens...)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate, validates, ValidationError, RAISE

from ..auth.passwords import password_problems
from ..auth.tokens import SCOPES
from ..models import Role


class StrictSchema(Schema):
    class Meta:
        # Unknown fields are a client mistake worth telling about, not ignoring.
        unknown = RAISE


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Dict(), metadata={"description": "field, pointer and detail of each invalid field"})


class OrganizationSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    slug = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    url = fields.Url(allow_none=True)
    email = fields.Email(allow_none=True)
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class OrganizationUpdateSchema(OrganizationSchema):
    name = fields.String(validate=validate.Length(1, 200))


class PersonSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    organization_id = fields.UUID(dump_only=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    email = fields.Email(required=True)
    display_name = fields.String(required=True, validate=validate.Length(1, 200))
    given_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    family_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    external_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    grade_level = fields.String(allow_none=True, validate=validate.Length(max=16))
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class PersonCreateSchema(PersonSchema):
    password = fields.String(load_only=True, required=False)

    @validates("password")
    def _password(self, value, **kwargs):
        problems = password_problems(value)
        if problems:
            raise ValidationError("; ".join(problems))


class PersonUpdateSchema(StrictSchema):
    display_name = fields.String(validate=validate.Length(1, 200))
    given_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    family_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    grade_level = fields.String(allow_none=True, validate=validate.Length(max=16))
    external_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    is_active = fields.Boolean()
    current_password = fields.String(load_only=True)
    new_password = fields.String(load_only=True)

    @validates("new_password")
    def _password(self, value, **kwargs):
        problems = password_problems(value)
        if problems:
            raise ValidationError("; ".join(problems))


class PersonQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    section_id = fields.UUID()


class GuardianLinkSchema(StrictSchema):
    guardian_id = fields.UUID(required=True)
    relationship_label = fields.String(allow_none=True, validate=validate.Length(max=50))


class CourseSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(1, 32))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    subject = fields.String(allow_none=True, validate=validate.Length(max=100))
    description = fields.String(allow_none=True)
    # Checked in _credit_value, not by validate.Range: apispec would document the
    # bounds as the strings "0.00" and "10.00", which is not valid OpenAPI.
    credit_value = fields.Decimal(as_string=True, places=2, metadata={"minimum": 0, "maximum": 10})
    level = fields.String(load_default="standard", validate=validate.OneOf(("standard", "honors", "ap")))

    @validates("credit_value")
    def _credit_value(self, value, **kwargs):
        if value is not None and not 0 <= value <= 10:
            raise ValidationError("Must be greater than or equal to 0 and less than or equal to 10.")


class SectionSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    organization_id = fields.UUID(dump_only=True)
    course_id = fields.UUID(allow_none=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    school_year = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{4}-\d{4}$",
                                error="must look like 2026-2027"))
    term = fields.String(allow_none=True, validate=validate.Length(max=50))


class EnrolmentSchema(StrictSchema):
    person_id = fields.UUID(required=True)
    role = fields.String(load_default="student", validate=validate.OneOf(["student", "teacher"]))


class RosterEntrySchema(Schema):
    person = fields.Nested(PersonSchema)
    role = fields.String()


class TokenCreateSchema(StrictSchema):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)
    name = fields.String(load_default="api", validate=validate.Length(1, 100))
    scopes = fields.List(fields.String(validate=validate.OneOf(sorted(SCOPES))), load_default=["read"])
    expires_in_days = fields.Integer(load_default=None, validate=validate.Range(1, 365))


class TokenSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    prefix = fields.String()
    scopes = fields.List(fields.String())
    expires_at = fields.DateTime()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(attribute="secret", metadata={"description": "The secret. Shown once; store it now."})


class AuditEventSchema(Schema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor_id = fields.UUID(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    detail = fields.Dict()
    ip_address = fields.String(allow_none=True)


class AuditQuerySchema(Schema):
    action = fields.String()
    object_id = fields.String()
