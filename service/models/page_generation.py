"""A counter per organization that every change shown on its cached pages moves on.

Rendered fragments (`service/web/fragments.py`) are kept per process under
the organization's generation; a change committed anywhere moves the counter
in the same transaction, so every process's next read misses. No row: nothing
is cached for that organization."""
from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PageGeneration(db.Model):
    __tablename__ = "page_generations"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
