"""The exception tree. Every error tailwatch raises on purpose is one of these.

::

    TailwatchError
    ├── InputError (also ValueError)        bad input from a user or a file
    │   ├── UnreadableFileError             a whole file cannot be read (format, gzip, empty)
    │   ├── UnknownFormatError              content matches no reader
    │   ├── WatchlistError                  a bad watchlist line
    │   └── ConfigError                     a bad config / alert rule
    ├── ReferenceDataError                  reference data missing or corrupt
    ├── MissingExtraError (also ImportError) an optional dependency is not installed
    └── FeedError                           a live feed failed (after retries)

Errors carry their data as attributes so callers and tests need not parse messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class TailwatchError(Exception):
    """Root of every error tailwatch raises on purpose."""


class InputError(TailwatchError, ValueError):
    """Bad input: a file, a record, an argument."""


class UnreadableFileError(InputError):
    """A whole file cannot be read. Names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnknownFormatError(UnreadableFileError):
    """The file's content matches none of the known formats."""


class WatchlistError(InputError):
    """A bad watchlist entry, with the file and line where it is."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class ConfigError(InputError):
    """A bad configuration entry or alert rule, with file and line."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class ReferenceDataError(TailwatchError):
    """Reference data (airports, registry, watchlists...) is missing or corrupt."""


class MissingExtraError(TailwatchError, ImportError):
    """An optional dependency is needed; the message says which extra to install."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{module} is not installed: pip install 'tailwatch[{extra}]'",
        )


class FeedError(TailwatchError):
    """A live feed could not be read."""


__all__ = [
    "ConfigError",
    "FeedError",
    "InputError",
    "MissingExtraError",
    "ReferenceDataError",
    "TailwatchError",
    "UnknownFormatError",
    "UnreadableFileError",
    "WatchlistError",
]
