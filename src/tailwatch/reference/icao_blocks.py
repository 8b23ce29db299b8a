"""Registration country from the ICAO 24-bit address block (ICAO Annex 10 Vol. III).

Blocks overlap: "Unassigned (EUR / NAT regions)" spans 500000-5fffff and contains many
national blocks; "ICAO (special use)" shares 899000-8993ff with Taiwan. The narrowest
block wins, and between blocks of equal width a real country beats a placeholder (one
whose flag is not a country flag). The source gives ISO 3166 alpha-2 only as a flag
emoji (two regional-indicator letters), which is decoded here.

The blocks are flattened once into non-overlapping segments, so a lookup of any number
of hexes is one ``np.searchsorted``.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import store

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

FILENAME = "icao24_ranges_patterns.json"
_REGIONAL_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A


def flag_to_iso(flag: str | None) -> str | None:
    """``"🇱🇾"`` -> ``"LY"``; anything that is not two regional indicators -> ``None``."""
    if not flag or len(flag) != 2:
        return None
    letters = [ord(c) - _REGIONAL_A for c in flag]
    if all(0 <= n < 26 for n in letters):
        return "".join(chr(ord("A") + n) for n in letters)
    return None


@dataclass(frozen=True)
class Blocks:
    """Non-overlapping segments ``[start, end]`` with the winning block's country."""

    start: NDArray[np.int64]
    end: NDArray[np.int64]
    country: list[str]
    iso: list[str | None]
    block_start: NDArray[np.int64]
    block_end: NDArray[np.int64]

    def lookup(self, icao24: pl.Series) -> pl.DataFrame:
        """One row per input hex: ``country`` (name), ``country_iso`` (alpha-2 or null),
        ``block`` (e.g. ``"018000-01ffff"``). Invalid hexes give nulls."""
        values = (
            icao24.cast(pl.String)
            .str.strip_chars()
            .str.to_integer(base=16, strict=False)
            .fill_null(-1)
            .to_numpy()
        )
        idx = np.searchsorted(self.start, values, side="right") - 1
        ok = (idx >= 0) & (values >= 0) & (values <= self.end[np.clip(idx, 0, None)])
        seg = pl.Series("seg", np.where(ok, idx, -1), dtype=pl.Int64)
        table = pl.DataFrame(
            {
                "seg": np.arange(len(self.country), dtype=np.int64),
                "country": self.country,
                "country_iso": pl.Series(self.iso, dtype=pl.String),
                "block": [
                    f"{s:06x}-{e:06x}"
                    for s, e in zip(self.block_start, self.block_end, strict=True)
                ],
            }
        )
        out = pl.DataFrame({"icao24": icao24.cast(pl.String), "seg": seg}).join(
            table, on="seg", how="left", maintain_order="left"
        )
        return out.drop("seg")

    def country_of(self, icao24: str) -> tuple[str | None, str | None, str | None]:
        """``(country name, ISO alpha-2, block)`` of one hex."""
        row = self.lookup(pl.Series([icao24])).row(0)
        return row[1], row[2], row[3]


def parse_blocks(path: Path) -> Blocks:
    """Read ``icao24_ranges_patterns.json`` and flatten its blocks."""
    try:
        registers = json.loads(path.read_text(encoding="utf-8"))["registers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: unreadable ICAO address blocks ({exc})"
        raise ReferenceDataError(msg) from exc
    blocks = []
    for reg in registers:
        if "start" not in reg or "end" not in reg:
            continue  # registration pattern only (no address block of its own)
        start, end = int(reg["start"], 16), int(reg["end"], 16)
        iso = flag_to_iso(reg.get("flag"))
        # rank: narrower first, then real countries before placeholders
        blocks.append((end - start, iso is None, start, end, str(reg["country"]), iso))
    blocks.sort()
    bounds = sorted({b[2] for b in blocks} | {b[3] + 1 for b in blocks})
    seg_start, seg_end, country, isos, bstart, bend = [], [], [], [], [], []
    # Table preparation over a few hundred blocks, not positions: a loop is fine here.
    for lo, hi in itertools.pairwise(bounds):
        winner = next((b for b in blocks if b[2] <= lo and hi - 1 <= b[3]), None)
        if winner is None:
            continue
        seg_start.append(lo)
        seg_end.append(hi - 1)
        country.append(winner[4])
        isos.append(winner[5])
        bstart.append(winner[2])
        bend.append(winner[3])
    return Blocks(
        np.asarray(seg_start, dtype=np.int64),
        np.asarray(seg_end, dtype=np.int64),
        country,
        isos,
        np.asarray(bstart, dtype=np.int64),
        np.asarray(bend, dtype=np.int64),
    )


@functools.cache
def _load(path: Path, digest: str | None) -> Blocks:
    return parse_blocks(path)


def blocks() -> Blocks:
    """The address blocks from the store (cached)."""
    folder, digest = store.require_dataset("icao24-ranges", "ICAO address blocks")
    return _load(folder / FILENAME, digest)


def registration_country(icao24: pl.Series) -> pl.DataFrame:
    """Vectorised: registration country of each hex (see :meth:`Blocks.lookup`)."""
    return blocks().lookup(icao24)


def clear_cache() -> None:
    _load.cache_clear()


__all__ = [
    "Blocks",
    "blocks",
    "clear_cache",
    "flag_to_iso",
    "parse_blocks",
    "registration_country",
]
