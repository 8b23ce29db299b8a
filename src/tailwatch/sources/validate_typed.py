"""The check of a typed staged frame (Parquet, a typed OpenSky CSV) in one streaming pass.

When a source already gives numbers as numbers, unit conversion, the Float32 casts
and every numeric check run in one streaming pass straight off the scan: the source's
columns are never held whole in memory (for 10 M rows, holding that copy and freeing
it cost more than the checks). Each row carries the number of its first failing check
(0: good), so the rows set aside need no second look at the source. The text codes
(address, callsign, squawk) come out as read and are tested afterwards on their
distinct values; a column that fails its test is cleaned and checked row by row in a
second, narrow pass.

Same rules, order and reasons as :func:`tailwatch.sources.validate.check`; the
quarantine shows a row's values after unit conversion (feet, knots), under the
canonical names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.sources import validate as v

if TYPE_CHECKING:
    from collections.abc import Mapping

_CODES: Final = ("icao24", "callsign", "squawk")
_CODE: Final = "_code"  # index + 1 of the row's first failing check; 0 = good
_GIVEN: Final = "_given_squawk"
#: Sources whose callsigns are space-padded to 8 characters.
_PADDING: Final = frozenset({"opensky"})
#: The checks a text code can newly fail once its distinct values are found unclean.
_CODE_REASONS: Final = frozenset({"non_icao_address", "bad_icao24", "bad_squawk", "bad_callsign"})


def typed(schema: pl.Schema) -> bool:
    """Every value column of the staged frame has a type this pass can take as is."""
    for name in v.DATA_COLS:
        if name not in schema:
            continue
        dtype = schema[name]
        if name == "time":
            ok = dtype.is_numeric() or isinstance(dtype, pl.Datetime | pl.Date)
        elif name in v.FLOAT_COLS or name == "on_ground":
            ok = dtype.is_numeric() or dtype == pl.Boolean
        elif name == "squawk":
            ok = dtype == pl.String or dtype.is_numeric()
        else:
            ok = dtype == pl.String
        if not ok:
            return False
    return not {"_problem", "_detail", "_raw"} & set(schema.names())


def _first_failing(found: list[tuple[str, pl.Expr]], start: pl.Expr) -> pl.Expr:
    """The code of the first check a row fails (``start`` when it fails none).

    An undecidable check (null) fails, as in :func:`validate.check`.
    """
    code = start
    for i, (_, failed) in reversed(list(enumerate(found))):
        code = pl.when(failed.fill_null(True)).then(pl.lit(i + 1, pl.UInt8)).otherwise(code)
    return code


def _unpadded(callsign: pl.Expr) -> pl.Expr:
    """Trailing spaces off, blank to null: OpenSky pads every callsign to 8 characters.

    Done in the streaming pass (cheap per morsel) rather than after the distinct
    values fail their test (a second pass over 10 M strings); only for a source that
    pads (for clean callsigns it would be wasted work). A callsign that is still not
    canonical is cleaned fully by :func:`_code_pass`; stripping the padding first does
    not change what that cleaning gives.
    """
    stripped = callsign.str.strip_chars_end(" ")
    return pl.when(stripped != "").then(stripped)


def _first_pass(
    lf: pl.LazyFrame, schema: pl.Schema, scale: Mapping[str, float], padded: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Canonical columns (codes as read; callsigns unpadded when ``padded``), the
    row's first failing numeric check, the check names in code order."""
    assumed = {n: True for n in _CODES if schema.get(n) == pl.String}
    present: dict[str, pl.Expr] = {}
    values: dict[str, pl.Expr] = {}
    for name in v.DATA_COLS:
        if name not in schema:
            present[name] = pl.lit(False)
            values[name] = pl.lit(None, POSITIONS[name])
            continue
        dtype = schema[name]
        if name in v.FLOAT_COLS or (name in _CODES and dtype == pl.String):
            present[name] = pl.col(name).is_not_null()  # null after conversion iff before
        else:
            # a conversion that can fail (time, flag, numeric squawk): keep "given" apart
            values[f"_given_{name}"] = pl.col(name).is_not_null()
            present[name] = pl.col(f"_given_{name}")
        if name == "time":
            values[name] = v.to_time(name, dtype)
        elif name in v.FLOAT_COLS:
            values[name] = v.to_float(name, dtype) * scale.get(name, 1.0)
        elif name == "on_ground":
            values[name] = v.to_bool(name, dtype)
        elif name == "callsign" and dtype == pl.String and padded:
            values[name] = _unpadded(pl.col(name))
        else:
            values[name] = v.code_column(name, name, dtype, assumed)
    found = v.checks(present, assumed)
    frame = (
        lf.with_columns(**values)
        .select(
            "_row",
            *v.canonical_columns(),
            *(["source_file"] if "source_file" in schema else []),
            _first_failing(found, pl.lit(0, pl.UInt8)).alias(_CODE),
        )
        .collect(engine="streaming")
    )
    return frame, [reason for reason, _ in found]


