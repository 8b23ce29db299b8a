"""`tailwatch read -o` output reads back: tailwatch's own positions schema is a format."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.data_paths import ADSB

from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_own_positions_read_back_unchanged(tmp_path: Path, suffix: str) -> None:
    first = read_positions([ADSB / "savan_39b415_2022-03.json.gz"]).positions
    out = tmp_path / f"savan{suffix}"
    if suffix == ".parquet":
        first.write_parquet(out)
    else:
        first.with_columns(pl.col("source_format").cast(pl.String)).write_csv(out)
    again = read_positions([out])
    assert again.errors == []
    assert again.quarantine.height == 0
    assert again.positions.height == first.height == 193_308
    # everything but the reader's name; source_file still names the original file
    assert_frame_equal(again.positions.drop("source_format"), first.drop("source_format"))
    assert again.positions["source_file"].unique().to_list() == [
        str(ADSB / "savan_39b415_2022-03.json.gz")
    ]
