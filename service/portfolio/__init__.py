"""The portfolio: students' artifacts (files and links) with immutable
versions, competency tags, showcases, visibility and share links, export.

Public surface for other features:
    lock_versions(versions, reason)          artifacts referenced as evidence never change
    register_export_contributor(name, fn)    add files to "export everything I own"
"""
from ..blobstore import register_reference
from . import models, policies  # noqa: F401  (registers the tables; the policies of its objects)
from ..errors import register_domain_error
from .artifacts import lock_versions, upload_problem
from .inspection import UploadRejected
from .export import ExportEntry, register_export_contributor

register_reference(models.ArtifactVersion.blob_digest)  # uploads' bytes (service/blobstore.py)
register_domain_error(UploadRejected, upload_problem)

__all__ = ["ExportEntry", "lock_versions", "register_export_contributor"]


def init_app(app):
    from ..errors import register_problem_type
    from .pages import bp as pages_bp
    from .public import bp as public_bp

    register_problem_type("version-locked", "The artifact version is locked as evidence for a score or a "
                                            "credential; it can never be changed or deleted.")
    app.register_blueprint(pages_bp)
    app.register_blueprint(public_bp)


def api_blueprints():
    from .api import blp

    return [blp]


def home_links(person):
    from flask import url_for

    if person is None:
        return []
    if person.role == "student":
        return [{"url": url_for("portfolio_pages.index"), "label": "My portfolio"},
                {"url": url_for("portfolio_pages.showcase_list"), "label": "My showcases"}]
    return [{"url": url_for("portfolio_pages.index"), "label": "Student portfolios"}]


def load_demo(context):
    from .demo import load_demo as _load

    _load(context)
