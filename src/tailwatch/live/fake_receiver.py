"""A fake receiver for tests and benchmarks: recordings served as Beast or SBS over TCP.

::

    beast_stream(frames_jsonl)          raw frames -> Beast bytes, MLAT = recorded time
    sbs_lines(positions)                POSITIONS rows -> MSG,2 / MSG,3 / MSG,4 lines
    FakeReceiver(payload, drop_at=...)  asyncio server on 127.0.0.1, random port

The MLAT counter carries the recording's own clock (12 MHz since its first frame),
so a feed read with ``beast_tcp(..., mlat_start=...)`` gets the recorded times back
whatever the replay speed. Only for 127.0.0.1 tests: nothing here is hardened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tailwatch.live.beast import MLAT_HZ, encode_frame

if TYPE_CHECKING:
    import polars as pl


def beast_stream(path: str | Path, limit: int | None = None) -> tuple[bytes, datetime]:
    """Beast bytes for the frames of a JSON-lines file, and the time of its first frame."""
    out = bytearray()
    t0: float | None = None
    with Path(path).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            rec = json.loads(line)
            ts, frame = float(rec["timestamp"]), str(rec["frame"])
            t0 = ts if t0 is None else t0
            data = bytes.fromhex(frame)
            kind = "3" if len(data) == 14 else "2"
            mlat = round((ts - t0) * MLAT_HZ) + 1  # 0 means "no MLAT" to the reader
            out += encode_frame(kind, mlat, 0x80, data)
    start = datetime.fromtimestamp(t0 or 0.0, tz=UTC)
    return bytes(out), start


def sbs_lines(positions: pl.DataFrame) -> list[str]:
    """MSG,2 (on the ground), MSG,3 (airborne position) and MSG,4 (velocity) lines."""
    lines: list[str] = []

    def num(v: float | None, fmt: str) -> str:
        return "" if v is None else format(v, fmt)

    for r in positions.sort("time").iter_rows(named=True):
        t: datetime = r["time"]
        d, c = t.strftime("%Y/%m/%d"), t.strftime("%H:%M:%S.%f")[:-3]
        head = f"1,1,{r['icao24'].upper()},1,{d},{c},{d},{c}"
        cs = r["callsign"] or ""
        gs, trk, vr = num(r["gs_kt"], ".0f"), num(r["track_deg"], ".1f"), num(r["vrate_fpm"], ".0f")
        sq = r["squawk"] or ""
        lat, lon = num(r["lat"], ".5f"), num(r["lon"], ".5f")
        if r["on_ground"]:
            lines.append(f"MSG,2,{head},{cs},,{gs},{trk},{lat},{lon},,{sq},0,0,0,-1")
            continue
        if gs or vr:
            lines.append(f"MSG,4,{head},,,{gs},{trk},,,{vr},,0,0,0,0")
        alt = num(r["alt_baro_ft"], ".0f")
        flag = "" if r["on_ground"] is None else "0"
        lines.append(f"MSG,3,{head},{cs},{alt},,,{lat},{lon},,{sq},0,0,0,{flag}")
    return lines


class FakeReceiver:
    """Serves ``payload`` to each client, in chunks, then closes (or drops mid-way).

    ``drop_at``: byte offsets at which the current connection is closed; the next
    connection resumes from there (as a receiver that restarted). ``refuse_s``: after
    a drop, connections are refused for this long (the port is closed).
    """

    def __init__(
        self,
        payload: bytes,
        *,
        chunk: int = 4096,
        drop_at: tuple[int, ...] = (),
        refuse_s: float = 0.0,
        pause_s: float = 0.0,
        linger_s: float = 30.0,
    ) -> None:
        self.payload = payload
        self.chunk = chunk
        self.drops = sorted(drop_at)
        self.refuse_s = refuse_s
        self.pause_s = pause_s
        self.linger_s = linger_s  # keep the connection open after the payload
        self.offset = 0
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            end = self.drops.pop(0) if self.drops else len(self.payload)
            while self.offset < end:
                n = min(self.chunk, end - self.offset)
                writer.write(self.payload[self.offset : self.offset + n])
                self.offset += n
                await writer.drain()
                await asyncio.sleep(self.pause_s)
            if end < len(self.payload):  # a drop: close now, maybe refuse for a while
                if self.refuse_s and self._server is not None:
                    self._server.close()
                    asyncio.get_running_loop().create_task(self._reopen())
                return
            await asyncio.sleep(self.linger_s)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _reopen(self) -> None:
        await asyncio.sleep(self.refuse_s)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        for w in list(self._writers):
            w.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()


__all__ = ["FakeReceiver", "beast_stream", "sbs_lines"]
