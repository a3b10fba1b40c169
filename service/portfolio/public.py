"""Pages anyone may open without an account: public showcases and artifacts,
and whatever a valid share link points at. Answers JSON when asked for it.

Anything not shared answers 404, exactly like something that does not exist.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, render_template, request

from ..errors import Problem
from ..extensions import db
from ..models import Person
from .downloads import may_show_inline, send_version, wants_inline
from .models import Artifact, Showcase
from .policies import anyone_may_view
from .sharing import resolve_token

bp = Blueprint("portfolio_public", __name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def artifact_json(artifact: Artifact, content_url) -> dict:
    version = artifact.current_version
    return {"id": str(artifact.id), "kind": artifact.kind, "title": artifact.title,
            "description": artifact.description, "reflection": artifact.reflection,
            "owner": db.session.get(Person, artifact.owner_id).display_name,
            "tags": [{"competency_ref": t.competency_ref, "label": t.label} for t in artifact.tags],
            "version": version.number, "created_at": version.created_at.isoformat(),
            "url": version.url, "sha256": version.blob_digest, "mime_type": version.mime_type,
            "filename": version.filename, "size": version.size,
            "content_url": content_url(artifact) if version.blob_digest else None}


def showcase_json(showcase: Showcase, content_url) -> dict:
    return {"id": str(showcase.id), "title": showcase.title, "description": showcase.description,
            "owner": db.session.get(Person, showcase.owner_id).display_name,
            "items": [artifact_json(item.artifact, content_url) for item in showcase.items]}


def _render_artifact(artifact, content_url):
    if _wants_json():
        return jsonify(artifact_json(artifact, content_url))
    return render_template("portfolio/public_artifact.html", artifact=artifact, content_url=content_url,
                           owner=db.session.get(Person, artifact.owner_id), may_show_inline=may_show_inline)


def _render_showcase(showcase, content_url):
    if _wants_json():
        return jsonify(showcase_json(showcase, content_url))
    return render_template("portfolio/public_showcase.html", showcase=showcase, content_url=content_url,
                           owner=db.session.get(Person, showcase.owner_id), may_show_inline=may_show_inline)


def _not_found():
    return Problem(404, "Nothing is shared at this address (the link may have expired or been revoked).")


@bp.get("/p/artifacts/<uuid:artifact_id>")
def public_artifact(artifact_id: uuid.UUID):
    artifact = db.session.get(Artifact, artifact_id)
    if artifact is None or artifact.visibility != "public":
        raise _not_found()
    return _render_artifact(artifact, lambda a: f"/p/artifacts/{a.id}/content")


@bp.get("/p/artifacts/<uuid:artifact_id>/content")
def public_artifact_content(artifact_id: uuid.UUID):
    artifact = db.session.get(Artifact, artifact_id)
    if artifact is None or not anyone_may_view(artifact) or artifact.current_version is None:
        raise _not_found()
    return send_version(artifact.current_version, inline=wants_inline())


@bp.get("/p/showcases/<uuid:showcase_id>")
def public_showcase(showcase_id: uuid.UUID):
    showcase = db.session.get(Showcase, showcase_id)
    if showcase is None or showcase.visibility != "public":
        raise _not_found()
    return _render_showcase(showcase, lambda a: f"/p/artifacts/{a.id}/content")


@bp.get("/s/<token>")
def shared(token: str):
    link = resolve_token(token)
    if link is None:
        raise _not_found()
    content_url = lambda a: f"/s/{token}/artifacts/{a.id}/content"  # noqa: E731
    if link.artifact is not None:
        return _render_artifact(link.artifact, content_url)
    return _render_showcase(link.showcase, content_url)


@bp.get("/s/<token>/artifacts/<uuid:artifact_id>/content")
def shared_content(token: str, artifact_id: uuid.UUID):
    link = resolve_token(token)
    if link is None:
        raise _not_found()
    if link.artifact is not None:
        artifact = link.artifact if link.artifact.id == artifact_id else None
    else:
        artifact = next((i.artifact for i in link.showcase.items if i.artifact_id == artifact_id), None)
    if artifact is None or artifact.current_version is None:
        raise _not_found()
    return send_version(artifact.current_version, inline=wants_inline())


@bp.after_request
def _no_referrer(response):
    # The token is in the URL: never leak it to sites the page links to, nor cache it.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
