"""The watch daemon end to end, against a fake receiver on 127.0.0.1.

SBS: the Paris recording's French Air Force Falcon CTM1283 (3b77e4) landing at
Villacoublay (LFPV) at 14:52, served as MSG,2/3/4 lines. Beast: the rs1090 frames of
AFR34ZG (393322) leaving Charles de Gaulle, wrapped in Beast framing with the
recorded clock in the MLAT counter, with garbage and truncated frames mixed in.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl
import pytest
from tests.data_paths import ADSB

from tailwatch.alerts import AlertEngine, AlertStore, CaptureSink, load_config
from tailwatch.detect import detect
from tailwatch.live.daemon import Daemon, Source, beast_source, sbs_source
from tailwatch.live.fake_receiver import FakeReceiver, beast_stream, sbs_lines
from tailwatch.live.sbs import SbsDecoder
from tailwatch.live.status import FeedStatus
from tailwatch.live.tracker import LiveTracker
from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

CDG = (49.0097, 2.5479)
CONFIG = """
[[rules]]
name = "watched"
watched_only = false
icao24 = ["3b77e4", "393322", "ac671b"]
kinds = ["landed", "left"]
"""


def _utc(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2021, 10, 7, h, m, s, tzinfo=UTC)


@pytest.fixture(scope="module")
def ctm_positions() -> pl.DataFrame:
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    return pos.filter((pl.col("icao24") == "3b77e4") & (pl.col("time") >= _utc(14, 30)))


def _payload(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _engine(tmp_path: Path, sink: CaptureSink, db: Path | None = None) -> AlertEngine:
    cfg_path = tmp_path / "alerts.toml"
    cfg_path.write_text(CONFIG)
    return AlertEngine(load_config(cfg_path), AlertStore(db or ":memory:"), sinks=[sink])


async def _run_until(daemon: Daemon, done: object, timeout: float = 30.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end and not done() and not task.done():  # type: ignore[operator]
        await asyncio.sleep(0.05)
    stop.set()
    await task


def _landed(sink: CaptureSink) -> list[object]:
    return [m for m in sink.messages if "3b77e4" in str(m) or "LFPV" in str(m)]


def test_sbs_feed_drops_mid_stream_and_comes_back(
    tmp_path: Path, ctm_positions: pl.DataFrame
) -> None:
    lines = sbs_lines(ctm_positions)
    payload = _payload(lines)
    # batch reference: the same lines decoded at once
    reference = detect(SbsDecoder().decode(lines)).events
    landing = reference.filter(pl.col("kind") == "landing").row(0, named=True)
    assert landing["airport"] == "LFPV"

    async def go() -> tuple[Daemon, FakeReceiver]:
        rx = FakeReceiver(payload, drop_at=(len(payload) // 2,), refuse_s=0.3)
        port = await rx.start()
        sink = CaptureSink()
        d = Daemon(sbs_source("127.0.0.1", port), LiveTracker(), _engine(tmp_path, sink))
        try:
            await _run_until(d, lambda: rx.offset >= len(payload) and sink.messages)
        finally:
            await rx.close()
            assert d.engine is not None
            d.engine.store.close()
        return d, rx

    d, rx = asyncio.run(go())
    assert rx.connections >= 2  # it did drop and reconnect
    ids = set(d.tracker.final["event_id"].to_list())
    assert landing["event_id"] in ids  # nothing lost across the drop
    assert d.status.alerts_sent == 1
    assert d.status.positions > 0


def test_daemon_killed_and_restarted_mid_visit(tmp_path: Path, ctm_positions: pl.DataFrame) -> None:
    """State file + alert db: the landing is alerted once, not again after the restart."""
    state, db = tmp_path / "state.sqlite", tmp_path / "alerts.sqlite"
    first = _payload(sbs_lines(ctm_positions.filter(pl.col("time") <= _utc(14, 58, 30))))
    # the second run hears the feed again from before the landing (overlap)
    second = _payload(sbs_lines(ctm_positions.filter(pl.col("time") >= _utc(14, 45))))

    async def one(payload: bytes, resume: bool) -> Daemon:
        last = ctm_positions.filter(
            pl.col("time") <= _utc(14, 58, 30) if not resume else pl.lit(True)
        )["time"].max()
        rx = FakeReceiver(payload)
        port = await rx.start()
        sink = CaptureSink()
        tracker = LiveTracker.load(state) if resume else LiveTracker()
        d = Daemon(
            sbs_source("127.0.0.1", port), tracker, _engine(tmp_path, sink, db), state_path=state
        )
        d.status.alerts_sent = 0
        try:
            await _run_until(
                d, lambda: d.status.stream_time is not None and d.status.stream_time >= last, 20
            )
        finally:
            await rx.close()
            assert d.engine is not None
            d.engine.store.close()
        return d

    d1 = asyncio.run(one(first, resume=False))
    assert d1.status.alerts_sent == 1  # landed at LFPV, delivered before the "kill"
    assert state.exists()
    d2 = asyncio.run(one(second, resume=True))
    assert d2.status.alerts_sent == 0  # no duplicate
    with AlertStore(db) as store:
        n = store._db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    assert n == 1


def test_beast_feed_with_garbage_and_truncated_frames(tmp_path: Path) -> None:
    data, start = beast_stream(ADSB / "rs1090_frames_393322_2024-07-06.jsonl")
    cut = len(data) // 3
    # garbage between frames, and a frame cut short by the next one's 0x1a
    noisy = data[:cut] + b"\x00\xffjunk\x1a9" + data[cut : cut + 5] + data[cut:]

    async def go() -> Daemon:
        rx = FakeReceiver(noisy, chunk=8192)
        port = await rx.start()
        source = beast_source("127.0.0.1", port, receiver=CDG, mlat_start=start)
        sink = CaptureSink()
        d = Daemon(source, LiveTracker(), _engine(tmp_path, sink))
        try:

            def done() -> bool:
                c = d.source.counters()
                return c["truncated"] >= 1 and c["garbage_bytes"] > 0 and d.status.events >= 1

            await _run_until(d, done, 40)
        finally:
            await rx.close()
            assert d.engine is not None
            d.engine.store.close()
        return d

    d = asyncio.run(go())
    counters = d.source.counters()
    assert counters["garbage_bytes"] > 0
    assert counters["truncated"] >= 1
    takeoff = d.tracker.final.filter(pl.col("kind") == "takeoff")
    assert takeoff["airport"].to_list() == ["LFPG"]


# -- coalescing: one tracker update per tick, whatever the feed's batch sizes --------


def _trace() -> pl.DataFrame:
    return read_positions([ADSB / "readsb_trace_full_ac671b.json"]).positions.sort("time")


def _small_batches(pos: pl.DataFrame, n: int, *, hang: bool = False) -> Source:
    """A feed that delivers ``n`` rows at a time as fast as it can (a busy TCP feed)."""

    async def gen() -> AsyncIterator[pl.DataFrame]:
        for i in range(0, pos.height, n):
            await asyncio.sleep(0)
            yield pos.slice(i, n)
        if hang:  # a live feed that goes quiet
            await asyncio.Event().wait()

    return Source(gen(), FeedStatus("test"), "positions", "trace", replay=not hang)


def test_daemon_coalesces_small_batches_into_few_updates() -> None:
    """500 batches of 5 rows: updates forced by ``max_rows``, events those of batch."""
    pos = _trace()
    results: list[pl.DataFrame] = []
    d = Daemon(_small_batches(pos, 5), LiveTracker(), tick_s=3600.0, max_rows=600)
    d.on_result = lambda r: results.append(r.events)
    asyncio.run(d.run())
    # 2500 rows: four updates at 600 rows, one for the last 100 at the end of the feed
    assert d.tracker.stats.ticks == 5
    assert d.tracker.stats.positions_in == pos.height
    assert d.status.positions == pos.height
    live = pl.concat(results).sort("event_id")
    assert live.height == 8
    assert live["event_id"].to_list() == detect(pos).events.sort("event_id")["event_id"].to_list()


def test_daemon_updates_once_per_wall_tick() -> None:
    pos = _trace()
    d = Daemon(_small_batches(pos, 5), LiveTracker(), tick_s=0.05)
    t0 = time.monotonic()
    asyncio.run(d.run())
    elapsed = time.monotonic() - t0
    assert d.tracker.stats.positions_in == pos.height
    # at most one update per tick of wall time (plus the one at the end), not 500
    assert d.tracker.stats.ticks <= elapsed / 0.05 + 2
    assert d.tracker.stats.ticks < 500


def test_daemon_stop_processes_what_was_collected() -> None:
    """A stop between two ticks loses nothing: the collected rows reach the tracker."""
    pos = _trace().head(1000)
    d = Daemon(_small_batches(pos, 50, hang=True), LiveTracker(), tick_s=3600.0)

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(d.run(stop))
        while d.status.messages < pos.height:
            await asyncio.sleep(0.01)
        assert d.tracker.stats.ticks == 0  # all collected, nothing processed yet
        stop.set()
        await task

    asyncio.run(go())
    assert d.tracker.stats.ticks == 1
    assert d.tracker.stats.positions_in == pos.height
