"""Password pages: change your own, ask for a reset link, set a new one with it."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..auth.account import set_password
from ..auth.current import require_csrf
from ..auth.passwords import check_password, password_problems
from ..auth.reset import ResetLinkSpent, complete_reset, find_usable, request_reset
from ..extensions import db
from . import bp


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your own password: other browsers are signed out and API tokens revoked."""
    person = current_person()
    errors: list[str] = []
    if request.method == "POST":
        if not check_password(person.password_hash, request.form.get("current_password", "")):
            errors.append("The current password is wrong.")
        new = request.form.get("new_password", "")
        errors += [f"The new password {p}." for p in password_problems(new)]
        if new != request.form.get("confirm_password", ""):
            errors.append("The two new passwords differ.")
        if not errors:
            set_password(person, new, reason="password_change", keep_session=g.get("login_session"))
            db.session.commit()
            return render_template("password_change.html", done=True)
    return render_template("password_change.html", errors=errors), 422 if errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    sent = False
    if request.method == "POST":
        require_csrf()
        request_reset(request.form.get("email", ""))
        sent = True  # the same answer whether or not the address has an account
    return render_template("password_forgot.html", sent=sent)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    row = find_usable(token)
    if row is None:
        return render_template("password_reset.html", invalid=True), 404
    errors: list[str] = []
    if request.method == "POST":
        require_csrf()
        new = request.form.get("new_password", "")
        errors = [f"The new password {p}." for p in password_problems(new)]
        if new != request.form.get("confirm_password", ""):
            errors.append("The two passwords differ.")
        if not errors:
            try:
                complete_reset(row, new)
            except ResetLinkSpent:
                db.session.rollback()
                return render_template("password_reset.html", invalid=True), 404
            db.session.commit()
            return redirect(url_for("web.login", reset="done"))
    return render_template("password_reset.html", errors=errors), 422 if errors else 200
