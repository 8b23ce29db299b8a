"""The simulated seed story, end to end: the pipeline must find what was simulated."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from tailwatch._schema import POSITIONS
from tailwatch.cli.demo import demo_watchlists
from tailwatch.demo.scenario import SEED
from tailwatch.demo.simulate import simulate
from tailwatch.sources.validate import validate_positions
from tailwatch.stays.pipeline import Analysis, analyse

TOL = timedelta(minutes=2)


@pytest.fixture(scope="module")
def sim_run() -> tuple[pl.DataFrame, Analysis]:
    sim = simulate()
    positions, quarantine = validate_positions(sim.positions, "SIMULATED", "simulated")
    assert quarantine.height == 0
    return sim.truth, analyse(positions, watchlists=demo_watchlists())


def test_reproducible_and_canonical() -> None:
    a, b = simulate().positions, simulate().positions
    assert a.schema == POSITIONS
    assert a.equals(b)
    assert 5_000 < a.height < 300_000
    assert a["source_format"].unique().to_list() == ["simulated"]


def test_cruise_over_the_sea_has_signal_gaps() -> None:
    p = simulate().positions.filter(pl.col("icao24") == SEED.icao24)
    gaps = p.select(pl.col("time").diff().dt.total_seconds().alias("gap"), "on_ground").filter(
        (pl.col("gap") > 600) & ~pl.col("on_ground")
    )
    assert gaps.height == 2  # HLLB -> LCLK and LLBG -> HLLB, far from every receiver


def test_simulated_schedule_is_the_seed() -> None:
    truth = simulate().truth.filter(pl.col("icao24") == SEED.icao24)
    lclk_stop = truth["takeoff_time"][1] - truth["landing_time"][0]
    llbg_stay = truth["takeoff_time"][2] - truth["landing_time"][1]
    assert abs(lclk_stop - timedelta(minutes=40)) < timedelta(seconds=5)
    assert abs(llbg_stay - timedelta(hours=2, minutes=3)) < timedelta(seconds=5)
    assert truth["landing_time"][1] == SEED.anchor_time  # 09:14 UTC at LLBG


def test_three_observed_flights(sim_run: tuple[pl.DataFrame, Analysis]) -> None:
    truth, analysis = sim_run
    f = analysis.detection.flights.filter(pl.col("icao24") == SEED.icao24).sort("first_seen")
    assert f.height == 3
    assert f["takeoff_airport"].to_list() == ["HLLB", "LCLK", "LLBG"]
    assert f["landing_airport"].to_list() == ["LCLK", "LLBG", "HLLB"]
    assert set(f["takeoff_confidence"]) | set(f["landing_confidence"]) == {"observed"}
    t = truth.filter(pl.col("icao24") == SEED.icao24)
    for col in ("takeoff_time", "landing_time"):
        assert (f[col] - t[col]).abs().max() < TOL  # type: ignore[operator]


def test_stop_and_stay_durations(sim_run: tuple[pl.DataFrame, Analysis]) -> None:
    _, analysis = sim_run
    stays = analysis.stays.filter(pl.col("icao24") == SEED.icao24)
    dwell = dict(
        stays.filter(pl.col("dwell_bound") == "exact").select("airport", "dwell_s").iter_rows()
    )
    assert abs(dwell["LCLK"] - 40 * 60) <= 120
    assert abs(dwell["LLBG"] - 123 * 60) <= 120


def test_overflight_and_background(sim_run: tuple[pl.DataFrame, Analysis]) -> None:
    _, analysis = sim_run
    flights = analysis.detection.flights
    over = flights.filter(pl.col("icao24") == "896321")
    assert over.height == 1
    assert over["takeoff_airport"].to_list() == [None]
    assert over["landing_airport"].to_list() == [None]
    assert flights.filter(pl.col("icao24") == "738b22")["landing_airport"].to_list() == ["LLBG"]
    assert flights.filter(pl.col("icao24") == "4c8011")["takeoff_airport"].to_list() == ["LCLK"]


def test_trip_and_sentence(sim_run: tuple[pl.DataFrame, Analysis]) -> None:
    _, analysis = sim_run
    trips = analysis.trips.filter(pl.col("icao24") == SEED.icao24)
    assert trips["route"].to_list() == ["HLLB → LCLK → LLBG → HLLB"]
    assert trips["destination"].to_list() == ["LLBG"]
    assert [s["kind"] for s in trips["stops"][0]] == ["stopover", "stay"]
    visits = analysis.visits
    assert set(visits["icao24"]) == {SEED.icao24}  # only the watched aircraft
    llbg = visits.filter(pl.col("airport") == "LLBG").row(0, named=True)
    assert llbg["sentence"].startswith(
        "5A-DCN, a Dassault Falcon 900EX of the Government of Libya "
        "(SIMULATED demo entry: Dictator Alert), landed at Tel Aviv Ben Gurion (LLBG, "
    )
    assert (
        "at 09:14 UTC on 11 Mar 2025 after a 40-minute stop at Larnaca (LCLK)" in (llbg["sentence"])
    )
    assert "and left 2 h 03 min later towards Benghazi Benina (HLLB)." in llbg["sentence"]
