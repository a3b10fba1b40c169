"""The data model, one concept per module. Import models from here."""
from .audit import AuditEvent, AuditLogIsAppendOnly
from .blob_hold import BlobHold
from .job import Job
from .login import LoginSession, LoginThrottle, PasswordReset
from .organization import Organization
from .page_generation import PageGeneration
from .person import GuardianLink, Person, Role
from .section import Course, Enrolment, Section
from .token import ApiToken
from .types import utcnow

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "BlobHold",
    "Course",
    "Enrolment",
    "GuardianLink",
    "Job",
    "LoginSession",
    "LoginThrottle",
    "Organization",
    "PageGeneration",
    "PasswordReset",
    "Person",
    "Role",
    "Section",
    "utcnow",
]
