"""Server-rendered pages: sign-in, the home page of each role, problem docs."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import audit
from ..auth import current_person, login_required
from ..auth import sessions
from ..auth.current import require_csrf
from ..auth.login import LoginRefused, authenticate
from ..errors import PROBLEM_TYPES
from ..extensions import db

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    if current_person() is None:
        return redirect(url_for("web.login"))
    return redirect(url_for("web.home"))


@bp.get("/home")
@login_required
def home():
    return render_template("home.html", person=current_person())


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


from . import passwords  # noqa: E402,F401  (registers the password pages on bp)
