"""What assessment needs to know about badges, supplied by the badges feature.

A submission or a learning-plan goal may name a badge class. Badges builds on
assessment (its rules read `assessment.facts`), so assessment does not import
badges: badges registers a `BadgeDirectory` here when it loads. Without one,
no badge class can be named.
"""
from __future__ import annotations

import uuid
from typing import Protocol


class BadgeDirectory(Protocol):
    def belongs_to(self, badge_class_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
        """Whether the badge class exists in that organization."""
        ...

    def progress(self, student_id: uuid.UUID, badge_class_id: uuid.UUID) -> dict:
        """{"awarded": bool, "status": str, "rule_parts": [...], ...} for a plan goal."""
        ...


_directory: BadgeDirectory | None = None


def register(directory: BadgeDirectory) -> None:
    global _directory
    _directory = directory


def belongs_to(badge_class_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    return _directory is not None and _directory.belongs_to(badge_class_id, organization_id)


def progress(student_id: uuid.UUID, badge_class_id: uuid.UUID) -> dict:
    if _directory is None:
        raise LookupError("no badges feature to report on a badge goal")
    return _directory.progress(student_id, badge_class_id)
