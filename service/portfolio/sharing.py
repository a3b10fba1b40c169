"""Share links: an unguessable token (256 bits) that opens one artifact or
showcase to whoever holds it, until it expires or its owner revokes it.

Only the token's SHA-256 is stored; the token itself is shown once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from .. import audit
from ..errors import Problem
from ..extensions import db
from ..models import Person, utcnow
from .models import Artifact, ShareLink, Showcase

DEFAULT_DAYS = 30
MAX_DAYS = 365
# A link only works while its target's visibility allows links.
LINKABLE = ("link", "public")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share_link(owner: Person, target: Artifact | Showcase, *, days: int = DEFAULT_DAYS,
                      label: str | None = None) -> tuple[ShareLink, str]:
    """Returns the row and the secret token (shown once)."""
    if target.owner_id != owner.id:
        raise Problem(403, "Only the owner shares their work.")
    if target.visibility not in LINKABLE:
        raise Problem(409, "Set the visibility to 'link' (or 'public') before sharing by link.",
                      visibility=target.visibility)
    if not 1 <= days <= MAX_DAYS:
        raise Problem(422, f"A link lasts 1 to {MAX_DAYS} days.")
    token = secrets.token_urlsafe(32)
    link = ShareLink(owner_id=owner.id, organization_id=owner.organization_id, token_hash=hash_token(token),
                     label=label, expires_at=utcnow() + timedelta(days=days),
                     artifact_id=target.id if isinstance(target, Artifact) else None,
                     showcase_id=target.id if isinstance(target, Showcase) else None)
    db.session.add(link)
    db.session.flush()
    audit.record("share_link.create", obj=link, target=type(target).__name__, target_id=str(target.id),
                 expires_at=link.expires_at.isoformat())
    return link, token


def revoke_share_link(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record("share_link.revoke", obj=link)


def is_active(link: ShareLink) -> bool:
    target = link.artifact or link.showcase
    return (link.revoked_at is None and link.expires_at > utcnow()
            and target is not None and target.visibility in LINKABLE)


def resolve_token(token: str) -> ShareLink | None:
    """The live link for `token`, or None (unknown, expired, revoked, or no longer shared)."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(db.select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    return link if link is not None and is_active(link) else None
