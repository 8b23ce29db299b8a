"""Rules parsing: good TOML and YAML; every kind of bad rule names its line."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import pytest

from tailwatch.alerts import load_config
from tailwatch.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

GOOD_TOML = """\
[alerts]
sinks = ["stdout", "jsonl:alerts.jsonl", "json://127.0.0.1:8080/hook"]
link = "http://pi.local/tar1090/?icao={icao24}&showTrace={date}"
retry_base_seconds = 15
retry_max_seconds = 900

[[rules]]
name = "libya-gov"
categories = ["Dictator Alert"]
tags = ["Government"]
airports = ["LLBG", "lclk"]
countries = ["IL"]
near = { lat = 32.0, lon = 34.9, radius_km = 50 }
kinds = ["landed", "stayed", "left", "stopover"]
min_minutes = 30
min_confidence = "observed"
quiet_hours = ["22:00-07:00", "12:00-13:00"]
timezone = "Europe/Paris"
cooldown_minutes = 20

[[rules]]
name = "anything-in-cyprus"
countries = ["CY"]
kinds = [
    "landed",
    "airspace",
]
"""

GOOD_YAML = """\
alerts:
  sinks: [stdout, "jsonl:alerts.jsonl"]
rules:
  - name: libya-gov
    categories: [Dictator Alert]
    airports: [LLBG, LCLK]
    kinds: [landed, stayed, left]
    min_minutes: 30
    quiet_hours: ["22:00-07:00"]
    timezone: UTC
  - name: anything-in-cyprus
    countries: [CY]
    kinds: [landed, airspace]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_toml(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "alerts.toml", GOOD_TOML))
    assert cfg.sinks == ("stdout", "jsonl:alerts.jsonl", "json://127.0.0.1:8080/hook")
    assert cfg.link.startswith("http://pi.local/tar1090/")
    assert (cfg.retry_base_seconds, cfg.retry_max_seconds) == (15, 900)
    gov, cy = cfg.rules
    assert gov.airports == ("LLBG", "LCLK")
    assert gov.near is not None
    assert gov.near.radius_km == 50
    assert gov.kinds == ("landed", "stayed", "left", "stopover")
    assert (gov.min_minutes, gov.min_confidence, gov.cooldown_minutes) == (30, "observed", 20)
    assert gov.quiet is not None
    assert len(gov.quiet.ranges) == 2
    assert str(gov.quiet.tz) == "Europe/Paris"
    assert (gov.line, cy.line) == (7, 21)
    assert cy.kinds == ("landed", "airspace")
    assert cy.min_confidence == "inferred"


def test_good_yaml(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "alerts.yaml", GOOD_YAML))
    assert cfg.sinks == ("stdout", "jsonl:alerts.jsonl")
    gov, cy = cfg.rules
    assert gov.categories == ("Dictator Alert",)
    assert gov.quiet is not None
    assert gov.quiet.tz is UTC
    assert (gov.line, cy.line) == (4, 11)


TOML_HEAD = '[alerts]\nsinks = ["stdout"]\n\n[[rules]]\nname = "a"\n'


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ('colour = "red"\n', 6, "unknown key 'colour'"),
        ('airports = ["LLBG", "LL-BG"]\n', 6, "'LL-BG' is not an ICAO code"),
        ('airports = [\n  "LLBG",\n  "XYZ",\n]\n', 8, "'XYZ' is not an ICAO code"),
        ('countries = ["ISR"]\n', 6, "not an ISO 3166-1 alpha-2"),
        ('kinds = ["landed", "crashed"]\n', 6, "unknown kind 'crashed'"),
        ('quiet_hours = ["22:00-25:00"]\n', 6, "no such time of day"),
        ('quiet_hours = ["late"]\n', 6, "not a range like"),
        ('quiet_hours = ["22:00-07:00"]\ntimezone = "Mars/Olympus"\n', 7, "unknown timezone"),
        ('min_confidence = "none"\n', 6, "never alerts on 'none'"),
        ("cooldown_minutes = -5\n", 6, "must be ≥ 0"),
        ("near = { lat = 32.0, lon = 34.9 }\n", 6, "near needs radius_km"),
        ('icao24 = ["5A-DCN"]\n', 6, "not 6 hex digits"),
        ('\n[[rules]]\nname = "a"\n', 8, "two rules are named 'a'"),
    ],
)
def test_bad_rule_toml(tmp_path: Path, body: str, line: int, problem: str) -> None:
    path = write(tmp_path, "alerts.toml", TOML_HEAD + body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == line, info.value
    assert problem in info.value.problem
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('[alerts]\nsinks = ["stdout", "carrier-pigeon"]\n', 2, "unknown sink 'carrier-pigeon'"),
        ('[alerts]\nsinks = ["nosuchscheme://x/y"]\n', 2, "unknown URL scheme"),
        ('[alerts]\nlink = "https://example.org/"\n', 2, "containing {icao24}"),
        ("[alerts]\nretry = 3\n", 2, "unknown key 'retry'"),
        ('[alert]\nsinks = ["stdout"]\n', 1, "unknown key 'alert'"),
        ("[[rules]\nname = 1\n", 1, "Expected ']]'"),
    ],
)
def test_bad_global_toml(tmp_path: Path, text: str, line: int, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "alerts.toml", text))
    assert info.value.line == line, info.value
    assert problem in info.value.problem


