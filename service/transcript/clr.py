"""The transcript as a CLR 2.0 `ClrCredential`, built from the record with the
`openbadges` models, then signed (eddsa-rdfc-2022 and a VC-JWT twin).

Shape (every embedded credential is covered by the CLR's own proof):
* an "academic record" AchievementCredential: the program Achievement whose
  criteria name the credit policy version, cumulative GPA (weighted and
  unweighted) and credits as Results against ResultDescriptions;
* one AchievementCredential per course: Achievement of type Course with
  `creditsAvailable`, the subject's `creditsEarned`, `term`, and Results for
  the letter grade, grade points, weighted points and the course level;
* every competency once, as an Achievement of type Competency in the ClrSubject,
  aligned to its framework item (CASE identifier as targetCode); its current
  level and the number of scored evidence pieces (counts, not evidence
  objects: the CLR stays compact) are Results in the first course credential
  that teaches it, or in the academic record;
* the student's badges, embedded exactly as issued (with their own proofs);
* associations: competency isPartOf course, course isPartOf program, badge
  isRelatedTo competency.

Every blank node is made distinct (salted identity hashes, coded narratives)
so RDFC-1.0 labels them by first-degree hashes alone.
"""
from __future__ import annotations

from decimal import Decimal

from openbadges.identity import hashed_email
from openbadges.models import (
    Achievement,
    AchievementSubject,
    Alignment,
    Association,
    ClrCredential,
    ClrSubject,
    Criteria,
    OpenBadgeCredential,
    Profile,
    Result,
    ResultDescription,
)

from .urls import CLR_SCHEMA_URL, Ids