def _code_pass(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Clean and check, row by row, the text codes whose distinct values are not clean."""
    clean = v.clean_columns(frame, epoch_only=False, prefix="")
    dirty = [n for n in _CODES if frame.schema.get(n) == pl.String and not clean.get(n, False)]
    if not dirty:
        return frame
    present = {n: pl.lit(True) for n in v.DATA_COLS} | {"squawk": pl.col(_GIVEN)}
    found = dict(v.checks(present, clean))
    # only the code checks can newly fail; the first failing check still wins
    fresh = [(r, found[r] if r in _CODE_REASONS else pl.lit(False)) for r in names]
    new = _first_failing(fresh, pl.lit(None, pl.UInt8))
    old = pl.when(pl.col(_CODE) > 0).then(pl.col(_CODE))
    return (
        frame.lazy()
        .with_columns(pl.col("squawk").is_not_null().alias(_GIVEN))
        .with_columns(v.code_column(n, n, pl.String(), clean).alias(n) for n in dirty)
        .with_columns(pl.min_horizontal(old, new).fill_null(0).alias(_CODE))
        .drop(_GIVEN)
        .collect(engine="streaming")
    )


def check_typed(
    lf: pl.LazyFrame,
    schema: pl.Schema,
    source_file: str,
    source_format: str,
    scale: Mapping[str, float],
) -> v.Checked:
    """:func:`validate.check` for a lazy frame that :func:`typed` accepts (and ``_row``)."""
    frame, names = _first_pass(lf, schema, scale, padded=source_format in _PADDING)
    frame = _code_pass(frame, names)
    file_col = v.file_column("source_file" in schema, source_file)
    tags = v.tag_columns(source_format, file_col)
    code = pl.col(_CODE)
    n_bad = frame.height - int(frame.select((code == 0).sum()).item())
    if n_bad == 0:
        good = frame.select(*v.DATA_COLS, *tags)
        return v.Checked(good, v.empty_quarantine(), frame.height, 0)
    flagged = frame.filter(code > 0)
    good = frame.lazy().filter(code == 0).select(*v.DATA_COLS, *tags).collect()
    rows_read = frame.height
    del frame
    reasons = pl.Series(names, dtype=pl.String)
    flagged = flagged.with_columns(
        reason=reasons.gather(flagged[_CODE].cast(pl.Int64) - 1), _file=file_col
    )
    no_position = flagged.filter(pl.col("reason") == v.NO_POSITION).height
    bad = flagged.filter(pl.col("reason") != v.NO_POSITION)
    given = [n for n in v.DATA_COLS if n in schema]
    bad = bad.rename({n: f"_o_{n}" for n in given})
    quarantine = v.quarantine_rows(bad, bad.schema, given, False, False, source_format)
    return v.Checked(good, quarantine, rows_read, no_position)


__all__ = ["check_typed", "typed"]
