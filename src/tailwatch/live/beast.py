"""Beast binary framing (readsb / dump1090 port 30005, Mode-S Beast hardware).

Wire format, one frame::

    0x1a  TYPE  MLAT(6 bytes, big-endian 12 MHz counter)  SIGNAL(1 byte)  DATA

    TYPE '1' (0x31) Mode A/C      DATA = 2 bytes
    TYPE '2' (0x32) Mode S short  DATA = 7 bytes
    TYPE '3' (0x33) Mode S long   DATA = 14 bytes
    TYPE '4' (0x34) status        DATA = 14 bytes (Radarcape / Beast status; skipped)

Every 0x1a byte inside MLAT, SIGNAL or DATA is sent doubled (0x1a 0x1a), so a
single 0x1a followed by a type byte always starts a frame. Anything else between
frames is garbage: it is counted and skipped up to the next frame start
("resync"). A frame interrupted by an unescaped 0x1a (the sender restarted, or
bytes were lost) is counted as truncated and parsing restarts at that 0x1a.

:class:`BeastParser` is incremental: feed it chunks as they come from a socket or a
file; an incomplete frame at the end of a chunk is kept (at most 44 bytes) and
completed by the next chunk. It never raises on any input.

Not thread-safe: one parser per stream, fed from one task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

ESC = 0x1A

#: Body length (MLAT + signal + data, unescaped) by type byte.
_BODY_LEN = {0x31: 6 + 1 + 2, 0x32: 6 + 1 + 7, 0x33: 6 + 1 + 14, 0x34: 6 + 1 + 14}
#: Data length by emitted frame kind, for checks and tests.
DATA_LEN = {"1": 2, "2": 7, "3": 14}
#: Beast MLAT counter frequency.
MLAT_HZ = 12_000_000


class BeastFrame(NamedTuple):
    """One Mode A/C or Mode S frame, unescaped."""

    kind: str  # "1" Mode A/C, "2" Mode S short, "3" Mode S long
    mlat: int  # 48-bit counter, 12 MHz (0 when the receiver has no MLAT clock)
    signal: int  # 0-255, receiver-specific scale (255 = unknown in dump1090-fa)
    data: bytes  # 2, 7 or 14 bytes


@dataclass(slots=True)
class BeastCounters:
    """What the parser has seen so far."""

    mode_ac: int = 0
    mode_s_short: int = 0
    mode_s_long: int = 0
    status: int = 0
    garbage_bytes: int = 0
    resyncs: int = 0
    truncated: int = 0

    @property
    def frames(self) -> int:
        return self.mode_ac + self.mode_s_short + self.mode_s_long


class BeastParser:
    """Incremental Beast parser: ``feed(chunk) -> frames``, ``close()`` at end of stream."""

    __slots__ = ("_pending", "_synced", "counters")

    def __init__(self) -> None:
        self._pending = b""
        self._synced = True
        self.counters = BeastCounters()

    def feed(self, chunk: bytes) -> list[BeastFrame]:
        """Parse ``chunk`` (after any bytes kept from the previous call)."""
        buf = self._pending + chunk if self._pending else bytes(chunk)
        frames: list[BeastFrame] = []
        c = self.counters
        n = len(buf)
        i = 0
        while i < n:
            j = buf.find(b"\x1a", i)
            if j < 0:
                self._skip(n - i)
                i = n
                break
            if j > i:
                self._skip(j - i)
            if j + 1 >= n:  # a lone 0x1a at the end: wait for the type byte
                i = j
                break
            kind = buf[j + 1]
            body_len = _BODY_LEN.get(kind)
            if body_len is None:
                # 0x1a 0x1a between frames, or an unknown type: both are garbage.
                self._skip(2 if kind == ESC else 1)
                i = j + 2 if kind == ESC else j + 1
                continue
            start = j + 2
            end = start + body_len
            seg = buf[start:end]
            if len(seg) == body_len and ESC not in seg:
                body = seg  # fast path: nothing escaped
                k = end
            else:
                body_or_stop = _unescape(buf, start, body_len)
                if body_or_stop is None:  # incomplete: keep from the frame start
                    i = j
                    break
                if isinstance(body_or_stop, int):  # interrupted by a new frame
                    c.truncated += 1
                    i = body_or_stop
                    continue
                body, k = body_or_stop
            i = k
            self._synced = True
            if kind == 0x34:
                c.status += 1
                continue
            mlat = int.from_bytes(body[:6], "big")
            if kind == 0x33:
                c.mode_s_long += 1
                frames.append(BeastFrame("3", mlat, body[6], bytes(body[7:])))
            elif kind == 0x32:
                c.mode_s_short += 1
                frames.append(BeastFrame("2", mlat, body[6], bytes(body[7:])))
            else:
                c.mode_ac += 1
                frames.append(BeastFrame("1", mlat, body[6], bytes(body[7:])))
        self._pending = buf[i:] if i < n else b""
        return frames

    def close(self) -> None:
        """End of stream: an incomplete frame still pending counts as truncated."""
        if self._pending:
            self.counters.truncated += 1
            self._pending = b""

    def _skip(self, nbytes: int) -> None:
        # One resync per garbage run, however many skips it takes.
        self.counters.garbage_bytes += nbytes
        if self._synced:
            self.counters.resyncs += 1
            self._synced = False


def _unescape(buf: bytes, start: int, body_len: int) -> tuple[bytes, int] | int | None:
    """Read ``body_len`` unescaped bytes from ``buf[start:]``.

    Returns ``(body, next_index)``; ``None`` if the buffer ends first (wait for
    more); or the index of an unescaped 0x1a that interrupts the body.
    """
    out = bytearray()
    k = start
    n = len(buf)
    while len(out) < body_len:
        if k >= n:
            return None
        b = buf[k]
        if b == ESC:
            if k + 1 >= n:
                return None
            if buf[k + 1] != ESC:
                return k
            k += 2
        else:
            k += 1
        out.append(b)
    return bytes(out), k


def encode_frame(kind: str, mlat: int, signal: int, data: bytes) -> bytes:
    """Build one escaped Beast frame (for test servers and replays)."""
    body = mlat.to_bytes(6, "big") + bytes([signal]) + data
    return b"\x1a" + kind.encode() + body.replace(b"\x1a", b"\x1a\x1a")


__all__ = ["DATA_LEN", "MLAT_HZ", "BeastCounters", "BeastFrame", "BeastParser", "encode_frame"]
