"""Operator commands: `flask --app service <command>`."""
from __future__ import annotations

import secrets

import click
from flask import Flask

from . import audit
from .auth.passwords import hash_password
from .extensions import db
from .models import Organization, Person, Role


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_org)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo_data)
    app.cli.add_command(prune_sessions)
    from . import jobs

    jobs.init_app(app)  # jobs-worker (RQ)


@click.command("create-org")
@click.option("--slug", required=True, help="Stable URL name, e.g. riverside-high")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["school", "district"]), default="school")
@click.option("--url", default=None)
def create_org(slug, name, kind, url):
    """Create an organization (a school or district)."""
    if db.session.scalar(db.select(Organization).where(Organization.slug == slug)):
        raise click.ClickException(f"organization '{slug}' already exists")
    org = Organization(slug=slug, name=name, kind=kind, url=url)
    db.session.add(org)
    db.session.flush()
    audit.record("organization.create", obj=org, organization_id=org.id)
    db.session.commit()
    click.echo(f"created organization {org.slug} ({org.id})")


@click.command("create-admin")
@click.option("--org", "org_slug", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", default=None, help="Omit to generate one (printed once).")
def create_admin(org_slug, email, name, password):
    """Create an administrator for an organization."""
    org = db.session.scalar(db.select(Organization).where(Organization.slug == org_slug))
    if org is None:
        raise click.ClickException(f"no organization '{org_slug}'")
    email = email.strip().lower()
    if db.session.scalar(db.select(Person).where(Person.email == email)):
        raise click.ClickException(f"{email} already exists")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    admin = Person(organization_id=org.id, role=Role.ADMIN.value, email=email, display_name=name,
                   password_hash=hash_password(password))
    db.session.add(admin)
    db.session.flush()
    audit.record("person.create", obj=admin, role="admin")
    db.session.commit()
    click.echo(f"created admin {email}" + (f" with password: {password}" if generated else ""))


@click.command("demo-data")
def demo_data():
    """Load the demo school (idempotent) and print its logins."""
    from .demo import load_demo

    logins = load_demo()
    click.echo("\nDemo logins (password for all: %s)" % logins["password"])
    for role, email in logins["people"]:
        click.echo(f"  {role:<9} {email}")


@click.command("prune-sessions")
def prune_sessions():
    """Delete browser sessions that ended or expired more than 30 days ago."""
    from .auth import sessions

    deleted = sessions.prune()
    db.session.commit()
    click.echo(f"deleted {deleted} old session(s)")
