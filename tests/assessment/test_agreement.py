"""Calibration statistics, hand-checked."""
from __future__ import annotations

import pytest

from service.assessment.agreement import agreement, weighted_kappa


def expand(table):
    """{(a, b): count} -> two parallel rating lists."""
    a, b = [], []
    for (x, y), count in table.items():
        a += [x] * count
        b += [y] * count
    return a, b


def test_two_categories_match_the_textbook_kappa():
    # The standard worked example (50 proposals, Yes/No): 20 both yes, 15 both no,
    # 5 A-yes/B-no, 10 A-no/B-yes. p_o = .7, p_e = .5*.6 + .5*.4 = .5, kappa = .4.
    # With two categories quadratic weights equal Cohen's unweighted kappa.
    a, b = expand({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert weighted_kappa(a, b, ["no", "yes"]) == pytest.approx(0.4)


def test_quadratic_weights_by_hand():
    # Rows rater A, columns rater B over levels 1..3 (10 pieces):
    #   A1: 3 1 0   A2: 0 3 1   A3: 0 0 2     row margins .4 .4 .2, column margins .3 .4 .3
    # observed disagreement sum (i-j)^2 o_ij = 1*.1 + 1*.1 = .2
    # expected: 1*.4*.4 + 4*.4*.3 + 1*.4*.3 + 1*.4*.3 + 4*.2*.3 + 1*.2*.4 = 1.2
    # kappa_w = 1 - .2/1.2 = .8333
    a, b = expand({(1, 1): 3, (1, 2): 1, (2, 2): 3, (2, 3): 1, (3, 3): 2})
    assert weighted_kappa(a, b, [1, 2, 3]) == pytest.approx(5 / 6)
    # Far disagreements cost more than near ones: swap one near miss for a far one.
    far_a, far_b = expand({(1, 1): 3, (1, 3): 1, (2, 2): 3, (2, 3): 1, (3, 3): 2})
    assert weighted_kappa(far_a, far_b, [1, 2, 3]) < 5 / 6


def test_perfect_and_undefined():
    assert weighted_kappa([1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1)
    assert weighted_kappa([3, 3], [3, 3], [1, 2, 3, 4]) is None  # no variation: chance agreement is total
    assert weighted_kappa([], [], [1, 2]) is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        weighted_kappa([1, 2], [1], [1, 2])
    with pytest.raises(ValueError):
        weighted_kappa([1, 5], [1, 2], [1, 2, 3, 4])


def test_agreement_over_pieces_and_rater_pairs():
    # Three pieces scored by raters A, B (and C on one piece).
    ratings = {"p1": {"A": 3, "B": 3, "C": 2}, "p2": {"A": 2, "B": 4}, "p3": {"A": 1, "B": 1}}
    figures = agreement(ratings, [1, 2, 3, 4])
    # Pairs: p1 AB=, AC adj, BC adj; p2 AB off by 2; p3 AB=  -> 5 pairs, 2 exact, 4 within one level.
    assert (figures.pairs, figures.exact, figures.adjacent) == (5, 0.4, 0.8)
    # Kappa is averaged over the rater pairs (Light): A-B over three pieces; A-C and B-C share one
    # piece on which they differ, where observed and chance disagreement are equal: kappa 0.
    ab = weighted_kappa([3, 2, 1], [3, 4, 1], [1, 2, 3, 4])
    assert weighted_kappa([3], [2], [1, 2, 3, 4]) == 0
    assert figures.weighted_kappa == pytest.approx(round(ab / 3, 4))


def test_no_ratings():
    assert agreement({}, [1, 2, 3, 4]).pairs == 0
