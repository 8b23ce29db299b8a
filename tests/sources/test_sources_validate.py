"""validate_positions, as the live feeds and the simulator use it."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from tailwatch.sources import validate_positions
from tailwatch.sources.validate import MAX_ALT_FT


def test_typed_frame_from_a_feed() -> None:
    frame = pl.DataFrame(
        {
            "time": [datetime(2024, 5, 1, 12, tzinfo=UTC)] * 3,
            "icao24": ["3C6444", "3c6444", "~123456"],
            "lat": [50.0, 50.1, 50.2],
            "lon": [8.5, 8.6, 8.7],
            "alt_baro_ft": [1000.0, MAX_ALT_FT + 1, 1000.0],
            "track_deg": [360.0, 10.0, 10.0],
            "callsign": ["  dlh4tr ", None, None],
        }
    )
    good, quarantine = validate_positions(frame, "beast:localhost:30005", "beast")
    assert good["icao24"].to_list() == ["3c6444"]  # lower-cased
    assert good["callsign"].to_list() == ["DLH4TR"]
    assert good["track_deg"].to_list() == [0.0]  # 360 is north
    assert good["source_file"].to_list() == ["beast:localhost:30005"]
    assert quarantine["reason"].to_list() == ["bad_altitude", "non_icao_address"]
    assert quarantine["row"].to_list() == [1, 2]


def test_text_times_iso_and_epoch() -> None:
    frame = pl.DataFrame(
        {
            "time": [
                "2024-05-01 12:00:00+00:00",
                "2024-05-01T14:00:00+02:00",
                "1714564800",
                "1714564800000",
                "yesterday",
                "1970-01-01T00:00:00Z",
            ],
            "icao24": ["3c6444"] * 6,
            "lat": ["50.0"] * 6,
            "lon": ["8.5"] * 6,
        }
    )
    good, quarantine = validate_positions(frame, "f", "simulated")
    assert good["time"].unique().to_list() == [datetime(2024, 5, 1, 12, tzinfo=UTC)]
    assert good.height == 4
    assert quarantine["reason"].to_list() == ["bad_time", "bad_time"]


def test_no_position_rows_are_dropped_not_quarantined() -> None:
    frame = pl.DataFrame(
        {"time": [1714564800.0], "icao24": ["3c6444"], "lat": [None], "lon": [None]},
        schema_overrides={"lat": pl.Float64, "lon": pl.Float64},
    )
    good, quarantine = validate_positions(frame, "f", "simulated")
    assert (good.height, quarantine.height) == (0, 0)
