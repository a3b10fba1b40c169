"""Domain events that let one feature react to another without importing it.

Senders: assessment (after a score commits). Receivers: badges (auto-issue),
notifications (the bell and mail).
Receivers run in the sender's request after its commit; they must be idempotent.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; kwargs: student_id (UUID), competency_ids (list[UUID]), organization_id (UUID)
mastery_changed = _signals.signal("mastery-changed")

# The events below are sent inside the sender's transaction, before it commits,
# so what receivers write (notifications) commits or rolls back with it.
# Receivers must not commit; anything outside the database (mail) waits for
# the commit (service/notifications/outbox.py).

# sender: the app; kwargs: submission (assessment Submission), returned to the student for revision
submission_returned = _signals.signal("submission-returned")
# sender: the app; kwargs: submission, assessment (official score)
submission_scored = _signals.signal("submission-scored")
# sender: the app; kwargs: award (badges Award, just issued and signed)
award_issued = _signals.signal("award-issued")
# sender: the app; kwargs: award (queued, waiting for a teacher's approval)
award_pending = _signals.signal("award-pending")
