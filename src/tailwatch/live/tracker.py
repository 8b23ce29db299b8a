"""The batch detector, run incrementally on a live stream: final events, stays, crossings.

:class:`LiveTracker` keeps, per aircraft, a *window* of raw positions and re-runs the
very same :func:`tailwatch.detect.detect` on the aircraft that received data in a
tick (one call over all of them: nothing crosses aircraft, so batching changes
nothing). An event is emitted once it is **final**: nothing later in the stream can
change it. Replaying a recording therefore yields exactly the batch events (same
``event_id``, kind, time, airport, confidence); ``tests/live/test_equivalence.py``
checks it on the real recordings.

Finality (stream time ``now``; ``T_last`` = the aircraft's last position)::

    final_at = max(event.time + H, structural)
    H = max(max_glitch_s, speed_baseline_s + speed_tolerance_s, min_ground_s, min_air_s)
        + speed_baseline_s                              (320 s with the defaults)

``H`` is the longest look-ahead of the local rules: a glitch chunk is judged on
``max_glitch_s`` of data, implied speeds on +-``speed_baseline_s`` within
``speed_tolerance_s``, run persistence on ``min_ground_s``/``min_air_s``.
``structural`` says whether the segment after the event is settled:

* it is not the aircraft's last segment, or it is and is *established* (a ground run
  of >= max(min_ground_points, evidence_points) rows over >= ``min_ground_s``; an
  airborne run of >= max(min_air_points, evidence_points) rows over >= ``min_air_s``)
  -> no constraint;
* a landing judged from the airborne end of the last flight (signal lost): any
  reappearance after ``stop_gap_s`` splits the flight when the end was lined up with
  a runway (confidence observed/inferred), after ``endurance_s`` in any case ->
  ``T_last + stop_gap_s`` or ``T_last + endurance_s``;
* a last segment not yet established (e.g. two ground positions, then silence) ->
  ``T_last + endurance_s``.
* a take-off with fewer than ``2 * evidence_points`` rows after it (its evidence is
  counted in rows, which on sparse coverage come later than ``H``) ->
  ``T_last + stop_gap_s``, or no constraint once the rows are there.

Known, documented divergence: an aircraft whose signal was lost airborne and which
reappears *on the ground* within ``gap_reach_km`` after its landing was finalised
gets, in batch, a landing re-timed to the ground sighting; live has already emitted
the first reading and keeps it (a flight end is emitted once: ``stats.superseded``
counts the re-readings not emitted). And a landing lost in the air is final
``stop_gap_s`` after ``T_last``: its ``time_latest`` (batch: the next sighting) is empty
when that sighting comes later.

Bounded state, per aircraft:

* the window is cut inside a segment, ``keep_s`` and ``keep_rows`` before its end,
  where the rows around the cut are dense (< ``min_gap_s`` apart), once every event
  that could depend on rows before the cut is final. A cut inside a flight keeps the
  flight's id (remapped) and its callsign; the artificial "take-off" at the cut is
  suppressed (any unemitted event within ``H`` of the window start is one);
* an aircraft quiet for ``evict_after_s`` keeps only its last ``evict_keep_rows`` rows
  (enough for the gap rules when it comes back); quiet for ``forget_after_s``, or
  beyond ``max_aircraft``, it is forgotten;
* finalised events: those in the window plus the last ``events_kept`` per aircraft
  (the last landing, so that an open stay still closes after days).

Thread-safety and state contract: not thread-safe; one tracker per stream, driven
by one task (the daemon's). All state is in plain polars frames and dicts owned by
the tracker and written/read whole by :meth:`LiveTracker.save` /
:meth:`LiveTracker.load` (one SQLite file, one transaction: a crash never leaves a
half-written state). A call with nothing due (before the earliest pending ``final_at`` or
re-detection turn, rows only for aircraft already waiting for re-detection) only
queues its rows; ``buffer`` and ``meta`` take the queue in whenever they are read, so
every reader sees the same state as if each call had done all its work. Events do
not depend on how rows are split into calls. Input positions must be valid POSITIONS rows
(:func:`tailwatch.sources.validate_positions`); they may arrive out of order within
a tick but are assumed not older than ``now - H`` (a feed is roughly in order).
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from tailwatch._schema import EVENTS, POSITIONS, STAYS, TIME
from tailwatch.detect import detect
from tailwatch.flights.params import DetectionParams
from tailwatch.reference.airports import AirportIndex
from tailwatch.stays.stays import build_stays

if TYPE_CHECKING:
    from pathlib import Path

#: Airspace entries handed to the alert engine.
AIRSPACE = pl.Schema(
    {
        "icao24": pl.String(),
        "time": TIME,
        "country": pl.String(),
        "previous_country": pl.String(),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
    }
)

_META = pl.Schema(
    {
        "icao24": pl.String(),
        "floor": TIME,  # first time of the window after a cut (null: never cut)
        "fid_to": pl.String(),  # true flight id of the flight cut by the window start
        "last_seen": TIME,
        "country": pl.String(),  # last known country (airspace crossings)
        "detected_at": TIME,  # stream time of the last re-detection
        "dirty": pl.Boolean(),  # rows arrived since the last re-detection
    }
)
_PENDING = pl.Schema({**EVENTS, "final_at": TIME})

CountryFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def local_horizon_s(p: DetectionParams) -> float:
    """Longest look-ahead of the detector's local rules (see module docstring)."""
    return (
        max(p.max_glitch_s, p.speed_baseline_s + p.speed_tolerance_s, p.min_ground_s, p.min_air_s)
        + p.speed_baseline_s
    )


