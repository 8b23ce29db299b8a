"""``tailwatch demo``: in process, no network."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from tailwatch.cli.demo import main

if TYPE_CHECKING:
    from pathlib import Path


def test_demo_simulated(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SIMULATED DATA" in out
    assert "after a 40-minute stop at Larnaca (LCLK)" in out
    # Country names come from the bundled OurAirports table, even with no data imported.
    assert "Tel Aviv Ben Gurion (LLBG, Israel)" in out
    assert "HLLB → LCLK → LLBG → HLLB" in out
    for name in ("flights", "events", "stays", "trips", "visits"):
        assert (tmp_path / f"{name}.parquet").is_file()
        assert (tmp_path / f"{name}.csv").is_file()
    visits = pl.read_parquet(tmp_path / "visits.parquet")
    assert visits["airport"].to_list() == ["HLLB", "LCLK", "LLBG", "HLLB"]


@pytest.mark.slow
def test_demo_real_recording(capsys: pytest.CaptureFixture[str], adsb_dir: Path) -> None:
    code = main(["--input", str(adsb_dir / "paris_2021-10-07_quickstart.json.gz")])
    assert code == 0
    out = capsys.readouterr().out
    assert "REAL DATA" in out
    assert "SIMULATED" not in out
