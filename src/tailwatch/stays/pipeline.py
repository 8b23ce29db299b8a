"""The whole chain from positions to visits, in one call (used by the CLI and the demo).

validate (already done by the readers) → detect → stays → trips → visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from tailwatch.stays.stays import build_stays
from tailwatch.stays.trips import TripParams, build_trips
from tailwatch.stays.visits import build_visits

if TYPE_CHECKING:
    from datetime import datetime

    from tailwatch.detect import Detection
    from tailwatch.flights.params import DetectionParams
    from tailwatch.reference.airports import AirportIndex
    from tailwatch.reference.watchlists import Watchlists


@dataclass(frozen=True)
class Analysis:
    """Every table of one run."""

    detection: Detection
    stays: pl.DataFrame
    trips: pl.DataFrame
    visits: pl.DataFrame


def _span(positions: pl.DataFrame) -> tuple[datetime | None, datetime | None]:
    if positions.height == 0:
        return None, None
    lo, hi = positions.select(
        pl.col("time").min().alias("lo"), pl.col("time").max().alias("hi")
    ).row(0)
    return lo, hi


def analyse(
    positions: pl.DataFrame,
    *,
    watchlists: Watchlists | None = None,
    identities: pl.DataFrame | None = None,
    trip_params: TripParams | None = None,
    index: AirportIndex | None = None,
    watched_only: bool = True,
    detect_unwatched: bool = True,
    params: DetectionParams | None = None,
) -> Analysis:
    """Detect events in POSITIONS rows, then stays, trips and visits.

    The stays' data span is the recording's (first and last position of any aircraft),
    so an aircraft parked with its transponder off is "still there" until the end.

    ``detect_unwatched=False`` (with ``watchlists`` and ``watched_only``) detects only
    the aircraft some entry names, so ``detection``, ``stays`` and ``trips`` hold only
    them. Detection is a function of each aircraft's own positions, so the visits are
    the same as from a run over every aircraft, at a fraction of the cost on a day of
    global traffic. ``params``: detection thresholds (default: ``DetectionParams()``;
    the command line passes :func:`tailwatch.detect.detection_params`).
    """
    from tailwatch.detect import detect
    from tailwatch.reference.airports import AirportIndex

    ix = index or AirportIndex.default()
    start, end = _span(positions)
    if watchlists is not None and watched_only and not detect_unwatched:
        positions = positions.filter(pl.col("icao24").is_in(watchlists.addresses().implode()))
    detection = detect(positions, params, index=ix)
    stays = build_stays(detection.events, data_start=start, data_end=end)
    trips = build_trips(detection.events, trip_params)
    visits = build_visits(
        stays,
        watchlists=watchlists,
        index=ix,
        identities=identities,
        events=detection.events,
        watched_only=watched_only,
    )
    return Analysis(detection, stays, trips, visits)


__all__ = ["Analysis", "analyse"]
