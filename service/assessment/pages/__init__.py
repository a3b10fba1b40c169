"""Assessment pages under /assessment, one module per area on one blueprint:
progress (section heatmap, a student's progress), scoring (review queue,
submission and scoring, submitting evidence), learning plans, frameworks,
reports (admins), calibration and settings.
"""
# Each area module registers its routes on `bp` when imported.
from . import calibration, frameworks, plans, progress, reports, scoring, settings  # noqa: F401
from .common import bp, links_for

__all__ = ["bp", "links_for"]
