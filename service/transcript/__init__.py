"""Competency transcript: versioned credit policies, the school profile, the
transcript record and its signed CLR 2.0 credential, PDF/CSV/HTML outputs,
request -> review -> issue -> share -> revoke (see docs/ARCHITECTURE.md).

Modules: policy (pure credit rules), builder (pure record), sources (database
loading), clr (CLR 2.0 document), lifecycle (units of work), verify (CLR
checks added to every verification report), outputs (PDF, CSV), actions
(shared by api and pages), policies (authorization).
"""
from . import (
    models,  # noqa: F401  (registers the tables; migration 0009_transcript)
    policies,  # noqa: F401  (registers the authorization policies)
)


def api_blueprints():
    from .api import blp

    return [blp]


def init_app(app):
    from ..badges import verification
    from .pages import bp
    from .verify import extend_report

    app.register_blueprint(bp)
    if extend_report not in verification.REPORT_HOOKS:
        verification.REPORT_HOOKS.append(extend_report)
    if _own_source not in verification.SOURCE_HOOKS:
        verification.SOURCE_HOOKS.append(_own_source)
    try:
        from ..portfolio import register_export_contributor
    except ImportError:  # the portfolio feature is not installed
        return
    register_export_contributor("transcripts", _export)


def load_demo(context):
    from .demo import load_demo as _load_demo

    _load_demo(context)


def home_links(person):
    from .pages import home_links as links

    return links(person)


def _own_source(url: str):
    """A transcript share link or a transcript's own URL -> its signed CLR (for /verify)."""
    from ..badges.verification import InputError
    from ..extensions import db
    from ..urls import own_route
    from . import lifecycle
    from .models import Transcript

    route = own_route(url)
    if route is not None and route.endpoint == "transcript_pages.shared":  # urls.share_url
        row, why = lifecycle.by_token(route.args["token"])
        if why:
            raise InputError(why, "url")
        return row.transcript.credential
    if route is not None and route.endpoint in ("transcript_pages.detail", "transcript_pages.verify"):
        transcript = db.session.get(Transcript, route.args["transcript_id"])
        if transcript is None or transcript.credential is None:
            raise InputError("this service has no issued transcript at that address", "url")
        return transcript.credential
    return None


def _export(person):
    """The student's export zip: every issued transcript (CLR JSON, VC-JWT, PDF, CSV)."""
    import json

    from ..extensions import db
    from ..portfolio import ExportEntry
    from . import outputs, urls
    from .models import Transcript

    rows = db.session.scalars(db.select(Transcript).where(Transcript.student_id == person.id,
                                                          Transcript.credential.is_not(None))
                              .order_by(Transcript.issued_at)).all()
    for t in rows:
        stem = f"{t.issued_at:%Y-%m-%d}-{t.id}"
        yield ExportEntry(f"{stem}/clr.json", json.dumps(t.credential, indent=2).encode())
        yield ExportEntry(f"{stem}/clr.jwt", t.credential_jwt.encode())
        yield ExportEntry(f"{stem}/transcript.csv", outputs.csv_bytes(t.record))
        org = t.student.organization
        yield ExportEntry(f"{stem}/transcript.pdf", outputs.pdf_bytes(
            t.record, verification_url=urls.ids(org.slug).verification(t.id), issued_at=t.issued_at.isoformat(),
            status=t.status, issuer_name=org.name))
