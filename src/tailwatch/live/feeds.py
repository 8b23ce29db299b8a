"""Feeds: bytes or lines in, batches of POSITIONS rows out.

::

    beast_tcp(host, port, decoder)     Beast over TCP (port 30005), reconnecting
    sbs_tcp(host, port, decoder)       SBS-1 over TCP (port 30003), reconnecting
    beast_file(path, decoder, start)   a Beast capture file
    frames_file(path, decoder)         JSON-lines / hex-lines frames (see frames.py)
    frames_replay(path, decoder, speed) the same, paced like the recording

Times: a live Beast frame is stamped with the wall-clock time its chunk arrived,
refined by the 12 MHz MLAT counter inside the chunk (so that even/odd CPR frames
keep their order); a Beast file has no wall clock, so its frames are stamped
``start + (mlat - first mlat) / 12 MHz``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from tailwatch.live.beast import MLAT_HZ, BeastFrame, BeastParser
from tailwatch.live.connect import Backoff, tcp_chunks
from tailwatch.live.frames import FrameLineCounters, read_batches, replay
from tailwatch.live.status import FeedStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from datetime import datetime

    import polars as pl

    from tailwatch.live.decode import ModeSDecoder
    from tailwatch.live.sbs import SbsDecoder


def beast_times(frames: list[BeastFrame], received: float) -> list[float]:
    """Receive times of the frames of one chunk, the last one at ``received``.

    The MLAT counter gives the spacing when it is running and consistent
    (non-decreasing, spanning under 2 s); otherwise every frame gets ``received``.
    """
    if not frames:
        return []
    last = frames[-1].mlat
    first = frames[0].mlat
    if first == 0 or last < first or last - first > 2 * MLAT_HZ:
        return [received] * len(frames)
    prev = first
    out = []
    for f in frames:
        if f.mlat < prev:
            return [received] * len(frames)
        prev = f.mlat
        out.append(received - (last - f.mlat) / MLAT_HZ)
    return out


def _mode_s(frames: list[BeastFrame]) -> list[BeastFrame]:
    return [f for f in frames if f.kind != "1"]


async def beast_tcp(
    host: str,
    port: int,
    decoder: ModeSDecoder,
    *,
    parser: BeastParser | None = None,
    status: FeedStatus | None = None,
    backoff: Backoff | None = None,
    mlat_start: datetime | None = None,
) -> AsyncIterator[pl.DataFrame]:
    """Positions from a Beast TCP feed, one frame per received chunk (may be empty).

    ``mlat_start``: stamp frames ``mlat_start + mlat / 12 MHz`` instead of the arrival
    time (a recording served with its own clock in the MLAT counter, e.g. by
    :mod:`tailwatch.live.fake_receiver`).
    """
    p = parser if parser is not None else BeastParser()
    st = status if status is not None else FeedStatus(f"beast {host}:{port}")
    connection = 0
    t0 = mlat_start.timestamp() if mlat_start is not None else None
    async for conn, chunk in tcp_chunks(host, port, status=st, backoff=backoff):
        if conn != connection:
            p.close()  # a frame cut by the drop is counted, never glued to new bytes
            connection = conn
        frames = _mode_s(p.feed(chunk))
        st.messages += len(frames)
        if t0 is not None:
            ts = [t0 + f.mlat / MLAT_HZ for f in frames]
        else:
            ts = beast_times(frames, time.time())
        yield decoder.decode(ts, [f.data for f in frames])


async def sbs_tcp(
    host: str,
    port: int,
    decoder: SbsDecoder,
    *,
    status: FeedStatus | None = None,
    backoff: Backoff | None = None,
) -> AsyncIterator[pl.DataFrame]:
    """Positions from an SBS-1 TCP feed; a line cut by a drop is discarded."""
    st = status if status is not None else FeedStatus(f"sbs {host}:{port}")
    pending = b""
    connection = 0
    async for conn, chunk in tcp_chunks(host, port, status=st, backoff=backoff):
        if conn != connection:
            if pending:
                decoder.counters.bad += 1
            pending = b""
            connection = conn
        *lines, pending = (pending + chunk).split(b"\n")
        if len(pending) > 1 << 16:  # no newline in 64 KiB: not SBS
            decoder.counters.bad += 1
            pending = b""
        st.messages += len(lines)
        text = [ln.decode("ascii", errors="replace").rstrip("\r") for ln in lines]
        yield decoder.decode(text, received=time.time())


def beast_file(
    path: str | Path, decoder: ModeSDecoder, start: datetime, *, chunk_size: int = 1 << 16
) -> Iterator[pl.DataFrame]:
    """Positions from a Beast capture; ``start`` is the wall time of its first frame."""
    p = BeastParser()
    t0 = start.timestamp()
    mlat0: int | None = None
    with Path(path).open("rb") as fh:
        while chunk := fh.read(chunk_size):
            frames = _mode_s(p.feed(chunk))
            if not frames:
                continue
            if mlat0 is None:
                mlat0 = frames[0].mlat
            base = mlat0
            ts = [t0 + max(0, f.mlat - base) / MLAT_HZ for f in frames]
            yield decoder.decode(ts, [f.data for f in frames])
    p.close()


def frames_file(
    path: str | Path,
    decoder: ModeSDecoder,
    *,
    batch_size: int = 5000,
    counters: FrameLineCounters | None = None,
) -> Iterator[pl.DataFrame]:
    """Positions from a JSON-lines or hex-lines frames file, as fast as possible."""
    for batch in read_batches(path, batch_size=batch_size, counters=counters):
        yield decoder.decode(batch.timestamps, batch.frames)


async def frames_replay(
    path: str | Path,
    decoder: ModeSDecoder,
    *,
    speed: float = 1.0,
    batch_size: int = 1000,
    counters: FrameLineCounters | None = None,
) -> AsyncIterator[pl.DataFrame]:
    """The same, paced by the recorded times (``speed=0``: no waiting)."""
    source = read_batches(path, batch_size=batch_size, counters=counters)
    async for batch in replay(source, speed=speed):
        yield decoder.decode(batch.timestamps, batch.frames)


__all__ = ["beast_file", "beast_tcp", "beast_times", "frames_file", "frames_replay", "sbs_tcp"]
