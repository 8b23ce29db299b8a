"""Watchlists: plane-alert-db, our YAML / TOML files, validity, conflicts, bad lines."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tailwatch.errors import WatchlistError
from tailwatch.reference.watchlists import ENTRIES, Watchlists, format_interval

if TYPE_CHECKING:
    from pathlib import Path

YAML_LIST = """\
name: analysts
aircraft:
  - hex: 018019
    registration: 5A-DCN
    label: Government of National Unity
    tags: [head of government, Tripoli]
    sources:
      - https://example.org/a
    valid_from: 2019-01-01
    valid_until: 2021-06-30
  - registration: F-HNAV
    label: ENAC
"""

TOML_LIST = """\
name = "desk"

[[aircraft]]
hex = "018019"
label = "Presidential Council"
valid_from = 2021-01-01

[[aircraft]]
hex = "39b415"
label = "ENAC"  # same label as the YAML list: no conflict
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_plane_alert_db(store: Path) -> None:
    wl = Watchlists.load()
    assert wl.lists == ["plane-alert-db"]
    assert wl.entries.schema == ENTRIES
    assert wl.entries.height == 17_198
    libya = wl.entries_for("5A-DCN").row(0, named=True)
    assert libya["icao24"] == "018019"
    assert libya["label"] == "Gov of Libya"
    assert libya["category"] == "Dictator Alert"
    assert libya["cmpg"] == "Gov"
    assert libya["tags"] == ["Dictator Alert", "Abdul Hamid Dbeibeh", "Free And Fair Elections"]
    assert libya["line"] == 119
    assert libya["valid"]


def test_plane_alert_hex_lost_leading_zero(store: Path) -> None:
    # upstream writes "10166" for SU-BRR, whose hex is 010166
    wl = Watchlists.load()
    assert wl.entries_for("SU-BRR")["icao24"].to_list() == ["010166"]
    assert wl.problems.height == 0


def test_yaml_and_toml_lists(store: Path, tmp_path: Path) -> None:
    wl = Watchlists.load(
        [write(tmp_path, "a.yaml", YAML_LIST), write(tmp_path, "b.toml", TOML_LIST)]
    )
    assert wl.lists == ["plane-alert-db", "analysts", "desk"]
    mine = wl.entries.filter(pl.col("list") == "analysts")
    assert mine["line"].to_list() == [3, 11]
    # the registration-only entry got its hex from the registry
    assert mine["icao24"].to_list() == ["018019", "39b415"]
    assert mine["icao24_from"].to_list() == ["list", "registry"]
    assert mine["tags"][0].to_list() == ["head of government", "Tripoli"]

    at = datetime(2022, 3, 1, tzinfo=UTC)
    got = wl.entries_for(["018019", "5A-DCN"], at).sort("list")
    assert dict(zip(got["list"], got["valid"], strict=True)) == {
        "analysts": False,
        "desk": True,
        "plane-alert-db": True,
    }


def test_validity_bounds(store: Path, tmp_path: Path) -> None:
    wl = Watchlists.load([write(tmp_path, "a.yaml", YAML_LIST)], plane_alert=False)

    def valid(at: datetime) -> bool:
        return bool(wl.entries_for("018019", at)["valid"][0])

    assert not valid(datetime(2018, 12, 31, 23, 59, tzinfo=UTC))
    assert valid(datetime(2019, 1, 1, tzinfo=UTC))  # from: inclusive
    assert valid(datetime(2021, 6, 29, 23, 59, tzinfo=UTC))
    assert not valid(datetime(2021, 6, 30, tzinfo=UTC))  # until: exclusive


def test_match_is_vectorised_join(store: Path, tmp_path: Path) -> None:
    wl = Watchlists.load([write(tmp_path, "a.yaml", YAML_LIST)])
    times = pl.Series([datetime(2020, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)] * 2)
    out = wl.match(pl.Series(["018019", "018019", "ffffff", "39B415"]), times)
    assert out.select("row", "list").rows() == [
        (0, "plane-alert-db"),
        (0, "analysts"),
        (1, "plane-alert-db"),
        (3, "plane-alert-db"),
        (3, "analysts"),
    ]


