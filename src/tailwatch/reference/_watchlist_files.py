"""Readers of watchlist files into entry rows: plane-alert-db CSV, YAML, TOML.

Our own files (YAML, TOML) are hand-written, so they are checked strictly: the first bad
entry raises :class:`~tailwatch.errors.WatchlistError` with file and line. The
plane-alert-db CSV is published upstream data: a row that cannot be used (bad hex) is
kept aside as a problem with its line, and the rest loads.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from tailwatch._schema import TIME
from tailwatch.errors import WatchlistError

if TYPE_CHECKING:
    from pathlib import Path

#: One row per watchlist entry, whatever file it came from.
ENTRIES = pl.Schema(
    {
        "list": pl.String(),  # list name: the file's `name`, or its stem
        "file": pl.String(),
        "line": pl.Int64(),  # 1-based line of the entry in the file
        "icao24": pl.String(),  # null if only a registration was given and unresolved
        "icao24_from": pl.String(),  # "list" (given) or "registry" (resolved)
        "registration": pl.String(),
        "label": pl.String(),  # person, office or operator
        "category": pl.String(),
        "tags": pl.List(pl.String()),
        "sources": pl.List(pl.String()),
        "notes": pl.String(),
        "typecode": pl.String(),
        "type_name": pl.String(),
        "cmpg": pl.String(),  # plane-alert-db: Civ / Mil / Pol / Gov
        "valid_from": TIME,  # inclusive; null = since always
        "valid_until": TIME,  # exclusive; null = still valid
    }
)

#: Rows of a published CSV that could not be used.
PROBLEMS = pl.Schema(
    {"list": pl.String(), "file": pl.String(), "line": pl.Int64(), "problem": pl.String()}
)

ENTRY_KEYS = frozenset(
    {
        "hex",
        "registration",
        "label",
        "category",
        "tags",
        "sources",
        "notes",
        "valid_from",
        "valid_until",
    }
)
TOP_KEYS = frozenset({"name", "description", "aircraft"})
_HEX = re.compile(r"^[0-9a-fA-F]{6}$")


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)


def to_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ENTRIES) if rows else ENTRIES.to_frame()


def read(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entries and problems of one watchlist file (format from the extension)."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(path, None, f"cannot read: {exc}") from exc
    if suffix == ".csv":
        return read_plane_alert(path, text)
    if suffix in (".yaml", ".yml"):
        parsed = _read_yaml(path, text)
    elif suffix == ".toml":
        parsed = _read_toml(path, text)
    else:
        raise WatchlistError(path, None, "unknown watchlist format: use .yaml, .toml or .csv")
    return to_frame(parsed.rows), PROBLEMS.to_frame()


# --- plane-alert-db CSV --------------------------------------------------------------


def read_plane_alert(
    path: Path, text: str, name: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A plane-alert-db CSV as published: ``$``/``#`` header prefixes are display hints."""
    list_name = name or path.stem
    try:
        raw = pl.read_csv(
            text.encode(),
            infer_schema=False,
            truncate_ragged_lines=True,
            with_column_names=lambda cols: [c.lstrip("$#").strip() for c in cols],
        )
    except pl.exceptions.PolarsError as exc:
        raise WatchlistError(path, None, f"not a readable CSV: {exc}") from exc
    if "ICAO" not in raw.columns:
        raise WatchlistError(path, 1, "not a plane-alert-db CSV: no ICAO column in the header")

    def col(name: str) -> pl.Expr:
        if name not in raw.columns:
            return pl.lit(None, pl.String)
        c = pl.col(name).str.strip_chars()
        return pl.when(c == "").then(None).otherwise(c)

    reg = col("Registration")
    # Placeholders ("????", "Tactical") are not registrations: they would match each other.
    reg_ok = reg.str.contains("[A-Za-z0-9]") & (reg.str.to_lowercase() != "tactical")
    hex_raw = col("ICAO").str.to_lowercase()
    # Upstream has hexes that lost their leading zero ("10166" for SU-BRR, 010166).
    hex_padded = hex_raw.str.zfill(6)
    frame = raw.with_row_index("_i").select(
        pl.lit(list_name).alias("list"),
        pl.lit(str(path)).alias("file"),
        (pl.col("_i").cast(pl.Int64) + 2).alias("line"),  # header is line 1
        pl.when(hex_padded.str.contains(r"^[0-9a-f]{6}$")).then(hex_padded).alias("icao24"),
        hex_raw.alias("_hex_raw"),
        pl.lit("list").alias("icao24_from"),
        pl.when(reg_ok).then(reg).alias("registration"),
        col("Operator").alias("label"),
        col("Category").alias("category"),
        pl.concat_list(col("Tag 1"), col("Tag 2"), col("Tag 3")).list.drop_nulls().alias("tags"),
        pl.concat_list(col("Link")).list.drop_nulls().alias("sources"),
        pl.lit(None, pl.String).alias("notes"),
        col("ICAO Type").alias("typecode"),
        col("Type").alias("type_name"),
        col("CMPG").alias("cmpg"),
        pl.lit(None, TIME).alias("valid_from"),
        pl.lit(None, TIME).alias("valid_until"),
    )
    bad = frame.filter(pl.col("icao24").is_null())
    problems = bad.select(
        "list",
        "file",
        "line",
        pl.format("bad hex {}", pl.col("_hex_raw").fill_null("(empty)")).alias("problem"),
    )
    good = frame.filter(pl.col("icao24").is_not_null()).drop("_hex_raw")
    return good.select(ENTRIES.names()).cast(ENTRIES), problems.cast(PROBLEMS)


