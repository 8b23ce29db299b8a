"""Which reader a file needs, decided from its content (magic bytes, JSON keys, CSV header).

File names lie (readsb writes gzipped traces named ``.json``; archives get renamed),
so the extension is never consulted.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import polars as pl

from tailwatch.errors import UnknownFormatError, UnreadableFileError
from tailwatch.sources._blob import Blob, expand

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

#: The formats a file can hold (``--format`` takes these names).
FORMATS: Final = ("opensky", "traffic", "readsb_trace", "aircraft_json")

Format = Literal["opensky", "traffic", "readsb_trace", "aircraft_json"]
Layout = Literal["csv", "json", "parquet"]

PARQUET_MAGIC: Final = b"PAR1"
OPENSKY_COLUMNS: Final = [
    "time",
    "icao24",
    "lat",
    "lon",
    "velocity",
    "heading",
    "vertrate",
    "callsign",
    "onground",
    "alert",
    "spi",
    "squawk",
    "baroaltitude",
    "geoaltitude",
    "lastposupdate",
    "lastcontact",
]
TRAFFIC_COLUMNS: Final = (
    "timestamp",
    "icao24",
    "callsign",
    "latitude",
    "longitude",
    "altitude",
    "geoaltitude",
    "groundspeed",
    "track",
    "vertical_rate",
    "onground",
    "squawk",
    "last_position",
)
# pandas' column-oriented JSON: {"altitude":{"0":1550,"1":...},...}
_COLUMN_ORIENTED = re.compile(rb'^\{\s*"([A-Za-z_0-9]+)"\s*:\s*\{\s*("[^"]*"\s*:|\})')


@dataclass(frozen=True)
class Sniffed:
    format: Format
    layout: Layout


def _columns_format(columns: list[str]) -> Format | None:
    cols = {c.strip().strip('"').strip().lower() for c in columns}
    if "lastposupdate" in cols or {"baroaltitude", "vertrate"} <= cols:
        return "opensky"
    if "icao24" in cols and ({"latitude", "longitude"} & cols or "timestamp" in cols):
        return "traffic"
    # tailwatch's own positions (``tailwatch read -o``): traffic's units, our names
    if {"time", "icao24", "lat", "lon"} <= cols and {"alt_baro_ft", "gs_kt"} & cols:
        return "traffic"
    return None


#: CSV separators tried on a header, in this order: exports from spreadsheets and SQL
#: shells (Impala's ``-B``, locales with decimal commas) use tabs or semicolons.
_SEPARATORS: Final = (",", "\t", ";")


def _header_format(first_line: str) -> tuple[Format | None, str]:
    """The format a CSV header names, and the separator under which it does (else
    None and ",")."""
    for sep in _SEPARATORS:
        fmt = _columns_format(first_line.split(sep))
        if fmt is not None:
            return fmt, sep
    return None, ","


#: Field values that mean "missing" in CSV exports (R writes ``NA``, SQL shells ``NULL``
#: or ``\N``, quoting writers ``""``): null, not an unparsable value to quarantine.
CSV_NULLS: Final = ["", "NA", "null", "NULL", "\\N"]
_NULL_FIELD = re.compile(rb'(?:^|[,\t;])(?:NA|null|NULL|\\N|"")(?=[,\t;\r\n]|$)', re.MULTILINE)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written, from its first 64 KiB (read once).

    ``names``: the header's column names (unquoted). ``separator``: the one under which
    the header names known columns. ``quote``: ``"`` when the header is quoted (R's
    ``write.csv``, spreadsheets, Python's ``QUOTE_ALL``), else None: OpenSky and pandas
    do not quote these columns, and a stray quote in a garbage line must not swallow
    the lines after it. ``nulls``: :data:`CSV_NULLS` for a quoted file (an export) or
    one whose head holds one of them as a field, else None: matching every field
    against them slows a clean OpenSky CSV read by ~20 %.
    """

    names: frozenset[str]
    separator: str
    quote: str | None
    nulls: list[str] | None


def csv_dialect(blob: Blob) -> CsvDialect:
    """The :class:`CsvDialect` of a CSV file (after :func:`plain_csv`)."""
    head = blob.content_head()
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    line = first.decode("utf-8", errors="replace")
    _, separator = _header_format(line)
    quote = '"' if line.lstrip().startswith('"') else None
    quoted_or_nulls = quote is not None or _NULL_FIELD.search(head) is not None
    return CsvDialect(
        names=frozenset(n.strip().strip('"') for n in line.split(separator)),
        separator=separator,
        quote=quote,
        nulls=CSV_NULLS if quoted_or_nulls else None,
    )


def scan_csv(
    blob: Blob, types: Mapping[str, pl.DataType | type[pl.DataType]] | None = None
) -> pl.LazyFrame:
    """A CSV file (or a pipe table, :func:`plain_csv`) in its own dialect, every field
    as text except ``types`` of the columns its header names, with ``_row``; lazy for
    a plain file on disk. Text, so a bad value reaches the validator instead of being
    nulled; ragged lines are cut, not fatal."""
    blob = plain_csv(blob)
    dialect = csv_dialect(blob)
    source = blob.path if blob.path is not None and not blob.gzipped else blob.content()
    overrides = {k: v for k, v in types.items() if k in dialect.names} if types else None
    return pl.scan_csv(
        source,
        separator=dialect.separator,
        infer_schema=False,
        schema_overrides=overrides,
        quote_char=dialect.quote,
        null_values=dialect.nulls,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        row_index_name="_row",
    )


