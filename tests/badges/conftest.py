"""Fixtures shared by the badge tests: one issued badge in a fresh school."""
from __future__ import annotations

import pytest

from tests.support import badge_fixtures as bf


@pytest.fixture
def issued(factory):
    """A school (see factory.school) plus a badge class `bc` and a signed `award` to s1."""
    school = factory.school()
    bc = bf.badge_class(school["org"])
    award = bf.award_badge(school["org"], bc, school["s1"])
    return dict(school, bc=bc, award=award)

