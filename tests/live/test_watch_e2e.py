"""The watch daemon end to end into real notification endpoints, all on 127.0.0.1.

A fake receiver serves recordings over TCP; the daemon decodes them, detects, raises
alerts, and Apprise delivers them to a local webhook (``json://``) and a local SMTP
server (aiosmtpd), each rule to its own sinks. Nothing here reaches the internet.

SBS, through the ``tailwatch watch`` CLI in process, stopped by SIGTERM: the Paris
recording from 14:30 for four aircraft (answers from the batch detector)::

    3b77e4 CTM1283  lands at Villacoublay (LFPV) 14:52   rule military-at-villacoublay
                                                          -> webhook + capture file
    344487 AEA1297  lands at Orly (LFPO) 14:33           rule orly-arrivals
                                                          -> SMTP + capture file
    ae04ab DUKE58   leaves Le Bourget (LFPB) 14:45       rule military-departures, no
                                                          sinks -> the global file
    3944f0 AFR51LU  lands at Orly 14:53, on no watchlist  no alert

Beast, through the daemon built by the CLI: the rs1090 frames of AFR34ZG (393322)
leaving Charles de Gaulle, to a webhook that answers 500 twice, to SMTP, and to a
CaptureSink standing in for the config's ``jsonl:capture`` entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pytest
from tests.alerts.local_servers import (
    Mailbox,
    Webhook,
    plain_text,
    running_smtp,
    running_webhook,
    smtp_url,
)
from tests.data_paths import ADSB

from tailwatch.alerts import AlertStore, CaptureSink
from tailwatch.cli.watch import build_daemon, main
from tailwatch.live.daemon import beast_source, replay_source, sbs_source
from tailwatch.live.fake_receiver import FakeReceiver, beast_stream, sbs_lines
from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tailwatch.live.daemon import Daemon

CDG = (49.0097, 2.5479)

WATCHLIST = """\
name: desk
aircraft:
  - hex: "3b77e4"
    label: French Air Force
    category: Military
  - hex: "ae04ab"
    label: US Army
    category: Military
  - hex: "344487"
    label: Air Europa
    category: Airline
"""

SBS_CONFIG = """\
[alerts]
sinks = ["file:{tmp}/all.txt"]

[[rules]]
name = "military-at-villacoublay"
categories = ["Military"]
airports = ["LFPV"]
kinds = ["landed"]
sinks = ["{webhook}", "jsonl:{tmp}/capture.jsonl"]

[[rules]]
name = "orly-arrivals"
airports = ["LFPO"]
kinds = ["landed"]
sinks = ["{smtp}", "jsonl:{tmp}/capture.jsonl"]

[[rules]]
name = "military-departures"
categories = ["Military"]
kinds = ["left"]
"""


class ReceiverThread:
    """A :class:`FakeReceiver` on its own event loop in a thread (the test's main
    thread runs the CLI, whose asyncio loop owns the SIGTERM handler)."""

    def __init__(self, payload: bytes, **kw: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.rx = FakeReceiver(payload, **kw)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ReceiverThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.rx.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def shutdown() -> None:
            await self.rx.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _scheme(sink: str) -> str:
    """``json://127.0.0.1:PORT/hook`` -> ``json``; ``jsonl:/tmp/x`` -> ``jsonl``."""
    return sink.split(":", 1)[0]


