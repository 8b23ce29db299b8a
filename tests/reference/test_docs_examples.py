"""The watchlist examples in docs/reference.md load and mean what the text says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tailwatch.reference.watchlists import Watchlists

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference.md"


@pytest.mark.parametrize("lang", ["yaml", "toml"])
def test_doc_example(lang: str, tmp_path: Path, store: Path) -> None:
    block = re.search(rf"```{lang}\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert block is not None
    path = tmp_path / f"example.{lang}"
    path.write_text(block.group(1))
    wl = Watchlists.load([path], plane_alert=False)
    assert wl.lists == ["libya-desk"]
    assert wl.entries["icao24"].to_list() == ["018019", "018019"]
    handover = datetime(2021, 3, 15, tzinfo=UTC)
    valid = wl.entries_for("018019", handover).filter("valid")
    assert valid["label"].to_list() == ["Government of National Unity"]
    assert wl.conflicts().height == 0
