"""The assessment API under /api/v1, one module per area on one blueprint:
settings (scale, mastery settings), frameworks (and competencies, course
alignment), rubrics, scoring (submissions and scores), calibration, progress
(mastery, habits, graduation, heatmaps), reports (admins) and learning plans.
"""
# Each area module registers its routes on `blp` when imported.
from . import calibration, frameworks, plans, progress, reports, rubrics, scoring, settings  # noqa: F401
from .common import blp

__all__ = ["blp"]
