"""Rows that may repeat another row's (icao24, time), found in one compiled pass.

Exact duplicates share their address and time. In rows sorted by time they can only
sit inside a run of equal times, so each run is searched on its own: an insertion
sort of its (few dozen) address keys tells whether any repeats, and only then are
the repeating rows marked. A shared key makes a row a *candidate*; the caller
compares candidates on every value, so a hash collision costs a comparison, never a
row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tailwatch._numba import compiled

if TYPE_CHECKING:
    from numpy.typing import NDArray


@compiled
def _has_repeat(h: NDArray[np.uint64], start: int, end: int, scratch: NDArray[np.uint64]) -> bool:
    """Whether two of ``h[start:end]`` are equal: an insertion sort into ``scratch``
    (runs are short, a few dozen rows) that stops at the first repeat."""
    for n in range(end - start):
        value = h[start + n]
        i = n
        while i > 0 and scratch[i - 1] > value:
            scratch[i] = scratch[i - 1]
            i -= 1
        if i > 0 and scratch[i - 1] == value:
            return True
        scratch[i] = value
    return False


@compiled
def _mark_run(h: NDArray[np.uint64], start: int, end: int, tied: NDArray[np.bool_]) -> None:
    """Mark the rows of ``h[start:end]`` that share their value: in a sorted order,
    equal values are neighbours."""
    order = np.argsort(h[start:end], kind="mergesort")
    for k in range(1, end - start):
        a, b = start + order[k - 1], start + order[k]
        if h[a] == h[b]:
            tied[a] = True
            tied[b] = True


@compiled
def same_time_ties(t: NDArray[np.int64], h: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Rows whose time (``t``, sorted) and address key (``h``) equal another row's."""
    tied = np.zeros(t.shape[0], dtype=np.bool_)
    scratch = np.empty(16, dtype=np.uint64)
    start = 0
    while start < t.shape[0]:
        end = start + 1
        while end < t.shape[0] and t[end] == t[start]:
            end += 1
        if end - start > 1:
            if end - start > scratch.shape[0]:
                scratch = np.empty(2 * (end - start), dtype=np.uint64)
            if _has_repeat(h, start, end, scratch):
                _mark_run(h, start, end, tied)
        start = end
    return tied


__all__ = ["same_time_ties"]
