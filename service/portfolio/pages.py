"""Portfolio pages: plain HTML forms (POST, then redirect), no script needed."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..errors import Problem
from ..extensions import db
from ..models import Person
from ..policies import allowed, authorize, visible
from ..body_limits import accepts_body
from . import artifacts as ops
from . import sharing, showcases
from .api import get_artifact, get_showcase, get_version, get_visible_version, share_url
from .downloads import may_show_inline, send_version, wants_inline
from .models import VISIBILITIES, Artifact, ShareLink, Showcase

bp = Blueprint("portfolio_pages", __name__, url_prefix="/portfolio")


def _links_for(actor, **target):
    return db.session.scalars(visible(actor, ShareLink).filter_by(**target)
                              .order_by(ShareLink.created_at.desc())).all()


@bp.get("")
@login_required
def index():
    actor = current_person()
    # Only students have a portfolio of their own; others pick one of the students they may see.
    own = actor.id if actor.role == "student" else None
    owner_id = _uuid(request.args["student"]) if request.args.get("student") else own
    owner = db.session.get(Person, owner_id) if owner_id else None
    artifacts = db.session.scalars(visible(actor, Artifact).where(Artifact.owner_id == owner_id)
                                   .order_by(Artifact.updated_at.desc())).all() if owner else []
    students = []
    if actor.role != "student":
        ids = db.select(Artifact.owner_id).where(Artifact.id.in_(visible(actor, Artifact).with_only_columns(
            Artifact.id)))
        students = db.session.scalars(db.select(Person).where(Person.id.in_(ids)).order_by(Person.display_name)).all()
    return render_template("portfolio/index.html", artifacts=artifacts, owner=owner, students=students,
                           mine=owner is not None and owner.id == actor.id)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@accepts_body("upload")
def new():
    actor = current_person()
    if actor.role != "student":
        raise Problem(403, "Only students keep a portfolio.")
    error = None
    if request.method == "POST":
        form = request.form
        meta = dict(title=form.get("title", "").strip()[:200], description=form.get("description") or None,
                    reflection=form.get("reflection") or None, visibility=form.get("visibility", "private"))
        try:
            if form.get("kind") == "link":
                artifact = ops.create_artifact(actor, kind="link", url=form.get("url"),
                                               **{**meta, "title": meta["title"] or form.get("url", "")[:200]})
            else:
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise Problem(422, "Choose a file to upload.")
                content = ops.ingest_file(upload.stream, upload.filename)
                artifact = ops.create_artifact(actor, kind="file", content=content,
                                               **{**meta, "title": meta["title"] or content.filename})
            db.session.commit()
            return redirect(url_for(".artifact", artifact_id=artifact.id))
        except Problem as problem:
            db.session.rollback()
            error = _problem_text(problem)
    # The message sits beside what it is about: the link, or the file (which must be chosen again).
    field = ("url" if request.form.get("kind") == "link" else "file") if error else None
    return render_template("portfolio/new.html", error=error, errors={field: error} if field else {},
                           values=request.form, visibilities=VISIBILITIES), 422 if error else 200


@bp.get("/artifacts/<uuid:artifact_id>")
@login_required
def artifact(artifact_id: uuid.UUID):
    actor = current_person()
    item = get_artifact(actor, artifact_id)
    return _artifact_page(actor, item)


def _artifact_page(actor, item, *, error=None, new_link=None, status=200, confirm_error=None):
    can_edit = allowed(actor, "edit", item)
    return render_template("portfolio/artifact.html", artifact=item, can_edit=can_edit, error=error,
                           confirm_error=confirm_error,
                           owner=db.session.get(Person, item.owner_id), visibilities=VISIBILITIES,
                           links=_links_for(actor, artifact_id=item.id) if can_edit else [],
                           new_link=new_link, may_show_inline=may_show_inline), status


@bp.post("/artifacts/<uuid:artifact_id>/edit")
@login_required
def edit_artifact(artifact_id: uuid.UUID):
    actor = current_person()
    item = get_artifact(actor, artifact_id, "edit")
    form = request.form
    changes = {k: (form.get(k) or None) for k in ("description", "reflection") if k in form}
    if form.get("title", "").strip():
        changes["title"] = form["title"].strip()[:200]
    if form.get("visibility") in VISIBILITIES:
        changes["visibility"] = form["visibility"]
    ops.update_artifact(item, changes)
    ops.set_tags(item, _parse_tags(form.get("tags", "")))
    db.session.commit()
    return redirect(url_for(".artifact", artifact_id=item.id))


def _parse_tags(text: str) -> list[dict]:
    """One tag per line or comma: `ref` or `ref | label`."""
    tags = []
    for raw in text.replace(",", "\n").splitlines():
        ref, _, label = raw.partition("|")
        if ref.strip():
            tags.append({"competency_ref": ref.strip()[:200], "label": label.strip()[:200] or None})
    return tags


@bp.post("/artifacts/<uuid:artifact_id>/versions")
@login_required
@accepts_body("upload")
def add_version(artifact_id: uuid.UUID):
    actor = current_person()
    item = get_artifact(actor, artifact_id, "edit")
    try:
        if item.kind == "link":
            ops.add_version(item, actor, url=request.form.get("url"))
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise Problem(422, "Choose a file to upload.")
            ops.add_version(item, actor, content=ops.ingest_file(upload.stream, upload.filename))
        db.session.commit()
    except Problem as problem:
        db.session.rollback()
        return _artifact_page(actor, db.session.get(Artifact, artifact_id), error=_problem_text(problem),
                              status=problem.status)
    return redirect(url_for(".artifact", artifact_id=item.id))


@bp.post("/artifacts/<uuid:artifact_id>/versions/<int:number>/<any(rename, delete):change>")
@login_required
def change_version(artifact_id: uuid.UUID, number: int, change: str):
    """Rename a file version's download name, or delete a version after a tick (as PATCH and
    DELETE /api/v1/artifacts/<id>/versions/<n>); locked versions are refused either way."""
    actor = current_person()
    item = get_artifact(actor, artifact_id, "edit")
    version = get_version(item, number)
    try:
        if change == "delete":
            if request.form.get("confirmed") != "yes":
                raise Problem(422, f"Tick the box to confirm deleting version {number}.")
            ops.delete_version(version)
            message = f"Version {number} was deleted."
        else:
            ops.rename_version(version, (request.form.get("filename") or "").strip())
            message = f"Version {number} now downloads as “{version.filename}”."
        db.session.commit()
    except Problem as problem:
        db.session.rollback()
        return _artifact_page(actor, db.session.get(Artifact, artifact_id), status=problem.status,
                              error=f"Version {number}: {_problem_text(problem)}")
    flash(message, "success")
    return redirect(url_for(".artifact", artifact_id=item.id))


@bp.get("/artifacts/<uuid:artifact_id>/versions/<int:number>/content")
@login_required
def download(artifact_id: uuid.UUID, number: int):
    version = get_visible_version(current_person(), artifact_id, number)
    return send_version(version, inline=wants_inline())


@bp.post("/artifacts/<uuid:artifact_id>/delete")
@login_required
def delete_artifact(artifact_id: uuid.UUID):
    actor = current_person()
    item = get_artifact(actor, artifact_id, "edit")
    if request.form.get("confirmed") != "yes":
        return _artifact_page(actor, item, status=422,
                              confirm_error="Tick the box to confirm: a deleted piece of work cannot be brought back.")
    title = item.title
    try:
        ops.delete_artifact(item)
        db.session.commit()
    except Problem as problem:
        db.session.rollback()
        return _artifact_page(actor, db.session.get(Artifact, artifact_id), error=_problem_text(problem),
                              status=problem.status)
    flash(f"“{title}” was deleted.", "success")
    return redirect(url_for(".index"))


@bp.post("/share")
@login_required
def share():
    actor = current_person()
    form = request.form
    if form.get("artifact_id"):
        target = get_artifact(actor, _uuid(form["artifact_id"]), "edit")
    else:
        target = get_showcase(actor, _uuid(form.get("showcase_id")), "edit")
    try:
        days = int(form.get("days") or sharing.DEFAULT_DAYS)
        link, token = sharing.create_share_link(actor, target, days=days, label=form.get("label") or None)
        db.session.commit()
        new_link, error, status = share_url(token), None, 201
    except (Problem, ValueError) as exc:
        db.session.rollback()
        new_link, error, status = None, _problem_text(exc), getattr(exc, "status", 422)
    if isinstance(target, Artifact):
        return _artifact_page(actor, target, new_link=new_link, error=error, status=status)
    return _showcase_page(actor, target, new_link=new_link, error=error, status=status)


@bp.post("/share/<uuid:link_id>/revoke")
@login_required
def revoke(link_id: uuid.UUID):
    link = db.session.get(ShareLink, link_id)
    authorize(current_person(), "revoke", link, what="share link")
    sharing.revoke_share_link(link)
    db.session.commit()
    if link.artifact_id:
        return redirect(url_for(".artifact", artifact_id=link.artifact_id))
    return redirect(url_for(".showcase", showcase_id=link.showcase_id))


@bp.route("/showcases", methods=["GET", "POST"])
@login_required
def showcase_list():
    actor = current_person()
    if request.method == "POST":
        item = showcases.create_showcase(actor, title=request.form.get("title", "").strip()[:200] or "Showcase",
                                         description=request.form.get("description") or None,
                                         visibility=_visibility(request.form.get("visibility")))
        db.session.commit()
        return redirect(url_for(".showcase", showcase_id=item.id))
    items = db.session.scalars(visible(actor, Showcase).order_by(Showcase.created_at)).all()
    return render_template("portfolio/showcases.html", showcases=items, visibilities=VISIBILITIES)


@bp.get("/showcases/<uuid:showcase_id>")
@login_required
def showcase(showcase_id: uuid.UUID):
    actor = current_person()
    return _showcase_page(actor, get_showcase(actor, showcase_id))


def _showcase_page(actor, item, *, error=None, new_link=None, status=200, confirm_error=None):
    can_edit = allowed(actor, "edit", item)
    in_showcase = {i.artifact_id for i in item.items}
    candidates = []
    if can_edit:
        candidates = [a for a in db.session.scalars(db.select(Artifact).where(Artifact.owner_id == actor.id)
                                                    .order_by(Artifact.title)) if a.id not in in_showcase]
    return render_template("portfolio/showcase.html", showcase=item, can_edit=can_edit, candidates=candidates,
                           visibilities=VISIBILITIES, error=error, new_link=new_link, confirm_error=confirm_error,
                           links=_links_for(actor, showcase_id=item.id) if can_edit else [],
                           owner=db.session.get(Person, item.owner_id)), status


@bp.post("/showcases/<uuid:showcase_id>/edit")
@login_required
def edit_showcase(showcase_id: uuid.UUID):
    item = get_showcase(current_person(), showcase_id, "edit")
    changes = {"description": request.form.get("description") or None,
               "visibility": _visibility(request.form.get("visibility"), item.visibility)}
    if request.form.get("title", "").strip():
        changes["title"] = request.form["title"].strip()[:200]
    try:
        showcases.update_showcase(item, changes, confirm_exposure=request.form.get("confirm_exposure") == "1")
    except Problem as problem:
        return _ask_to_expose(item, problem, url_for(".edit_showcase", showcase_id=item.id))
    db.session.commit()
    return redirect(url_for(".showcase", showcase_id=item.id))


def _ask_to_expose(item, problem, action_url):
    """The warning page: which artifacts would be shown to whom, and a button to go ahead."""
    db.session.rollback()
    if problem.type != "exposure-not-confirmed":
        raise problem
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirm_exposure")]
    return render_template("portfolio/confirm_exposure.html", showcase=db.session.get(Showcase, item.id),
                           problem=problem, action_url=action_url, fields=fields), 409


@bp.post("/showcases/<uuid:showcase_id>/items")
@login_required
def change_items(showcase_id: uuid.UUID):
    """add / remove / up / down, one artifact at a time."""
    actor = current_person()
    item = get_showcase(actor, showcase_id, "edit")
    artifact_id = _uuid(request.form.get("artifact_id"))
    ids = [i.artifact_id for i in item.items]
    action = request.form.get("action")
    if action == "add" and artifact_id not in ids:
        try:
            showcases.set_items(item, actor, ids + [artifact_id],
                                confirm_exposure=request.form.get("confirm_exposure") == "1")
        except Problem as problem:
            return _ask_to_expose(item, problem, url_for(".change_items", showcase_id=item.id))
    elif action == "remove" and artifact_id in ids:
        showcases.set_items(item, actor, [i for i in ids if i != artifact_id])
    elif action in ("up", "down"):
        showcases.move_item(item, actor, artifact_id, -1 if action == "up" else 1)
    db.session.commit()
    return redirect(url_for(".showcase", showcase_id=item.id))


@bp.post("/showcases/<uuid:showcase_id>/delete")
@login_required
def delete_showcase(showcase_id: uuid.UUID):
    actor = current_person()
    item = get_showcase(actor, showcase_id, "edit")
    if request.form.get("confirmed") != "yes":
        return _showcase_page(actor, item, status=422, confirm_error="Tick the box to confirm.")
    title = item.title
    showcases.delete_showcase(item)
    db.session.commit()
    flash(f"The showcase “{title}” was deleted.", "success")
    return redirect(url_for(".showcase_list"))


def _visibility(value, default="private"):
    return value if value in VISIBILITIES else default


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Problem(404, "No such object.") from None


def _problem_text(exc) -> str:
    """A sentence for people: field messages joined, capitalised; reason codes stay in the API."""
    details = [e["detail"] for e in getattr(exc, "errors", None) or [] if e.get("detail")]
    text = "; ".join(details) or getattr(exc, "detail", None) or str(exc)
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


@bp.context_processor
def _helpers():
    from ..models import utcnow

    return {"now": utcnow}
