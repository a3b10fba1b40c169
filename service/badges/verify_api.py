"""POST /api/v1/verify: verify any Open Badge 3.0 credential, no account needed.

JSON body with exactly one of `credential` (object or its text), `jwt`
(compact VC-JWT) or `url`; or multipart/form-data with a baked PNG/SVG in
`file` (or the same fields as form fields). The answer is always 200 with the
report when the input could be read at all: `verified: false` is a result,
not an error.
"""
from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields

from ..api.schemas import StrictSchema
from ..errors import Problem, field_error, flatten_messages, validation_problem
from ..body_limits import accepts_body
from .verification import MAX_INPUT_BYTES, InputError, verify_input

blp = Blueprint("verify", __name__, description="Verify any Open Badges 3.0 credential (ours or anyone's)")


class VerifyRequestSchema(StrictSchema):
    credential = fields.Raw(metadata={"description": "The credential: a JSON object, or its text"})
    jwt = fields.String(metadata={"description": "A compact VC-JWT"})
    url = fields.String(metadata={"description": "An http(s) URL where the credential or baked image is published"})
    recipient = fields.String(metadata={"description": "Optional: the applicant's e-mail address (or subject id), "
                                                       "checked against the credential's hashed recipient"})


class CheckSchema(Schema):
    check = fields.String(metadata={"description": "parse, context, type, schema, subject, proof, key_binding, "
                                                   "status, validity, recipient, evidence"})
    status = fields.String(metadata={"description": "pass, fail, warning or skipped"})
    message = fields.String()


class KeyBindingSchema(Schema):
    bound = fields.Boolean(metadata={"description": "the signing key is proven to be the issuer's"})
    how = fields.String(metadata={"description": "did:key, did-document, issuer-origin or unbound"})
    detail = fields.String()


class VerificationSchema(Schema):
    verified = fields.Boolean(metadata={"description": "true only when no check failed, key_binding included: "
                                                      "the credential is valid AND signed by its issuer's key"})
    conformant = fields.Boolean(metadata={"description": "every check 1EdTech's validator makes passed (signature "
                                                        "valid), whether or not the key is proven the issuer's"})
    key_binding = fields.Nested(KeyBindingSchema, allow_none=True,
                                metadata={"description": "how the signing key is tied to the issuer named"})
    format = fields.String(allow_none=True, metadata={"description": "json, jwt, png or svg"})
    checks = fields.List(fields.Nested(CheckSchema))
    issuer = fields.Dict(allow_none=True, metadata={"description": "id, name, url, image; ours: issued here "
                                                                   "(true only when verified)"})
    badge = fields.Dict(allow_none=True, metadata={"description": "name, description, criteria, image, dates"})
    evidence = fields.List(fields.Dict(), metadata={"description": "each evidence entry and its digest check"})
    credential = fields.Dict(allow_none=True, metadata={"description": "the credential that was checked"})
    recipient = fields.Dict(allow_none=True, metadata={"description": "who it was issued to: subject id and "
                                                                       "identifiers (hashed ones not revealed)"})
    transcript = fields.Dict(allow_none=True, metadata={
        "description": "for a CLR transcript: policy version and URL, courses, credits and GPA as shown "
                       "(each recomputed in the `consistency` checks)"})


_MULTIPART_DOC = {"content": {
    "application/json": {"schema": VerifyRequestSchema},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": "A baked PNG or SVG badge image"},
        "credential": {"type": "string"}, "jwt": {"type": "string"}, "url": {"type": "string"},
        "recipient": {"type": "string"}}}},
}}


def read_request() -> dict:
    """The verification input of this request, as keyword arguments of verify_input."""
    if request.content_length and request.content_length > MAX_INPUT_BYTES + 64 * 1024:
        raise Problem(413, "Verification input is limited to 10 MiB.", type="payload-too-large")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        unknown = [name for name in list(request.form) + list(request.files)
                   if name not in ("file", "credential", "jwt", "url", "recipient", "csrf_token")]
        if unknown:
            raise validation_problem([field_error(name, "Unknown field.") for name in unknown])
        data = upload.read(MAX_INPUT_BYTES + 1) if upload and upload.filename else None
        return {"upload": data or None,
                **{name: request.form.get(name) or None for name in ("credential", "jwt", "url", "recipient")}}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "Send a JSON object with credential, jwt or url, or a multipart form with a file.",
                      type="malformed-request")
    if all(name in _FIELDS and value is not None and (name == "credential" or type(value) is str)
           for name, value in body.items()):
        return dict(body)  # what the schema's load returns for such a body, without its overhead
    try:
        return _REQUEST_SCHEMA.load(body)
    except ValidationError as exc:
        raise validation_problem(flatten_messages(exc.messages)) from None


_REQUEST_SCHEMA = VerifyRequestSchema()  # built once: a schema instance is reusable and costly to create
_FIELDS = frozenset(_REQUEST_SCHEMA.fields)


@blp.route("/verify")
class Verify(MethodView):
    @blp.doc(security=[], requestBody=_MULTIPART_DOC)
    @blp.response(200, VerificationSchema)
    @accepts_body("document")
    def post(self):
        """Verify a credential given as JSON, a compact JWT, a baked image or a URL.

        Checks signature (Data Integrity or VC-JWT; did:key, did:web and our own
        issuers), schema, revocation and suspension, validity dates and, where
        reachable, that each evidence item still matches its signed digest.
        """
        try:
            # A Response: flask-smorest then uses VerificationSchema for the docs only. The report
            # already has exactly the schema's shape (tests/badges/test_verify_api.py checks
            # dump(report) == report), and a marshmallow dump of it cost a tenth of the request.
            return jsonify(verify_input(**read_request()))
        except InputError as exc:
            raise validation_problem([field_error(exc.field, str(exc))], detail=str(exc)) from None
