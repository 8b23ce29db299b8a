"""Alert rules: the config file (TOML or YAML), validated at start-up.

Every problem is a :class:`~tailwatch.errors.ConfigError` naming the file, the line
and the problem, so a daemon refuses to start on a bad rule instead of silently never
alerting. The format, with a full example, is in ``docs/alerts.md``::

    [alerts]                     # optional: global settings
    sinks = ["stdout", "jsonl:alerts.jsonl", "json://127.0.0.1:8080/hook"]
    link = "https://globe.adsbexchange.com/?icao={icao24}&showTrace={date}"
    retry_base_seconds = 30      # first retry after 30 s, then 60, 120 ... capped
    retry_max_seconds = 3600

    [[rules]]
    name = "libya-gov"
    categories = ["Dictator Alert"]
    airports = ["LLBG", "LCLK"]
    kinds = ["landed", "stayed", "left"]
    min_minutes = 60             # for "stayed"
    quiet_hours = ["22:00-07:00"]
    timezone = "Europe/Paris"
    cooldown_minutes = 30

YAML has the same structure (``alerts:`` mapping, ``rules:`` list). Line numbers come
from ``yaml.compose`` marks for YAML and from scanning the text for TOML (tables and
keys; a value inside a multi-line array is found on its own line when it can be).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from tailwatch.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

#: Event kinds a rule can alert on.
KINDS: tuple[str, ...] = ("landed", "stayed", "left", "stopover", "airspace")
#: Confidence classes a rule may require, weakest last. "none" is never alerted on.
CONFIDENCES: tuple[str, ...] = ("observed", "inferred")
DEFAULT_LINK = "https://globe.adsbexchange.com/?icao={icao24}&showTrace={date}"

_RULE_KEYS = frozenset(
    {
        "name",
        "watched_only",
        "icao24",
        "watchlists",
        "categories",
        "tags",
        "labels",
        "airports",
        "countries",
        "near",
        "kinds",
        "min_minutes",
        "stopover_max_minutes",
        "min_confidence",
        "quiet_hours",
        "timezone",
        "cooldown_minutes",
        "sinks",
    }
)
_GLOBAL_KEYS = frozenset({"sinks", "link", "retry_base_seconds", "retry_max_seconds"})
_TOP_KEYS = frozenset({"alerts", "rules"})
_ICAO = re.compile(r"^[A-Z0-9]{4}$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_HEX = re.compile(r"^[0-9a-f]{6}$")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_LOCAL_SINKS = ("stdout", "jsonl:", "file:")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class QuietHours:
    """Daily ranges (start inclusive, end exclusive) in a time zone; may wrap midnight."""

    ranges: tuple[tuple[time, time], ...]
    tz: tzinfo = UTC

    def _inside(self, local: datetime) -> tuple[time, time] | None:
        t = local.time().replace(tzinfo=None)
        for start, end in self.ranges:
            inside = start <= t < end if start < end else (t >= start or t < end)
            if inside:
                return start, end
        return None

    def held_until(self, at: datetime) -> datetime | None:
        """End of the quiet period ``at`` (aware) falls in, in UTC; ``None`` if not quiet."""
        local = at.astimezone(self.tz)
        found = self._inside(local)
        if found is None:
            return None
        for _ in range(len(self.ranges) + 1):  # back-to-back ranges chain
            _, end = found
            candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
            if candidate <= local:
                candidate += timedelta(days=1)
            # re-anchor in the zone (DST changes between now and the end)
            candidate = candidate.replace(tzinfo=None).replace(tzinfo=self.tz)
            local = candidate
            found = self._inside(local)
            if found is None:
                break
        return local.astimezone(UTC)


@dataclass(frozen=True)
class Near:
    """A circle: airports within ``radius_km`` of (lat, lon)."""

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class Rule:
    """One alert rule. Empty selector tuples mean "any"."""

    name: str
    kinds: tuple[str, ...] = ("landed", "left")
    watched_only: bool = True
    icao24: tuple[str, ...] = ()
    watchlists: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    airports: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    near: Near | None = None
    min_minutes: float = 60.0
    stopover_max_minutes: float = 90.0
    min_confidence: str = "inferred"
    quiet: QuietHours | None = None
    cooldown_minutes: float = 0.0
    sinks: tuple[str, ...] | None = None  # None: the global [alerts] sinks
    line: int | None = None

    def accepts(self, confidence: str | None) -> bool:
        """Whether a claim of this confidence is strong enough (never ``none``/null)."""
        if confidence not in CONFIDENCES:
            return False
        return CONFIDENCES.index(confidence) <= CONFIDENCES.index(self.min_confidence)


@dataclass(frozen=True)
class AlertConfig:
    """Rules and global settings, as loaded from the config file."""

    rules: tuple[Rule, ...] = ()
    sinks: tuple[str, ...] = ("stdout",)
    link: str = DEFAULT_LINK
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    path: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def sinks_for(self, rule: Rule) -> tuple[str, ...]:
        """The sink specs a rule's alerts go to: its own ``sinks``, else the global list."""
        return rule.sinks if rule.sinks is not None else self.sinks

    @property
    def all_sinks(self) -> tuple[str, ...]:
        """Every sink spec in use (global list first, then the rules'), each once."""
        specs = list(self.sinks)
        for rule in self.rules:
            specs.extend(self.sinks_for(rule))
        return tuple(dict.fromkeys(specs))