def _terminate_when(done: Callable[[], bool], running: threading.Event, timeout: float) -> None:
    """SIGTERM this process once ``done()`` holds (and 1.5 s more, to catch repeats)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and running.is_set() and not done():
        time.sleep(0.1)
    if not running.is_set():
        return  # the CLI returned on its own
    time.sleep(1.5)
    if running.is_set():  # only while the CLI's handler is installed
        os.kill(os.getpid(), signal.SIGTERM)


def _main_in_process(args: list[str], done: Callable[[], bool], timeout: float = 60.0) -> int:
    """``tailwatch watch ARGS`` in this thread; SIGTERM once ``done()`` (or at timeout)."""
    running = threading.Event()
    running.set()
    killer = threading.Thread(target=_terminate_when, args=(done, running, timeout))
    killer.start()
    try:
        return main(args)
    finally:
        running.clear()
        killer.join()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with running_webhook() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with running_smtp() as box:
        yield box


@pytest.fixture(scope="module")
def paris_sbs() -> bytes:
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    pos = pos.filter(
        pl.col("icao24").is_in(["3b77e4", "344487", "ae04ab", "3944f0"])
        & (pl.col("time") >= datetime(2021, 10, 7, 14, 30, tzinfo=UTC))
    )
    return ("\r\n".join(sbs_lines(pos)) + "\r\n").encode()


def test_watch_cli_sbs_feed_alerts_each_rule_to_its_own_endpoints(
    tmp_path: Path,
    webhook: Webhook,
    smtp: Mailbox,
    paris_sbs: bytes,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "alerts.toml"
    config.write_text(
        SBS_CONFIG.format(tmp=tmp_path, webhook=webhook.url, smtp=smtp_url(smtp.port)),
        encoding="utf-8",
    )
    watchlist = tmp_path / "desk.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    db, state = tmp_path / "alerts.sqlite", tmp_path / "tracker.sqlite"
    capture, everything = tmp_path / "capture.jsonl", tmp_path / "all.txt"

    def done() -> bool:
        departed = everything.exists() and "ae04ab" in everything.read_text(encoding="utf-8")
        return bool(webhook.requests and smtp.envelopes and departed)

    with ReceiverThread(paris_sbs, chunk=16384) as rx:
        args = ["--sbs", f"127.0.0.1:{rx.rx.port}", "--config", str(config)]
        args += ["--watchlist", str(watchlist), "--db", str(db), "--state", str(state)]
        code = _main_in_process(args, done)
    assert code == 0

    # the webhook: only the Villacoublay landing, once
    assert [status for status, _ in webhook.requests] == [200]
    hook = webhook.requests[0][1]
    assert hook["title"].startswith("3b77e4 landed at ")
    assert hook["title"].endswith("(LFPV)")
    assert "Watchlist: French Air Force — desk: Military" in hook["message"]
    assert "Time: 14:52 UTC on 7 Oct 2021" in hook["message"]
    # SMTP: only the Orly arrival of the watched aircraft (not AFR51LU), once
    (mail,) = smtp.mails()
    assert mail["Subject"].startswith("344487 landed at ")
    assert mail["Subject"].endswith("(LFPO)")
    assert "Watchlist: Air Europa — desk: Airline" in plain_text(mail)
    assert smtp.envelopes[0].rcpt_tos == ["desk@example.org"]
    # the capture file: both rules that name it, nothing else
    got = sorted((r["rule"], r["icao24"], r["airport"], r["kind"]) for r in _records(capture))
    assert got == [
        ("military-at-villacoublay", "3b77e4", "LFPV", "landed"),
        ("orly-arrivals", "344487", "LFPO", "landed"),
    ]
    # the rule without sinks: the global file, DUKE58's departure only
    text = everything.read_text(encoding="utf-8")
    assert text.count("\nMap: ") == 1  # one text block
    assert text.startswith("ae04ab left Paris-Le Bourget Airport (LFPB) after ")

    # history: three alerts, five deliveries, each delivered at the first attempt
    with AlertStore(db) as store:
        _, alerts = store.history()
    routes = {
        a["rule"]: sorted((_scheme(d["sink"]), d["status"], d["attempts"]) for d in a["deliveries"])
        for a in alerts
    }
    assert routes == {
        "military-at-villacoublay": [("json", "delivered", 1), ("jsonl", "delivered", 1)],
        "orly-arrivals": [("jsonl", "delivered", 1), ("mailto", "delivered", 1)],
        "military-departures": [("file", "delivered", 1)],
    }
    # SIGTERM: the state was saved and the status line printed on the way out
    assert state.exists()
    err = capsys.readouterr().err
    assert "3 alerts raised, 5 deliveries" in err


async def _run_until(daemon: Daemon, done: Callable[[], bool], timeout: float) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end and not done() and not task.done():
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # a few more ticks: nothing may be sent twice
    stop.set()
    await task


def test_beast_feed_webhook_500_twice_then_recovers_delivered_once(
    tmp_path: Path, smtp: Mailbox
) -> None:
    config = tmp_path / "alerts.toml"
    db = tmp_path / "alerts.sqlite"
    capture = CaptureSink("capture")
    data, start = beast_stream(ADSB / "rs1090_frames_393322_2024-07-06.jsonl")

    with running_webhook([500, 500]) as hook:
        config.write_text(
            "[alerts]\nsinks = []\nretry_base_seconds = 1\n\n"
            '[[rules]]\nname = "cdg-departures"\nwatched_only = false\n'
            'icao24 = ["393322"]\nkinds = ["left"]\n'
            f'sinks = ["{hook.url}", "{smtp_url(smtp.port)}", "jsonl:capture"]\n',
            encoding="utf-8",
        )

        async def go() -> Daemon:
            rx = FakeReceiver(data, chunk=65536)
            port = await rx.start()
            source = beast_source("127.0.0.1", port, receiver=CDG, mlat_start=start)
            daemon = build_daemon(source, config, db, None, sinks={"jsonl:capture": capture})
            try:
                await _run_until(daemon, lambda: bool(hook.accepted() and smtp.envelopes), 60)
            finally:
                await rx.close()
                assert daemon.engine is not None
                daemon.engine.store.close()
            return daemon

        daemon = asyncio.run(go())
    assert [status for status, _ in hook.requests] == [500, 500, 200]
    title = hook.requests[-1][1]["title"]
    assert title.startswith("393322 left ")
    assert "(LFPG)" in title
    (mail,) = smtp.mails()
    assert mail["Subject"] == title
    assert [(m.data["icao24"], m.data["airport"], m.kind) for m in capture.messages] == [
        ("393322", "LFPG", "left")
    ]
    assert daemon.status.alerts_raised == 1
    assert daemon.status.delivery_failures == 2
    with AlertStore(db) as store:
        _, alerts = store.history()
    (alert,) = alerts
    log = {
        d["sink"].split(":")[0]: [a["ok"] for a in d["attempt_log"]] for d in alert["deliveries"]
    }
    assert log == {"json": [False, False, True], "mailto": [True], "capture": [True]}


def _pretend_border(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A made-up border along 3°E for the test: "FR" west of it, "BE" east of it."""
    return np.where(lon < 3.0, "FR", "BE").astype(object)