YAML_HEAD = "alerts:\n  sinks: [stdout]\nrules:\n  - name: a\n"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("    colour: red\n", 5, "unknown key 'colour'"),
        ("    airports:\n      - LLBG\n      - XYZ\n", 7, "'XYZ' is not an ICAO code"),
        ("    kinds: [landed, crashed]\n", 5, "unknown kind 'crashed'"),
        ('    quiet_hours: ["07:00-07:00"]\n', 5, "is empty"),
        ("    near: {lat: 32, lon: 34, radius_km: 0}\n", 5, "radius_km must be > 0"),
        ("  - name: b\n    min_confidence: maybe\n", 6, "must be 'observed' or 'inferred'"),
        ("    kinds: [landed\n", 6, "expected ',' or ']'"),
    ],
)
def test_bad_rule_yaml(tmp_path: Path, body: str, line: int, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "alerts.yml", YAML_HEAD + body))
    assert info.value.line == line, info.value
    assert problem in info.value.problem


def test_yaml_bad_sink_line(tmp_path: Path) -> None:
    text = "alerts:\n  sinks:\n    - stdout\n    - ftp:/tmp/x\nrules: []\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "alerts.yaml", text))
    assert info.value.line == 4


def test_unreadable_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=r"\.toml, \.yaml"):
        load_config(write(tmp_path, "alerts.ini", "x"))


@pytest.mark.parametrize(("lang", "suffix"), [("toml", ".toml"), ("yaml", ".yaml")])
def test_docs_example_loads(tmp_path: Path, lang: str, suffix: str) -> None:
    """The full example in docs/alerts.md is a valid config."""
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"
    block = docs.read_text(encoding="utf-8").split(f"```{lang}\n", 1)[1].split("```", 1)[0]
    cfg = load_config(write(tmp_path, "alerts" + suffix, block))
    assert cfg.rules
    assert "stdout" in cfg.sinks
    libya, cyprus = cfg.rules[:2]
    assert libya.sinks is not None
    assert libya.sinks[0].startswith("tgram://")
    assert cyprus.sinks is not None
    assert cyprus.sinks[0].startswith("jsonl:")


PER_RULE_TOML = """\
[alerts]
sinks = ["stdout", "file:alerts.txt"]

[[rules]]
name = "libya-gov"
categories = ["Dictator Alert"]
sinks = [
    "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234567890",
    "mailto://127.0.0.1:2525?from=pi@example.org&to=desk@example.org&mode=insecure",
]

[[rules]]
name = "anything-in-cyprus"
countries = ["CY"]
sinks = ["jsonl:cyprus.jsonl", "jsonl:cyprus.jsonl"]

[[rules]]
name = "everything-else"
"""


def test_per_rule_sinks_toml(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "alerts.toml", PER_RULE_TOML))
    gov, cy, rest = cfg.rules
    assert gov.sinks is not None
    assert [s.split("://")[0] for s in gov.sinks] == ["tgram", "mailto"]
    assert cy.sinks == ("jsonl:cyprus.jsonl",)  # the same sink twice is one sink
    assert rest.sinks is None
    assert cfg.sinks_for(cy) == ("jsonl:cyprus.jsonl",)
    assert cfg.sinks_for(rest) == ("stdout", "file:alerts.txt")
    assert cfg.all_sinks == ("stdout", "file:alerts.txt", *gov.sinks, "jsonl:cyprus.jsonl")


def test_per_rule_sinks_yaml(tmp_path: Path) -> None:
    text = (
        "alerts:\n  sinks: [stdout]\nrules:\n  - name: a\n    sinks: ['jsonl:a.jsonl']\n"
        "  - name: b\n    sinks: 'json://127.0.0.1:8080/hook'\n  - name: c\n"
    )
    cfg = load_config(write(tmp_path, "alerts.yaml", text))
    assert [cfg.sinks_for(r) for r in cfg.rules] == [
        ("jsonl:a.jsonl",),
        ("json://127.0.0.1:8080/hook",),
        ("stdout",),
    ]


MAIL = "mailto://u:{}@127.0.0.1:25?from=p@example.org&to=a@example.org&mode=insecure"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ('sinks = ["stdout", "carrier-pigeon"]\n', 6, "unknown sink 'carrier-pigeon'"),
        ('sinks = [\n  "stdout",\n  "nosuchscheme://x/y",\n]\n', 8, "unknown URL scheme"),
        ('sinks = ["jsonl:"]\n', 6, "no file path"),
        ("sinks = []\n", 6, "sinks is empty"),
        ("sinks = [3]\n", 6, "3 is not a string"),
        (
            f'sinks = ["{MAIL.format("one")}"]\n\n[[rules]]\nname = "b"\n'
            f'sinks = ["{MAIL.format("two")}"]\n',
            10,
            "differ only in a password or token",
        ),
    ],
)
def test_bad_rule_sinks_toml(tmp_path: Path, body: str, line: int, problem: str) -> None:
    path = write(tmp_path, "alerts.toml", TOML_HEAD + body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == line, info.value
    assert problem in info.value.problem


def test_bad_rule_sink_yaml_line(tmp_path: Path) -> None:
    body = "    sinks:\n      - stdout\n      - 'pigeon:coo'\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "alerts.yml", YAML_HEAD + body))
    assert info.value.line == 7
    assert "unknown sink 'pigeon:coo'" in info.value.problem