# --- our own files: common entry checks ----------------------------------------------


def _parse_when(value: Any, path: Path, line: int, key: str) -> datetime:
    """A date (UTC midnight) or a datetime (naive = UTC) -> aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise WatchlistError(
                path, line, f"{key}: bad date {value!r} (use YYYY-MM-DD or ISO 8601)"
            ) from None
    else:
        raise WatchlistError(path, line, f"{key}: bad date {value!r} (use YYYY-MM-DD)")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _str_list(value: Any, path: Path, line: int, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise WatchlistError(path, line, f"{key}: expected a text or a list of texts")


def _opt_str(value: Any, path: Path, line: int, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    raise WatchlistError(path, line, f"{key}: expected a text, got {value!r}")


def make_row(
    entry: dict[str, Any],
    path: Path,
    list_name: str,
    entry_line: int,
    key_line: dict[str, int],
) -> dict[str, Any]:
    """Check one entry (plain Python values) and turn it into an ENTRIES row."""

    def at(key: str) -> int:
        return key_line.get(key, entry_line)

    for key in entry:
        if key not in ENTRY_KEYS:
            known = ", ".join(sorted(ENTRY_KEYS))
            raise WatchlistError(path, at(key), f"unknown key {key!r} (known: {known})")
    hex_value = entry.get("hex")
    if hex_value is not None and not isinstance(hex_value, str):
        raise WatchlistError(path, at("hex"), f"hex must be quoted text, got {hex_value!r}")
    hex_value = hex_value.strip() if hex_value else None
    if hex_value is not None and not _HEX.match(hex_value):
        raise WatchlistError(path, at("hex"), f"bad hex {hex_value!r}: need 6 hex digits")
    registration = _opt_str(entry.get("registration"), path, at("registration"), "registration")
    if hex_value is None and registration is None:
        raise WatchlistError(path, entry_line, "entry needs a hex or a registration")
    valid_from = valid_until = None
    if entry.get("valid_from") is not None:
        valid_from = _parse_when(entry["valid_from"], path, at("valid_from"), "valid_from")
    if entry.get("valid_until") is not None:
        valid_until = _parse_when(entry["valid_until"], path, at("valid_until"), "valid_until")
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise WatchlistError(
            path, at("valid_until"), "valid_until must be after valid_from (until is exclusive)"
        )
    return {
        "list": list_name,
        "file": str(path),
        "line": entry_line,
        "icao24": hex_value.lower() if hex_value else None,
        "icao24_from": "list" if hex_value else None,
        "registration": registration.upper() if registration else None,
        "label": _opt_str(entry.get("label"), path, at("label"), "label"),
        "category": _opt_str(entry.get("category"), path, at("category"), "category"),
        "tags": _str_list(entry.get("tags"), path, at("tags"), "tags"),
        "sources": _str_list(entry.get("sources"), path, at("sources"), "sources"),
        "notes": _opt_str(entry.get("notes"), path, at("notes"), "notes"),
        "typecode": None,
        "type_name": None,
        "cmpg": None,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def _check_top(keys: dict[str, int], path: Path) -> None:
    for key, line in keys.items():
        if key not in TOP_KEYS:
            known = ", ".join(sorted(TOP_KEYS))
            raise WatchlistError(path, line, f"unknown top-level key {key!r} (known: {known})")


# --- YAML ----------------------------------------------------------------------------

_NULL_TAG = "tag:yaml.org,2002:null"


def _plain(node: yaml.Node, path: Path) -> Any:
    """A node as plain values, every scalar kept as its text (so hex 018019 stays text)."""
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _NULL_TAG else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n, path) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _plain(v, path) for k, v in node.value}
    raise WatchlistError(path, node.start_mark.line + 1, "unsupported YAML node")


def _read_yaml(path: Path, text: str) -> Parsed:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise WatchlistError(path, line, f"YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise WatchlistError(path, None, f"YAML: {exc}") from exc
    list_name = path.stem
    entries: yaml.Node | None = root
    if root is None:
        return Parsed()
    if isinstance(root, yaml.MappingNode):
        _check_top({str(k.value): k.start_mark.line + 1 for k, _ in root.value}, path)
        top = {str(k.value): v for k, v in root.value}
        if "name" in top and isinstance(top["name"], yaml.ScalarNode):
            list_name = str(top["name"].value)
        entries = top.get("aircraft")
        if entries is None:
            return Parsed()
    if not isinstance(entries, yaml.SequenceNode):
        line = entries.start_mark.line + 1 if entries is not None else None
        raise WatchlistError(path, line, "expected a list of aircraft entries")
    parsed = Parsed()
    for node in entries.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise WatchlistError(path, line, "an aircraft entry must be a mapping (key: value)")
        key_line = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        entry = _plain(node, path)
        parsed.rows.append(make_row(entry, path, list_name, line, key_line))
    return parsed


# --- TOML ----------------------------------------------------------------------------

_TOML_HEADER = re.compile(r"^\s*\[\[\s*aircraft\s*\]\]\s*(#.*)?$")
_TOML_AT = re.compile(r"at line (\d+)")


def _toml_key_lines(lines: list[str], start: int, stop: int) -> dict[str, int]:
    found: dict[str, int] = {}
    pattern = re.compile(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""")
    for i in range(start, stop):
        m = pattern.match(lines[i])
        if m:
            found.setdefault(m.group(1), i + 1)
    return found


