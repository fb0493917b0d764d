"""Topics: which articles a crawl is about, from one YAML file per topic under spiders_config/topics/.

A topic has groups of include terms that must co-occur (for health informatization: a health term
and an informatization term), exclude terms (any hit: the article is off topic), neutral phrases
(they contain a term without meaning it, e.g. 健康发展 contains 健康: a hit on them hides the
shorter term), weights (a headline hit counts more than a body hit) and a threshold.

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
SCHEMA = {
    "type": "object",
    "required": ["name", "threshold", "groups"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "threshold": {"type": "number", "exclusiveMinimum": 0},
        "weights": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": {"type": "number", "minimum": 0},
                "body": {"type": "number", "minimum": 0},
                "body_hits_per_term": {"type": "integer", "minimum": 1},
            },
        },
        "groups": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["terms"],
                "additionalProperties": False,
                "properties": {"min_score": {"type": "number", "minimum": 0}, "terms": _TERMS},
            },
        },
        "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}},
        # what an outlet's site search is asked for (list sources of `format: search`)
        "search_terms": {"type": "array", "minItems": 1, "uniqueItems": True,
                         "items": {"type": "string", "minLength": 1}},
        # the score a list entry's title (and summary) needs before its article is fetched (`prefilter`)
        "headline_threshold": {"type": "number", "exclusiveMinimum": 0},
        "neutral": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}


@dataclass(eq=False)
class Term:
    text: str                      # as written in the topic file: the key in an article's `keywords`
    kind: str                      # "include", "exclude" or "neutral"
    weights: dict = field(default_factory=dict)  # group -> weight (include terms only)


@dataclass
class Match:
    """What a topic found in one article."""
    keywords: dict[str, int]       # include term -> hits in title and body
    score: float
    group_scores: dict[str, float]
    excluded: list[str]
    relevant: bool
    reason: str                    # why it is not relevant ("" when it is)


class Topic:
    def __init__(self, key: str, config: dict, path: Path | None = None):
        self.key = key
        self.path = path
        self.name = config["name"]
        self.threshold = config["threshold"]
        weights = config.get("weights") or {}
        self.title_weight = weights.get("title", 3)
        self.body_weight = weights.get("body", 1)
        self.body_hits_per_term = weights.get("body_hits_per_term", 5)
        self.min_scores = {g: spec.get("min_score", 1) for g, spec in config["groups"].items()}
        self.search_terms = tuple(config.get("search_terms") or ())
        # By default one headline hit of any include term lets an entry through.
        self.headline_threshold = config.get("headline_threshold", self.title_weight)
        self.terms: dict[str, Term] = {}  # folded form -> term
        for group, spec in config["groups"].items():
            terms = spec["terms"]
            for text, weight in (terms.items() if isinstance(terms, dict) else ((t, 1) for t in terms)):
                term = self._add(str(text), "include", f"groups.{group}.terms")
                term.weights[group] = weight
        for kind in ("exclude", "neutral"):
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
        if old is not None and not (kind == old.kind == "include"):
            raise self.error(where, f"term {text!r} is also listed as {old.kind} term {old.text!r}")
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
        folded = fold(text)
        counts: dict[Term, int] = {}
        for end, (word, term) in self.automaton.iter_long(folded):
            start = end - len(word) + 1
            if _ASCII_WORD_CHAR.match(word[0]) and start > 0 and _ASCII_WORD_CHAR.match(folded[start - 1]):
                continue
            if _ASCII_WORD_CHAR.match(word[-1]) and end + 1 < len(folded) and _ASCII_WORD_CHAR.match(folded[end + 1]):
                continue
            counts[term] = counts.get(term, 0) + 1
        return counts

    def match(self, title: str, body: str) -> Match:
        title_hits, body_hits = self.hits(title or ""), self.hits(body or "")
        keywords: dict[str, int] = {}
        group_scores = dict.fromkeys(self.min_scores, 0.0)
        excluded = []
        score = 0.0
        for term in dict.fromkeys([*title_hits, *body_hits]):
            in_title, in_body = title_hits.get(term, 0), body_hits.get(term, 0)
            if term.kind == "exclude":
                excluded.append(term.text)
            if term.kind != "include":
                continue
            keywords[term.text] = in_title + in_body
            hit_score = self.title_weight * in_title + self.body_weight * min(in_body, self.body_hits_per_term)
            for group, weight in term.weights.items():
                group_scores[group] += weight * hit_score
            # A term of two groups (互联网医院: health and informatization) counts once in the total.
            score += max(term.weights.values()) * hit_score
        score = round(score, 2)
        reason = ""
        if excluded:
            reason = f"exclude term {excluded[0]!r}"
        else:
            short = [g for g, s in group_scores.items() if s < self.min_scores[g]]
            if short:
                reason = "too little of group " + ", ".join(
                    f"{g} ({group_scores[g]:g} < {self.min_scores[g]:g})" for g in short)
            elif score < self.threshold:
                reason = f"score {score:g} < threshold {self.threshold:g}"
        return Match(keywords=keywords, score=score, group_scores=group_scores, excluded=excluded,
                     relevant=not reason, reason=reason)


    def headline(self, title: str, summary: str = "") -> Match:
        """Whether a list entry could be on topic, from its title (and the summary a feed or search
        result gives) before its article is fetched: no exclude term in the title, and a score of
        hits in the title and summary (one per term, title weight) reaching `headline_threshold`. Lenient by design: the article is scored in full once fetched."""
        title_hits, summary_hits = self.hits(title or ""), self.hits(summary or "")
        keywords: dict[str, int] = {}
        excluded = [t.text for t in title_hits if t.kind == "exclude"]
        score = 0.0
        for term in dict.fromkeys([*title_hits, *summary_hits]):
            if term.kind != "include":
                continue
            keywords[term.text] = title_hits.get(term, 0) + summary_hits.get(term, 0)
            # a summary is the article's lead, as telling as its headline: both count at title weight
            score += max(term.weights.values()) * self.title_weight
        score = round(score, 2)
        reason = (f"exclude term {excluded[0]!r} in the title" if excluded
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
