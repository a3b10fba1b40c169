"""Demo content: the school profile, a credit policy with graduation requirements,
student numbers, and one issued transcript (Ava's) to look at and verify.
Loading twice changes nothing."""
from __future__ import annotations

from ..extensions import db
from . import lifecycle
from .models import Transcript


def load_demo(context) -> None:
    org, admin = context["organization"], context["admin"]
    profile = lifecycle.school_profile(org)
    if profile.school_code is None:
        profile.address = "100 River Road, Riverside, ST 00000"
        profile.school_code = "000000"
        profile.accreditation = "State Department of Education (demo)"
        profile.contact = "Registrar, registrar@riverside.example"
        profile.size = "About 600 students in grades 9-12"
        profile.grading = ("Students advance on demonstrated mastery. Each competency is scored on a four-level "
                           "scale; credits and letter grades are derived by the published credit policy.")
    policy = lifecycle.current_policy(org)
    if policy.used_at is None and not (policy.rules.get("graduation") or {}).get("credits_by_subject"):
        rules = dict(policy.rules)
        rules["graduation"] = dict(rules.get("graduation") or {}, credits_by_subject={"English Language Arts": 4},
                                   total_credits=24)
        policy.rules = rules
        policy.note = "Demo policy"
    for n, student in enumerate(sorted(context["students"], key=lambda p: p.email), start=1):
        student.external_id = student.external_id or f"RHS-{n:04d}"
    db.session.commit()
    ava = next((s for s in context["students"] if s.email == "ava@riverside.example"), None)
    if ava is not None and db.session.scalar(db.select(Transcript.id).where(Transcript.student_id == ava.id)) is None:
        lifecycle.issue(lifecycle.request_transcript(ava, actor=ava, note="For college applications"), actor=admin)
