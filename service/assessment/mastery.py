"""Mastery calculation: pure functions from a student's scored evidence on one
competency to a level and a mastered/not-yet decision.

No database here: callers gather `Evidence` (the proficiency level a teacher
gave and when) and a `MasteryConfig` (the organization's or framework's
method). Levels are numbers on the organization's proficiency scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

METHODS = ("most_recent", "highest", "mean", "decaying_average", "power_law", "n_at_or_above")


@dataclass(frozen=True)
class Evidence:
    level: float
    at: datetime
    # Breaks ties between pieces scored at the same instant (insertion order).
    sequence: int = 0


@dataclass(frozen=True)
class MasteryConfig:
    method: str = "decaying_average"
    proficient_level: float = 3
    # Mastered when the calculated level reaches this; None -> proficient_level.
    threshold: float | None = None
    # Weight of the newest piece in the decaying average (0 < w <= 1).
    decay_weight: float = 0.65
    # How many pieces at or above proficient "n_at_or_above" needs.
    evidence_required: int = 3
    min_level: float = 1
    max_level: float = 4

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"unknown mastery method {self.method!r}; use one of {', '.join(METHODS)}")
        if not 0 < self.decay_weight <= 1:
            raise ValueError("decay_weight must be in (0, 1]")
        if self.evidence_required < 1:
            raise ValueError("evidence_required must be at least 1")

    @property
    def mastery_threshold(self) -> float:
        return self.proficient_level if self.threshold is None else self.threshold


@dataclass(frozen=True)
class MasteryResult:
    level: float | None  # None: no evidence yet
    method: str
    evidence_count: int
    mastered: bool


def calculate(evidence: Iterable[Evidence], config: MasteryConfig) -> MasteryResult:
    pieces = sorted(evidence, key=lambda e: (e.at, e.sequence))
    if not pieces:
        return MasteryResult(None, config.method, 0, False)
    levels = [float(e.level) for e in pieces]
    if config.method == "n_at_or_above":
        count = sum(1 for v in levels if v >= config.proficient_level)
        level = n_at_or_above_level(levels, config.evidence_required)
        return MasteryResult(_round(level), config.method, len(levels), count >= config.evidence_required)
    level = {
        "most_recent": lambda: levels[-1],
        "highest": lambda: max(levels),
        "mean": lambda: sum(levels) / len(levels),
        "decaying_average": lambda: decaying_average(levels, config.decay_weight),
        "power_law": lambda: power_law(levels, config.min_level, config.max_level),
    }[config.method]()
    level = _round(level)
    return MasteryResult(level, config.method, len(levels), level >= config.mastery_threshold)


def decaying_average(levels: Sequence[float], weight: float) -> float:
    """Each new piece counts `weight`, everything before it `1 - weight`."""
    value = levels[0]
    for level in levels[1:]:
        value = value * (1 - weight) + level * weight
    return value


def power_law(levels: Sequence[float], min_level: float = 1, max_level: float = 4) -> float:
    """Marzano's power law trend: fit level = a * n^b over the pieces in order
    (n = 1, 2, ...) by least squares on the logarithms and read the fitted
    value at the latest piece. Clamped to the scale."""
    n = len(levels)
    if n == 1:
        return levels[0]
    # Logarithms need positive values: shift a scale that starts at 0 or below.
    shift = 1 - min(levels) if min(levels) <= 0 else 0.0
    xs = [math.log(i) for i in range(1, n + 1)]
    ys = [math.log(v + shift) for v in levels]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    log_a = my - b * mx
    predicted = math.exp(log_a + b * math.log(n)) - shift
    return min(max(predicted, min_level), max_level)


def n_at_or_above_level(levels: Sequence[float], n: int) -> float:
    """The highest level shown by at least `n` pieces (by every piece when
    there are fewer than `n`)."""
    ordered = sorted(levels, reverse=True)
    return ordered[min(n, len(ordered)) - 1]


def _round(value: float) -> float:
    return round(value + 0.0, 2)
