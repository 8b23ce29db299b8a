"""Rich consoles bound to the *current* stdout/stderr (so in-process tests capture them).

Rich falls back to 80 columns when the output is not a terminal, which crops the
tables in logs and pipes; there we use a wider page unless ``COLUMNS`` says otherwise.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console

_PIPE_WIDTH = 140


def _console(file: TextIO, soft_wrap: bool = False) -> Console:
    width = None if file.isatty() or "COLUMNS" in os.environ else _PIPE_WIDTH
    return Console(file=file, width=width, soft_wrap=soft_wrap)


def stdout() -> Console:
    return _console(sys.stdout)


def stderr() -> Console:
    """Messages and errors: one line each, never hard-wrapped (grep-able, parseable)."""
    return _console(sys.stderr, soft_wrap=True)
