"""Public entry of the detection core: positions in, events and flights out.

>>> from tailwatch.detect import detect
>>> det = detect(positions)            # doctest: +SKIP
>>> det.events, det.flights, det.rejected

``detect`` is a pure function of each aircraft's positions (plus reference data):
the output for one aircraft does not depend on other aircraft, on row order or on
duplicated rows. See ``docs/detection.md`` for the rules and how it runs per
partition on Spark and incrementally on a live feed.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import polars as pl

from tailwatch._schema import EVENTS, FLIGHTS, POSITIONS, REJECTED
from tailwatch.events.classify import build_events, stable_id
from tailwatch.flights.clean import clean
from tailwatch.flights.ground import add_state
from tailwatch.flights.params import DetectionParams
from tailwatch.flights.segment import prepare, segment, segments
from tailwatch.reference.airports import AirportIndex
from tailwatch.sources.order import SOURCE_ROW, AircraftOrder, by_aircraft


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` found.

    ``events``: EVENTS schema, one row per take-off / landing / touch-and-go, sorted by
    icao24 and time. ``flights``: FLIGHTS schema. ``rejected``: positions not used as
    evidence, with ``reason``. ``counts``: rows in, duplicates merged, rejected by reason.
    ``positions``: the cleaned positions with their ground/air state and segment (for
    ``tailwatch explain``).
    """

    events: pl.DataFrame
    flights: pl.DataFrame
    rejected: pl.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    positions: pl.DataFrame | None = None


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


#: Position columns detection does not read: when the rows have to be regrouped by
#: aircraft they stay behind, and only the rejected (and kept) rows fetch them back.
_UNUSED = ["squawk", "source_format", "source_file"]
_USED = [c for c in POSITIONS if c not in _UNUSED]

#: Below this many rows one worker is faster than splitting (thread start-up, merge).
_SPLIT_MIN_ROWS = 500_000
#: At most this many rows are detected at once per worker: the detector's working
#: columns then take ``workers x`` this, whatever the input's size (a day of global
#: traffic is ~10x the 10 M-row bench file).
_PART_MAX_ROWS = 2_000_000


def detection_params() -> DetectionParams:
    """The default thresholds, knowing the registry's rotorcraft when one is installed.

    What the command line and the live daemon detect with, so that batch and live
    judge a helicopter alike. Without a registry every aircraft is judged as an
    aeroplane (a helicopter's slow flight away from a field may then read as a stop).
    """
    from tailwatch.errors import ReferenceDataError
    from tailwatch.reference.registry import registry

    try:
        return DetectionParams(rotorcraft=registry().rotorcraft())
    except ReferenceDataError:
        return DetectionParams()