@dataclass(frozen=True)
class TrackerSettings:
    """Bounds of the tracker's state (seconds, rows). See the module docstring."""

    keep_s: float = 900.0
    keep_rows: int = 50
    trim_min_rows: int = 300  # cut only when it frees this many rows (amortised)
    max_ground_rows: int = 20_000  # a ground run longer than this is cut anyway
    redetect_s: float = 300.0  # stream seconds between re-detections (capped at H)
    evict_after_s: float = 86_400.0
    evict_keep_rows: int = 10
    forget_after_s: float = 30 * 86_400.0
    max_aircraft: int = 50_000
    events_kept: int = 8


@dataclass(frozen=True)
class TickResult:
    """What one tick produced: newly final events, airspace entries, the stream time."""

    events: pl.DataFrame
    airspace: pl.DataFrame
    now: datetime | None
    touched: frozenset[str] = frozenset()
    # event_id, final_at of ``events``: the stream time from which each was final, so
    # the message that decided it is the first one at or after it. None at a flush
    # (the end of the stream decided them).
    decided: pl.DataFrame | None = None


@dataclass
class TrackerStats:
    ticks: int = 0
    positions_in: int = 0
    detect_calls: int = 0
    events_final: int = 0
    suppressed_artifacts: int = 0
    superseded: int = 0
    cuts: int = 0
    evicted: int = 0
    forgotten: int = 0


_SOLID_ROWS = 20


def _solid(p: DetectionParams) -> pl.Expr:
    """The row's own state is beyond doubt: flagged/slow ground, or high in the air."""
    air = (pl.col("raw_ground") == False) & (pl.col("height_ft") > p.air_height_ft)  # noqa: E712
    return (pl.col("ground") & pl.col("raw_ground").fill_null(False)) | (
        ~pl.col("ground") & air.fill_null(False)
    )


def _with_chunks(positions: pl.DataFrame, p: DetectionParams) -> pl.DataFrame:
    """Cleaned rows with ``_chunk``: runs without an impossible hop or climb between them.

    The same tests as cleaning (``flights/clean.py``), on the rows cleaning kept: a
    boundary left here is a jump cleaning has not resolved yet (a short chunk may
    still be judged a glitch when its neighbour grows).
    """
    from tailwatch.flights._geo import KM_PER_NM, haversine_km

    same = pl.col("icao24") == pl.col("icao24").shift(1)
    dt_s = ((pl.col("time") - pl.col("time").shift(1)).dt.total_microseconds() / 1e6).clip(1.0)
    dist = haversine_km(
        pl.col("lat").shift(1), pl.col("lon").shift(1), pl.col("lat"), pl.col("lon")
    )
    hop = (dist - p.position_slack_km) / KM_PER_NM / (dt_s / 3600.0) > p.max_speed_kt
    alt = pl.col("alt_baro_ft")
    climb = (alt - alt.shift(1)).abs() > p.max_vrate_fpm / 60.0 * dt_s + p.altitude_slack_ft
    new = ~same.fill_null(False) | hop.fill_null(False) | climb.fill_null(False)
    # rows before the aircraft's first known raw state took the *next* known one
    known = pl.col("raw_ground").is_not_null().cast(pl.Int32).cum_max().over("icao24") == 1
    # the trailing run was read against its raw state (e.g. a "ground" run whose
    # heights are all high): more rows in that run can turn it back
    flipped = (pl.col("raw_ground").forward_fill().over("icao24") != pl.col("ground")).fill_null(
        False
    )
    return positions.sort("icao24", "time").select(
        "icao24", "time", "ground", "_seg", _chunk=new.cum_sum(), _known=known, _flip=flipped
    )


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _dt(seconds: float) -> pl.Expr:
    return pl.duration(microseconds=int(seconds * 1e6))


