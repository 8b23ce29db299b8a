"""Notification endpoints on 127.0.0.1 for the delivery tests: a webhook, an SMTP server.

Both run in threads of the test process and are shut down (sockets closed) when their
context manager exits. Apprise talks to them exactly as to a real endpoint:
``Webhook.url`` is a ``json://`` URL, :func:`smtp_url` a plain (no TLS) ``mailto://``.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Iterator
    from email.message import EmailMessage


class Webhook(HTTPServer):
    """Answers each POST with the next status of ``statuses`` (then 200).

    ``requests`` holds (status answered, JSON body) per POST, in order.
    """

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = list(statuses)
        self.requests: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/hook"

    def accepted(self) -> list[dict[str, Any]]:
        """The bodies answered with 2xx."""
        with self._lock:
            return [body for status, body in self.requests if 200 <= status < 300]

    def _answer(self, body: dict[str, Any]) -> int:
        with self._lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.requests.append((status, body))
            return status


class _Handler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = self.server._answer(json.loads(body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_webhook(statuses: list[int] | None = None) -> Iterator[Webhook]:
    server = Webhook(statuses or [])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@dataclass
class Mailbox:
    """What the SMTP server received: one envelope per mail."""

    envelopes: list[Any] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def mails(self) -> list[EmailMessage]:
        return [
            cast("EmailMessage", email.message_from_bytes(e.content, policy=email.policy.default))
            for e in list(self.envelopes)
        ]


def smtp_url(port: int, to: str = "desk@example.org") -> str:
    """An Apprise URL for a plain local SMTP server (no TLS, no login)."""
    return f"mailto://127.0.0.1:{port}?from=alerts@example.org&to={to}&mode=insecure"


@contextmanager
def running_smtp() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def plain_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