def _is_pipe_table(text: bytes) -> bool:
    """A pretty-printed SQL-shell table: ``| a | b |`` rows between ``+---+`` borders
    (the Impala and Trino shells print query results that way)."""
    return text.startswith((b"+-", b"|"))


def _pipe_header(text: bytes) -> list[str]:
    for line in text.splitlines():
        if line.strip().startswith(b"|"):
            return line.decode("utf-8", errors="replace").strip().strip("|").split("|")
    return []


def plain_csv(blob: Blob) -> Blob:
    """``blob`` as plain CSV: a pipe table becomes comma-separated rows (borders dropped,
    padding stripped, ``NULL`` as an empty field); any other file is returned as is."""
    if not _is_pipe_table(blob.content_head(256).lstrip(b"\xef\xbb\xbf \t\r\n")):
        return blob
    lines = pl.Series(blob.content().decode("utf-8", errors="replace").splitlines())
    rows = (
        pl.select(line=lines)
        .filter(pl.col("line").str.strip_chars().str.starts_with("|"))
        .select(
            # "| a  | NULL |" -> "|a|NULL|" -> "|a||" -> "a,"
            pl.concat_str(
                pl.lit("|"),
                pl.col("line")
                .str.strip_chars()
                .str.strip_chars("|")
                .str.replace_all(r"\s*\|\s*", "|")
                .str.strip_chars(),
                pl.lit("|"),
            )
            .str.replace_all(r"\|NULL\|", "||")
            .str.replace_all(r"\|NULL\|", "||")  # a second pass for adjacent NULLs
            .str.strip_chars("|")
            .str.replace_all(r"\|", ",")
            .alias("row")
        )
    )
    text = rows["row"].str.join("\n").item() + "\n" if rows.height else ""
    return Blob(name=blob.name, data=text.encode())


def _parquet_format(blob: Blob) -> Format | None:
    source: Path | io.BytesIO = blob.path if blob.path is not None else io.BytesIO(blob.raw())
    try:
        names = list(pl.read_parquet_schema(source))
    except Exception as exc:  # polars raises several types for broken files
        raise UnreadableFileError(blob.name, f"broken Parquet file ({exc})") from exc
    return _columns_format(names)


def _json_format(text: bytes) -> Format | None:
    head = text[:4096]
    if head.startswith(b"{"):
        if b'"icao"' in text and b'"trace"' in text:
            return "readsb_trace"
        if b'"aircraft"' in text and b'"now"' in text:
            return "aircraft_json"
        match = _COLUMN_ORIENTED.match(head)
        if match and match.group(1).decode().lower() in TRAFFIC_COLUMNS:
            return "traffic"
    if any(f'"{c}"'.encode() in text for c in ("icao24", "latitude", "timestamp")):
        return "traffic"
    return None


def sniff(blob: Blob) -> Sniffed:
    """The format of one data file (not a directory or tar: see :func:`detect_format`)."""
    raw_head = blob.head(8)
    if not raw_head:
        raise UnreadableFileError(blob.name, "empty file")
    if raw_head.startswith(PARQUET_MAGIC):
        fmt = _parquet_format(blob)
        if fmt is None:
            raise UnknownFormatError(blob.name, "Parquet file without position columns")
        return Sniffed(fmt, "parquet")
    head = blob.content_head()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        if blob.gzipped:
            blob.content()  # raises: a gzip that yields nothing is truncated or corrupt
        raise UnreadableFileError(blob.name, "empty file")
    if text[:1] in (b"{", b"["):
        json_fmt = _json_format(text)
        if json_fmt is None:
            raise UnknownFormatError(blob.name, "JSON without known position fields")
        return Sniffed(json_fmt, "json")
    if _is_pipe_table(text):
        csv_fmt = _columns_format(_pipe_header(text))
        if csv_fmt is None:
            raise UnknownFormatError(blob.name, "a table without known position columns")
        return Sniffed(csv_fmt, "csv")
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    csv_fmt, _ = _header_format(first_line)
    if csv_fmt is None:
        raise UnknownFormatError(
            blob.name, "unknown format (not OpenSky, traffic, readsb trace or aircraft.json)"
        )
    return Sniffed(csv_fmt, "csv")


def detect_format(path: str | Path) -> str:
    """The format of a file, directory or tar archive (of its first data file)."""
    for item in expand(path):
        if isinstance(item, UnreadableFileError):
            raise item
        return sniff(item).format
    raise UnreadableFileError(path, "no data files")


__all__ = [
    "CSV_NULLS",
    "FORMATS",
    "CsvDialect",
    "Format",
    "Layout",
    "Sniffed",
    "csv_dialect",
    "detect_format",
    "plain_csv",
    "scan_csv",
    "sniff",
]
