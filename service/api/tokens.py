"""Bearer tokens: exchange email + password for a scoped, expiring token."""
from __future__ import annotations

import uuid

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from .pagination import listing
from .. import audit
from ..auth import api_auth, require_person
from ..auth.login import authenticate
from ..auth.tokens import issue_token
from ..errors import Problem, field_error, validation_problem
from ..extensions import db
from ..models import ApiToken, Role, utcnow
from .schemas import NewTokenSchema, TokenCreateSchema, TokenSchema

blp = Blueprint("tokens", __name__, description="API tokens")

# The most a token of each role may carry.
SCOPES_BY_ROLE = {
    Role.STUDENT.value: {"read", "write"},
    Role.GUARDIAN.value: {"read"},
    Role.TEACHER.value: {"read", "write", "issue"},
    Role.ADMIN.value: {"read", "write", "issue", "admin"},
}


def create_token(person, name: str, scopes: list[str], days: int | None) -> ApiToken:
    """A new token of the (already authenticated) person; `.secret` holds the secret, shown once.
    Shared by POST /tokens and the page /account/tokens. Commits."""
    refused = sorted(set(scopes) - SCOPES_BY_ROLE[person.role])
    if refused:
        raise validation_problem([field_error("scopes", f"a {person.role} may not hold: {', '.join(refused)}")])
    days = days or current_app.config["API_TOKEN_DEFAULT_DAYS"]
    token, secret = issue_token(person, name=name, scopes=scopes, days=days)
    db.session.flush()
    audit.record("token.create", obj=token, actor=person, organization_id=person.organization_id,
                 scopes=token.scopes)
    db.session.commit()
    token.secret = secret  # transient: returned this once, never stored
    return token


def revoke_token(person, token_id) -> None:
    """Revoke one of the person's own tokens (404 for anyone else's). Commits."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != person.id:
        raise Problem(404, "No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token.revoke", obj=token, organization_id=person.organization_id)
        db.session.commit()


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    @blp.doc(security=[])
    def post(self, body):
        """Create a token from an email and password."""
        person = authenticate(body["email"], body["password"])  # 401, or 429 with Retry-After
        return create_token(person, body["name"], body["scopes"], body["expires_in_days"])

    @api_auth("read")
    @blp.response(200, TokenSchema(many=True))
    @listing(blp)
    def get(self):
        """List your own tokens (secrets are never shown again)."""
        person = require_person()
        return db.session.scalars(db.select(ApiToken).where(ApiToken.person_id == person.id)
                                  .order_by(ApiToken.created_at.desc(), ApiToken.id)).all()


@blp.route("/tokens/<uuid:token_id>")
class TokenById(MethodView):
    @api_auth("read")
    @blp.response(204)
    def delete(self, token_id: uuid.UUID):
        """Revoke one of your tokens."""
        revoke_token(require_person(), token_id)
