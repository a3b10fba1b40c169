"""The caller's public profile (person and organization), read with the identity.

Both identity lookups (bearer token, session cookie) join the person and their
organization anyway, so they also return these columns: GET /api/v1/me, the
hottest authenticated read, is then answered without another query. The
fields are those PersonSchema and OrganizationSchema dump
(tests/service/test_me.py checks the two agree).
"""
from __future__ import annotations

import datetime
import uuid

from ..models import Organization, Person

PERSON_FIELDS = ("id", "organization_id", "role", "email", "display_name", "given_name", "family_name",
                 "external_id", "grade_level", "is_active", "created_at")
ORGANIZATION_FIELDS = ("id", "slug", "kind", "name", "url", "email", "description")

people, organizations = Person.__table__, Organization.__table__
COLUMNS = (*(people.c[name].label(f"person__{name}") for name in PERSON_FIELDS),
           *(organizations.c[name].label(f"organization__{name}") for name in ORGANIZATION_FIELDS))
JOIN = people.join(organizations, people.c.organization_id == organizations.c.id)


def _plain(value):
    """What marshmallow's UUID and DateTime fields dump; other columns are JSON already."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def profile(row) -> dict:
    """The person (with their organization nested) from an identity row, as the API shows them."""
    mapping = row._mapping
    body = {name: _plain(mapping[f"person__{name}"]) for name in PERSON_FIELDS}
    body["organization"] = {name: _plain(mapping[f"organization__{name}"]) for name in ORGANIZATION_FIELDS}
    return body
