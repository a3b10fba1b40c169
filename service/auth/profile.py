"""The caller's public profile (person and organization), read with the identity.

Both identity lookups (bearer token, session cookie) join the person and their
organization anyway, so they also return these columns: GET /api/v1/me, the
hottest authenticated read, is then answered without another query, and
`current_person()` builds its ORM objects from them instead of loading them
again (37 against 171 us). The fields are those PersonSchema and
OrganizationSchema dump (tests/service/test_me.py checks the two agree).
"""
from __future__ import annotations

import datetime
import uuid

from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

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


def person_from(row, session) -> Person:
    """The ORM person (with their organization) from an identity row, without
    a query: the row's columns become the objects' loaded state, as if read by
    the session (the remaining columns, such as password_hash, load on first
    access). An object the session already holds is used as it is."""
    mapping = row._mapping
    person = session.identity_map.get(identity_key(Person, mapping["person__id"]))
    if person is not None:
        return person
    organization = session.identity_map.get(identity_key(Organization, mapping["organization__id"]))
    if organization is None:
        organization = _persistent(session, Organization, {name: mapping[f"organization__{name}"]
                                                         for name in ORGANIZATION_FIELDS})
    person = _persistent(session, Person, {name: mapping[f"person__{name}"] for name in PERSON_FIELDS})
    set_committed_value(person, "organization", organization)
    return person


def _persistent(session, model, values: dict):
    instance = model.__mapper__.class_manager.new_instance()
    for name, value in values.items():
        set_committed_value(instance, name, value)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
