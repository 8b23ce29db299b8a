"""Live path benchmark: what the ``watch`` daemon sustains on a busy receiver's stream.

The stream: the rs1090 frames recording (57,793 frames of AFR34ZG taxiing at CDG, taking
off and climbing out) repeated ``--copies`` times under other ICAO addresses (every
downlink format re-addressed, CRC/parity recomputed, so each copy is a distinct
aircraft to the decoder), copy ``k`` shifted by ``k * --delta`` seconds, and cut to
``--window`` seconds of stream time around the take-off: with the defaults, 360 aircraft
and > 5,000 messages per stream second, what a busy receiver hears. Each copy takes
off at LFPG inside the window; the events are checked against batch ``detect`` on the
same positions.

Measured in the same run, one process:

* **decode**: ``ModeSDecoder`` alone, batches of 1000 frames — the baseline;
* **daemon, wall ticks**: :class:`tailwatch.live.daemon.Daemon` on a replay source that
  decodes 1000 frames per batch as fast as it can; the daemon coalesces the batches and
  runs validate + ``LiveTracker.update`` once per ``--tick`` s of *wall* time. This is
  what the daemon sustains flat out;
* **stream ticks**: the same pipeline, but one update per ``--tick`` s of *stream* time
  (the old daemon behaviour with a feed delivering one batch per stream second), for
  comparison.

messages/s are given per wall second and per CPU second of the process (polars uses
threads: CPU time is the per-core figure; on a shared machine it is also the steadier
one). Latency: for every event made final by a message (not by the end of the stream),
the wall time from the arrival — the decode — of the first message at or after the
event's ``final_at`` (the one that made it final) to the daemon's handling of the
event. The detector's look-ahead (``final_at - time``, >= 320 s) is reported apart:
it is stream time the evidence needs, not processing.

``python bench/bench_live.py [--copies 360] [--delta 0.1] [--window 500] [--tick 1]``;
results in bench/results/bench_live.json. ``--window 0`` replays each copy whole
(``--copies 20 --delta 239 --window 0`` is the sparse layout of earlier versions).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch.detect import detect
from tailwatch.live import _pymodes as pm
from tailwatch.live.daemon import Daemon, Source
from tailwatch.live.decode import DecoderSettings, ModeSDecoder
from tailwatch.live.status import FeedStatus
from tailwatch.live.tracker import LiveTracker
from tailwatch.sources import validate_positions

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tailwatch.live.tracker import TickResult

ADSB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adsb"
FRAMES = ADSB / "rs1090_frames_393322_2024-07-06.jsonl"
CDG = (49.0097, 2.5479)
OUT = Path(__file__).resolve().parent / "results" / "bench_live.json"
TAKEOFF_S = 972.0  # AFR34ZG's take-off, seconds after the recording's first frame
BATCH = 1000  # frames per decode call (a replay batch)
_SHORT = {0, 4, 5, 11}  # 56-bit downlink formats


def _readdress(frame: str, icao: int) -> str:
    """The same frame from another address: DF11/17/18 address field, or AP parity."""
    df = int(frame[:2], 16) >> 3
    n = 14 if df in _SHORT else 28
    msg = frame[:n]
    if len(msg) != n:
        return frame
    if df in (11, 17, 18):  # address in clear, parity = CRC (^ interrogator code)
        rest = int(msg[-6:], 16) ^ pm.crc(msg[:-6] + "000000")
        body = msg[:2] + f"{icao:06x}" + msg[8:-6]
        return body + f"{pm.crc(body + '000000') ^ rest:06x}"
    if df in (0, 4, 5, 16, 20, 21):  # address/parity: AP = CRC ^ address
        body = msg[:-6]
        return body + f"{pm.crc(body + '000000') ^ icao:06x}"
    return frame


def load(copies: int, delta: float, window: float) -> tuple[list[float], list[str]]:
    """The stream, time-ordered: (receive times, hex frames)."""
    recs = [json.loads(line) for line in FRAMES.open()]
    base = [(float(r["timestamp"]), str(r["frame"])) for r in recs]
    t0 = base[0][0]
    lo, hi = (t0 + TAKEOFF_S - 120.0, t0 + TAKEOFF_S - 120.0 + window) if window else (0, 1e12)
    rows: list[tuple[float, str]] = []
    for k in range(copies):
        shift = k * delta
        icao = 0x393322 if k == 0 else 0x500000 + k
        rows += [
            (t + shift, f if k == 0 else _readdress(f, icao))
            for t, f in base
            if lo <= t + shift < hi
        ]
    rows.sort()
    return [t for t, _ in rows], [f for _, f in rows]


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def decode_only(ts: list[float], frames: list[str]) -> tuple[dict[str, float], pl.DataFrame]:
    """The baseline; also the decoded positions (for the batch reference)."""
    dec = ModeSDecoder(DecoderSettings(receiver=CDG), source_file="bench")
    parts = []
    w0, c0 = _clocks()
    for i in range(0, len(frames), BATCH):
        parts.append(dec.decode(ts[i : i + BATCH], frames[i : i + BATCH]))
    w1, c1 = _clocks()
    pos = pl.concat(parts)
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0, "positions": float(pos.height)}, pos


@dataclass
class _Probe:
    """Arrival (decode) wall times of the stream, and the daemon's handling of events."""

    arrival_wall: list[float] = field(default_factory=list)  # per yielded batch
    arrival_tmax: list[float] = field(default_factory=list)  # newest stream time so far
    latencies: list[float] = field(default_factory=list)
    horizons: list[float] = field(default_factory=list)
    by_flush: int = 0
    events: list[pl.DataFrame] = field(default_factory=list)

    def on_result(self, r: TickResult) -> None:
        if r.events.height == 0:
            return
        handled = time.perf_counter()
        self.events.append(r.events)
        if r.decided is None:
            self.by_flush += r.events.height
            return
        fin = r.decided.join(r.events.select("event_id", "time"), on="event_id")
        for final_at, t in zip(
            fin["final_at"].dt.epoch("us").to_list(),
            fin["time"].dt.epoch("us").to_list(),
            strict=True,
        ):
            i = bisect.bisect_left(self.arrival_tmax, final_at / 1e6)
            self.latencies.append(handled - self.arrival_wall[i])
            self.horizons.append((final_at - t) / 1e6)


