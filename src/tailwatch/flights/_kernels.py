"""Compiled per-aircraft scans (numba) for the rules that walk each track in order.

A rule like "the row of the same aircraft ~30 s earlier, unless none within 10 s"
or "how long has this position been repeated" is one pass over rows sorted by
(aircraft, time); as polars expressions it takes as-of joins, gathers, and forward
and backward fills, each a full pass with its own temporary columns. Here each rule
is a single loop, compiled once (``cache=True`` keeps the machine code on disk) and
run without the GIL (``nogil``), so detection's worker threads run them in parallel.

Inputs are plain numpy arrays: ``ac`` the aircraft code (rows of one aircraft are
contiguous), ``t`` time in epoch microseconds (strictly increasing within an
aircraft: cleaning guarantees it), ``lat``/``lon`` in degrees without nulls.
Distances between nearby points are :func:`_near_km`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tailwatch._numba import compiled as _compiled
from tailwatch.flights._geo import EARTH_RADIUS_KM, KM_PER_NM

if TYPE_CHECKING:
    from numpy.typing import NDArray

_RAD = math.pi / 180.0
_KM_PER_DEG = EARTH_RADIUS_KM * _RAD


@_compiled
def _near_km(lat1: float, lon1: float, cos1: float, lat2: float, lon2: float, cos2: float) -> float:
    """Great-circle distance in km between nearby points, from precomputed cos(lat).

    The haversine with sin(x) ~ x and asin(x) ~ x: relative error below 1e-5 up to
    100 km and 1e-3 at 1,000 km, and no trigonometry per pair, for hops between
    consecutive positions and speed checks, where only thresholds of a few km matter.
    Only |dlon| matters; across the antimeridian it is 360 - |dlon|, and
    min(d, 360 - d) = 180 - |d - 180| on [0, 360].
    """
    dlam = 180.0 - abs(abs(lon2 - lon1) - 180.0)
    return _KM_PER_DEG * math.sqrt((lat2 - lat1) ** 2 + cos1 * cos2 * dlam**2)


@_compiled
def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial true bearing (degrees, [0, 360)) from point 1 to point 2."""
    p1, p2 = lat1 * _RAD, lat2 * _RAD
    dlam = (lon2 - lon1) * _RAD
    y = math.sin(dlam) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dlam)
    return (math.atan2(y, x) / _RAD) % 360.0


@_compiled
def _track_end(ac: NDArray[np.uint32], start: int) -> int:
    """The row after the last of the aircraft whose rows begin at ``start``."""
    end = start
    while end < ac.shape[0] and ac[end] == ac[start]:
        end += 1
    return end


