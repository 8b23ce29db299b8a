"""Aircraft registry: ICAO hex -> registration, type, description, database flags.

Two upstream formats, both from the tar1090 / readsb world (Mictronics database):

* ``db/*.js``: gzipped JSON shards named after a hex prefix (``A``, ``A0``, ``A00``...).
  Keys are the rest of the hex (``"18019"`` in shard ``0`` is ``018019``); values are
  ``[registration, typecode, flags, description]``; ``files.js`` lists the shards and a
  shard's ``children`` names its sub-shards.
* readsb's ``aircraft.csv(.gz)``: ``icao;reg;type;flags;desc;year;ownOp;`` (older
  files stop after ``desc``).

``flags`` is a string of digits, position ``j`` being bit ``j`` of readsb's
``dbFlags``: 0 military, 1 interesting, 2 PIA, 3 LADD.

``db/icao_aircraft_types.js`` maps each ICAO type designator to its ICAO aircraft
description (``H2T``: helicopter, two turbine engines; ``L2J``: landplane, two jets):
its first letter says whether the aircraft can hover (:data:`ROTORCRAFT_CLASSES`).

The parsed table (~620k rows) is cached as Parquet in the store's cache folder, keyed by
the dataset's sha256, so only the first load after an import pays for JSON parsing.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import store

if TYPE_CHECKING:
    from pathlib import Path

#: Columns of the registry table.
REGISTRY = pl.Schema(
    {
        "icao24": pl.String(),
        "registration": pl.String(),
        "typecode": pl.String(),
        "description": pl.String(),
        "icao_class": pl.String(),  # ICAO aircraft description, e.g. "H2T"; null if unknown
        "military": pl.Boolean(),
        "interesting": pl.Boolean(),
        "pia": pl.Boolean(),
        "ladd": pl.Boolean(),
        "year": pl.String(),
        "owner_operator": pl.String(),
    }
)
_FLAGS = ("military", "interesting", "pia", "ladd")
_SHARD = re.compile(r"^[0-9A-Fa-f]{1,5}$")
_HEX = re.compile(r"^[0-9a-f]{6}$")
_CACHE_VERSION = 2
#: First letters of the ICAO aircraft description of types that can hover or fly
#: slower than any aeroplane: helicopter, gyroplane, tilt-rotor.
ROTORCRAFT_CLASSES = ("H", "G", "T")


@dataclass(frozen=True)
class AircraftRecord:
    """One aircraft of the registry."""

    icao24: str
    registration: str | None
    typecode: str | None
    description: str | None
    icao_class: str | None
    military: bool
    interesting: bool
    pia: bool
    ladd: bool
    year: str | None
    owner_operator: str | None


def _read_maybe_gzip(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _parse_shards(db: Path) -> pl.DataFrame:
    files_js = db / "files.js"
    if files_js.is_file():
        names = [str(n) for n in json.loads(_read_maybe_gzip(files_js))]
    else:
        names = [p.stem for p in db.glob("*.js") if _SHARD.match(p.stem)]
    hexes: list[str] = []
    rows: list[list[str | None]] = []
    for name in names:
        path = db / f"{name}.js"
        try:
            shard = json.loads(_read_maybe_gzip(path))
        except (OSError, ValueError, EOFError) as exc:
            msg = f"{path}: unreadable tar1090-db shard ({exc})"
            raise ReferenceDataError(msg) from exc
        prefix = name.lower()
        for suffix, entry in shard.items():
            if suffix == "children":
                continue
            hexes.append(prefix + suffix.lower())
            rows.append(entry)
    frame = pl.DataFrame(
        {
            "icao24": hexes,
            "registration": [r[0] if r else None for r in rows],
            "typecode": [r[1] if len(r) > 1 else None for r in rows],
            "flags": [r[2] if len(r) > 2 else None for r in rows],
            "description": [r[3] if len(r) > 3 else None for r in rows],
        },
        schema={
            "icao24": pl.String,
            "registration": pl.String,
            "typecode": pl.String,
            "flags": pl.String,
            "description": pl.String,
        },
    )
    return frame.with_columns(year=pl.lit(None, pl.String), owner_operator=pl.lit(None, pl.String))


def _parse_csv(path: Path) -> pl.DataFrame:
    raw = _read_maybe_gzip(path)
    # One string column per line, split by hand: the field count varies between
    # readsb versions (5 fields, or 7 plus a trailing ';').
    lines = pl.DataFrame({"line": raw.decode("utf-8", errors="replace").splitlines()})
    parts = pl.col("line").str.split(";")
    names = ("icao24", "registration", "typecode", "flags", "description", "year")
    return lines.select(
        *(parts.list.get(i, null_on_oob=True).alias(n) for i, n in enumerate(names)),
        owner_operator=parts.list.get(6, null_on_oob=True),
    )


def _type_classes(folder: Path) -> pl.DataFrame:
    """``typecode`` -> ``icao_class`` from ``db/icao_aircraft_types.js``, one row per type.

    ``{"A139": {"desc": "H2T", "wtc": "L"}, ...}``. The file only adds a column: when it
    is absent or damaged the table is empty and the classes stay unknown, not fatal.
    """
    path = folder / "db" / "icao_aircraft_types.js"
    types: object = None
    if path.is_file():
        try:
            types = json.loads(_read_maybe_gzip(path))
        except (OSError, ValueError, EOFError):
            types = None
    if not isinstance(types, dict):
        types = {}
    pairs = [
        (code, entry.get("desc"))
        for code, entry in types.items()
        if isinstance(entry, dict) and isinstance(entry.get("desc"), str)
    ]
    return pl.DataFrame(
        {"typecode": [c for c, _ in pairs], "icao_class": [d for _, d in pairs]},
        schema={"typecode": pl.String, "icao_class": pl.String},
    ).unique("typecode", keep="first")


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    def blank_to_null(name: str) -> pl.Expr:
        col = pl.col(name).str.strip_chars()
        return pl.when(col == "").then(None).otherwise(col).alias(name)

    flag_exprs = [
        (pl.col("flags").str.slice(i, 1) == "1").fill_null(False).alias(name)
        for i, name in enumerate(_FLAGS)
    ]
    out = frame.with_columns(
        pl.col("icao24").str.strip_chars().str.to_lowercase(),
        *(blank_to_null(c) for c in ("registration", "typecode", "description", "year")),
        blank_to_null("owner_operator"),
        *flag_exprs,
    )
    out = out.filter(pl.col("icao24").str.contains(_HEX.pattern))
    columns = [c for c in REGISTRY.names() if c != "icao_class"]
    return out.select(columns).unique("icao24", keep="first").sort("icao24")


def parse_registry(folder: Path) -> pl.DataFrame:
    """Parse a tar1090-db folder (``db/`` shards or ``aircraft.csv(.gz)``) into a table.

    ``aircraft.csv`` is preferred when present: it also carries year and owner/operator.
    """
    frame = None
    for name in ("aircraft.csv.gz", "aircraft.csv"):
        if (folder / name).is_file():
            frame = _normalise(_parse_csv(folder / name))
            break
    if frame is None and (folder / "db").is_dir():
        frame = _normalise(_parse_shards(folder / "db"))
    if frame is None:
        msg = f"{folder}: no tar1090-db data (db/*.js or aircraft.csv.gz)"
        raise ReferenceDataError(msg)
    joined = frame.join(_type_classes(folder), on="typecode", how="left", maintain_order="left")
    return joined.select(REGISTRY.names())


#: Parsed tables by dataset sha256: identical data in another store (tests, a re-import)
#: is not parsed twice. Cleared by :func:`clear_cache`.
_MEMO: dict[str, pl.DataFrame] = {}


def _load(folder: Path, digest: str | None) -> pl.DataFrame:
    key = digest or f"path:{folder}"
    frame = _MEMO.get(key)
    cache = None
    if digest is not None:
        cache = store.cache_dir() / f"registry-v{_CACHE_VERSION}-{digest[:16]}.parquet"
    if frame is None and cache is not None and cache.is_file():
        try:
            frame = pl.read_parquet(cache)
        except (OSError, pl.exceptions.PolarsError):
            frame = None  # a damaged cache is rebuilt below
    if frame is None:
        frame = parse_registry(folder)
    if cache is not None and not cache.is_file():
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            frame.write_parquet(tmp)
            tmp.replace(cache)
        except OSError:
            pass  # the cache is an optimisation: a read-only store still works
    _MEMO[key] = frame
    return frame


class Registry:
    """Lookups over the registry table. Get one from :func:`registry`."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.height

    def lookup(self, icao24: pl.Series) -> pl.DataFrame:
        """One row per input hex, in input order; registry columns null when unknown."""
        keys = pl.DataFrame({"icao24": icao24.cast(pl.String)}).with_columns(
            _key=pl.col("icao24").str.strip_chars().str.to_lowercase()
        )
        joined = keys.join(
            self.frame.rename({"icao24": "_key"}), on="_key", how="left", maintain_order="left"
        )
        return joined.drop("_key")

    def get(self, icao24: str) -> AircraftRecord | None:
        """The aircraft with this hex, or ``None``."""
        rows = self.frame.filter(pl.col("icao24") == icao24.strip().lower())
        return _record(rows.row(0, named=True)) if rows.height else None

    def rotorcraft(self) -> frozenset[str]:
        """Hexes of every aircraft whose type can hover (:data:`ROTORCRAFT_CLASSES`)."""
        first = pl.col("icao_class").str.slice(0, 1)
        found = self.frame.filter(first.is_in(list(ROTORCRAFT_CLASSES)))["icao24"]
        return frozenset(found.to_list())

    def by_registration(self, registration: str) -> list[AircraftRecord]:
        """Aircraft carrying this registration (case and dashes ignored if no exact match)."""
        reg = registration.strip().upper()
        rows = self.frame.filter(pl.col("registration").str.to_uppercase() == reg)
        if rows.height == 0:
            bare = reg.replace("-", "")
            rows = self.frame.filter(
                pl.col("registration").str.to_uppercase().str.replace_all("-", "") == bare
            )
        return [_record(r) for r in rows.iter_rows(named=True)]


def _record(row: dict[str, object]) -> AircraftRecord:
    return AircraftRecord(**row)  # type: ignore[arg-type]


def registry() -> Registry:
    """The registry from the store (cached). Raises if tar1090-db is not installed."""
    folder, digest = store.require_dataset("tar1090-db", "aircraft registry")
    return Registry(_load(folder, digest))


def clear_cache() -> None:
    """Forget loaded tables (they are keyed by content, so this only frees memory)."""
    _MEMO.clear()


__all__ = [
    "REGISTRY",
    "ROTORCRAFT_CLASSES",
    "AircraftRecord",
    "Registry",
    "clear_cache",
    "parse_registry",
    "registry",
]
