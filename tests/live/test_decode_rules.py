"""ModeSDecoder rules on hand-built frames whose answer is known by hand.

Test vectors from "The 1090 MHz Riddle" (Junzi Sun): the even/odd pair of 40621D
decodes to 52.2572, 3.91937; 4840D6 identifies as KLM1023; 485020 flies 159 kt.
"""

from __future__ import annotations

import sys

import pytest

import tailwatch.live
from tailwatch._schema import POSITIONS
from tailwatch.errors import MissingExtraError
from tailwatch.live import _pymodes as pm
from tailwatch.live.decode import DecoderSettings, ModeSDecoder

EVEN = "8D40621D58C382D690C8AC2863A7"
ODD = "8D40621D58C386435CC412692AD6"
IDENT = "8D40621D202CC371C32CE0576098"  # KLM1023's ME, readdressed below
VELOCITY = "8D485020994409940838175B284F"


def with_parity(msg: str, address: int = 0) -> str:
    """Recompute the 24 parity bits (overlaid with ``address`` for DF0/4/5/20/21)."""
    body = msg[:-6] + "000000"
    return body[:-6] + f"{pm.crc(body) ^ address:06X}"


def readdress(msg: str, icao: str) -> str:
    return with_parity(msg[:2] + icao + msg[8:])


def short(df: int, field13: int, address: int) -> str:
    """A DF4/5 reply: FS=0, DR=0, UM=0, AC/ID field, address/parity."""
    n = (df << 51) | (field13 << 24)
    return with_parity(f"{n:014X}", address)


def test_global_pair_then_local() -> None:
    dec = ModeSDecoder()
    out = dec.decode([0.0, 1.0], [ODD, EVEN])
    assert out.schema == POSITIONS
    assert out.height == 1  # the first frame alone cannot be placed
    assert dec.counters.cpr_pending == 1
    row = out.row(0, named=True)
    assert row["lat"] == pytest.approx(52.25720, abs=1e-5)
    assert row["lon"] == pytest.approx(3.91937, abs=1e-5)
    assert row["alt_baro_ft"] == 38000
    assert row["on_ground"] is False
    assert row["icao24"] == "40621d"
    # a single frame 5 s later is placed locally from the last position
    out2 = dec.decode([6.0], [EVEN])
    assert out2.height == 1
    assert out2["lat"][0] == pytest.approx(52.25720, abs=1e-5)


def test_pair_too_far_apart_waits() -> None:
    dec = ModeSDecoder()
    assert dec.decode([0.0, 11.0], [ODD, EVEN]).height == 0
    assert dec.counters.cpr_pending == 2


def test_bytes_frames_equal_hex_frames() -> None:
    a = ModeSDecoder().decode([0.0, 1.0], [ODD, EVEN])
    b = ModeSDecoder().decode([0.0, 1.0], [bytes.fromhex(ODD), bytes.fromhex(EVEN)])
    assert a.equals(b)


def test_rows_carry_callsign_velocity_squawk() -> None:
    dec = ModeSDecoder()
    ident = readdress(IDENT, "40621D")
    velocity = readdress(VELOCITY, "40621D")
    squawk_1200 = short(5, 0x0808, 0x40621D)
    out = dec.decode(
        [0.0, 0.2, 0.4, 0.5, 1.0, 30.0, 31.0],
        [ident, velocity, squawk_1200, ODD, EVEN, velocity, EVEN],
    )
    first, later = out.row(0, named=True), out.row(1, named=True)
    assert first["callsign"] == "KLM1023"
    assert first["squawk"] == "1200"
    assert first["gs_kt"] == pytest.approx(159.2, abs=0.1)  # exact, not truncated
    assert first["track_deg"] == pytest.approx(182.88, abs=0.01)
    assert first["vrate_fpm"] == -832
    # at t=31 the pair is 30 s old but the last position (t=1) is still a local
    # reference; the velocity is fresh again, callsign/squawk still within 300 s
    assert later["gs_kt"] == pytest.approx(159.2, abs=0.1)
    assert later["callsign"] == "KLM1023"


