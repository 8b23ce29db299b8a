"""One-sentence, seed-style descriptions of visits and trips, honest about confidence.

Rules (docs/stays.md, "Sentences"):

* ``observed`` landing: "landed at X at 09:14 UTC"; ``inferred``: "probably landed at X
  at about 09:14 UTC (signal lost at 800 ft on final to runway 12)"; no landing in the
  data: "was at X when the data starts" / "arrived at X after 08:30 UTC (landing not
  seen)". A ``none`` event never names an airport (such events make no stay at all).
* departure: "left 2 h 03 min later"; an upper bound: "left at the latest by 11:20 UTC
  (at most 2 h 06 min later)"; an open stay: "was still there at the end of the data".
* durations, rounded to the minute (hours from one day on): ``40 min`` / ``40-minute``
  (as an adjective), ``2 h 03 min``, ``3 days 4 h``.
* times in UTC, ``HH:MM``; the date is added ("on 11 Mar 2025") unless asked not to.

Pure functions of plain values: the callers loop over visits/trips (a few per aircraft).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Labels that read as institutions take "the": "of the Government of Libya".
_INSTITUTION = re.compile(
    r"^(Government|Ministry|Presidency|President's|Royal|State|Republic|Kingdom|Federal|"
    r"Armed|Army|Navy|Air Force|Office|Federation|Emirate|Sultanate|Crown|Police|Coast Guard)\b"
)
# ... and so do those named after a nationality: "of the Hungarian Air Force".
_INSTITUTION_END = re.compile(
    r"\b(Air Force|Army|Navy|Coast Guard|Border Guard|National Guard|Police|Gendarmerie|"
    r"Forces|Marine Corps|Government)$"
)


def format_duration(seconds: float, *, adjective: bool = False) -> str:
    """``2400`` -> ``40 min`` (``40-minute`` as an adjective); ``7380`` -> ``2 h 03 min``;
    ``273600`` -> ``3 days 4 h``.

    >>> format_duration(2400), format_duration(2400, adjective=True)
    ('40 min', '40-minute')
    >>> format_duration(7380), format_duration(3 * 86400 + 4 * 3600 + 1000)
    ('2 h 03 min', '3 days 4 h')
    """
    minutes = int(seconds / 60.0 + 0.5)
    if minutes < 60:
        return f"{minutes}-minute" if adjective else f"{minutes} min"
    if minutes < 24 * 60:
        h, m = divmod(minutes, 60)
        return f"{h} h {m:02d} min"
    hours = int(seconds / 3600.0 + 0.5)
    d, h = divmod(hours, 24)
    days = f"{d} day" if d == 1 else f"{d} days"
    return f"{days} {h} h" if h else days


def format_time(t: datetime, *, date: bool = True) -> str:
    """``09:14 UTC on 11 Mar 2025`` (``09:14 UTC`` without the date)."""
    hhmm = f"{t.hour:02d}:{t.minute:02d} UTC"
    if not date:
        return hhmm
    return f"{hhmm} on {t.day} {_MONTHS[t.month - 1]} {t.year}"


@dataclass(frozen=True)
class Place:
    """An airport as written in a sentence."""

    icao: str
    name: str | None = None
    country: str | None = None  # a country name, or an ISO code

    def short(self) -> str:
        """``Larnaca (LCLK)``; just ``LCLK`` when the name is unknown."""
        return f"{self.name} ({self.icao})" if self.name else self.icao

    def long(self) -> str:
        """``Tel Aviv Ben Gurion (LLBG, Israel)``."""
        inside = f"{self.icao}, {self.country}" if self.country else self.icao
        if self.name:
            return f"{self.name} ({inside})"
        return f"{self.icao} ({self.country})" if self.country else self.icao


#: Makers' acronyms that stay in capitals (a maker written in capitals is otherwise
#: given as a name: ``BOEING`` -> ``Boeing``).
_MAKER_ACRONYMS = frozenset({"AVIC", "CASA", "COMAC", "EADS", "IPTN", "NAMC", "RUAG", "SOCATA"})
_SPECIAL_CASE = {"MCDONNELL": "McDonnell", "DE": "de"}


def aircraft_display_name(description: str) -> str:
    """The maker as a newsroom writes it: registries (tar1090-db, the FAA's) give it in
    capitals, ``BOEING 777-200LR`` -> ``Boeing 777-200LR``, ``DE HAVILLAND DHC-6 Twin
    Otter`` -> ``de Havilland DHC-6 Twin Otter``.

    Only the leading run of capitalised words of four letters or more (and ``DE``
    before one) changes: the model after it keeps its capitals (``FLIGHT DESIGN CT``
    -> ``Flight Design CT``), and a short word that may be an acronym ends the run
    (``AIR TRACTOR AT-802`` stays as it is).
    """
    words = description.split(" ")

    def maker(i: int) -> bool:
        w = words[i] if i < len(words) else ""
        return w.isalpha() and w.isupper() and w not in _MAKER_ACRONYMS and len(w) >= 4

    for i, word in enumerate(words):
        if not (maker(i) or (word == "DE" and maker(i + 1))):
            break
        words[i] = _SPECIAL_CASE.get(word, word.capitalize())
    return " ".join(words)


def airport_display_name(name: str | None, city: str | None) -> str | None:
    """``Ben Gurion International Airport`` in Tel Aviv -> ``Tel Aviv Ben Gurion``;
    ``Larnaca International Airport`` -> ``Larnaca``."""
    if not name:
        return city
    short = re.sub(r"\s+(International\s+)?(Airport|Airfield|Aerodrome)$", "", name.strip())
    short = re.sub(r"\s+International$", "", short) or name
    if city:
        first = re.split(r"[/,(-]", city)[0].strip()
        if first and first.lower() not in short.lower():
            short = f"{first} {short}"
    return short


@dataclass(frozen=True)
class Who:
    """The aircraft as written: registration (or hex), type, and whose it is."""

    icao24: str
    registration: str | None = None
    description: str | None = None
    label: str | None = None  # from the first valid watchlist entry
    list_name: str | None = None
    category: str | None = None

    def phrase(self) -> str:
        """``5A-DCN, a Dassault Falcon 900EX of the Government of Libya (plane-alert-db:
        Dictator Alert),`` (with the trailing comma when there is an apposition)."""
        head = self.registration or self.icao24
        parts: list[str] = []
        if self.description:
            what = aircraft_display_name(self.description)
            article = "an" if what[:1].upper() in "AEIOU" else "a"
            parts.append(f"{article} {what}")
        if self.label:
            institution = _INSTITUTION.match(self.label) or _INSTITUTION_END.search(self.label)
            the = "the " if institution else ""
            parts.append(f"of {the}{self.label}")
        if self.list_name:
            tail = f": {self.category}" if self.category else ""
            parts.append(f"({self.list_name}{tail})")
        if not parts:
            return head if self.registration is None else f"{head} ({self.icao24})"
        return f"{head}, {' '.join(parts)},"


@dataclass(frozen=True)
class VisitFacts:
    """What a visit sentence needs, as plain values (one row of the visits table)."""

    who: Who
    airport: Place
    arrival_time: datetime
    arrival_is_lower_bound: bool
    arrival_confidence: str | None
    departure_time: datetime | None
    departure_is_upper_bound: bool
    departure_confidence: str | None
    is_open: bool
    data_start: datetime | None = None
    data_end: datetime | None = None
    #: the stay before, when the arrival flight came from it
    previous: Place | None = None
    previous_dwell_s: float | None = None
    previous_is_stopover: bool = False
    #: where the departure flight went, when known
    next: Place | None = None
    #: for an inferred landing: altitude and runway where the signal was lost
    lost_at_ft: float | None = None
    runway: str | None = None


def _arrival(f: VisitFacts, date: bool) -> str:
    at = f.airport.long()
    if f.arrival_is_lower_bound:
        if f.data_start is not None and f.arrival_time == f.data_start:
            return f"was at {at} when the data starts ({format_time(f.arrival_time, date=date)})"
        return f"arrived at {at} after {format_time(f.arrival_time, date=date)} (landing not seen)"
    when = format_time(f.arrival_time, date=date)
    if f.arrival_confidence == "inferred":
        why = "signal lost"
        if f.lost_at_ft is not None:
            why += f" at {round(f.lost_at_ft / 100) * 100:,.0f} ft"
        if f.runway:
            why += f" on final to runway {f.runway}"
        return f"probably landed at {at} at about {when} ({why})"
    return f"landed at {at} at {when}"


def _previous(f: VisitFacts) -> str:
    if f.previous is None or f.arrival_is_lower_bound:
        return ""
    if f.previous_is_stopover and f.previous_dwell_s is not None:
        stop = format_duration(f.previous_dwell_s, adjective=True)
        return f" after a {stop} stop at {f.previous.short()}"
    return f" from {f.previous.short()}"


def _departure(f: VisitFacts, date: bool) -> str:
    towards = f" towards {f.next.short()}" if f.next is not None else ""
    if f.is_open or f.departure_time is None:
        if f.data_end is None:
            return ", and was still there at the end of the data"
        if f.data_end <= f.arrival_time:
            # the data ends with the landing itself (touchdown estimated from the last
            # position, seconds after it): no later time to quote
            return ", where the data ends"
        end = format_time(f.data_end, date=date)
        return f", and was still there at the end of the data ({end})"
    dwell = (f.departure_time - f.arrival_time).total_seconds()
    if f.departure_is_upper_bound:
        left = f"left at the latest by {format_time(f.departure_time, date=date)}"
        if f.arrival_is_lower_bound:
            return f", and {left}{towards}"
        return f", and {left} (at most {format_duration(dwell)} later){towards}"
    if f.arrival_is_lower_bound:
        verb = "probably took off" if f.departure_confidence == "inferred" else "left"
        return f", and {verb} at {format_time(f.departure_time, date=date)}{towards}"
    if f.departure_confidence == "inferred":
        return f", and probably took off about {format_duration(dwell)} later{towards}"
    return f", and left {format_duration(dwell)} later{towards}"


def visit_sentence(f: VisitFacts, *, date: bool = True) -> str:
    """The seed-style sentence for one visit (golden strings in tests/report)."""
    return f"{f.who.phrase()} {_arrival(f, date)}{_previous(f)}{_departure(f, date)}."


@dataclass(frozen=True)
class TripStop:
    place: Place
    dwell_s: float | None
    stopover: bool
    departure_is_upper_bound: bool = False


@dataclass(frozen=True)
class TripFacts:
    who: Who
    origin: Place | None
    departure_time: datetime | None
    departure_confidence: str | None
    final: Place | None
    arrival_time: datetime | None
    arrival_confidence: str | None
    stops: tuple[TripStop, ...]
    destination: Place | None
    round_trip: bool


def trip_sentence(f: TripFacts, *, date: bool = True) -> str:
    """``5A-DCN, a Dassault Falcon 900EX of ..., flew from Benghazi (HLLB) at 06:04 UTC
    to Tel Aviv Ben Gurion (LLBG) for 2 h 03 min, with a 40-minute stop at Larnaca
    (LCLK), and landed back at Benghazi (HLLB) at 13:11 UTC.``"""
    parts: list[str] = []
    if f.origin is not None and f.departure_time is not None:
        verb = "probably took off" if f.departure_confidence == "inferred" else "flew"
        parts.append(
            f"{verb} from {f.origin.short()} at {format_time(f.departure_time, date=date)}"
        )
    else:
        parts.append("came into coverage airborne and flew")

    def on_ground(s: TripStop) -> str:
        if s.dwell_s is None:
            return s.place.short()
        bound = "at most " if s.departure_is_upper_bound else ""
        return f"{s.place.short()} for {bound}{format_duration(s.dwell_s)}"

    dest = f.destination.icao if f.destination is not None else None
    main = next((s for s in f.stops if s.place.icao == dest), None)
    if f.destination is not None:
        parts.append(f"to {on_ground(main) if main else f.destination.short()}")
    for s in f.stops:
        if s is main:
            continue
        kind = f"a {format_duration(s.dwell_s, adjective=True)} stop" if s.dwell_s else "a stop"
        parts.append(f"with {kind} at {s.place.short()}")
    if len(parts) > 2:
        parts[1] += ","
    head = f"{f.who.phrase()} " + " ".join(parts)
    if f.final is None:
        return f"{head}, and left coverage airborne."
    if f.arrival_time is None:
        return f"{head}."
    verb = "probably landed" if f.arrival_confidence == "inferred" else "landed"
    where = f"back at {f.final.short()}" if f.round_trip else f"at {f.final.short()}"
    if not f.round_trip and f.destination is not None and f.final.icao == f.destination.icao:
        where = "there"
    return f"{head}, and {verb} {where} at {format_time(f.arrival_time, date=date)}."


__all__ = [
    "Place",
    "TripFacts",
    "TripStop",
    "VisitFacts",
    "Who",
    "aircraft_display_name",
    "airport_display_name",
    "format_duration",
    "format_time",
    "trip_sentence",
    "visit_sentence",
]
