"""Badges: issuer keys, badge classes, issuance, revocation and verification.

Shared by two modules groups: issuance (keys, issuer documents, badge classes,
awards, status lists, bulk jobs) and the earner/verifier experience
(downloads, public badge pages, verification). Each adds its blueprints here.
"""
from ..assessment import badge_links
from ..blobstore import register_reference
from ..portfolio import ExportEntry, register_export_contributor
from . import downloads, formats, models, policies  # noqa: F401  (tables, policies, the credential formats)

register_reference(models.BadgeClass.image_digest)  # uploaded badge images (service/blobstore.py)


class _Directory:
    """What assessment may ask about badges (service/assessment/badge_links.py)."""

    def belongs_to(self, badge_class_id, organization_id) -> bool:
        from ..extensions import db

        badge_class = db.session.get(models.BadgeClass, badge_class_id)
        return badge_class is not None and badge_class.organization_id == organization_id

    def progress(self, student_id, badge_class_id) -> dict:
        from .progress import badge_progress

        return badge_progress(student_id, badge_class_id)


badge_links.register(_Directory())


def _export(person):
    """The earner's "export everything I own": every issued badge in each exported format (formats.py)."""
    from ..extensions import db

    awards = db.session.scalars(db.select(models.Award).where(models.Award.recipient_id == person.id,
                                                              models.Award.credential.is_not(None))
                                .order_by(models.Award.created_at, models.Award.id)).all()
    for award in awards:
        for fmt in formats.registered():
            if fmt.exported and fmt.has_form(award):
                yield ExportEntry(f"{award.id}.{fmt.extension}", fmt.render(award))


register_export_contributor("badges", _export)


def api_blueprints():
    from .api import blp as issuance_blp
    from .verify_api import blp as verify_blp

    return [issuance_blp, verify_blp]


def init_app(app):
    from ..events import mastery_changed
    from . import auto_award, cli, wellknown

    app.register_blueprint(wellknown.bp)
    app.cli.add_command(cli.rotate_keys)
    mastery_changed.connect(auto_award.queue_rule_check, weak=False)
    from . import jobs

    jobs.init_app(app)
    from . import pages  # verification page, my badges, public badge pages

    pages.init_app(app)
    from . import manage  # badge classes, approvals and bulk awards for teachers and admins

    manage.init_app(app)
    from . import awards_pages, designer, keys_pages  # awards and status changes; the designer; signing keys

    awards_pages.init_app(app)
    designer.init_app(app)
    keys_pages.init_app(app)


def home_links(person):
    from . import manage, pages

    return pages.home_links(person) + manage.home_links(person)


def load_demo(context):
    from .demo import load_demo as _load_demo

    _load_demo(context)
