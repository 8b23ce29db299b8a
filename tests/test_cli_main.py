"""The command-line dispatcher: help, version, unknown commands, error lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tailwatch.cli import main

if TYPE_CHECKING:
    import pytest


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "tailwatch" in out
    assert "Commands" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "0.1.0" in capsys.readouterr().out


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err
