"""Hot issues (热点): reports of the same problem at the same place, grouped as they arrive,
ranked by a heat index. Pure: no I/O; the gateway feeds it every filed report.

Grouping. A report is compared with the issues of earlier reports that share one of its keys:
* place keys — the duplicate stage's (`classifiers.dedupe.place_match.place_keys`: a road,
  junction, compound or landmark) but without building, unit or house number, so a problem
  spread over one compound or one road (night work heard from several buildings) is one
  issue; two reports sharing one are the same issue when their words agree at least
  `place_similarity`;
* word keys — the report's rarest title words, for issues that name no place (a company
  that owes wages, a fraud); these need `text_similarity`, much higher.
Words are the duplicate index's own tokens (`prepare_text`), without the words in
`classifiers/data/hotspot_words.toml`, weighted by TF-IDF over the reports seen so far
(title words count twice). A report joins the closest issue (the centroid of its reports'
words) above the threshold, else starts one: comparing with the issue as a whole, not
with any one member, keeps issues on one road from chaining into one another.

Heat (over a window): distinct reporters + `repeat_weight` × further reports by the same
people + `likes_weight` × ln(1 + likes and joins), × (1 + `growth_weight` × growth), where
growth ∈ [−1, 1] compares the later half of the issue's reports in the window with the
earlier half."""
from __future__ import annotations

import math
import re
import tomllib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from classifiers.dedupe.index import prepare_text
from classifiers.dedupe.place_match import place_keys
from classifiers.hotspots.settings import HotspotSettings
from classifiers.locate.places import extract_place

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "hotspot_words.toml"
# Tokens that are no words: numbers, codes, anonymised places (a3区), single characters.
_NOT_A_WORD = re.compile(r"^(?:[\da-z]+[市区县号栋楼层室]?|.)$")
SITES = frozenset({"compound", "road", "junction"})
_TITLE_PREFIX = re.compile(r"^(?:关于|反映|投诉|举报|咨询|请问|建议)")


