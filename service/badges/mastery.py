"""Where badge rules get their facts: the assessment feature's mastery and
official scores, behind the small `MasterySource` interface of issuance.py.

Read-only. Competency conditions use `service.assessment.mastery_for` (the
organization's mastery method); rubric-criterion conditions use the most
recent official score on that criterion. Evidence for an award is every
artifact version of the student's officially scored submissions that touch
the rule's competencies or criteria, with one OB `Result` per criterion score.
"""
from __future__ import annotations

import uuid

from ..extensions import db
from . import urls


def _models():
    try:
        from ..assessment import models
    except ModuleNotFoundError:  # assessment feature not installed: no rule can hold
        return None
    return models


class AssessmentMastery:
    def level(self, student_id: uuid.UUID, condition: dict) -> float | None:
        m = _models()
        if m is None:
            return None
        if "competency_id" in condition:
            from ..assessment import mastery_for

            try:
                result = mastery_for(student_id, uuid.UUID(str(condition["competency_id"])))
            except LookupError:  # the competency is gone: the condition cannot hold
                return None
            return None if result.level is None else float(result.level)
        criterion_id = uuid.UUID(str(condition["rubric_criterion_id"]))
        row = db.session.execute(
            db.select(m.CriterionScore.level_value).join(m.Assessment).join(m.Submission)
            .where(m.Submission.student_id == student_id, m.Assessment.kind == "official",
                   m.CriterionScore.criterion_id == criterion_id)
            .order_by(m.Assessment.assessed_at.desc()).limit(1)).first()
        return None if row is None else float(row[0])

    def levels(self, student_ids, condition: dict) -> dict[uuid.UUID, float | None]:
        """`level` for many students at once (a few queries per 500 students)."""
        student_ids = list(student_ids)
        m = _models()
        if m is None or "competency_id" not in condition:
            return {sid: self.level(sid, condition) for sid in student_ids}
        from ..assessment.progress import mastery_table

        competency = db.session.get(m.Competency, uuid.UUID(str(condition["competency_id"])))
        if competency is None:
            return dict.fromkeys(student_ids)
        out = {}
        for start in range(0, len(student_ids), 500):
            chunk = student_ids[start:start + 500]
            table = mastery_table(chunk, [competency])
            for sid in chunk:
                level = table[(sid, competency.id)].level
                out[sid] = None if level is None else float(level)
        return out

    def _scores(self, student_id, *, criterion_ids=(), competency_ids=(), version_ids=()):
        m = _models()
        if m is None:
            return []
        query = (db.select(m.CriterionScore, m.Assessment, m.Submission)
                 .join(m.Assessment, m.Assessment.id == m.CriterionScore.assessment_id)
                 .join(m.Submission, m.Submission.id == m.Assessment.submission_id)
                 .where(m.Submission.student_id == student_id, m.Assessment.kind == "official"))
        wanted = []
        if criterion_ids:
            wanted.append(m.CriterionScore.criterion_id.in_(list(criterion_ids)))
        if competency_ids:
            wanted.append(m.CriterionScore.criterion_id.in_(db.select(m.CriterionAlignment.criterion_id).where(
                m.CriterionAlignment.competency_id.in_(list(competency_ids)))))
        if version_ids:
            wanted.append(m.Submission.id.in_(db.select(m.SubmissionEvidence.submission_id).where(
                m.SubmissionEvidence.artifact_version_id.in_(list(version_ids)))))
        if not wanted:
            return []
        query = query.where(db.or_(*wanted)).order_by(m.Assessment.assessed_at, m.CriterionScore.id)
        return db.session.execute(query).all()

    def _versions_of(self, submission_ids) -> list[uuid.UUID]:
        m = _models()
        if m is None or not submission_ids:
            return []
        rows = db.session.scalars(db.select(m.SubmissionEvidence.artifact_version_id).where(
            m.SubmissionEvidence.submission_id.in_(list(submission_ids))).order_by(m.SubmissionEvidence.id))
        return list(dict.fromkeys(rows))

    def results(self, rows, badge_class=None) -> list[dict]:
        """OB Results for criterion scores (latest score per criterion). They name
        the badge class's ResultDescriptions when it was built from that rubric."""
        m = _models()
        latest = {}
        for score, assessment, _submission in rows:
            latest[score.criterion_id] = score
        known = {rd.get("id") for rd in (badge_class.result_descriptions if badge_class else None) or []}
        out = []
        for criterion_id, score in latest.items():
            criterion = db.session.get(m.RubricCriterion, criterion_id)
            level = db.session.get(m.RubricLevel, score.level_id)
            result = {"type": ["Result"], "value": str(score.level_value)}
            if badge_class is not None:
                rd = f"{urls.achievement_url(badge_class.id)}#criterion-{criterion_id}"
                if rd in known:
                    result["resultDescription"] = rd
                    result["achievedLevel"] = f"{urls.achievement_url(badge_class.id)}#level-{score.level_id}"
            if "resultDescription" not in result and criterion is not None:
                result["value"] = f"{criterion.title}: {level.label if level else score.level_value}"
            out.append(result)
        return out

    def evidence(self, student_id: uuid.UUID, conditions: list[dict], badge_class=None
                 ) -> tuple[list[uuid.UUID], list[dict]]:
        competencies = [uuid.UUID(str(c["competency_id"])) for c in conditions if "competency_id" in c]
        criteria = [uuid.UUID(str(c["rubric_criterion_id"])) for c in conditions if "rubric_criterion_id" in c]
        rows = self._scores(student_id, criterion_ids=criteria, competency_ids=competencies)
        return self._versions_of({sub.id for _, _, sub in rows}), self.results(rows, badge_class)

    def results_for_versions(self, student_id: uuid.UUID, version_ids, badge_class=None) -> list[dict]:
        return self.results(self._scores(student_id, version_ids=[uuid.UUID(str(v)) for v in version_ids]),
                            badge_class)

    def is_scored(self, artifact_version_id) -> bool:
        m = _models()
        if m is None:
            return False
        return db.session.scalar(db.select(m.Assessment.id).join(m.Submission).join(
            m.SubmissionEvidence, m.SubmissionEvidence.submission_id == m.Submission.id).where(
            m.SubmissionEvidence.artifact_version_id == uuid.UUID(str(artifact_version_id)),
            m.Assessment.kind == "official").limit(1)) is not None
