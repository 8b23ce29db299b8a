"""Golden sentences: the seed, and each honesty rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tailwatch.report.sentences import (
    Place,
    TripFacts,
    TripStop,
    VisitFacts,
    Who,
    aircraft_display_name,
    airport_display_name,
    format_duration,
    trip_sentence,
    visit_sentence,
)

WHO = Who(
    "018019",
    "5A-DCN",
    "Dassault Falcon 900EX",
    "Government of Libya",
    "plane-alert-db",
    "Dictator Alert",
)
LLBG = Place("LLBG", "Tel Aviv Ben Gurion", "Israel")
LCLK = Place("LCLK", "Larnaca", "Cyprus")
HLLB = Place("HLLB", "Benghazi", "Libya")


def t(hh: int, mm: int, day: int = 11) -> datetime:
    return datetime(2025, 3, day, hh, mm, tzinfo=UTC)


SEED = VisitFacts(
    who=WHO,
    airport=LLBG,
    arrival_time=t(9, 14),
    arrival_is_lower_bound=False,
    arrival_confidence="observed",
    departure_time=t(11, 17),
    departure_is_upper_bound=False,
    departure_confidence="observed",
    is_open=False,
    previous=LCLK,
    previous_dwell_s=40 * 60,
    previous_is_stopover=True,
    next=HLLB,
)


@pytest.mark.parametrize(
    ("seconds", "plain", "adjective"),
    [
        (40 * 60, "40 min", "40-minute"),
        (40 * 60 + 29, "40 min", "40-minute"),
        (59 * 60 + 31, "1 h 00 min", "1 h 00 min"),
        (2 * 3600 + 3 * 60, "2 h 03 min", "2 h 03 min"),
        (3 * 86400 + 4 * 3600 + 600, "3 days 4 h", "3 days 4 h"),
        (86400, "1 day", "1 day"),
    ],
)
def test_durations(seconds: float, plain: str, adjective: str) -> None:
    assert format_duration(seconds) == plain
    assert format_duration(seconds, adjective=True) == adjective


def test_seed_sentence() -> None:
    assert visit_sentence(SEED, date=False) == (
        "5A-DCN, a Dassault Falcon 900EX of the Government of Libya (plane-alert-db: "
        "Dictator Alert), landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC after "
        "a 40-minute stop at Larnaca (LCLK), and left 2 h 03 min later towards Benghazi (HLLB)."
    )


def test_date_is_given_by_default() -> None:
    assert "at 09:14 UTC on 11 Mar 2025 after" in visit_sentence(SEED)


def test_inferred_landing() -> None:
    f = replace(SEED, arrival_confidence="inferred", lost_at_ft=812.0, runway="12")
    assert "probably landed at Tel Aviv Ben Gurion (LLBG, Israel) at about 09:14 UTC " in (
        visit_sentence(f, date=False)
    )
    assert "(signal lost at 800 ft on final to runway 12)" in visit_sentence(f)


def test_upper_bound_departure() -> None:
    f = replace(SEED, departure_time=t(11, 20), departure_is_upper_bound=True, next=None)
    assert visit_sentence(f, date=False).endswith(
        ", and left at the latest by 11:20 UTC (at most 2 h 06 min later)."
    )


def test_open_stay_and_days() -> None:
    f = replace(SEED, departure_time=None, is_open=True, data_end=t(13, 30, day=14), next=None)
    assert visit_sentence(f).endswith(
        ", and was still there at the end of the data (13:30 UTC on 14 Mar 2025)."
    )


def test_open_stay_of_a_landing_estimated_after_the_last_position() -> None:
    # last seen 0.5 km before the threshold at 09:13:55; touchdown estimated 09:14:02;
    # the data ends with that last position: "still there at 09:13" would contradict it
    f = replace(SEED, departure_time=None, is_open=True, data_end=t(9, 13), next=None)
    assert visit_sentence(f, date=False).endswith(", where the data ends.")


def test_arrival_before_the_data() -> None:
    f = replace(SEED, arrival_is_lower_bound=True, arrival_time=t(6, 0), data_start=t(6, 0))
    s = visit_sentence(f, date=False)
    assert "was at Tel Aviv Ben Gurion (LLBG, Israel) when the data starts (06:00 UTC)" in s
    assert "stop at" not in s
    assert s.endswith(", and left at 11:17 UTC towards Benghazi (HLLB).")


def test_unwatched_aircraft() -> None:
    f = replace(SEED, who=Who("3b77e4"), previous=None, next=None)
    assert visit_sentence(f, date=False) == (
        "3b77e4 landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC, "
        "and left 2 h 03 min later."
    )


def test_trip_sentence() -> None:
    f = TripFacts(
        who=WHO,
        origin=HLLB,
        departure_time=t(6, 4),
        departure_confidence="observed",
        final=HLLB,
        arrival_time=t(13, 11),
        arrival_confidence="observed",
        stops=(TripStop(LCLK, 2400, stopover=True), TripStop(LLBG, 7380, stopover=False)),
        destination=LLBG,
        round_trip=True,
    )
    assert trip_sentence(f, date=False) == (
        "5A-DCN, a Dassault Falcon 900EX of the Government of Libya (plane-alert-db: "
        "Dictator Alert), flew from Benghazi (HLLB) at 06:04 UTC to Tel Aviv Ben Gurion "
        "(LLBG) for 2 h 03 min, with a 40-minute stop at Larnaca (LCLK), "
        "and landed back at Benghazi (HLLB) at 13:11 UTC."
    )


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("Ben Gurion International Airport", "Tel Aviv", "Tel Aviv Ben Gurion"),
        ("Larnaca International Airport", "Larnaca", "Larnaca"),
        ("Paris-Le Bourget Airport", "Paris", "Paris-Le Bourget"),
        (
            "Villacoublay-Velizy (BA 107) Air Base",
            "Villacoublay/Velizy",
            "Villacoublay-Velizy (BA 107) Air Base",
        ),
    ],
)
def test_airport_names(name: str, city: str, expected: str) -> None:
    assert airport_display_name(name, city) == expected


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # tar1090-db descriptions, as the registry gives them
        ("BOEING 777-200LR", "Boeing 777-200LR"),
        ("DASSAULT Falcon 7X", "Dassault Falcon 7X"),
        ("MCDONNELL DOUGLAS AH-64 Apache", "McDonnell Douglas AH-64 Apache"),
        ("DE HAVILLAND DHC-6 Twin Otter", "de Havilland DHC-6 Twin Otter"),
        ("LOCKHEED MARTIN C-130J Super Hercules", "Lockheed Martin C-130J Super Hercules"),
        # the model keeps its capitals; short words and makers' acronyms stay
        ("FLIGHT DESIGN CT", "Flight Design CT"),
        ("AIR TRACTOR AT-802", "AIR TRACTOR AT-802"),
        ("SOCATA TBM-700A/B/C", "SOCATA TBM-700A/B/C"),
        ("Dassault Falcon 900EX", "Dassault Falcon 900EX"),
    ],
)
def test_aircraft_names(description: str, expected: str) -> None:
    assert aircraft_display_name(description) == expected


def test_sentence_writes_the_maker_as_a_name() -> None:
    who = Who("4241bb", "VP-CAL", "BOEING 777-200LR", "Prince Mohammed bin Fahd al Saud")
    s = visit_sentence(replace(SEED, who=who, previous=None, next=None), date=False)
    assert s.startswith("VP-CAL, a Boeing 777-200LR of Prince Mohammed bin Fahd al Saud, landed")


@pytest.mark.parametrize(
    ("label", "phrase"),
    [
        ("Hungarian Air Force", "of the Hungarian Air Force"),
        ("United States Army", "of the United States Army"),
        ("Japan Air Self-Defense Forces", "of the Japan Air Self-Defense Forces"),
        ("Royal Australian Air Force", "of the Royal Australian Air Force"),
        ("Qatar Executive", "of Qatar Executive"),
        ("Prince Mohammed bin Fahd al Saud", "of Prince Mohammed bin Fahd al Saud"),
    ],
)
def test_institutions_take_the(label: str, phrase: str) -> None:
    assert f"Falcon 7X {phrase}," in Who("477ff6", "606", "Dassault Falcon 7X", label).phrase()


def test_trip_from_outside_coverage() -> None:
    lfpv = Place("LFPV", "Villacoublay")
    f = TripFacts(
        who=Who("3aabfc"),
        origin=None,
        departure_time=None,
        departure_confidence="none",
        final=None,
        arrival_time=None,
        arrival_confidence="none",
        stops=(TripStop(lfpv, 46 * 60, stopover=True),),
        destination=lfpv,
        round_trip=False,
    )
    assert trip_sentence(f) == (
        "3aabfc came into coverage airborne and flew to Villacoublay (LFPV) for 46 min, "
        "and left coverage airborne."
    )
