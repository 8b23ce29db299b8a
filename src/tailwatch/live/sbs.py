"""SBS-1 / BaseStation text (dump1090 / readsb port 30003) to POSITIONS rows.

One CSV line per message, 22 fields::

     1 MSG   2 transmission type 1-8   3 session  4 aircraft id  5 hex ident
     6 flight id   7 date generated   8 time generated   9 date logged  10 time logged
    11 callsign  12 altitude (ft)  13 ground speed (kt)  14 track  15 lat  16 lon
    17 vertical rate (ft/min)  18 squawk  19 alert  20 emergency  21 SPI  22 is on ground

Transmission types: 1 identification, 2 surface position, 3 airborne position,
4 velocity, 5 surveillance altitude, 6 surveillance squawk, 7 air-to-air, 8 all-call.
Each type-2/3 line with a latitude and longitude is one row; the other types update
the aircraft's latest callsign, squawk, speed, track and vertical rate, carried on
its rows within the same freshness windows as :mod:`tailwatch.live.decode`.
Lines that are not ``MSG`` (``SEL``, ``ID``, ``AIR``, ``STA``, ``CLK``) are counted as
ignored; malformed ``MSG`` lines as bad.

Time: the "generated" date and time, read as UTC (readsb writes UTC; some dump1090
builds write local time: pass ``use_receive_time=True`` to stamp lines with the
time they were received instead). The "is on ground" flag is ``-1`` or ``1`` for
true; transmission type 2 is on the ground by definition.

Not thread-safe: one decoder per feed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch._schema import POSITIONS

if TYPE_CHECKING:
    from collections.abc import Iterable

_NEVER = -math.inf
_OTHER_TYPES = frozenset(("SEL", "ID", "AIR", "STA", "CLK"))


@dataclass(slots=True)
class SbsCounters:
    lines: int = 0
    positions: int = 0
    ignored: int = 0
    bad: int = 0
    evicted: int = 0


class _State:
    __slots__ = (
        "callsign",
        "callsign_t",
        "gs",
        "last_t",
        "squawk",
        "squawk_t",
        "track",
        "vel_t",
        "vrate",
    )

    def __init__(self) -> None:
        self.last_t = _NEVER
        self.callsign: str | None = None
        self.callsign_t = _NEVER
        self.squawk: str | None = None
        self.squawk_t = _NEVER
        self.gs: float | None = None
        self.track: float | None = None
        self.vrate: float | None = None
        self.vel_t = _NEVER


class SbsDecoder:
    """``decode(lines) -> POSITIONS``; per-aircraft state evicted after ``state_ttl_s``."""

    def __init__(
        self,
        *,
        source_file: str = "",
        use_receive_time: bool = False,
        fresh_s: float = 10.0,
        identity_fresh_s: float = 300.0,
        state_ttl_s: float = 300.0,
    ) -> None:
        self.source_file = source_file
        self.use_receive_time = use_receive_time
        self.fresh_s = fresh_s
        self.identity_fresh_s = identity_fresh_s
        self.state_ttl_s = state_ttl_s
        self.counters = SbsCounters()
        self._state: dict[str, _State] = {}
        self._next_sweep = _NEVER

    def decode(self, lines: Iterable[str], received: float | None = None) -> pl.DataFrame:
        """Decode text lines (without their line ends) received at ``received``."""
        rows: list[tuple[Any, ...]] = []
        now = time.time() if received is None else received
        for line in lines:
            self.counters.lines += 1
            try:
                row = self._line(line, now)
            except (ValueError, IndexError, OverflowError):
                self.counters.bad += 1
                continue
            if row is not None:
                rows.append(row)
        return self._frame(rows)

    def _line(self, line: str, now: float) -> tuple[Any, ...] | None:
        f = line.rstrip("\r\n").split(",")
        if f[0] != "MSG":
            if f[0] in _OTHER_TYPES:
                self.counters.ignored += 1
                return None
            if not line.strip():
                return None
            msg = "not an SBS message"
            raise ValueError(msg)
        if len(f) < 22:
            msg = "short line"
            raise ValueError(msg)
        kind = int(f[1])
        icao = f[4].strip().lower()
        if len(icao) != 6 or not all(ch in "0123456789abcdef" for ch in icao):
            msg = "bad hex ident"
            raise ValueError(msg)
        if not 1 <= kind <= 8:
            msg = "bad transmission type"
            raise ValueError(msg)
        t = now if self.use_receive_time else _utc_epoch(f[6], f[7])
        if t >= self._next_sweep:
            self._sweep(t)
        st = self._state.get(icao)
        if st is None:
            st = self._state[icao] = _State()
        st.last_t = t
        callsign = f[10].strip()
        if callsign:
            st.callsign, st.callsign_t = callsign, t
        squawk = f[17].strip()
        if squawk:
            if len(squawk) != 4 or not set(squawk) <= set("01234567"):
                msg = "bad squawk"
                raise ValueError(msg)
            st.squawk, st.squawk_t = squawk, t
        gs, track, vrate = _num(f[12]), _num(f[13]), _num(f[16])
        if kind == 4 or (gs is not None and kind != 2):
            st.gs, st.track, st.vrate, st.vel_t = gs, track, vrate, t
        if kind not in (2, 3):
            return None
        lat, lon = _num(f[14]), _num(f[15])
        if lat is None or lon is None:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            msg = "position out of range"
            raise ValueError(msg)
        ground_flag = f[21].strip()
        on_ground = True if kind == 2 else (ground_flag in ("-1", "1") if ground_flag else None)
        alt = _num(f[11])
        fresh = st.vel_t >= t - self.fresh_s
        identity = t - self.identity_fresh_s
        self.counters.positions += 1
        return (
            t,
            icao,
            st.callsign if st.callsign_t >= identity else None,
            lat,
            lon,
            None if on_ground else alt,
            None,
            gs if kind == 2 else (st.gs if fresh else None),
            track if kind == 2 else (st.track if fresh else None),
            None if kind == 2 else (st.vrate if fresh else None),
            on_ground,
            st.squawk if st.squawk_t >= identity else None,
        )

    def _sweep(self, t: float) -> None:
        self._next_sweep = t + 10.0
        stale = [k for k, s in self._state.items() if s.last_t < t - self.state_ttl_s]
        for k in stale:
            del self._state[k]
        self.counters.evicted += len(stale)

    def _frame(self, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
        names = POSITIONS.names()[:12]
        df = pl.DataFrame(
            rows,
            schema={"time": pl.Float64(), **{k: POSITIONS[k] for k in names[1:]}},
            orient="row",
        )
        return df.select(
            (pl.col("time") * 1e6).round().cast(pl.Int64).cast(pl.Datetime("us", "UTC")),
            *names[1:],
            pl.lit("sbs", dtype=POSITIONS["source_format"]).alias("source_format"),
            pl.lit(self.source_file, dtype=pl.String()).alias("source_file"),
        )


def _num(s: str) -> float | None:
    s = s.strip()
    if not s:
        return None
    v = float(s)
    if not math.isfinite(v):
        msg = "not a finite number"
        raise ValueError(msg)
    return v


def _utc_epoch(date: str, clock: str) -> float:
    y, mo, d = date.split("/")
    h, mi, sec = clock.split(":")
    base = datetime(int(y), int(mo), int(d), int(h), int(mi), tzinfo=UTC).timestamp()
    return base + float(sec)


__all__ = ["SbsCounters", "SbsDecoder"]
