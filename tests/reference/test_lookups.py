"""Registry, ICAO address blocks and borders on the real reference data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pytest

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import borders, icao_blocks, registry

if TYPE_CHECKING:
    from pathlib import Path


def test_registry_hex_and_registration(store: Path) -> None:
    reg = registry.registry()
    assert len(reg) == 619_472
    rec = reg.get("018019")
    assert rec is not None
    assert (rec.registration, rec.typecode) == ("5A-DCN", "F900")
    assert rec.description == "DASSAULT Falcon 900"
    assert rec.military  # flags "10": tar1090-db marks this state jet military
    assert not rec.interesting
    assert not rec.pia
    assert not rec.ladd
    assert [r.icao24 for r in reg.by_registration("5a-dcn")] == ["018019"]
    assert [r.icao24 for r in reg.by_registration("5ADCN")] == ["018019"]
    assert reg.get("ffffff") is None


def test_registry_knows_which_aircraft_can_hover(store: Path) -> None:
    # db/icao_aircraft_types.js: F900 is "L3J" (landplane, 3 jets), EC20 "H1T"
    reg = registry.registry()
    falcon, heli = reg.get("018019"), reg.get("39b002")
    assert falcon is not None
    assert heli is not None
    assert (falcon.icao_class, heli.icao_class) == ("L3J", "H1T")
    assert (heli.registration, heli.typecode) == ("F-HMAC", "EC20")
    rotor = reg.rotorcraft()
    assert "39b002" in rotor
    assert "018019" not in rotor
    assert len(rotor) == 42_777  # helicopters, gyroplanes and tilt-rotors of 619,472


def test_detection_params_without_a_registry(empty_store: Path) -> None:
    from tailwatch.detect import detection_params

    assert detection_params().rotorcraft == frozenset()  # empty store: no registry


def test_detection_params_with_the_registry(store: Path) -> None:
    from tailwatch.detect import detection_params

    assert "39b002" in detection_params().rotorcraft


def test_registry_lookup_keeps_input_order(store: Path) -> None:
    out = registry.registry().lookup(pl.Series(["3C6444", "nothex", None, "018019"]))
    assert out.height == 4
    assert out["icao24"].to_list() == ["3C6444", "nothex", None, "018019"]
    assert out["registration"].to_list() == ["D-AIBD", None, None, "5A-DCN"]


def test_registry_csv_format(tmp_path: Path) -> None:
    # readsb aircraft.csv: old 5-field lines and new 7-field lines with a trailing ';'
    (tmp_path / "aircraft.csv").write_text(
        "018019;5A-DCN;F900;10;DASSAULT Falcon 900\n"
        "3C6444;D-AIBD;A319;0001;AIRBUS A-319;2008;Lufthansa;\n"
        "zzzzzz;X;X;;bad hex\n"
    )
    frame = registry.parse_registry(tmp_path)
    assert frame.height == 2
    row = frame.filter(pl.col("icao24") == "3c6444").row(0, named=True)
    assert row["owner_operator"] == "Lufthansa"
    assert row["year"] == "2008"
    assert row["ladd"]
    assert not row["military"]
    assert row["icao_class"] is None  # no db/icao_aircraft_types.js beside it


def test_libyan_block(store: Path) -> None:
    name, iso, block = icao_blocks.blocks().country_of("018019")
    assert (name, iso, block) == ("Libya", "LY", "018000-01ffff")


def test_narrowest_block_wins(store: Path) -> None:
    out = icao_blocks.registration_country(
        pl.Series(["500001", "4b0000", "899001", "5fffff", "a00001", "xyz", None])
    )
    assert out["country_iso"].to_list() == ["SM", "CH", "TW", None, "US", None, None]
    assert out["country"][3] == "Unassigned (EUR / NAT regions)"


def test_flag_to_iso() -> None:
    assert icao_blocks.flag_to_iso("🇱🇾") == "LY"
    assert icao_blocks.flag_to_iso("🏳") is None
    assert icao_blocks.flag_to_iso(None) is None


def test_country_at_known_points(store: Path) -> None:
    lat = np.array([48.8566, 32.0853, 32.1167, 30.0, 28.1, 18.2, np.nan])
    lon = np.array([2.3522, 34.7818, 20.0667, -40.0, -15.4, -66.5, 0.0])
    got = borders.country_at(lat, lon)
    # Paris is FR (not the reserved FX); Gran Canaria is ES (not IC); Puerto Rico keeps PR
    assert got.tolist() == ["FR", "IL", "LY", None, "ES", "PR", None]


def test_missing_data_is_a_clear_error(empty_store: Path) -> None:
    with pytest.raises(ReferenceDataError, match="tailwatch data import"):
        registry.registry()
    with pytest.raises(ReferenceDataError, match="tailwatch data import"):
        icao_blocks.blocks()
