"""Topics: which articles a crawl is about, from one YAML file per topic under spiders_config/topics/.

A topic has groups of include terms that must co-occur (for health informatization: a health term
and an informatization term), exclude terms (any hit: the article is off topic), exclude groups
(stories of another kind — market reports, insurance sales — off topic when their terms add up),
neutral phrases (they contain a term without meaning it, e.g. 健康发展 contains 健康: a hit on them
hides the shorter term), weights (a headline hit counts more than a body hit; a long body's hits
count less each), a threshold and a lower bound for near misses. docs/topics.md explains the scoring.

Matching is one Aho-Corasick pass (pyahocorasick) over text folded by NFKC and casefold, so ＡＩ, Ａ Ｉ
and ai all match the term AI; a term made of ASCII letters or digits matches only as a whole word
(AI not inside MAIL), while Chinese terms match anywhere.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import jsonschema
import yaml

DEFAULT_TOPIC = "health_it"

_SPACES = re.compile(r"\s+")
_SPACE_NEXT_TO_NON_ASCII = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
_LETTER_SPACED = re.compile(r"(?<![a-z0-9])[a-z0-9](?: [a-z0-9])+(?![a-z0-9])")
_ASCII_WORD_CHAR = re.compile(r"[a-z0-9]")


def fold(text: str) -> str:
    """Text as terms are matched against it: NFKC (full width to half width), casefold, and
    no spaces except between two Latin words (spaces inside Chinese text are conversion noise;
    letter-spaced words such as "A I" are joined)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACES.sub(" ", text)
    text = _SPACE_NEXT_TO_NON_ASCII.sub("", text)
    return _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text).strip()


class TopicError(ValueError):
    """A topic file that cannot be used; the message names the file, the key and the problem."""


_TERMS = {
    "oneOf": [
        {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        {"type": "object", "minProperties": 1, "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
    ],
}
_GROUPS = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["terms"],
        "additionalProperties": False,
        "properties": {"min_score": {"type": "number", "minimum": 0},
                       # where the headline names no term of the group: the subject is something else
                       # unless the body shows the group throughout
                       "body_only_min_score": {"type": "number", "minimum": 0},
                       "terms": _TERMS},
    },
}
SCHEMA = {
    "type": "object",
    "required": ["name", "threshold", "groups"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "threshold": {"type": "number", "exclusiveMinimum": 0},
        # an article short of the topic but scoring at least this is kept as a near miss (status off_topic)
        "near_miss": {"type": "number", "exclusiveMinimum": 0},
        "weights": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": {"type": "number", "minimum": 0},
                "body": {"type": "number", "minimum": 0},
                "body_hits_per_term": {"type": "integer", "minimum": 1},
                "body_length": {"type": "integer", "minimum": 1},
            },
        },
        "groups": _GROUPS,
        "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}},
        # stories of another kind (market reports, insurance sales, product launches): off topic when a
        # group scores at least its min_score, scored as the include groups are
        "exclude_groups": _GROUPS,
        # what an outlet's site search is asked for (list sources of `format: search`)
        "search_terms": {"type": "array", "minItems": 1, "uniqueItems": True,
                         "items": {"type": "string", "minLength": 1}},
        # the score a list entry's title (and summary) needs before its article is fetched (`prefilter`)
        "headline_threshold": {"type": "number", "exclusiveMinimum": 0},
        "neutral": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}

INCLUDE, EXCLUDE, EXCLUDE_GROUP, NEUTRAL = "include", "exclude", "exclude_group", "neutral"


@dataclass(eq=False)
class Term:
    text: str                      # as written in the topic file: the key in an article's `keywords`
    kind: str                      # INCLUDE, EXCLUDE, EXCLUDE_GROUP or NEUTRAL
    weights: dict = field(default_factory=dict)  # group -> weight (include and exclude-group terms)