def daemon_run(ts: list[float], frames: list[str], tick_s: float) -> tuple[dict[str, Any], _Probe]:
    """The daemon, coalescing; one update per ``tick_s`` of wall time."""
    probe = _Probe()
    dec = ModeSDecoder(DecoderSettings(receiver=CDG), source_file="bench")

    async def batches() -> AsyncIterator[pl.DataFrame]:
        newest = 0.0
        for i in range(0, len(frames), BATCH):
            pos = dec.decode(ts[i : i + BATCH], frames[i : i + BATCH])
            newest = max(newest, ts[min(i + BATCH, len(ts)) - 1])
            probe.arrival_wall.append(time.perf_counter())
            probe.arrival_tmax.append(newest)
            yield pos
            await asyncio.sleep(0)

    source = Source(batches(), FeedStatus("bench"), "frames", "bench", replay=True)
    d = Daemon(source, LiveTracker(), tick_s=tick_s, on_result=probe.on_result)
    w0, c0 = _clocks()
    asyncio.run(d.run())
    w1, c1 = _clocks()
    return {
        "wall_s": w1 - w0,
        "cpu_s": c1 - c0,
        "updates": d.tracker.stats.ticks,
        "detect_calls": d.tracker.stats.detect_calls,
        "aircraft": d.tracker.aircraft,
        "positions": d.status.positions,
    }, probe


def stream_ticks(ts: list[float], frames: list[str], tick_s: float) -> dict[str, Any]:
    """decode + validate + update once per ``tick_s`` of stream time (no coalescing)."""
    dec = ModeSDecoder(DecoderSettings(receiver=CDG), source_file="bench")
    tr = LiveTracker()
    i, n = 0, len(frames)
    lat: list[float] = []
    w0, c0 = _clocks()
    while i < n:
        j = bisect.bisect_left(ts, ts[i] + tick_s, lo=i)
        arrived = time.perf_counter()
        pos = dec.decode(ts[i:j], frames[i:j])
        good, _ = validate_positions(pos, "bench", "frames")
        res = tr.update(good)
        if res.events.height:  # the deciding message was decoded in this tick
            lat += [time.perf_counter() - arrived] * res.events.height
        i = j
    tr.flush()
    w1, c1 = _clocks()
    return {
        "wall_s": w1 - w0,
        "cpu_s": c1 - c0,
        "updates": tr.stats.ticks,
        "detect_calls": tr.stats.detect_calls,
        "latency_max_s": max(lat, default=0.0),
        "latency_median_s": statistics.median(lat) if lat else 0.0,
    }


