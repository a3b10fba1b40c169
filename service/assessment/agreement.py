"""Inter-rater agreement for calibration: exact and adjacent agreement and
Cohen's weighted kappa (quadratic weights). Pure functions, no database.

Ratings are given per criterion as {piece_of_work: {rater: level}}. With more
than two raters, figures are averaged over every pair of raters (Light's
approach to extending Cohen's kappa).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Hashable, Mapping, Sequence


@dataclass(frozen=True)
class Agreement:
    pairs: int  # rater pairs compared over all pieces of work
    exact: float | None  # share of pairs giving the same level
    adjacent: float | None  # share within one level (includes exact)
    weighted_kappa: float | None  # None when undefined (e.g. every rating identical)


def weighted_kappa(rater_a: Sequence, rater_b: Sequence, categories: Sequence) -> float | None:
    """Cohen's (1968) weighted kappa with quadratic disagreement weights.

    kappa_w = 1 - sum(v_ij * o_ij) / sum(v_ij * e_ij), v_ij = (i - j)^2, where
    o are observed and e chance-expected proportions (from the marginals).
    """
    if len(rater_a) != len(rater_b):
        raise ValueError("both raters must rate the same pieces")
    if not rater_a:
        return None
    index = {c: i for i, c in enumerate(categories)}
    for value in (*rater_a, *rater_b):
        if value not in index:
            raise ValueError(f"rating {value!r} is not one of the categories {list(categories)}")
    k, n = len(categories), len(rater_a)
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(rater_a, rater_b):
        observed[index[a]][index[b]] += 1 / n
    row = [sum(observed[i]) for i in range(k)]
    col = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = sum((i - j) ** 2 * observed[i][j] for i in range(k) for j in range(k))
    den = sum((i - j) ** 2 * row[i] * col[j] for i in range(k) for j in range(k))
    if den == 0:
        return None
    return 1 - num / den


def agreement(ratings: Mapping[Hashable, Mapping[Hashable, object]], categories: Sequence) -> Agreement:
    """Agreement among raters on one criterion over several pieces of work."""
    index = {c: i for i, c in enumerate(categories)}
    raters = sorted({r for by_rater in ratings.values() for r in by_rater}, key=str)
    exact = adjacent = pairs = 0
    kappas = []
    for r1, r2 in combinations(raters, 2):
        a, b = [], []
        for by_rater in ratings.values():
            if r1 in by_rater and r2 in by_rater:
                a.append(by_rater[r1])
                b.append(by_rater[r2])
        for x, y in zip(a, b):
            pairs += 1
            distance = abs(index[x] - index[y])
            exact += distance == 0
            adjacent += distance <= 1
        kappa = weighted_kappa(a, b, categories) if a else None
        if kappa is not None:
            kappas.append(kappa)
    if not pairs:
        return Agreement(0, None, None, None)
    return Agreement(pairs, round(exact / pairs, 4), round(adjacent / pairs, 4),
                     round(sum(kappas) / len(kappas), 4) if kappas else None)