def test_airspace_entry_through_the_daemon(tmp_path: Path) -> None:
    """DUKE58 climbs out of Le Bourget eastwards and crosses 3°E at 14:51:56: one entry.

    The feed (DUKE58 only, 14:45:35-15:00) is paced over ~6 s of wall time. Every
    position is placed (not only each update's last), so the entry is stamped with
    the first position east of the line, whichever update carries it.
    """
    config = tmp_path / "alerts.yaml"
    config.write_text(
        "alerts:\n  sinks: []\nrules:\n  - name: entries\n    watched_only: false\n"
        "    kinds: [airspace]\n    countries: [BE]\n    sinks: ['jsonl:capture']\n",
        encoding="utf-8",
    )
    capture = CaptureSink("capture")
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    payload = _sbs(pos.filter(pl.col("icao24") == "ae04ab"))

    async def go() -> Daemon:
        rx = FakeReceiver(payload, chunk=4096, pause_s=6.0 / (len(payload) / 4096))
        port = await rx.start()
        daemon = build_daemon(
            sbs_source("127.0.0.1", port),
            config,
            tmp_path / "alerts.sqlite",
            None,
            sinks={"jsonl:capture": capture},
            country_at=_pretend_border,
        )
        try:
            await _run_until(daemon, lambda: rx.offset >= len(payload) and capture.calls > 0, 60)
        finally:
            await rx.close()
            assert daemon.engine is not None
            daemon.engine.store.close()
        return daemon

    asyncio.run(go())
    (entry,) = capture.messages
    assert entry.kind == "airspace"
    assert entry.title == "AE04AB entered the airspace of BE from FR"
    # first position east of 3°E: 14:51:56
    crossed = datetime.fromisoformat(entry.data["event_time"])
    assert crossed == datetime(2021, 10, 7, 14, 51, 56, tzinfo=UTC)
    assert entry.data["evidence"]["crossing"]["lon"] >= 3.0


