"""Tells: what lets a candidate guess an answer without knowing it, measured over the bank.

- the correct option is the longest one (a single-choice item whose key is at least as long as
  every other option; for multiple choice, the correct options' mean length against the wrong
  ones', shown for information);
- option lengths that differ widely inside an item;
- a catch-all option (以上都对, 都不对…), which gives itself away once options are shuffled,
  unless the item declares ``fixed: true`` (its options keep their order);
- near-duplicate stems: one item answers another (character 3-gram Jaccard similarity);
- true/false items mostly true, or mostly false.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

#: Single-choice items whose key is the longest option: at most this share per level.
MAX_LONGEST_SHARE = 0.40
#: Inside an item the longest option is at most this many times the shortest …
MAX_LENGTH_FACTOR = 2.5
#: … unless the longest is this short.
SHORT_OPTION = 6
#: Stems this similar (3-gram Jaccard) at one level count as the same item.
DUPLICATE_SIMILARITY = 0.6
#: The share of true/false items answered "true" we aim at (shown, not enforced).
TRUE_SHARE_TARGET = (0.40, 0.60)

CATCH_ALL = re.compile(
    r"以上(?:都|均|皆|全|各项|所有|选项|说法|答案|几项|三项|四项)"
    r"|(?:都|均|皆|全)(?:不)?(?:对|正确|错|错误)[。.！!]?$"
    r"|^(?:都|均|皆|全部?)(?:是|不是|可以|不可以|不对)[。.！!]?$"
    r"|全部(?:正确|错误)"
)


class Item(Protocol):
    key: str
    level: int
    type: str
    stem: str
    options: dict[str, str]
    answer: Any
    raw: dict[str, Any]


def _length(text: str) -> int:
    return len(text.strip())


def _correct(item: Item) -> set[str]:
    answer = item.answer
    return {str(key) for key in answer} if isinstance(answer, list) else {str(answer)}


def key_is_longest(item: Item) -> bool:
    """A single-choice item whose key is at least as long as every other option."""
    (key,) = _correct(item) or {""}
    lengths = {k: _length(v) for k, v in item.options.items()}
    return key in lengths and all(lengths[key] >= n for k, n in lengths.items() if k != key)


def mean_lengths(item: Item) -> tuple[float, float]:
    """(correct options' mean length, wrong options' mean length) of a multiple-choice item."""
    correct = _correct(item)
    right = [_length(v) for k, v in item.options.items() if k in correct]
    wrong = [_length(v) for k, v in item.options.items() if k not in correct]
    return (sum(right) / len(right) if right else 0.0, sum(wrong) / len(wrong) if wrong else 0.0)


def uneven_lengths(item: Item) -> bool:
    lengths = [_length(v) for v in item.options.values()]
    if not lengths or max(lengths) <= SHORT_OPTION:
        return False
    return max(lengths) > MAX_LENGTH_FACTOR * max(min(lengths), 1)


def has_catch_all(item: Item) -> bool:
    if item.raw.get("fixed") is True:
        return False
    return any(CATCH_ALL.search(text.strip()) for text in item.options.values())


def _grams(stem: str) -> frozenset[str]:
    text = re.sub(r"\s+", "", stem)
    return frozenset(text[i : i + 3] for i in range(max(len(text) - 2, 1)))


def similarity(one: str, other: str) -> float:
    """Character 3-gram Jaccard similarity of two stems."""
    a, b = _grams(one), _grams(other)
    return len(a & b) / len(a | b) if a | b else 1.0


def near_duplicates(items: Sequence[Item]) -> list[tuple[str, str, float]]:
    """Pairs of stems of one level at least ``DUPLICATE_SIMILARITY`` alike, and pairs of
    identical stems at any level: (key, key, similarity)."""
    found: dict[tuple[str, str], float] = {}
    by_text: dict[str, list[Item]] = {}
    for item in items:
        by_text.setdefault(re.sub(r"\s+", "", item.stem), []).append(item)
    for same in by_text.values():
        for one, other in combinations(same, 2):
            found[(one.key, other.key)] = 1.0
    grams = [(item, _grams(item.stem)) for item in items]
    for (one, a), (other, b) in combinations(grams, 2):
        if one.level != other.level or (one.key, other.key) in found:
            continue
        union = len(a | b)
        score = len(a & b) / union if union else 1.0
        if score >= DUPLICATE_SIMILARITY:
            found[(one.key, other.key)] = score
    return sorted(((a, b, s) for (a, b), s in found.items()), key=lambda t: (-t[2], t[0], t[1]))


@dataclass(frozen=True)
class LevelTells:
    level: int
    singles: int
    key_longest: int
    multiples: int
    multiple_right_mean: float
    multiple_wrong_mean: float
    multiple_right_longer: int
    truefalse: int
    truefalse_true: int

    @property
    def longest_share(self) -> float:
        return self.key_longest / self.singles if self.singles else 0.0

    @property
    def true_share(self) -> float:
        return self.truefalse_true / self.truefalse if self.truefalse else 0.0


def level_tells(level: int, items: Iterable[Item]) -> LevelTells:
    mine = [item for item in items if item.level == level]
    singles = [item for item in mine if item.type == "single"]
    multiples = [item for item in mine if item.type == "multiple"]
    truefalse = [item for item in mine if item.type == "truefalse"]
    means = [mean_lengths(item) for item in multiples]
    return LevelTells(
        level=level,
        singles=len(singles),
        key_longest=sum(key_is_longest(item) for item in singles),
        multiples=len(multiples),
        multiple_right_mean=sum(r for r, _ in means) / len(means) if means else 0.0,
        multiple_wrong_mean=sum(w for _, w in means) / len(means) if means else 0.0,
        multiple_right_longer=sum(r > w for r, w in means),
        truefalse=len(truefalse),
        truefalse_true=sum(item.answer is True for item in truefalse),
    )


def with_options(items: Iterable[Item]) -> list[Item]:
    return [item for item in items if item.type in ("single", "multiple")]
