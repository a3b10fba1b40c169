"""Portfolio API: artifacts, versions, tags, showcases, share links, export."""
from __future__ import annotations

import uuid

from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..api.pagination import listing
from .. import audit
from ..auth import api_auth, require_person
from ..errors import Problem, field_error, flatten_messages, validation_problem
from ..extensions import commit_keeping_loaded, db
from ..policies import allowed, authorize, visible
from ..body_limits import accepts_body
from . import artifacts as ops
from . import sharing, showcases
from .downloads import send_version, wants_inline
from .export import export_entries, stream_zip
from .models import Artifact, ArtifactVersion, ShareLink, Showcase
from .schemas import (ArtifactQuerySchema, ArtifactSchema, ArtifactUpdateSchema, FileArtifactQuerySchema,
                      FileVersionQuerySchema, LinkArtifactCreateSchema, LinkVersionSchema, NewShareLinkSchema,
                      ShareLinkCreateSchema, ShareLinkSchema, ShowcaseCreateSchema, ShowcaseItemsSchema,
                      ShowcaseSchema, ShowcaseUpdateSchema, TagListSchema, VersionSchema, VersionUpdateSchema)

blp = Blueprint("portfolio", __name__, description="Portfolio: artifacts, versions, showcases and sharing")

UPLOAD_BODY = {"requestBody": {"required": True, "description": (
    "Either the raw file as the body (any Content-Type; name it with ?filename=), or multipart/form-data "
    "with a `file` part. The type is decided from the content, never from the name or header."),
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"}}}}}}}


def get_artifact(actor, artifact_id, action="view") -> Artifact:
    artifact = db.session.get(Artifact, artifact_id)
    authorize(actor, action, artifact, what="artifact")
    return artifact


def get_version(artifact: Artifact, number: int) -> ArtifactVersion:
    version = next((v for v in artifact.versions if v.number == number), None)
    if version is None:
        raise Problem(404, "No such version.")
    return version


def get_visible_version(actor, artifact_id, number: int) -> ArtifactVersion:
    """A version to read: through its artifact, or as submitted evidence the
    actor reviews (portfolio.policies.ArtifactVersionPolicy); 404 otherwise."""
    artifact = db.session.get(Artifact, artifact_id)
    if artifact is not None and allowed(actor, "view", artifact):
        return get_version(artifact, number)
    version = db.session.scalar(db.select(ArtifactVersion).where(
        ArtifactVersion.artifact_id == artifact_id, ArtifactVersion.number == number))
    if version is None or not allowed(actor, "view", version):
        raise Problem(404, "No such artifact.")
    return version


def received_file():
    """The upload's stream and name: a multipart `file` part or the raw body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise validation_problem([field_error("file", "is missing")])
        return upload.stream, upload.filename or request.args.get("filename")
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        raise Problem(422, "The request has no body.", type="upload-rejected", reason="empty_file")
    return request.stream, request.args.get("filename")


@blp.route("/artifacts")
class Artifacts(MethodView):
    @api_auth("read")
    @blp.arguments(ArtifactQuerySchema, location="query")
    @blp.response(200, ArtifactSchema(many=True))
    @listing(blp)
    def get(self, query):
        """Artifacts you may see (your own; your students' shared ones; public ones)."""
        actor = require_person()
        select = visible(actor, Artifact)
        select = select.where(Artifact.owner_id == query.get("owner_id", actor.id))
        return db.session.scalars(select.order_by(Artifact.updated_at.desc(), Artifact.id)).all()

    @api_auth("write")
    @blp.arguments(LinkArtifactCreateSchema)
    @blp.response(201, ArtifactSchema)
    def post(self, body):
        """Add a link artifact (files: POST /artifacts/files)."""
        actor = require_person()
        url = body.pop("url")
        artifact = ops.create_artifact(actor, url=url, **body)
        db.session.commit()
        return artifact


@blp.route("/artifacts/files")
class FileArtifacts(MethodView):
    @api_auth("write")
    @blp.arguments(FileArtifactQuerySchema, location="query")
    @blp.response(201, ArtifactSchema)
    @blp.doc(**UPLOAD_BODY)
    @accepts_body("upload")
    def post(self, query):
        """Upload a file as a new artifact (streamed; inspected before anything is kept)."""
        actor = require_person()
        if actor.role != "student":
            raise Problem(403, "Only students keep a portfolio.")
        stream, filename = received_file()
        if request.mimetype == "multipart/form-data":
            query = {**query, **{k: v for k, v in request.form.items() if k in FileArtifactQuerySchema().fields}}
        content = ops.ingest_file(stream, filename)
        title = query.get("title") or (content.original_filename or content.filename)[:200]
        artifact = ops.create_artifact(actor, kind="file", title=title, description=query.get("description"),
                                       reflection=query.get("reflection"),
                                       visibility=query.get("visibility", "private"), content=content)
        commit_keeping_loaded()  # the answer is what was just written: no reading it back
        return artifact


@blp.route("/artifacts/<uuid:artifact_id>")
class ArtifactById(MethodView):
    @api_auth("read")
    @blp.response(200, ArtifactSchema)
    def get(self, artifact_id: uuid.UUID):
        return get_artifact(require_person(), artifact_id)

    @api_auth("write")
    @blp.arguments(ArtifactUpdateSchema)
    @blp.response(200, ArtifactSchema)
    def patch(self, body, artifact_id: uuid.UUID):
        """Edit title, description, reflection or visibility (the owner)."""
        artifact = get_artifact(require_person(), artifact_id, "edit")
        ops.update_artifact(artifact, body)
        db.session.commit()
        return artifact

    @api_auth("write")
    @blp.response(204)
    def delete(self, artifact_id: uuid.UUID):
        """Delete an artifact; refused (409) while any version is locked as evidence."""
        artifact = get_artifact(require_person(), artifact_id, "edit")
        ops.delete_artifact(artifact)
        db.session.commit()


@blp.route("/artifacts/<uuid:artifact_id>/versions")
class Versions(MethodView):
    @api_auth("read")
    @blp.response(200, VersionSchema(many=True))
    @listing(blp)
    def get(self, artifact_id: uuid.UUID):
        return get_artifact(require_person(), artifact_id).versions

    @api_auth("write")
    @blp.arguments(FileVersionQuerySchema, location="query")
    @blp.response(201, VersionSchema)
    @blp.doc(**UPLOAD_BODY)
    @accepts_body("upload")
    def post(self, query, artifact_id: uuid.UUID):
        """Upload a new version (files: the body as for /artifacts/files; links: JSON {"url"})."""
        actor = require_person()
        artifact = get_artifact(actor, artifact_id, "edit")
        if artifact.kind == "link":
            if not request.is_json:
                raise validation_problem([field_error("url", "send JSON {\"url\": ...} for a link artifact")])
            try:
                body = LinkVersionSchema().load(request.get_json(silent=True) or {})
            except ValidationError as exc:
                raise validation_problem(flatten_messages(exc.messages)) from None
            version = ops.add_version(artifact, actor, url=body["url"])
        else:
            stream, filename = received_file()
            version = ops.add_version(artifact, actor, content=ops.ingest_file(stream, filename))
        db.session.commit()
        return version


@blp.route("/artifacts/<uuid:artifact_id>/versions/<int:number>")
class VersionByNumber(MethodView):
    @api_auth("read")
    @blp.response(200, VersionSchema)
    def get(self, artifact_id: uuid.UUID, number: int):
        return get_visible_version(require_person(), artifact_id, number)

    @api_auth("write")
    @blp.arguments(VersionUpdateSchema)
    @blp.response(200, VersionSchema)
    def patch(self, body, artifact_id: uuid.UUID, number: int):
        """Rename a file version's download name; refused (409) when locked."""
        version = get_version(get_artifact(require_person(), artifact_id, "edit"), number)
        ops.rename_version(version, body["filename"])
        db.session.commit()
        return version

    @api_auth("write")
    @blp.response(204)
    def delete(self, artifact_id: uuid.UUID, number: int):
        """Delete one version; refused (409) when locked or when it is the only one."""
        version = get_version(get_artifact(require_person(), artifact_id, "edit"), number)
        ops.delete_version(version)
        db.session.commit()


@blp.route("/artifacts/<uuid:artifact_id>/versions/<int:number>/content")
class VersionContent(MethodView):
    @api_auth("read")
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
    def get(self, artifact_id: uuid.UUID, number: int):
        """Download (always an attachment; ?inline=1 shows passive images and PDFs in the browser)."""
        version = get_visible_version(require_person(), artifact_id, number)
        return send_version(version, inline=wants_inline())


@blp.route("/artifacts/<uuid:artifact_id>/tags")
class Tags(MethodView):
    @api_auth("write")
    @blp.arguments(TagListSchema)
    @blp.response(200, ArtifactSchema)
    def put(self, body, artifact_id: uuid.UUID):
        """Replace the competency tags."""
        artifact = get_artifact(require_person(), artifact_id, "edit")
        ops.set_tags(artifact, body["tags"])
        db.session.commit()
        return artifact


def get_showcase(actor, showcase_id, action="view") -> Showcase:
    showcase = db.session.get(Showcase, showcase_id)
    authorize(actor, action, showcase, what="showcase")
    return showcase


@blp.route("/showcases")
class Showcases(MethodView):
    @api_auth("read")
    @blp.arguments(ArtifactQuerySchema, location="query")
    @blp.response(200, ShowcaseSchema(many=True))
    @listing(blp)
    def get(self, query):
        actor = require_person()
        select = visible(actor, Showcase).where(Showcase.owner_id == query.get("owner_id", actor.id))
        return db.session.scalars(select.order_by(Showcase.created_at, Showcase.id)).all()

    @api_auth("write")
    @blp.arguments(ShowcaseCreateSchema)
    @blp.response(201, ShowcaseSchema)
    def post(self, body):
        actor = require_person()
        showcase = showcases.create_showcase(actor, **body)
        db.session.commit()
        return showcase


@blp.route("/showcases/<uuid:showcase_id>")
class ShowcaseById(MethodView):
    @api_auth("read")
    @blp.response(200, ShowcaseSchema)
    def get(self, showcase_id: uuid.UUID):
        return get_showcase(require_person(), showcase_id)

    @api_auth("write")
    @blp.arguments(ShowcaseUpdateSchema)
    @blp.response(200, ShowcaseSchema)
    def patch(self, body, showcase_id: uuid.UUID):
        showcase = get_showcase(require_person(), showcase_id, "edit")
        confirm = body.pop("confirm_exposure", False)
        showcases.update_showcase(showcase, body, confirm_exposure=confirm)
        db.session.commit()
        return showcase

    @api_auth("write")
    @blp.response(204)
    def delete(self, showcase_id: uuid.UUID):
        showcases.delete_showcase(get_showcase(require_person(), showcase_id, "edit"))
        db.session.commit()


@blp.route("/showcases/<uuid:showcase_id>/items")
class ShowcaseItems(MethodView):
    @api_auth("write")
    @blp.arguments(ShowcaseItemsSchema)
    @blp.response(200, ShowcaseSchema)
    def put(self, body, showcase_id: uuid.UUID):
        """Set the items and their order (the complete list; add, remove and reorder in one call)."""
        actor = require_person()
        showcase = get_showcase(actor, showcase_id, "edit")
        showcases.set_items(showcase, actor, body["artifact_ids"], confirm_exposure=body["confirm_exposure"])
        db.session.commit()
        return showcase


@blp.route("/share-links")
class ShareLinks(MethodView):
    @api_auth("read")
    @blp.response(200, ShareLinkSchema(many=True))
    @listing(blp)
    def get(self):
        """Your share links (active, expired and revoked)."""
        actor = require_person()
        return db.session.scalars(visible(actor, ShareLink).order_by(ShareLink.created_at.desc(), ShareLink.id)).all()

    @api_auth("write")
    @blp.arguments(ShareLinkCreateSchema)
    @blp.response(201, NewShareLinkSchema)
    def post(self, body):
        """Share one artifact or showcase by an unguessable link (the token is shown once)."""
        actor = require_person()
        if (body["artifact_id"] is None) == (body["showcase_id"] is None):
            raise validation_problem([field_error("artifact_id", "give exactly one of artifact_id, showcase_id")])
        target = (get_artifact(actor, body["artifact_id"], "edit") if body["artifact_id"]
                  else get_showcase(actor, body["showcase_id"], "edit"))
        link, token = sharing.create_share_link(actor, target, days=body["expires_in_days"], label=body.get("label"))
        db.session.commit()
        link.token, link.url = token, share_url(token)  # shown once, never stored
        return link


@blp.route("/share-links/<uuid:link_id>")
class ShareLinkById(MethodView):
    @api_auth("write")
    @blp.response(204)
    def delete(self, link_id: uuid.UUID):
        """Revoke a share link at once."""
        link = db.session.get(ShareLink, link_id)
        authorize(require_person(), "revoke", link, what="share link")
        sharing.revoke_share_link(link)
        db.session.commit()


@blp.route("/portfolio/export")
class Export(MethodView):
    @api_auth("read")
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="application/zip")
    def get(self):
        """Everything you own as one zip (artifacts, reflections, metadata; credentials when issued)."""
        actor = require_person()
        entries = export_entries(actor)
        audit.record("portfolio.export", obj=actor, files=len(entries))
        db.session.commit()
        response = Response(stream_with_context(stream_zip(entries)), mimetype="application/zip")
        response.headers["Content-Disposition"] = f'attachment; filename="portfolio-{actor.id}.zip"'
        response.headers["Cache-Control"] = "no-store"
        return response


def share_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{token}"