def test_airspace_rule_without_borders_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tailwatch.cli.watch as watch

    monkeypatch.setattr(watch, "_country_fn", lambda: None)
    config = tmp_path / "alerts.toml"
    config.write_text('[[rules]]\nname = "entries"\nkinds = ["landed", "airspace"]\n')
    assert main(["--sbs", "127.0.0.1:1", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:3: rule 'entries' alerts on 'airspace'" in err
    assert "tailwatch data update" in err


@pytest.mark.parametrize(("listen", "whole"), [("0", False), ("3", True)])
def test_once_on_a_live_feed_listens_then_exits(
    tmp_path: Path, paris_sbs: bytes, capsys: pytest.CaptureFixture[str], listen: str, whole: bool
) -> None:
    """cron: connect, take what arrives in --listen seconds (at least the first read),
    save the state, exit 0. The fake receiver sends the whole feed at once and then
    keeps the connection open, so only the time limit ends the run."""
    config = tmp_path / "alerts.toml"
    config.write_text('[alerts]\nsinks = []\n\n[[rules]]\nname = "any"\n')
    state = tmp_path / "tracker.sqlite"
    with ReceiverThread(paris_sbs, chunk=16384) as rx:
        args = ["--sbs", f"127.0.0.1:{rx.rx.port}", "--config", str(config), "--once"]
        args += ["--listen", listen]
        args += ["--db", str(tmp_path / "alerts.sqlite"), "--state", str(state)]
        started = time.monotonic()
        assert _main_in_process(args, lambda: False, timeout=30) == 0
    assert time.monotonic() - started < 20  # it exited on its own, not by the SIGTERM
    assert state.exists()
    line = capsys.readouterr().err
    positions = re.search(r"([\d,]+) positions", line)
    assert positions is not None
    n = int(positions.group(1).replace(",", ""))
    assert n == 4607 if whole else 0 < n < 4607


@pytest.fixture(scope="module")
def ctm_positions() -> pl.DataFrame:
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    return pos.filter(
        (pl.col("icao24") == "3b77e4")
        & (pl.col("time") >= datetime(2021, 10, 7, 14, 30, tzinfo=UTC))
    )


def _sbs(positions: pl.DataFrame) -> bytes:
    return ("\r\n".join(sbs_lines(positions)) + "\r\n").encode()


async def _killed_when(daemon: Daemon, done: Callable[[], bool], timeout: float) -> None:
    """Run until ``done()``, then cancel the run task: no final save, no drain (a kill)."""
    task = asyncio.create_task(daemon.run(asyncio.Event()))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end and not done() and not task.done():
        await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("kill", ["before-the-alert", "while-the-endpoint-is-down"])
def test_killed_mid_visit_and_restarted_no_lost_no_duplicate(
    tmp_path: Path, ctm_positions: pl.DataFrame, kill: str
) -> None:
    """CTM1283 lands at LFPV at 14:52:14 (final at ~14:57:34 stream time) and stays.

    The daemon saves its state every 0.5 s and is killed (its task cancelled: no
    final save, no drain) either at 14:55, before the landing is final, or just
    after the alert's first delivery got a 500. It restarts from the last saved state
    and the same alert db on a feed that overlaps (from 14:45): one alert, delivered
    exactly once.
    """
    config = tmp_path / "alerts.toml"
    db, state = tmp_path / "alerts.sqlite", tmp_path / "tracker.sqlite"
    landing_final = datetime(2021, 10, 7, 14, 57, 34, tzinfo=UTC)
    cut = datetime(2021, 10, 7, 14, 55, tzinfo=UTC)
    first = (
        ctm_positions if kill != "before-the-alert" else ctm_positions.filter(pl.col("time") <= cut)
    )
    second = ctm_positions.filter(pl.col("time") >= datetime(2021, 10, 7, 14, 45, tzinfo=UTC))

    with running_webhook([500] * 1000) as hook:
        config.write_text(
            f'[alerts]\nsinks = ["{hook.url}"]\nretry_base_seconds = 1\n\n'
            '[[rules]]\nname = "ctm"\nwatched_only = false\nicao24 = ["3b77e4"]\n'
            'kinds = ["landed", "left"]\n',
            encoding="utf-8",
        )

        async def run(payload: bytes, phase: int) -> Daemon:
            # phase 1 is paced (~3 s) so that the periodic saves happen mid-feed
            rx = FakeReceiver(payload, chunk=8192, pause_s=0.08 if phase == 1 else 0.0)
            port = await rx.start()
            daemon = build_daemon(sbs_source("127.0.0.1", port), config, db, state)
            daemon.save_every_s = 0.5
            try:
                if phase == 1:
                    if kill == "before-the-alert":

                        def done() -> bool:
                            t = daemon.status.stream_time
                            return t is not None and t >= cut and daemon.tracker.now is not None

                    else:

                        def done() -> bool:
                            return bool(hook.requests)

                    await _killed_when(daemon, done, 30)
                else:
                    await _run_until(daemon, lambda: bool(hook.accepted()), 30)
            finally:
                await rx.close()
                assert daemon.engine is not None
                daemon.engine.store.close()
            return daemon

        killed = asyncio.run(run(_sbs(first), 1))
        assert killed.tracker.now is not None
        if kill == "before-the-alert":
            assert killed.tracker.now < landing_final
            assert hook.requests == []
        else:
            assert {status for status, _ in hook.requests} == {500}  # tried, not delivered
        assert state.exists()  # the periodic save, not a final one
        hook.statuses.clear()  # the endpoint recovers
        asyncio.run(run(_sbs(second), 2))

    accepted = hook.accepted()
    assert len(accepted) == 1
    assert accepted[0]["title"].startswith("3b77e4 landed at ")
    assert accepted[0]["title"].endswith("(LFPV)")
    with AlertStore(db) as store:
        _, alerts = store.history()
    (alert,) = alerts
    (delivery,) = alert["deliveries"]
    assert delivery["status"] == "delivered"
    assert [a["ok"] for a in delivery["attempt_log"]][-1] is True
    assert sum(a["ok"] for a in delivery["attempt_log"]) == 1


def test_quiet_hours_hold_an_alert_through_the_daemon(
    tmp_path: Path, ctm_positions: pl.DataFrame
) -> None:
    """CTM1283 lands at Villacoublay at 14:52 UTC, inside quiet hours 14:00-15:30: the
    daemon (replaying on the recording's clock) raises the alert but holds it; it
    goes out when the stream clock reaches 15:30, once."""
    config = tmp_path / "alerts.toml"
    config.write_text(
        '[alerts]\nsinks = []\n\n[[rules]]\nname = "quiet"\nwatched_only = false\n'
        'airports = ["LFPV"]\nkinds = ["landed"]\nquiet_hours = ["14:00-15:30"]\n'
        'sinks = ["jsonl:capture"]\n',
        encoding="utf-8",
    )
    recording = tmp_path / "ctm.parquet"
    ctm_positions.write_parquet(recording)
    capture = CaptureSink("capture")
    daemon = build_daemon(
        replay_source(recording),
        config,
        tmp_path / "alerts.sqlite",
        None,
        sinks={"jsonl:capture": capture},
    )
    asyncio.run(daemon.run())
    assert daemon.status.alerts_raised == 1
    assert capture.messages == []  # held: the replay ends before 15:30
    engine = daemon.engine
    assert engine is not None
    try:
        assert engine.deliver_pending(datetime(2021, 10, 7, 15, 29, tzinfo=UTC)).delivered == 0
        report = engine.deliver_pending(datetime(2021, 10, 7, 15, 30, tzinfo=UTC))
        assert report.delivered == 1
        assert engine.deliver_pending(datetime(2021, 10, 7, 16, 0, tzinfo=UTC)).attempted == 0
    finally:
        engine.store.close()
    (msg,) = capture.messages
    assert (msg.kind, msg.data["icao24"], msg.data["airport"]) == ("landed", "3b77e4", "LFPV")
