"""The duplicate-candidate scan over runs of equal times, on cases worked by hand."""

from __future__ import annotations

import numpy as np

from tailwatch.sources._ties import same_time_ties


def _ties(t: list[int], h: list[int]) -> list[int]:
    tied = same_time_ties(np.array(t, dtype=np.int64), np.array(h, dtype=np.uint64))
    return np.flatnonzero(tied).tolist()


def test_no_rows() -> None:
    assert _ties([], []) == []


def test_same_address_at_different_times_is_no_tie() -> None:
    assert _ties([1, 2, 3, 4], [7, 7, 7, 7]) == []


def test_distinct_addresses_in_one_time_are_no_tie() -> None:
    assert _ties([5, 5, 5, 6], [3, 1, 2, 3]) == []


def test_repeat_inside_a_run_marks_both_rows_only() -> None:
    # times 10: keys 4, 9, 4 -> rows 0 and 2; time 11: 9 alone; time 12: 1, 1 -> 4, 5
    assert _ties([10, 10, 10, 11, 12, 12], [4, 9, 4, 9, 1, 1]) == [0, 2, 4, 5]


def test_three_copies_are_all_marked() -> None:
    assert _ties([0, 0, 0, 0], [8, 8, 2, 8]) == [0, 1, 3]


def test_long_run_grows_the_scratch_and_finds_the_far_pair() -> None:
    # 40 rows of one time (more than the 16-slot scratch), keys 0..39 reversed, with
    # the first row's key repeated by the last row
    keys = list(range(39, -1, -1))
    keys[-1] = keys[0]
    assert _ties([3] * 40, keys) == [0, 39]
    # and a long run after it with no repeat stays unmarked
    assert _ties([3] * 40 + [4] * 30, keys + list(range(30))) == [0, 39]


def test_largest_keys_compare_exactly() -> None:
    top = 2**64 - 1
    assert _ties([1, 1, 1], [top, top - 1, top]) == [0, 2]
