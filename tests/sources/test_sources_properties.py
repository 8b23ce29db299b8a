"""Property tests: OpenSky CSV round-trips; no byte string crashes any reader."""

from __future__ import annotations

import gzip
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from tests.sources.sources_samples import DATA_COLS, in_reader_order, write_opensky_csv

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.errors import UnreadableFileError
from tailwatch.sources import FORMATS, read_positions

if TYPE_CHECKING:
    import random

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

T0 = datetime(2020, 1, 1, tzinfo=UTC)
hexes = st.text("0123456789abcdef", min_size=6, max_size=6)
row = st.fixed_dictionaries(
    {
        # whole milliseconds: OpenSky's text epoch keeps them exactly
        "time": st.integers(0, 10**10).map(lambda ms: T0 + timedelta(milliseconds=ms)),
        "icao24": hexes,
        "callsign": st.none()
        | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8),
        "lat": st.floats(-90, 90),
        "lon": st.floats(-180, 180),
        "alt_baro_ft": st.none() | st.floats(-1999, 59999, width=32),
        "alt_geom_ft": st.none() | st.floats(-1999, 59999, width=32),
        "gs_kt": st.none() | st.floats(0, 1499, width=32),
        "track_deg": st.none() | st.floats(0, 359.5, width=32),
        "vrate_fpm": st.none() | st.floats(-30000, 30000, width=32),
        "on_ground": st.none() | st.booleans(),
        "squawk": st.none() | st.text("01234567", min_size=4, max_size=4),
    }
)


@FAST
@given(st.lists(row, min_size=1, max_size=20))
def test_opensky_csv_round_trip(rows: list[dict[str, object]]) -> None:
    frame = pl.DataFrame(rows, schema={c: POSITIONS[c] for c in DATA_COLS})
    # -0.0 and 0.0 are the same reading: the reader treats such rows as duplicates
    frame = frame.with_columns(pl.col(pl.Float32, pl.Float64) + 0.0)
    expected = frame.unique(maintain_order=True).sort("icao24", "time", maintain_order=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_opensky_csv(Path(tmp) / "s.csv", frame)
        result = read_positions([path])
    assert result.errors == []
    assert result.quarantine.height == 0
    got = result.positions.select(DATA_COLS)
    # Float32 columns went through SI units and back: compare at Float32 precision
    assert_frame_equal(
        got.unique(maintain_order=True),
        expected,
        rel_tol=1e-5,
        abs_tol=1e-2,
        check_row_order=False,
    )


@FAST
@given(st.lists(row, min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_shuffled_repeated_rows_come_out_once_in_time_order(
    rows: list[dict[str, object]], rnd: random.Random
) -> None:
    frame = pl.DataFrame(rows, schema={c: POSITIONS[c] for c in DATA_COLS})
    frame = frame.with_columns(pl.col(pl.Float32, pl.Float64) + 0.0)
    copies = rnd.sample(range(frame.height), rnd.randint(0, frame.height))
    noisy = pl.concat([frame, frame[copies]]).sample(
        fraction=1.0, shuffle=True, seed=rnd.getrandbits(32)
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = read_positions([write_opensky_csv(Path(tmp) / "s.csv", noisy)])
    (summary,) = result.files
    assert summary.duplicates >= len(copies)  # distinct rows may round-trip alike
    assert result.positions.height == noisy.height - summary.duplicates
    # out of order in, time order out (or by aircraft, if the shuffle happened to give
    # that); no row twice with the same values
    assert in_reader_order(result.positions)
    assert result.positions.select(DATA_COLS).is_duplicated().sum() == 0
    assert_frame_equal(
        result.positions.select(DATA_COLS).unique(),
        frame.unique(),
        rel_tol=1e-5,
        abs_tol=1e-2,
        check_row_order=False,
    )


def _never_crashes(data: bytes, name: str, fmt: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = read_positions([path], format=fmt)
    assert all(isinstance(e, UnreadableFileError) for e in result.errors)
    assert result.positions.schema == POSITIONS
    assert result.quarantine.schema == QUARANTINE


@FAST
@given(st.binary(max_size=2000), st.sampled_from([None, *FORMATS]))
def test_arbitrary_bytes_never_crash(data: bytes, fmt: str | None) -> None:
    _never_crashes(data, "blob", fmt)
    _never_crashes(gzip.compress(data), "blob.gz", fmt)


prefixes = st.sampled_from(
    [
        b"time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        b"baroaltitude,geoaltitude,lastposupdate,lastcontact\n",
        b"timestamp,icao24,latitude,longitude,altitude\n",
        b'[{"timestamp":1,"icao24":"abc123","latitude":',
        b'{"altitude":{"0":',
        b'{"icao":"abc123","timestamp":1700000000,"trace":[[0,',
        b'{"now":1700000000,"aircraft":[{"hex":"abc123","lat":',
        b"PAR1",
    ]
)


@FAST
@given(prefixes, st.binary(max_size=500), st.sampled_from([None, *FORMATS]))
def test_plausible_starts_with_garbage_never_crash(
    prefix: bytes, tail: bytes, fmt: str | None
) -> None:
    _never_crashes(prefix + tail, "blob", fmt)


@FAST
@given(prefixes, st.text(max_size=300))
def test_plausible_starts_with_text_never_crash(prefix: bytes, tail: str) -> None:
    _never_crashes(prefix + tail.encode(), "blob", None)
