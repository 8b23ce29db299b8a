"""tailwatch: raw ADS-B positions in, evidenced facts about watched aircraft out.

The package reads like the pipeline::

    sources -> positions -> flights -> events (take-off/landing) -> stays -> trips/visits
            -> live alerts, reports

Nothing happens at import: reference data loads lazily, the network is touched only
by ``tailwatch data update``.
"""

from __future__ import annotations

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.errors import InputError, TailwatchError, UnreadableFileError

__version__ = "0.1.0"

__all__ = [
    "POSITIONS",
    "QUARANTINE",
    "InputError",
    "TailwatchError",
    "UnreadableFileError",
    "__version__",
]
