"""Airspace entries: every position is placed, not only each tick's last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.live.tracker import LiveTracker
from tailwatch.reference.airports import AirportIndex

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _border(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Made up: "FR" west of 3°E, "BE" east of it, the sea (null) south of 40°N."""
    out = np.where(lon < 3.0, "FR", "BE").astype(object)
    out[lat < 40.0] = None
    return out


def _positions(icao: str, lons: list[float], lat: float = 49.0) -> pl.DataFrame:
    n = len(lons)
    given = {
        "time": [T0 + timedelta(seconds=10 * i) for i in range(n)],
        "icao24": [icao] * n,
        "lat": [lat] * n,
        "lon": lons,
        "alt_baro_ft": [35000.0] * n,
        "gs_kt": [450.0] * n,
        "on_ground": [False] * n,
        "source_format": ["sbs"] * n,
        "source_file": ["test"] * n,
    }
    return pl.DataFrame({c: given.get(c, [None] * n) for c in POSITIONS}, schema=POSITIONS)


def _tracker() -> LiveTracker:
    return LiveTracker(index=AirportIndex.default(), country_at=_border)


def test_crossing_and_recrossing_in_one_tick_are_two_entries() -> None:
    tr = _tracker()
    # first fix in FR, then east to BE at 20 s, back west to FR at 40 s
    res = tr.update(_positions("4ca7b4", [2.8, 2.9, 3.1, 3.2, 2.9]))
    got = res.airspace.select("time", "previous_country", "country").rows()
    assert got == [
        (T0 + timedelta(seconds=20), "FR", "BE"),
        (T0 + timedelta(seconds=40), "BE", "FR"),
    ]


def test_first_fix_is_not_an_entry_and_the_sea_keeps_the_last_country() -> None:
    tr = _tracker()
    assert tr.update(_positions("4ca7b4", [3.5])).airspace.height == 0  # first seen in BE
    # over the sea (null) for a while, then FR: one entry BE -> FR
    sea = _positions("4ca7b4", [3.0, 2.5], lat=39.0).with_columns(
        pl.col("time") + timedelta(minutes=1)
    )
    assert tr.update(sea).airspace.height == 0
    land = _positions("4ca7b4", [2.4]).with_columns(pl.col("time") + timedelta(minutes=2))
    (entry,) = tr.update(land).airspace.select("previous_country", "country").rows()
    assert entry == ("BE", "FR")
