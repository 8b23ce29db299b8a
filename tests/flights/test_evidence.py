"""Evidence rows: the window around the deciding positions, cut at long silences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from tailwatch.events.evidence import evidence

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _frame(offsets_s: list[float]) -> pl.DataFrame:
    n = len(offsets_s)
    return pl.DataFrame(
        {
            "icao24": ["4ca7b4"] * n,
            "time": [T0 + timedelta(seconds=s) for s in offsets_s],
            "lat": [32.0 + 0.01 * i for i in range(n)],
            "lon": [34.9] * n,
            "alt_ft": [500.0 + 100 * i for i in range(n)],
            "gs_kt": [150.0] * n,
            "track_deg": [120.0] * n,
            "on_ground": [False] * n,
        }
    )


def _times(out: pl.DataFrame) -> list[float]:
    return [(r["time"] - T0).total_seconds() for r in out["evidence"][0]]


def test_rows_after_an_hour_of_silence_are_not_evidence() -> None:
    # Signal lost 2 s after lift-off, back an hour later: a 'none'-style take-off
    # whose 2k = 6 rows would reach into the reappearance.
    frame = _frame([0, 1, 2, 3600, 3601, 3602, 3603])
    ends = pl.DataFrame(
        {"query": [0], "kind": ["takeoff"], "a_row": [0], "g_row": [None]},
        schema={"query": pl.UInt32, "kind": pl.String, "a_row": pl.UInt32, "g_row": pl.UInt32},
    )
    assert _times(evidence(frame, ends, 3)) == [0, 1, 2, 3600, 3601, 3602]
    assert _times(evidence(frame, ends, 3, max_gap_s=900)) == [0, 1, 2]


def test_ground_and_air_positions_both_stay_across_a_gap() -> None:
    # Last seen parked, next seen climbing two hours later: both decided it.
    frame = _frame([0, 7200, 7201, 7202])
    ends = pl.DataFrame(
        {"query": [0], "kind": ["takeoff"], "a_row": [1], "g_row": [0]},
        schema={"query": pl.UInt32, "kind": pl.String, "a_row": pl.UInt32, "g_row": pl.UInt32},
    )
    assert _times(evidence(frame, ends, 2, max_gap_s=900)) == [0, 7200, 7201]
