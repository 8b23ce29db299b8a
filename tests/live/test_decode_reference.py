"""Decoded rs1090 frames recording vs the reference fields on each of its lines.

The file holds 57,793 frames of 393322 (AFR34ZG, Paris-CDG to Toulouse), each line
with the fields rs1090 decoded. Every line whose reference has a position must
give the same position; the few deliberate differences are listed and explained
here, each one checked rather than skipped.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from tailwatch._schema import POSITIONS
from tailwatch.live import _pymodes as pm
from tailwatch.live.decode import DecoderSettings, ModeSDecoder

if TYPE_CHECKING:
    from pathlib import Path

CDG = (49.0097, 2.5479)  # receiver reference: surface CPR needs one within 45 NM

# Address/parity replies whose 13-bit header decodes differently in rs1090 0.7.0
# and pyModeS 3.6.1. Each is an isolated value among steady neighbours (e.g. 5590
# or 39150 ft between 35025 ft replies), so neither decoding is the aircraft's.
# Checked by hand: a1af59...: Q=1, N=1606 -> 39150 ft (pyModeS; rs1090 says 5590);
# 27c4ab...: M=1 metric code, pyModeS declines it (None), rs1090 gives 1138;
# 20156e...: Gillham code, pyModeS None (invalid C digit), rs1090 2477;
# 2393a5...: Gillham, pyModeS -100, rs1090 0;
# afb921...: ID bits C1A1C2A2C4A4 X B1D1B2D2B4D4 = 000011 0 100111 -> A=4 B=5 C=4
# D=6 = 4546 (pyModeS; rs1090 says 1246).
HEADER_ANOMALIES = {
    "a1af591683bb6f178aabb7192106",
    "27c4ab71657293e1a5e162ba49b1",
    "20156e7bb523456216028d2482aa",
    "2393a50a156d2ca58a2b5cbac9cd",
    "afb921a79a54822501c02aa5d9b9",
}


def surface_movement(frame: str) -> int:
    return (int(frame[8:22], 16) >> 44) & 0x7F


@pytest.fixture(scope="module")
def lines(adsb_dir: Path) -> list[dict[str, Any]]:
    path = adsb_dir / "rs1090_frames_393322_2024-07-06.jsonl"
    with path.open() as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def decoded(lines: list[dict[str, Any]]) -> tuple[pl.DataFrame, ModeSDecoder]:
    dec = ModeSDecoder(DecoderSettings(receiver=CDG), source_file="rs1090.jsonl")
    # in batches of 1000, as a live feed would: state must carry across batches
    parts = [
        dec.decode(
            [r["timestamp"] for r in lines[i : i + 1000]],
            [r["frame"] for r in lines[i : i + 1000]],
        )
        for i in range(0, len(lines), 1000)
    ]
    return pl.concat(parts), dec


def test_every_reference_position_is_decoded(
    lines: list[dict[str, Any]], decoded: tuple[pl.DataFrame, ModeSDecoder]
) -> None:
    out, dec = decoded
    assert out.schema == POSITIONS
    ref = [r for r in lines if "latitude" in r]
    assert len(ref) == 8324  # 6457 airborne + 1867 surface
    assert out.height == len(ref)  # 100 %: one row per reference position, no extra
    rows = out.to_dicts()
    matched = 0
    for r, o in zip(ref, rows, strict=True):
        assert o["time"].timestamp() == pytest.approx(r["timestamp"], abs=1e-6)
        assert o["icao24"] == r["icao24"]
        assert o["lat"] == pytest.approx(r["latitude"], abs=1e-5)
        assert o["lon"] == pytest.approx(r["longitude"], abs=1e-5)
        surface = r["bds"] == "06"
        assert o["on_ground"] is surface
        if surface:
            assert o["alt_baro_ft"] is None
            if r.get("track") is None:
                assert o["track_deg"] is None
            else:
                assert o["track_deg"] == pytest.approx(r["track"], abs=1e-3)
            mov = surface_movement(r["frame"])
            if 14 <= mov <= 38:
                # rs1090 0.7.0 uses 0.25 kt steps for movement codes 13-38; DO-260B
                # says 0.5 kt (2 kt at 13 up to 15 kt at 39, where both agree again).
                assert r["groundspeed"] == 2 + (mov - 13) * 0.25
                assert o["gs_kt"] == 2 + (mov - 13) * 0.5
            else:
                assert o["gs_kt"] == pytest.approx(r["groundspeed"])
        else:
            assert o["alt_baro_ft"] == r["altitude"]
        matched += 1
    assert matched == len(ref)
    c = dec.counters
    assert (c.frames, c.positions, c.crc_failed, c.invalid) == (57793, 8324, 0, 0)
    assert (c.cpr_pending, c.implausible, c.unknown_address) == (0, 0, 0)


def test_rows_carry_the_latest_fresh_velocity_callsign_and_squawk(
    lines: list[dict[str, Any]], decoded: tuple[pl.DataFrame, ModeSDecoder]
) -> None:
    out, _ = decoded
    rows = iter(out.to_dicts())
    vel: dict[str, Any] | None = None
    callsign: dict[str, Any] | None = None
    squawk: dict[str, Any] | None = None
    checked = 0
    for r in lines:
        t = r["timestamp"]
        if r.get("bds") == "09":
            vel = r
        elif r["df"] == "17" and "callsign" in r:
            callsign = r
        elif r["df"] in ("5", "21") and "squawk" in r:
            squawk = r
        if "latitude" not in r:
            continue
        o = next(rows)
        if callsign is not None and t - callsign["timestamp"] <= 300:
            assert o["callsign"] == callsign["callsign"]
        if squawk is not None and t - squawk["timestamp"] <= 300:
            if squawk["frame"] in HEADER_ANOMALIES:
                assert o["squawk"] == "4546"
            else:
                assert o["squawk"] == squawk["squawk"]
        if r["bds"] == "06":
            continue
        if vel is not None and t - vel["timestamp"] <= 10:
            assert o["gs_kt"] == pytest.approx(vel["groundspeed"], rel=1e-6)
            assert o["track_deg"] == pytest.approx(vel["track"], abs=1e-4)
            assert o["vrate_fpm"] == vel["vertical_rate"]
            assert o["alt_geom_ft"] == r["altitude"] + (vel["geo_minus_baro"] or 0)
            checked += 1
        else:
            assert o["gs_kt"] is None
    assert checked > 6000


def test_every_line_header_and_squitter_field(lines: list[dict[str, Any]]) -> None:
    anomalies = set()
    for r in lines:
        frame, df = r["frame"], int(r["df"])
        short = frame[:14]  # this recorder pads 56-bit replies to 112 bits
        if df in (0, 4, 16, 20) and "altitude" in r:
            alt = pm.altitude_ft(short if df in (0, 4) else frame)
            if alt != r["altitude"]:
                anomalies.add(frame)
        elif df in (5, 21) and "squawk" in r:
            squawk = pm.squawk(short if df == 5 else frame)
            if squawk != r["squawk"]:
                anomalies.add(frame)
        if df != 17:
            continue
        d = pm.decode_es(frame)
        assert d["crc_valid"] is True
        if "callsign" in r:
            assert d["callsign"] == r["callsign"]
        if r.get("bds") == "09":
            assert d["groundspeed"] == pytest.approx(r["groundspeed"], rel=1e-9)
            assert d["track"] == pytest.approx(r["track"], abs=1e-9)
            assert d["vertical_rate"] == r["vertical_rate"]
            if r["geo_minus_baro"] is None and d["geo_minus_baro"] is not None:
                # raw difference 1 means "0 ft" (DO-260B: (n - 1) * 25 ft, 0 = no
                # information); rs1090 0.7.0 reports null there (88 lines).
                assert d["geo_minus_baro"] == 0
                assert int(frame[20:22], 16) & 0x7F == 1
            else:
                assert d["geo_minus_baro"] == r["geo_minus_baro"]
        if r.get("bds") == "05":
            assert d["altitude"] == r["altitude"]
            assert (d["cpr_lat"], d["cpr_lon"]) == (r["lat_cpr"], r["lon_cpr"])
    assert anomalies == HEADER_ANOMALIES
