"""Domain events that let one feature react to another without importing it.

Senders: assessment (after a score commits). Receivers: badges (auto-issue).
Receivers run in the sender's request after its commit; they must be idempotent.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; kwargs: student_id (UUID), competency_ids (list[UUID]), organization_id (UUID)
mastery_changed = _signals.signal("mastery-changed")
