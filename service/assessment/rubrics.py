"""Create rubrics and revise them into new versions (never edited in place)."""
from __future__ import annotations

import uuid

from .. import audit
from ..errors import field_error, validation_problem
from ..extensions import db
from .models import Competency, CriterionAlignment, Rubric, RubricCriterion, RubricLevel
from .settings import scale_for


def create_rubric(organization_id: uuid.UUID, data: dict, *, actor=None, previous: Rubric | None = None) -> Rubric:
    """`data`: title, description, levels [{label, points, proficiency_value}],
    criteria [{title, kind, descriptors, competency_ids}]. With `previous`,
    the rubric becomes that rubric's next version."""
    _validate(organization_id, data)
    rubric = Rubric(organization_id=organization_id, title=data["title"], description=data.get("description"),
                    created_by_id=getattr(actor, "id", None), status="current")
    if previous is not None:
        latest = db.session.scalar(db.select(db.func.max(Rubric.version)).where(
            Rubric.organization_id == organization_id, Rubric.key == previous.key))
        rubric.key, rubric.version = previous.key, latest + 1
        db.session.execute(db.update(Rubric).where(Rubric.organization_id == organization_id,
                                                   Rubric.key == previous.key).values(status="superseded"))
    else:
        rubric.key, rubric.version = uuid.uuid4(), 1
    for position, level in enumerate(data["levels"]):
        rubric.levels.append(RubricLevel(position=position, label=level["label"], points=level["points"],
                                         proficiency_value=level["proficiency_value"]))
    for position, criterion in enumerate(data["criteria"]):
        row = RubricCriterion(position=position, title=criterion["title"], kind=criterion.get("kind", "academic"),
                              descriptors=list(criterion.get("descriptors") or []))
        for competency_id in dict.fromkeys(criterion.get("competency_ids") or []):
            row.alignments.append(CriterionAlignment(competency_id=competency_id))
        rubric.criteria.append(row)
    db.session.add(rubric)
    db.session.flush()
    audit.record("rubric.version" if previous else "rubric.create", obj=rubric, actor=actor,
                 version=rubric.version, key=str(rubric.key))
    return rubric


def rubric_as_data(rubric: Rubric) -> dict:
    """The editable content of a rubric (the starting point of a revision)."""
    return {"title": rubric.title, "description": rubric.description,
            "levels": [{"label": lv.label, "points": lv.points, "proficiency_value": lv.proficiency_value}
                       for lv in rubric.levels],
            "criteria": [{"title": c.title, "kind": c.kind, "descriptors": list(c.descriptors or []),
                          "competency_ids": c.competency_ids} for c in rubric.criteria]}


def _validate(organization_id, data) -> None:
    errors = []
    scale_values = {lv["value"] for lv in scale_for(organization_id).levels}
    levels = data.get("levels") or []
    if len(levels) < 2:
        errors.append(field_error("levels", "a rubric needs at least two levels"))
    for n, level in enumerate(levels):
        if level.get("proficiency_value") not in scale_values:
            errors.append(field_error(f"levels.{n}.proficiency_value",
                                      f"must be a value of the proficiency scale {sorted(scale_values)}"))
    criteria = data.get("criteria") or []
    if not criteria:
        errors.append(field_error("criteria", "a rubric needs at least one criterion"))
    wanted = {cid for c in criteria for cid in (c.get("competency_ids") or [])}
    found = set(db.session.scalars(db.select(Competency.id).where(
        Competency.id.in_(wanted), Competency.organization_id == organization_id))) if wanted else set()
    for n, criterion in enumerate(criteria):
        ids = criterion.get("competency_ids") or []
        kind = criterion.get("kind", "academic")
        if kind == "academic" and not ids:
            errors.append(field_error(f"criteria.{n}.competency_ids",
                                      "an academic criterion must align to at least one competency"))
        if kind == "habit" and ids:
            errors.append(field_error(f"criteria.{n}.competency_ids",
                                      "habits of work are never aligned to academic competencies"))
        for cid in ids:
            if cid not in found:
                errors.append(field_error(f"criteria.{n}.competency_ids", f"{cid} is not a competency of yours"))
        descriptors = criterion.get("descriptors") or []
        if descriptors and len(descriptors) != len(levels):
            errors.append(field_error(f"criteria.{n}.descriptors", "give one descriptor per level (or none)"))
    if errors:
        raise validation_problem(errors)
