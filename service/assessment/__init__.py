"""Competencies, rubrics and assessment: frameworks (CASE/CSV import,
versions), proficiency scales, rubrics, submissions and scoring, calibration,
mastery, learning plans, and the dashboards and reports built on them.

Other features call `mastery_for(student_id, competency_id)` and
`student_mastery(student_id, competencies)`; both return `MasteryResult`s.
"""
from . import models, policies  # noqa: F401  (registers the tables; the policies of its objects)
from ..errors import Problem, field_error, register_domain_error
from .framework_import import FrameworkImportError
from .mastery import MasteryResult


def _import_failed(exc: FrameworkImportError) -> Problem:
    return Problem(422, f"The framework could not be imported: {exc}", type="framework-import-failed",
                   errors=[field_error("package", e) for e in exc.errors])


register_domain_error(FrameworkImportError, _import_failed)


def mastery_for(student_id, competency_id, *, as_of=None) -> MasteryResult:
    from .progress import mastery_for as _mastery_for

    return _mastery_for(student_id, competency_id, as_of=as_of)


def student_mastery(student_id, competencies):
    from .progress import student_mastery as _student_mastery

    return _student_mastery(student_id, competencies)


def api_blueprints():
    from .api import blp

    return [blp]


def init_app(app):
    from ..errors import register_problem_type
    from . import mastery_store
    from .pages import bp

    mastery_store.install()
    app.register_blueprint(bp)
    from .rubric_builder import bp as rubric_builder_bp

    app.register_blueprint(rubric_builder_bp)
    register_problem_type("framework-import-failed",
                          "The CASE package or CSV could not be imported; `errors` lists every problem found.")


def home_links(person):
    from .pages import links_for

    return links_for(person)


def load_demo(context):
    from .demo import load_demo as _load_demo

    _load_demo(context)


__all__ = ["MasteryResult", "mastery_for", "student_mastery"]
