"""POST /api/v1/password-reset and /api/v1/password-reset/confirm: the JSON twin of
/password/forgot and /password/reset/<token>, through the same actions (reset.py).

No account is needed. Asking always answers 202 with the same body, whether or
not the address has an account; both are throttled per client address (429 with
Retry-After). Errors are problem+json naming the field.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..api.schemas import StrictSchema
from .reset import ask_for_reset, reset_with_token

blp = Blueprint("password-reset", __name__, description="Password reset by e-mail (no account needed)")


class ResetRequestSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320),
                          metadata={"description": "The account's e-mail address"})


class ResetConfirmSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "The token at the end of the mailed link /password/reset/<token>"})
    new_password = fields.String(required=True, validate=validate.Length(max=1024),
                                 metadata={"description": "At least 10 characters"})


class ResetAnswerSchema(StrictSchema):
    status = fields.String(metadata={"description": "requested, or done"})
    detail = fields.String()


@blp.route("/password-reset")
class PasswordResetRequest(MethodView):
    @blp.doc(security=[])
    @blp.arguments(ResetRequestSchema)
    @blp.response(202, ResetAnswerSchema)
    def post(self, body):
        """Mail a single-use reset link to the address if it has an account (the same answer if not)."""
        ask_for_reset(body["email"])
        return {"status": "requested",
                "detail": "If that address belongs to an account, a link to choose a new password was sent to it."}


@blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @blp.doc(security=[])
    @blp.arguments(ResetConfirmSchema)
    @blp.response(200, ResetAnswerSchema)
    def post(self, body):
        """Set a new password with the mailed token: every session and API token of the account ends."""
        reset_with_token(body["token"], body["new_password"])
        return {"status": "done", "detail": "The password is changed; sign in with it."}
