"""live stage: receiver feeds in, decoded positions out.

::

    beast.py               Beast binary framing (port 30005, capture files)
    sbs.py                 SBS-1 / BaseStation text (port 30003)
    frames.py              raw frames as JSON lines / hex lines, paced replay
    aircraft_json_feed.py  readsb / dump1090 aircraft.json polling (injected httpx client)
    decode.py              Mode S / ADS-B -> POSITIONS, per-aircraft CPR state (pyModeS)
    connect.py             TCP with reconnect and capped, jittered exponential back-off
    status.py              a feed's state in one line
    feeds.py               the glue: bytes or lines in, POSITIONS batches out

pyModeS (the ``live`` extra) is imported only when a :class:`ModeSDecoder` is built.
"""

from __future__ import annotations

from tailwatch.live.aircraft_json_feed import AircraftJsonPoller
from tailwatch.live.beast import BeastFrame, BeastParser
from tailwatch.live.connect import Backoff, tcp_chunks
from tailwatch.live.decode import DecodeCounters, DecoderSettings, ModeSDecoder
from tailwatch.live.feeds import (
    beast_file,
    beast_tcp,
    frames_file,
    frames_replay,
    sbs_tcp,
)
from tailwatch.live.frames import FrameBatch, parse_line, read_batches, replay
from tailwatch.live.sbs import SbsDecoder
from tailwatch.live.status import FeedStatus

__all__ = [
    "AircraftJsonPoller",
    "Backoff",
    "BeastFrame",
    "BeastParser",
    "DecodeCounters",
    "DecoderSettings",
    "FeedStatus",
    "FrameBatch",
    "ModeSDecoder",
    "SbsDecoder",
    "beast_file",
    "beast_tcp",
    "frames_file",
    "frames_replay",
    "parse_line",
    "read_batches",
    "replay",
    "sbs_tcp",
    "tcp_chunks",
]
