"""Detection split by aircraft over worker threads gives exactly the one-pass result."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from polars.testing import assert_frame_equal
from tests.data_paths import ADSB

import tailwatch.detect as detect_module
from tailwatch.detect import _split_by_aircraft, detect
from tailwatch.reference.airports import AirportIndex
from tailwatch.sources import read_positions

if TYPE_CHECKING:
    import pytest


def test_split_cuts_only_at_aircraft_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_module, "_SPLIT_MIN_ROWS", 0)
    frame = pl.DataFrame({"icao24": ["a"] * 5 + ["b"] * 2 + ["c"] * 3})
    parts = _split_by_aircraft(frame, 3)
    assert [p["icao24"].unique().sort().to_list() for p in parts] == [["a"], ["b"], ["c"]]
    # one aircraft cannot be split; unsorted rows are not split at all
    assert len(_split_by_aircraft(pl.DataFrame({"icao24": ["a"] * 9}), 2)) == 1
    assert len(_split_by_aircraft(pl.DataFrame({"icao24": ["b", "a"] * 5}), 2)) == 1
    # "A" and "a" are one aircraft to the detector: not split apart
    assert len(_split_by_aircraft(pl.DataFrame({"icao24": ["A"] * 5 + ["a"] * 5}), 2)) == 1


def test_paris_in_three_threads_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    positions = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    index = AirportIndex.default()
    one = detect(positions, index=index, workers=1, keep_positions=True)
    monkeypatch.setattr(detect_module, "_SPLIT_MIN_ROWS", 0)
    assert len(_split_by_aircraft(positions, 3)) == 3
    three = detect(positions, index=index, workers=3, keep_positions=True)
    assert one.events.height == 488
    assert_frame_equal(three.events, one.events)
    assert_frame_equal(three.flights, one.flights)
    assert_frame_equal(three.rejected, one.rejected)
    assert three.counts == one.counts
    assert three.positions is not None
    assert one.positions is not None
    assert three.positions.height == one.positions.height
