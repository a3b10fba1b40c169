"""Mail that waits for the commit: a rolled-back action mails nobody.

`queue_mail` parks a message on the current database session; after that
session commits, every parked message is sent through `service.mail.send_mail`
(failures are logged: the action itself already happened). A rollback drops
them.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..mail import MailError, send_mail

log = logging.getLogger(__name__)
_KEY = "notifications.outbox"


def queue_mail(to: str, subject: str, text: str) -> None:
    db.session().info.setdefault(_KEY, []).append((to, subject, text))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    messages = session.info.pop(_KEY, None)
    if not messages or not has_app_context():
        return
    for to, subject, text in messages:
        try:
            send_mail(to, subject, text)
        except MailError as exc:
            log.warning("notification mail to %s not sent: %s", to, exc)
    current_app.logger.debug("sent %d notification mail(s)", len(messages))


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing of it happened
        session.info.pop(_KEY, None)
