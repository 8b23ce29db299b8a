"""sources: every position archive users hold, read into the canonical positions table.

::

    read_positions(paths)        any mix of files, directories, tar archives -> ReadResult
    detect_format(path)          which reader a file needs, from its content
    validate_positions(df, ...)  the shared checks, for frames already in canonical columns
    read_opensky / read_traffic / read_readsb_trace / read_aircraft_json
                                 one file of one format -> (positions, quarantine)

Modules: ``sniff`` (format detection), one module per format, ``validate`` (the
checks and the quarantine), ``read`` (the whole run: sort, dedupe, summaries).
"""

from __future__ import annotations

from tailwatch.sources.aircraft_json import read_aircraft_json
from tailwatch.sources.opensky import read_opensky
from tailwatch.sources.read import FileSummary, ReadResult, read_positions
from tailwatch.sources.readsb_trace import read_readsb_trace
from tailwatch.sources.sniff import FORMATS, detect_format
from tailwatch.sources.traffic import read_traffic
from tailwatch.sources.validate import REASONS, validate_positions

__all__ = [
    "FORMATS",
    "REASONS",
    "FileSummary",
    "ReadResult",
    "detect_format",
    "read_aircraft_json",
    "read_opensky",
    "read_positions",
    "read_readsb_trace",
    "read_traffic",
    "validate_positions",
]
