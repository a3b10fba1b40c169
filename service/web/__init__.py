"""Server-rendered pages: sign-in, the home page of each role, problem docs."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from .. import audit
from ..auth import current_person, login_required
from ..auth.passwords import check_password, hash_password, needs_rehash
from ..errors import PROBLEM_TYPES
from ..extensions import db
from ..models import Person

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
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        person = db.session.scalar(db.select(Person).where(Person.email == email))
        if person and person.is_active and check_password(person.password_hash, password):
            if needs_rehash(person.password_hash):
                person.password_hash = hash_password(password)
            session.clear()  # a fresh session id on login (no session fixation)
            session["person_id"] = str(person.id)
            session["session_version"] = person.session_version
            session.permanent = True
            audit.record("session.login", obj=person, actor=person)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = "Email or password is wrong."
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
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
