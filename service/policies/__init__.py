"""Authorization: one policy per object type, one module per type in this
package (see registry.py). Every module here is imported so its policy
registers itself; a new object type only needs a new module."""
import importlib
import pkgutil

from .registry import Policy, allowed, authorize, register, visible
from .relations import may_see_student_work

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("registry", "relations"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Policy", "allowed", "authorize", "may_see_student_work", "register", "visible"]
