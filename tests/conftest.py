"""Shared fixtures: where the real recordings and reference data live.

Tests read ``../shared/data`` in place (CI has ``shared/`` beside the checkout);
nothing from there is copied into the repository.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from tests.data_paths import ADSB, REFERENCE, SHARED_DATA

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def pytest_sessionstart(session: pytest.Session) -> None:
    """One clear message, not hundreds of failures, when the data is not there."""
    if not ADSB.is_dir() or not REFERENCE.is_dir():
        pytest.exit(
            f"the shared recordings and reference data are not at {SHARED_DATA}: clone the "
            "project beside shared/ (as CI does) or set TAILWATCH_SHARED_DATA to that "
            "data folder",
            returncode=4,
        )


@pytest.fixture(scope="session")
def adsb_dir() -> Path:
    assert ADSB.is_dir(), f"real recordings not found at {ADSB}"
    return ADSB


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    assert REFERENCE.is_dir(), f"reference data not found at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for module- and session-scoped fixtures (the demo's simulated run),
    which are set up before any function-scoped fixture: without this they read the
    developer's own store (a registry imported there renames the demo's aircraft)."""
    old = os.environ.get("TAILWATCH_DATA_DIR")
    os.environ["TAILWATCH_DATA_DIR"] = str(tmp_path_factory.getbasetemp() / "tailwatch-data")
    yield
    if old is None:
        del os.environ["TAILWATCH_DATA_DIR"]
    else:
        os.environ["TAILWATCH_DATA_DIR"] = old


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never let a test read or write the user's real tailwatch data directory."""
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(tmp_path_factory.getbasetemp() / "tailwatch-data"))
