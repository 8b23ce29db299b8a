"""Reference stage: who an aircraft is, and where things are.

Submodules: ``store`` (the data store), ``update`` (import / download), ``registry``
(hex -> registration, type, flags), ``icao_blocks`` (registration country of a hex),
``borders`` (country of a position), ``watchlists``, ``identify`` (``whois``),
``airports``. Nothing loads at import: names below resolve on first use. (The registry
is ``tailwatch.reference.registry.registry()``: a package attribute of that name would
be shadowed by the submodule.)
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> submodule defining it (resolved lazily by ``__getattr__``)
_LAZY: dict[str, str] = {
    "AircraftIdentity": "identify",
    "Watchlists": "watchlists",
    "country_at": "borders",
    "dataset_path": "store",
    "registration_country": "icao_blocks",
    "whois": "identify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AircraftIdentity",
    "Watchlists",
    "country_at",
    "dataset_path",
    "registration_country",
    "whois",
]