@dataclass
class Match:
    """What a topic found in one article."""
    keywords: dict[str, int]       # include term -> hits in title and body
    score: float
    group_scores: dict[str, float]
    excluded: list[str]            # exclude terms found, and the terms of exclude groups that reached their minimum
    relevant: bool
    reason: str                    # why it is not relevant ("" when it is)
    near_miss: bool = False        # not relevant, but scoring at least `near_miss` and half of each group's minimum


@dataclass
class _Tally:
    """An article's hits added up (Topic._tally), before the verdict."""
    group_scores: dict[str, float]
    against: dict[str, float]                  # exclude group -> score
    against_terms: dict[str, list[str]]        # exclude group -> its terms found
    keywords: dict[str, int] = field(default_factory=dict)
    in_headline: set[str] = field(default_factory=set)   # groups with a headline hit
    carried: set[str] = field(default_factory=set)       # groups with a headline hit or a full term's hit
    excluded: list[str] = field(default_factory=list)    # exclude terms found
    score: float = 0.0


class Topic:
    def __init__(self, key: str, config: dict, path: Path | None = None):
        self.key = key
        self.path = path
        self.name = config["name"]
        self.threshold = config["threshold"]
        self.near_miss = config.get("near_miss")
        if self.near_miss is not None and self.near_miss >= self.threshold:
            raise self.error("near_miss", f"{self.near_miss:g} must be below the threshold ({self.threshold:g})")
        weights = config.get("weights") or {}
        self.title_weight = weights.get("title", 3)
        self.body_weight = weights.get("body", 1)
        self.body_hits_per_term = weights.get("body_hits_per_term", 5)
        self.body_length = weights.get("body_length")
        self.min_scores = {g: spec.get("min_score", 1) for g, spec in config["groups"].items()}
        self.body_only_min_scores = {g: spec.get("body_only_min_score", self.min_scores[g])
                                     for g, spec in config["groups"].items()}
        self.exclude_min_scores = {g: spec.get("min_score", 1)
                                   for g, spec in (config.get("exclude_groups") or {}).items()}
        self.search_terms = tuple(config.get("search_terms") or ())
        # By default one headline hit of any include term lets an entry through.
        self.headline_threshold = config.get("headline_threshold", self.title_weight)
        self.terms: dict[str, Term] = {}  # folded form -> term
        for section, kind in (("groups", INCLUDE), ("exclude_groups", EXCLUDE_GROUP)):
            for group, spec in (config.get(section) or {}).items():
                terms = spec["terms"]
                for text, weight in (terms.items() if isinstance(terms, dict) else ((t, 1) for t in terms)):
                    term = self._add(str(text), kind, f"{section}.{group}.terms")
                    term.weights[group] = weight
        for kind in (EXCLUDE, NEUTRAL):
            for text in config.get(kind) or []:
                self._add(text, kind, kind)
        self.automaton = ahocorasick.Automaton()
        for folded, term in self.terms.items():
            self.automaton.add_word(folded, (folded, term))
        self.automaton.make_automaton()

    def _add(self, text: str, kind: str, where: str) -> Term:
        folded = fold(text)
        if not folded:
            raise self.error(where, f"term {text!r} is blank")
        if "." in text or text.startswith("$"):
            # Include terms become field names in `keywords`; MongoDB forbids these there.
            raise self.error(where, f"term {text!r} contains '.' or starts with '$'")
        old = self.terms.get(folded)
        if old is not None and not (kind == old.kind and kind in (INCLUDE, EXCLUDE_GROUP)):
            raise self.error(where, f"term {text!r} is also listed as {old.kind.replace('_', ' ')} term {old.text!r}")
        if old is not None:
            if old.text != text:
                raise self.error(where, f"term {text!r} is the same term as {old.text!r}")
            return old
        term = self.terms[folded] = Term(text, kind, {})
        return term

    def error(self, key: str, problem: str) -> TopicError:
        return TopicError(f"topic {self.path or self.key}: {key}: {problem}")

    # -- matching ---------------------------------------------------------------------------------
    def hits(self, text: str) -> dict[Term, int]:
        """How often each term occurs in `text`, longest match first (a neutral phrase or a longer
        term hides the terms inside it); ASCII terms only as whole words."""
        return self._hits(fold(text))

    def _hits(self, folded: str) -> dict[Term, int]:
        counts: dict[Term, int] = {}
        for end, (word, term) in self.automaton.iter_long(folded):
            start = end - len(word) + 1
            if _ASCII_WORD_CHAR.match(word[0]) and start > 0 and _ASCII_WORD_CHAR.match(folded[start - 1]):
                continue
            if _ASCII_WORD_CHAR.match(word[-1]) and end + 1 < len(folded) and _ASCII_WORD_CHAR.match(folded[end + 1]):
                continue
            counts[term] = counts.get(term, 0) + 1
        return counts

    def length_factor(self, length: int) -> float:
        """What the body part of a score is multiplied by: 1 up to `weights.body_length` characters, then
        sqrt(body_length / length) — so hits a long feature piles up by its length alone count less,
        and a short brief and a long feature are scored on one scale."""
        if not self.body_length or length <= self.body_length:
            return 1.0
        return (self.body_length / length) ** 0.5

    def match(self, title: str, body: str) -> Match:
        """The verdict on an article (docs/topics.md, "How an article is scored")."""
        tally = self._tally(title or "", body or "")
        group_scores = {g: round(s, 2) for g, s in tally.group_scores.items()}
        # A group the headline does not name needs more of the body: the subject is something else.
        minimums = {g: self.min_scores[g] if g in tally.in_headline else self.body_only_min_scores[g]
                    for g in group_scores}
        # Supporting words (weight under 1: 数据, 平台, 线上 …) add to a group but never make it alone,
        # unless the headline names one.
        short = [g for g, s in group_scores.items() if s < minimums[g] or g not in tally.carried]
        kinds = self._excluding_groups(tally)
        score = round(tally.score, 2)
        excluded = tally.excluded
        if excluded:
            reason = f"exclude term {excluded[0]!r}"
        elif kinds:
            excluded = [t for g in kinds for t in tally.against_terms[g]]
            reason = "exclude group " + ", ".join(
                f"{g} ({', '.join(tally.against_terms[g])}: {tally.against[g]:.3g} >= {self.exclude_min_scores[g]:g})"
                for g in kinds)
        elif short:
            reason = "too little of group " + ", ".join(
                f"{g} (only supporting words)" if group_scores[g] >= minimums[g] else
                f"{g} ({group_scores[g]:g} < {minimums[g]:g}{'' if g in tally.in_headline else ', none in the headline'})"
                for g in short)
        elif score < self.threshold:
            reason = f"score {score:g} < threshold {self.threshold:g}"
        else:
            reason = ""
        # A near miss has at least half of every group's minimum: health news with nothing digital, or
        # digital news naming health once in passing, is not one. An exclude term names what the topic
        # is not (宠物医院): never a near miss; an exclude group is a judgement an editor may overrule.
        near_miss = (bool(reason) and not tally.excluded and self.near_miss is not None
                     and score >= self.near_miss and all(s >= minimums[g] / 2 for g, s in group_scores.items()))
        return Match(keywords=tally.keywords, score=score, group_scores=group_scores, excluded=excluded,
                     relevant=not reason, reason=reason, near_miss=near_miss)

    def _excluding_groups(self, tally: "_Tally") -> list[str]:
        """The exclude groups at their minimum. Another kind of story shows in two of its words at
        least: one (售价 in a story on a data leak) is not it."""
        return [g for g, s in tally.against.items()
                if s >= self.exclude_min_scores[g] and len(tally.against_terms[g]) >= 2]

    def _tally(self, title: str, body: str) -> "_Tally":
        """Every term's hits in headline and body, added up by group."""
        folded_body = fold(body)
        title_hits, body_hits = self.hits(title), self._hits(folded_body)
        body_factor = self.body_weight * self.length_factor(len(folded_body))
        tally = _Tally(group_scores=dict.fromkeys(self.min_scores, 0.0),
                       against=dict.fromkeys(self.exclude_min_scores, 0.0),
                       against_terms={g: [] for g in self.exclude_min_scores})
        for term in dict.fromkeys([*title_hits, *body_hits]):
            in_title, in_body = title_hits.get(term, 0), body_hits.get(term, 0)
            if term.kind == EXCLUDE:
                tally.excluded.append(term.text)
            elif term.kind == EXCLUDE_GROUP:
                # Another kind of story shows in several of its words, not one word repeated: each term
                # counts once in the headline and once in the body.
                hit_score = self.title_weight * bool(in_title) + body_factor * bool(in_body)
                for group, weight in term.weights.items():
                    tally.against[group] += weight * hit_score
                    tally.against_terms[group].append(term.text)
            elif term.kind == INCLUDE:
                hit_score = self.title_weight * in_title + body_factor * min(in_body, self.body_hits_per_term)
                tally.keywords[term.text] = in_title + in_body
                for group, weight in term.weights.items():
                    tally.group_scores[group] += weight * hit_score
                    if in_title:
                        tally.in_headline.add(group)
                    if weight >= 1 or in_title:
                        tally.carried.add(group)
                # A term of two groups (互联网医院: health and informatization) counts once in the total.
                tally.score += max(term.weights.values()) * hit_score
        return tally

    def headline(self, title: str, summary: str = "") -> Match:
        """Whether a list entry could be on topic, from its title (and the summary a feed or search
        result gives) before its article is fetched: no exclude term in the title, no exclude group
        reaching its minimum on the title alone, and a score of hits in the title and summary (one per
        term, title weight) reaching `headline_threshold`. Lenient by design: the article is scored in
        full once fetched."""
        title_hits, summary_hits = self.hits(title or ""), self.hits(summary or "")
        keywords: dict[str, int] = {}
        # exclude terms and groups as the full score finds them in the title alone
        in_title = self._tally(title or "", "")
        excluded, kinds = in_title.excluded, self._excluding_groups(in_title)
        score = 0.0
        for term in dict.fromkeys([*title_hits, *summary_hits]):
            if term.kind != INCLUDE:
                continue
            keywords[term.text] = title_hits.get(term, 0) + summary_hits.get(term, 0)
            # a summary is the article's lead, as telling as its headline: both count at title weight
            score += max(term.weights.values()) * self.title_weight
        score = round(score, 2)
        reason = (f"exclude term {excluded[0]!r} in the title" if excluded
                  else f"exclude group {', '.join(kinds)} in the title" if kinds
                  else f"headline score {score:g} < {self.headline_threshold:g}" if score < self.headline_threshold
                  else "")
        return Match(keywords=keywords, score=score, group_scores={}, excluded=excluded, relevant=not reason,
                     reason=reason)


