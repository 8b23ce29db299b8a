"""Real deliveries on 127.0.0.1: a webhook that fails then recovers, an SMTP server.

Apprise does the HTTP / SMTP; the servers run in threads of this process and are shut
down (sockets closed) by their fixtures.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from tests.alerts.frames import LANDING, T0, events, visit, visits

from tailwatch.alerts import (
    AlertConfig,
    AlertEngine,
    AlertStore,
    AppriseSink,
    FileSink,
    JsonLinesSink,
    Rule,
    StdoutSink,
)
from tailwatch.alerts.sinks import make_sink

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CONFIG = AlertConfig(rules=(Rule(name="r", kinds=("landed", "left")),), retry_base_seconds=5)


class Webhook(HTTPServer):
    """Answers each POST with the next status of ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = statuses
        self.requests: list[tuple[int, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.server.requests.append((status, json.loads(body)))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook([500, 500])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_webhook_500_twice_then_200_delivered_once_across_a_restart(
    webhook: Webhook, tmp_path: Path
) -> None:
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=[AppriseSink(webhook.url)])
        assert len(engine.handle(visits(visit()), events(LANDING), now=T0)) == 1
        first = engine.deliver_pending(T0)
        assert (first.attempted, first.failed, first.pending) == (1, 1, 1)
        assert "delivery failed" in first.errors[0]
    # the daemon restarts mid-retry: a new store and engine on the same file
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=[AppriseSink(webhook.url)])
        assert engine.handle(visits(visit()), events(LANDING), now=T0) == []
        assert engine.deliver_pending(T0 + timedelta(seconds=4)).attempted == 0  # backing off
        second = engine.deliver_pending(T0 + timedelta(seconds=5))
        assert (second.failed, second.pending) == (1, 1)
        third = engine.deliver_pending(T0 + timedelta(seconds=15))
        assert (third.delivered, third.pending) == (1, 0)
        assert engine.deliver_pending(T0 + timedelta(hours=1)).attempted == 0
        _, alerts = store.history()
    assert [status for status, _ in webhook.requests] == [500, 500, 200]
    payload = webhook.requests[-1][1]
    assert payload["title"] == "5A-DCN landed at Ben Gurion International Airport (LLBG)"
    assert "landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC" in payload["message"]
    delivery = alerts[0]["deliveries"][0]
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)
    assert delivery["sink"] == f"json://127.0.0.1:{webhook.server_address[1]}/hook"
    assert [a["ok"] for a in delivery["attempt_log"]] == [False, False, True]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Mailbox, int]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def test_email_through_local_smtp(smtp: tuple[_Mailbox, int], tmp_path: Path) -> None:
    box, port = smtp
    url = f"mailto://127.0.0.1:{port}?from=alerts@example.org&to=desk@example.org&mode=insecure"
    with AlertStore(tmp_path / "a.sqlite") as store:
        engine = AlertEngine(CONFIG, store, sinks=[make_sink(url)])
        engine.handle(visits(visit()), events(LANDING), now=T0)
        assert engine.deliver_pending(T0).delivered == 1
    assert len(box.messages) == 1
    envelope = box.messages[0]
    assert envelope.rcpt_tos == ["desk@example.org"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"] == "5A-DCN landed at Ben Gurion International Airport (LLBG)"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    assert "landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC" in text.get_content()


def test_local_sinks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonl, text = tmp_path / "alerts.jsonl", tmp_path / "alerts.txt"
    sinks = [StdoutSink(), JsonLinesSink(jsonl), FileSink(text)]
    with AlertStore(":memory:") as store:
        engine = AlertEngine(CONFIG, store, sinks=sinks)
        engine.handle(visits(visit()), None, now=T0)
        assert engine.deliver_pending(T0).delivered == 3
    out = capsys.readouterr().out
    assert out.startswith("5A-DCN landed at Ben Gurion")
    record = json.loads(jsonl.read_text(encoding="utf-8"))
    assert (record["kind"], record["version"], record["airport"]) == ("landed", 1, "LLBG")
    assert record["event_time"] == "2025-03-11T09:14:00.000000+00:00"
    assert "Map: https://globe.adsbexchange.com/?icao=018019" in text.read_text(encoding="utf-8")
    assert [s.name for s in sinks] == ["stdout", f"jsonl:{jsonl}", f"file:{text}"]


def test_apprise_sink_name_hides_the_password() -> None:
    sink = AppriseSink(
        "mailto://user:s3cret@127.0.0.1:2525?from=b@example.org&to=a@example.org&mode=insecure"
    )
    assert "s3cret" not in sink.name
    assert sink.name.startswith("mailto://user:***@127.0.0.1:2525")
