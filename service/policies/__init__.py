"""Authorization: one policy per object type (see registry.py).

This package holds the registry, the relations every policy shares, and the
policies of the core objects (organizations, people, sections, jobs). Each
feature keeps the policies of its own objects in `service/<feature>/policies.py`,
imported by the feature package, so a policy is registered whenever its model
can exist.
"""
import importlib
import pkgutil

from .registry import Policy, allowed, authorize, register, visible
from .relations import may_see_student_work

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("registry", "relations"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Policy", "allowed", "authorize", "may_see_student_work", "register", "visible"]
