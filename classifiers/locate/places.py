"""Place extraction that needs no registry: the place phrase a dispatcher would write down,
as a structured place (docs/places.md), from any text.

    extract_place("和平路十八号门口的井盖没了") ->
        Place(road="和平路", number="18", side="门口", text="和平路18号门口")

A real city's registry never holds every shop, gate and stretch of road citizens name, so
the place is read from the words themselves, in two steps:

1. Names. Every road, compound, landmark, district and street named in the text, found by
   its suffix (路, 胡同, 小区, 村, 超市, 地铁站, 街道 …) with the name read backwards from
   it up to a word that cannot be part of a name (住在, 反映, 那家 …). A bare suffix right
   after a name takes the name in (和平路 + 小区 → the compound 和平路小区, 东安区 + 人民医院
   → the hospital 东安区人民医院), except for the unnamed things that belong to what is
   before them (长江路 + 天桥, 后营村 + 村委会). Two roads and a junction word make a
   junction; "从A到B之间" a stretch between two points.
2. The place. From the first name on, the text is read forward as long as it says more
   about that place: house number, building, unit, gate, exit, stretch, side, in that
   order, passing over what a caller says in between (对, 我们, a repeated name, a date,
   a phone number, "不是15号", "礼貌的礼"). The first thing that is about something else
   ends the place. Numbers only count where they are expected, so dates, times, phone
   numbers, floors and counts never become house numbers.

The vocabulary (suffixes, words that are not names, fillers, side words) is data:
classifiers/data/place_words.toml, checked when it is loaded. No I/O after loading, no
registry; a few dozen regular expressions, well under a millisecond a report.

This module is the entry point (callers import from it); the steps are in
classifiers/locate/place_reading/, one job a module (its __init__ lists them).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Set

from classifiers.locate.place_reading.assemble import SUBJECT_REACH, assemble, read_further
from classifiers.locate.place_reading.corrections import after_corrections, divisions_denied_with, renamed_later
from classifiers.locate.place_reading.dialogue import exchanges, with_answers, with_read_back, without_town_as_road
from classifiers.locate.place_reading.divisions import without_repeated_admin
from classifiers.locate.place_reading.form import fields_as_read, finer_from_form, with_colons, with_region_field
from classifiers.locate.place_reading.junctions import junctions_and_betweens, stretch_end
from classifiers.locate.place_reading.names import find_names, without_aliases
from classifiers.locate.place_reading.note import put_right_by_note
from classifiers.locate.place_reading.patterns import CITY_METRO, OPERATOR, station_key
from classifiers.locate.place_reading.place import Place
from classifiers.locate.place_reading.restated import restated
from classifiers.locate.place_reading.text import METRO_AFTER_ROAD, PHRASE_BREAK, phrase_starts, prepare, subject_end
from classifiers.locate.place_reading.vocabulary import Vocabulary
from classifiers.locate.place_reading.words import (
    BRANDS,
    COMPOUND_SUFFIXES,
    GENERIC_LANDMARKS,
    LANDMARK_SUFFIXES,
    WORDS_PATH,
    PlaceWords,
    PlaceWordsError,
    bundled_words,
    division_names,
    load_place_words,
    parse_place_words,
)
from classifiers.normalize import to_simplified

__all__ = ["BRANDS", "COMPOUND_SUFFIXES", "GENERIC_LANDMARKS", "LANDMARK_SUFFIXES", "WORDS_PATH", "Place",
           "PlaceReader", "PlaceWords", "PlaceWordsError", "extract_place", "load_place_words", "parse_place_words",
           "station_key", "stretch_end"]

_TRADITIONAL_LABELS = re.compile("[區點屬詳題內問發]")
_SPEAKERS = re.compile(f"{OPERATOR}[:：]")
_TRADITIONAL_SPEAKERS = re.compile("(?:接線員|話務員|來電人|工作人員)[:：]")
WINDOW = 80  # characters read after the first name before the place is looked at


class PlaceReader:
    """Reads places from text. `districts`/`streets`: the division table's names (national
    or one city's), so that "朝阳区" and "和平街道" are recognised as such; `words`: the
    vocabulary (default: classifiers/data/place_words.toml); `known_landmarks`: names a
    registry holds that no suffix gives away (金宝汇, 二实小, 55中), read like brands."""

    def __init__(self, districts: Set[str] | None = None, streets: Set[str] | None = None,
                 words: PlaceWords | None = None, known_landmarks: Iterable[str] = ()):
        self.districts = districts if districts is not None else division_names("areas")
        self.streets = streets if streets is not None else division_names("streets")
        self.words = words if words is not None else bundled_words()
        if known_landmarks:
            self.words = _with_brands(self.words, known_landmarks)
        self.vocabulary = Vocabulary(self.districts, self.streets, self.words)

    def read(self, text: str) -> Place | None:
        form = said = text
        if isinstance(text, str):
            text = form = with_colons(text)
            if "：" in text or ":" in text:
                # (a form's fields are found in simplified characters: 所在區域 is 所在区域 — converted
                # only when a field label's traditional characters are there, as converting costs)
                form = to_simplified(text) if _TRADITIONAL_LABELS.search(text) else text
                trimmed = fields_as_read(form, self._read)
                if trimmed != form:
                    text = form = trimmed
        place = finer_from_form(form, self._read(text), self._read, self.vocabulary.back_refs)
        place = with_region_field(form, place, self._read, self.districts)
        if isinstance(said, str) and _TRADITIONAL_SPEAKERS.search(said):
            said = to_simplified(said)  # (接線員：…來電人：… is a transcript too)
        if isinstance(said, str) and _SPEAKERS.search(said):
            turns = exchanges(said)
            place = with_read_back(turns, with_answers(turns, place, self._read, self.vocabulary.division_asked), self._read)
            place = without_town_as_road(place)
        if place is not None:
            _latin_as_written_down(place)
            if place.cross_road and place.text.endswith("路口") and place.text not in said:
                place.text = place.text[:-2]  # (the junction word fields_as_read added to two roads)
            if place.landmark and isinstance(said, str):
                place.landmark = _metro_as_said(place.landmark, said, self.vocabulary.city_short)
        return place

    def _read(self, text: str) -> Place | None:
        vocab = self.vocabulary
        t = prepare(text, phrase_breaks=True)
        if not t:
            return None
        if vocab.misheard:  # a place word as speech recognition or a typo gave it (东堂子湖同)
            pattern, meant = vocab.misheard
            t = pattern.sub(lambda m: meant[m.group()], t)
        if PHRASE_BREAK in t:
            t = vocab.kind_after_break.sub("", t)
        t = put_right_by_note(vocab, t)
        t = METRO_AFTER_ROAD.sub("地铁站", t)
        subject = subject_end(t)
        t, phrases = phrase_starts(t)
        # Names far after the first one cannot change the place, unless the caller corrects
        # himself or the place runs on: read the rest only then (long letters run twice as fast).
        # A letter's subject line names its place short; the letter may say it in full further on.
        reach = subject + SUBJECT_REACH if subject else 0
        limit = None if any(w in t for w in vocab.correction_words) else WINDOW + reach
        while True:
            names, read_to = find_names(vocab, t, limit, phrases)
            names = junctions_and_betweens(vocab, t, restated(t, without_repeated_admin(t, without_aliases(t, names))))
            names = renamed_later(vocab, t, names)
            kept = after_corrections(vocab, t, names)
            place, end = assemble(vocab, t, kept, subject, phrases)
            if place is not None and not (place.district and place.street):
                for kind, value in divisions_denied_with(names, kept).items():
                    # (云溪县那个白石镇，不对，白石乡李家湾村: the county stays)
                    setattr(place, kind, getattr(place, kind) or value)
            if read_to == len(t) or end < read_to - WINDOW // 4 and not read_further(vocab, t, place, read_to):
                return place
            limit = None


def _metro_as_said(landmark: str, said: str, cities: frozenset[str]) -> str:
    """A city's metro is kept with its station as one name only when said as one (广州地铁3号线
    珠江新城站); said apart (广州 地铁…, 西安那个地铁…) the city is where, not the station's name."""
    m = CITY_METRO.match(landmark)
    if m is None or m.group().removesuffix("市") not in cities or m.group() + landmark[m.end():m.end() + 2] in said:
        return landmark
    return landmark[m.end():]


def _latin_as_written_down(place: Place) -> None:
    """嘉年华KTV, 阳光城A区: Latin letters in a name in capitals, as a dispatcher writes them
    (the text is read lower-cased)."""
    for key in ("road", "cross_road", "compound", "landmark", "near"):
        value = getattr(place, key)
        if any("a" <= c <= "z" for c in value):
            setattr(place, key, value.upper())
    if any(any("a" <= c <= "z" for c in end) for end in place.between):
        place.between = [end.upper() for end in place.between]


def _with_brands(words: PlaceWords, names: Iterable[str]) -> PlaceWords:
    landmarks = words.sections["landmarks"]
    brands = list(dict.fromkeys([*landmarks["brands"], *names]))
    return PlaceWords({**words.sections, "landmarks": {**landmarks, "brands": brands}}, words.sides, words.source)


_DEFAULT: PlaceReader | None = None


def extract_place(text: str) -> Place | None:
    """The place in `text` (None when it names none a dispatcher could use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PlaceReader()
    return _DEFAULT.read(text)