@_compiled
def _baseline_rows(
    ac: NDArray[np.uint32], t: NDArray[np.int64], half: int, tol: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per row, the row of the same aircraft at or before ``t - half`` and the one at
    or after ``t + half``, each within ``tol`` of that instant; -1 where none."""
    n = t.shape[0]
    back = np.full(n, -1, dtype=np.int64)
    fwd = np.full(n, -1, dtype=np.int64)
    start = 0
    while start < n:
        end = _track_end(ac, start)
        b = start  # candidate: last row with t <= t[i] - half
        f = start  # candidate: first row with t >= t[i] + half
        for i in range(start, end):
            lo = t[i] - half
            while b + 1 < end and t[b + 1] <= lo:
                b += 1
            if t[b] <= lo and lo - t[b] <= tol:
                back[i] = b
            hi = t[i] + half
            while f < end and t[f] < hi:
                f += 1
            if f < end and t[f] - hi <= tol:
                fwd[i] = f
        start = end
    return back, fwd


#: Two receivers' positions of one parked aircraft lie this close (km) at most.
_ALTERNATE_KM = 0.1


@_compiled
def implied_speed(
    ac: NDArray[np.uint32],
    t: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    half_us: int,
    tol_us: int,
    taxi_kt: float,
    static_s: float,
    held_km: float,
    same_spot_km: float,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(implied speed in kt, NaN where unknown; static flag) per row.

    The speed is the distance between the rows ~``half_us`` before and after (see
    :func:`_baseline_rows`; the adjacent row of the same aircraft where there is none,
    else the row itself) over their time apart. A row is static when both baseline
    rows exist and the speed is below ``taxi_kt``; or its position is held (within
    ``held_km``) against a neighbouring row at least ``static_s`` away; or it lies
    in a chain of repeats of one spot (within ``same_spot_km`` of the row before, or
    the very position of one of the three before that while within
    :data:`_ALTERNATE_KM` of the row before) spanning at least ``static_s``.
    """
    n = t.shape[0]
    back, fwd = _baseline_rows(ac, t, half_us, tol_us)
    cos = np.empty(n)
    for i in range(n):
        cos[i] = math.cos(lat[i] * _RAD)
    implied = np.full(n, np.nan)
    static = np.zeros(n, dtype=np.bool_)
    held = np.zeros(n, dtype=np.bool_)
    spot = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        prev = i > 0 and ac[i - 1] == ac[i]
        nxt = i + 1 < n and ac[i + 1] == ac[i]
        bj = back[i] if back[i] >= 0 else (i - 1 if prev else i)
        fj = fwd[i] if fwd[i] >= 0 else (i + 1 if nxt else i)
        span_h = float(t[fj] - t[bj]) / 3.6e9
        if span_h > 0:
            d = _near_km(lat[bj], lon[bj], cos[bj], lat[fj], lon[fj], cos[fj])
            implied[i] = d / KM_PER_NM / span_h
            static[i] = back[i] >= 0 and fwd[i] >= 0 and implied[i] < taxi_kt
        if prev:
            hop = _near_km(lat[i - 1], lon[i - 1], cos[i - 1], lat[i], lon[i], cos[i])
            held[i] = hop < held_km and float(t[i] - t[i - 1]) / 1e6 >= static_s
            spot[i] = hop < same_spot_km
            # or an exact repeat of one of the few rows before, close by: two receivers
            # (or ADS-B and MLAT) taking turns, each repeating its own slightly
            # different position of a parked aircraft (A A B A A B ...)
            k = i - 2
            while not spot[i] and hop < _ALTERNATE_KM and k >= i - 4 and k >= 0 and ac[k] == ac[i]:
                spot[i] = lat[k] == lat[i] and lon[k] == lon[i]
                k -= 1
    # chains of repeated spots: from a row that is not a repeat to the last repeat after it
    start = 0
    while start < n:
        end = start + 1
        while end < n and spot[end]:
            end += 1
        if float(t[end - 1] - t[start]) / 1e6 >= static_s:
            static[start:end] = True
        start = end
    for i in range(n):
        if held[i]:
            static[i] = True
            static[i - 1] = True
    return implied, static


@_compiled
def position_chunks(
    ac: NDArray[np.uint32],
    t: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    use: NDArray[np.bool_],
    slack_km: float,
    max_kt: float,
) -> NDArray[np.int64]:
    """Chunk number per row (1, 2, ...): among the rows in ``use``, a chunk ends where
    the aircraft changes or the next position is out of reach at ``max_kt`` (beyond
    ``slack_km`` of noise). Rows not in ``use`` are skipped (their number is that
    of the running chunk, and means nothing).

    The hop is timed from when the previous position was *first* reported: feeds
    repeat a position until a new one arrives, and the repeat's time says nothing
    about when the aircraft was there.
    """
    n = t.shape[0]
    chunk = np.empty(n, dtype=np.int64)
    c = 0
    j = -1  # the previous row in use
    moved_t = np.int64(0)  # when row j's position was first reported
    for i in range(n):
        if not use[i]:
            chunk[i] = c
            continue
        if j < 0 or ac[i] != ac[j]:
            c += 1
        else:
            dt_h = max(float(t[i] - moved_t) / 1e6, 1.0) / 3600.0
            # cos(lat) <= 1: the hop with both cosines at 1 bounds it from above, and
            # most hops are well within reach by that bound (no trigonometry needed)
            d = _near_km(lat[j], lon[j], 1.0, lat[i], lon[i], 1.0)
            if (d - slack_km) / KM_PER_NM / dt_h > max_kt:
                cos_j, cos_i = math.cos(lat[j] * _RAD), math.cos(lat[i] * _RAD)
                d = _near_km(lat[j], lon[j], cos_j, lat[i], lon[i], cos_i)
                if (d - slack_km) / KM_PER_NM / dt_h > max_kt:
                    c += 1
        chunk[i] = c
        if j < 0 or lat[i] != lat[j] or lon[i] != lon[j]:
            moved_t = t[i]
        j = i
    return chunk


@_compiled
def altitude_chunks(
    ac: NDArray[np.uint32],
    t: NDArray[np.int64],
    alt: NDArray[np.float32],
    has_alt: NDArray[np.bool_],
    max_fpm: float,
    slack_ft: float,
) -> NDArray[np.int64]:
    """Chunk number per row: a chunk ends where the aircraft changes or the next known
    barometric altitude (rows in ``has_alt``) is out of reach at ``max_fpm`` (beyond
    ``slack_ft``) of the last known one. Other rows stay in the running chunk."""
    n = t.shape[0]
    chunk = np.empty(n, dtype=np.int64)
    c = 0
    last_alt = np.float32(np.nan)
    last_t = np.int64(0)
    seen = False  # a known altitude of this aircraft before this row
    for i in range(n):
        if i == 0 or ac[i] != ac[i - 1]:
            c += 1
            seen = False
        elif has_alt[i] and seen:
            limit = max_fpm / 60.0 * max(float(t[i] - last_t) / 1e6, 1.0) + slack_ft
            # NaN compares as a jump, as polars orders NaN above every number
            if not (abs(alt[i] - last_alt) <= limit):
                c += 1
        chunk[i] = c
        if has_alt[i]:
            last_alt = alt[i]
            last_t = t[i]
            seen = True
    return chunk


@_compiled
def chunk_bounds(
    chunk: NDArray[np.int64], valid: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(first row, last row, number of rows) of each chunk, counting ``valid`` rows only.

    ``chunk`` is from :func:`position_chunks` / :func:`altitude_chunks`: along the
    valid rows it never decreases, so a chunk is a stretch of equal numbers.
    """
    n = chunk.shape[0]
    m = 0
    prev = np.int64(-1)
    for i in range(n):
        if valid[i] and (m == 0 or chunk[i] != prev):
            m += 1
            prev = chunk[i]
    first = np.empty(m, dtype=np.int64)
    last = np.empty(m, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    r = -1
    for i in range(n):
        if not valid[i]:
            continue
        if r < 0 or chunk[i] != prev:
            r += 1
            first[r] = i
            prev = chunk[i]
        last[r] = i
        count[r] += 1
    return first, last, count


#: Cell code of rows without a cell (:func:`cell_runs`).
NO_CELL = np.iinfo(np.int64).min


@_compiled
def cell_runs(
    lat: NDArray[np.float64], lon: NDArray[np.float64], use: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(cell code per run, run number per row) of ~1 km cells.

    A cell is (lat, lon) rounded to 0.01 degree (half to even), coded
    ``lat_c * 40_000 + lon_c`` in hundredths of a degree; rows not in ``use`` have
    no cell (:data:`NO_CELL`). A run is a stretch of consecutive rows in one cell:
    an aircraft's rows are consecutive, so each run is looked up once.
    """
    n = lat.shape[0]
    run = np.empty(n, dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    r = -1
    prev = np.int64(NO_CELL)
    for i in range(n):
        code = np.int64(NO_CELL)
        if use[i]:
            code = np.int64(np.rint(lat[i] * 100)) * 40_000 + np.int64(np.rint(lon[i] * 100))
        if i == 0 or code != prev:
            r += 1
            codes[r] = code
            prev = code
        run[i] = r
    return codes[: r + 1].copy(), run


@_compiled
def fill_states(ac: NDArray[np.uint32], state: NDArray[np.int8]) -> NDArray[np.bool_]:
    """Ground (True) or air per row from ``state`` (1 ground, 0 air, -1 unknown): an
    unknown row takes the previous known state of its aircraft, else the next one,
    else air."""
    n = state.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    start = 0
    while start < n:
        end = _track_end(ac, start)
        last = np.int8(-1)
        first_known = end  # the aircraft's first known row
        for i in range(start, end):
            if state[i] >= 0:
                last = state[i]
                if first_known == end:
                    first_known = i
            out[i] = last == 1
        if first_known < end:  # rows before it take its state
            out[start:first_known] = state[first_known] == 1
        start = end
    return out


@_compiled
def run_ids(
    ac: NDArray[np.uint32], ground: NDArray[np.bool_], cut: NDArray[np.bool_] | None = None
) -> NDArray[np.uint32]:
    """Run number per row (1, 2, ...): a run is a stretch of one aircraft in one state,
    also cut before each row in ``cut``."""
    n = ac.shape[0]
    out = np.empty(n, dtype=np.uint32)
    r = 0
    for i in range(n):
        new = i == 0 or ac[i] != ac[i - 1] or ground[i] != ground[i - 1]
        if new or (cut is not None and cut[i]):
            r += 1
        out[i] = r
    return out


#: At most this many rows are searched each way for a course baseline: a parked
#: aircraft reporting every second has hundreds in the time window. (At one report a
#: second, a taxi slower than ~18 kt gets no course; no rule needs one there.)
_COURSE_SCAN_ROWS = 32


@_compiled
def _baseline_row(
    ac: NDArray[np.uint32],
    t: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    i: int,
    start: int,
    step: int,
    min_km: float,
    max_us: int,
) -> tuple[int, int]:
    """(the first row from ``start`` on, stepping ``step`` (-1 or +1), at least ``min_km``
    from row ``i``, or -1; the last row looked at). Only rows of ``i``'s aircraft within
    :data:`_COURSE_SCAN_ROWS` rows and ``max_us`` of it count. Rows a baseline apart are
    close: row ``i``'s cos(latitude) serves both ends."""
    cos_i = math.cos(lat[i] * _RAD)
    m = start
    while (
        0 <= m < t.shape[0]
        and abs(m - i) <= _COURSE_SCAN_ROWS
        and ac[m] == ac[i]
        and abs(t[m] - t[i]) <= max_us
    ):
        if _near_km(lat[m], lon[m], cos_i, lat[i], lon[i], cos_i) >= min_km:
            return m, m
        m += step
    return -1, m - step


@_compiled
def course_from_positions(
    ac: NDArray[np.uint32],
    t: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    rows: NDArray[np.int64],
    min_km: float,
    max_us: int,
) -> NDArray[np.float64]:
    """Course over ground (degrees) of each row in ``rows`` (ascending), from positions.

    The bearing from the latest earlier row of the same aircraft at least ``min_km``
    away and at most ``max_us`` earlier; on a row without one (an aircraft's first
    rows), towards the earliest such later row; NaN when neither exists (standing
    still, or too slow to tell). Consecutive rows are too close for a bearing: 50 m of
    position noise on a 1 s hop at take-off speed turns it by 25-90 degrees, and a
    repeated position has no bearing at all.
    """
    out = np.full(rows.shape[0], np.nan)
    # What the previous row in ``rows`` found: its row, the baseline row before and
    # after it (-1: none), and the last row looked at forward
    prev, prev_back, prev_fwd, prev_seen = -2, -1, -1, -1
    for r in range(rows.shape[0]):
        i = rows[r]
        # A repeat of the previous row's spot (a parked or frozen aircraft, often for
        # hours) has the same baselines while they stay in reach: no rescan.
        same = (
            prev == i - 1 and ac[i - 1] == ac[i] and lat[i - 1] == lat[i] and lon[i - 1] == lon[i]
        )
        j = -1
        if not same:
            j, _ = _baseline_row(ac, t, lat, lon, i, i - 1, -1, min_km, max_us)
        elif (
            prev_back >= 0 and i - prev_back <= _COURSE_SCAN_ROWS and t[i] - t[prev_back] <= max_us
        ):
            j = prev_back
        k, seen = -1, i
        if j < 0 and same and prev_fwd >= 0:
            k = prev_fwd
        elif j < 0:
            # rows up to the previous row's last look found nothing from this same spot
            start = max(i + 1, prev_seen + 1) if same else i + 1
            k, seen = _baseline_row(ac, t, lat, lon, i, start, 1, min_km, max_us)
        if j >= 0:
            out[r] = _bearing(lat[j], lon[j], lat[i], lon[i])
        elif k >= 0:
            out[r] = _bearing(lat[i], lon[i], lat[k], lon[k])
        prev, prev_back, prev_fwd, prev_seen = i, j, k, seen
    return out
