"""Who is this aircraft: registry, ICAO block and watchlists in one answer."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import icao_blocks, store
from tailwatch.reference.registry import AircraftRecord, registry
from tailwatch.reference.watchlists import Watchlists, format_interval

if TYPE_CHECKING:
    from collections.abc import Sequence

_HEX = re.compile(r"^~?[0-9a-fA-F]{6}$")
NO_DATA = "no reference data: run `tailwatch data import DIR` or `tailwatch data update`"


@dataclass(frozen=True)
class WatchEntry:
    """One watchlist entry about the aircraft, and whether it applies at ``at``."""

    list: str
    file: str
    line: int
    label: str | None
    category: str | None
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    notes: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    valid: bool

    @property
    def interval(self) -> str:
        return format_interval(self.valid_from, self.valid_until)

    @property
    def bounded(self) -> bool:
        return self.valid_from is not None or self.valid_until is not None


@dataclass(frozen=True)
class AircraftIdentity:
    """What the reference data says about one aircraft at one time."""

    query: str
    at: datetime
    icao24: str | None
    registration: str | None
    typecode: str | None
    description: str | None  # registry's type description, e.g. "DASSAULT Falcon 900"
    type_name: str | None  # watchlist's type name, e.g. "Dassault Falcon 900EX"
    operator: str | None  # valid watchlist label, else registry owner/operator
    country: str | None  # of the ICAO address block
    country_iso: str | None
    icao_block: str | None
    military: bool = False
    interesting: bool = False
    pia: bool = False
    ladd: bool = False
    in_registry: bool = False
    entries: tuple[WatchEntry, ...] = ()
    #: other aircraft carrying the same registration in the registry
    also_registered: tuple[str, ...] = ()
    #: lines of watchlist conflicts about this aircraft, already in words
    conflicts: tuple[str, ...] = field(default=())

    @property
    def known(self) -> bool:
        return self.in_registry or bool(self.entries)

    @property
    def flags(self) -> list[str]:
        names = ("military", "interesting", "pia", "ladd")
        return [n for n in names if getattr(self, n)]


def _try_registry_hex(icao24: str) -> AircraftRecord | None:
    try:
        return registry().get(icao24)
    except ReferenceDataError:
        return None


def _try_registry_reg(reg: str) -> list[AircraftRecord]:
    try:
        return registry().by_registration(reg)
    except ReferenceDataError:
        return []


def _entries(frame: pl.DataFrame) -> tuple[WatchEntry, ...]:
    return tuple(
        WatchEntry(
            list=r["list"],
            file=r["file"],
            line=r["line"],
            label=r["label"],
            category=r["category"],
            tags=tuple(r["tags"] or ()),
            sources=tuple(r["sources"] or ()),
            notes=r["notes"],
            valid_from=r["valid_from"],
            valid_until=r["valid_until"],
            valid=bool(r["valid"]),
        )
        for r in frame.iter_rows(named=True)
    )


def _conflict_lines(lists: Watchlists, icao24: str | None) -> tuple[str, ...]:
    if icao24 is None:
        return ()
    found = lists.conflicts().filter((pl.col("icao24") == icao24) | (pl.col("icao24_b") == icao24))
    lines = []
    for r in found.iter_rows(named=True):
        a = f"{r['list']}:{r['line']} {r['label']!r} ({r['icao24']})"
        b = f"{r['list_b']}:{r['line_b']} {r['label_b']!r} ({r['icao24_b']})"
        what = "different labels" if r["kind"] == "label" else "one registration, two hexes"
        lines.append(f"{what}: {a} vs {b}")
    return tuple(lines)


def _first(frame: pl.DataFrame, column: str) -> str | None:
    values = frame.get_column(column).drop_nulls()
    return str(values[0]) if len(values) else None


def _has_any_data() -> bool:
    return any(store.dataset_path(n) is not None for n in ("tar1090-db", "plane-alert-db"))


def whois(
    query: str,
    at: datetime | None = None,
    *,
    watchlists: Sequence[str] | None = None,
    lists: Watchlists | None = None,
) -> AircraftIdentity:
    """Identify an aircraft by hex (``018019``) or registration (``5A-DCN``).

    ``watchlists`` are extra list files loaded with the store's plane-alert-db; or pass
    loaded ``lists``. Raises :class:`ReferenceDataError` when the store holds neither a
    registry nor plane-alert-db. An unknown aircraft gives an identity whose ``known`` is
    false (its ICAO block is still reported for a hex).
    """
    if not _has_any_data():
        raise ReferenceDataError(NO_DATA)
    when = datetime.now(UTC) if at is None else at
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    q = query.strip()
    if lists is None:
        lists = Watchlists.load(watchlists or ())

    record: AircraftRecord | None = None
    others: list[str] = []
    if _HEX.match(q):
        record = _try_registry_hex(q.lstrip("~").lower())
    if record is None:
        # A registration (or a 6-character registration that is also valid hex).
        found = _try_registry_reg(q)
        if found:
            record, others = found[0], [r.icao24 for r in found[1:]]

    keys = [q]
    if record is not None:
        keys += [record.icao24] + ([record.registration] if record.registration else [])
    entries = lists.entries_for(keys, when).sort(
        pl.col("valid").not_(), pl.col("list") != "plane-alert-db", "list", "line"
    )
    icao24 = record.icao24 if record is not None else None
    if icao24 is None:
        hexes = entries.get_column("icao24").drop_nulls().unique().to_list()
        icao24 = hexes[0] if len(hexes) == 1 else None
        if icao24 is None and _HEX.match(q):
            icao24 = q.lstrip("~").lower()
    registration = record.registration if record is not None else None
    if registration is None and entries.height:
        registration = _first(entries, "registration")

    country = iso = block = None
    if icao24 is not None:
        with contextlib.suppress(ReferenceDataError):
            country, iso, block = icao_blocks.blocks().country_of(icao24)

    valid = entries.filter(pl.col("valid") & pl.col("label").is_not_null())
    operator = valid.get_column("label")[0] if valid.height else None
    if operator is None and record is not None:
        operator = record.owner_operator
    typecode = record.typecode if record is not None else None
    if typecode is None:
        typecode = _first(entries, "typecode")

    return AircraftIdentity(
        query=q,
        at=when,
        icao24=icao24,
        registration=registration,
        typecode=typecode,
        description=record.description if record is not None else None,
        type_name=_first(entries, "type_name"),
        operator=operator,
        country=country,
        country_iso=iso,
        icao_block=block,
        military=bool(record and record.military),
        interesting=bool(record and record.interesting),
        pia=bool(record and record.pia),
        ladd=bool(record and record.ladd),
        in_registry=record is not None,
        entries=_entries(entries),
        also_registered=tuple(others),
        conflicts=_conflict_lines(lists, icao24),
    )


__all__ = ["NO_DATA", "AircraftIdentity", "WatchEntry", "whois"]
