"""``tailwatch whois``, in process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tailwatch.cli.whois import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

PAST = """\
aircraft:
  - hex: "018019"
    label: Government of National Accord
    sources: [https://example.org/gna]
    valid_from: 2019-01-01
    valid_until: 2021-06-30
"""


def test_whois_registration(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["5A-DCN"]) == 0
    out = capsys.readouterr().out
    assert "5A-DCN  hex 018019" in out
    assert "F900 Dassault Falcon 900EX" in out
    assert "operator:     Gov of Libya" in out
    assert "registered:   Libya (LY)" in out
    assert "Gov of Libya  [Dictator Alert]" in out
    assert "tags: Dictator Alert, Abdul Hamid Dbeibeh, Free And Fair Elections" in out
    assert "plane-alert-db (" in out


def test_whois_hex_same_answer(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["5A-DCN", "--at", "2024-01-01"]) == 0
    by_reg = capsys.readouterr().out
    assert main(["018019", "--at", "2024-01-01"]) == 0
    assert capsys.readouterr().out == by_reg


def test_whois_entry_outside_validity(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.yaml"
    path.write_text(PAST)
    assert main(["5A-DCN", "--at", "2024-05-01", "--watchlist", str(path)]) == 0
    out = capsys.readouterr().out
    assert "not valid on 2024-05-01: valid 2019-01-01..2021-06-30" in out
    assert f"history ({path}:2)" in out
    # the operator is taken from a valid entry only
    assert "operator:     Gov of Libya" in out
    # a label that disagrees over an overlapping period is shown as a conflict
    assert "conflicts between entries:" in out
    assert "'Gov of Libya' (018019) vs history:2 'Government of National Accord'" in out

    assert main(["5A-DCN", "--at", "2020-05-01", "--watchlist", str(path)]) == 0
    out = capsys.readouterr().out
    assert "not valid" not in out
    assert "valid 2019-01-01..2021-06-30" in out


def test_whois_unknown(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ZZ-NOPE"]) == 1
    assert "unknown aircraft" in capsys.readouterr().err


def test_whois_bad_watchlist_line(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[aircraft]]\nhex = "018019"\nvalid_from = "yesterday"\n')
    assert main(["5A-DCN", "--watchlist", str(path)]) == 2
    assert f"{path}:3: valid_from: bad date" in capsys.readouterr().err


def test_whois_empty_store(empty_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["5A-DCN"]) == 2
    err = capsys.readouterr().err
    assert "no reference data: run `tailwatch data import DIR` or `tailwatch data update`" in err


def test_whois_bad_date(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["5A-DCN", "--at", "someday"]) == 2
