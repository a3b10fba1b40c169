"""Authentication: passwords, sessions with CSRF, and bearer API tokens."""
from .current import api_auth, current_person, login_required, require_person, require_scope

__all__ = ["api_auth", "current_person", "login_required", "require_person", "require_scope"]
