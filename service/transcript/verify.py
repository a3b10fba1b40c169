"""CLR-specific verification: what a college needs beyond the CLR's own proof.

`extend_report(body, credential)` is called by the verifier
(service/badges/verification.py) for every report; for a ClrCredential it adds:
* every embedded credential: badges are verified on their own (proof, status,
  validity), named in the check; the transcript's own course/competency/record
  credentials must come from the CLR's issuer (they are covered by its proof);
* consistency: credits, grades and GPA recomputed from the embedded competency
  levels under the credit policy version the CLR names must equal the numbers
  shown, naming the course or total that differs;
* `transcript`: a readable summary (courses, GPA, policy) for the page.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..extensions import db
from ..models import Organization
from . import clr as C, policy as P


def _add(body: dict, check: str, status: str, message: str) -> None:
    body["checks"].append({"check": check, "status": status, "message": message})


def _dec(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _money(value) -> str | None:
    """Credits as shown on the transcript: two places."""
    number = _dec(value)
    return str(P.q2(number)) if number is not None else None


def _achievement(credential: dict) -> dict:
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else {}


def _issuer_id(doc: dict):
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _policy_for(url: str | None) -> tuple[P.Rules | None, str | None]:
    """(rules, None) for one of our published policy versions, else (None, why)."""
    from ..urls import own_route
    from .lifecycle import policy_version

    route = own_route(url) if isinstance(url, str) else None  # urls.Ids.policy
    if route is None or route.endpoint != "transcript_pages.policy_page":
        return None, "the credit policy is not published by this service, so numbers were not recomputed"
    slug, version = route.args["slug"], route.args["version"]
    org = db.session.scalar(db.select(Organization).where(Organization.slug == slug))
    row = policy_version(org, version) if org is not None else None
    if row is None:
        return None, f"credit policy version {version} is not published by the issuer"
    return P.Rules.from_json(row.rules), None


def extend_report(body: dict, credential: dict | None) -> None:
    if not isinstance(credential, dict) or "ClrCredential" not in (credential.get("type") or []):
        return
    from ..badges.verification import verify_source

    embedded = C.embedded(credential)
    issuer = _issuer_id(credential)
    kinds: dict[str, list[dict]] = {"record": [], "course": [], "badge": []}
    for item in embedded:
        kinds[C.kind_of(item)].append(item)
    for item in kinds["record"] + kinds["course"]:
        if _issuer_id(item) != issuer:
            _add(body, "clr", "fail", f"embedded credential {item.get('name')!r} is not from the CLR's issuer")
    for badge in kinds["badge"]:
        name = _achievement(badge).get("name") or badge.get("name") or badge.get("id")
        report = verify_source(badge)
        failed = [c for c in report["checks"] if c["status"] == "fail"]
        if failed:
            _add(body, "embedded", "fail", f"embedded badge {name!r} does not verify: "
                 + "; ".join(f"{c['check']}: {c['message']}" for c in failed[:3]))
        else:
            _add(body, "embedded", "pass", f"embedded badge {name!r} verifies (proof and status)")
    summary = _consistency(body, kinds, credential)
    body["transcript"] = summary


def _consistency(body: dict, kinds: dict, credential: dict) -> dict:
    record = kinds["record"][0] if kinds["record"] else None
    if record is None:
        _add(body, "consistency", "warning", "no academic record credential: credits and GPA not recomputed")
        return {}
    program = _achievement(record)
    criteria = program.get("criteria") or {}
    policy_url = criteria.get("id") if isinstance(criteria, dict) else None
    version = program.get("version")
    if policy_url and version and not str(policy_url).endswith(f"/{version}"):
        _add(body, "policy", "fail", f"the record names credit policy version {version} but its criteria point "
                                     f"to {policy_url}")
    rules, why = _policy_for(policy_url)
    stated = C.results_by_key(record)
    subject = record.get("credentialSubject") or {}
    summary: dict = {"policy_url": policy_url, "policy_version": version, "courses": [],
               "gpa_unweighted": stated.get("gpa-unweighted"), "gpa_weighted": stated.get("gpa-weighted"),
               "credits_attempted": stated.get("credits-attempted"),
               "credits_earned": _money(subject.get("creditsEarned")),
               "competency_count": len(_competency_achievements(credential))}
    if rules is None:
        why = why or "the credit policy could not be read"
        _add(body, "policy", "fail" if "not published by the issuer" in why else "warning", why)
    # competency levels by achievement id; which competencies belong to which course
    levels = {k: _dec(v) for k, v in C.competency_levels(kinds["record"] + kinds["course"]).items()}
    parts: dict = {}
    for assoc in _associations(credential):
        if assoc.get("associationType") == "isPartOf":
            parts.setdefault(assoc.get("targetId"), []).append(assoc.get("sourceId"))
    outcomes, bad = [], 0
    for course in kinds["course"]:
        achievement = _achievement(course)
        cs = course.get("credentialSubject") or {}
        res = C.results_by_key(course)
        code = achievement.get("humanCode") or achievement.get("name")
        credit_value = _dec(achievement.get("creditsAvailable")) or Decimal(0)
        level_tag = (achievement.get("tag") or ["standard"])[0]
        earned = _dec(cs.get("creditsEarned"))
        in_progress = res.get("letter") == "InProgress"
        summary["courses"].append({"code": code, "title": achievement.get("name"), "term": cs.get("term"),
                                   "credits": _money(credit_value), "credits_earned": _money(earned), "letter": None if in_progress else res.get("letter"),
                                   "points": res.get("points")})
        stated_outcome = P.CourseOutcome(
            _dec(res.get("level")), None if in_progress else res.get("letter"), _dec(res.get("points")),
            _dec(res.get("weighted-points")), Decimal(0) if in_progress else P.q2(credit_value),
            earned or Decimal(0), 0, 0)
        outcomes.append(stated_outcome)
        if rules is None:
            continue
        comp_levels = [levels.get(cid) for cid in parts.get(achievement.get("id"), [])]
        expected = P.course_outcome(rules, credit_value, level_tag, comp_levels)
        problems = []
        if rules.combine != "mastery":
            for label, got, want in (("level", stated_outcome.level, expected.level),
                                     ("letter grade", stated_outcome.letter, expected.letter),
                                     ("grade points", stated_outcome.points, expected.points),
                                     ("weighted grade points", stated_outcome.weighted_points,
                                      expected.weighted_points)):
                if got != want:
                    problems.append(f"{label} {got} but the policy gives {want}")
        elif stated_outcome.letter is not None and stated_outcome.level is not None:
            band = P.grade_for(rules, stated_outcome.level)
            if (band.letter, P.q2(band.points)) != (stated_outcome.letter, stated_outcome.points):
                problems.append(f"letter grade {stated_outcome.letter} / {stated_outcome.points} does not match "
                                f"level {stated_outcome.level} in the policy's grade table")
        if (earned or Decimal(0)) != expected.credits_earned:
            problems.append(f"creditsEarned {earned} but the policy gives {expected.credits_earned}")
        if problems:
            bad += 1
            _add(body, "consistency", "fail", f"course {code}: " + "; ".join(problems))
    totals = P.gpa(outcomes)
    for label, got, want in (("unweighted GPA", _dec(stated.get("gpa-unweighted")), totals.unweighted),
                             ("weighted GPA", _dec(stated.get("gpa-weighted")), totals.weighted),
                             ("credits attempted", _dec(stated.get("credits-attempted")),
                              totals.credits_attempted if outcomes else None),
                             ("credits earned", _dec(subject.get("creditsEarned")), totals.credits_earned)):
        if got is not None and want is not None and got != want:
            bad += 1
            _add(body, "consistency", "fail", f"cumulative {label} is {got} but the courses shown give {want}")
        elif got is None and want not in (None, Decimal("0.00")):
            bad += 1
            _add(body, "consistency", "fail", f"cumulative {label} is missing; the courses shown give {want}")
    if not bad and rules is not None:
        _add(body, "consistency", "pass", f"credits, grades and GPA match credit policy version {version} "
                                          f"for all {len(kinds['course'])} courses")
    return summary


def _competency_achievements(credential: dict) -> list[dict]:
    subject = credential.get("credentialSubject") or {}
    items = subject.get("achievement") if isinstance(subject, dict) else None
    items = items if isinstance(items, list) else [items] if items else []
    return [a for a in items if isinstance(a, dict) and a.get("achievementType") == "Competency"]


def _associations(credential: dict) -> list[dict]:
    subject = credential.get("credentialSubject") or {}
    items = subject.get("association") if isinstance(subject, dict) else None
    return [a for a in (items if isinstance(items, list) else [items] if items else []) if isinstance(a, dict)]