# -- reading with line numbers ---------------------------------------------------------


def _yaml_value(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _yaml_value(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(v, (*path, i), lines) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _read_yaml(path: Path, text: str) -> tuple[Any, dict[Path_, int]]:
    lines: dict[Path_, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(path, mark.line + 1 if mark else None, str(exc.problem)) from exc
    if node is None:
        return {}, lines
    return _yaml_value(node, (), lines), lines


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


def _toml_lines(text: str) -> dict[Path_, int]:
    """Line of each table, array-of-tables element, key and (multi-line) array item."""
    lines: dict[Path_, int] = {}
    counts: dict[str, int] = {}
    table: Path_ = ()
    array_key: Path_ | None = None
    array_index = 0
    for n, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        header = _TOML_HEADER.match(raw)
        if header and array_key is None:
            name = header.group(2).strip().strip("\"'")
            if header.group(1) == "[[":
                i = counts.get(name, 0)
                counts[name] = i + 1
                table = (name, i)
            else:
                table = (name,)
            lines[table] = n
            continue
        key = _TOML_KEY.match(line)
        if key and array_key is None:
            name = key.group(1).strip("\"'")
            lines[(*table, name)] = n
            rest = line[key.end() :].strip()
            if rest.startswith("[") and rest.count("[") > rest.count("]"):
                array_key, array_index = (*table, name), 0
                array_index += _count_items(rest[1:], lines, array_key, array_index, n)
            elif rest.startswith("[") or rest.startswith("{"):
                for i, _ in enumerate(_split_items(rest[1:-1])):
                    lines[(*table, name, i)] = n
            continue
        if array_key is not None:
            stripped = line.strip()
            if stripped.startswith("]"):
                array_key = None
                continue
            array_index += _count_items(stripped, lines, array_key, array_index, n)
            if stripped.endswith("]") and stripped.count("]") > stripped.count("["):
                array_key = None
    return lines


def _strip_comment(line: str) -> str:
    """The line without its ``# comment`` (a ``#`` inside a string is kept)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _split_items(body: str) -> list[str]:
    items, depth, cur, quote = [], 0, "", ""
    for ch in body:
        if quote:
            cur += ch
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        cur += ch
    if cur.strip():
        items.append(cur)
    return [i for i in items if i.strip()]


def _count_items(text: str, lines: dict[Path_, int], key: Path_, start: int, n: int) -> int:
    body = text.rstrip().removesuffix("]") if text.rstrip().endswith("]") else text
    items = _split_items(body)
    for i in range(len(items)):
        lines[(*key, start + i)] = n
    return len(items)


def _read_toml(path: Path, text: str) -> tuple[Any, dict[Path_, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path, int(match.group(1)) if match else None, str(exc)) from exc
    return data, _toml_lines(text)


# -- validation -------------------------------------------------------------------------


class _Checker:
    def __init__(self, path: Path, lines: dict[Path_, int]) -> None:
        self.path = path
        self.lines = lines

    def line(self, where: Path_) -> int | None:
        p = where
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None

    def fail(self, where: Path_, problem: str) -> ConfigError:
        return ConfigError(self.path, self.line(where), problem)

    def mapping(self, value: Any, where: Path_, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"{what} must be a table/mapping")
        return value

    def unknown(self, value: dict[str, Any], allowed: frozenset[str], where: Path_) -> None:
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail((*where, key), f"unknown key {key!r} (known: {known})")

    def strings(
        self, value: Any, where: Path_, check: Callable[[str], str | None] | None = None
    ) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(where, f"{where[-1]} must be a list of strings")
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail((*where, i), f"{where[-1]}: {item!r} is not a string")
            if check is not None:
                problem = check(item)
                if problem:
                    raise self.fail((*where, i), problem)
            out.append(item)
        return tuple(out)

    def number(self, value: Any, where: Path_, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.fail(where, f"{where[-1]} must be a number, not {value!r}")
        if value < minimum:
            raise self.fail(where, f"{where[-1]} must be ≥ {minimum:g}, not {value!r}")
        return float(value)


def _check_icao(code: str) -> str | None:
    if not _ICAO.match(code.upper()):
        return f"airport {code!r} is not an ICAO code (4 letters/digits, e.g. LLBG)"
    return None


def _check_iso(code: str) -> str | None:
    if not _ISO2.match(code.upper()):
        return f"country {code!r} is not an ISO 3166-1 alpha-2 code (e.g. IL)"
    return None


def _check_hex(code: str) -> str | None:
    if not _HEX.match(code.lower()):
        return f"icao24 {code!r} is not 6 hex digits"
    return None


def _check_kind(kind: str) -> str | None:
    if kind not in KINDS:
        return f"unknown kind {kind!r} (known: {', '.join(KINDS)})"
    return None


def _check_range(text: str) -> str | None:
    m = _RANGE.match(text)
    if m is None:
        return f"quiet hours {text!r} is not a range like '22:00-07:00'"
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        return f"quiet hours {text!r}: no such time of day"
    if (h1, m1) == (h2 % 24, m2):
        return f"quiet hours {text!r} is empty (start equals end)"
    return None


def _parse_range(text: str) -> tuple[time, time]:
    m = _RANGE.match(text)
    assert m is not None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    return time(h1, m1), time(h2 % 24, m2)


def check_sink(url: str) -> str | None:
    """The problem with a sink URL, or ``None`` when it can be used."""
    if url == "stdout":
        return None
    if url.startswith("jsonl:") or (url.startswith("file:") and not url.startswith("file://")):
        return None if url.split(":", 1)[1].strip() else f"sink {url!r}: no file path"
    if "://" not in url:
        return (
            f"unknown sink {url!r}: use stdout, jsonl:PATH, file:PATH or an Apprise URL "
            "(json://, mailto://, tgram://, discord://, ntfy://, ...)"
        )
    from tailwatch.alerts._apprise import is_valid_url

    if not is_valid_url(url):
        scheme = url.split("://", 1)[0]
        return f"sink {scheme}://...: unknown URL scheme or bad Apprise URL"
    return None


def _timezone(c: _Checker, value: Any, where: Path_) -> tzinfo:
    if not isinstance(value, str):
        raise c.fail(where, "timezone must be a string ('UTC', 'local' or e.g. 'Europe/Paris')")
    if value.upper() == "UTC":
        return UTC
    if value == "local":
        local = datetime.now(UTC).astimezone().tzinfo
        return local if local is not None else UTC
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise c.fail(where, f"unknown timezone {value!r}") from exc


def _near(c: _Checker, value: Any, where: Path_) -> Near:
    m = c.mapping(value, where, "near")
    c.unknown(m, frozenset({"lat", "lon", "radius_km"}), where)
    for key in ("lat", "lon", "radius_km"):
        if key not in m:
            raise c.fail(where, f"near needs {key}")
    lat = c.number(m["lat"], (*where, "lat"), minimum=-90.0)
    lon = c.number(m["lon"], (*where, "lon"), minimum=-180.0)
    if lat > 90 or lon > 180:
        raise c.fail(where, f"near: ({lat}, {lon}) is not a position")
    radius = c.number(m["radius_km"], (*where, "radius_km"))
    if radius <= 0:
        raise c.fail((*where, "radius_km"), "near: radius_km must be > 0")
    return Near(lat, lon, radius)


def _rule(c: _Checker, value: Any, i: int) -> Rule:
    where: Path_ = ("rules", i)
    r = c.mapping(value, where, f"rule {i + 1}")
    c.unknown(r, _RULE_KEYS, where)
    name = r.get("name", f"rule-{i + 1}")
    if not isinstance(name, str) or not name.strip():
        raise c.fail((*where, "name"), "name must be a non-empty string")
    kw: dict[str, Any] = {"name": name.strip(), "line": c.line(where)}
    if "kinds" in r:
        kinds = c.strings(r["kinds"], (*where, "kinds"), _check_kind)
        if not kinds:
            raise c.fail((*where, "kinds"), "kinds is empty: the rule would never alert")
        kw["kinds"] = tuple(dict.fromkeys(kinds))
    if "watched_only" in r:
        if not isinstance(r["watched_only"], bool):
            raise c.fail((*where, "watched_only"), "watched_only must be true or false")
        kw["watched_only"] = r["watched_only"]
    for key in ("watchlists", "categories", "tags", "labels"):
        if key in r:
            kw[key] = c.strings(r[key], (*where, key))
    if "icao24" in r:
        kw["icao24"] = tuple(
            s.lower() for s in c.strings(r["icao24"], (*where, "icao24"), _check_hex)
        )
    if "airports" in r:
        airports = c.strings(r["airports"], (*where, "airports"), _check_icao)
        kw["airports"] = tuple(a.upper() for a in airports)
    if "countries" in r:
        countries = c.strings(r["countries"], (*where, "countries"), _check_iso)
        kw["countries"] = tuple(x.upper() for x in countries)
    if "near" in r:
        kw["near"] = _near(c, r["near"], (*where, "near"))
    for key in ("min_minutes", "stopover_max_minutes", "cooldown_minutes"):
        if key in r:
            kw[key] = c.number(r[key], (*where, key))
    if "min_confidence" in r:
        conf = r["min_confidence"]
        if conf not in CONFIDENCES:
            raise c.fail(
                (*where, "min_confidence"),
                f"min_confidence must be 'observed' or 'inferred', not {conf!r}"
                + (" (tailwatch never alerts on 'none')" if conf == "none" else ""),
            )
        kw["min_confidence"] = conf
    tz = _timezone(c, r["timezone"], (*where, "timezone")) if "timezone" in r else UTC
    if "quiet_hours" in r:
        ranges = c.strings(r["quiet_hours"], (*where, "quiet_hours"), _check_range)
        if ranges:
            kw["quiet"] = QuietHours(tuple(_parse_range(x) for x in ranges), tz)
    elif "timezone" in r:
        raise c.fail((*where, "timezone"), "timezone is only used with quiet_hours")
    if "sinks" in r:
        sinks = c.strings(r["sinks"], (*where, "sinks"), check_sink)
        if not sinks:
            raise c.fail(
                (*where, "sinks"),
                "sinks is empty: the rule's alerts would go nowhere "
                "(leave it out to use the [alerts] sinks)",
            )
        kw["sinks"] = tuple(dict.fromkeys(sinks))
    return Rule(**kw)


def _check_sink_names(c: _Checker, global_sinks: tuple[str, ...], rules: tuple[Rule, ...]) -> None:
    """Two different sinks must not share an outbox name (it hides their secrets)."""
    from tailwatch.alerts.sinks import sink_name

    places: list[tuple[str, Path_]] = [
        (s, ("alerts", "sinks", i)) for i, s in enumerate(global_sinks)
    ]
    for i, rule in enumerate(rules):
        places += [(s, ("rules", i, "sinks", j)) for j, s in enumerate(rule.sinks or ())]
    by_name: dict[str, str] = {}
    for spec, where in places:
        name = sink_name(spec)
        other = by_name.setdefault(name, spec)
        if other != spec and not spec.startswith(("jsonl:", "file:")):
            raise c.fail(
                where,
                f"two sinks would both be stored as {name!r} (they differ only in a "
                "password or token): the outbox could not tell them apart",
            )


def parse_config(data: Any, path: str | Path, lines: dict[Path_, int]) -> AlertConfig:
    """Validate a loaded config (dicts and lists) into an :class:`AlertConfig`."""
    c = _Checker(Path(path), lines)
    top = c.mapping(data, (), "the config file")
    c.unknown(top, _TOP_KEYS, ())
    glob = c.mapping(top.get("alerts", {}), ("alerts",), "[alerts]")
    c.unknown(glob, _GLOBAL_KEYS, ("alerts",))
    kw: dict[str, Any] = {"path": str(path)}
    if "sinks" in glob:
        kw["sinks"] = tuple(
            dict.fromkeys(c.strings(glob["sinks"], ("alerts", "sinks"), check_sink))
        )
    if "link" in glob:
        link = glob["link"]
        if not isinstance(link, str) or "{icao24}" not in link:
            raise c.fail(("alerts", "link"), "link must be a URL template containing {icao24}")
        try:
            link.format(icao24="abc123", date="2025-01-01", registration="X")
        except (KeyError, IndexError, ValueError) as exc:
            raise c.fail(("alerts", "link"), f"link template: bad placeholder {exc}") from exc
        kw["link"] = link
    for key in ("retry_base_seconds", "retry_max_seconds"):
        if key in glob:
            kw[key] = c.number(glob[key], ("alerts", key))
    rules_value = top.get("rules", [])
    if not isinstance(rules_value, list):
        raise c.fail(("rules",), "rules must be a list ([[rules]] tables in TOML)")
    rules = tuple(_rule(c, r, i) for i, r in enumerate(rules_value))
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.name in seen:
            raise c.fail(("rules", i, "name"), f"two rules are named {rule.name!r}")
        seen.add(rule.name)
    _check_sink_names(c, kw.get("sinks", ()), rules)
    return AlertConfig(
        rules=rules, lines={"/".join(map(str, k)): v for k, v in lines.items()}, **kw
    )


def load_config(path: str | Path) -> AlertConfig:
    """Read and validate an alert config (``.toml``, ``.yaml``/``.yml``).

    Raises :class:`~tailwatch.errors.ConfigError` (file, line, problem) on any bad
    rule, so that the daemon stops at start-up rather than run without alerting.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(p, None, f"cannot read the config file: {exc}") from exc
    suffix = p.suffix.lower()
    if suffix == ".toml":
        data, lines = _read_toml(p, text)
    elif suffix in (".yaml", ".yml"):
        data, lines = _read_yaml(p, text)
    else:
        raise ConfigError(p, None, "config file must end in .toml, .yaml or .yml")
    return parse_config(data, p, lines)


__all__ = [
    "CONFIDENCES",
    "DEFAULT_LINK",
    "KINDS",
    "AlertConfig",
    "Near",
    "QuietHours",
    "Rule",
    "check_sink",
    "load_config",
    "parse_config",
]