def _rate(n: int, r: dict[str, Any]) -> tuple[float, float]:
    return n / r["wall_s"], n / r["cpu_s"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=360)
    ap.add_argument("--delta", type=float, default=0.1, help="shift between copies (s)")
    ap.add_argument("--window", type=float, default=500.0, help="stream seconds (0: all)")
    ap.add_argument("--tick", type=float, default=1.0)
    ap.add_argument("--no-stream-ticks", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    ts, frames = load(args.copies, args.delta, args.window)
    n = len(frames)
    span = ts[-1] - ts[0]
    per_s = sorted(pl.Series(ts).floor().value_counts()["count"].to_list())
    dens = {"mean": n / span, "median": float(per_s[len(per_s) // 2]), "max": float(per_s[-1])}
    print(
        f"{n:,} messages, {args.copies} aircraft, {span:,.0f} s of stream:"
        f" {dens['mean']:,.0f} msgs per stream second (median {dens['median']:,.0f},"
        f" max {dens['max']:,.0f}); machine: {os.cpu_count()} cores,"
        f" load {os.getloadavg()[0]:.1f} at start"
    )

    base, positions = decode_only(ts, frames)
    b_wall, b_cpu = _rate(n, base)
    print(
        f"decode only                      : {b_wall:>9,.0f} msg/s wall, {b_cpu:>9,.0f} per CPU-s"
    )

    live, probe = daemon_run(ts, frames, args.tick)
    l_wall, l_cpu = _rate(n, live)
    print(
        f"daemon, update every {args.tick:g} s of wall : {l_wall:>9,.0f} msg/s wall,"
        f" {l_cpu:>9,.0f} per CPU-s  ({l_wall / b_wall:.2f} / {l_cpu / b_cpu:.2f} of decode;"
        f" {live['updates']} updates, {live['detect_calls']} detect calls)"
    )
    stream: dict[str, Any] = {}
    if not args.no_stream_ticks:
        stream = stream_ticks(ts, frames, args.tick)
        s_wall, s_cpu = _rate(n, stream)
        stream |= {"msgs_per_s_wall": s_wall, "msgs_per_s_cpu": s_cpu}
        print(
            f"update every {args.tick:g} s of stream      : {s_wall:>9,.0f} msg/s wall,"
            f" {s_cpu:>9,.0f} per CPU-s  ({s_wall / b_wall:.2f} / {s_cpu / b_cpu:.2f} of decode;"
            f" {stream['updates']} updates; deciding tick -> event max"
            f" {stream['latency_max_s']:.2f} s)"
        )

    events = pl.concat(probe.events) if probe.events else pl.DataFrame()
    good, _ = validate_positions(positions, "bench", "frames")
    batch = detect(good).events  # the batch reference on the very same positions
    same = events.height == batch.height and set(events["event_id"]) == set(batch["event_id"])
    lat = probe.latencies
    print(
        f"events: {events.height} ({events.filter(pl.col('kind') == 'takeoff').height} take-offs),"
        f" batch detect: {batch.height}, same ids: {same};"
        f" {len(lat)} made final by a message, {probe.by_flush} by the end of the stream"
    )
    if lat:
        print(
            f"deciding message decoded -> event handled: median {statistics.median(lat):.2f} s,"
            f" max {max(lat):.2f} s (tick {args.tick:g} s);"
            f" event time -> final (detector look-ahead): median"
            f" {statistics.median(probe.horizons):.0f} s"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(),
                "machine": {
                    "cores": os.cpu_count(),
                    "python": platform.python_version(),
                    "polars": pl.__version__,
                    "load_at_start": os.getloadavg()[0],
                    "shared": True,
                },
                "stream": {
                    "messages": n,
                    "copies": args.copies,
                    "delta_s": args.delta,
                    "window_s": args.window,
                    "span_s": span,
                    "msgs_per_stream_s": dens,
                },
                "decode_only": base | {"msgs_per_s_wall": b_wall, "msgs_per_s_cpu": b_cpu},
                "daemon_wall_ticks": live
                | {
                    "tick_s": args.tick,
                    "msgs_per_s_wall": l_wall,
                    "msgs_per_s_cpu": l_cpu,
                    "ratio_wall": l_wall / b_wall,
                    "ratio_cpu": l_cpu / b_cpu,
                    "latency_median_s": statistics.median(lat) if lat else None,
                    "latency_max_s": max(lat) if lat else None,
                    "events_by_message": len(lat),
                    "events_by_end_of_stream": probe.by_flush,
                    "horizon_median_s": statistics.median(probe.horizons) if lat else None,
                },
                "stream_ticks": stream,
                "events": events.height,
                "batch_events": batch.height,
                "same_event_ids_as_batch": same,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
