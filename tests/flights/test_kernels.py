"""The compiled per-aircraft scans on hand-made tracks whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tailwatch.flights._geo import EARTH_RADIUS_KM, KM_PER_NM
from tailwatch.flights._kernels import (
    NO_CELL,
    _baseline_rows,
    altitude_chunks,
    cell_runs,
    chunk_bounds,
    course_from_positions,
    fill_states,
    implied_speed,
    position_chunks,
    run_ids,
)

S = 1_000_000  # microseconds per second


def _us(seconds: list[float]) -> np.ndarray:
    return (np.array(seconds) * S).astype(np.int64)


def _ac(*counts: int) -> np.ndarray:
    return np.repeat(np.arange(1, len(counts) + 1), counts).astype(np.uint32)


def test_baseline_rows_stay_within_the_aircraft_and_the_tolerance() -> None:
    # aircraft 1 every 10 s from 0 to 50 s; aircraft 2 at 100 and 200 s
    t = _us([0, 10, 20, 30, 40, 50, 100, 200])
    back, fwd = _baseline_rows(_ac(6, 2), t, 20 * S, 5 * S)
    # row at 40 s: back to t <= 20 s (row 2), forward to t >= 60 s: none
    assert back.tolist() == [-1, -1, 0, 1, 2, 3, -1, -1]
    assert fwd.tolist() == [2, 3, 4, 5, -1, -1, -1, -1]
    # aircraft 2's rows are 80 s beyond each other's 20 s baseline: none above with a
    # 5 s tolerance, each other with 80 s
    back, fwd = _baseline_rows(_ac(6, 2), t, 20 * S, 80 * S)
    assert fwd[6] == 7
    assert back[7] == 6
    assert back[6] == -1  # never aircraft 1's rows


def test_implied_speed_of_a_steady_track_and_a_parked_aircraft() -> None:
    # aircraft 1 flies north along the equator meridian: 0.01 deg every 10 s
    n = 7
    lat1 = np.arange(n) * 0.01
    # aircraft 2 reports one spot 4 times over 30 s
    lat = np.concatenate([lat1, np.full(4, 10.0)])
    lon = np.zeros(n + 4)
    t = _us([*(10.0 * i for i in range(n)), 0, 10, 20, 30])
    implied, static = implied_speed(_ac(n, 4), t, lat, lon, 20 * S, 10 * S, 50.0, 20.0, 0.05, 0.005)
    km_per_10s = EARTH_RADIUS_KM * math.radians(0.01)
    kt = km_per_10s / KM_PER_NM * 360  # 10 s -> 1 h
    assert kt == pytest.approx(216.1, abs=0.1)
    assert implied[:n] == pytest.approx([kt] * n)  # ends fall back to the adjacent row
    assert not static[:n].any()
    assert implied[n:] == pytest.approx([0.0] * 4)
    assert static[n:].all()


def test_a_single_repeat_of_a_spot_is_not_static_until_it_spans_static_air_s() -> None:
    # two reports of one spot 5 s apart, then the aircraft moves on fast
    lat = np.array([0.0, 0.0, 0.05, 0.10])
    t = _us([0, 5, 15, 25])
    _, static = implied_speed(_ac(4), t, lat, np.zeros(4), 20 * S, 1 * S, 50.0, 20.0, 0.05, 0.005)
    assert not static.any()
    # the same spot again 25 s later: held against its neighbour
    t = _us([0, 25, 35, 45])
    _, static = implied_speed(_ac(4), t, lat, np.zeros(4), 20 * S, 1 * S, 50.0, 20.0, 0.05, 0.005)
    assert static.tolist() == [True, True, False, False]


def test_two_receivers_taking_turns_on_a_parked_aircraft_are_one_spot() -> None:
    # A parked aircraft at the end of the data, reported by two receivers whose
    # positions differ by 60 m: A A B A A B ... every 2 s for 30 s. With a 20 s speed
    # baseline and no row 20 s later, only the repeated-spot chain can call the last
    # rows static; row to row the chain breaks at every A-B hop (60 m > 5 m).
    b = 0.06 / (EARTH_RADIUS_KM * math.pi / 180.0)
    lat = np.array([b if i % 3 == 2 else 0.0 for i in range(16)])
    t = _us([2.0 * i for i in range(16)])
    _, static = implied_speed(_ac(16), t, lat, np.zeros(16), 20 * S, 1 * S, 50.0, 20.0, 0.05, 0.005)
    # the chain starts at the first B (row 2): A A before it span only 2 s
    assert static.tolist() == [False, False] + [True] * 14
    # a moving aircraft never repeats its own position: nothing static
    moving = np.arange(16) * 0.002
    _, static = implied_speed(
        _ac(16), t, moving, np.zeros(16), 20 * S, 1 * S, 50.0, 20.0, 0.05, 0.005
    )
    assert not static.any()


def test_position_chunks_cut_at_a_spike_and_at_each_new_aircraft() -> None:
    # 0.01 deg (1.1 km) per 10 s is ~216 kt; row 2 is 1 deg (111 km) off
    lat = np.array([0.00, 0.01, 1.02, 0.03, 0.04, 0.0, 0.01])
    t = _us([0, 10, 20, 30, 40, 0, 10])
    chunk = position_chunks(_ac(5, 2), t, lat, np.zeros(7), np.ones(7, bool), 0.5, 800.0)
    assert chunk.tolist() == [1, 1, 2, 3, 3, 4, 4]


def test_position_chunks_skip_rows_out_of_play() -> None:
    # the same spike, already set aside: the track is one chunk
    lat = np.array([0.00, 0.01, 1.02, 0.03, 0.04])
    use = np.array([True, True, False, True, True])
    chunk = position_chunks(_ac(5), _us([0, 10, 20, 30, 40]), lat, np.zeros(5), use, 0.5, 800.0)
    assert chunk[use].tolist() == [1, 1, 1, 1]


def test_position_hops_are_timed_from_the_first_report_of_a_repeated_position() -> None:
    # the feed repeats the position first reported at 10 s until 300 s; the hop of
    # 20 km that follows took 290 s (~134 kt, fine), not 10 s (~3,900 kt)
    lat = np.array([0.0, 0.01, 0.01, 0.01, 0.19])
    t = _us([0, 10, 200, 300, 310])
    chunk = position_chunks(_ac(5), t, lat, np.zeros(5), np.ones(5, bool), 0.5, 800.0)
    assert chunk.tolist() == [1, 1, 1, 1, 1]
    lat = np.array([0.0, 0.01, 0.0101, 0.0102, 0.19])  # moving: timed from the last
    chunk = position_chunks(_ac(5), t, lat, np.zeros(5), np.ones(5, bool), 0.5, 800.0)
    assert chunk.tolist() == [1, 1, 1, 1, 2]


def test_altitude_chunks_skip_unknown_altitudes_and_time_from_the_last_known_one() -> None:
    nan = np.nan
    # 1,000 ft then unknown for 60 s then 6,000 ft: 5,000 ft in 60 s is 5,000 fpm (ok
    # at 6,000 fpm); then 20,000 ft 1 s later is a jump, and 6,100 ft after it too
    alt = np.array([1000, nan, nan, 6000, 20000, 6100], dtype=np.float32)
    t = _us([0, 20, 40, 60, 61, 62])
    chunk = altitude_chunks(_ac(6), t, alt, ~np.isnan(alt), 6000.0, 300.0)
    assert chunk.tolist() == [1, 1, 1, 1, 2, 3]
    # a new aircraft starts a chunk whatever its altitude
    chunk = altitude_chunks(_ac(3, 1), t[:4], alt[[0, 3, 3, 0]], np.ones(4, bool), 6000.0, 300.0)
    assert chunk.tolist() == [1, 2, 2, 3]


def test_cell_runs_number_runs_of_consecutive_rows_in_one_cell() -> None:
    # 48.8449 and 48.8451 round to 4884 and 4885 hundredths, 2.3549 to 235; a row out
    # of use has no cell and starts a run of its own
    lat = np.array([48.8449, 48.8449, 48.8451, 48.8451, 48.8451, 48.8449])
    lon = np.full(6, 2.3549)
    use = np.array([True, True, True, False, True, True])
    codes, run = cell_runs(lat, lon, use)
    assert run.tolist() == [0, 0, 1, 2, 3, 4]
    assert codes.tolist() == [
        4884 * 40_000 + 235,
        4885 * 40_000 + 235,
        NO_CELL,
        4885 * 40_000 + 235,
        4884 * 40_000 + 235,
    ]


def test_cells_round_half_to_even_like_polars() -> None:
    codes, _ = cell_runs(np.array([0.125, 0.135]), np.array([0.0, 0.0]), np.ones(2, bool))
    # 12.5 -> 12 and 13.5 -> 14: to the even neighbour, as polars rounds
    assert codes.tolist() == [12 * 40_000, 14 * 40_000]


def test_unknown_states_take_the_previous_known_one_of_the_aircraft_else_the_next() -> None:
    # aircraft 1: ?, ground, ?, air, ?   aircraft 2: ?, ?, air   aircraft 3: ? only
    state = np.array([-1, 1, -1, 0, -1, -1, -1, 0, -1], dtype=np.int8)
    ground = fill_states(_ac(5, 3, 1), state)
    assert ground.tolist() == [True, True, True, False, False, False, False, False, False]
    # aircraft 2's unknown rows are not filled from aircraft 1's ground
    state = np.array([1, -1, 0], dtype=np.int8)
    assert fill_states(_ac(1, 2), state).tolist() == [True, False, False]


def test_runs_break_at_each_new_aircraft_and_state() -> None:
    # aircraft 1 on the ground; 2 in the air; 3 in the air, then on the ground
    ground = np.array([True, True, False, False, False, True])
    assert run_ids(_ac(2, 2, 2), ground).tolist() == [1, 1, 2, 2, 3, 4]


_M_PER_DEG = EARTH_RADIUS_KM * 1000.0 * math.pi / 180.0


def _course(
    lat: list[float], lon: list[float], t_s: list[float], ac: np.ndarray | None = None
) -> list[float]:
    n = len(lat)
    out = course_from_positions(
        _ac(n) if ac is None else ac,
        _us(t_s),
        np.array(lat),
        np.array(lon),
        np.arange(n, dtype=np.int64),
        0.3,
        120 * S,
    )
    return [round(float(c), 1) if not math.isnan(c) else math.nan for c in out]


def test_course_from_positions_uses_a_baseline_of_300_m() -> None:
    # Eastbound on the equator, 100 m a second, every other position 40 m north: the
    # hop-by-hop bearings swing between 68 and 112 degrees. 300 m back is three rows
    # back (the first three rows look forward instead): 90 degrees give or take the
    # 40 m over 300 m (7.6 degrees).
    lon = [i * 100.0 / _M_PER_DEG for i in range(8)]
    lat = [(40.0 if i % 2 else 0.0) / _M_PER_DEG for i in range(8)]
    course = _course(lat, lon, [float(i) for i in range(8)])
    assert all(abs(c - 90.0) <= 7.7 for c in course), course
    # row 4 from row 1: 300 m east and 40 m south
    assert course[4] == round(90.0 + math.degrees(math.atan2(40.0, 300.0)), 1)


def test_course_from_positions_is_unknown_when_standing_or_past_the_window() -> None:
    # a parked aircraft (the same spot, then 20 m away): no bearing, not "north"
    assert all(
        math.isnan(c) for c in _course([0.0, 0.0, 0.0], [0.0, 0.0, 20 / _M_PER_DEG], [0, 1, 2])
    )
    # 1 km apart but 121 s: beyond the 120 s window
    far = _course([0.0, 0.0], [0.0, 1000 / _M_PER_DEG], [0.0, 121.0])
    assert all(math.isnan(c) for c in far)
    # 1 km north within the window: due north from either end
    assert _course([0.0, 1000 / _M_PER_DEG], [0.0, 0.0], [0.0, 60.0]) == [0.0, 0.0]
    # another aircraft's rows are never a baseline
    assert all(math.isnan(c) for c in _course([0.0, 0.01], [0.0, 0.0], [0.0, 1.0], _ac(1, 1)))


def test_chunk_bounds_count_valid_rows_only() -> None:
    # chunks 1 1 2 2 2 3 over 7 rows, rows 1 and 4 not valid (their numbers mean
    # nothing), the last row invalid too
    chunk = np.array([1, 1, 2, 2, 2, 3, 3], dtype=np.int64)
    valid = np.array([True, False, True, True, False, True, False])
    first, last, count = chunk_bounds(chunk, valid)
    assert first.tolist() == [0, 2, 5]
    assert last.tolist() == [0, 3, 5]
    assert count.tolist() == [1, 2, 1]
    empty = chunk_bounds(chunk, np.zeros(7, dtype=np.bool_))
    assert [a.size for a in empty] == [0, 0, 0]
