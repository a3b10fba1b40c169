"""Creating notifications from domain events, and reading them.

Receivers run inside the sender's transaction (see service/events.py): the
notification rows commit with the change they announce, and mail is parked
until that commit (outbox.py). People opt out of mail wholly or per kind; the bell
always shows.
"""
from __future__ import annotations

import uuid

from flask import current_app, has_request_context, url_for

from ..extensions import db
from ..models import Enrolment, Person, Role, utcnow
from .models import Notification, NotificationSetting
from ..mail import mail_enabled
from .outbox import queue_mail


# Each kind of notification, as its owner's mail settings name it, and the roles that receive it.
KINDS = {"returned": ("Work returned for revision", (Role.STUDENT.value,)),
         "scored": ("Work scored", (Role.STUDENT.value,)),
         "badge_earned": ("Badges earned", (Role.STUDENT.value,)),
         "approval_waiting": ("Badges waiting for my approval", (Role.TEACHER.value,))}


def kinds_for(person: Person) -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, roles) in KINDS.items() if person.role in roles]


def mail_wanted(person_id: uuid.UUID, kind: str | None = None) -> bool:
    """Mail is on unless the person turned it off, wholly or for this kind."""
    setting = db.session.get(NotificationSetting, person_id)
    if setting is None:
        return True
    return setting.email_enabled and kind not in (setting.email_muted_kinds or [])


def muted_kinds(person_id: uuid.UUID) -> list[str]:
    setting = db.session.get(NotificationSetting, person_id)
    return list(setting.email_muted_kinds or []) if setting is not None else []


def set_mail_wanted(person: Person, wanted: bool, muted: list[str] | None = None) -> None:
    """Mail on or off, and (when given) the kinds not to mail; unknown kinds are ignored."""
    setting = db.session.get(NotificationSetting, person.id)
    if setting is None:
        setting = NotificationSetting(person_id=person.id, email_muted_kinds=[])
        db.session.add(setting)
    setting.email_enabled = wanted
    if muted is not None:
        setting.email_muted_kinds = sorted(k for k in set(muted) if k in KINDS)


def notify(person: Person, kind: str, title: str, path: str | None, body: str | None = None) -> Notification:
    with db.session.no_autoflush:  # inside batches: keep their single multi-row flush
        return _notify(person, kind, title, path, body)


def _notify(person, kind, title, path, body) -> Notification:
    note = Notification(person_id=person.id, kind=kind, title=title[:300], url=path, body=body)
    db.session.add(note)
    # Without SMTP there is nothing to send: skip the per-person preference lookup (bulk jobs).
    if mail_enabled() and person.is_active and person.email and mail_wanted(person.id, kind):
        link = f"{current_app.config['PUBLIC_BASE_URL']}{path}" if path else current_app.config["PUBLIC_BASE_URL"]
        text = (f"Hello {person.display_name},\n\n{title}.\n"
                + (f"\n{body}\n" if body else "")
                + f"\nOpen it: {link}\n\nYou can turn these e-mails off on your notifications page:\n"
                f"{current_app.config['PUBLIC_BASE_URL']}/notifications\n")
        queue_mail(person.email, title, text)
    return note


def unread_count(person: Person) -> int:
    return db.session.scalar(db.select(db.func.count(Notification.id)).where(
        Notification.person_id == person.id, Notification.read_at.is_(None))) or 0


def recent(person: Person, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).where(Notification.person_id == person.id)
                                   .order_by(Notification.created_at.desc(), Notification.id).limit(limit)))


def mark_read(person: Person, notification_id: uuid.UUID | None = None) -> int:
    update = db.update(Notification).where(Notification.person_id == person.id, Notification.read_at.is_(None))
    if notification_id is not None:
        update = update.where(Notification.id == notification_id)
    return db.session.execute(update.values(read_at=utcnow())).rowcount or 0


# -- receivers of service/events.py ---------------------------------------------------------
def _path(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    key = (endpoint, tuple(sorted(values.items())))
    cached = _JOB_PATHS.get(key)
    if cached is None:  # a background job: build the path once, without a request
        with current_app.test_request_context():
            cached = _JOB_PATHS[key] = url_for(endpoint, **values)
    return cached


_JOB_PATHS: dict = {}  # only value-free paths are asked for outside requests (my badges)


def on_submission_returned(sender, *, submission, **_):
    student = db.session.get(Person, submission.student_id)
    notify(student, "returned", f"Your work “{submission.title}” was returned for revision",
           _path("assessment.submission_page", submission_id=submission.id), submission.return_feedback)


def on_submission_scored(sender, *, submission, assessment, **_):
    student = db.session.get(Person, submission.student_id)
    notify(student, "scored", f"Your work “{submission.title}” was scored",
           _path("assessment.submission_page", submission_id=submission.id), assessment.feedback)


# The award events name the badge, so this feature needs nothing from badges.
def on_award_issued(sender, *, award, badge_name, **_):
    student = db.session.get(Person, award.recipient_id)
    notify(student, "badge_earned", f"You earned the badge “{badge_name}”", _path("badges_pages.my_badges"))


def on_award_pending(sender, *, award, badge_name, **_):
    student = db.session.get(Person, award.recipient_id)
    teachers = db.session.scalars(db.select(Person).distinct().join(Enrolment, Enrolment.person_id == Person.id).where(
        Enrolment.role == Role.TEACHER.value, Enrolment.section_id.in_(db.select(Enrolment.section_id).where(
            Enrolment.person_id == student.id, Enrolment.role == Role.STUDENT.value))))
    for teacher in teachers:
        notify(teacher, "approval_waiting",
               f"{student.display_name} meets “{badge_name}”: it waits for your approval",
               _path("badges_manage.manage") + f"#pending-{award.id}")
