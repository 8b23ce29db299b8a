"""Files written by the ``traffic`` library (pandas): JSON, CSV or Parquet.

Columns (any subset): timestamp, icao24, callsign, latitude, longitude, altitude (ft),
geoaltitude (ft), groundspeed (kt), track (deg), vertical_rate (ft/min), onground,
squawk, last_position. ``timestamp`` is the row's time (epoch ms in JSON, datetime or
ISO text in Parquet/CSV); ``last_position`` is ignored: traffic has already put the
position at ``timestamp``. A squawk pandas turned into a float (``4720.0``, ``25.0``)
becomes ``"4720"``, ``"0025"``.

JSON comes as a list of records or column-oriented (``{"col": {"row": value}}``);
both occur in the published samples. pandas' other orientations (``index``, ``split``,
``table``) and JSON lines (a record per line) are read too; a JSON object in none of
these layouts is an error naming the file, never an empty result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import polars as pl

from tailwatch.errors import UnreadableFileError
from tailwatch.sources import _json
from tailwatch.sources._blob import Blob
from tailwatch.sources.sniff import TRAFFIC_COLUMNS, Layout, scan_csv, sniff
from tailwatch.sources.validate import check

#: traffic column -> canonical column.
RENAME: Final = {
    "timestamp": "time",
    "icao24": "icao24",
    "callsign": "callsign",
    "latitude": "lat",
    "longitude": "lon",
    "altitude": "alt_baro_ft",
    "geoaltitude": "alt_geom_ft",
    "groundspeed": "gs_kt",
    "track": "track_deg",
    "vertical_rate": "vrate_fpm",
    "onground": "on_ground",
    "squawk": "squawk",
}
_COLUMNS: Final = tuple(RENAME)


def _records_json(blob: Blob, data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_json(data, schema=dict.fromkeys(_COLUMNS, pl.String))
        return frame.with_row_index("_row")
    except pl.exceptions.PolarsError:
        pass
    parsed = _json.loads(blob.name, data)
    if not isinstance(parsed, list):
        raise UnreadableFileError(blob.name, "traffic JSON is neither a list nor an object")
    return _fallback(_json.records_frame(parsed, _COLUMNS))


def _fallback(frame: pl.DataFrame) -> pl.DataFrame:
    # Only non-objects carry _raw; the validator writes the others' from their fields.
    return frame.with_row_index("_row").rename({"_raw_bad": "_raw"}).drop("_ok")


def _columns_json(blob: Blob, data: bytes) -> pl.DataFrame:
    try:
        wide = pl.read_json(data, schema={c: pl.Map(pl.String, pl.String) for c in _COLUMNS})
        longs = [
            wide.select(pl.col(c).map.entries().alias("e"))
            .explode("e")
            .unnest("e")
            .drop_nulls("key")
            .with_columns(pl.lit(c).alias("column"))
            for c in _COLUMNS
        ]
        long = pl.concat(longs, how="vertical_relaxed")
    except pl.exceptions.PolarsError:
        return _columns_python(blob, data)
    if long.is_empty():
        return pl.DataFrame(schema={"_row": pl.Int64, **dict.fromkeys(_COLUMNS, pl.String)})
    wide_rows = long.pivot(on="column", index="key", values="value", aggregate_function="first")
    return _order_rows(wide_rows)


def _order_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """pandas' row labels are the index: sort by it and use it as the row number."""
    key = pl.col("key").cast(pl.Int64, strict=False)
    return (
        frame.with_columns(key.alias("_key_int"))
        .sort("_key_int", "key", nulls_last=True)
        .with_row_index("_row")
        .with_columns(pl.coalesce(pl.col("_key_int"), pl.col("_row").cast(pl.Int64)).alias("_row"))
        .drop("_key_int", "key")
    )


def _columns_python(blob: Blob, data: bytes) -> pl.DataFrame:
    parsed: Any = _json.loads(blob.name, data)
    if not isinstance(parsed, dict):
        raise UnreadableFileError(blob.name, "traffic JSON is neither a list nor an object")
    keys: list[str] = []
    seen: set[str] = set()
    for c in _COLUMNS:
        col = parsed.get(c)
        if isinstance(col, dict):
            for k in col:
                if k not in seen:
                    seen.add(k)
                    keys.append(k)
    data_cols: dict[str, pl.Series] = {"key": pl.Series("key", keys, dtype=pl.String)}
    for c in _COLUMNS:
        col = parsed.get(c)
        values = [col.get(k) for k in keys] if isinstance(col, dict) else [None] * len(keys)
        data_cols[c] = _json.text_series(c, values)
    return _order_rows(pl.DataFrame(data_cols))


def _lines_json(blob: Blob, data: bytes) -> pl.DataFrame:
    """JSON lines (pandas ``to_json(orient="records", lines=True)``): a record per line;
    a line that is not a JSON object is a malformed record."""
    try:
        frame = pl.read_ndjson(data, schema=dict.fromkeys(_COLUMNS, pl.String))
        return frame.with_row_index("_row")
    except pl.exceptions.PolarsError:
        pass
    records: list[Any] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line, parse_float=str, parse_int=str, parse_constant=str))
        except (ValueError, RecursionError):
            records.append(line.decode("utf-8", errors="replace"))
    return _fallback(_json.records_frame(records, _COLUMNS))


