"""Reference-data fixtures: the shared reference folder imported once per session."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tailwatch.reference.update import import_dir

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="session")
def _session_store(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    # The same folder the autouse fixture points TAILWATCH_DATA_DIR at, filled once.
    target = tmp_path_factory.getbasetemp() / "tailwatch-data"
    old = os.environ.get("TAILWATCH_DATA_DIR")
    os.environ["TAILWATCH_DATA_DIR"] = str(target)
    try:
        import_dir(reference_dir)
    finally:
        if old is None:
            del os.environ["TAILWATCH_DATA_DIR"]
        else:
            os.environ["TAILWATCH_DATA_DIR"] = old
    return target


@pytest.fixture
def store(_session_store: Path) -> Path:
    """The data store, holding a copy of ``../shared/data/reference``."""
    assert os.environ["TAILWATCH_DATA_DIR"] == str(_session_store)
    return _session_store


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data store. (Loaders cache by content digest, so nothing from
    another store leaks in.)"""
    path = tmp_path / "empty-store"
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(path))
    return path
