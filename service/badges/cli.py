"""`flask --app service rotate-keys --org SLUG`: rotate an issuer's signing keys."""
from __future__ import annotations

import click

from ..extensions import db
from ..models import Organization
from . import keys


@click.command("rotate-keys")
@click.option("--org", "org_slug", required=True, help="The organization's slug")
@click.option("--reason", default="scheduled rotation", show_default=True)
def rotate_keys(org_slug, reason):
    """Retire an organization's active signing keys and create new ones.

    Retired keys stay published, so credentials signed with them still verify.
    """
    org = db.session.scalar(db.select(Organization).where(Organization.slug == org_slug))
    if org is None:
        raise click.ClickException(f"no organization '{org_slug}'")
    created = keys.rotate(org, reason=reason)
    for label, row in created.items():
        click.echo(f"{org.slug}: new {label} key {row.key_id} ({row.algorithm})")
