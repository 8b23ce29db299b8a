"""Every reader emits exactly the POSITIONS schema, and quarantine exactly QUARANTINE."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from tests.sources import sources_samples as s

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.sources import (
    read_aircraft_json,
    read_opensky,
    read_positions,
    read_readsb_trace,
    read_traffic,
    validate_positions,
)

Reader = Callable[[Path], tuple[pl.DataFrame, pl.DataFrame]]

CASES: dict[str, tuple[Callable[[Path], Path], Reader]] = {
    "opensky csv": (lambda d: s.write_opensky_csv(d / "a.csv"), read_opensky),
    "opensky csv.gz": (lambda d: s.write_opensky_csv_gz(d / "a.csv.gz"), read_opensky),
    "opensky parquet": (lambda d: s.write_opensky_parquet(d / "a.parquet"), read_opensky),
    "traffic json": (lambda d: s.write_traffic_json(d / "a.json.gz"), read_traffic),
    "traffic json columns": (
        lambda d: s.write_traffic_json(d / "a.json", columns=True, gz=False),
        read_traffic,
    ),
    "traffic csv": (lambda d: s.write_traffic_csv(d / "a.csv"), read_traffic),
    "traffic parquet": (lambda d: s.write_traffic_parquet(d / "a.parquet"), read_traffic),
    "readsb trace": (lambda d: s.write_trace(d / "trace_full_3c6444.json"), read_readsb_trace),
    "aircraft.json": (lambda d: s.write_aircraft_json(d / "aircraft.json"), read_aircraft_json),
}


@pytest.mark.parametrize("case", CASES)
def test_reader_emits_exact_schemas(tmp_path: Path, case: str) -> None:
    write, reader = CASES[case]
    positions, quarantine = reader(write(tmp_path))
    assert positions.schema == POSITIONS
    assert quarantine.schema == QUARANTINE
    assert positions.height > 0


@pytest.mark.parametrize("case", CASES)
def test_read_positions_emits_exact_schemas(tmp_path: Path, case: str) -> None:
    write, _ = CASES[case]
    result = read_positions([write(tmp_path)])
    assert result.positions.schema == POSITIONS
    assert result.quarantine.schema == QUARANTINE


def test_empty_results_have_the_schemas(tmp_path: Path) -> None:
    result = read_positions([tmp_path / "missing.csv"])
    assert result.positions.schema == POSITIONS
    assert result.quarantine.schema == QUARANTINE


def test_quarantine_schema_when_rows_are_bad() -> None:
    frame = pl.DataFrame(
        {"time": ["2024-05-01T12:00:00Z"], "icao24": ["nothex"], "lat": [1.0], "lon": [2.0]}
    )
    good, quarantine = validate_positions(frame, "feed", "simulated")
    assert good.schema == POSITIONS
    assert quarantine.schema == QUARANTINE
    assert quarantine["reason"].to_list() == ["bad_icao24"]
