"""The one entry point for authorization decisions.

Each object type has exactly one policy class (one module per type in this
package). Views never compare roles themselves: they call `authorize(actor,
action, obj)` for one object and `visible(actor, Model)` to filter listings.

An object the actor may not *view* answers 404, so that guessing ids reveals
nothing; one they may view but not change answers 403.
"""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false

from ..errors import Problem
from ..models import Person

_POLICIES: dict[type, "Policy"] = {}


class Policy:
    model: type

    def can(self, actor: Person | None, action: str, obj: Any) -> bool:
        method = getattr(self, f"can_{action}", None)
        if method is None:
            raise LookupError(f"{type(self).__name__} has no rule for '{action}'")
        return bool(actor is not None and actor.is_active and method(actor, obj))

    def visible(self, actor: Person, select: Select) -> Select:
        """Restrict a SELECT of this model to the rows the actor may view."""
        raise NotImplementedError


P = TypeVar("P", bound=type[Policy])
T = TypeVar("T")


def register(policy_cls: P) -> P:
    _POLICIES[policy_cls.model] = policy_cls()
    return policy_cls


def policy_for(obj_or_type: Any) -> Policy:
    cls = obj_or_type if isinstance(obj_or_type, type) else type(obj_or_type)
    try:
        return _POLICIES[cls]
    except KeyError:
        raise LookupError(f"no policy registered for {cls.__name__}") from None


def allowed(actor: Person | None, action: str, obj: Any) -> bool:
    return policy_for(obj).can(actor, action, obj)


def authorize(actor: Person | None, action: str, obj: T | None, *, what: str | None = None) -> T:
    """`obj` when the actor may do `action` to it; raises 404 or 403 (see above) otherwise."""
    if obj is None:
        raise Problem(404, f"No such {what or 'object'}.")
    policy = policy_for(obj)
    label = what or type(obj).__name__.lower()
    if not policy.can(actor, "view", obj):
        raise Problem(404, f"No such {label}.")
    if action != "view" and not policy.can(actor, action, obj):
        raise Problem(403, f"You may not {action} this {label}.")
    return obj


def visible(actor: Person | None, model: type, select: Select | None = None) -> Select:
    from ..extensions import db

    select = select if select is not None else db.select(model)
    if actor is None or not actor.is_active:
        return select.where(false())
    return policy_for(model).visible(actor, select)
