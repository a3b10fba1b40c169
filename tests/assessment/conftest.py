import pytest

from tests.support.assessment import writing_framework, writing_rubric


@pytest.fixture
def school(factory):
    """The factory school plus an ELA writing framework and a rubric aligned to it."""
    from service.extensions import db

    data = factory.school()
    data["framework"] = writing_framework(data["org"].id, data["admin"])
    data["rubric"] = writing_rubric(data["org"].id, data["framework"], data["t1"])
    db.session.commit()
    return data