def topics_dir(config_dir: str | os.PathLike) -> Path:
    return Path(config_dir) / "topics"


def load_topic(key: str, config_dir: str | os.PathLike) -> Topic:
    """The topic `key` from <config_dir>/topics/<key>.yaml, validated (TopicError otherwise)."""
    return _load(key, str(Path(config_dir).resolve()))


@lru_cache(maxsize=8)
def _load(key: str, config_dir: str) -> Topic:
    path = topics_dir(config_dir) / f"{key}.yaml"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key or ""):
        raise TopicError(f"topic {key!r}: a topic name is a file name under {topics_dir(config_dir)} "
                         "(letters, digits, '_' and '-')")
    if not path.is_file():
        known = sorted(p.stem for p in topics_dir(config_dir).glob("*.yaml"))
        raise TopicError(f"topic {key!r}: {path} does not exist (topics: {', '.join(known) or 'none'}); "
                         "set MONITOR_TOPIC to one of them")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TopicError(f"topic {path}: not valid YAML: {e}") from None
    try:
        jsonschema.validate(config, SCHEMA)
    except jsonschema.ValidationError as e:
        where = ".".join(str(p) for p in e.absolute_path) or "(top level)"
        raise TopicError(f"topic {path}: {where}: {e.message}") from None
    return Topic(key, config, path)
