"""The real recordings in ../shared/data/adsb, with counts checked by hand.

Counts differ from the data README where the data are bad, on purpose:
- Paris: 284,505 records, 463 quarantined for altitudes of 60,900-123,100 ft
  (7 aircraft, mostly 3aabfc and 3999e4 at ~61,000 ft and 97 kt): 284,042 positions,
  still 213 aircraft.
- savan: 193,447 records = 193,308 positions + 128 records without lat/lon
  (no_position) + 11 quarantined altitudes up to 105,325 ft.
- Zurich: 17,132 records of which 2,297 exact duplicates: 14,835 positions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest
from tests.sources.sources_samples import in_reader_order

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from pathlib import Path

# file: (records read, positions kept, aircraft, quarantined by reason, duplicates, no_position)
EXPECTED = {
    "paris_2021-10-07_quickstart.json.gz": (284_505, 284_042, 213, {"bad_altitude": 463}, 0, 0),
    "savan_39b415_2022-03.json.gz": (193_447, 193_308, 1, {"bad_altitude": 11}, 0, 128),
    "zurich_airport_onground.json.gz": (17_132, 14_835, 10, {}, 2_297, 0),
    "noisy_ground.json.gz": (924, 924, 1, {}, 0, 0),
    "noisy_landing.json.gz": (848, 848, 1, {}, 0, 0),
    "noisy_takeoff.json.gz": (730, 730, 1, {}, 0, 0),
    "noisy_time_issue.json.gz": (8_294, 8_294, 1, {}, 0, 0),
    "readsb_trace_full_ac671b.json": (2_500, 2_500, 1, {}, 0, 0),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_real_recording(adsb_dir: Path, name: str) -> None:
    read, kept, aircraft, quarantined, dups, no_pos = EXPECTED[name]
    result = read_positions([adsb_dir / name])
    assert result.errors == []
    assert result.positions.schema == POSITIONS
    assert result.quarantine.schema == QUARANTINE
    (summary,) = result.files
    assert (summary.rows_read, summary.rows_kept) == (read, kept)
    assert summary.quarantined == quarantined
    assert (summary.duplicates, summary.no_position) == (dups, no_pos)
    assert result.positions.height == kept
    assert result.positions["icao24"].n_unique() == aircraft
    assert in_reader_order(result.positions)


def test_paris_quarantine_names_the_altitude(adsb_dir: Path) -> None:
    result = read_positions([adsb_dir / "paris_2021-10-07_quickstart.json.gz"])
    worst = result.quarantine.filter(pl.col("detail").str.contains("alt_baro_ft=123100"))
    assert worst.height == 1
    assert worst["raw"][0].startswith('{"time":"')


def test_savan_is_one_king_air_with_callsigns(adsb_dir: Path) -> None:
    pos = read_positions([adsb_dir / "savan_39b415_2022-03.json.gz"]).positions
    assert pos["icao24"].unique().to_list() == ["39b415"]
    assert pos["callsign"].drop_nulls().unique().sort().to_list() == [
        f"SAVAN{i:02d}" for i in range(1, 18)
    ]
    assert pos["squawk"].drop_nulls().str.len_chars().unique().to_list() == [4]


def test_readsb_trace_ground_and_legs(adsb_dir: Path) -> None:
    pos = read_positions([adsb_dir / "readsb_trace_full_ac671b.json"]).positions
    assert pos["on_ground"].sum() == 394  # the 394 "ground" points
    assert pos.filter(pl.col("on_ground"))["alt_baro_ft"].null_count() == 394
    assert set(pos["callsign"].drop_nulls()) == {"DAL1812", "DAL2418", "DAL1615", "DAL2927"}
    assert pos["icao24"].unique().to_list() == ["ac671b"]


def test_all_position_files_together(adsb_dir: Path) -> None:
    result = read_positions([adsb_dir / name for name in EXPECTED])
    assert result.errors == []
    assert result.positions.height == sum(v[1] for v in EXPECTED.values())


def test_non_position_files_are_unreadable_not_fatal(adsb_dir: Path) -> None:
    paths = [
        adsb_dir / "dump1090_beast_sample.bin",
        adsb_dir / "noisy_landing.json.gz",
    ]
    result = read_positions(paths)
    assert [e.path for e in result.errors] == [str(paths[0])]
    assert result.positions.height == 848
