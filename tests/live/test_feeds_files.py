"""Beast capture file to positions; MLAT spacing of live chunks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.live.beast import BeastFrame
from tailwatch.live.decode import ModeSDecoder
from tailwatch.live.feeds import beast_file, beast_times

if TYPE_CHECKING:
    from pathlib import Path


def test_beast_sample_file(adsb_dir: Path) -> None:
    dec = ModeSDecoder(source_format="beast", source_file="dump1090_beast_sample.bin")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = pl.concat(list(beast_file(adsb_dir / "dump1090_beast_sample.bin", dec, start)))
    assert out.schema == POSITIONS
    c = dec.counters
    assert c.frames == 239
    assert c.crc_failed == 0
    # 24 s of traffic: 4 airborne position squitters, 3 placed (48520a, even/odd
    # pairs then local), 1 still waiting for its pair; 6 DF0/4/5/16/20/21 replies
    # from aircraft never heard in a DF11/17 are dropped as unknown addresses.
    assert (c.positions, c.cpr_pending, c.unknown_address) == (3, 1, 6)
    assert out["icao24"].to_list() == ["48520a"] * 3
    assert out["callsign"].to_list()[-1] == "TRA89M"
    assert out["squawk"].to_list() == ["5516"] * 3
    assert set(out["source_format"].cast(pl.String)) == {"beast"}


def test_beast_times_use_the_mlat_counter() -> None:
    f = [BeastFrame("3", 12_000_000 + k * 6_000_000, 0, b"") for k in range(3)]
    assert beast_times(f, 100.0) == [99.0, 99.5, 100.0]
    zero = [BeastFrame("3", 0, 0, b"")] * 2
    assert beast_times(zero, 5.0) == [5.0, 5.0]
    backwards = [f[2], f[0]]
    assert beast_times(backwards, 5.0) == [5.0, 5.0]
