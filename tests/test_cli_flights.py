"""``tailwatch flights`` and ``tailwatch explain``, in process."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tailwatch.cli import explain, flights

if TYPE_CHECKING:
    from pathlib import Path

CONTRACT = [
    "icao24",
    "registration",
    "callsign",
    "first_seen",
    "last_seen",
    "takeoff_airport",
    "takeoff_time",
    "takeoff_confidence",
    "landing_airport",
    "landing_time",
    "landing_confidence",
]


def test_flights_csv_contract(adsb_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    assert flights.main([str(adsb_dir / "readsb_trace_full_ac671b.json"), "-o", str(out)]) == 0
    df = pl.read_csv(out, infer_schema=False)
    assert set(CONTRACT) <= set(df.columns)
    assert {"takeoff_runner_up", "landing_evidence"} <= set(df.columns)
    assert df["landing_airport"].to_list() == ["KMSP", None, "KMSP", "KDEN"]
    assert df["landing_time"][-1].startswith("2025-02-05T19:54")
    assert df["landing_time"][-1].endswith("Z")
    ev = json.loads(df["landing_evidence"][-1])
    assert ev
    assert {"time", "lat", "lon", "alt_ft", "gs_kt", "on_ground"} <= set(ev[0])


@pytest.mark.parametrize("suffix", ["parquet", "json", "geojson"])
def test_flights_other_outputs(adsb_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"f.{suffix}"
    assert flights.main([str(adsb_dir / "readsb_trace_full_ac671b.json"), "-o", str(out)]) == 0
    if suffix == "parquet":
        assert pl.read_parquet(out).height == 4
    elif suffix == "json":
        assert len(json.loads(out.read_text())) == 4
    else:
        fc = json.loads(out.read_text())
        assert len(fc["features"]) == 4
        assert fc["features"][0]["geometry"]["type"] == "LineString"


def test_flights_table_without_output(adsb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert flights.main([str(adsb_dir / "readsb_trace_full_ac671b.json")]) == 0
    assert "KDEN" in capsys.readouterr().out


def test_explain_shows_rule_and_points(adsb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = explain.main(
        [
            "3b77e4",
            str(adsb_dir / "paris_2021-10-07_quickstart.json.gz"),
            "--at",
            "2021-10-07T14:52:00Z",
        ]
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "LFPV" in text
    assert "segmentation" in text
    assert "deciding points" in text


def test_explain_unknown_aircraft(adsb_dir: Path) -> None:
    assert explain.main(["ffffff", str(adsb_dir / "readsb_trace_full_ac671b.json")]) == 1


def test_flights_say_why_registrations_are_empty(
    adsb_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(tmp_path / "empty-store"))  # no registry
    out = tmp_path / "f.csv"
    assert flights.main([str(adsb_dir / "noisy_landing.json.gz"), "-o", str(out)]) == 0
    assert pl.read_csv(out)["registration"].null_count() == 1
    err = capsys.readouterr().err
    assert "registrations left empty" in err
    assert "tailwatch data import" in err