def _is_json_lines(data: bytes) -> bool:
    """More than one JSON value, the first an object on its own line."""
    first, _, rest = data.lstrip(b"\xef\xbb\xbf \t\r\n").partition(b"\n")
    if not rest.strip():
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _object_json(blob: Blob, data: bytes) -> pl.DataFrame:
    """The other pandas orientations: ``split`` (``columns`` + ``data`` rows),
    ``table`` (``schema`` + ``data`` records) and ``index`` (``{label: record}``)."""
    parsed: Any = _json.loads(blob.name, data)
    if not isinstance(parsed, dict):  # pragma: no cover - the caller saw "{"
        raise UnreadableFileError(blob.name, "traffic JSON is neither a list nor an object")
    rows = parsed.get("data")
    if isinstance(rows, list) and isinstance(parsed.get("columns"), list):
        names = [str(c) for c in parsed["columns"]]
        records = [dict(zip(names, r, strict=False)) if isinstance(r, list) else r for r in rows]
        return _fallback(_json.records_frame(records, _COLUMNS))
    if isinstance(rows, list):
        return _fallback(_json.records_frame(rows, _COLUMNS))
    columns = [v for k, v in parsed.items() if str(k).strip().lower() in _COLUMNS]
    if columns and all(isinstance(v, dict) and not v for v in columns):
        # column-oriented after all, with no rows
        return pl.DataFrame(schema={"_row": pl.Int64, **dict.fromkeys(_COLUMNS, pl.String)})
    if parsed and not columns and all(isinstance(v, dict) for v in parsed.values()):
        keys = list(parsed)
        frame = _json.records_frame([parsed[k] for k in keys], _COLUMNS)
        frame = frame.drop("_ok", "_raw_bad", "_problem", "_detail")
        return _order_rows(frame.with_columns(pl.Series("key", keys, dtype=pl.String)))
    raise UnreadableFileError(
        blob.name,
        "traffic JSON object in no known layout (records, columns, split, table or index)",
    )


def stage_json(blob: Blob) -> pl.DataFrame:
    data = blob.content()
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"[":
        frame = _records_json(blob, data)
    elif start == b"{" and _is_json_lines(data):
        frame = _lines_json(blob, data)
    elif start == b"{":
        # column-oriented (the published samples) unless no column is a top-level key
        frame = _columns_json(blob, data)
        if frame.height == 0:
            frame = _object_json(blob, data)
    else:
        raise UnreadableFileError(blob.name, "not JSON")
    present = [c for c in _COLUMNS if c in frame.columns]
    extra = [c for c in ("_problem", "_detail", "_raw") if c in frame.columns]
    return frame.select(
        pl.col("_row").cast(pl.Int64), *(pl.col(c).alias(RENAME[c]) for c in present), *extra
    )


def stage_csv(blob: Blob) -> pl.LazyFrame:
    """All fields as text (so a bad value is seen, not nulled); lazy for files on disk."""
    return _rename_lazy(scan_csv(blob))


def _rename_lazy(lf: pl.LazyFrame) -> pl.LazyFrame:
    """traffic's columns under canonical names; a file already in tailwatch's own
    positions schema (``tailwatch read -o``: same units) passes under its names,
    keeping the ``source_file`` it names."""
    names = lf.collect_schema().names()
    lower = {n.strip().lower(): n for n in names}
    cols: dict[str, pl.Expr] = {}
    for src, dst in RENAME.items():
        name = lower.get(src, lower.get(dst))
        if name is not None:
            cols[dst] = pl.col(name).alias(dst)
    if _is_positions(set(lower)) and "source_file" in lower:
        cols["source_file"] = pl.col(lower["source_file"]).cast(pl.String).alias("source_file")
    return lf.select("_row", *cols.values())


def _is_positions(cols: set[str]) -> bool:
    return {"time", "icao24", "lat", "lon"} <= cols and bool({"alt_baro_ft", "gs_kt"} & cols)


def stage_parquet(blob: Blob) -> pl.LazyFrame:
    source: Path | bytes = blob.path if blob.path is not None else blob.raw()
    # a row index added after the scan costs less than the reader's own (polars 2.1)
    lf = pl.scan_parquet(source).with_row_index("_row")
    return _rename_lazy(lf)


def stage(blob: Blob, layout: Layout) -> pl.LazyFrame | pl.DataFrame:
    if layout == "json":
        return stage_json(blob)
    if layout == "csv":
        return stage_csv(blob)
    return stage_parquet(blob)


def read_traffic(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One traffic file (JSON, CSV or Parquet) to ``(positions, quarantine)``.

    Positions are in file order, not deduplicated (:func:`read_positions` does that).
    """
    blob = Blob(name=str(path), path=Path(path))
    checked = check(stage(blob, sniff(blob).layout), blob.name, "traffic")
    return checked.good, checked.quarantine


__all__ = ["RENAME", "TRAFFIC_COLUMNS", "read_traffic", "stage"]
