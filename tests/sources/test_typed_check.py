"""The one-pass check of typed sources gives what the text check gives, row by row.

Parquet and typed OpenSky CSVs are checked in one streaming pass off the scan
(:mod:`tailwatch.sources.validate_typed`); text sources by the two-pass check. The
same records through both must give the same good rows and the same reason for every
row set aside. Each record below carries one known defect.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tailwatch.sources import opensky, read_positions
from tailwatch.sources._blob import Blob
from tailwatch.sources.validate import check
from tailwatch.sources.validate_typed import typed

if TYPE_CHECKING:
    from pathlib import Path

T0 = 1_633_608_000.0  # 2021-10-07 12:00 UTC

#: (row note, record overrides, expected reason or None for a good row)
CASES: list[tuple[str, dict[str, object], str | None]] = [
    ("good", {}, None),
    ("address missing", {"icao24": None}, "bad_icao24"),
    ("address upper case", {"icao24": "3946E2"}, None),
    ("anonymous address", {"icao24": "~3946e2"}, "non_icao_address"),
    ("address not hex", {"icao24": "xyz123"}, "bad_icao24"),
    ("latitude beyond the pole", {"lat": 91.0}, "bad_position"),
    ("latitude NaN", {"lat": math.nan}, "bad_position"),
    ("only a longitude", {"lat": None}, "bad_position"),
    ("no position at all", {"lat": None, "lon": None}, "no_position"),
    ("65,617 ft", {"baroaltitude": 20_000.0}, "bad_altitude"),
    ("1,944 kt", {"velocity": 1_000.0}, "bad_speed"),
    ("north as 360", {"heading": 360.0}, None),
    ("track beyond 360", {"heading": 361.0}, "bad_track"),
    ("39,370 ft/min", {"vertrate": 200.0}, "bad_vertical_rate"),
    ("time missing", {"time": None, "lastposupdate": None}, "missing_time"),
    ("time NaN", {"time": None, "lastposupdate": math.nan}, "bad_time"),
    ("year 2150", {"lastposupdate": 5_700_000_000.0}, "bad_time"),
    ("callsign padded", {"callsign": "AFR1234 "}, None),
    ("callsign all blanks", {"callsign": "        "}, None),
    ("callsign with a dash", {"callsign": "AF-1234"}, "bad_callsign"),
    ("squawk not octal", {"squawk": "9999"}, "bad_squawk"),
    ("bad address and bad altitude", {"icao24": "xyz123", "baroaltitude": 20_000.0}, "bad_icao24"),
]


def _records() -> pl.DataFrame:
    base: dict[str, object] = {
        "time": T0,
        "icao24": "3946e2",
        "lat": 48.95,
        "lon": 2.43,
        "velocity": 80.0,
        "heading": 90.0,
        "vertrate": 0.0,
        "callsign": "AFR1234",
        "onground": False,
        "alert": False,
        "spi": False,
        "squawk": "1000",
        "baroaltitude": 900.0,
        "geoaltitude": 950.0,
        "lastposupdate": T0,
        "lastcontact": T0,
    }
    rows = []
    for i, (_, overrides, _) in enumerate(CASES):
        row = base | {"time": T0 + 10 * i, "lastposupdate": T0 + 10 * i} | overrides
        rows.append(row)
    schema = {
        name: pl.Float64 if isinstance(value, float) else type_of(value)
        for name, value in base.items()
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def type_of(value: object) -> type[pl.DataType]:
    return pl.Boolean if isinstance(value, bool) else pl.String


def _expected() -> dict[int, str]:
    return {i: reason for i, (_, _, reason) in enumerate(CASES) if reason is not None}


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.all().cast(pl.String))


def test_typed_and_text_checks_agree_row_by_row(tmp_path: Path) -> None:
    records = _records()
    path = tmp_path / "states.parquet"
    records.write_parquet(path)
    staged = opensky.stage(Blob(name=str(path), path=path), "parquet")
    assert typed(staged.collect_schema())
    one_pass = opensky.check_opensky(staged, "states")
    csv = tmp_path / "states.csv"
    records.write_csv(csv)
    as_text = opensky.stage_text(Blob(name=str(csv), path=csv), "csv")
    assert not typed(as_text.collect_schema())
    text = opensky.check_opensky(as_text, "states")
    expected = _expected()
    skipped = {i for i, r in expected.items() if r == "no_position"}
    for checked in (one_pass, text):
        got = dict(checked.quarantine.select("row", "reason").iter_rows())
        assert got == {i: r for i, r in expected.items() if i not in skipped}
        assert checked.no_position == len(skipped)
        assert checked.rows_read == len(CASES)
    assert_frame_equal(one_pass.good, text.good)
    good = one_pass.good
    assert good.height == len(CASES) - len(expected)
    assert good["icao24"].unique().to_list() == ["3946e2"]  # upper case cleaned
    assert sorted(good["callsign"].drop_nulls().unique().to_list()) == ["AFR1234"]
    assert good["callsign"].null_count() == 1  # all blanks: unknown
    assert 0.0 in good["track_deg"].to_list()  # 360 stored as 0
    assert good["alt_baro_ft"][0] == pytest.approx(900 / 0.3048)


def test_typed_quarantine_speaks_canonical_units(tmp_path: Path) -> None:
    path = tmp_path / "states.parquet"
    _records().write_parquet(path)
    result = read_positions([path])
    altitude = result.quarantine.filter(pl.col("reason") == "bad_altitude")
    assert altitude.height == 1
    # 20,000 m is 65,616.8 ft: the detail names the value the limit was applied to
    assert "alt_baro_ft=65616.8" in altitude["detail"][0]
    assert result.files[0].rows_kept == len(CASES) - len(_expected())


def test_typed_numeric_flags_and_squawks() -> None:
    """pandas-written numbers: a 0/1 flag and float squawks (25.0 is "0025")."""
    frame = pl.DataFrame(
        {
            "time": [T0, T0 + 1, T0 + 2, T0 + 3],
            "icao24": ["3946e2"] * 4,
            "lat": [48.9] * 4,
            "lon": [2.4] * 4,
            "on_ground": [1, 0, 2, None],
            "squawk": [25.0, 7700.0, 8888.0, None],
        }
    )
    assert typed(frame.lazy().with_row_index("_row").collect_schema())
    one_pass = check(frame, "f", "traffic")
    text = check(_as_text(frame), "f", "traffic")
    for checked in (one_pass, text):
        got = dict(checked.quarantine.select("row", "reason").iter_rows())
        assert got == {2: "bad_on_ground"}
    assert_frame_equal(one_pass.good, text.good)
    assert one_pass.good["squawk"].to_list() == ["0025", "7700", None]
    assert one_pass.good["on_ground"].to_list() == [True, False, None]


def _value(kind: str) -> st.SearchStrategy[object]:
    """Any float a file can hold, the limits' edges included."""
    edges = {
        "lat": [-90.0, 90.0, 90.5],
        "alt": [-2000.0, 60000.0, 60000.5, -2000.5],
        "time": [631152000.0, 4102444800.0, 1e12, 1e15, 1e18],
    }[kind]
    return (
        st.none()
        | st.sampled_from(edges)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.floats(-1e4, 1e4)
    )


