"""Shared fixtures: where the real recordings and reference data live.

Tests read ``../shared/data`` in place (CI has ``shared/`` beside the checkout);
nothing from there is copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TAILWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
ADSB = SHARED_DATA / "adsb"
REFERENCE = SHARED_DATA / "reference"


@pytest.fixture(scope="session")
def adsb_dir() -> Path:
    assert ADSB.is_dir(), f"real recordings not found at {ADSB}"
    return ADSB


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    assert REFERENCE.is_dir(), f"reference data not found at {REFERENCE}"
    return REFERENCE


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never let a test read or write the user's real tailwatch data directory."""
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(tmp_path_factory.getbasetemp() / "tailwatch-data"))
