"""The reference package's public surface, and that importing it does nothing."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import tailwatch.reference as ref

if TYPE_CHECKING:
    from pathlib import Path


def test_public_names() -> None:
    assert ref.__all__ == [
        "AircraftIdentity",
        "Watchlists",
        "country_at",
        "dataset_path",
        "registration_country",
        "whois",
    ]
    for name in ref.__all__:
        assert callable(getattr(ref, name))


def test_import_touches_nothing(tmp_path: Path) -> None:
    data = tmp_path / "never-created"
    code = (
        "import sys, tailwatch.reference, tailwatch.cli.whois, tailwatch.cli.data\n"
        "loaded = [m for m in sys.modules if m.startswith('tailwatch.reference.')]\n"
        "assert not any(m.endswith(('registry', 'borders')) for m in loaded), loaded\n"
    )
    env = {"TAILWATCH_DATA_DIR": str(data), "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not data.exists()
