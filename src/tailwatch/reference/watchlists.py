"""Watchlists: who an aircraft stands for, according to which list, and when.

Several lists are loaded at once into one entries table (schema ``ENTRIES``): the
plane-alert-db CSV from the store, plane-alert-db-style CSVs, and the project's own
YAML / TOML files (format in ``docs/reference.md``). An entry applies only inside its
validity interval, ``valid_from`` inclusive to ``valid_until`` exclusive (UTC); a
missing bound is open.

Registration-only entries get their hex from the aircraft registry when it is
installed (``icao24_from = "registry"``).

Conflicts are listed, never resolved silently: two entries for the same aircraft whose
labels differ and whose validity intervals overlap (a sale or a reused registration
gives intervals that do not overlap, which is history, not a conflict); and one
registration given with different hexes by two different lists over overlapping
intervals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from tailwatch._schema import TIME, WATCH_ENTRIES
from tailwatch.errors import ReferenceDataError
from tailwatch.reference import _watchlist_files as files
from tailwatch.reference import store
from tailwatch.reference._watchlist_files import ENTRIES, PROBLEMS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

PLANE_ALERT_FILE = "plane-alert-db.csv"
PLANE_ALERT_LIST = "plane-alert-db"


def _reg_key(expr: pl.Expr) -> pl.Expr:
    """Registrations compared upper-case without dashes or spaces (5A-DCN == 5adcn)."""
    return expr.str.to_uppercase().str.replace_all(r"[-\s]", "")


def _valid_at(at: pl.Expr) -> pl.Expr:
    return (pl.col("valid_from").is_null() | (at >= pl.col("valid_from"))) & (
        pl.col("valid_until").is_null() | (at < pl.col("valid_until"))
    )


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


class Watchlists:
    """Entries of several watchlists. Build with :meth:`load`; read-only afterwards."""

    def __init__(self, entries: pl.DataFrame, problems: pl.DataFrame | None = None) -> None:
        self.entries = entries.select(ENTRIES.names()).cast(ENTRIES)
        self.problems = problems if problems is not None else PROBLEMS.to_frame()

    @classmethod
    def load(
        cls,
        paths: Iterable[str | Path] = (),
        *,
        plane_alert: bool = True,
        resolve: bool = True,
    ) -> Watchlists:
        """Load the given files, plus the store's plane-alert-db if ``plane_alert``.

        ``resolve`` fills the hex of registration-only entries from the registry (when
        installed; otherwise they keep a null hex and still match by registration).
        """
        frames: list[pl.DataFrame] = []
        problems: list[pl.DataFrame] = []
        if plane_alert:
            folder = store.dataset_path("plane-alert-db")
            if folder is not None:
                csv = folder / PLANE_ALERT_FILE
                e, p = files.read_plane_alert(
                    csv, csv.read_text(encoding="utf-8"), PLANE_ALERT_LIST
                )
                frames.append(e)
                problems.append(p)
        for path in paths:
            e, p = files.read(Path(path))
            frames.append(e)
            problems.append(p)
        entries = pl.concat(frames) if frames else ENTRIES.to_frame()
        if resolve:
            entries = _resolve(entries)
        return cls(entries, pl.concat(problems) if problems else None)

    @property
    def lists(self) -> list[str]:
        return self.entries.get_column("list").unique(maintain_order=True).to_list()

    def addresses(self) -> pl.Series:
        """Every address some entry names (at any time): the only aircraft
        :meth:`match` can return rows for."""
        return self.entries.get_column("icao24").drop_nulls().unique().sort()

    def entries_for(self, keys: str | Sequence[str], at: datetime | None = None) -> pl.DataFrame:
        """Entries naming any of ``keys`` (hexes or registrations), with ``valid`` at ``at``
        (default: now)."""
        wanted = [keys] if isinstance(keys, str) else list(keys)
        hexes = [k.strip().lower() for k in wanted]
        regs = [_reg_key(pl.lit(k)) for k in wanted]
        reg_match = pl.any_horizontal(*(_reg_key(pl.col("registration")) == r for r in regs))
        hit = pl.col("icao24").is_in(hexes) | reg_match.fill_null(False)
        when = pl.lit(_utc(at), TIME)
        return self.entries.filter(hit).with_columns(valid=_valid_at(when))

    def match(self, icao24: pl.Series, times: pl.Series) -> pl.DataFrame:
        """Vectorised: the entries valid for each (hex, time) pair.

        Returns one row per (input row, valid entry): ``row`` (index in the inputs),
        ``time``, then the entry columns. Rows with no valid entry are absent.
        """
        if times.dtype == pl.Datetime and getattr(times.dtype, "time_zone", None) is None:
            msg = "times must be timezone-aware (UTC)"
            raise ValueError(msg)
        left = pl.DataFrame(
            {
                "row": pl.int_range(len(icao24), eager=True, dtype=pl.Int64),
                "icao24": icao24.cast(pl.String).str.strip_chars().str.to_lowercase(),
                "time": times.cast(TIME),
            }
        )
        right = self.entries.filter(pl.col("icao24").is_not_null())
        joined = left.join(right, on="icao24", how="inner")
        return joined.filter(_valid_at(pl.col("time"))).sort("row", maintain_order=True)

    def watch_column(self, icao24: pl.Series, times: pl.Series) -> pl.Series:
        """Per input row, its valid entries as ``_schema.WATCH_ENTRIES`` (empty list if
        none): the ``watch`` column of the visits table."""
        matched = self.match(icao24, times)
        per_row = matched.group_by("row", maintain_order=True).agg(
            watch=pl.struct(pl.col("list").alias("source"), "label", "category", "tags")
        )
        rows = pl.DataFrame({"row": pl.int_range(len(icao24), eager=True, dtype=pl.Int64)})
        out = rows.join(per_row, on="row", how="left", maintain_order="left")
        return (
            out.get_column("watch")
            .fill_null(pl.lit([], dtype=WATCH_ENTRIES))
            .cast(WATCH_ENTRIES)
            .alias("watch")
        )

    def conflicts(self) -> pl.DataFrame:
        """Pairs of entries that disagree (see module docstring), one row per pair."""
        cols = ["list", "line", "label", "icao24", "registration", "valid_from", "valid_until"]
        e = self.entries.with_row_index("id").select("id", *cols)
        overlap = (
            pl.col("valid_from").is_null()
            | pl.col("valid_until_b").is_null()
            | (pl.col("valid_from") < pl.col("valid_until_b"))
        ) & (
            pl.col("valid_from_b").is_null()
            | pl.col("valid_until").is_null()
            | (pl.col("valid_from_b") < pl.col("valid_until"))
        )
        by_hex = (
            e.filter(pl.col("icao24").is_not_null() & pl.col("label").is_not_null())
            .join(e.filter(pl.col("label").is_not_null()), on="icao24", suffix="_b", how="inner")
            .filter(
                (pl.col("id") < pl.col("id_b"))
                & (
                    pl.col("label").str.strip_chars().str.to_lowercase()
                    != pl.col("label_b").str.strip_chars().str.to_lowercase()
                )
                & overlap
            )
            .with_columns(kind=pl.lit("label"), icao24_b=pl.col("icao24"))
        )
        with_reg = e.filter(
            pl.col("registration").is_not_null() & pl.col("icao24").is_not_null()
        ).with_columns(_reg=_reg_key(pl.col("registration")))
        by_reg = (
            with_reg.join(with_reg, on="_reg", suffix="_b", how="inner")
            .filter(
                (pl.col("id") < pl.col("id_b"))
                & (pl.col("icao24") != pl.col("icao24_b"))
                # within one published list, one registration on several hexes is the
                # list's own record (several transponders, serials clashing across
                # air forces); across lists it means the lists disagree.
                & (pl.col("list") != pl.col("list_b"))
                & overlap
            )
            .with_columns(kind=pl.lit("hex"))
        )
        out_cols = ["kind", "icao24", "icao24_b"] + [
            f"{c}{s}"
            for s in ("", "_b")
            for c in ("list", "line", "label", "registration", "valid_from", "valid_until")
        ]
        return pl.concat([by_hex.select(out_cols), by_reg.select(out_cols)]).sort(
            "icao24", "list", "line"
        )


def _resolve(entries: pl.DataFrame) -> pl.DataFrame:
    """Fill missing hexes from the registry by registration, when the registry exists."""
    missing = entries.filter(pl.col("icao24").is_null() & pl.col("registration").is_not_null())
    if missing.height == 0:
        return entries
    from tailwatch.reference.registry import registry

    try:
        frame = registry().frame
    except ReferenceDataError:
        return entries
    table = (
        frame.filter(pl.col("registration").is_not_null())
        .select(_reg=_reg_key(pl.col("registration")), _hex=pl.col("icao24"))
        # A registration carried by several hexes stays ambiguous: not resolved.
        .filter(pl.len().over("_reg") == 1)
    )
    out = entries.with_columns(_reg=_reg_key(pl.col("registration"))).join(
        table, on="_reg", how="left", maintain_order="left"
    )
    return out.with_columns(
        icao24_from=pl.when(pl.col("icao24").is_null() & pl.col("_hex").is_not_null())
        .then(pl.lit("registry"))
        .otherwise(pl.col("icao24_from")),
        icao24=pl.coalesce("icao24", "_hex"),
    ).drop("_reg", "_hex")


def format_interval(valid_from: datetime | None, valid_until: datetime | None) -> str:
    """``2019-01-01..2021-06-30`` (until exclusive); open bounds left empty."""

    def fmt(d: datetime | None) -> str:
        if d is None:
            return ""
        if (d.hour, d.minute, d.second, d.microsecond) == (0, 0, 0, 0):
            return d.strftime("%Y-%m-%d")
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")

    return f"{fmt(valid_from)}..{fmt(valid_until)}"


__all__ = ["ENTRIES", "PROBLEMS", "Watchlists", "format_interval"]
