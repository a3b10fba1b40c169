"""Domain events that let one feature react to another without importing it.

Senders: assessment (when it records an official score). Receivers: badges
(a rule-check job). Receivers run inside the sender's transaction, before its
commit: they may add rows to it (typically a job started after the commit,
`jobs.start_after_commit`) and must neither commit nor do slow or fallible
work there, so that what they do later can never undo the sender's change.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; kwargs: student_id (UUID), competency_ids (list[UUID]), organization_id (UUID)
mastery_changed = _signals.signal("mastery-changed")
