"""Mode S / ADS-B frames to POSITIONS rows, with bounded per-aircraft state.

What is decoded (everything else is counted as ``ignored``):

- DF17, and DF18 with CF=0 (ADS-B with an ICAO address), CRC-checked:
  TC 1-4 identification -> callsign; TC 5-8 surface position (on_ground=True,
  with ground speed and track); TC 9-18 airborne position with barometric
  altitude; TC 20-22 airborne position with GNSS height; TC 19 velocity ->
  ground speed, track, vertical rate, GNSS-minus-baro difference.
- DF11 all-call replies (CRC with the interrogator overlay): only to learn that an
  address is really there.
- DF0/4/16/20 altitude and DF5/21 squawk, from the 13-bit header field. Their
  address is the CRC remainder (address/parity overlay), which any corrupted or
  noise frame also "has": they are used only when that address was heard in a
  CRC-checked DF11/17/18 within ``known_ttl_s``, otherwise counted as
  ``unknown_address`` and dropped.

CPR positions, per aircraft:

1. global decoding from the newest even/odd pair of the same kind (airborne or
   surface) no more than ``pair_window_s`` apart (surface: ``surface_pair_window_s``);
2. otherwise local decoding against a reference: the aircraft's own last accepted
   position if it is at most ``local_window_s`` old, else (surface only) the
   receiver position. The first airborne fix of an aircraft always needs a pair:
   a receiver-relative airborne decode silently aliases beyond 180 NM.

Surface CPR has four 90-degree solutions: surface positions need a reference
(receiver or last position) even for a pair; without one they stay ``cpr_pending``.

A position farther from the aircraft's last accepted one than ``max_speed_kt``
allows (plus ``jump_margin_km``) is dropped as ``implausible``. Three such
rejections in a row against a globally decoded pair mean the *old* track was the
wrong one: it is forgotten and the next pair starts a new one.

Each row carries the latest altitude, speed, track and vertical rate known for the
aircraft if at most ``fresh_s`` old (default 10 s: velocity is broadcast at 2 Hz,
so a value older than that means the messages are being lost), and the callsign
and squawk if at most ``identity_fresh_s`` old (default 300 s: identification is
broadcast only every 5-10 s and changes rarely).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch._schema import POSITIONS, SOURCE_FORMATS

if TYPE_CHECKING:
    from collections.abc import Sequence

_NEVER = -math.inf
_SHORT_DF = frozenset((0, 4, 5, 11))
_LONG_DF = frozenset((16, 17, 18, 20, 21))
_ALT_DF = frozenset((0, 4, 16, 20))
_KT_TO_KM_S = 1.852 / 3600.0
_EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class DecoderSettings:
    """Tunable windows and limits of :class:`ModeSDecoder` (seconds, knots, km)."""

    receiver: tuple[float, float] | None = None  # (lat, lon) of the antenna
    pair_window_s: float = 10.0
    surface_pair_window_s: float = 25.0
    local_window_s: float = 30.0
    fresh_s: float = 10.0
    identity_fresh_s: float = 300.0
    known_ttl_s: float = 60.0
    state_ttl_s: float = 300.0
    max_aircraft: int = 20_000
    max_speed_kt: float = 1000.0
    jump_margin_km: float = 2.0


@dataclass(slots=True)
class DecodeCounters:
    """Counts since the decoder was created (never reset)."""

    frames: int = 0
    invalid: int = 0  # not hex, or a length that fits no downlink format
    ignored: int = 0  # valid but carries nothing for positions (DF24, TC 28, ...)
    crc_failed: int = 0
    unknown_address: int = 0  # address/parity frame from an aircraft not heard lately
    cpr_pending: int = 0  # position frame waiting for its pair or a reference
    implausible: int = 0
    positions: int = 0
    evicted: int = 0
    by_df: Counter[int] = field(default_factory=Counter)


class _Aircraft:
    __slots__ = (
        "alt_baro",
        "alt_t",
        "callsign",
        "callsign_t",
        "even",
        "geom_delta",
        "gs",
        "last_t",
        "lat",
        "lon",
        "odd",
        "pos_t",
        "rejects",
        "squawk",
        "squawk_t",
        "track",
        "trusted_t",
        "vel_t",
        "vrate",
    )

    def __init__(self, t: float) -> None:
        self.last_t = t
        self.trusted_t = t
        self.even: tuple[float, int, int, bool] | None = None
        self.odd: tuple[float, int, int, bool] | None = None
        self.pos_t = _NEVER
        self.lat = 0.0
        self.lon = 0.0
        self.rejects = 0
        self.callsign: str | None = None
        self.callsign_t = _NEVER
        self.squawk: str | None = None
        self.squawk_t = _NEVER
        self.alt_baro: int | None = None
        self.alt_t = _NEVER
        self.gs: float | None = None
        self.track: float | None = None
        self.vrate: int | None = None
        self.geom_delta: int | None = None
        self.vel_t = _NEVER


class _Rows:
    """Column lists of the batch being built."""

    __slots__ = ("cols",)

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            name: [] for name in POSITIONS.names() if name not in _CONSTANT_COLUMNS
        }


_CONSTANT_COLUMNS = ("source_format", "source_file")


class ModeSDecoder:
    """Stateful decoder: ``decode(timestamps, frames)`` -> a POSITIONS frame.

    State contract: one :class:`_Aircraft` record per address heard in a
    CRC-checked DF11/17/18 (never created by address/parity frames, so noise cannot
    grow it); records unheard for ``state_ttl_s`` are evicted, and at most
    ``max_aircraft`` are kept (oldest evicted first). Timestamps are the receive
    times in epoch seconds and should be close to increasing; a pair is matched on
    the absolute time difference, so small reorderings are harmless.

    Not thread-safe: feed one decoder from one task or thread.
    """

    def __init__(
        self,
        settings: DecoderSettings | None = None,
        *,
        source_format: str = "frames",
        source_file: str = "",
    ) -> None:
        if source_format not in SOURCE_FORMATS:
            msg = f"unknown source_format {source_format!r}"
            raise ValueError(msg)
        from tailwatch.live import _pymodes  # lazy: the live extra

        self._pm = _pymodes
        self.settings = settings or DecoderSettings()
        self.source_format = source_format
        self.source_file = source_file
        self.counters = DecodeCounters()
        self._aircraft: dict[str, _Aircraft] = {}
        self._next_sweep = _NEVER

    @property
    def aircraft_count(self) -> int:
        return len(self._aircraft)

    def decode(self, timestamps: Sequence[float], frames: Sequence[str | bytes]) -> pl.DataFrame:
        """Decode a batch of frames (hex strings or raw bytes) received at ``timestamps``."""
        rows = _Rows()
        for t, frame in zip(timestamps, frames, strict=True):
            self._one(t, frame.hex() if isinstance(frame, bytes) else frame, rows)
        return self._frame(rows)

    def _one(self, t: float, msg: str, rows: _Rows) -> None:
        c = self.counters
        c.frames += 1
        if t >= self._next_sweep:
            self._sweep(t)
        try:
            df = int(msg[:2], 16) >> 3
        except ValueError:
            c.invalid += 1
            return
        n = len(msg)
        if df in _SHORT_DF:
            if n == 28:  # some recorders pad short frames to 112 bits: keep the 56
                msg = msg[:14]
            elif n != 14:
                c.invalid += 1
                return
        elif df in _LONG_DF:
            if n != 28:
                c.invalid += 1
                return
        else:
            c.by_df[df] += 1
            c.ignored += 1
            return
        try:
            int(msg, 16)
        except ValueError:
            c.invalid += 1
            return
        c.by_df[df] += 1
        pm = self._pm
        if df == 17 or df == 18:
            if df == 18 and int(msg[1], 16) & 7:  # CF != 0: TIS-B / ADS-R / non-ICAO
                c.ignored += 1
                return
            tc = int(msg[8:10], 16) >> 3
            if not 1 <= tc <= 22:
                if pm.crc(msg):
                    c.crc_failed += 1
                else:
                    self._trust(msg[2:8].lower(), t)
                    c.ignored += 1
                return
            d = pm.decode_es(msg)
            if not d["crc_valid"]:
                c.crc_failed += 1
                return
            ac = self._trust(msg[2:8].lower(), t)
            if tc <= 4:
                cs = (d.get("callsign") or "").strip("_# ")
                if cs:
                    ac.callsign = cs
                    ac.callsign_t = t
            elif tc == 19:
                self._velocity(ac, t, d)
            else:
                self._position(ac, msg[2:8].lower(), t, tc, d, rows)
            return
        if df == 11:
            if pm.crc(msg) & ~0x7F:  # parity overlaid with at most a 7-bit II/SI code
                c.crc_failed += 1
            else:
                self._trust(msg[2:8].lower(), t)
            return
        icao = f"{pm.crc(msg):06x}"
        ac_known = self._aircraft.get(icao)
        if ac_known is None or t - ac_known.trusted_t > self.settings.known_ttl_s:
            c.unknown_address += 1
            return
        ac_known.last_t = t
        if df in _ALT_DF:
            alt = pm.altitude_ft(msg)
            if alt is not None:
                ac_known.alt_baro = alt
                ac_known.alt_t = t
        else:
            sq = pm.squawk(msg)
            if sq is not None:
                ac_known.squawk = sq
                ac_known.squawk_t = t

    def _trust(self, icao: str, t: float) -> _Aircraft:
        ac = self._aircraft.get(icao)
        if ac is None:
            ac = self._aircraft[icao] = _Aircraft(t)
        ac.trusted_t = ac.last_t = t
        return ac

    @staticmethod
    def _velocity(ac: _Aircraft, t: float, d: dict[str, Any]) -> None:
        # Subtypes 1-2 give ground speed and track; 3-4 (airspeed, heading) do not.
        if d.get("subtype") in (1, 2):
            ac.gs = d.get("groundspeed")
            ac.track = d.get("track")
        else:
            ac.gs = ac.track = None
        ac.vrate = d.get("vertical_rate")
        ac.geom_delta = d.get("geo_minus_baro")
        ac.vel_t = t

    def _position(
        self, ac: _Aircraft, icao: str, t: float, tc: int, d: dict[str, Any], rows: _Rows
    ) -> None:
        s = self.settings
        pm = self._pm
        surface = tc <= 8
        odd = d["cpr_format"]
        entry = (t, d["cpr_lat"], d["cpr_lon"], surface)
        if odd:
            ac.odd = entry
            other = ac.even
        else:
            ac.even = entry
            other = ac.odd
        last_ref = (ac.lat, ac.lon) if t - ac.pos_t <= s.local_window_s else None
        surface_ref = last_ref or s.receiver
        pos: tuple[float, float] | None = None
        from_pair = False
        window = s.surface_pair_window_s if surface else s.pair_window_s
        if other is not None and other[3] == surface and abs(t - other[0]) <= window:
            even_e, odd_e = (other, entry) if odd else (entry, other)
            even_is_newer = even_e[0] >= odd_e[0]
            if surface:
                if surface_ref is not None:
                    pos = pm.surface_pair(
                        even_e[1:3], odd_e[1:3], surface_ref, even_is_newer=even_is_newer
                    )
            else:
                pos = pm.airborne_pair(even_e[1:3], odd_e[1:3], even_is_newer=even_is_newer)
            from_pair = pos is not None
        if pos is None:
            if surface:
                if surface_ref is not None:
                    pos = pm.surface_local(odd, entry[1], entry[2], surface_ref)
            elif last_ref is not None:
                pos = pm.airborne_local(odd, entry[1], entry[2], last_ref)
        if pos is None:
            self.counters.cpr_pending += 1
            return
        lat, lon = pos
        lon = (lon + 180.0) % 360.0 - 180.0
        if not -90.0 <= lat <= 90.0:
            self.counters.implausible += 1
            return
        if ac.pos_t > _NEVER and t - ac.pos_t <= s.state_ttl_s:
            reach = s.max_speed_kt * _KT_TO_KM_S * abs(t - ac.pos_t) + s.jump_margin_km
            if _distance_km(ac.lat, ac.lon, lat, lon) > reach:
                self.counters.implausible += 1
                ac.rejects += 1
                if from_pair and ac.rejects >= 3:
                    ac.pos_t = _NEVER  # the old track was the phantom: start again
                    ac.rejects = 0
                return
        ac.rejects = 0
        ac.lat, ac.lon, ac.pos_t = lat, lon, t
        self._emit(ac, icao, t, tc, lat, lon, d, rows)

    def _emit(
        self,
        ac: _Aircraft,
        icao: str,
        t: float,
        tc: int,
        lat: float,
        lon: float,
        d: dict[str, Any],
        rows: _Rows,
    ) -> None:
        s = self.settings
        fresh = t - s.fresh_s
        identity = t - s.identity_fresh_s
        alt_baro: int | None = None
        alt_geom: int | None = None
        vrate: int | None = None
        if tc <= 8:
            gs, track = d.get("groundspeed"), d.get("track")
        else:
            if tc <= 18:
                alt_baro = d.get("altitude")
                if alt_baro is not None:
                    ac.alt_baro, ac.alt_t = alt_baro, t
            else:
                alt_geom = d.get("altitude")
            if alt_baro is None and ac.alt_t >= fresh:
                alt_baro = ac.alt_baro
            vel_fresh = ac.vel_t >= fresh
            gs = ac.gs if vel_fresh else None
            track = ac.track if vel_fresh else None
            vrate = ac.vrate if vel_fresh else None
            delta = ac.geom_delta if vel_fresh else None
            if alt_geom is None and alt_baro is not None and delta is not None:
                alt_geom = alt_baro + delta
        cols = rows.cols
        cols["time"].append(t)
        cols["icao24"].append(icao)
        cols["callsign"].append(ac.callsign if ac.callsign_t >= identity else None)
        cols["lat"].append(lat)
        cols["lon"].append(lon)
        cols["alt_baro_ft"].append(alt_baro)
        cols["alt_geom_ft"].append(alt_geom)
        cols["gs_kt"].append(gs)
        cols["track_deg"].append(track)
        cols["vrate_fpm"].append(vrate)
        cols["on_ground"].append(tc <= 8)
        cols["squawk"].append(ac.squawk if ac.squawk_t >= identity else None)
        self.counters.positions += 1

    def _sweep(self, t: float) -> None:
        s = self.settings
        self._next_sweep = t + min(10.0, s.state_ttl_s)
        horizon = t - s.state_ttl_s
        stale = [k for k, ac in self._aircraft.items() if ac.last_t < horizon]
        excess = len(self._aircraft) - len(stale) - s.max_aircraft
        if excess > 0:
            alive = sorted(
                (ac.last_t, k) for k, ac in self._aircraft.items() if ac.last_t >= horizon
            )
            stale.extend(k for _, k in alive[:excess])
        for k in stale:
            del self._aircraft[k]
        self.counters.evicted += len(stale)

    def _frame(self, rows: _Rows) -> pl.DataFrame:
        cols = rows.cols
        height = len(cols["time"])
        data: dict[str, Any] = dict(cols)
        data["time"] = pl.Series("time", cols["time"], dtype=pl.Float64)
        out = pl.DataFrame(
            data,
            schema_overrides={k: v for k, v in POSITIONS.items() if k in cols and k != "time"},
        )
        return out.select(
            (pl.col("time") * 1_000_000)
            .round()
            .cast(pl.Int64)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .alias("time"),
            *[pl.col(k) for k in POSITIONS.names()[1:] if k not in _CONSTANT_COLUMNS],
            pl.repeat(self.source_format, height, dtype=POSITIONS["source_format"]).alias(
                "source_format"
            ),
            pl.repeat(self.source_file, height, dtype=pl.String()).alias("source_file"),
        )


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


__all__ = ["DecodeCounters", "DecoderSettings", "ModeSDecoder"]
