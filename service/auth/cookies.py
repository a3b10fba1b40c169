"""Flask's signed session cookie, without its per-request overheads.

Flask builds a new signing serializer on every request (itsdangerous then
test-dumps a JSON object to check it), reads seven cookie settings on every
response, and re-signs and re-sends a permanent session's cookie on every
request. Here the serializer is built once per secret key, a request without
the cookie (every bearer-token API call) does no cookie work at all, and the
cookie is only re-sent when its content changes (SESSION_REFRESH_EACH_REQUEST
is off: a sign-in's end is decided by its `login_sessions` row, which does not
slide, so refreshing the cookie's expiry bought nothing).
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer = None
        self._serializer_keys = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._serializer_keys:
            self._serializer = super().get_signing_serializer(app)
            self._serializer_keys = keys
        return self._serializer

    def open_session(self, app, request):
        # The raw header first: werkzeug's parsed cookies walk the whole environ.
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class() if app.secret_key else None
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            # Nothing to send or delete (Flask's own early return, minus the settings it reads first).
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
