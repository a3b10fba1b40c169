"""service/mail.py against a real SMTP server on loopback."""
from __future__ import annotations

import pytest

from service.mail import MailError, send_mail


def test_message_reaches_a_real_smtp_server(app, smtp_server):
    with app.app_context():
        assert send_mail("ana@students.test", "Your work was returned", "Open it to see the feedback.",
                         html="<p>Open it to see the feedback.</p>") is True
    message = smtp_server.wait_for(1)[0]
    assert message["Subject"] == "Your work was returned"
    assert message["From"] == "badges@school.test"
    assert message["To"] == "ana@students.test"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(("plain",)).get_content().strip() == "Open it to see the feedback."
    assert "<p>" in message.get_body(("html",)).get_content()
    assert smtp_server.to("ana@students.test") == [message]


def test_without_smtp_host_nothing_is_sent(app):
    with app.app_context():
        assert app.config["SMTP_HOST"] is None
        assert send_mail("ana@students.test", "Subject", "Body") is False


def test_unreachable_server_raises_a_mail_error(app):
    from tests.support.processes import free_port

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    with app.app_context(), pytest.raises(MailError):
        send_mail("ana@students.test", "Subject", "Body")
