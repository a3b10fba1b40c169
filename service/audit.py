"""Write to the append-only audit log.

`record` adds the event to the current database session, so it commits or
rolls back together with the change it describes.
"""
from __future__ import annotations

from flask import has_request_context, request

from .extensions import db
from .models import AuditEvent


def record(action: str, *, obj=None, actor=None, organization_id=None, **detail) -> AuditEvent:
    if actor is None and has_request_context():
        from .auth import current_person

        actor = current_person()
    if organization_id is None:
        organization_id = getattr(obj, "organization_id", None) or getattr(actor, "organization_id", None)
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        organization_id=organization_id,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        detail={k: _jsonable(v) for k, v in detail.items()},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
