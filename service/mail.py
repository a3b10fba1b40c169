"""Outgoing e-mail over SMTP, configured from the environment.

One function, `send_mail`, used by every feature that mails people (password
reset, notifications). It is transport only: callers decide what to send and
when (send after the database commit, so a rolled-back action mails nobody).

Settings (read at call time, so tests and operators can change them on a
running app): SMTP_HOST (unset: mail is not sent, only logged), SMTP_PORT,
SMTP_USERNAME, SMTP_PASSWORD, SMTP_SECURITY (`none`, `starttls` or `tls`),
SMTP_TIMEOUT seconds, MAIL_FROM.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

__all__ = ["MailError", "mail_enabled", "send_mail"]

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The SMTP server refused the message or could not be reached."""


def mail_enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def build_message(to: str | list[str], subject: str, text: str, html: str | None = None) -> EmailMessage:
    config = current_app.config
    recipients = [to] if isinstance(to, str) else list(to)
    sender = config.get("MAIL_FROM") or "no-reply@localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None) -> bool:
    """Send one message; True when an SMTP server accepted it, False when mail
    is not configured (the message is logged instead). Raises MailError when a
    configured server refuses it or cannot be reached."""
    message = build_message(to, subject, text, html)
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        log.info("mail not configured (SMTP_HOST unset); not sent: to=%s subject=%r", message["To"], subject)
        return False
    security = (config.get("SMTP_SECURITY") or "none").lower()
    port = int(config.get("SMTP_PORT") or (465 if security == "tls" else 25))
    timeout = float(config.get("SMTP_TIMEOUT") or 10)
    try:
        if security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                   context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                client.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send mail through {host}:{port}: {exc}") from exc
    return True
