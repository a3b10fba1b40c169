"""Where badge rules get their facts: assessment's read API
(`service.assessment.facts`), behind the small `MasterySource` interface of
issuance.py.

Read-only. Competency conditions use the organization's mastery method;
rubric-criterion conditions use the most recent official score on that
criterion. Evidence for an award is every artifact version of the student's
officially scored submissions that touch the rule's competencies or criteria,
with one OB `Result` per criterion score.
"""
from __future__ import annotations

import uuid

from ..assessment import facts
from . import urls


class AssessmentMastery:
    def level(self, student_id: uuid.UUID, condition: dict) -> float | None:
        if "competency_id" in condition:
            return facts.competency_level(student_id, uuid.UUID(str(condition["competency_id"])))
        return facts.criterion_level(student_id, uuid.UUID(str(condition["rubric_criterion_id"])))

    def levels(self, student_ids, condition: dict) -> dict[uuid.UUID, float | None]:
        """`level` for many students at once (a few queries per 500 students)."""
        student_ids = list(student_ids)
        if "competency_id" not in condition:
            return {sid: self.level(sid, condition) for sid in student_ids}
        return facts.competency_levels(student_ids, uuid.UUID(str(condition["competency_id"])))

    def results(self, scores: list[facts.CriterionFact], badge_class=None) -> list[dict]:
        """OB Results for criterion scores (latest score per criterion). They name
        the badge class's ResultDescriptions when it was built from that rubric."""
        latest = {score.criterion_id: score for score in scores}
        known = {rd.get("id") for rd in (badge_class.result_descriptions if badge_class else None) or []}
        out = []
        for criterion_id, score in latest.items():
            result = {"type": ["Result"], "value": str(score.level_value)}
            if badge_class is not None:
                rd = f"{urls.achievement_url(badge_class.id)}#criterion-{criterion_id}"
                if rd in known:
                    result["resultDescription"] = rd
                    result["achievedLevel"] = f"{urls.achievement_url(badge_class.id)}#level-{score.level_id}"
            if "resultDescription" not in result and score.criterion_title is not None:
                result["value"] = f"{score.criterion_title}: {score.level_label or score.level_value}"
            out.append(result)
        return out

    def evidence(self, student_id: uuid.UUID, conditions: list[dict], badge_class=None
                 ) -> tuple[list[uuid.UUID], list[dict]]:
        competencies = [uuid.UUID(str(c["competency_id"])) for c in conditions if "competency_id" in c]
        criteria = [uuid.UUID(str(c["rubric_criterion_id"])) for c in conditions if "rubric_criterion_id" in c]
        scores = facts.criterion_scores(student_id, criterion_ids=criteria, competency_ids=competencies)
        versions = facts.submission_versions(dict.fromkeys(s.submission_id for s in scores))
        return versions, self.results(scores, badge_class)

    def results_for_versions(self, student_id: uuid.UUID, version_ids, badge_class=None) -> list[dict]:
        scores = facts.criterion_scores(student_id, version_ids=[uuid.UUID(str(v)) for v in version_ids])
        return self.results(scores, badge_class)

    def is_scored(self, artifact_version_id) -> bool:
        return facts.is_scored(uuid.UUID(str(artifact_version_id)))