_record = st.fixed_dictionaries(
    {
        "time": _value("time"),
        "icao24": st.none() | st.sampled_from(["3946e2", "3946E2", "~3946e2", "xyz123", "3946e"]),
        "callsign": st.none() | st.sampled_from(["AFR1", "AFR1   ", "        ", "af1", "A-1"]),
        "lat": _value("lat"),
        "lon": _value("lat"),
        "alt_baro_ft": _value("alt"),
        "gs_kt": _value("alt"),
        "track_deg": _value("lat"),
        "vrate_fpm": _value("alt"),
        "on_ground": st.none() | st.sampled_from([0.0, 1.0, 2.0]),
        "squawk": st.none() | st.sampled_from([25.0, 7700.0, 8888.0, 0.5]),
    }
)
_SCHEMA = (
    {"icao24": pl.String, "callsign": pl.String}
    | {
        c: pl.Float64
        for c in ("time", "lat", "lon", "alt_baro_ft", "gs_kt", "track_deg", "vrate_fpm")
    }
    | {"on_ground": pl.Float64, "squawk": pl.Float64}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record, min_size=1, max_size=30))
def test_typed_and_text_checks_agree_on_any_values(records: list[dict[str, object]]) -> None:
    frame = pl.DataFrame(records, schema=_SCHEMA)
    one_pass = check(frame, "f", "traffic")
    text = check(_as_text(frame), "f", "traffic")
    got = one_pass.quarantine.select("row", "reason")
    assert got.rows() == text.quarantine.select("row", "reason").rows()
    assert one_pass.no_position == text.no_position
    assert_frame_equal(one_pass.good, text.good)
    assert one_pass.rows_read == len(records)
    kept = one_pass.good.height + one_pass.quarantine.height + one_pass.no_position
    assert kept == len(records)  # every row is accounted for


def test_a_time_polars_cannot_print_is_quarantined_not_a_crash() -> None:
    """8.7e21 read as nanoseconds is year ~275,000: past what polars can format."""
    numbers = pl.DataFrame({"time": [T0, 8.7e21], "icao24": ["3946e2"] * 2, "lat": [48.9] * 2})
    numbers = numbers.with_columns(lon=pl.lit(2.4))
    for frame in (numbers, _as_text(numbers)):
        checked = check(frame, "f", "traffic")
        assert checked.quarantine.select("row", "reason").rows() == [(1, "bad_time")]
    year_200k = pl.Series("time", [int(T0) * 10**6, 200_000 * 365 * 86_400 * 10**6]).cast(
        pl.Datetime("us", "UTC")
    )
    far = numbers.with_columns(year_200k)
    checked = check(far, "f", "traffic")
    assert checked.quarantine.select("row", "reason").rows() == [(1, "bad_time")]
    assert checked.quarantine["detail"][0].startswith("time=6307200000000000000")