def load_ignored(path: Path = WORDS_FILE) -> frozenset[str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    words = data.get("ignore")
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise ValueError(f"{path}: ignore: a list of words is required")
    return frozenset(w.lower() for w in words)


@dataclass
class Report:
    id: str  # the channel and its message id
    at: datetime
    title: str
    text: str
    case_no: str = ""
    reporter: str = ""  # whoever reported (a contact key), "" when unknown
    category_code: str = ""
    category_name: str = ""
    place: dict = field(default_factory=dict)
    address: str = ""
    likes: int = 0  # likes, "me too" joins: the channel's engagement
    channel: str = ""


@dataclass
class _Entry:
    report: Report
    words: Counter
    keys: set[str]
    group: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # place key → the name as written


@dataclass
class _Group:
    id: int
    members: list[str] = field(default_factory=list)
    words: Counter = field(default_factory=Counter)
    keys: Counter = field(default_factory=Counter)
    vec: dict[str, float] | None = None  # the centroid's weighted words (None: to compute)


def _written(key: str, place: dict) -> str:
    """A place key as the report wrote the place."""
    kind = key.split(":")[0]
    if kind == "junction" and place.get("cross_road"):
        return f"{place.get('road', '')}与{place['cross_road']}路口"
    return str(place.get(kind) or "") or _place_label(key)


def _place_label(key: str) -> str:
    kind, _, name = key.partition(":")
    return name.replace("|", "与") + ("路口" if kind == "junction" else "")


class HotIssues:
    def __init__(self, settings: HotspotSettings | None = None, ignored: frozenset[str] | None = None):
        self.settings = settings or HotspotSettings()
        self.ignored = load_ignored() if ignored is None else ignored
        self.entries: dict[str, _Entry] = {}
        self.groups: dict[int, _Group] = {}
        self.by_key: dict[str, deque[str]] = defaultdict(deque)
        self.df: Counter = Counter()
        self.newest: datetime | None = None
        self._next_group = 1

    def __len__(self) -> int:
        return len(self.entries)

    # -- words ------------------------------------------------------------------------------

    def _words(self, text: str) -> list[str]:
        return [t for t in prepare_text(text).split() if t not in self.ignored and not _NOT_A_WORD.match(t)]

    def _vector(self, words: Counter) -> dict[str, float]:
        n = len(self.entries) + 1
        # Smoothed IDF (as scikit-learn's): a word every report has still counts a little.
        vec = {w: c * (math.log((n + 1) / (self.df[w] + 1)) + 1) for w, c in words.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    @staticmethod
    def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(w, 0.0) for w, v in a.items())

    def _centroid(self, group: _Group) -> dict[str, float]:
        if group.vec is None:
            group.vec = self._vector(group.words)
        return group.vec

    # -- the stream -------------------------------------------------------------------------

    def add(self, report: Report) -> None:
        """Index one report (again: a repeat of an id changes nothing). It joins the issue
        whose words (the centroid of its reports') are closest to its own, among the issues
        sharing one of its keys, when close enough; otherwise it starts an issue."""
        if report.id in self.entries:
            return
        # Where: the place the location stage read in the report, and the one its title
        # names (a title usually says where), without building, unit or house number.
        places = [report.place or {}]
        if report.title:
            titled = extract_place(report.title)
            places.append(titled.as_dict() if titled else {})
        keys: set[str] = set()
        labels: dict[str, str] = {}
        for place in places:
            found = place_keys({k: v for k, v in place.items() if k not in ("number", "building", "unit")})
            for key in found - keys:
                labels[key] = _written(key, place)
            keys |= found
        # The place's own name says where, not what: it is compared by the place keys.
        named = " ".join(str(v) for place in places for k, v in place.items()
                         if k in ("compound", "road", "cross_road", "landmark", "street", "district", "text"))
        title_words = [w for w in self._words(_TITLE_PREFIX.sub("", report.title)) if w not in named]
        words = Counter(w for w in self._words(report.text[:600]) if w not in named) + Counter(title_words * 2)
        # Reports naming compounds or roads, none the same, are at different places; a
        # "landmark" is often the problem itself (a mixing plant, a kindergarten), so it
        # does not rule a match out.
        sited = any(k.split(":")[0] in SITES for k in keys)
        rare = sorted(set(title_words), key=lambda w: (self.df[w], w))[:3]
        keys.update("word:" + w for w in rare)
        self.df.update(set(words))
        vec = self._vector(words)
        s = self.settings
        matched: list[tuple[float, _Group]] = []
        seen: set[int] = set()
        for key in keys:
            for other_id in list(self.by_key.get(key, ()))[-s.max_candidates_per_key:]:
                other = self.entries.get(other_id)
                if other is None or other.group in seen:
                    continue
                seen.add(other.group)
                group = self.groups[other.group]
                shared_place = any(not k.startswith("word:") and k in group.keys for k in keys)
                if not shared_place and sited and any(k.split(":")[0] in SITES for k in group.keys):
                    continue  # both name where, and not the same place
                score = self._cosine(vec, self._centroid(group))
                need = s.place_similarity if shared_place else s.text_similarity
                if score >= need:
                    matched.append((score - need, group))
        best = None
        if matched:
            matched.sort(key=lambda m: (-m[0], m[1].id))
            best = matched[0][1]
            for _, group in matched[1:]:  # two issues this report shows to be one
                if self._cosine(self._centroid(best), self._centroid(group)) >= s.merge_similarity:
                    best = self._merge(best, group)
        if best is None:
            best = self.groups[self._next_group] = _Group(self._next_group)
            self._next_group += 1
        entry = _Entry(report, words, keys, best.id, labels)
        self.entries[report.id] = entry
        best.members.append(report.id)
        best.words.update(words)
        best.keys.update(keys)
        best.vec = None
        for key in keys:
            self.by_key[key].append(report.id)
        if self.newest is None or report.at > self.newest:
            self.newest = report.at

    def _merge(self, a: _Group, b: _Group) -> _Group:
        if len(a.members) < len(b.members):
            a, b = b, a
        for rid in b.members:
            self.entries[rid].group = a.id
        a.members += b.members
        a.words.update(b.words)
        a.keys.update(b.keys)
        a.vec = None
        del self.groups[b.id]
        return a

    def expire(self) -> int:
        """Forget reports older than `keep_days` before the newest. Returns how many."""
        if self.newest is None:
            return 0
        cutoff = self.newest.timestamp() - self.settings.keep_days * 86400
        old = {rid for rid, e in self.entries.items() if e.report.at.timestamp() < cutoff}
        for rid in old:
            entry = self.entries.pop(rid)
            self.df.subtract(set(entry.words))
            group = self.groups[entry.group]
            group.members.remove(rid)
            group.words.subtract(entry.words)
            group.keys.subtract(entry.keys)
            group.words, group.keys, group.vec = +group.words, +group.keys, None
            if not group.members:
                del self.groups[entry.group]
        if old:
            for key in list(self.by_key):
                kept = deque(r for r in self.by_key[key] if r not in old)
                if kept:
                    self.by_key[key] = kept
                else:
                    del self.by_key[key]
            self.df = +self.df
        return len(old)

    # -- the view ---------------------------------------------------------------------------

    def top(self, since: datetime, until: datetime, limit: int = 10) -> list[dict]:
        """The hottest issues with reports in [since, until], hottest first."""
        issues = []
        for group in self.groups.values():
            members = [r for r in group.members if since <= self.entries[r].report.at <= until]
            if len(members) >= self.settings.min_reports:
                issues.append(self._issue(members, since, until))
        issues.sort(key=lambda i: (-i["heat"], i["first_report"], i["id"]))
        return issues[:limit]

    def _issue(self, group: list[str], since: datetime, until: datetime) -> dict:
        s = self.settings
        reports = sorted((self.entries[r].report for r in group), key=lambda r: (r.at, r.id))
        people = Counter(r.reporter or r.id for r in reports)
        likes = sum(max(0, r.likes) for r in reports)
        middle = since + (until - since) / 2
        later = sum(1 for r in reports if r.at > middle)
        growth = (later - (len(reports) - later)) / len(reports)
        heat = (len(people) + s.repeat_weight * (len(reports) - len(people))
                + s.likes_weight * math.log1p(likes)) * (1 + s.growth_weight * growth)
        place_counts = Counter(k for r in group for k in self.entries[r].keys if not k.startswith("word:"))
        # The issue's place: the one most of its reports name (else none is shown).
        common = place_counts.most_common(1)
        place_key = common[0][0] if common and common[0][1] * 2 >= len(reports) else ""
        categories = Counter(r.category_name for r in reports if r.category_name)
        codes = Counter(r.category_code for r in reports if r.category_code)
        return {
            "id": f"hs-{reports[0].id}",
            "title": self._title(group),
            "place": Counter(self.entries[r].labels.get(place_key, _place_label(place_key))
                             for r in group if place_key in self.entries[r].keys).most_common(1)[0][0]
            if place_key else "",
            "category": categories.most_common(1)[0][0] if categories else "",
            "category_code": codes.most_common(1)[0][0] if codes else "",
            "heat": round(heat, 2),
            "reports": len(reports),
            "reporters": len(people),
            "likes": likes,
            "first_report": reports[0].at.isoformat(timespec="seconds"),
            "last_report": reports[-1].at.isoformat(timespec="seconds"),
            "trend": "rising" if growth > 0.2 else "falling" if growth < -0.2 else "steady",
            "growth": round(growth, 3),
            "cases": sorted({r.case_no for r in reports if r.case_no}),
            "report_ids": [r.id for r in reports],
        }

    def _title(self, group: list[str]) -> str:
        """The member's own title closest to the issue's words (a title a person wrote)."""
        total: Counter = Counter()
        for rid in group:
            total.update(self.entries[rid].words)
        centre = self._vector(total)
        best = max(group, key=lambda rid: (self._cosine(centre, self._vector(self.entries[rid].words)), rid))
        report = self.entries[best].report
        return (report.title or report.text[:40]).strip()[:60]
