"""Competency transcript: versioned credit policies, the school profile, the
transcript record and its signed CLR 2.0 credential, PDF/CSV/HTML outputs,
request -> review -> issue -> share -> revoke (see docs/ARCHITECTURE.md)."""
from . import models  # noqa: F401  (registers the tables; migration 0007_transcript)
