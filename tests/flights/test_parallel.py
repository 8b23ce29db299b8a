"""Detection split by aircraft over worker threads gives exactly the one-pass result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl
from polars.testing import assert_frame_equal
from tests.data_paths import ADSB

import tailwatch.detect as detect_module
from tailwatch._schema import POSITIONS, REJECTED
from tailwatch.detect import _USED, _cuts, detect
from tailwatch.reference.airports import AirportIndex
from tailwatch.sources import read_positions
from tailwatch.sources.order import by_aircraft

if TYPE_CHECKING:
    import pytest


def _rows(addresses: list[str]) -> pl.DataFrame:
    """One row per address, one second apart (time order, as readers deliver)."""
    start = datetime(2024, 5, 1, tzinfo=UTC)
    times = [start + timedelta(seconds=i) for i in range(len(addresses))]
    return pl.DataFrame({"time": times, "icao24": addresses, "lat": 1.0, "lon": 2.0})


def _split_by_aircraft(frame: pl.DataFrame, parts: int) -> list[pl.DataFrame]:
    """The parts detect's workers take, all gathered."""
    order = by_aircraft(frame, _USED)
    return [order.take(a, b - a) for a, b in _cuts(order, parts)]


def test_split_cuts_only_at_aircraft_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_module, "_SPLIT_MIN_ROWS", 0)
    parts = _split_by_aircraft(_rows(["a0"] * 5 + ["b0"] * 2 + ["c0"] * 3), 3)
    assert [p["icao24"].unique().to_list() for p in parts] == [["a0"], ["b0"], ["c0"]]
    # one aircraft cannot be split
    assert len(_split_by_aircraft(_rows(["a0"] * 9), 2)) == 1
    # "A0" and "a0" are one aircraft to the detector: not split apart
    assert len(_split_by_aircraft(_rows(["A0"] * 5 + ["a0"] * 5), 2)) == 1


def test_interleaved_rows_are_grouped_by_aircraft_in_time_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detect_module, "_SPLIT_MIN_ROWS", 0)
    rows = _rows(["0000b0", "0000a0"] * 5)
    first, second = _split_by_aircraft(rows, 2)
    for part, address in ((first, "0000a0"), (second, "0000b0")):
        assert part["icao24"].unique().to_list() == [address]
        assert part["time"].is_sorted()
        assert part.height == 5
    # only the columns detection reads travel, with the row each came from
    assert first["_src"].to_list() == [1, 3, 5, 7, 9]
    # an address that is not hexadecimal cannot be keyed: one part, left to cleaning
    assert len(_split_by_aircraft(_rows(["zz", "a0"] * 5), 2)) == 1


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


def test_regrouped_rows_get_back_the_columns_left_behind() -> None:
    path = ADSB / "paris_2021-10-07_quickstart.json.gz"
    positions = read_positions([path]).positions
    assert positions["time"].is_sorted()  # readers keep time order: detect regroups
    det = detect(positions, keep_positions=True)
    assert det.rejected.schema == REJECTED
    assert det.rejected.height > 0
    assert det.positions is not None
    assert "_src" not in det.positions.columns
    assert det.positions.columns[: len(POSITIONS)] == list(POSITIONS)
    for rows in (det.rejected, det.positions):
        assert set(rows["source_file"]) == {str(path)}
        assert rows["squawk"].null_count() < rows.height
        # each row's squawk is the one its (icao24, time) had in the input
        key = ["icao24", "time", "squawk"]
        found = rows.select(key).join(positions.select(key), on=key, how="semi", nulls_equal=True)
        assert found.height == rows.height


def test_parts_bounded_in_rows_over_two_workers_equal_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A big input is cut into parts of at most _PART_MAX_ROWS rows (the detector's
    # memory then does not grow with the input), more parts than workers: each worker
    # gathers the next part as it starts. The result must not depend on the cut.
    positions = read_positions([ADSB / "savan_39b415_2022-03.json.gz"]).positions
    paris = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    positions = pl.concat([paris, positions]).sort("time")  # time order, as read
    index = AirportIndex.default()
    one = detect(positions, index=index, workers=1)
    monkeypatch.setattr(detect_module, "_SPLIT_MIN_ROWS", 0)
    monkeypatch.setattr(detect_module, "_PART_MAX_ROWS", 40_000)
    # 12 asked, 9 made: savan's 193,308 rows are one aircraft, never cut
    assert len(_split_by_aircraft(positions, 12)) == 9
    many = detect(positions, index=index, workers=2)
    assert one.events.height == 488 + 34
    assert_frame_equal(many.events, one.events)
    assert_frame_equal(many.flights, one.flights)
    assert_frame_equal(many.rejected, one.rejected)
    assert many.counts == one.counts
