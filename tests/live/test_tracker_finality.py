"""When the live tracker calls an event final: hand-built cases timed by hand.

A landing lost in the air is final ``stop_gap_s`` after the aircraft's last position
when it was lined up with a runway (``inferred``), ``endurance_s`` after it when no
airport is claimed (``none``): see the tracker's module docstring.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
from tests.flights.make_traj import T0, approach, cruise, frame, runway

from tailwatch.flights.params import DetectionParams
from tailwatch.live.tracker import LiveTracker

P = DetectionParams()


def _landings_by(tr: LiveTracker, at: timedelta, t_last: datetime) -> pl.DataFrame:
    """The landings the tracker calls final when the stream clock reaches t_last + at."""
    return tr.advance(t_last + at).events.filter(pl.col("kind") == "landing")


def test_inferred_landing_timed_after_the_last_position_is_final_after_stop_gap() -> None:
    # Lost at ~800 ft on LFPB 27's final: the landing is extrapolated to the
    # threshold, i.e. *after* the last position. It is final stop_gap_s after that
    # position (plus the look-ahead H of the event time), not after the 18 h
    # endurance: a newsroom alert 18 h late is no alert.
    rw = runway("LFPB", "27")
    pts = approach(rw, T0 + timedelta(minutes=30), stop_at_ft=800)
    positions = frame(pts)
    t_last = positions["time"].max()
    assert isinstance(t_last, datetime)
    tr = LiveTracker()
    assert tr.update(positions).events.height == 0
    wait = timedelta(seconds=P.stop_gap_s + tr.horizon_s + 120)
    landings = _landings_by(tr, wait, t_last)
    assert landings.select("airport", "confidence").rows() == [("LFPB", "inferred")]
    assert landings["time"][0] > t_last


def test_landing_lost_at_altitude_waits_for_the_endurance() -> None:
    # Lost in cruise at 35,000 ft: no airport. The aircraft may reappear anywhere
    # within endurance_s and the flight would go on, so the end is not final before.
    pts = cruise(48.5, 2.0, 90.0, T0, minutes=20, alt=35000.0)
    positions = frame(pts)
    t_last = positions["time"].max()
    assert isinstance(t_last, datetime)
    tr = LiveTracker()
    tr.update(positions)
    early = _landings_by(tr, timedelta(seconds=P.stop_gap_s + tr.horizon_s + 120), t_last)
    assert early.height == 0
    late = _landings_by(tr, timedelta(seconds=P.endurance_s + 60), t_last)
    assert late.select("airport", "confidence").rows() == [(None, "none")]
