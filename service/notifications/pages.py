"""The bell's page: recent notifications, mark as read, and the mail opt-out."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import audit
from ..auth import current_person, login_required
from ..extensions import db
from . import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
@login_required
def index():
    person = current_person()
    return render_template("notifications/index.html", notes=service.recent(person),
                           mail_wanted=service.mail_wanted(person.id), kinds=service.kinds_for(person),
                           muted=service.muted_kinds(person.id))


@bp.get("/<uuid:notification_id>")
@login_required
def open_one(notification_id: uuid.UUID):
    """Follow a notification: mark it read, then go where it points."""
    from .models import Notification

    person = current_person()
    note = db.session.get(Notification, notification_id)
    if note is None or note.person_id != person.id:
        return redirect(url_for(".index"))
    service.mark_read(person, note.id)
    db.session.commit()
    target = note.url or url_for(".index")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(".index"))


@bp.post("/read")
@login_required
def read_all():
    count = service.mark_read(current_person())
    db.session.commit()
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read." if count else "Nothing unread.",
          "success")
    return redirect(url_for(".index"))


@bp.post("/settings")
@login_required
def settings():
    person = current_person()
    wanted = request.form.get("email") == "on"
    # A kind is muted when its box is unticked (only the kinds this person receives are on the form).
    offered = [kind for kind, _ in service.kinds_for(person)]
    chosen = set(request.form.getlist("kinds"))
    muted = [kind for kind in offered if kind not in chosen] if "kinds-shown" in request.form else None
    service.set_mail_wanted(person, wanted, muted)
    audit.record("notifications.settings", obj=person, actor=person, email=wanted, muted=muted or [])
    db.session.commit()
    if not wanted:
        flash("E-mail notifications are off; the bell still shows them.", "success")
    elif muted:
        labels = dict(service.kinds_for(person))
        flash("You will get e-mail for everything but: " + ", ".join(labels[k].lower() for k in muted) + ".",
              "success")
    else:
        flash("You will get these notifications by e-mail too.", "success")
    return redirect(url_for(".index"))
