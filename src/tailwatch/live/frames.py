"""Raw Mode S frames from text: JSON lines or hex lines, read at once or replayed.

Accepted lines (blank lines and ``#`` comments are skipped, anything else that
does not parse is counted in :attr:`FrameLineCounters.bad`)::

    {"timestamp": 1720248189.525, "frame": "8f3933...", ...}   JSON lines (rs1090, jet1090)
    *8d4840d6202cc371c32ce0576098;                             AVR (dump1090 port 30002)
    @0000a1b2c3d48d4840d6202cc371c32ce0576098;                 AVR with a 12-hex MLAT prefix
    8d4840d6202cc371c32ce0576098                               bare hex
    1720248189.525 8d4840d6202cc371c32ce0576098                epoch seconds, then a frame
    1720248189.525,*8d4840d6202cc371c32ce0576098;              (space, comma or tab)

A line without a timestamp takes the previous line's, or, before any, the time
the file is read (``default_time``).

:func:`replay` paces batches by their timestamps: ``speed=1`` real time, ``10``
ten times faster, ``0`` as fast as possible.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator

_HEX = frozenset("0123456789abcdefABCDEF")


class FrameBatch(NamedTuple):
    """Frames and their receive times (epoch seconds, UTC), index-aligned."""

    timestamps: list[float]
    frames: list[str]


@dataclass(slots=True)
class FrameLineCounters:
    lines: int = 0
    frames: int = 0
    bad: int = 0


def parse_line(line: str) -> tuple[float | None, str] | None:
    """One text line -> ``(timestamp or None, hex frame)``; None if it is no frame."""
    s = line.strip()
    if not s:
        return None
    if s[0] == "{":
        try:
            obj = json.loads(s)
            ts, frame = obj.get("timestamp"), obj.get("frame") or obj.get("rawmsg")
        except (ValueError, AttributeError):
            return None
        if not isinstance(frame, str) or not _is_frame(frame):
            return None
        good_ts = isinstance(ts, int | float) and math.isfinite(ts)
        return (float(ts) if good_ts else None), frame.lower()
    ts_val: float | None = None
    for sep in (" ", ",", "\t"):
        head, found, rest = s.partition(sep)
        if found:
            try:
                ts_val = float(head)
            except ValueError:
                return None
            if not math.isfinite(ts_val):
                return None
            s = rest.strip()
            break
    if s[:1] in ("*", "@") and s.endswith(";"):
        s = s[13:-1] if s[0] == "@" else s[1:-1]  # "@": 12 hex MLAT digits, then the frame
    return (ts_val, s.lower()) if _is_frame(s) else None


def _is_frame(s: str) -> bool:
    return len(s) in (14, 28) and _HEX.issuperset(s)


def batches(
    lines: Iterable[str],
    *,
    batch_size: int = 1000,
    default_time: float | None = None,
    counters: FrameLineCounters | None = None,
) -> Iterator[FrameBatch]:
    """Group parsed lines into batches of at most ``batch_size`` frames."""
    c = counters if counters is not None else FrameLineCounters()
    last = time.time() if default_time is None else default_time
    ts: list[float] = []
    frames: list[str] = []
    for line in lines:
        c.lines += 1
        parsed = parse_line(line)
        if parsed is None:
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                c.bad += 1
            continue
        t, frame = parsed
        if t is not None:
            last = t
        ts.append(last)
        frames.append(frame)
        c.frames += 1
        if len(frames) >= batch_size:
            yield FrameBatch(ts, frames)
            ts, frames = [], []
    if frames:
        yield FrameBatch(ts, frames)


def read_batches(
    path: str | Path,
    *,
    batch_size: int = 1000,
    counters: FrameLineCounters | None = None,
) -> Iterator[FrameBatch]:
    """All frames of a file, in batches (the file is streamed, not loaded)."""
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        yield from batches(fh, batch_size=batch_size, counters=counters)


async def replay(
    source: Iterable[FrameBatch],
    *,
    speed: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[FrameBatch]:
    """Yield batches no sooner than their recorded times allow, scaled by ``speed``.

    Batches are split so that no frame is released before its time: at speed 1 a
    frame recorded 3 s after the first comes out 3 s after the replay started.
    ``speed=0`` never waits (but still yields to the event loop between batches).
    """
    if speed < 0:
        msg = "speed must be >= 0"
        raise ValueError(msg)
    t0_rec: float | None = None
    t0_wall = clock()
    for batch in source:
        if speed == 0 or not batch.frames:
            await sleep(0)
            yield batch
            continue
        if t0_rec is None:
            t0_rec = batch.timestamps[0]
        i = 0
        n = len(batch.frames)
        while i < n:
            due = t0_wall + (batch.timestamps[i] - t0_rec) / speed
            wait = due - clock()
            if wait > 0:
                await sleep(wait)
            now_rec = t0_rec + (clock() - t0_wall) * speed
            j = i + 1
            while j < n and batch.timestamps[j] <= now_rec:
                j += 1
            yield FrameBatch(batch.timestamps[i:j], batch.frames[i:j])
            i = j


__all__ = [
    "FrameBatch",
    "FrameLineCounters",
    "batches",
    "parse_line",
    "read_batches",
    "replay",
]
