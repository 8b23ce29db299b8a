"""The ``watch`` daemon: feed -> decoder -> validate -> tracker -> alert engine -> sinks.

::

    source = beast_source(host, port) | sbs_source(...) | json_source(url) | replay_source(path)
    daemon = Daemon(source, tracker, engine, watchlists=..., state_path=...)
    await daemon.run(stop)          # until the feed ends (replay) or ``stop`` is set

One asyncio task drives everything (the tracker and decoders are not thread-safe);
alert delivery runs in a worker thread (``deliver_pending`` calls the sinks outside
the alert store's lock).

Coalescing: a feed yields small batches (a TCP chunk is a handful of messages), and
each tracker update has a fixed cost, so batches are only collected as they arrive;
validation and :meth:`LiveTracker.update` run on everything collected at most once
per ``tick_s`` of wall time (``tick_s`` after the previous update ended), and also
when ``max_rows`` positions are waiting, when the feed ends, and on stop. The
tracker's events do not depend on how rows are batched
(``tests/live/test_tracker_batching.py``), so this changes when an alert is raised —
at most ``tick_s`` plus the update's own time after its deciding message arrived —
never which. Delivery, the status callback and the periodic save follow each update.

Stream time: a replay's own clock; a live feed's is the wall clock, and the tracker is
advanced by it every ``tick_s`` even when nothing is heard, so that quiet aircraft's
events become final. On stop (SIGINT/SIGTERM in the CLI) what was collected is
processed, the tracker state saved and the outbox drained once more; the state is
also saved every ``save_every_s`` so that a hard kill loses at most that much.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch.live.status import FeedStatus
from tailwatch.sources import validate_positions

if TYPE_CHECKING:
    from tailwatch.alerts import AlertEngine
    from tailwatch.live.tracker import LiveTracker, TickResult
    from tailwatch.reference.watchlists import Watchlists

Counters = Callable[[], dict[str, int]]


@dataclass
class Source:
    """Batches of positions from a feed, with its status and counters."""

    batches: AsyncIterator[pl.DataFrame]
    status: FeedStatus
    fmt: str
    name: str
    replay: bool = False  # the stream ends; its times are the recording's
    counters: Counters = field(default=lambda: {})


def _counts(obj: Any) -> dict[str, int]:
    names = getattr(obj, "__slots__", None) or list(vars(obj))
    out = {n: getattr(obj, n) for n in names}
    return {k: v for k, v in out.items() if isinstance(v, int) and not isinstance(v, bool)}


def beast_source(
    host: str,
    port: int,
    receiver: tuple[float, float] | None = None,
    mlat_start: datetime | None = None,
) -> Source:
    from tailwatch.live.beast import BeastParser
    from tailwatch.live.decode import DecoderSettings, ModeSDecoder
    from tailwatch.live.feeds import beast_tcp

    st = FeedStatus(f"beast {host}:{port}")
    dec = ModeSDecoder(DecoderSettings(receiver=receiver), source_file=f"{host}:{port}")
    parser = BeastParser()

    def counters() -> dict[str, int]:
        return {**_counts(parser.counters), **_counts(dec.counters)}

    it = beast_tcp(host, port, dec, parser=parser, status=st, mlat_start=mlat_start)
    return Source(it, st, "beast", f"{host}:{port}", counters=counters)


def sbs_source(host: str, port: int) -> Source:
    from tailwatch.live.feeds import sbs_tcp
    from tailwatch.live.sbs import SbsDecoder

    st = FeedStatus(f"sbs {host}:{port}")
    dec = SbsDecoder(source_file=f"{host}:{port}")
    it = sbs_tcp(host, port, dec, status=st)
    return Source(it, st, "sbs", f"{host}:{port}", counters=lambda: _counts(dec.counters))


def json_source(url: str, interval_s: float = 1.0, client: Any = None) -> Source:
    from tailwatch.live.aircraft_json_feed import AircraftJsonPoller

    poller = AircraftJsonPoller(url, client=client)
    it = poller.run(interval_s=interval_s)
    return Source(
        it, poller.status, "aircraft_json", url, counters=lambda: _counts(poller.counters)
    )


def replay_source(
    path: str | Path,
    speed: float = 0.0,
    receiver: tuple[float, float] | None = None,
    tick_s: float = 30.0,
) -> Source:
    """A recording replayed in time order: raw frames, a Beast capture, or positions."""
    p = Path(path)
    st = FeedStatus(f"replay {p.name}")
    suffixes = "".join(p.suffixes).lower()
    if suffixes.endswith((".jsonl", ".hex", ".txt")):
        from tailwatch.live.decode import DecoderSettings, ModeSDecoder
        from tailwatch.live.feeds import frames_replay

        dec = ModeSDecoder(DecoderSettings(receiver=receiver), source_file=p.name)
        it = frames_replay(p, dec, speed=speed)
        return Source(it, st, "frames", p.name, replay=True, counters=lambda: _counts(dec.counters))
    return Source(_positions_replay(p, speed, tick_s), st, "positions", p.name, replay=True)


async def _positions_replay(path: Path, speed: float, tick_s: float) -> AsyncIterator[pl.DataFrame]:
    from tailwatch.sources import read_positions

    pos = read_positions([path]).positions.sort("time")
    ticks = pos.with_columns(_tick=pl.col("time").dt.epoch("us") // int(tick_s * 1e6))
    wall0: float | None = None
    t0: datetime | None = None
    for chunk in ticks.partition_by("_tick", maintain_order=True, include_key=False):
        first = chunk["time"].min()
        assert isinstance(first, datetime)
        if speed > 0:
            if wall0 is None or t0 is None:
                wall0, t0 = time.monotonic(), first
            due = wall0 + (first - t0).total_seconds() / speed
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        else:
            await asyncio.sleep(0)
        yield chunk


@dataclass
class DaemonStatus:
    """What the live status shows."""

    started: float = field(default_factory=time.monotonic)
    messages: int = 0
    positions: int = 0
    rejected: int = 0
    events: int = 0
    alerts_raised: int = 0
    alerts_sent: int = 0  # deliveries (one alert to two sinks counts twice)
    delivery_failures: int = 0
    stream_time: datetime | None = None
    rate: float = 0.0  # messages/s over the last status period
    _last_msgs: int = 0
    _last_t: float = field(default_factory=time.monotonic)

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last_t >= 1.0:
            self.rate = (self.messages - self._last_msgs) / (now - self._last_t)
            self._last_msgs, self._last_t = self.messages, now


@dataclass
class Daemon:
    """Runs one source through the tracker into the alert engine (see module docstring)."""

    source: Source
    tracker: LiveTracker
    engine: AlertEngine | None = None
    watchlists: Watchlists | None = None
    state_path: Path | None = None
    tick_s: float = 1.0  # wall seconds between tracker updates (coalescing)
    max_rows: int = 200_000  # collected positions that force an update before tick_s
    save_every_s: float = 60.0
    visits_every_s: float = 60.0  # stream seconds between re-checks of open visits
    on_tick: Callable[[Daemon], None] | None = None
    on_result: Callable[[TickResult], None] | None = None  # each tracker result (bench)
    status: DaemonStatus = field(default_factory=DaemonStatus)

    def __post_init__(self) -> None:
        self._data_t: datetime | None = None  # newest position time heard
        self._data_wall = 0.0  # monotonic time it was heard
        self._open = pl.DataFrame()  # the open visits last built (VISITS rows)
        self._visits_at: datetime | None = None
        self._saved_at = time.monotonic()
        self._delivery: asyncio.Task[None] | None = None
        self._collected: list[pl.DataFrame] = []  # batches since the last update
        self._collected_rows = 0
        self._arrived = 0.0  # monotonic time the newest collected batch arrived
        self._updated = time.monotonic()  # when the last update ended

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Process until the source ends (replay: then flush) or ``stop`` is set."""
        stop = stop or asyncio.Event()
        batches = self.source.batches
        nxt: asyncio.Task[pl.DataFrame] | None = None
        waiter = asyncio.create_task(stop.wait())
        ended = False
        self._updated = time.monotonic()
        try:
            while not stop.is_set():
                if nxt is None:
                    nxt = asyncio.ensure_future(anext(batches))
                wait = max(0.0, self._updated + self.tick_s - time.monotonic())
                done, _ = await asyncio.wait(
                    {nxt, waiter}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
                )
                if nxt in done:
                    task, nxt = nxt, None
                    try:
                        batch = task.result()
                    except StopAsyncIteration:
                        ended = True
                        break
                    self._collect(batch)
                if stop.is_set():
                    break
                late = time.monotonic() - self._updated >= self.tick_s
                if late or self._collected_rows >= self.max_rows:
                    await self._step()
        finally:
            waiter.cancel()
            if nxt is not None:
                nxt.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, Exception):
                if nxt is not None:
                    await nxt
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            aclose = getattr(batches, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        if self._collected:
            self._process()  # what arrived before the end or the stop
        if ended and self.source.replay:
            self._handle(self.tracker.flush())
        self.status.tick()
        if self.on_tick is not None:
            self.on_tick(self)
        await self._deliver()
        self.save()

    # -- one step --------------------------------------------------------------------
    def _collect(self, batch: pl.DataFrame) -> None:
        """Take a batch in; the tracker sees it at the next update."""
        self.status.messages = self.source.status.messages or (self.status.messages + batch.height)
        if batch.height:
            self._collected.append(batch)
            self._collected_rows += batch.height
            self._arrived = time.monotonic()

    async def _step(self) -> None:
        """One update of the tracker, then status, delivery and the periodic save."""
        if self._collected or not self.source.replay:
            # a live feed's clock moves on even when nothing came: quiet aircraft settle
            self._process()
        self._updated = time.monotonic()
        self.status.tick()
        if self.on_tick is not None:
            self.on_tick(self)
        await self._deliver()
        if time.monotonic() - self._saved_at >= self.save_every_s:
            self.save()

    def _clock(self) -> datetime:
        """Live stream time: the newest position heard plus the wall time since.

        Equals the wall clock on a real feed, and keeps a recording served over TCP
        (the tests' fake receiver) on its own clock.
        """
        if self._data_t is None:
            return datetime.now(UTC)
        return self._data_t + timedelta(seconds=time.monotonic() - self._data_wall)

    def _process(self) -> None:
        """Validate everything collected and run one tracker update on it."""
        parts, arrived = self._collected, self._arrived
        self._collected, self._collected_rows = [], 0
        if not parts:
            if not self.source.replay and self._data_t is not None:
                self._handle(self.tracker.advance(self._clock()))
            return
        batch = parts[0] if len(parts) == 1 else pl.concat(parts, how="diagonal_relaxed")
        if self.source.fmt == "positions":  # read_positions validated them already
            good, bad = batch, batch.clear()
        else:
            good, bad = validate_positions(batch, self.source.name, _fmt(self.source.fmt, batch))
        self.status.positions += good.height
        self.status.rejected += bad.height
        if good.height:
            newest = good["time"].max()
            if isinstance(newest, datetime) and (self._data_t is None or newest > self._data_t):
                # heard when the newest batch arrived, not when the update runs
                self._data_t, self._data_wall = newest, arrived
        now = None if self.source.replay else self._clock()
        self._handle(self.tracker.update(good, now))

    def _handle(self, result: TickResult) -> None:
        if self.on_result is not None:
            self.on_result(result)
        self.status.stream_time = result.now
        self.status.events += result.events.height
        if self.engine is None or result.now is None:
            return
        icaos = sorted(set(result.events["icao24"].to_list()))
        recheck = self._visits_at is None or (
            (result.now - self._visits_at).total_seconds() >= self.visits_every_s
        )
        if not icaos and result.airspace.height == 0 and not (recheck and self._open.height):
            return
        if recheck:
            self._visits_at = result.now
        parts = [self._visits(icaos)] if icaos else []
        if recheck and self._open.height:
            # open visits only age: update their dwell instead of rebuilding them
            parts.append(
                self._open.filter(~pl.col("icao24").is_in(icaos)).with_columns(
                    data_end=pl.lit(result.now).cast(self._open.schema["data_end"]),
                    dwell_s=(pl.lit(result.now) - pl.col("arrival_time")).dt.total_microseconds()
                    / 1e6,
                )
            )
        if not parts:
            from tailwatch.stays.visits import build_visits

            parts.append(build_visits(self.tracker.stays([]), watchlists=self.watchlists))
        visits = pl.concat(parts, how="vertical_relaxed")
        airspace = result.airspace if result.airspace.height else None
        raised = self.engine.handle(visits, result.events, now=result.now, airspace=airspace)
        self.status.alerts_raised += len(raised)

    def _visits(self, icaos: list[str]) -> pl.DataFrame:
        from tailwatch.stays.visits import build_visits

        stays = self.tracker.stays(icaos)
        events = self.tracker.final.filter(pl.col("icao24").is_in(icaos))
        visits = build_visits(
            stays, watchlists=self.watchlists, index=self.tracker.index, events=events
        )
        kept = self._open.filter(~pl.col("icao24").is_in(icaos)) if self._open.height else None
        still = visits.filter(pl.col("open") & pl.col("arrival_time").is_not_null())
        self._open = still if kept is None else pl.concat([kept, still], how="vertical_relaxed")
        return visits

    async def _deliver(self) -> None:
        if self.engine is None or self.tracker.now is None:
            return
        report = await asyncio.to_thread(self.engine.deliver_pending, self.tracker.now)
        self.status.alerts_sent += report.delivered
        self.status.delivery_failures += report.failed

    def save(self) -> None:
        if self.state_path is not None:
            self.tracker.save(self.state_path)
        self._saved_at = time.monotonic()

    def line(self) -> str:
        """One status line (the CLI shows it, live, in a rich panel)."""
        s, tr = self.status, self.tracker
        when = s.stream_time.strftime("%Y-%m-%d %H:%M:%S UTC") if s.stream_time else "-"
        return (
            f"{self.source.status.line()} | {s.rate:,.0f} msg/s, {s.positions:,} positions"
            f" | {tr.aircraft} aircraft tracked, {s.events} events,"
            f" {s.alerts_raised} alerts raised, {s.alerts_sent} deliveries | stream {when}"
        )


def _fmt(fmt: str, batch: pl.DataFrame) -> str:
    if "source_format" in batch.columns and batch.height:
        value = batch["source_format"][0]
        if value is not None:
            return str(value)
    return {"positions": "traffic"}.get(fmt, fmt)


__all__ = [
    "Daemon",
    "DaemonStatus",
    "Source",
    "beast_source",
    "json_source",
    "replay_source",
    "sbs_source",
]
