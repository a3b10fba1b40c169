"""Domain events that let one feature react to another without importing it.

Senders: assessment (when it records an official score, or returns work),
badges (an award issued or waiting for approval). Receivers: badges (a rule
check job after a score), notifications (the bell and mail).

Every event is sent inside the sender's transaction, before it commits, so
what receivers write commits or rolls back with it. Receivers may add rows
(a notification; a job started after the commit, `jobs.start_after_commit`)
and must neither commit nor do slow or fallible work there: what they do
later can never undo the sender's change, and anything outside the database
(mail, signing) waits for the commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; kwargs: student_id (UUID), competency_ids (list[UUID]), organization_id (UUID)
mastery_changed = _signals.signal("mastery-changed")

# Mail waits for the commit in service/notifications/outbox.py.

# sender: the app; kwargs: submission (assessment Submission), returned to the student for revision
submission_returned = _signals.signal("submission-returned")
# sender: the app; kwargs: submission, assessment (official score)
submission_scored = _signals.signal("submission-scored")
# sender: the app; kwargs: award (badges Award, just issued and signed), badge_name
award_issued = _signals.signal("award-issued")
# sender: the app; kwargs: award (queued, waiting for a teacher's approval), badge_name
award_pending = _signals.signal("award-pending")
