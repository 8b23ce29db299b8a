"""The one place that touches Apprise (untyped upstream), behind a small typed surface.

Apprise is in the ``live`` extra; a missing install fails at use with the
``pip install 'tailwatch[live]'`` hint, never at import of tailwatch.
"""

from __future__ import annotations

import logging
import re
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

from tailwatch.errors import MissingExtraError

_SECRET = re.compile(r"(://[^/@:?#]*:)([^@/?#]*)(@)")
_SECRET_QUERY = re.compile(
    r"([?&](?:pass|password|token|key|apikey|secret|webhook)=)([^&#]*)", re.IGNORECASE
)


@contextmanager
def _upstream_warnings() -> Iterator[None]:
    """Apprise 2.3 loads its e-mail plugin lazily, which imports the deprecated stdlib
    ``imghdr`` (a DeprecationWarning that is Apprise's, not ours): silenced here only."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        yield


def _apprise() -> Any:
    try:
        with _upstream_warnings():
            import apprise
    except ImportError as exc:
        msg = "apprise"
        raise MissingExtraError(msg, "live") from exc
    return apprise


def is_valid_url(url: str) -> bool:
    """Whether Apprise knows the scheme and can parse the URL (no network)."""
    apprise = _apprise()
    with _upstream_warnings():
        return bool(apprise.Apprise().add(url))


def redact(url: str) -> str:
    """The URL without its password/token: safe to store and print."""
    return _SECRET_QUERY.sub(r"\1***", _SECRET.sub(r"\1***\3", url))


class AppriseClient:
    """One Apprise URL; :meth:`notify` returns ``(ok, detail)`` and never raises."""

    def __init__(self, url: str) -> None:
        apprise = _apprise()
        self._apprise = apprise
        self._obj = apprise.Apprise()
        with _upstream_warnings():
            added = self._obj.add(url)
        if not added:
            msg = f"not a usable Apprise URL: {redact(url)}"
            raise ValueError(msg)

    def notify(self, title: str, body: str) -> tuple[bool, str]:
        with _upstream_warnings(), self._apprise.LogCapture(level=logging.WARNING) as captured:
            try:
                ok = bool(self._obj.notify(title=title, body=body))
            except Exception as exc:
                return False, f"{type(exc).__name__}: {exc}"
            log: str = captured.getvalue()
        lines = [ln.split(" - ", 2)[-1] for ln in log.strip().splitlines() if ln.strip()]
        return ok, "; ".join(lines[-3:])


__all__ = ["AppriseClient", "is_valid_url", "redact"]
