"""The only module that touches pyModeS: small typed functions over its public API.

pyModeS 3.x (pure Python) is the decoder of the ``live`` extra. Importing this
module imports pyModeS, so :mod:`tailwatch.live.decode` imports it lazily, when a
decoder is built; a missing extra raises :class:`MissingExtraError`.

Only public pyModeS names are used: ``Message``, ``util`` and ``position``.
Comm-B (DF20/21 MB field) inference is deliberately never called: it is the
costliest part of pyModeS and nothing in the positions table needs it; the
altitude and squawk of DF4/5/20/21 come from their headers (``util.altcode``,
``util.idcode``).
"""

from __future__ import annotations

import math
from typing import Any

from tailwatch.errors import MissingExtraError

try:
    from pyModeS import Message
    from pyModeS import util as _util
    from pyModeS.position import (
        airborne_position_pair,
        airborne_position_with_ref,
        surface_position_pair,
        surface_position_with_ref,
    )
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    _module = "pyModeS"
    raise MissingExtraError(_module, "live") from exc


def crc(msg: str) -> int:
    """CRC-24 remainder: 0 for a valid DF17/18, the address (overlaid) otherwise."""
    return int(_util.crc(msg))


def altitude_ft(msg: str) -> int | None:
    """Altitude in feet from the AC13 field of DF0/4/16/20, None if unknown."""
    alt = _util.altcode(msg)
    return None if alt is None else int(alt)


def squawk(msg: str) -> str | None:
    """Squawk (4 octal digits) from the ID13 field of DF5/21."""
    sq = _util.idcode(msg)
    return None if sq is None else str(sq)


def decode_es(msg: str) -> dict[str, Any]:
    """All fields of one DF17/18 extended squitter, without position resolution.

    pyModeS 3.6.1 truncates the airborne ground speed (TC 19 subtypes 1-2) to an
    integer (160.9 kt -> 160); it is recomputed here from the two velocity
    components, as readsb and rs1090 report it.
    """
    d: dict[str, Any] = Message(msg).decode()
    if d.get("typecode") == 19 and d.get("groundspeed") is not None:
        d["groundspeed"] = _ground_speed(int(msg[8:22], 16))
    return d


def _ground_speed(me: int) -> float:
    """Exact ground speed (kt) of a TC 19 subtype 1-2 ME field (56 bits)."""
    v_ew = ((me >> 32) & 0x3FF) - 1  # ME bits 14-23, offset by one
    v_ns = ((me >> 21) & 0x3FF) - 1  # ME bits 25-34
    scale = 4 if (me >> 48) & 0x7 == 2 else 1  # subtype 2: supersonic, 4 kt units
    return float(math.hypot(v_ew, v_ns) * scale)


def airborne_pair(
    even: tuple[int, int], odd: tuple[int, int], *, even_is_newer: bool
) -> tuple[float, float] | None:
    """Global airborne CPR decoding from an even/odd (lat_cpr, lon_cpr) pair."""
    res = airborne_position_pair(even[0], even[1], odd[0], odd[1], even_is_newer=even_is_newer)
    return None if res is None else (float(res[0]), float(res[1]))


def airborne_local(
    odd: int, lat_cpr: int, lon_cpr: int, ref: tuple[float, float]
) -> tuple[float, float]:
    """Local airborne CPR decoding; ``ref`` must be within 180 NM."""
    lat, lon = airborne_position_with_ref(odd, lat_cpr, lon_cpr, ref[0], ref[1])
    return float(lat), float(lon)


def surface_pair(
    even: tuple[int, int],
    odd: tuple[int, int],
    ref: tuple[float, float],
    *,
    even_is_newer: bool,
) -> tuple[float, float] | None:
    """Global surface CPR decoding; ``ref`` picks the quadrant (within 45 NM)."""
    res = surface_position_pair(
        even[0],
        even[1],
        odd[0],
        odd[1],
        lat_ref=ref[0],
        lon_ref=ref[1],
        even_is_newer=even_is_newer,
    )
    return None if res is None else (float(res[0]), float(res[1]))


def surface_local(
    odd: int, lat_cpr: int, lon_cpr: int, ref: tuple[float, float]
) -> tuple[float, float]:
    """Local surface CPR decoding; ``ref`` must be within 45 NM."""
    lat, lon = surface_position_with_ref(odd, lat_cpr, lon_cpr, ref[0], ref[1])
    return float(lat), float(lon)


__all__ = [
    "airborne_local",
    "airborne_pair",
    "altitude_ft",
    "crc",
    "decode_es",
    "squawk",
    "surface_local",
    "surface_pair",
]
