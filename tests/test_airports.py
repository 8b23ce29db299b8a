"""The airport/runway index, checked against facts verifiable on a chart."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tailwatch.reference.airports import AirportIndex, bearing_deg, haversine_km


@pytest.fixture(scope="module")
def index() -> AirportIndex:
    return AirportIndex.default()


def test_haversine_paris_tel_aviv() -> None:
    # LFPB reference point to LLBG reference point: about 3,290 km.
    d = haversine_km(48.9694, 2.44139, 32.0114, 34.8867)
    assert 3270 < float(d) < 3310


def test_bearing_cardinal_points() -> None:
    assert float(bearing_deg(0, 0, 1, 0)) == pytest.approx(0.0)
    assert float(bearing_deg(0, 0, 0, 1)) == pytest.approx(90.0)
    assert float(bearing_deg(0, 0, -1, 0)) == pytest.approx(180.0)


def test_nearest_airports_le_bourget_then_cdg(index: AirportIndex) -> None:
    near = index.near([48.9694], [2.44139], radius_km=12)
    assert near["icao"].to_list()[:2] == ["LFPB", "LFPG"]
    lfpg = near.filter(pl.col("icao") == "LFPG")
    assert 8.5 < lfpg["distance_km"].item() < 10.0  # CDG lies ~9 km north-east
    assert 40 < lfpg["bearing_deg"].item() < 75


def test_radius_cap_returns_nothing_mid_atlantic(index: AirportIndex) -> None:
    assert index.near([45.0], [-35.0], radius_km=50).height == 0


def test_vectorised_query_keeps_input_order(index: AirportIndex) -> None:
    lat = np.array([32.0114, 45.0, 48.9694])
    lon = np.array([34.8867, -35.0, 2.44139])
    near = index.near(lat, lon, radius_km=5, k=1)
    assert near.select("query", "icao").rows() == [(0, "LLBG"), (2, "LFPB")]


def test_runway_ends_have_true_headings(index: AirportIndex) -> None:
    ends = index.runway_ends("LLBG")
    by_ident = dict(zip(ends["ident"], ends["heading_deg"], strict=True))
    # Ben Gurion 12/30: the 12 end points south-east, the 30 end north-west.
    assert 110 < by_ident["12"] < 130
    assert 290 < by_ident["30"] < 310
    # Each runway gives two ends 180 degrees apart.
    assert abs((by_ident["30"] - by_ident["12"]) % 360 - 180) < 1


def test_runway_ends_near_threshold(index: AirportIndex) -> None:
    ends = index.runway_ends("LFPB").filter(pl.col("ident") == "27")
    lat, lon = ends["lat"].item(), ends["lon"].item()
    near = index.runway_ends_near([lat], [lon], radius_km=0.5)
    assert ("LFPB", "27") in near.select("airport", "ident").rows()