def _num(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def _rd(achievement_id: str, key: str, name: str, result_type: str, **kw) -> ResultDescription:
    return ResultDescription(id=f"{achievement_id}#{key}", name=name, result_type=result_type, **kw)


def _result(achievement_id: str, key: str, value) -> Result:
    return Result(result_description=f"{achievement_id}#{key}", value=str(value))


def _embedded(cred_id: str, issuer_id: str, issued: str, name: str, subject: AchievementSubject) -> dict:
    return OpenBadgeCredential(id=cred_id, issuer=issuer_id, valid_from=issued, name=name,
                               credential_subject=subject).to_json()


def build(record: dict, *, transcript_id, ids: Ids, issuer: dict, issued: str, email: str,
          policy_version: int, grade_letters: list[str], scale: tuple[float, float],
          badges: list[dict], status_entry: dict | None) -> dict:
    """The unsigned ClrCredential JSON for a built record."""
    clr_id = ids.transcript(transcript_id)
    issuer_id = issuer["id"]
    student = record["student"]
    who = student.get("name") or "Student"
    assocs: list[Association] = []
    program_id = ids.program()
    course_ids = {c["code"]: ids.course(c["id"]) for term in record["terms"] for c in term["courses"]}
    badge_achievements = {b["id"]: _achievement_id(b["credential"]) for b in badges}

    # -- competencies: defined once in the ClrSubject; their results go to the first course that
    # teaches them (or the academic record), once, so no two Result nodes are alike.
    achievements: list[Achievement] = []
    results_for: dict[str, list[Result]] = {}
    for comp in record["competencies"]:
        comp_id = ids.competency(comp["id"])
        label = f"{comp['code']} {comp['statement']}" if comp.get("code") else comp["statement"]
        alignment = Alignment(target_name=label[:300], target_url=comp.get("uri") or comp_id,
                              target_code=comp["id"], target_framework=comp.get("framework"),
                              target_type="CFItem" if comp.get("uri") else None)
        achievements.append(Achievement(
            id=comp_id, name=label[:300], description=comp["statement"],
            criteria=Criteria(narrative=f"{comp.get('code') or comp['id']}: proficient at level "
                                        f"{record.get('proficient_level', '3')} or above on the school's scale."),
            achievement_type="Competency", human_code=comp.get("code"), alignment=[alignment],
            result_description=[
                _rd(comp_id, "level", "Current level", "PerformanceLevel", value_min=str(scale[0]),
                    value_max=str(scale[1])),
                _rd(comp_id, "evidence", "Scored evidence pieces", "ext:EvidenceCount", value_min="0")]))
        owner = next((course_ids[c] for c in comp["courses"] if c in course_ids), program_id)
        results = [_result(comp_id, "evidence", comp["evidence_count"])]
        if comp["level"] is not None:
            results.insert(0, _result(comp_id, "level", comp["level"]))
        results_for.setdefault(owner, []).extend(results)
        for code in comp["courses"]:
            if code in course_ids:
                assocs.append(Association("isPartOf", comp_id, course_ids[code]))
        for badge_id in comp["badges"]:
            badge_achievement = badge_achievements.get(badge_id)
            if badge_achievement:
                assocs.append(Association("isRelatedTo", badge_achievement, comp_id))

    # -- the academic record: program, policy version, cumulative GPA and credits
    program = Achievement(
        id=program_id, name=f"{issuer.get('name') or 'School'} competency-based program",
        description="Courses and competencies of the school's competency-based program, with credits, grades "
                    "and GPA translated by the published credit policy named in the criteria.",
        criteria=Criteria(id=ids.policy(policy_version),
                          narrative=f"Credits, grades and GPA follow credit policy version {policy_version}, "
                                    f"published at {ids.policy(policy_version)}."),
        achievement_type="LearningProgram", version=str(policy_version),
        result_description=[
            _rd(program_id, "gpa-unweighted", "Cumulative GPA (unweighted)", "GradePointAverage",
                value_min="0", value_max="4"),
            _rd(program_id, "gpa-weighted", "Cumulative GPA (weighted)", "GradePointAverage", value_min="0"),
            _rd(program_id, "credits-attempted", "Credits attempted", "ext:CreditsAttempted", value_min="0"),
            # The letter scale once: an allowedValue list is an RDF list, and identical lists in every
            # course would tie under RDFC-1.0's first-degree hashes (a far slower labeling).
            _rd(program_id, "letter", "Letter grades, lowest first", "LetterGrade",
                allowed_value=list(grade_letters))])
    cum = record["cumulative"]
    results = [_result(program_id, k, cum[f]) for k, f in (("gpa-unweighted", "gpa_unweighted"),
                                                          ("gpa-weighted", "gpa_weighted"),
                                                          ("credits-attempted", "credits_attempted"))
               if cum[f] is not None]
    creds: list[dict | OpenBadgeCredential] = [_embedded(
        f"{clr_id}#record", issuer_id, issued, f"Academic record of {who}",
        AchievementSubject(achievement=program, identifier=[hashed_email(email)],
                           credits_earned=_num(cum["credits_earned"]),
                           result=results + results_for.get(program_id, [])))]

    # -- courses
    for n, course in enumerate((c for term in record["terms"] for c in term["courses"]), start=1):
        course_id = ids.course(course["id"])
        achievement = Achievement(
            id=course_id, name=course["title"],
            description=f"{course['code']} {course['title']}" + (f", {course['subject']}" if course["subject"]
                                                                  else "") + f" ({course['level']})",
            criteria=Criteria(narrative=f"{course['code']}: credit follows credit policy version "
                                        f"{policy_version} over the course's competencies."),
            achievement_type="Course", credits_available=_num(course["credit_value"]),
            field_of_study=course["subject"], human_code=course["code"], tag=[course["level"]],
            result_description=[
                _rd(course_id, "letter", "Letter grade (scale in the academic record)", "LetterGrade"),
                _rd(course_id, "points", "Grade points", "ext:GradePoints", value_min="0"),
                _rd(course_id, "weighted-points", "Weighted grade points", "ext:WeightedGradePoints",
                    value_min="0"),
                _rd(course_id, "level", "Course level on the proficiency scale", "PerformanceLevel",
                    value_min=str(scale[0]), value_max=str(scale[1]))])
        if course["in_progress"]:
            results = [Result(result_description=f"{course_id}#letter", status="InProgress")]
        else:
            results = [_result(course_id, "letter", course["letter"]), _result(course_id, "points", course["points"]),
                       _result(course_id, "weighted-points", course["weighted_points"]),
                       _result(course_id, "level", course["course_level"])]
        subject = AchievementSubject(achievement=achievement, identifier=[hashed_email(email)],
                                     credits_earned=_num(course["credits_earned"]), term=course["term"],
                                     result=results + results_for.get(course_id, []))
        creds.append(_embedded(f"{clr_id}#course-{n}", issuer_id, issued, f"{course['code']} {course['title']}",
                               subject))
        assocs.append(Association("isPartOf", course_id, program_id))

    creds.extend(b["credential"] for b in badges)
    identifier = [hashed_email(email), {"type": "IdentityObject", "identityType": "name", "hashed": False,
                                        "identityHash": who}]
    if student.get("number"):
        identifier.append({"type": "IdentityObject", "identityType": "sisSourcedId", "hashed": False,
                           "identityHash": str(student["number"])})
    clr = ClrCredential(
        id=clr_id, issuer=Profile.from_json(issuer), valid_from=issued, awarded_date=issued, name=f"Transcript of {who}",
        description=f"Competency transcript with its translation to credits and grades (credit policy version "
                    f"{policy_version}).",
        credential_subject=ClrSubject(verifiable_credential=creds, identifier=identifier, achievement=achievements,
                                      association=assocs),
        credential_status=status_entry,
        # "JsonSchema" (VC 2.0) names 1EdTech's CLR schema with a type every JSON-LD verifier knows.
        credential_schema=[{"id": CLR_SCHEMA_URL, "type": "JsonSchema"}])
    return clr.to_json()


def _achievement_id(credential: dict) -> str | None:
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement.get("id") if isinstance(achievement, dict) else None


def _datetime(text: str | None) -> str | None:
    if not text:
        return None
    return text.replace("+00:00", "Z")


# -- reading a CLR back (the verifier's consistency checks and the display) ------------------
def embedded(clr: dict) -> list[dict]:
    subject = clr.get("credentialSubject") or {}
    subject = subject[0] if isinstance(subject, list) and subject else subject
    creds = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    if isinstance(creds, dict):
        return [creds]
    return [c for c in creds or [] if isinstance(c, dict)]


def kind_of(credential: dict) -> str:
    """record | course | badge"""
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    kind = achievement.get("achievementType") if isinstance(achievement, dict) else None
    if "proof" not in credential:
        if kind == "LearningProgram":
            return "record"
        if kind == "Course":
            return "course"
    return "badge"


def competency_levels(credentials: list[dict]) -> dict[str, str | None]:
    """{competency achievement id: stated level} from the transcript's own credentials."""
    out = {}
    for credential in credentials:
        subject = credential.get("credentialSubject") or {}
        own = (subject.get("achievement") or {}).get("id") if isinstance(subject, dict) else None
        for result in subject.get("result") or [] if isinstance(subject, dict) else []:
            rd = result.get("resultDescription") if isinstance(result, dict) else None
            if isinstance(rd, str) and rd.endswith("#level") and rd[:-len("#level")] != own:
                out[rd[:-len("#level")]] = result.get("value")
    return out


def results_by_key(credential: dict) -> dict[str, str]:
    """{fragment: value or status} of the results against the subject's own achievement's descriptions."""
    subject = credential.get("credentialSubject") or {}
    own = (subject.get("achievement") or {}).get("id") if isinstance(subject, dict) else None
    out = {}
    for result in subject.get("result") or []:
        rd = result.get("resultDescription") if isinstance(result, dict) else None
        if isinstance(rd, str) and own and rd.startswith(own + "#"):
            out[rd[len(own) + 1:]] = result.get("value") if result.get("value") is not None else result.get("status")
    return out