def detect(
    positions: pl.DataFrame | pl.LazyFrame,
    params: DetectionParams | None = None,
    index: AirportIndex | None = None,
    *,
    keep_positions: bool = False,
    workers: int | None = None,
) -> Detection:
    """Detect flights and their take-off / landing events in POSITIONS rows.

    Detection is a function of each aircraft's rows alone, so the rows are grouped by
    aircraft (readers deliver them in time order) and cut at aircraft boundaries into
    at least ``workers`` parts (default: polars' thread-pool size) of at most
    ``_PART_MAX_ROWS`` rows, detected by ``workers`` threads, the way Spark would run
    partitions; the merged result is the same as one pass. Most of the detector's
    column operations are sequential within one column, so this is what keeps every
    core busy; the part size bounds the memory the detector adds to its input.
    """
    params = params or DetectionParams()
    index = index or AirportIndex.default()
    frame = positions.collect() if isinstance(positions, pl.LazyFrame) else positions
    workers = workers or pl.thread_pool_size()
    order = by_aircraft(frame, _USED)
    cuts = _cuts(order, max(workers, -(-frame.height // _PART_MAX_ROWS)))

    def run(cut: tuple[int, int]) -> Detection:
        # each worker gathers its own part: only the parts in work are copies
        part = order.take(cut[0], cut[1] - cut[0])
        return _detect_part(part, params, index, keep_positions=keep_positions)

    if len(cuts) == 1:
        found = run(cuts[0])
    else:
        with ThreadPoolExecutor(
            max_workers=min(workers, len(cuts)), thread_name_prefix="detect"
        ) as pool:
            results = list(pool.map(run, cuts))
        found = _merge(results, keep_positions=keep_positions)
    return _restore(found, frame)


def _restore(found: Detection, source: pl.DataFrame) -> Detection:
    """Give the rejected (and kept) positions back the columns left behind."""

    def back(rows: pl.DataFrame) -> pl.DataFrame:
        if SOURCE_ROW not in rows.columns:
            return rows
        rows = rows.with_columns(source.select(_UNUSED)[rows[SOURCE_ROW]])
        return rows.select(*POSITIONS, *(c for c in rows.columns if c not in POSITIONS))

    positions = found.positions
    return replace(
        found,
        rejected=back(found.rejected).drop(SOURCE_ROW, strict=False),
        positions=None if positions is None else back(positions).drop(SOURCE_ROW, strict=False),
    )


def _cuts(order: AircraftOrder, parts: int) -> list[tuple[int, int]]:
    """(start, end) rows of ``parts`` parts of the grouped rows, cut between aircraft.

    One part when small, or when the addresses cannot be keyed as numbers (then
    cleaning sorts them on the text).
    """
    keys, n = order.keys, order.height
    if keys is None or parts < 2 or n < _SPLIT_MIN_ROWS:
        return [(0, n)]
    cuts = [0]
    for k in range(1, parts):
        # the aircraft boundary before row k * n / parts, else the one after it
        at = keys[k * n // parts]
        nxt = int(keys.search_sorted(at, side="left"))
        if nxt <= cuts[-1]:
            nxt = int(keys.search_sorted(at, side="right"))
        if cuts[-1] < nxt < n:
            cuts.append(nxt)
    cuts.append(n)
    # "ABC123" and "abc123" share a key, so they land in one part (cleaning merges them)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _merge(results: list[Detection], *, keep_positions: bool) -> Detection:
    counts: dict[str, int] = {}
    for r in results:
        for key, n in r.counts.items():
            counts[key] = counts.get(key, 0) + n
    order = ["rows_used", "merged_duplicates_or_repeats"]
    counts = {k: counts[k] for k in [*order, *sorted(set(counts) - set(order))] if k in counts}
    positions = None
    if keep_positions:
        kept = [r.positions for r in results if r.positions is not None]
        positions = pl.concat(kept, how="diagonal_relaxed") if kept else None
    return Detection(
        events=pl.concat([r.events for r in results]).sort("icao24", "time", "kind"),
        flights=pl.concat([r.flights for r in results]).sort("icao24", "first_seen"),
        rejected=pl.concat([r.rejected for r in results]).sort(
            "icao24", "time", "reason", nulls_last=True
        ),
        counts=counts,
        positions=positions,
    )


def _detect_part(
    positions: pl.DataFrame, params: DetectionParams, index: AirportIndex, *, keep_positions: bool
) -> Detection:
    frame, rejected, duplicates = clean(positions, params)
    counts = {"rows_used": frame.height, "merged_duplicates_or_repeats": duplicates}
    for reason, n in rejected.group_by("reason").len().sort("reason").iter_rows():
        counts[f"rejected_{reason}"] = int(n)
    if frame.height == 0:
        return Detection(_empty(EVENTS), _empty(FLIGHTS), rejected, counts)
    frame = add_state(frame, params, index)
    frame = segment(prepare(frame), params, index)
    segs = segments(frame)
    if segs.filter(~pl.col("ground")).height == 0:
        return Detection(
            _empty(EVENTS), _empty(FLIGHTS), rejected, counts, frame if keep_positions else None
        )
    events = build_events(frame, segs, params, index)
    events, flights = _assemble(events, segs)
    return Detection(events, flights, rejected, counts, frame if keep_positions else None)


def _assemble(events: pl.DataFrame, segs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    air = segs.filter(~pl.col("ground")).select("_seg", "icao24", "callsign", "t0", "t1", "n")
    air = air.with_columns(
        flight_id=pl.Series(
            [
                stable_id(ic, "flight", t.isoformat())
                for ic, t in zip(air["icao24"], air["t0"], strict=True)
            ],
            dtype=pl.String,
        )
    )
    events = events.join(
        air.select("_seg", pl.col("flight_id").alias("_fid")), on="_seg", how="left"
    ).with_columns(flight_id=pl.col("_fid"))
    events = events.with_columns(
        event_id=pl.Series(
            [
                stable_id(ic, k, t.isoformat())
                for ic, k, t in zip(events["icao24"], events["kind"], events["time"], strict=True)
            ],
            dtype=pl.String,
        )
    )
    ends = {}
    for kind in ("takeoff", "landing"):
        ends[kind] = events.filter(pl.col("kind") == kind).select(
            "_seg",
            pl.col("airport").alias(f"{kind}_airport"),
            pl.col("time").alias(f"{kind}_time"),
            pl.col("confidence").alias(f"{kind}_confidence"),
            pl.col("runway").alias(f"{kind}_runway"),
            pl.col("runner_up").alias(f"{kind}_runner_up"),
            pl.col("runner_up_margin_km").alias(f"{kind}_runner_up_margin_km"),
            pl.col("reason").alias(f"{kind}_reason"),
            pl.col("evidence").alias(f"{kind}_evidence"),
        )
    tgs = (
        events.filter(pl.col("kind") == "touch_and_go")
        .group_by("_seg")
        .agg(pl.col("airport").sort_by("time").alias("touch_and_gos"))
    )
    flights = (
        air.join(ends["takeoff"], on="_seg", how="left")
        .join(ends["landing"], on="_seg", how="left")
        .join(tgs, on="_seg", how="left")
        .with_columns(
            first_seen="t0",
            last_seen="t1",
            n_positions=pl.col("n").cast(pl.Int64),
            touch_and_gos=pl.col("touch_and_gos").fill_null([]),
        )
        .select([pl.col(c).cast(t) for c, t in FLIGHTS.items()])
        .sort("icao24", "first_seen")
    )
    events = events.select([pl.col(c).cast(t) for c, t in EVENTS.items()]).sort(
        "icao24", "time", "kind"
    )
    return events, flights


__all__ = ["REJECTED", "Detection", "DetectionParams", "detect", "detection_params"]
