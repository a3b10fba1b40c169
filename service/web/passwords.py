"""Password pages: change your own, ask for a reset link, set a new one with it."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ..auth import current_person, login_required
from ..auth.account import set_password
from ..auth.current import require_csrf
from ..auth.passwords import check_password, password_problems
from ..auth.reset import ask_for_reset, find_usable, reset_with_token
from ..errors import Problem
from ..extensions import db
from . import bp
from .messages import field_messages


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your own password: other browsers are signed out and API tokens revoked."""
    person = current_person()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not check_password(person.password_hash, request.form.get("current_password", "")):
            errors["current_password"] = "The current password is wrong."
        new = request.form.get("new_password", "")
        for problem in password_problems(new)[:1]:
            errors["new_password"] = f"The new password {problem}."
        if new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = "The two new passwords differ."
        if not errors:
            set_password(person, new, reason="password_change", keep_session=g.get("login_session"))
            db.session.commit()
            return render_template("password_change.html", done=True)
    return render_template("password_change.html", errors=errors), 422 if errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    sent, values = False, {}
    if request.method == "POST":
        require_csrf()
        values = {"email": request.form.get("email", "")}
        ask_for_reset(values["email"])  # 429 when this address asked too often
        sent = True  # the same answer whether or not the address has an account
    return render_template("password_forgot.html", sent=sent, values=values)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if find_usable(token) is None:
        return render_template("password_reset.html", invalid=True), 404
    errors: dict[str, str] = {}
    if request.method == "POST":
        require_csrf()
        try:
            reset_with_token(token, request.form.get("new_password", ""), request.form.get("confirm_password", ""))
        except Problem as exc:
            errors = field_messages(exc)
            if "token" in errors:
                return render_template("password_reset.html", invalid=True), 404
        else:
            return redirect(url_for("web.login", reset="done"))
    return render_template("password_reset.html", errors=errors), 422 if errors else 200
