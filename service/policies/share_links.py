"""Share links are the owner's business alone: nobody else lists or revokes them."""
from __future__ import annotations

from ..portfolio.models import ShareLink
from .registry import Policy, register


@register
class ShareLinkPolicy(Policy):
    model = ShareLink

    def can_view(self, actor, link):
        return actor.id == link.owner_id

    def can_revoke(self, actor, link):
        return actor.id == link.owner_id

    def visible(self, actor, select):
        return select.where(ShareLink.owner_id == actor.id)
