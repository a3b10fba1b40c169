"""Server-rendered pages: sign-in, the home page of each role, the guardian's
children, problem docs; and what every page shares (navigation, breadcrumbs,
flash messages, the bell, the development origin check)."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from .. import audit
from ..auth import current_person, login_required
from ..auth import sessions
from ..auth.current import require_csrf
from ..auth.login import LoginRefused, authenticate
from ..errors import PROBLEM_TYPES
from ..extensions import db

bp = Blueprint("web", __name__)


@bp.record_once
def _install(state):
    from . import fragments

    fragments.install()


@bp.before_app_request
def _before():
    from .flashes import remember_flash_count
    from .origin import check_origin

    check_origin()
    remember_flash_count()


@bp.after_app_request
def _after(response):
    from .flashes import confirm_action

    return confirm_action(response)


@bp.app_context_processor
def _layout_helpers():
    from .navigation import breadcrumbs, nav_for

    def unread_notifications(person):
        if person is None or "notifications.index" not in current_app.view_functions:
            return 0
        from ..notifications.service import unread_count

        return unread_count(person)

    return {"nav_items": nav_for, "breadcrumbs": breadcrumbs, "unread_notifications": unread_notifications,
            "view_functions": current_app.view_functions}


@bp.get("/")
def index():
    if current_person() is None:
        return redirect(url_for("web.login"))
    return redirect(url_for("web.home"))


@bp.get("/home")
@login_required
def home():
    from .home import dashboard

    person = current_person()
    data = dashboard(person)
    html = render_template("home.html", person=person, d=data)
    # Dashboards may create default settings rows (scales). Committing before
    # rendering would expire every loaded row and reload each one in the template.
    db.session.commit()
    return html


@bp.get("/children")
@login_required
def children():
    """A guardian's children: progress and badges, read-only."""
    from .home import children_of

    person = current_person()
    if person.role != "guardian":
        abort(404)
    return render_template("guardian/children.html", children=children_of(person))


@bp.get("/children/<uuid:student_id>/badges")
@login_required
def child_badges(student_id):
    """A child's badges as their guardian sees them: valid, suspended and revoked, nothing to change."""
    from ..assessment.progress import followed_student
    from ..badges.models import Award
    from ..badges.pages import STATUS_LABELS
    from ..policies import visible

    person = current_person()
    if person.role != "guardian":
        abort(404)
    student = followed_student(person, student_id)
    awards = db.session.scalars(visible(person, Award).where(Award.recipient_id == student.id)
                                .order_by(Award.issued_at.desc())).all()
    return render_template("guardian/badges.html", student=student, awards=awards, labels=STATUS_LABELS)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        require_csrf()
        try:
            person = authenticate(request.form.get("email", ""), request.form.get("password", ""))
        except LoginRefused as refused:
            error, status, headers = refused.detail, refused.status, refused.headers
        else:
            sessions.start(person)  # a fresh session id on login (no session fixation)
            audit.record("session.login", obj=person, actor=person)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), status, headers


@bp.post("/logout")
def logout():
    person = current_person()
    if person is not None:  # load_identity has checked the CSRF token
        sessions.end_current("logout")
        audit.record("session.logout", obj=person, actor=person)
        db.session.commit()
    return redirect(url_for("web.login"))


@bp.get("/problems/<slug>")
def problem_type(slug: str):
    if slug not in PROBLEM_TYPES:
        abort(404)
    return render_template("problem_type.html", slug=slug, description=PROBLEM_TYPES[slug])


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("web.home")


from . import api_tokens, passwords  # noqa: E402,F401  (register the account pages on bp)
