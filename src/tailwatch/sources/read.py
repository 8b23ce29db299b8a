"""Read any mix of position files into one canonical, time-ordered, deduplicated table.

For each path the user names (a file, a directory, a tar archive) every data file is
sniffed and staged by its reader; the staged frames of one path and format are
checked together (:mod:`tailwatch.sources.validate`), then all good rows are put in
time order (rows already grouped by aircraft, each in time order, stay so) and exact
duplicates are dropped (the first one read is kept).
A file that cannot be read becomes an :class:`UnreadableFileError` in
``ReadResult.errors``; the other files are still read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.errors import UnknownFormatError, UnreadableFileError
from tailwatch.sources import aircraft_json, opensky, readsb_trace, traffic
from tailwatch.sources._blob import Blob, expand
from tailwatch.sources._ties import same_time_ties
from tailwatch.sources.order import grouped
from tailwatch.sources.order import keys as order_keys
from tailwatch.sources.sniff import FORMATS, Format, Layout, sniff
from tailwatch.sources.validate import (
    Checked,
    check,
    empty_positions,
    empty_quarantine,
)

if TYPE_CHECKING:
    from pathlib import Path

Stager = Callable[[Blob, Layout], pl.LazyFrame | pl.DataFrame]
Checker = Callable[[pl.LazyFrame | pl.DataFrame, str], Checked]

_STAGERS: Final[dict[str, Stager]] = {
    "opensky": opensky.stage,
    "traffic": traffic.stage,
    "readsb_trace": readsb_trace.stage,
    "aircraft_json": aircraft_json.stage,
}
_CHECKERS: Final[dict[str, Checker]] = {
    "opensky": opensky.check_opensky,
    "traffic": lambda staged, name: check(staged, name, "traffic"),
    "readsb_trace": lambda staged, name: check(staged, name, "readsb_trace", epoch_only=True),
    "aircraft_json": lambda staged, name: check(staged, name, "aircraft_json", epoch_only=True),
}
#: Slower stagers that read every field as text, for files the fast one cannot parse.
_ROBUST: Final[dict[str, Stager]] = {"opensky": opensky.stage_text}
_DATA_COLS: Final = [c for c in POSITIONS if c not in ("source_format", "source_file")]
_FILE_IDX: Final = "_file_idx"
#: What reading one file may raise without stopping the others. A polars panic (a
#: BaseException, not a PolarsError) on some value nobody foresaw is one of them.
_FAILURES: Final = (
    pl.exceptions.PolarsError,
    pl.exceptions.PanicException,
    ValueError,
    OverflowError,
)


@dataclass
class FileSummary:
    """What happened to one path the user named (and one format in it).

    ``rows_read = rows_kept + sum(quarantined.values()) + duplicates + no_position``.
    """

    path: str
    format: str
    rows_read: int = 0
    rows_kept: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    no_position: int = 0
    files: int = 0
    error: str | None = None


@dataclass
class ReadResult:
    positions: pl.DataFrame
    quarantine: pl.DataFrame
    files: list[FileSummary]
    errors: list[UnreadableFileError]


@dataclass
class _Group:
    summary: FileSummary
    staged: list[tuple[Blob, Layout, pl.LazyFrame | pl.DataFrame]] = field(default_factory=list)


ProgressHook = Callable[[str], None]


def _progress(enabled: bool, total: int) -> AbstractContextManager[ProgressHook]:
    if not enabled:
        return nullcontext(lambda _name: None)
    from tailwatch.sources._progress import progress_bar

    return progress_bar(total)


def _stage_one(blob: Blob, forced: str | None) -> tuple[str, Layout, pl.LazyFrame | pl.DataFrame]:
    sniffed = sniff(blob) if forced is None else None
    fmt: str = forced if forced is not None else sniffed.format if sniffed else ""
    if sniffed is None:
        # A forced format still needs the layout (csv/json/parquet) from content.
        try:
            layout = sniff(blob).layout
        except UnknownFormatError:
            layout = "json" if fmt in ("readsb_trace", "aircraft_json") else "csv"
    else:
        layout = sniffed.layout
    staged = _STAGERS[fmt](blob, layout)
    if isinstance(staged, pl.LazyFrame):
        # Fail here, naming the file, if the content does not fit the reader.
        staged.collect_schema()
    return fmt, layout, staged


def _iter_blobs(paths: Sequence[str | Path]) -> Iterator[tuple[str, Blob | UnreadableFileError]]:
    for p in paths:
        for item in expand(p):
            yield str(p), item


def read_positions(
    paths: Sequence[str | Path], format: str | None = None, progress: bool = False
) -> ReadResult:
    """Read files, directories and archives into one positions table.

    ``format`` forces a reader (one of :data:`FORMATS`) instead of sniffing content.
    Never raises for bad input: unreadable files are in ``errors`` and their
    summaries; bad rows are in ``quarantine``.
    """
    if format is not None and format not in FORMATS:
        msg = f"unknown format {format!r}; expected one of {', '.join(FORMATS)}"
        raise ValueError(msg)
    groups: dict[tuple[str, str], _Group] = {}
    errors: list[UnreadableFileError] = []
    error_summaries: list[FileSummary] = []
    items = list(_iter_blobs(paths))
    with _progress(progress, len(items)) as advance:
        for user_path, item in items:
            advance(item.path if isinstance(item, UnreadableFileError) else item.name)
            if isinstance(item, UnreadableFileError):
                errors.append(item)
                error_summaries.append(
                    FileSummary(path=user_path, format=format or "?", error=str(item))
                )
                continue
            try:
                fmt, layout, staged = _stage_one(item, format)
            except UnreadableFileError as exc:
                errors.append(exc)
                error_summaries.append(
                    FileSummary(path=user_path, format=format or "?", error=str(exc))
                )
                continue
            except _FAILURES as exc:
                err = UnreadableFileError(
                    item.name, f"cannot be read as {format or 'detected format'} ({str(exc)[:150]})"
                )
                errors.append(err)
                error_summaries.append(
                    FileSummary(path=user_path, format=format or "?", error=str(err))
                )
                continue
            group = groups.setdefault(
                (user_path, fmt), _Group(FileSummary(path=user_path, format=fmt))
            )
            group.summary.files += 1
            group.staged.append((item, layout, staged))
    return _finish(groups, errors, error_summaries)


def _check_group(group: _Group) -> Checked | UnreadableFileError:
    fmt = group.summary.format
    try:
        try:
            return _check_staged(group, [s for _, _, s in group.staged])
        except pl.exceptions.ComputeError:
            if fmt not in _ROBUST:
                raise
            robust = [_ROBUST[fmt](blob, layout) for blob, layout, _ in group.staged]
            return _check_staged(group, robust)
    except UnreadableFileError as exc:
        return exc
    except _FAILURES as exc:
        problem = f"cannot be read as {fmt} ({str(exc)[:150]})"
        return UnreadableFileError(group.summary.path, problem)


def _check_staged(group: _Group, staged: list[pl.LazyFrame | pl.DataFrame]) -> Checked:
    if len(staged) == 1:
        name, frame = group.staged[0][0].name, staged[0]
    else:
        # one check for many small files (a globe_history tree, a tar of snapshots)
        name = group.summary.path
        frame = pl.concat(
            [
                s.lazy().with_columns(pl.lit(blob.name).alias("source_file"))
                for (blob, _, _), s in zip(group.staged, staged, strict=True)
            ],
            how="diagonal_relaxed",
        )
    return _CHECKERS[group.summary.format](frame, name)


def _finish(
    groups: dict[tuple[str, str], _Group],
    errors: list[UnreadableFileError],
    error_summaries: list[FileSummary],
) -> ReadResult:
    goods: list[pl.DataFrame] = []
    quarantines: list[pl.DataFrame] = []
    summaries: list[FileSummary] = []
    checked: dict[int, FileSummary] = {}
    for idx, group in enumerate(groups.values()):
        summary = group.summary
        summaries.append(summary)
        result = _check_group(group)
        if isinstance(result, UnreadableFileError):
            errors.append(result)
            summary.error = str(result)
            continue
        checked[idx] = summary
        summary.rows_read = result.rows_read
        summary.no_position = result.no_position
        counts = result.quarantine.group_by("reason").len().sort("reason")
        summary.quarantined = dict(zip(counts["reason"], counts["len"], strict=True))
        goods.append(result.good.with_columns(pl.lit(idx, pl.UInt32).alias(_FILE_IDX)))
        quarantines.append(result.quarantine)
        del result  # its frame lives on in goods only, which _order_dedupe frees
    positions, dup_by_file = _order_dedupe(goods)
    for idx, summary in checked.items():
        summary.duplicates = dup_by_file.get(idx, 0)
        summary.rows_kept = (
            summary.rows_read
            - summary.no_position
            - sum(summary.quarantined.values())
            - summary.duplicates
        )
    quarantine = pl.concat(quarantines, how="vertical") if quarantines else empty_quarantine()
    return ReadResult(
        positions=positions,
        quarantine=quarantine,
        files=summaries + error_summaries,
        errors=errors,
    )


def _time_ties(times: pl.Series, addresses: pl.Series) -> pl.Series:
    """Positions of the rows that may repeat another's (icao24, time), in time order.

    ``times``: epoch µs, sorted; ``addresses``: a UInt64 key per address (its hash,
    or its value as an integer), in the same order
    (:func:`tailwatch.sources._ties.same_time_ties`).
    """
    tied = same_time_ties(times.to_numpy(), addresses.to_numpy())
    return pl.Series(np.flatnonzero(tied), dtype=pl.UInt32)


def _order_dedupe(goods: list[pl.DataFrame]) -> tuple[pl.DataFrame, dict[int, int]]:
    """Put the rows in time order, drop exact duplicates keeping the first read.

    Rows that come in time order (OpenSky dumps, hourly files named in order) or
    grouped by aircraft in time order (readsb traces, by-aircraft archives) keep their
    order: either one gives every aircraft's rows in time order, which is what
    detection needs, and keeping it costs two sortedness checks instead of a gather of
    every column. Anything else is sorted by time (stable: ties stay in reading
    order). Duplicates share (icao24, time): the candidates are the rows of a run of
    equal times that share an address key (:func:`_time_ties`; equal neighbours when
    grouped by aircraft), and only those (few) rows are compared on every value.
    """
    if not goods:
        return empty_positions(), {}
    frame = pl.concat(goods, how="vertical", rechunk=False)
    goods.clear()  # the caller's frames can be freed as soon as they are copied
    perm: pl.Series | None = None
    times = frame.select(pl.col("time").dt.epoch("us")).to_series()
    if times.is_sorted():
        tie_pos = _time_ties(times, frame["icao24"].hash())
    else:
        keys = order_keys(frame)  # good rows: every address hexadecimal, every time set
        if grouped(keys):
            k, t = pl.col("k"), pl.col("t")
            same_prev = (k == k.shift(1)) & (t == t.shift(1))
            tie = keys.select((same_prev | same_prev.shift(-1)).fill_null(False)).to_series()
            tie_pos = tie.arg_true()
        else:
            perm = keys.select(pl.arg_sort_by("t", maintain_order=True)).to_series()
            # the address as an integer is an exact key: no hash needed
            tie_pos = _time_ties(times.gather(perm), keys["k"].cast(pl.UInt64).gather(perm))
        del keys
    del times
    dup_by_file: dict[int, int] = {}
    if tie_pos.len():
        tie_rows = tie_pos if perm is None else perm.gather(tie_pos)
        ties = frame.select(pl.all().gather(tie_rows))
        # in reading order within each (icao24, time): the first read is the one kept
        dup_mask = ties.select(~pl.struct(_DATA_COLS).is_first_distinct()).to_series()
        if dup_mask.any():
            counts = ties.filter(dup_mask).group_by(_FILE_IDX).len()
            dup_by_file = dict(
                zip(counts[_FILE_IDX].to_list(), counts["len"].to_list(), strict=True)
            )
            drop = pl.Series(tie_pos.filter(dup_mask), dtype=pl.UInt32)
            keep = ~pl.int_range(frame.height, dtype=pl.UInt32, eager=True).is_in(drop.implode())
            if perm is None:
                frame = frame.filter(keep)  # already in order: no gather needed
            else:
                perm = perm.filter(keep)
    frame = frame.drop(_FILE_IDX)
    if perm is not None:
        # A gather over many chunks (one per morsel/row group) looks up the chunk of
        # every index: making each column contiguous first is ~3x faster overall.
        # Two steps, so the chunked frame is freed before the gathered one is built.
        frame = frame.rechunk()
        frame = frame[perm]
    return frame, dup_by_file


__all__ = ["FORMATS", "FileSummary", "Format", "ReadResult", "read_positions"]
