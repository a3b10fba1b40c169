"""marshmallow schemas for the assessment API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import StrictSchema
from .mastery import METHODS

SCHOOL_YEAR = validate.Regexp(r"^\d{4}-\d{4}$", error="must look like 2026-2027")


class LevelSchema(StrictSchema):
    value = fields.Integer(required=True, validate=validate.Range(0, 100))
    label = fields.String(required=True, validate=validate.Length(1, 60))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=8))


class ScaleSchema(StrictSchema):
    name = fields.String(load_default="Proficiency scale", validate=validate.Length(1, 100))
    levels = fields.List(fields.Nested(LevelSchema), required=True, validate=validate.Length(2, 10))
    proficient_value = fields.Integer(required=True)


class SettingsSchema(StrictSchema):
    mastery_method = fields.String(validate=validate.OneOf(METHODS))
    decay_weight = fields.Float(validate=validate.Range(0, 1, min_inclusive=False))
    evidence_required = fields.Integer(validate=validate.Range(1, 50))
    mastery_threshold = fields.Float(allow_none=True, validate=validate.Range(0, 100))
    reassessment_requires_new_evidence = fields.Boolean()
    graduation_requirements = fields.Dict(keys=fields.String(), values=fields.Float(validate=validate.Range(0, 100)))


class CompetencySchema(Schema):
    id = fields.UUID()
    framework_id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    identifier = fields.String()
    uri = fields.String(allow_none=True)
    human_code = fields.String(allow_none=True)
    statement = fields.String()
    abbreviated_statement = fields.String(allow_none=True)
    item_type = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    grade_levels = fields.List(fields.String())
    depth = fields.Integer()
    position = fields.Integer()


class FrameworkSchema(Schema):
    id = fields.UUID()
    key = fields.UUID()
    version = fields.Integer()
    status = fields.String()
    school_year = fields.String(allow_none=True)
    title = fields.String()
    subject = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    source = fields.String()
    source_identifier = fields.String(allow_none=True)
    source_uri = fields.String(allow_none=True)
    creator = fields.String(allow_none=True)
    mastery_method = fields.String(allow_none=True)
    mastery_params = fields.Dict()
    created_at = fields.DateTime()


class FrameworkDetailSchema(FrameworkSchema):
    items = fields.List(fields.Nested(CompetencySchema))


class FrameworkUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(1, 300))
    mastery_method = fields.String(allow_none=True, validate=validate.OneOf(METHODS))
    mastery_params = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["decay_weight", "evidence_required", "threshold"])), values=fields.Float())


class ImportQuerySchema(Schema):
    school_year = fields.String(validate=SCHOOL_YEAR)


class CsvImportSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 300))
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    school_year = fields.String(load_default=None, allow_none=True, validate=SCHOOL_YEAR)
    csv = fields.String(required=True, validate=validate.Length(1, 5_000_000))


class NewVersionSchema(StrictSchema):
    school_year = fields.String(load_default=None, allow_none=True, validate=SCHOOL_YEAR)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 300))


class CompetencyDetailSchema(CompetencySchema):
    continuum = fields.List(fields.Nested(CompetencySchema))


class CourseCompetenciesSchema(StrictSchema):
    competency_ids = fields.List(fields.UUID(), required=True)


class RubricLevelSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    label = fields.String(required=True, validate=validate.Length(1, 100))
    points = fields.Float(required=True, validate=validate.Range(0, 1000))
    proficiency_value = fields.Integer(required=True)


class RubricCriterionSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(load_default="academic", validate=validate.OneOf(["academic", "habit"]))
    descriptors = fields.List(fields.String(validate=validate.Length(max=2000)), load_default=list)
    competency_ids = fields.List(fields.UUID(), load_default=list)


class RubricSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    key = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default=None, allow_none=True)
    levels = fields.List(fields.Nested(RubricLevelSchema), required=True, validate=validate.Length(2, 10))
    criteria = fields.List(fields.Nested(RubricCriterionSchema), required=True, validate=validate.Length(1, 50))


class SubmissionCreateSchema(StrictSchema):
    section_id = fields.UUID(required=True)
    rubric_id = fields.UUID(required=True)
    artifact_version_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(1, 50))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    competency_id = fields.UUID(load_default=None, allow_none=True)
    badge_class_id = fields.UUID(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    previous_id = fields.UUID(load_default=None, allow_none=True,
                              metadata={"description": "the attempt this one reassesses"})


class SubmissionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["submitted", "returned", "scored"]))
    section_id = fields.UUID()
    student_id = fields.UUID()


class CriterionScoreSchema(StrictSchema):
    criterion_id = fields.UUID(required=True)
    level_id = fields.UUID(required=True)
    feedback = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    points = fields.Float(dump_only=True)
    level_value = fields.Integer(dump_only=True)


class ScoreSchema(StrictSchema):
    scores = fields.List(fields.Nested(CriterionScoreSchema), required=True)
    feedback = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))


class AssessmentSchema(Schema):
    id = fields.UUID()
    submission_id = fields.UUID()
    assessor_id = fields.UUID()
    rubric_id = fields.UUID()
    kind = fields.String()
    feedback = fields.String(allow_none=True)
    assessed_at = fields.DateTime()
    scores = fields.List(fields.Nested(CriterionScoreSchema))


class SubmissionSchema(Schema):
    id = fields.UUID()
    student_id = fields.UUID()
    section_id = fields.UUID()
    rubric_id = fields.UUID()
    competency_id = fields.UUID(allow_none=True)
    badge_class_id = fields.UUID(allow_none=True)
    title = fields.String()
    note = fields.String(allow_none=True)
    status = fields.String()
    attempt = fields.Integer()
    previous_id = fields.UUID(allow_none=True)
    return_feedback = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    returned_at = fields.DateTime(allow_none=True)
    scored_at = fields.DateTime(allow_none=True)
    artifact_version_ids = fields.Method("_versions")

    def _versions(self, obj):
        evidence = obj["evidence"] if isinstance(obj, dict) else obj.evidence
        return [str(e.artifact_version_id) for e in evidence]


class SubmissionDetailSchema(SubmissionSchema):
    assessments = fields.List(fields.Nested(AssessmentSchema))
    attempt_ids = fields.List(fields.UUID())


class ReturnSchema(StrictSchema):
    feedback = fields.String(required=True, validate=validate.Length(1, 10000))


class MasterySchema(Schema):
    competency = fields.Nested(CompetencySchema)
    level = fields.Float(allow_none=True)
    label = fields.String()
    method = fields.String()
    evidence_count = fields.Integer()
    mastered = fields.Boolean()


class EvidencePieceSchema(Schema):
    submission_id = fields.UUID()
    submission_title = fields.String()
    criterion_title = fields.String()
    rubric_title = fields.String()
    rubric_version = fields.Integer()
    level = fields.Integer()
    assessed_at = fields.DateTime()


class MasteryDetailSchema(MasterySchema):
    evidence = fields.List(fields.Nested(EvidencePieceSchema))


class MasteryQuerySchema(Schema):
    framework_id = fields.UUID()


class HabitSchema(Schema):
    criterion = fields.String()
    level = fields.Integer()
    assessed_at = fields.DateTime()
    submission_title = fields.String()


class HeatmapCellSchema(Schema):
    student_id = fields.UUID()
    competency_id = fields.UUID()
    level = fields.Float(allow_none=True)
    label = fields.String()
    mastered = fields.Boolean()
    evidence_count = fields.Integer()


class PersonRefSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()


class NotYetSchema(Schema):
    competency_id = fields.UUID()
    students = fields.List(fields.Nested(PersonRefSchema))


class HeatmapSchema(Schema):
    section_id = fields.UUID()
    students = fields.List(fields.Nested(PersonRefSchema))
    competencies = fields.List(fields.Nested(CompetencySchema))
    cells = fields.List(fields.Nested(HeatmapCellSchema))
    not_yet_meeting = fields.List(fields.Nested(NotYetSchema))


class ReportQuerySchema(Schema):
    months = fields.Integer(load_default=6, validate=validate.Range(1, 36))


class ProficiencyRowSchema(Schema):
    section_id = fields.String()
    section = fields.String()
    school_year = fields.String()
    competency_id = fields.String()
    competency_identifier = fields.String()
    competency_code = fields.String()
    competency = fields.String()
    month = fields.String()
    students = fields.Integer()
    proficient = fields.Integer()
    share_proficient = fields.Float()


class PaceSchema(Schema):
    student = fields.Nested(PersonRefSchema)
    per_month = fields.Dict(keys=fields.String(), values=fields.Integer())
    earlier_rate = fields.Float()
    recent_rate = fields.Float()
    slowed = fields.Boolean()


class DomainStandingSchema(Schema):
    domain = fields.Nested(CompetencySchema)
    level = fields.Float(allow_none=True)
    label = fields.String()
    required = fields.Float()
    met = fields.Boolean()


class CalibrationCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    rubric_id = fields.UUID(required=True)
    submission_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(1, 100))
    rater_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(2, 50))


class CalibrationSchema(Schema):
    id = fields.UUID()
    title = fields.String()
    rubric_id = fields.UUID()
    created_by_id = fields.UUID()
    created_at = fields.DateTime()
    submission_ids = fields.Method("_items")
    rater_ids = fields.Method("_raters")

    def _items(self, obj):
        return [str(i.submission_id) for i in obj.items]

    def _raters(self, obj):
        return [str(r.rater_id) for r in obj.raters]


class CriterionAgreementSchema(Schema):
    criterion_id = fields.UUID()
    title = fields.String()
    kind = fields.String()
    pairs = fields.Integer()
    exact_agreement = fields.Float(allow_none=True)
    adjacent_agreement = fields.Float(allow_none=True)
    weighted_kappa = fields.Float(allow_none=True)
    ratings = fields.List(fields.Dict())


class CalibrationResultsSchema(Schema):
    session_id = fields.UUID()
    title = fields.String()
    raters = fields.Integer()
    items = fields.Integer()
    completed = fields.Integer()
    expected = fields.Integer()
    criteria = fields.List(fields.Nested(CriterionAgreementSchema))


class PlanCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 200))


class GoalSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    competency_id = fields.UUID(load_default=None, allow_none=True)
    badge_class_id = fields.UUID(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    target_date = fields.Date(load_default=None, allow_none=True)
    planned_evidence = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class CommentSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    author_id = fields.UUID(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    goal_id = fields.UUID(load_default=None, allow_none=True)
    body = fields.String(required=True, validate=validate.Length(1, 5000))


class RulePartSchema(Schema):
    competency_id = fields.UUID(allow_none=True)
    rubric_criterion_id = fields.UUID(allow_none=True)
    required_level = fields.Float()
    current_level = fields.Float(allow_none=True)
    met = fields.Boolean()


class BadgeProgressSchema(Schema):
    badge_class_id = fields.UUID()
    name = fields.String()
    awarded = fields.Boolean()
    status = fields.String(metadata={"description": "issued, pending_approval, suspended, revoked, rejected; "
                                                    "without an award: rule_met, in_progress or manual"})
    rule_parts = fields.List(fields.Nested(RulePartSchema))


class GoalProgressSchema(Schema):
    goal_id = fields.UUID()
    target_date = fields.Date(allow_none=True)
    days_left = fields.Integer(allow_none=True)
    level = fields.Float(allow_none=True)
    mastered = fields.Boolean(allow_none=True)
    evidence_count = fields.Integer(allow_none=True)
    status = fields.String()
    evidence = fields.List(fields.Dict())
    badge = fields.Nested(BadgeProgressSchema, allow_none=True,
                          metadata={"description": "badge goals: the award and each rule part (badges.progress)"})


class PlanSchema(Schema):
    id = fields.UUID()
    student_id = fields.UUID()
    title = fields.String()
    created_by_id = fields.UUID()
    created_at = fields.DateTime()
    goals = fields.List(fields.Nested(GoalSchema))
    comments = fields.List(fields.Nested(CommentSchema))


class PlanDetailSchema(PlanSchema):
    progress = fields.List(fields.Nested(GoalProgressSchema))