def test_stale_velocity_is_not_carried() -> None:
    dec = ModeSDecoder(DecoderSettings(fresh_s=10.0))
    velocity = readdress(VELOCITY, "40621D")
    out = dec.decode([0.0, 0.5, 20.0, 20.5], [velocity, ODD, EVEN, ODD])
    assert out.height == 1  # the pair (20.0, 20.5); velocity is 20 s old
    assert out["gs_kt"].null_count() == 1


def test_crc_failure_is_counted_and_dropped() -> None:
    broken = EVEN[:-1] + ("0" if EVEN[-1] != "0" else "1")
    dec = ModeSDecoder()
    assert dec.decode([0.0, 1.0], [ODD, broken]).height == 0
    assert dec.counters.crc_failed == 1
    assert dec.aircraft_count == 1


def test_address_parity_needs_a_known_aircraft() -> None:
    alt_reply = short(4, 0x1E18, 0x40621D)  # some altitude code
    dec = ModeSDecoder(DecoderSettings(known_ttl_s=60))
    dec.decode([0.0], [alt_reply])
    assert dec.counters.unknown_address == 1
    assert dec.aircraft_count == 0  # noise never creates state
    dec.decode([1.0, 2.0, 100.0], [ODD, alt_reply, alt_reply])
    assert dec.counters.unknown_address == 2  # accepted at t=2, stale at t=100


def test_df11_makes_an_address_known() -> None:
    df11 = with_parity(f"{(11 << 51) | (5 << 48) | (0x40621D << 24):014X}", 0)
    dec = ModeSDecoder()
    dec.decode([0.0, 1.0], [df11, short(5, 0x0808, 0x40621D)])
    assert dec.counters.unknown_address == 0
    assert dec.aircraft_count == 1
    garbled = with_parity(df11, 0x1234)
    dec.decode([2.0], [garbled])
    assert dec.counters.crc_failed == 1


def test_impossible_jump_is_dropped() -> None:
    dec = ModeSDecoder()
    dec.decode([0.0, 1.0], [ODD, EVEN])
    # same aircraft, a frame whose CPR latitude is 0.3 of a zone away (~2 deg)
    me = int(EVEN[8:22], 16) ^ (0x0C000 << 17)
    phantom = with_parity(f"{EVEN[:8]}{me:014X}000000")
    assert dec.decode([2.0], [phantom]).height == 0
    assert dec.counters.implausible == 1
    assert dec.decode([3.0], [EVEN]).height == 1  # the real track goes on


def test_invalid_and_ignored_frames() -> None:
    dec = ModeSDecoder()
    out = dec.decode([0.0] * 4, ["zz", "8D40621D58C3", "c0" + "0" * 26, "8D4"])
    assert out.height == 0
    assert dec.counters.invalid == 3
    assert dec.counters.ignored == 1  # DF24


def test_state_is_bounded_and_evicted() -> None:
    dec = ModeSDecoder(DecoderSettings(state_ttl_s=60, max_aircraft=5))
    frames = [readdress(ODD, f"{i:06X}") for i in range(1, 21)]
    dec.decode([float(i) for i in range(20)], frames)
    dec.decode([30.0], [ODD])  # 10 s after the last sweep: next sweep trims to 5
    assert dec.aircraft_count <= 6
    dec.decode([200.0], [ODD])
    assert dec.aircraft_count == 1  # all unheard for > 60 s, 40621d heard anew
    assert dec.counters.evicted == 21


def test_missing_extra_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyModeS", None)
    monkeypatch.delitem(sys.modules, "tailwatch.live._pymodes")
    monkeypatch.delattr(tailwatch.live, "_pymodes")
    with pytest.raises(MissingExtraError, match=r"tailwatch\[live\]"):
        ModeSDecoder()