def _read_toml(path: Path, text: str) -> Parsed:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        raise WatchlistError(path, int(m.group(1)) if m else None, f"TOML: {exc}") from exc
    lines = text.splitlines()
    headers = [i for i, ln in enumerate(lines) if _TOML_HEADER.match(ln)]
    first_table = headers[0] if headers else len(lines)
    top_lines = _toml_key_lines(lines, 0, first_table)
    _check_top({k: top_lines.get(k, 1) for k in doc}, path)
    list_name = str(doc.get("name") or path.stem)
    entries = doc.get("aircraft", [])
    if not isinstance(entries, list):
        raise WatchlistError(
            path, top_lines.get("aircraft"), "aircraft must be [[aircraft]] tables"
        )
    parsed = Parsed()
    for i, entry in enumerate(entries):
        # The i-th [[aircraft]] header is the i-th entry (inline arrays have no headers).
        start = headers[i] if i < len(headers) else None
        stop = headers[i + 1] if i + 1 < len(headers) else len(lines)
        line = start + 1 if start is not None else top_lines.get("aircraft", 1)
        key_line = _toml_key_lines(lines, start + 1, stop) if start is not None else {}
        if not isinstance(entry, dict):
            raise WatchlistError(path, line, "an aircraft entry must be a table")
        parsed.rows.append(make_row(entry, path, list_name, line, key_line))
    return parsed
