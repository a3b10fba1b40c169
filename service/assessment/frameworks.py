"""Store frameworks and their versions; walk hierarchies and continuums."""
from __future__ import annotations

import uuid

from .. import audit
from ..extensions import db
from .framework_import import FrameworkDraft
from .models import Competency, CompetencyAssociation, Framework


def save_draft(organization_id: uuid.UUID, draft: FrameworkDraft, *, actor=None,
               school_year: str | None = None) -> Framework:
    """Create version 1 of a framework, or the next version when a framework
    with the same source identifier exists (a re-import of a revised package)."""
    previous = None
    if draft.source_identifier:
        previous = db.session.scalar(db.select(Framework).where(
            Framework.organization_id == organization_id, Framework.source_identifier == draft.source_identifier)
            .order_by(Framework.version.desc()).limit(1))
    framework = Framework(organization_id=organization_id, title=draft.title, subject=draft.subject,
                          description=draft.description, source=draft.source,
                          source_identifier=draft.source_identifier, source_uri=draft.source_uri,
                          creator=draft.creator, school_year=school_year, status="current",
                          created_by_id=getattr(actor, "id", None), mastery_params={})
    if previous is not None:
        framework.key, framework.version = previous.key, previous.version + 1
        _supersede(previous.key, organization_id)
    db.session.add(framework)
    db.session.flush()
    ids: dict[str, uuid.UUID] = {}
    rows = []
    for item in draft.items:
        row_id = uuid.uuid4()
        ids[item.identifier] = row_id
        rows.append(dict(id=row_id, framework_id=framework.id, organization_id=organization_id,
                         parent_id=ids[item.parent] if item.parent else None, identifier=item.identifier,
                         uri=item.uri, human_code=item.human_code, statement=item.statement,
                         abbreviated_statement=item.abbreviated_statement, item_type=item.item_type,
                         subject=item.subject or draft.subject, grade_levels=item.grade_levels,
                         position=item.position, depth=item.depth))
    if rows:
        # Bulk insert: a state framework has thousands of items.
        db.session.execute(db.insert(Competency), rows)
    assoc_rows = [dict(id=uuid.uuid4(), framework_id=framework.id, identifier=a.identifier,
                       association_type=a.association_type, origin_id=ids[a.origin],
                       destination_id=ids.get(a.destination), destination_identifier=a.destination,
                       destination_uri=a.destination_uri, sequence_number=a.sequence_number)
                  for a in draft.associations]
    if assoc_rows:
        db.session.execute(db.insert(CompetencyAssociation), assoc_rows)
    audit.record("framework.import" if draft.source != "manual" else "framework.create", obj=framework,
                 actor=actor, source=draft.source, items=len(rows), associations=len(assoc_rows),
                 version=framework.version)
    return framework


def new_version(framework: Framework, *, actor=None, school_year: str | None = None,
                title: str | None = None) -> Framework:
    """Copy a framework into its next version (a new school year). Items keep
    their identifiers; scores on the old version keep pointing at it."""
    latest = db.session.scalar(db.select(db.func.max(Framework.version)).where(
        Framework.organization_id == framework.organization_id, Framework.key == framework.key))
    _supersede(framework.key, framework.organization_id)
    copy = Framework(organization_id=framework.organization_id, key=framework.key, version=latest + 1,
                     status="current", school_year=school_year, title=title or framework.title,
                     subject=framework.subject, description=framework.description, source=framework.source,
                     source_identifier=framework.source_identifier, source_uri=framework.source_uri,
                     creator=framework.creator, mastery_method=framework.mastery_method,
                     mastery_params=dict(framework.mastery_params or {}), created_by_id=getattr(actor, "id", None))
    db.session.add(copy)
    db.session.flush()
    items = items_of(framework)
    mapping = {item.id: uuid.uuid4() for item in items}
    rows = [dict(id=mapping[i.id], framework_id=copy.id, organization_id=i.organization_id,
                 parent_id=mapping.get(i.parent_id), identifier=i.identifier, uri=i.uri, human_code=i.human_code,
                 statement=i.statement, abbreviated_statement=i.abbreviated_statement, item_type=i.item_type,
                 subject=i.subject, grade_levels=list(i.grade_levels or []), position=i.position, depth=i.depth)
            for i in items]
    if rows:
        db.session.execute(db.insert(Competency), rows)
    assocs = db.session.scalars(db.select(CompetencyAssociation).where(
        CompetencyAssociation.framework_id == framework.id)).all()
    if assocs:
        db.session.execute(db.insert(CompetencyAssociation), [
            dict(id=uuid.uuid4(), framework_id=copy.id, identifier=a.identifier,
                 association_type=a.association_type, origin_id=mapping[a.origin_id],
                 destination_id=mapping.get(a.destination_id), destination_identifier=a.destination_identifier,
                 destination_uri=a.destination_uri, sequence_number=a.sequence_number) for a in assocs])
    audit.record("framework.version", obj=copy, actor=actor, previous_id=str(framework.id), version=copy.version)
    return copy


def update_framework(framework: Framework, changes: dict, *, actor=None) -> Framework:
    """Title and mastery method override (FrameworkUpdateSchema data); the caller commits.
    Shared by PATCH /frameworks/<id> and the framework page."""
    for key, value in changes.items():
        setattr(framework, key, value)
    audit.record("framework.update", obj=framework, actor=actor, fields=sorted(changes))
    return framework


def _supersede(key: uuid.UUID, organization_id: uuid.UUID) -> None:
    db.session.execute(db.update(Framework).where(Framework.organization_id == organization_id,
                                                  Framework.key == key).values(status="superseded"))


def items_of(framework: Framework) -> list[Competency]:
    return list(db.session.scalars(db.select(Competency).where(Competency.framework_id == framework.id)
                                   .order_by(Competency.position)))


def descendant_ids(competency: Competency) -> list[uuid.UUID]:
    """The competency and everything below it (learning targets...)."""
    rows = db.session.execute(db.select(Competency.id, Competency.parent_id).where(
        Competency.framework_id == competency.framework_id)).all()
    children: dict = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    found, stack = [], [competency.id]
    while stack:
        cid = stack.pop()
        found.append(cid)
        stack.extend(children.get(cid, []))
    return found


def continuum(competency: Competency) -> list[Competency]:
    """The learning continuum through this competency: items linked by
    `precedes` before and after it, across grade levels, in order."""
    assocs = db.session.execute(db.select(CompetencyAssociation.origin_id, CompetencyAssociation.destination_id)
                                .where(CompetencyAssociation.framework_id == competency.framework_id,
                                       CompetencyAssociation.association_type == "precedes",
                                       CompetencyAssociation.destination_id.is_not(None))).all()
    after = {o: d for o, d in assocs}
    before = {d: o for o, d in assocs}
    chain, seen = [competency.id], {competency.id}
    node = competency.id
    while node in before and before[node] not in seen:
        node = before[node]
        chain.insert(0, node)
        seen.add(node)
    node = competency.id
    while node in after and after[node] not in seen:
        node = after[node]
        chain.append(node)
        seen.add(node)
    by_id = {c.id: c for c in db.session.scalars(db.select(Competency).where(Competency.id.in_(chain)))}
    return [by_id[c] for c in chain]
