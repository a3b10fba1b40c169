"""Every mastery method on hand-computed examples, with the edge cases: no
evidence, one piece, ties, a reassessment that lowers the level."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from service.assessment.mastery import METHODS, Evidence, MasteryConfig, calculate, power_law

T0 = datetime(2025, 9, 1, tzinfo=timezone.utc)


def pieces(*levels):
    return [Evidence(level, T0 + timedelta(days=7 * n)) for n, level in enumerate(levels)]


def run(method, levels, **kw):
    return calculate(pieces(*levels), MasteryConfig(method=method, **kw))


SERIES = (2, 3, 1, 4)  # oldest first


@pytest.mark.parametrize("method,level,mastered", [
    ("most_recent", 4, True),
    ("highest", 4, True),
    ("mean", 2.5, False),  # (2+3+1+4)/4
    # 2 -> 2*.35+3*.65 = 2.65 -> 2.65*.35+1*.65 = 1.5775 -> 1.5775*.35+4*.65 = 3.152125
    ("decaying_average", 3.15, True),
    ("n_at_or_above", 3, False),  # only two pieces >= 3, three required; the 3rd highest is 2... see below
])
def test_methods_on_one_series(method, level, mastered):
    result = run(method, SERIES)
    if method == "n_at_or_above":
        # Highest level shown by at least 3 pieces: sorted 4,3,2,1 -> 2.
        assert result.level == 2 and result.mastered is False
        return
    assert (result.level, result.mastered, result.evidence_count, result.method) == (level, mastered, 4, method)


def test_n_at_or_above_with_two_required():
    result = run("n_at_or_above", SERIES, evidence_required=2)
    assert (result.level, result.mastered) == (3, True)  # 3 and 4 reach proficient


def test_decaying_average_weight_is_configurable():
    # w = 0.5: 2 -> 2.5 -> 1.75 -> 2.875
    assert run("decaying_average", SERIES, decay_weight=0.5).level == 2.88
    assert run("decaying_average", SERIES, decay_weight=1.0).level == 4  # only the newest counts


def test_power_law_exact_fits():
    # 1, 2, 3 lies on y = 1 * n^1: the trend at n = 3 is 3.
    assert power_law([1, 2, 3]) == pytest.approx(3)
    # 1, 4 lies on y = n^2: the trend at n = 2 is 4.
    assert power_law([1, 4]) == pytest.approx(4)
    # 4, 1 lies on y = 4 * n^-2: the trend at n = 2 is 1.
    assert power_law([4, 1]) == pytest.approx(1)
    assert power_law([2, 2, 2]) == pytest.approx(2)


def test_power_law_least_squares_on_logs():
    # x = ln 1..4 = 0, .6931, 1.0986, 1.3863; y = ln 2, ln 3, ln 1, ln 4.
    # mean x = mean y = ln 24 / 4 = .794513; Sxx = 1.084207, Sxy = .158306 -> b = .146010,
    # ln a = .794513 - .146010 * .794513 = .678506; trend at n=4: exp(.678506 + .146010 * 1.386294) = 2.413
    assert run("power_law", SERIES).level == 2.41
    assert run("power_law", SERIES).mastered is False


def test_power_law_is_clamped_to_the_scale():
    assert power_law([1, 3, 4], min_level=1, max_level=4) == 4  # the raw trend is 4.39


def test_power_law_scale_starting_at_zero():
    # 0, 1, 2 shifted by +1 is 1, 2, 3 -> trend 3 -> unshifted 2
    assert power_law([0, 1, 2], min_level=0, max_level=4) == pytest.approx(2)


@pytest.mark.parametrize("method", METHODS)
def test_no_evidence(method):
    result = calculate([], MasteryConfig(method=method))
    assert (result.level, result.evidence_count, result.mastered) == (None, 0, False)


@pytest.mark.parametrize("method", METHODS)
def test_one_piece(method):
    result = run(method, [3])
    assert result.level == 3 and result.evidence_count == 1
    # "3 pieces at or above" is not met by one piece, every other method is.
    assert result.mastered is (method != "n_at_or_above")


def test_reassessment_that_lowers_the_level():
    # First attempt Advanced, the reassessment Developing.
    levels = (4, 2)
    assert (run("most_recent", levels).level, run("most_recent", levels).mastered) == (2, False)
    assert run("highest", levels).mastered is True
    assert run("decaying_average", levels).level == 2.7  # 4*.35 + 2*.65
    assert run("decaying_average", levels).mastered is False
    assert run("mean", levels).level == 3 and run("mean", levels).mastered is True
    assert run("power_law", levels).level == 2  # 4, 2 lies on y = 4 n^-1


def test_ties_at_the_same_instant_follow_insertion_order():
    same = [Evidence(3, T0, sequence=0), Evidence(2, T0, sequence=1)]
    assert calculate(same, MasteryConfig(method="most_recent")).level == 2
    assert calculate(list(reversed(same)), MasteryConfig(method="most_recent")).level == 2


def test_tie_with_the_threshold_is_mastered():
    assert run("mean", (2, 4)).mastered is True  # exactly 3.0
    assert run("mean", (2, 3.98)).mastered is False  # 2.99


def test_threshold_is_configurable():
    assert run("mean", SERIES, threshold=2.5).mastered is True
    assert run("most_recent", (3,), threshold=3.5).mastered is False


def test_evidence_given_out_of_order_is_sorted_by_time():
    shuffled = [Evidence(4, T0 + timedelta(days=30)), Evidence(1, T0)]
    assert calculate(shuffled, MasteryConfig(method="most_recent")).level == 4


def test_custom_proficient_level_for_n_at_or_above():
    # A scale where 2 (of 1..3) is proficient.
    result = calculate(pieces(2, 2, 1), MasteryConfig(method="n_at_or_above", proficient_level=2,
                                                       evidence_required=2, max_level=3))
    assert (result.level, result.mastered) == (2, True)


@pytest.mark.parametrize("bad", [dict(method="median"), dict(decay_weight=0), dict(decay_weight=1.5),
                                 dict(evidence_required=0)])
def test_invalid_configuration_is_refused(bad):
    with pytest.raises(ValueError):
        MasteryConfig(**bad)
