"""The page for one's own API tokens: list, create (after the password again:
a token outlives the browser session), revoke. The same functions as POST and
DELETE /api/v1/tokens (service/api/tokens.py)."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for

from ..api.tokens import SCOPES_BY_ROLE, create_token, revoke_token
from ..auth import current_person, login_required
from ..auth.login import authenticate
from ..auth.tokens import SCOPES
from ..errors import Problem
from ..extensions import db
from ..models import ApiToken
from . import bp
from .messages import field_messages


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    person = current_person()
    errors: dict[str, str] = {}
    values: dict = {"name": "", "scopes": ["read"], "days": ""}
    new_token = None
    if request.method == "POST" and request.form.get("action") == "revoke":
        if request.form.get("confirmed") != "yes":
            errors["revoke"] = "Tick the box beside the token to confirm."
        else:
            try:
                token_id = uuid.UUID(request.form.get("token_id", ""))
            except ValueError:
                raise Problem(404, "No such token.") from None
            revoke_token(person, token_id)
            flash("The token was revoked: scripts using it now get 401.", "success")
            return redirect(url_for("web.api_tokens"))
    elif request.method == "POST":
        values = {"name": request.form.get("name", "").strip(), "scopes": request.form.getlist("scopes"),
                  "days": request.form.get("days", "").strip()}
        if not values["name"]:
            errors["name"] = "Name the token after the script or tool that uses it."
        if not values["scopes"]:
            errors["scopes"] = "Choose at least one permission."
        try:
            days = int(values["days"]) if values["days"] else None
            if days is not None and not 1 <= days <= 365:
                raise ValueError
        except ValueError:
            errors["days"] = "Give a number of days from 1 to 365, or leave it empty."
            days = None
        if not errors:
            try:
                authenticate(person.email, request.form.get("password", ""))  # throttled like sign-in
            except Problem as exc:
                if exc.status == 429:
                    raise
                errors["password"] = "The password is wrong."
        if not errors:
            try:
                new_token = create_token(person, values["name"][:100], values["scopes"], days)
                values = {"name": "", "scopes": ["read"], "days": ""}  # the form is ready for the next one
            except Problem as exc:
                if exc.status != 422:
                    raise
                errors = field_messages(exc)
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.person_id == person.id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    scopes = [(s, SCOPES[s]) for s in SCOPES if s in SCOPES_BY_ROLE[person.role]]
    return render_template("account_tokens.html", tokens=tokens, scopes=scopes, values=values, errors=errors,
                           new_token=new_token), 422 if errors else (201 if new_token else 200)
