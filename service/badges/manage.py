"""Pages for teachers and admins: badge classes, the approval queue, and bulk
awards with a live progress page (the same job the API reports on)."""
from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, request, url_for

from .. import jobs as job_runner
from ..auth import current_person, login_required
from ..errors import Problem
from ..extensions import db
from ..models import Job, Role, Section
from ..policies import allowed, authorize, visible
from . import actions, jobs
from .models import Award, BadgeClass

bp = Blueprint("badges_manage", __name__)
STAFF = (Role.TEACHER.value, Role.ADMIN.value)


def _staff():
    person = current_person()
    if person.role not in STAFF:
        raise Problem(403, "Badge management is for teachers and admins.")
    return person


@bp.get("/badges/manage")
@login_required
def manage():
    actor = _staff()
    badge_classes = db.session.scalars(visible(actor, BadgeClass).where(BadgeClass.archived_at.is_(None))
                                       .order_by(BadgeClass.name)).all()
    pending = db.session.scalars(visible(actor, Award).where(Award.status == "pending_approval")
                                 .order_by(Award.created_at)).all()
    pending = [a for a in pending if allowed(actor, "approve", a)]
    sections = [s for s in db.session.scalars(visible(actor, Section).order_by(Section.name))
                if allowed(actor, "teach", s) or allowed(actor, "manage", s)]
    recent = db.session.scalars(visible(actor, Job).where(Job.kind == jobs.KIND)
                                .order_by(Job.created_at.desc()).limit(10)).all()
    names = {str(bc.id): bc.name for bc in badge_classes}
    return render_template("badges/manage.html", badge_classes=badge_classes, pending=pending, sections=sections,
                           recent=recent, names=names, can_edit=lambda bc: allowed(actor, "edit", bc))


@bp.post("/badges/manage/awards/<uuid:award_id>/<any(approve, reject):decision>")
@login_required
def decide(award_id: uuid.UUID, decision: str):
    actor = _staff()
    actions.decide(actor, db.session.get(Award, award_id), decision, reason=request.form.get("reason"))
    return redirect(url_for("badges_manage.manage"))


@bp.post("/badges/manage/classes/<uuid:badge_class_id>/bulk")
@login_required
def bulk(badge_class_id: uuid.UUID):
    """A whole section: goes to the preview, where the teacher confirms (badges_awards)."""
    _staff()
    try:
        section_id = uuid.UUID(request.form.get("section_id", ""))
    except ValueError:
        raise Problem(422, "Choose a section.") from None
    return redirect(url_for("badges_awards.award_students", badge_class_id=badge_class_id, section_id=section_id))


@bp.get("/badges/jobs/<uuid:job_id>")
@login_required
def job_page(job_id: uuid.UUID):
    actor = _staff()
    job = db.session.get(Job, job_id)
    if job is not None and job.kind != jobs.KIND:
        job = None  # only bulk issuance jobs are reported here
    authorize(actor, "view", job, what="job")
    job_runner.revive_if_abandoned(job)
    badge_class = db.session.get(BadgeClass, uuid.UUID(job.payload["badge_class_id"]))
    return render_template("badges/job.html", job=jobs.progress(job), badge_class=badge_class,
                           api_url=url_for("badges.BulkJobById", job_id=job.id))


def home_links(person) -> list[dict]:
    if person is not None and person.role in STAFF:
        return [{"url": url_for("badges_manage.manage"), "label": "Badge classes and awards"}]
    return []


def init_app(app) -> None:
    app.register_blueprint(bp)
