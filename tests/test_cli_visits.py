"""``tailwatch visits`` on real recordings, checked by hand first.

Paris: CTM1283 (3b77e4) is on the ground at Villacoublay from 14:52:14 and still there
when the recording ends (14:59). savan (39b415): last airborne point on final to
Le Bourget at 15:08 on 28 March 2022, first airborne again at 06:44 on 29 March.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tailwatch.cli.visits import main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.slow
def test_paris_villacoublay(
    capsys: pytest.CaptureFixture[str], adsb_dir: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "v.parquet"
    paris = str(adsb_dir / "paris_2021-10-07_quickstart.json.gz")
    assert main([paris, "--all", "--airport", "LFPV", "-o", str(out_file)]) == 0
    v = pl.read_parquet(out_file).filter(pl.col("icao24") == "3b77e4").row(0, named=True)
    assert v["arrival_confidence"] == "observed"
    assert abs((v["arrival_time"] - datetime(2021, 10, 7, 14, 52, tzinfo=UTC)).total_seconds()) < 60
    assert v["open"] is True
    assert "landed at Villacoublay-Velizy (BA 107) Air Base (LFPV, " in v["sentence"]
    assert "still there at the end of the data" in v["sentence"]


@pytest.mark.slow
def test_savan_night_at_le_bourget(
    capsys: pytest.CaptureFixture[str], adsb_dir: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "v.csv"
    savan = str(adsb_dir / "savan_39b415_2022-03.json.gz")
    args = [savan, "--all", "--country", "FR", "--since", "2022-03-28", "--until", "2022-03-30"]
    assert main([*args, "-o", str(out_file)]) == 0
    v = pl.read_csv(out_file).filter(pl.col("airport") == "LFPB")
    assert v.height == 1
    row = v.row(0, named=True)
    assert row["arrival_time"].startswith("2022-03-28T15:08")
    assert row["departure_time"].startswith("2022-03-29T06:44")
    assert row["arrival_confidence"] == "observed"
    assert row["departure_confidence"] == "observed"
    assert row["dwell_bound"] == "exact"


def test_unknown_output_type(tmp_path: Path, adsb_dir: Path) -> None:
    noisy = str(adsb_dir / "noisy_landing.json.gz")
    assert main([noisy, "-o", str(tmp_path / "v.xlsx")]) == 2


def test_watched_first_gives_the_visits_of_a_run_over_everybody(
    adsb_dir: Path, tmp_path: Path
) -> None:
    """Only watched aircraft are detected; their visits equal those of an all-aircraft run.

    3b77e4 is CTM1283 (lands at Villacoublay 14:52), 39a415 VLJ681N; 000001 is in no
    recording.
    """
    from tailwatch.reference.watchlists import Watchlists
    from tailwatch.sources import read_positions
    from tailwatch.stays.pipeline import analyse

    wl = tmp_path / "watch.csv"
    wl.write_text(
        "$ICAO,$Registration,$Operator,Category\n"
        "3b77e4,F-RAFA,French Air Force,Gov\n39a415,F-HVLJ,Test,Gov\n000001,X,Nobody,Gov\n"
    )
    lists = Watchlists.load([wl], plane_alert=False)
    assert lists.addresses().to_list() == ["000001", "39a415", "3b77e4"]
    positions = read_positions([adsb_dir / "paris_2021-10-07_quickstart.json.gz"]).positions
    watched = analyse(positions, watchlists=lists, detect_unwatched=False)
    everybody = analyse(positions, watchlists=lists, watched_only=False)
    assert set(watched.detection.events["icao24"]) == {"3b77e4", "39a415"}
    assert everybody.detection.events["icao24"].n_unique() > 100
    expected = everybody.visits.filter(pl.col("watch").list.len() > 0)
    assert watched.visits.height == expected.height > 0
    assert watched.visits.equals(expected)
    assert "3b77e4" in set(watched.visits["icao24"])


def test_visits_of_a_watchlist(
    adsb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an empty data store: only the given watchlist (plane-alert-db names 3aabfc too)
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(tmp_path / "store"))
    wl = tmp_path / "watch.csv"
    wl.write_text("$ICAO,$Registration,$Operator,Category\n3b77e4,F-RAFA,French Air Force,Gov\n")
    out_file = tmp_path / "v.parquet"
    paris = str(adsb_dir / "paris_2021-10-07_quickstart.json.gz")
    assert main([paris, "--watchlist", str(wl), "--airport", "LFPV", "-o", str(out_file)]) == 0
    v = pl.read_parquet(out_file)
    assert v["icao24"].to_list() == ["3b77e4"]
    assert v["watch"][0][0]["label"] == "French Air Force"
    assert v["arrival_time"][0].strftime("%H:%M") == "14:52"
