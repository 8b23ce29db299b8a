"""``tailwatch trips``: on the savan month (every trip from and back to Toulouse)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from tailwatch.cli.trips import main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.slow
def test_savan_trips(adsb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "t.json"
    assert main([str(adsb_dir / "savan_39b415_2022-03.json.gz"), "-o", str(out_file)]) == 0
    trips = pl.read_json(out_file)
    lfpb = trips.filter(pl.col("route").str.contains("LFPB"))
    assert lfpb.height >= 1
    assert "trips written" in capsys.readouterr().err


def test_table_output(adsb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(adsb_dir / "noisy_landing.json.gz")]) == 0
    assert "trips" in capsys.readouterr().out