def test_conflicts_listed(store: Path, tmp_path: Path) -> None:
    wl = Watchlists.load(
        [write(tmp_path, "a.yaml", YAML_LIST), write(tmp_path, "b.toml", TOML_LIST)]
    )
    c = wl.conflicts().filter(pl.col("icao24") == "018019")
    pairs = {(r["list"], r["list_b"]) for r in c.iter_rows(named=True)}
    # plane-alert-db "Gov of Libya" (always) disagrees with both; analysts (..2021-06-30)
    # and desk (2021-01-01..) overlap for six months with different labels.
    assert pairs == {
        ("plane-alert-db", "analysts"),
        ("plane-alert-db", "desk"),
        ("analysts", "desk"),
    }
    assert set(c["kind"]) == {"label"}


def test_sold_aircraft_is_history_not_conflict(tmp_path: Path, store: Path) -> None:
    text = """\
    aircraft:
      - hex: "abc123"
        label: First owner
        valid_until: 2020-01-01
      - hex: "abc123"
        label: Second owner
        valid_from: 2020-01-01
    """
    wl = Watchlists.load([write(tmp_path, "h.yaml", text)], plane_alert=False)
    assert wl.conflicts().height == 0


def test_registration_on_two_hexes_across_lists(tmp_path: Path, store: Path) -> None:
    text = 'aircraft:\n  - hex: "018020"\n    registration: 5A-DCN\n    label: Gov of Libya\n'
    wl = Watchlists.load([write(tmp_path, "x.yaml", text)])
    c = wl.conflicts()
    assert c.select("kind", "icao24", "icao24_b").rows() == [("hex", "018019", "018020")]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("aircraft:\n  - label: nobody\n", 2, "needs a hex or a registration"),
        ("aircraft:\n  - hex: 01801\n    label: x\n", 2, "bad hex"),
        ("aircraft:\n  - hex: 018019\n    label: x\n    valid_from: 2019-13-01\n", 4, "bad date"),
        (
            "aircraft:\n  - hex: 018019\n\n"
            "    valid_from: 2020-01-01\n    valid_until: 2019-01-01\n",
            5,
            "valid_until must be after valid_from",
        ),
        ("aircraft:\n  - hex: 018019\n  - hex: 018019\n    colour: red\n", 4, "unknown key"),
        ("aircraft:\n  - hex: 018019\n    tags: {a: 1}\n", 3, "tags"),
        ("aircraft:\n  - hex: [018019\n", 3, "YAML"),
        ("owner: me\naircraft: []\n", 1, "unknown top-level key"),
    ],
)
def test_bad_yaml_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(WatchlistError, match=problem) as info:
        Watchlists.load([path], plane_alert=False)
    assert (info.value.path, info.value.line) == (str(path), line)
    assert str(info.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('[[aircraft]]\nhex = "018019"\n\n[[aircraft]]\nlabel = "x"\n', 4, "needs a hex"),
        ('[[aircraft]]\nhex = "018019"\n\n[[aircraft]]\nhex = "zz"\n', 5, "bad hex"),
        ('[[aircraft]]\nhex = "018019"\nvalid_until = "soon"\n', 3, "bad date"),
        (
            '[[aircraft]]\nhex = "018019"\nvalid_from = 2020-01-01\nvalid_until = 2020-01-01\n',
            4,
            "valid_until must be after",
        ),
        ('[[aircraft]]\nhex = "018019"\nowner = "x"\n', 3, "unknown key 'owner'"),
        ("[[aircraft]]\nhex = 018019\n", 2, "TOML"),
    ],
)
def test_bad_toml_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(WatchlistError, match=problem) as info:
        Watchlists.load([path], plane_alert=False)
    assert info.value.line == line


def test_plane_alert_style_csv_keeps_bad_rows_aside(tmp_path: Path, store: Path) -> None:
    path = write(
        tmp_path,
        "extra.csv",
        "$ICAO,$Registration,$Operator,Category\n018019,5A-DCN,Gov,Dictator Alert\nxyz,N1,Bad,X\n",
    )
    wl = Watchlists.load([path], plane_alert=False)
    assert wl.entries.height == 1
    assert wl.problems.rows() == [("extra", str(path), 3, "bad hex xyz")]


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="unknown watchlist format"):
        Watchlists.load([write(tmp_path, "x.json", "{}")], plane_alert=False)


def test_format_interval() -> None:
    assert (
        format_interval(datetime(2019, 1, 1, tzinfo=UTC), datetime(2021, 6, 30, tzinfo=UTC))
        == "2019-01-01..2021-06-30"
    )
    assert format_interval(None, datetime(2021, 6, 30, 12, tzinfo=UTC)) == "..2021-06-30T12:00:00Z"
