"""Rich consoles bound to the *current* stdout/stderr (so in-process tests capture them)."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def stderr() -> Console:
    return Console(file=sys.stderr, soft_wrap=True)
