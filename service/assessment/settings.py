"""An organization's proficiency scale and assessment settings, created with
the common defaults on first use."""
from __future__ import annotations

import uuid

from ..extensions import db
from .mastery import MasteryConfig
from .models import DEFAULT_LEVELS, AssessmentSettings, Framework, ProficiencyScale


_LOADED = "assessment.settings.loaded"  # session.info: (model, organization id) -> its one row


def _one_row(model, organization_id: uuid.UUID):
    """The organization's row of `model` (one per organization, never replaced) as this session
    already holds it: a heatmap or progress page asked for the scale and settings 3-7 times, one
    query each. The object is the session's own (expired at commit, so reloaded when read after);
    one the session no longer holds (rolled back) is read again."""
    loaded = db.session.info.setdefault(_LOADED, {})
    found = loaded.get((model, organization_id))
    if found is None or found not in db.session:
        found = loaded[(model, organization_id)] = db.session.scalar(
            db.select(model).where(model.organization_id == organization_id))
    return found


def _load_both(organization_id: uuid.UUID) -> None:
    """The scale and the settings in one query, when the session holds neither
    (a score's mastery refresh read them with two). Either missing: left to
    `scale_for` and `settings_for`, which create it."""
    loaded = db.session.info.setdefault(_LOADED, {})
    for model in (ProficiencyScale, AssessmentSettings):
        held = loaded.get((model, organization_id))
        if held is not None and held in db.session:
            return
    row = db.session.execute(db.select(ProficiencyScale, AssessmentSettings).join(
        AssessmentSettings, AssessmentSettings.organization_id == ProficiencyScale.organization_id)
        .where(ProficiencyScale.organization_id == organization_id)).first()
    if row is not None:
        loaded[(ProficiencyScale, organization_id)], loaded[(AssessmentSettings, organization_id)] = row


def scale_for(organization_id: uuid.UUID) -> ProficiencyScale:
    scale = _one_row(ProficiencyScale, organization_id)
    if scale is None:
        scale = ProficiencyScale(organization_id=organization_id, levels=[dict(level) for level in DEFAULT_LEVELS],
                                 proficient_value=3)
        db.session.add(scale)
        db.session.flush()
        db.session.info[_LOADED][(ProficiencyScale, organization_id)] = scale
    return scale


def settings_for(organization_id: uuid.UUID) -> AssessmentSettings:
    settings = _one_row(AssessmentSettings, organization_id)
    if settings is None:
        settings = AssessmentSettings(organization_id=organization_id, mastery_method="decaying_average",
                                      decay_weight=0.65, evidence_required=3,
                                      reassessment_requires_new_evidence=False, graduation_requirements={})
        db.session.add(settings)
        db.session.flush()
        db.session.info[_LOADED][(AssessmentSettings, organization_id)] = settings
    return settings


def mastery_config(organization_id: uuid.UUID, framework: Framework | None = None) -> MasteryConfig:
    """The organization's method, overridden by the framework's where it sets one."""
    _load_both(organization_id)
    scale, settings = scale_for(organization_id), settings_for(organization_id)
    values = [level["value"] for level in scale.levels]
    params = dict(method=settings.mastery_method, decay_weight=settings.decay_weight,
                  evidence_required=settings.evidence_required, threshold=settings.mastery_threshold)
    if framework is not None and framework.mastery_method:
        params["method"] = framework.mastery_method
        params.update({k: v for k, v in (framework.mastery_params or {}).items()
                       if k in ("decay_weight", "evidence_required", "threshold")})
    return MasteryConfig(proficient_level=scale.proficient_value, min_level=min(values), max_level=max(values),
                         **params)


def level_label(scale: ProficiencyScale, level: float | None) -> str:
    """The label of the scale level a (possibly fractional) level has reached."""
    if level is None:
        return "No evidence yet"
    reached = [lv for lv in scale.levels if lv["value"] <= level + 1e-9]
    return reached[-1]["label"] if reached else scale.levels[0]["label"]


def validate_levels(levels: list[dict], proficient_value: int) -> list[str]:
    errors = []
    values = [level.get("value") for level in levels]
    if len(levels) < 2:
        errors.append("a scale needs at least two levels")
    if values != sorted(set(values)):
        errors.append("level values must be distinct and in ascending order")
    if proficient_value not in values:
        errors.append("proficient_value must be one of the level values")
    return errors