@dataclass
class LiveTracker:
    """Incremental detection with bounded state (contract in the module docstring)."""

    params: DetectionParams = field(default_factory=DetectionParams)
    index: AirportIndex | None = None
    settings: TrackerSettings = field(default_factory=TrackerSettings)
    country_at: CountryFn | None = None

    def __post_init__(self) -> None:
        self.index = self.index or AirportIndex.default()
        self.horizon_s = local_horizon_s(self.params)
        self._buffer = _empty(POSITIONS)
        self._meta = _empty(_META)
        # Rows added since the buffer and the meta last took them in (see _sync).
        self._inbox: list[pl.DataFrame] = []
        self.pending = _empty(_PENDING)
        self.final = _empty(EVENTS)  # finalised events kept (see module docstring)
        self.now: datetime | None = None
        self.start: datetime | None = None
        self.stats = TrackerStats()
        self._swept: datetime | None = None
        # Before ``_wake`` (stream time) nothing is due for the aircraft in
        # ``_armed_dirty``: a tick that only adds rows for them skips the work.
        self._wake: datetime | None = None
        self._armed_dirty: frozenset[str] = frozenset()

    # -- state frames, taken in lazily -----------------------------------------------
    @property
    def buffer(self) -> pl.DataFrame:
        """The positions window (POSITIONS rows) of every aircraft."""
        self._sync()
        return self._buffer

    @buffer.setter
    def buffer(self, df: pl.DataFrame) -> None:
        self._sync()
        self._buffer = df

    @property
    def meta(self) -> pl.DataFrame:
        """One row per aircraft: window floor, last seen, country, re-detection state."""
        self._sync()
        return self._meta

    @meta.setter
    def meta(self, df: pl.DataFrame) -> None:
        self._sync()
        self._meta = df

    def _sync(self) -> None:
        """Append the inbox to the buffer and mark its aircraft seen and dirty.

        Done only when the state is read (re-detection, trimming, eviction, save), so
        that a tick with nothing due costs no join. The result is the same as taking
        each tick's rows in at once.
        """
        if not self._inbox:
            return
        new = self._inbox[0] if len(self._inbox) == 1 else pl.concat(self._inbox)
        self._inbox = []
        buf = pl.concat([self._buffer, new], how="vertical")
        self._buffer = buf.rechunk() if buf.n_chunks() > 16 else buf
        self._touch_meta(new)

    # -- the tick --------------------------------------------------------------------
    def update(self, positions: pl.DataFrame, now: datetime | None = None) -> TickResult:
        """Add POSITIONS rows, re-detect the aircraft they touch, return final events."""
        self.stats.ticks += 1
        new = positions.select([pl.col(c).cast(t) for c, t in POSITIONS.items()])
        touched: frozenset[str] = frozenset()
        airspace = _empty(AIRSPACE)
        if new.height:
            self.stats.positions_in += new.height
            tmax = new["time"].max()
            tmin = new["time"].min()
            assert isinstance(tmax, datetime)
            assert isinstance(tmin, datetime)
            self.now = tmax if self.now is None else max(self.now, tmax)
            self.start = tmin if self.start is None else min(self.start, tmin)
            self._inbox.append(new)
            touched = frozenset(new["icao24"].unique().to_list())
            airspace = self._airspace(new)
        if now is not None:
            self.now = now if self.now is None else max(self.now, now)
        if self._idle(touched):
            # nothing can be due: no re-detection, no emission (see _arm)
            self._evict()
            return TickResult(_empty(EVENTS), airspace, self.now, touched)
        due = self._due()
        if due:
            self._redetect(due)
        out = self._emit(everything=False)
        if due:
            self._trim(due)
        self._evict()
        self._arm()
        decided = out.select("event_id", "final_at")
        return TickResult(out.select(list(EVENTS)), airspace, self.now, touched, decided)

    def _idle(self, touched: frozenset[str]) -> bool:
        """True when :meth:`_due` would return nothing and :meth:`_emit` emit nothing."""
        return (
            self._wake is not None
            and self.now is not None
            and self.now < self._wake
            and touched <= self._armed_dirty
        )

    def _arm(self) -> None:
        """Earliest stream time at which something can become due.

        :meth:`_due` needs a dirty aircraft whose pending event is final, whose last
        re-detection is ``period`` old, or which was never detected; :meth:`_emit` a
        pending event with ``final_at <= now``. Rows for an aircraft not dirty now
        make it dirty: such a tick is never idle.
        """
        dirty = self.meta.filter(pl.col("dirty"))
        self._armed_dirty = frozenset(dirty["icao24"].to_list())
        if dirty["detected_at"].null_count():
            self._wake = None
            return
        period = min(self.settings.redetect_s, self.horizon_s)
        times = [
            self.pending["final_at"].min(),
            (dirty["detected_at"] + timedelta(seconds=period)).min(),
        ]
        known = [t for t in times if isinstance(t, datetime)]
        self._wake = min(known) if known else datetime.max.replace(tzinfo=UTC)

    def advance(self, now: datetime) -> TickResult:
        """Move the stream clock without data (quiet aircraft become final)."""
        return self.update(_empty(POSITIONS), now)

    def flush(self) -> TickResult:
        """End of stream: every pending event is final (as at the end of a batch)."""
        dirty = self.meta.filter(pl.col("dirty"))["icao24"].to_list()
        if dirty:
            self._redetect(frozenset(dirty))
        events = self._emit(everything=True).select(list(EVENTS))
        self._wake = None
        return TickResult(events, _empty(AIRSPACE), self.now)

    # -- detection -------------------------------------------------------------------
    def _touch_meta(self, new: pl.DataFrame) -> None:
        last = new.group_by("icao24").agg(pl.col("time").max().alias("_t"))
        meta = self._meta.join(last, on="icao24", how="full", coalesce=True)
        self._meta = meta.with_columns(
            last_seen=pl.max_horizontal("last_seen", "_t").cast(TIME),
            dirty=pl.col("dirty").fill_null(False) | pl.col("_t").is_not_null(),
        ).select(list(_META))

    def _due(self) -> frozenset[str]:
        """Dirty aircraft to re-detect now.

        ``detect`` costs ~70 ms per call whatever its size, so aircraft are not
        re-detected on every tick: a new aircraft at once, the others every
        ``redetect_s`` (<= the horizon, so an event is found before it can be final),
        and always before one of their events is emitted (``final_at <= now``). When a
        call is made, every dirty aircraft half-way to its next turn rides along.
        """
        if self.now is None:
            return frozenset()
        due_ev = self.pending.filter(pl.col("final_at") <= self.now).select("icao24").unique()
        m = self.meta.filter(pl.col("dirty")).with_columns(
            _ev=pl.col("icao24").is_in(due_ev["icao24"].implode()),
            _age=(self.now - pl.col("detected_at")).dt.total_microseconds() / 1e6,
        )
        period = min(self.settings.redetect_s, self.horizon_s)
        must = pl.col("_ev") | (pl.col("_age") >= period).fill_null(True)
        if m.filter(must).height == 0:
            return frozenset()
        ride = must | (pl.col("_age") >= period / 2)
        return frozenset(m.filter(ride)["icao24"].to_list())

    def _redetect(self, touched: frozenset[str]) -> None:
        window = self.buffer.filter(pl.col("icao24").is_in(list(touched)))
        det = detect(window, self.params, self.index, keep_positions=True)
        self.stats.detect_calls += 1
        self.meta = self.meta.with_columns(
            dirty=pl.when(pl.col("icao24").is_in(list(touched)))
            .then(pl.lit(False))
            .otherwise("dirty"),
            detected_at=pl.when(pl.col("icao24").is_in(list(touched)))
            .then(pl.lit(self.now, TIME))
            .otherwise("detected_at"),
        )
        self._positions = det.positions  # kept for _trim (this tick only)
        self._flights = det.flights
        cand = det.events
        p, h = self.params, self.horizon_s
        meta = self.meta.filter(pl.col("icao24").is_in(list(touched)))
        if cand.height:
            cand = self._remap_flights(cand, det.flights, meta)
        if cand.height and det.positions is not None:
            cand = self._final_at(cand, det.positions, det.flights, p)
        else:
            cand = _empty(_PENDING)
        # Drop what was emitted already and the artificial events at a window start.
        emitted = self.final.filter(pl.col("icao24").is_in(list(touched)))
        cand = cand.join(emitted.select("event_id"), on="event_id", how="anti")
        # An emitted flight end is final: a later re-reading of it is not emitted again
        # (a landing lost on short final, emitted stop_gap_s later, whose aircraft is
        # next seen on the ground there: batch re-times it to that sighting).
        n = cand.height
        cand = cand.join(emitted.select("flight_id", "kind"), on=["flight_id", "kind"], how="anti")
        self.stats.superseded += n - cand.height
        floors = meta.select("icao24", "floor")
        cand = cand.join(floors, on="icao24", how="left")
        artifact = (pl.col("time") < pl.col("floor") + _dt(h)).fill_null(False)
        self.stats.suppressed_artifacts += int(cand.select(artifact.sum()).item())
        cand = cand.filter(~artifact).drop("floor")
        self.pending = pl.concat(
            [
                self.pending.filter(~pl.col("icao24").is_in(list(touched))),
                cand.select(list(_PENDING)),
            ]
        )

    @staticmethod
    def _remap_flights(
        cand: pl.DataFrame, flights: pl.DataFrame, meta: pl.DataFrame
    ) -> pl.DataFrame:
        """The flight cut by the window start keeps the id it had before the cut."""
        cut = meta.filter(pl.col("fid_to").is_not_null())
        if cut.height == 0:
            return cand
        first = (
            flights.join(cut, on="icao24")
            .sort("first_seen")
            .group_by("icao24", maintain_order=True)
            .first()
            .filter(pl.col("first_seen") <= pl.col("floor") + pl.duration(seconds=1))
            .select(pl.col("flight_id").alias("_from"), pl.col("fid_to").alias("_to"))
        )
        return (
            cand.join(first, left_on="flight_id", right_on="_from", how="left")
            .with_columns(flight_id=pl.coalesce("_to", "flight_id"))
            .drop("_to")
        )

    def _final_at(
        self,
        cand: pl.DataFrame,
        positions: pl.DataFrame,
        flights: pl.DataFrame,
        p: DetectionParams,
    ) -> pl.DataFrame:
        """Stream time at which each candidate event becomes final (module docstring)."""
        rows = _with_chunks(positions, p).sort("icao24", "time")
        segs = rows.group_by("icao24", "_seg").agg(
            pl.col("ground").first().alias("_g"),
            pl.col("time").last().alias("_t1"),
        )
        chunks = rows.group_by("icao24", "_chunk").agg(
            ((pl.col("time").max() - pl.col("time").min()) > _dt(p.max_glitch_s)).alias("_long")
        )
        last = rows.group_by("icao24").agg(
            pl.col("time").max().alias("_tlast"),
            pl.col("_seg").max().alias("_lastseg"),
            pl.col("_chunk").n_unique().alias("_nchunks"),
            pl.col("_flip").last().alias("_tail_flip"),
        )
        # rows left in the segment from each row on (inclusive)
        # ... and in the whole track (an event's evidence is counted in rows, not time)
        rows = rows.with_columns(
            _left=pl.col("time").cum_count(reverse=True).over("icao24", "_seg"),
            _after=pl.col("time").cum_count(reverse=True).over("icao24"),
        )
        # The row at (or first after) each event. A landing extrapolated to the runway
        # (signal lost on final) is timed after the aircraft's last row: that row.
        at = (
            cand.join(last, on="icao24", how="left")
            .with_columns(_q=pl.min_horizontal("time", "_tlast"))
            .sort("icao24", "_q")
            .join_asof(
                rows.rename({"time": "_rt"}),
                left_on="_q",
                right_on="_rt",
                by="icao24",
                strategy="forward",
                check_sortedness=False,
            )
        )
        at = at.join(segs, on=["icao24", "_seg"], how="left").join(
            chunks, on=["icao24", "_chunk"], how="left"
        )
        fl = flights.select("flight_id", pl.col("last_seen").alias("_fl_end"))
        at = at.join(fl, on="flight_id", how="left")
        span = (pl.col("_t1") - pl.col("time")).dt.total_microseconds() / 1e6
        n_ground = max(p.min_ground_points, p.evidence_points)
        n_air = max(p.min_air_points, p.evidence_points)
        is_last = (pl.col("_seg") == pl.col("_lastseg")).fill_null(True)
        established = (
            pl.when(pl.col("_g"))
            .then((pl.col("_left") >= n_ground) & (span >= p.min_ground_s))
            .otherwise((pl.col("_left") >= n_air) & (span >= p.min_air_s))
        )
        airborne_end = (pl.col("kind") == "landing") & ~pl.col("_g").fill_null(False)
        bounded_flight = (pl.col("_fl_end") < pl.col("_tlast")).fill_null(False)
        lost_wait = (
            pl.when(pl.col("confidence") == "none")
            .then(_dt(p.endurance_s))
            .otherwise(_dt(p.stop_gap_s))
        )
        # A short chunk (cut off by an impossible jump, or a short track) can still be
        # judged a glitch once its neighbour grows: no deadline but the endurance one.
        unsafe_chunk = (
            (~pl.col("_long").fill_null(False) & (pl.col("_nchunks") > 1))
            | ~pl.col("_known").fill_null(False)
            | (pl.col("_tail_flip") & is_last)
        )
        structural = (
            pl.when(unsafe_chunk)
            .then(pl.col("_tlast") + _dt(p.endurance_s))
            .when(airborne_end & bounded_flight)
            .then(pl.lit(None, TIME))
            .when(airborne_end)
            .then(pl.col("_tlast") + lost_wait)
            .when(~is_last | established.fill_null(False))
            .then(pl.lit(None, TIME))
            .otherwise(pl.col("_tlast") + _dt(p.endurance_s))
        )
        # A take-off's evidence is the 2k rows from its first airborne one, however
        # long they take to come (sparse coverage): wait for them, or for the gap
        # that ends the flight.
        thin_evidence = (pl.col("kind") == "takeoff") & (
            pl.col("_after").fill_null(0) < 2 * p.evidence_points
        )
        evidence_wait = pl.when(thin_evidence).then(pl.col("_tlast") + _dt(p.stop_gap_s))
        final_at = pl.max_horizontal(
            pl.col("time") + _dt(self.horizon_s), structural, evidence_wait
        )
        return at.with_columns(final_at=final_at.cast(TIME)).select(list(_PENDING))

    def _emit(self, *, everything: bool) -> pl.DataFrame:
        """Pending events now final (``_PENDING`` rows: the events and their final_at)."""
        if self.pending.height == 0:
            return _empty(_PENDING)
        if everything:
            ready = pl.lit(True)
        elif self.now is None:
            return _empty(_PENDING)
        else:
            ready = pl.col("final_at") <= self.now
        out = self.pending.filter(ready)
        self.pending = self.pending.filter(~ready)
        out = out.unique("event_id", keep="first").sort("icao24", "time", "kind")
        if out.height:
            events = out.select(list(EVENTS))
            self.final = pl.concat([self.final, events]).unique("event_id", keep="first")
            self.stats.events_final += out.height
        return out

    # -- bounded state ---------------------------------------------------------------
    def _trim(self, touched: frozenset[str]) -> None:
        pos = getattr(self, "_positions", None)
        if pos is None or pos.height == 0:
            return
        s, p, h = self.settings, self.params, self.horizon_s
        per = (
            pos.select("icao24", "time", "ground", "_seg", "callsign", "raw_ground", "height_ft")
            .sort("icao24", "time")
            .with_columns(
                _left=pl.col("time").cum_count(reverse=True).over("icao24", "_seg"),
                _first=pl.col("time") == pl.col("time").min().over("icao24", "_seg"),
                _t1=pl.col("time").max().over("icao24", "_seg"),
                _dtp=(pl.col("time") - pl.col("time").shift(1)).over("icao24"),
                _dtn=(pl.col("time").shift(-1) - pl.col("time")).over("icao24"),
                _cs=pl.col("callsign").forward_fill().over("icao24", "_seg"),
                # the last ground row before: its stop's pressure-altitude offset
                # reaches baro_offset_s after it
                _lastg=pl.when("ground").then("time").forward_fill().over("icao24"),
                _nseg=pl.len().over("icao24", "_seg"),
                # Cut only where the state is unambiguous on both sides: a window
                # starting among flickering flags or low, slow rows may be judged
                # differently from the whole track.
                _solid=_solid(p)
                .cast(pl.Int8)
                .rolling_min(2 * _SOLID_ROWS + 1, center=True)
                .over("icao24"),
            )
        )
        blocker = self.pending.group_by("icao24").agg(pl.col("time").min().alias("_emin"))
        floors = self.meta.select("icao24", "floor")
        gap = _dt(p.min_gap_s)
        baro_s = getattr(p, "baro_offset_s", 0.0)
        cuts = (
            per.join(blocker, on="icao24", how="left")
            .join(floors, on="icao24", how="left")
            .filter(
                ~pl.col("_first")
                & (pl.col("_left") >= s.keep_rows)
                & (pl.col("_t1") - pl.col("time") >= _dt(s.keep_s))
                & (pl.col("_solid") == 1)
                & (pl.col("_dtp") < gap)
                & (pl.col("_dtn") < gap)
                & (pl.col("time") < pl.col("_emin") - _dt(h)).fill_null(True)
                & (pl.col("time") > pl.col("floor")).fill_null(True)
                & (
                    (
                        ~pl.col("ground")
                        & (pl.col("time") - pl.col("_lastg") >= _dt(baro_s)).fill_null(True)
                    )
                    | (pl.col("_nseg") > s.max_ground_rows)
                )
            )
            .group_by("icao24")
            .agg(pl.all().sort_by("time").last())
        )
        if cuts.height == 0:
            return
        before = (
            self.buffer.join(cuts.select("icao24", _c="time"), on="icao24")
            .filter(pl.col("time") < pl.col("_c"))
            .group_by("icao24")
            .len()
            .filter(pl.col("len") >= s.trim_min_rows)
        )
        cuts = cuts.join(before.select("icao24"), on="icao24", how="semi")
        if cuts.height == 0:
            return
        self._cut(cuts.select("icao24", "time", "ground", _fill_cs="_cs"))

    def _cut(self, cuts: pl.DataFrame) -> None:
        """Drop rows before each aircraft's cut time; keep its flight id and callsign."""
        self.stats.cuts += cuts.height
        # the flight containing the cut keeps its (possibly already remapped) id
        fl = self._flights.join(cuts.select("icao24", _c="time"), on="icao24").filter(
            (pl.col("first_seen") <= pl.col("_c")) & (pl.col("last_seen") >= pl.col("_c"))
        )
        meta = self.meta.join(cuts.select("icao24", "_fill_cs"), on="icao24", how="left")
        old = meta.filter(pl.col("fid_to").is_not_null()).select("icao24", "floor", "fid_to")
        fl = fl.join(old, on="icao24", how="left").with_columns(
            flight_id=pl.when(pl.col("first_seen") <= pl.col("floor") + pl.duration(seconds=1))
            .then(pl.coalesce("fid_to", "flight_id"))
            .otherwise("flight_id")
        )
        air = cuts.filter(~pl.col("ground")).join(
            fl.select("icao24", _fid="flight_id"), on="icao24", how="left"
        )
        upd = cuts.select("icao24", _floor="time").join(
            air.select("icao24", "_fid"), on="icao24", how="left"
        )
        self.meta = (
            self.meta.join(upd, on="icao24", how="left")
            .with_columns(
                floor=pl.coalesce("_floor", "floor"),
                fid_to=pl.when(pl.col("_floor").is_not_null())
                .then(pl.col("_fid"))
                .otherwise("fid_to"),
            )
            .select(list(_META))
        )
        c = cuts.select("icao24", _c="time", _fill_cs="_fill_cs")
        buf = self.buffer.join(c, on="icao24", how="left")
        buf = buf.filter(pl.col("_c").is_null() | (pl.col("time") >= pl.col("_c")))
        self.buffer = buf.with_columns(
            callsign=pl.when(pl.col("time") == pl.col("_c"))
            .then(pl.coalesce("callsign", "_fill_cs"))
            .otherwise("callsign")
        ).select(list(POSITIONS))
        self._prune_final()

    def _prune_final(self) -> None:
        """Keep finalised events in the windows plus the last few of each aircraft."""
        k = self.settings.events_kept
        ev = self.final.join(self.meta.select("icao24", "floor"), on="icao24", how="left")
        rank = pl.col("time").rank("ordinal", descending=True).over("icao24")
        keep = (pl.col("time") >= pl.col("floor")).fill_null(True) | (rank <= k)
        self.final = ev.filter(keep).select(list(EVENTS))

    def _evict(self) -> None:
        if self.now is None:
            return
        # a sweep a minute is plenty for limits counted in hours
        if self._swept is not None and (self.now - self._swept).total_seconds() < 60.0:
            return
        if self.meta.height == 0:
            return
        self._swept = self.now
        s = self.settings
        age = self.now - pl.col("last_seen")
        forget = self.meta.filter(age > _dt(s.forget_after_s))
        if self.meta.height - forget.height > s.max_aircraft:
            extra = self.meta.height - forget.height - s.max_aircraft
            oldest = self.meta.sort("last_seen").head(forget.height + extra)
            forget = oldest
        if forget.height:
            self._wake = None  # a forgotten aircraft heard again is new: re-arm
            ids = forget["icao24"]
            self.stats.forgotten += forget.height
            self.buffer = self.buffer.filter(~pl.col("icao24").is_in(ids.implode()))
            self.pending = self.pending.filter(~pl.col("icao24").is_in(ids.implode()))
            self.final = self.final.filter(~pl.col("icao24").is_in(ids.implode()))
            self.meta = self.meta.filter(~pl.col("icao24").is_in(ids.implode()))
        quiet = self.meta.filter(age > _dt(s.evict_after_s)).select("icao24")
        if quiet.height == 0:
            return
        counts = self.buffer.join(quiet, on="icao24").group_by("icao24").len()
        big = counts.filter(pl.col("len") > s.evict_keep_rows).select("icao24")
        if big.height == 0:
            return
        # Evicted aircraft keep their last rows; no pending event depends on older
        # ones (every final_at is at most T_last + endurance_s < evict_after_s).
        self.stats.evicted += big.height
        keep = (
            self.buffer.join(big, on="icao24")
            .sort("icao24", "time")
            .group_by("icao24", maintain_order=True)
            .tail(s.evict_keep_rows)
        )
        self.buffer = pl.concat(
            [self.buffer.join(big, on="icao24", how="anti"), keep.select(list(POSITIONS))]
        )
        firsts = keep.group_by("icao24").agg(pl.col("time").min().alias("_floor"))
        self.meta = (
            self.meta.join(firsts, on="icao24", how="left")
            .with_columns(
                floor=pl.coalesce("_floor", "floor"),
                # the kept tail may be airborne: it is a flight already ended by the
                # gap rules if the aircraft comes back, so no id to carry
                fid_to=pl.when(pl.col("_floor").is_not_null())
                .then(pl.lit(None, pl.String))
                .otherwise("fid_to"),
            )
            .select(list(_META))
        )
        self._prune_final()

    # -- airspace ---------------------------------------------------------------------
    def _airspace(self, new: pl.DataFrame) -> pl.DataFrame:
        """Country entries at every position of the tick, vectorised.

        Each position's country (null over the sea) is compared with the aircraft's
        last known one before it — the meta table's for its first position in the
        tick — so an entry is stamped with the first position inside, and a
        crossing and re-crossing within one tick are two entries. An aircraft's
        first fix ever is not an entry: we only learn where it is.
        """
        if self.country_at is None:
            return _empty(AIRSPACE)
        rows = new.select("icao24", "time", "lat", "lon").sort("icao24", "time")
        # one lookup per distinct position (feeds repeat positions)
        uniq = rows.select("lat", "lon").unique()
        found = self.country_at(uniq["lat"].to_numpy(), uniq["lon"].to_numpy())
        uniq = uniq.with_columns(country=pl.Series(list(found), dtype=pl.String))
        rows = rows.join(uniq, on=["lat", "lon"], how="left", maintain_order="left")
        ic = pl.col("icao24")
        first = (ic != ic.shift(1)).fill_null(True)
        known = self.meta.select("icao24", _meta="country")
        rows = rows.join(known, on="icao24", how="left", maintain_order="left")
        # last non-null country before each row: of the row above, else filled down
        # within the aircraft, starting from the meta table's
        before = pl.when(first).then(pl.col("_meta")).otherwise(pl.col("country").shift(1))
        rows = rows.with_columns(previous_country=before.forward_fill().over("icao24"))
        entries = rows.filter(
            pl.col("country").is_not_null()
            & pl.col("previous_country").is_not_null()
            & (pl.col("country") != pl.col("previous_country"))
        ).select(list(AIRSPACE))
        latest = (
            rows.filter(pl.col("country").is_not_null())
            .group_by("icao24")
            .agg(_c=pl.col("country").last())
        )
        self.meta = (
            self.meta.join(latest, on="icao24", how="full", coalesce=True)
            .with_columns(country=pl.coalesce("_c", "country"))
            .select(list(_META))
        )
        return entries

    # -- stays ------------------------------------------------------------------------
    def stays(self, icao24: list[str] | None = None) -> pl.DataFrame:
        """Stays (STAYS) from the finalised events, open ones up to ``now``."""
        ev = self.final if icao24 is None else self.final.filter(pl.col("icao24").is_in(icao24))
        if ev.height == 0:
            return _empty(STAYS)
        return build_stays(ev, data_start=self.start, data_end=self.now)

    @property
    def aircraft(self) -> int:
        return self.meta.height

    # -- persistence ------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the whole state to one SQLite file, in one transaction."""
        tables = {
            "buffer": self.buffer,
            "pending": self.pending,
            "final": self.final,
            "meta": self.meta,
        }
        info = {
            "now": self.now.isoformat() if self.now else None,
            "start": self.start.isoformat() if self.start else None,
            "version": 1,
        }
        con = sqlite3.connect(str(path))
        try:
            with con:
                con.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, data BLOB)")
                for name, df in tables.items():
                    buf = io.BytesIO()
                    df.write_parquet(buf)
                    con.execute(
                        "INSERT OR REPLACE INTO state VALUES (?, ?)", (name, buf.getvalue())
                    )
                con.execute(
                    "INSERT OR REPLACE INTO state VALUES (?, ?)",
                    ("info", json.dumps(info).encode()),
                )
        finally:
            con.close()

    @classmethod
    def load(
        cls,
        path: str | Path,
        params: DetectionParams | None = None,
        index: AirportIndex | None = None,
        settings: TrackerSettings | None = None,
        country_at: CountryFn | None = None,
    ) -> LiveTracker:
        """A tracker continuing from :meth:`save`'s file."""
        tr = cls(params or DetectionParams(), index, settings or TrackerSettings(), country_at)
        con = sqlite3.connect(str(path))
        try:
            rows: dict[str, bytes] = dict(con.execute("SELECT name, data FROM state").fetchall())
        finally:
            con.close()
        schemas = {"buffer": POSITIONS, "pending": _PENDING, "final": EVENTS, "meta": _META}
        for name, schema in schemas.items():
            df = pl.read_parquet(io.BytesIO(rows[name]))
            setattr(tr, name, df.select([pl.col(c).cast(t) for c, t in schema.items()]))
        info: dict[str, Any] = json.loads(rows["info"])
        tr.now = datetime.fromisoformat(info["now"]) if info["now"] else None
        tr.start = datetime.fromisoformat(info["start"]) if info["start"] else None
        return tr


__all__ = [
    "AIRSPACE",
    "LiveTracker",
    "TickResult",
    "TrackerSettings",
    "TrackerStats",
    "local_horizon_s",
]
