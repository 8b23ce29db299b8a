"""The simulated demo analysis, shared by the alert tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def demo_analysis() -> Any:
    """The simulated seed story, analysed by the batch pipeline."""
    from tailwatch.cli.demo import demo_watchlists
    from tailwatch.demo.simulate import simulate
    from tailwatch.sources.validate import validate_positions
    from tailwatch.stays.pipeline import analyse

    positions, _ = validate_positions(simulate().positions, "SIMULATED", "simulated")
    return analyse(positions, watchlists=demo_watchlists())
