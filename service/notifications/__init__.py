"""Notifications: the in-app bell (returned work, new scores, badges earned,
approvals waiting) and the same by e-mail, with a per-person opt-out.

Listens to `service.events`; other features never call it directly.
"""
from . import models  # noqa: F401  (registers the tables; migration 0010_web)


def init_app(app):
    from .. import events
    from . import outbox  # noqa: F401  (mail after commit)
    from . import pages, service

    events.submission_returned.connect(service.on_submission_returned, weak=False)
    events.submission_scored.connect(service.on_submission_scored, weak=False)
    events.award_issued.connect(service.on_award_issued, weak=False)
    events.award_pending.connect(service.on_award_pending, weak=False)
    app.register_blueprint(pages.bp)
