"""Admissions readiness: how close a transcript record is to a college's published
requirement set (competencies with minimum levels, credits per subject, a total and
a minimum GPA). Pure functions; the set is imported as JSON by an admin.

{"name": "State University", "competencies": [{"identifier": "ela-w-1", "min_level": 3}],
 "credits_by_subject": {"Mathematics": 3}, "total_credits": 16, "min_gpa": 3.0}
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .policy import RulesError, q2

KEYS = {"name", "url", "competencies", "credits_by_subject", "total_credits", "min_gpa"}


def _dec(errors, name, value, hi) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append((name, "must be a number"))
        return Decimal(0)
    if not out.is_finite() or out < 0 or out > hi:
        errors.append((name, f"must be a number between 0 and {hi}"))
    return out


def parse(doc) -> dict:
    """Validate an imported set; the normalized form is what is stored. Raises RulesError."""
    errors: list[tuple[str, str]] = []
    if not isinstance(doc, dict):
        raise RulesError([("requirements", "must be a JSON object")])
    errors += [(k, "is not a requirement setting") for k in sorted(set(doc) - KEYS)]
    name = str(doc.get("name") or "").strip()
    if not name:
        errors.append(("name", "is required"))
    comps = []
    for i, item in enumerate(doc.get("competencies") or []):
        if not isinstance(item, dict) or not str(item.get("identifier") or "").strip():
            errors.append((f"competencies[{i}]", "needs identifier and min_level"))
            continue
        comps.append({"identifier": str(item["identifier"]).strip(),
                      "min_level": float(_dec(errors, f"competencies[{i}].min_level", item.get("min_level"), 100))})
    credits = {str(k): float(_dec(errors, f"credits_by_subject.{k}", v, 100))
               for k, v in (doc.get("credits_by_subject") or {}).items()}
    out = {"name": name[:200], "url": doc.get("url"), "competencies": comps, "credits_by_subject": credits}
    for key, hi in (("total_credits", 200), ("min_gpa", 10)):
        if doc.get(key) is not None:
            out[key] = float(_dec(errors, key, doc[key], hi))
    if errors:
        raise RulesError(errors)
    return out


def readiness(record: dict, requirements: dict) -> dict:
    """Each requirement with what the record shows, met or not, and the share met."""
    levels = {c["id"]: Decimal(c["level"]) for c in record.get("competencies", []) if c.get("level") is not None}
    earned: dict[str, Decimal] = {}
    for term in record.get("terms", []):
        for course in term["courses"]:
            subject = course.get("subject") or "Other"
            earned[subject] = earned.get(subject, Decimal(0)) + Decimal(course["credits_earned"])
    items = []
    for comp in requirements.get("competencies", []):
        shown = levels.get(comp["identifier"])
        items.append({"kind": "competency", "name": comp["identifier"], "required": str(comp["min_level"]),
                      "shown": str(shown) if shown is not None else None,
                      "met": shown is not None and shown >= Decimal(str(comp["min_level"]))})
    for subject, required in sorted(requirements.get("credits_by_subject", {}).items()):
        shown = q2(earned.get(subject, Decimal(0)))
        items.append({"kind": "credits", "name": subject, "required": str(required), "shown": str(shown),
                      "met": shown >= Decimal(str(required))})
    cum = record.get("cumulative", {})
    if requirements.get("total_credits") is not None:
        shown = Decimal(cum.get("credits_earned") or "0")
        items.append({"kind": "total", "name": "Total credits", "required": str(requirements["total_credits"]),
                      "shown": str(shown), "met": shown >= Decimal(str(requirements["total_credits"]))})
    if requirements.get("min_gpa") is not None:
        gpa = cum.get("gpa_unweighted")
        items.append({"kind": "gpa", "name": "GPA (unweighted)", "required": str(requirements["min_gpa"]),
                      "shown": gpa, "met": gpa is not None and Decimal(gpa) >= Decimal(str(requirements["min_gpa"]))})
    met = sum(1 for i in items if i["met"])
    return {"name": requirements.get("name"), "items": items, "met": met, "total": len(items),
            "share": round(met / len(items), 2) if items else None}
