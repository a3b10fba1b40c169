"""A real SMTP server for tests: aiosmtpd listening on a free 127.0.0.1 port.

Mail really crosses a socket and is parsed back with the standard library, so
a test sees exactly what a mail server would receive.

    def test_reset(client, smtp_server):     # fixture in tests/conftest.py
        ...
        message = smtp_server.wait_for(1)[0]  # email.message.EmailMessage
        assert "reset" in message["Subject"]

The `smtp_server` fixture points the test's app at the server (SMTP_HOST and
SMTP_PORT); `send_mail` reads them at call time.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Iterator

from tests.support.processes import free_port

__all__ = ["SmtpServer", "smtp_server"]


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_DATA(self, _server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server._received(envelope.mail_from, list(envelope.rcpt_tos), message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Messages the server accepted, in order, with their envelopes."""

    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()

    def _received(self, mail_from: str, rcpt_tos: list[str], message) -> None:
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((mail_from, rcpt_tos))
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived (mail may be sent by a
        background job); return them all. Fails the test on timeout."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} message(s), the SMTP server received {len(self.messages)}")
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope named `address` as a recipient."""
        return [m for m, (_f, rcpts) in zip(self.messages, self.envelopes) if address in rcpts]


@contextlib.contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    port = free_port()
    server = SmtpServer("127.0.0.1", port)
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
