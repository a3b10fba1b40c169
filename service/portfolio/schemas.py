"""marshmallow schemas of the portfolio API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import StrictSchema
from .models import VISIBILITIES
from .sharing import is_active

Visibility = lambda **kw: fields.String(validate=validate.OneOf(VISIBILITIES), **kw)  # noqa: E731


class VersionSchema(Schema):
    # The id is what assessment submissions name as evidence (artifact_version_ids).
    id = fields.UUID()
    number = fields.Integer()
    created_at = fields.DateTime()
    sha256 = fields.String(attribute="blob_digest", allow_none=True)
    size = fields.Integer(allow_none=True)
    mime_type = fields.String(allow_none=True)
    active_content = fields.Boolean()
    filename = fields.String(allow_none=True)
    original_filename = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    locked = fields.Function(lambda v: v.locked_at is not None)
    locked_at = fields.DateTime(allow_none=True)
    locked_reason = fields.String(allow_none=True)


class TagSchema(StrictSchema):
    competency_ref = fields.String(required=True, validate=validate.Length(1, 200))
    label = fields.String(allow_none=True, validate=validate.Length(max=200))


class TagListSchema(StrictSchema):
    tags = fields.List(fields.Nested(TagSchema), required=True, validate=validate.Length(max=100))


class ArtifactSchema(Schema):
    id = fields.UUID()
    owner_id = fields.UUID()
    kind = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    reflection = fields.String(allow_none=True)
    visibility = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    locked = fields.Boolean(attribute="is_locked")
    tags = fields.List(fields.Nested(TagSchema))
    versions = fields.List(fields.Nested(VersionSchema))


class ArtifactMetaSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10000))
    reflection = fields.String(allow_none=True, validate=validate.Length(max=50000))
    visibility = Visibility(load_default="private")


class LinkArtifactCreateSchema(ArtifactMetaSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["link"]),
                         metadata={"description": "Only links are created with JSON; upload files to "
                                                  "POST /artifacts/files."})
    url = fields.String(required=True, validate=validate.Length(1, 2000))


class FileArtifactQuerySchema(Schema):
    """Metadata of a raw-body upload travels in the query string."""

    title = fields.String(validate=validate.Length(1, 200))
    filename = fields.String(validate=validate.Length(1, 255))
    description = fields.String(validate=validate.Length(max=10000))
    reflection = fields.String(validate=validate.Length(max=50000))
    visibility = Visibility(load_default="private")


class FileVersionQuerySchema(Schema):
    filename = fields.String(validate=validate.Length(1, 255))


class ArtifactUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10000))
    reflection = fields.String(allow_none=True, validate=validate.Length(max=50000))
    visibility = Visibility()


class ArtifactQuerySchema(Schema):
    owner_id = fields.UUID()


class LinkVersionSchema(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(1, 2000))


class VersionUpdateSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(1, 255))


class ShowcaseItemSchema(Schema):
    artifact_id = fields.UUID()
    position = fields.Integer()
    title = fields.String(attribute="artifact.title")


class ShowcaseSchema(Schema):
    id = fields.UUID()
    owner_id = fields.UUID()
    title = fields.String()
    description = fields.String(allow_none=True)
    visibility = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    items = fields.List(fields.Nested(ShowcaseItemSchema))


_CONFIRM = ("Show artifacts through this showcase to more people than their own visibility allows. "
            "Without it such a change is refused (409 exposure-not-confirmed, listing them).")


class ShowcaseCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10000))
    visibility = Visibility(load_default="private")
    artifact_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=500))
    confirm_exposure = fields.Boolean(load_default=False, metadata={"description": _CONFIRM})


class ShowcaseUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10000))
    visibility = Visibility()
    confirm_exposure = fields.Boolean(load_default=False, metadata={"description": _CONFIRM})


class ShowcaseItemsSchema(StrictSchema):
    artifact_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=500),
                               metadata={"description": "The complete list, in display order."})
    confirm_exposure = fields.Boolean(load_default=False, metadata={"description": _CONFIRM})


class ShareLinkSchema(Schema):
    id = fields.UUID()
    artifact_id = fields.UUID(allow_none=True)
    showcase_id = fields.UUID(allow_none=True)
    label = fields.String(allow_none=True)
    expires_at = fields.DateTime()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Function(is_active)


class NewShareLinkSchema(ShareLinkSchema):
    token = fields.String(metadata={"description": "The secret; shown once."})
    url = fields.String(metadata={"description": "The public address to give out."})


class ShareLinkCreateSchema(StrictSchema):
    artifact_id = fields.UUID(load_default=None)
    showcase_id = fields.UUID(load_default=None)
    label = fields.String(allow_none=True, validate=validate.Length(max=100))
    expires_in_days = fields.Integer(load_default=30, validate=validate.Range(1, 365))
