"""Real deliveries on 127.0.0.1: a webhook that fails then recovers, an SMTP server.

Apprise does the HTTP / SMTP; the servers (``tests.alerts.local_servers``) run in
threads of this process and are shut down (sockets closed) by their fixtures.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from tests.alerts.frames import LANDING, T0, events, visit, visits
from tests.alerts.local_servers import (
    Mailbox,
    Webhook,
    plain_text,
    running_smtp,
    running_webhook,
    smtp_url,
)

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


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with running_webhook([500, 500]) as server:
        yield server


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


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with running_smtp() as box:
        yield box


def test_email_through_local_smtp(smtp: Mailbox, tmp_path: Path) -> None:
    with AlertStore(tmp_path / "a.sqlite") as store:
        engine = AlertEngine(CONFIG, store, sinks=[make_sink(smtp_url(smtp.port))])
        engine.handle(visits(visit()), events(LANDING), now=T0)
        assert engine.deliver_pending(T0).delivered == 1
    assert len(smtp.envelopes) == 1
    assert smtp.envelopes[0].rcpt_tos == ["desk@example.org"]
    (mail,) = smtp.mails()
    assert mail["Subject"] == "5A-DCN landed at Ben Gurion International Airport (LLBG)"
    assert "landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC" in plain_text(mail)


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
